"""content/calendar/**.ics → Occurrence: real exports from Outlook, Google, Thunderbird, Apple.

icalendar parses (folded lines, Windows and custom VTIMEZONEs), recurring-ical-events
expands RRULE/RDATE/EXDATE/RECURRENCE-ID over the build window. Each event (a UID
with its overrides) is expanded on its own, so a broken one is reported as a
warning with its file, line and UID, and skipped, while its neighbours publish.
A file that is not a calendar at all is an error.

Which office an event is for: the folder it is in (`content/calendar/madrid/x.ics`),
or a category naming an office or audience (`CATEGORIES:HOLIDAY,MADRID`);
otherwise every office.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events  # type: ignore[import-untyped]
from icalendar.timezone import tzids_from_tzinfo
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from generator.config import ContentSettings
from generator.errors import GeneratorError, did_you_mean, known_list
from generator.load.files import read_calendar
from generator.model import DRAFT_EVENT, Occurrence

# CATEGORIES values (accents and case ignored) → kind. Real exports use their own words.
_KIND_WORDS = {
    "holiday": {"holiday", "holidays", "bank holiday", "public holiday", "festivo", "festivos",
                "dia festivo", "feriado", "feriados", "jour ferie", "jours feries", "ferie"},
    "payday": {"payday", "pay day", "paydays", "nomina", "paie", "pago", "pay"},
    "training": {"training", "formacion", "formation", "capacitacion", "curso"},
    "meeting": {"meeting", "reunion", "meetings", "reuniones"},
    "event": {"event", "events", "evento", "eventos", "evenement", "evenements"},
}  # fmt: skip


@dataclass(frozen=True)
class _Span:
    """Where one VEVENT sits in the file."""

    begin: int  # line of BEGIN:VEVENT (1-based)
    lines: tuple[str, ...]  # its raw lines, BEGIN to END

    def line_of(self, prop: str, value: str | None = None) -> int:
        """The line of `prop` (the one holding `value`, when given), else BEGIN:VEVENT's."""
        found = [
            offset for offset, line in enumerate(self.lines) if re.match(rf"^{prop}[;:]", line, re.IGNORECASE)
        ]
        if value is not None:
            found = [o for o in found if self.lines[o].rstrip().endswith(":" + value)] or found
        return self.begin + found[0] if found else self.begin


COURSE_PROPERTY = "X-INTRANET-COURSE"  # the course a training session is of (rules/trainings.py)


def load_calendar(
    path: Path,
    folder: Path,
    config: ContentSettings,
    window: tuple[dt.date, dt.date],
    warnings: list[GeneratorError],
) -> list[Occurrence]:
    """One .ics file below content/calendar/ (`folder`) → its occurrences within `window`.
    A file in an office's folder is that office's; events it cannot use are `warnings`."""
    offices = _folder_offices(path, folder, config)
    return parse_calendar(read_calendar(path), path, config, window, offices, warnings)


def _folder_offices(path: Path, folder: Path, config: ContentSettings) -> tuple[str, ...]:
    parts = path.relative_to(folder).parts
    if len(parts) == 1:
        return ()
    if parts[0] in config.offices:
        return (parts[0],)
    raise GeneratorError(
        f'the folder "{parts[0]}" is not an office',
        path=path,
        hint=f"{did_you_mean(parts[0], config.offices)}offices: {known_list(config.offices)}; "
        "files directly in content/calendar/ are for every office",
    )


def decode_calendar(raw: bytes) -> str:
    """UTF-8 (a BOM is dropped); exports that are not UTF-8 are read as Windows-1252."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_calendar(
    raw: bytes,
    path: Path,
    config: ContentSettings,
    window: tuple[dt.date, dt.date],
    offices: tuple[str, ...] = (),
    warnings: list[GeneratorError] | None = None,
) -> list[Occurrence]:
    """One .ics file → its occurrences in `window`; broken events go to `warnings`."""
    warnings = warnings if warnings is not None else []
    text = decode_calendar(raw)
    calendars = _parse(text, path)
    lines = text.split("\n")
    spans = list(_event_spans(lines))
    events = [event for calendar in calendars for event in calendar.walk("VEVENT")]
    if len(spans) != len(events):  # should not happen; fall back to the file's first line
        spans = [_Span(1, ())] * len(events)
    where = dict(zip((id(e) for e in events), spans, strict=True))

    occurrences: list[Occurrence] = []
    for calendar in calendars:
        groups: dict[str, list[icalendar.Component]] = {}
        labels: dict[str, str] = {}
        for index, event in enumerate(calendar.walk("VEVENT")):
            uid = str(event.get("UID") or f"{path.stem}-{index + 1}")
            groups.setdefault(uid, []).append(event)
            labels[uid] = (
                f"UID {uid}" if event.get("UID") else f"event {index + 1} in the file, which has no UID"
            )
        timezones = calendar.walk("VTIMEZONE")
        for uid, components in groups.items():
            if any(str(c.get(DRAFT_EVENT, "")).upper() == "TRUE" for c in components):
                continue  # a draft from `intranet new event`, published once confirmed
            spans_of = [where[id(c)] for c in components]
            problem = _problem(components, spans_of)
            if problem is None:
                repeats = next(filter(None, (_repetition_problem(c, window) for c in components)), None)
                problem = (repeats, spans_of[0].line_of("RRULE")) if repeats is not None else None
            if problem is not None:
                message, line = problem
                warnings.append(
                    GeneratorError(f"{message} ({labels[uid]}); this event is skipped", path=path, line=line)
                )
                continue
            try:
                occurrences += _expand(
                    calendar, timezones, components, uid, path, spans_of[0], config, window, offices
                )
            except Exception as exc:  # recurring-ical-events raises many kinds for broken rules
                warnings.append(
                    GeneratorError(
                        f"cannot expand this event: {exc} ({labels[uid]}); this event is skipped",
                        path=path,
                        line=spans_of[0].begin,
                    )
                )
    return occurrences


def _parse(text: str, path: Path) -> list[icalendar.Calendar]:
    hint = "export the calendar as an iCalendar (.ics) file from Outlook, Google or Thunderbird"
    try:
        components = icalendar.Calendar.from_ical(text, multiple=True)
    except Exception as exc:  # icalendar raises ValueError and others on non-calendar text
        line = next((n for n, t in enumerate(text.split("\n"), 1) if t.strip() and ":" not in t), 1)
        raise GeneratorError(
            f"this is not an iCalendar file ({exc})", path=path, line=line, hint=hint
        ) from None
    calendars = [c for c in components if c.name == "VCALENDAR"]
    if not calendars and text.strip():
        raise GeneratorError(
            "this is not an iCalendar file: no BEGIN:VCALENDAR", path=path, line=1, hint=hint
        )
    return calendars


def _event_spans(lines: list[str]) -> Iterator[_Span]:
    begin = None
    for number, line in enumerate(lines, start=1):
        upper = line.strip().upper()
        if upper == "BEGIN:VEVENT":
            begin = number
        elif upper == "END:VEVENT" and begin is not None:
            yield _Span(begin, tuple(lines[begin - 1 : number]))
            begin = None


def _problem(components: list[icalendar.Component], spans: list[_Span]) -> tuple[str, int] | None:
    """The first thing that makes this event unusable, with its line."""
    for component, span in zip(components, spans, strict=True):
        for prop, error in component.errors:
            shown = re.search(r"Got: '(.*)'$", str(error))  # icalendar quotes the bad value
            return f"{prop} cannot be read: {error}", span.line_of(
                str(prop), shown.group(1) if shown else None
            )
        start = component.get("DTSTART")
        if start is None:
            return "the event has no DTSTART (start date)", span.begin
        tzid = start.params.get("TZID") if hasattr(start, "params") else None
        if tzid and isinstance(start.dt, dt.datetime) and start.dt.tzinfo is None:
            return f'unknown time zone "{tzid}" and no VTIMEZONE describes it', span.line_of("DTSTART")
    return None


# How far one event's repetition may go: the steps its rule takes from DTSTART to the end
# of the build's window (each FREQ period, times the values of its BY… parts), and its
# occurrences inside the window. Past either, the event is skipped with a warning, in
# well under a second, where `FREQ=SECONDLY` without an end would run for hours.
MAX_STEPS = 1_000_000
MAX_OCCURRENCES = 20_000
_SECONDS = {
    "SECONDLY": 1, "MINUTELY": 60, "HOURLY": 3600, "DAILY": 86400, "WEEKLY": 7 * 86400,
    "MONTHLY": 28 * 86400, "YEARLY": 365 * 86400,
}  # fmt: skip
_BY_PARTS = ("BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH")


def _wall(value: object) -> dt.datetime | None:
    """A DTSTART or UNTIL as a naive wall-clock datetime (precise enough to count steps)."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return None


def _repetition_problem(component: icalendar.Component, window: tuple[dt.date, dt.date]) -> str | None:
    """Why this event repeats too often to be expanded, if it does (an upper bound: the
    rule's BY… parts are counted as if each multiplied the occurrences)."""
    rules = component.get("RRULE")
    start = _wall(component.get("DTSTART").dt)
    if rules is None or start is None:
        return None
    window_start, window_end = (dt.datetime.combine(day, dt.time()) for day in window)
    for rule in rules if isinstance(rules, list) else [rules]:
        freq = str((rule.get("FREQ") or [""])[0]).upper()
        if freq not in _SECONDS:
            return f'its rule has no frequency it can repeat at (FREQ="{freq[:40]}")'
        try:
            interval = max(1, int((rule.get("INTERVAL") or [1])[0]))
        except (TypeError, ValueError):
            interval = 1
        until = _wall((rule.get("UNTIL") or [None])[0])
        end = min(window_end, until) if until is not None else window_end
        per_period = 1
        for part in _BY_PARTS:
            per_period *= max(1, len(rule.get(part) or []))
        period = _SECONDS[freq] * interval
        steps = max(0.0, (end - start).total_seconds()) / period * per_period
        inside = max(0.0, (end - max(start, window_start)).total_seconds()) / period * per_period
        count = rule.get("COUNT")
        if count:
            with contextlib.suppress(TypeError, ValueError):
                steps = inside = min(steps, float(count[0]))
        if steps > MAX_STEPS or inside > MAX_OCCURRENCES:
            return (
                f"its rule (FREQ={freq}) repeats it more than the build expands: up to "
                f"{MAX_OCCURRENCES:,} occurrences in the calendar's window and {MAX_STEPS:,} "
                "repetitions from DTSTART"
            )
    return None


def _expand(
    calendar: icalendar.Calendar,
    timezones: Iterable[icalendar.Component],
    components: list[icalendar.Component],
    uid: str,
    path: Path,
    span: _Span,
    config: ContentSettings,
    window: tuple[dt.date, dt.date],
    folder_offices: tuple[str, ...],
) -> list[Occurrence]:
    single = icalendar.Calendar()
    for key in ("X-WR-TIMEZONE",):
        if key in calendar:
            single[key] = calendar[key]
    for timezone in timezones:
        single.add_component(timezone)
    for component in components:
        single.add_component(component)
    repeating = len(components) > 1 or any(c.get("RRULE") or c.get("RDATE") for c in components)
    zone = calendar_zone(calendar, config.tz)
    result = []
    for event in recurring_ical_events.of(single).between(*window):
        kind, offices, audience = _classify(event, config, folder_offices)
        start, end = _times(event, zone)
        start, end = _nearest_zone(start, end, [*(config.office_tz(o) for o in offices), config.tz])
        recurrence = event.get("RECURRENCE-ID")
        key = _stamp_key(recurrence.dt if recurrence is not None else event.get("DTSTART").dt)
        result.append(
            Occurrence(
                uid=f"{uid}-{key}" if repeating else uid,
                kind=kind,
                titles={"": _title(event) or path.stem},
                start=start,
                end=end,
                source=path,
                line=span.begin,
                offices=offices,
                audience=audience,
                description=_text(event.get("DESCRIPTION")),
                location=_text(event.get("LOCATION")),
                stamp=_utc(event.get("DTSTAMP")),
                course=_text(event.get(COURSE_PROPERTY)).strip(),
            )
        )
    return result


def _times(event: icalendar.Event, zone: ZoneInfo) -> tuple[dt.date | dt.datetime, dt.date | dt.datetime]:
    """DTSTART and the exclusive end: dates when all-day, else aware in the event's own zone."""
    start: Any = event.get("DTSTART").dt
    end_prop = event.get("DTEND")
    end: Any = end_prop.dt if end_prop is not None else None
    if not isinstance(start, dt.datetime):
        if end is None or not isinstance(end, dt.date) or isinstance(end, dt.datetime) or end <= start:
            end = start + dt.timedelta(days=1)  # RFC 5545: an all-day event lasts one day
        return start, end
    start = own_zone(start, zone)
    if not isinstance(end, dt.datetime):
        duration = event.get("DURATION")
        end = start + (duration.dt if duration is not None else dt.timedelta(0))
    end = own_zone(end, zone).astimezone(start.tzinfo)
    return start, max(end, start)


def own_zone(moment: dt.datetime, fallback: ZoneInfo) -> dt.datetime:
    """`moment` in the IANA zone it was written in, so its day and clock are the author's.

    Floating times are in `fallback` (the calendar's X-WR-TIMEZONE, else the site's).
    UTC is how Google and Exchange store times, not where an event happens: it is shown
    in `fallback` too. A custom VTIMEZONE (Outlook's "Romance Standard Time") is mapped
    to its IANA zone by icalendar; one that maps to none is shown in `fallback`.
    """
    tzinfo = moment.tzinfo
    if tzinfo is None:
        return moment.replace(tzinfo=fallback)
    if isinstance(tzinfo, ZoneInfo) and tzinfo.key not in _UTC_NAMES:
        return moment
    for name in tzids_from_tzinfo(tzinfo):
        if name in _UTC_NAMES:
            break
        for candidate in (WINDOWS_TO_OLSON.get(name), name.strip("/")):
            try:
                return moment.astimezone(ZoneInfo(candidate or ""))
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return moment.astimezone(fallback)


def _nearest_zone(
    start: dt.date | dt.datetime, end: dt.date | dt.datetime, preferred: list[ZoneInfo]
) -> tuple[dt.date | dt.datetime, dt.date | dt.datetime]:
    """The first preferred zone (the event's offices', then the site's) that reads the same
    clock as the event's own: Outlook writes Madrid's meetings in "Romance Standard Time",
    which is Paris's zone; a Madrid reader is told "Madrid time"."""
    if not isinstance(start, dt.datetime) or not isinstance(end, dt.datetime):
        return start, end
    for zone in preferred:
        if all(m.astimezone(zone).replace(tzinfo=None) == m.replace(tzinfo=None) for m in (start, end)):
            return start.astimezone(zone), end.astimezone(zone)
    return start, end


_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "GMT", "Etc/GMT", "Z", "Zulu", "Etc/Zulu", "Universal"})


def calendar_zone(calendar: icalendar.Component, site_tz: ZoneInfo) -> ZoneInfo:
    """The calendar's own zone (X-WR-TIMEZONE, as Google and Apple write it), else the site's."""
    name = str(calendar.get("X-WR-TIMEZONE") or "").strip()
    if name and name not in _UTC_NAMES:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return site_tz


def _classify(
    event: icalendar.Event, config: ContentSettings, folder_offices: tuple[str, ...]
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    kind = "event"
    offices = set(folder_offices)
    audience: set[str] = set()
    for category in _categories(event):
        word = _plain(category)
        for candidate, words in _KIND_WORDS.items():
            if word in words:
                kind = candidate
        ident = word.replace(" ", "-")
        if ident in config.offices:
            offices.add(ident)
        elif ident in config.audiences:
            audience.add(ident)
    return kind, tuple(sorted(offices)), tuple(sorted(audience | offices)) if audience else ()


def _categories(event: icalendar.Event) -> list[str]:
    found: list[str] = []
    values = event.get("CATEGORIES")
    for value in values if isinstance(values, list) else [values] if values is not None else []:
        cats = getattr(value, "cats", None)
        found += [str(c) for c in cats] if cats is not None else str(value).split(",")
    return [c.strip() for c in found if c.strip()]


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(folded.casefold().split())


def _title(event: icalendar.Component) -> str:
    """SUMMARY, else the first line of DESCRIPTION."""
    return _text(event.get("SUMMARY")) or _text(event.get("DESCRIPTION")).split("\n", 1)[0].strip()


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _stamp_key(value: Any) -> str:
    if isinstance(value, dt.datetime):
        moment = value.astimezone(dt.UTC) if value.tzinfo else value
        return moment.strftime("%Y%m%dT%H%M%S") + ("Z" if value.tzinfo else "")
    if isinstance(value, dt.date):
        return value.strftime("%Y%m%d")
    return hashlib.sha1(str(value).encode()).hexdigest()[:12]


def _utc(prop: Any) -> dt.datetime | None:
    value = getattr(prop, "dt", None)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return None
