"""Times of day as a reader reads them: in the reader's zone, or with the zone named.

The rule (README, "Times and time zones"): an office's pages and newsletter edition
show times in the office's zone, where the agenda was already moved (`Agenda.in_zone`),
so the time stands alone. Company-wide pages and editions show each event in its own
zone and say which: "16:00–17:30, hora de Madrid". The zone is named after the office
that lives in it, else after the city the time-zone database gives it.
"""

from __future__ import annotations

import datetime as dt

from babel import Locale
from babel.dates import format_interval, format_skeleton, format_time, get_timezone_location

from generator.config import Config
from generator.i18n import load_translations
from generator.model import Occurrence


def zone_place(zone: str, lang: str, config: Config) -> str:
    """ "Ciudad de México" for America/Mexico_City when an office is there, else Babel's city."""
    for office in config.offices.values():
        if office.timezone == zone:
            return office.name(lang)
    return get_timezone_location(zone, locale=lang, return_city=True)


def time_span(entry: Occurrence, lang: str, config: Config, *, named: bool) -> str:
    """ "18:00–22:00" (or "6:00 – 10:00 PM"), with ", hora de Madrid" when `named`; "" all-day."""
    start, end = entry.start, entry.end
    if not isinstance(start, dt.datetime) or not isinstance(end, dt.datetime):
        return ""
    skeleton = "hm" if "h" in Locale.parse(lang).time_formats["short"].pattern else "Hm"
    if end == start:
        text = format_time(start, "short", locale=lang)
    elif end.date() == start.date() or _ends_at_midnight(start, end):
        text = format_interval(start.time(), end.time(), skeleton, locale=lang)
    else:  # ends on a later day: name that day
        later = (
            f"{format_skeleton('MMMEd', end.date(), locale=lang)} {format_time(end, 'short', locale=lang)}"
        )
        text = f"{format_time(start, 'short', locale=lang)} – {later}"
    if not named or entry.zone is None:
        return text
    _ = load_translations(lang).gettext
    return _("%(time)s, %(place)s time") % {"time": text, "place": zone_place(entry.zone, lang, config)}


def _ends_at_midnight(start: dt.datetime, end: dt.datetime) -> bool:
    """An evening event that ends at 00:00 the next day is still one day's event."""
    return end.time() == dt.time(0) and end.date() == start.date() + dt.timedelta(days=1)
