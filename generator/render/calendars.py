"""The agenda → subscribable iCalendar feeds, per language, for every office and each one.

Feeds are RFC 5545 with the RFC 7986 name and refresh interval plus the legacy
X-WR-CALNAME / X-PUBLISHED-TTL forms, a VTIMEZONE for the time zone they use,
exclusive all-day DTEND, holidays and pay dates TRANSPARENT (they never block
free/busy), and UIDs that stay the same across rebuilds so clients update
entries instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from babel.dates import format_date

from generator.cache import Fingerprints, Previous, code_digest, digest
from generator.config import Config
from generator.i18n import in_language, load_translations
from generator.model import Occurrence, OutputFile
from generator.render.labels import filter_name
from generator.rules.agenda import FEEDS, FILTERS, Agenda
from generator.urls import ALL_DATES, calendar_feed, site_output

TRANSPARENT_KINDS = ("holiday", "payday")


def moved_note(entry: Occurrence, lang: str) -> str:
    """ "Moved from Sat 31 Oct: weekend", in the reader's language; "" when not moved."""
    if entry.moved_from is None:
        return ""
    translations = load_translations(lang)
    because = entry.moved_because or {}
    reason = in_language(because, lang) or translations.gettext("weekend")
    day = format_date(entry.moved_from, "EEE d MMM", locale=lang)
    if entry.day < entry.moved_from:
        note = str(translations.pgettext("earlier", "Moved from %(date)s: %(reason)s"))
    else:
        note = str(translations.pgettext("later", "Moved from %(date)s: %(reason)s"))
    return note % {"date": day, "reason": reason}


def summary(entry: Occurrence, lang: str, config: Config, office: str | None) -> str:
    title = entry.title(lang)
    if office is None and entry.offices:
        names = ", ".join(config.offices[o].name(lang) for o in entry.offices if o in config.offices)
        return f"{title} ({names})" if names else title
    return title


class _Events:
    """Each entry's VEVENT, serialized once per language and per kind of feed (with or
    without the office in its summary), then reused by every feed that lists it."""

    def __init__(self, config: Config, today: dt.date) -> None:
        self.config = config
        self.stamp = dt.datetime.combine(today, dt.time(0), tzinfo=dt.UTC)
        self._cache: dict[tuple[str, str, bool], bytes] = {}

    def get(self, entry: Occurrence, lang: str, office: str | None) -> bytes:
        key = (entry.uid, lang, office is None)
        if key not in self._cache:
            self._cache[key] = self._render(entry, lang, office)
        return self._cache[key]

    def _render(self, entry: Occurrence, lang: str, office: str | None) -> bytes:
        import icalendar  # here and below: a build that keeps every feed does without it

        event = icalendar.Event()
        event.add("UID", entry.uid)
        event.add("DTSTAMP", entry.stamp or self.stamp)
        event.add("DTSTART", entry.start)
        event.add("DTEND", entry.end)
        event.add("SUMMARY", summary(entry, lang, self.config, office))
        description = "\n\n".join(part for part in (moved_note(entry, lang), entry.description) if part)
        if description:
            event.add("DESCRIPTION", description)
        if entry.location:
            event.add("LOCATION", entry.location)
        event.add("CATEGORIES", [entry.kind.upper()])
        event.add("TRANSP", "TRANSPARENT" if entry.kind in TRANSPARENT_KINDS else "OPAQUE")
        event.add("CLASS", "PUBLIC")
        data: bytes = event.to_ical()
        return data


class _Zones:
    """The VTIMEZONE of each zone timed entries use (feeds keep every event's own TZID),
    made once per zone over the build window."""

    def __init__(self, window: tuple[dt.date, dt.date]) -> None:
        self.window = window
        self._blocks: dict[str, bytes] = {}

    def block(self, entries: Iterable[Occurrence]) -> bytes:
        zones = sorted({entry.zone for entry in entries if entry.zone is not None})
        return b"".join(self._block(zone) for zone in zones)

    def _block(self, zone: str) -> bytes:
        if zone not in self._blocks:
            import icalendar

            holder = icalendar.Calendar()
            probe = icalendar.Event()
            probe.add("DTSTART", dt.datetime.combine(self.window[0], dt.time(12), tzinfo=ZoneInfo(zone)))
            holder.add_component(probe)
            holder.add_missing_timezones(first_date=self.window[0], last_date=self.window[1])
            self._blocks[zone] = b"".join(tz.to_ical() for tz in holder.walk("VTIMEZONE"))
        return self._blocks[zone]


def _document(
    config: Config,
    name: str,
    lang: str,
    entries: Iterable[Occurrence],
    office: str | None,
    events: _Events,
    zones: _Zones,
    source: str | None = None,
) -> bytes:
    """A whole VCALENDAR: its header, the time zones its timed entries use, the entries."""
    import icalendar

    entries = list(entries)
    refresh = dt.timedelta(hours=config.calendar.refresh_hours)
    calendar = icalendar.Calendar()
    calendar.add("PRODID", f"-//{config.host}//intranet//{lang.upper()}")
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("NAME", name)
    calendar.add("X-WR-CALNAME", name)
    calendar.add("X-WR-TIMEZONE", config.timezone)
    calendar.add("REFRESH-INTERVAL", refresh, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", f"PT{config.calendar.refresh_hours}H")
    if source:
        calendar.add("SOURCE", source, parameters={"VALUE": "URI"})
    head: bytes = calendar.to_ical().removesuffix(b"END:VCALENDAR\r\n")
    body = b"".join(events.get(entry, lang, office) for entry in entries)
    return head + zones.block(entries) + body + b"END:VCALENDAR\r\n"


def render_calendar_feed(
    config: Config,
    agenda: Agenda,
    lang: str,
    office: str | None,
    feed: str,
    events: _Events,
    zones: _Zones,
) -> OutputFile:
    kinds = None if feed == ALL_DATES else FILTERS[feed]
    office_name = config.offices[office].name(lang) if office else ""
    name = " · ".join(part for part in (config.title(lang), filter_name(feed, lang), office_name) if part)
    path = calendar_feed(lang, office, feed)
    entries = agenda.select(office, kinds)
    data = _document(config, name, lang, entries, office, events, zones, config.base_url + path)
    return OutputFile(site_output(path), data, "content/calendar")


def calendar_document(
    config: Config, entries: Iterable[Occurrence], lang: str, name: str, today: dt.date
) -> bytes:
    """Some entries as one METHOD:PUBLISH calendar (the newsletter's attachment), with the feeds' UIDs."""
    entries = list(entries)
    days = [e.day for e in entries] or [today]
    window = (min(days) - dt.timedelta(days=1), max(days) + dt.timedelta(days=2))
    return _document(config, name, lang, entries, None, _Events(config, today), _Zones(window))


def render_calendar_feeds(
    config: Config, agenda: Agenda, today: dt.date, previous: Previous | None = None
) -> list[OutputFile]:
    """Every language × (every office, each office) × (holidays, paydays, events, all).

    The feeds are made from the settings, the agenda and today only: when those digest as
    in the `previous` publish, its feeds are kept unrendered."""
    fingerprints = Fingerprints()
    key = digest(code_digest(), fingerprints.of(config), fingerprints.of(agenda), today.isoformat())
    paths = [
        (site_output(calendar_feed(lang, office, feed)), lang, office, feed)
        for lang in config.languages
        for office in (None, *config.offices)
        for feed in FEEDS
    ]
    kept = [previous.reusable(path, key) for path, *_ in paths] if previous is not None else []
    if kept and all(found is not None for found in kept):
        return [
            OutputFile(path, found, "content/calendar", None, key)
            if isinstance(found, bytes)
            else OutputFile(path, b"", "content/calendar", found, key)
            for (path, *_), found in zip(paths, kept, strict=True)
        ]
    events = _Events(config, today)
    zones = _Zones(agenda.window)
    return [
        render_calendar_feed(config, agenda, lang, office, feed, events, zones)._replace(key=key)
        for _, lang, office, feed in paths
    ]
