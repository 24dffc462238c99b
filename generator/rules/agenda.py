"""The one model of dates: public and company holidays, pay dates, events, trainings
and meetings, merged, filtered for the audience, and queried by the site, the
feeds and the newsletter alike. No second copy of these rules exists."""

from __future__ import annotations

import calendar as calendar_module
import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from zoneinfo import ZoneInfo

from generator.config import CalendarSettings, Config
from generator.model import KINDS, Occurrence, Site
from generator.rules.audience import is_visible
from generator.rules.holidays import public_holidays
from generator.rules.localize import localize
from generator.rules.paydays import days_off_for, pay_dates
from generator.rules.progress import audit_dates
from generator.urls import ALL_DATES

# Filter names used in paths and feeds → the kinds they hold.
FILTERS: dict[str, tuple[str, ...]] = {
    "holidays": ("holiday",),
    "paydays": ("payday",),
    "events": ("event", "training", "meeting"),
    "trainings": ("training",),
    "meetings": ("meeting",),
}
FEEDS = ("holidays", "paydays", "events", ALL_DATES)
_KIND_ORDER = {kind: index for index, kind in enumerate(KINDS)}


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    return dt.date(year, month + 1, min(day.day, calendar_module.monthrange(year, month + 1)[1]))


def calendar_window(today: dt.date, settings: CalendarSettings) -> tuple[dt.date, dt.date]:
    """The build window: `months_back` before today to `months_ahead` after (end exclusive)."""
    return add_months(today, -settings.months_back), add_months(today, settings.months_ahead)


@dataclass(frozen=True)
class Agenda:
    entries: tuple[Occurrence, ...]  # sorted by day, kind, title
    window: tuple[dt.date, dt.date]

    @cached_property
    def _days(self) -> tuple[list[dt.date], dt.timedelta]:
        """Each entry's first day, in order, and the longest an entry lasts: what `between`
        searches instead of reading every entry."""
        longest = max((e.last_day - e.day for e in self.entries), default=dt.timedelta(0))
        return [e.day for e in self.entries], longest

    @cached_property
    def _zoned(self) -> dict[str, Agenda]:
        return {}

    def select(self, office: str | None = None, kinds: Iterable[str] | None = None) -> tuple[Occurrence, ...]:
        return self._select(self.entries, office, kinds)

    @staticmethod
    def _select(
        entries: Iterable[Occurrence], office: str | None, kinds: Iterable[str] | None
    ) -> tuple[Occurrence, ...]:
        wanted = set(kinds) if kinds is not None else None
        return tuple(e for e in entries if e.for_office(office) and (wanted is None or e.kind in wanted))

    def between(
        self, first: dt.date, last: dt.date, office: str | None = None, kinds: Iterable[str] | None = None
    ) -> tuple[Occurrence, ...]:
        """Entries touching the days first..last (both included)."""
        days, longest = self._days
        start, end = bisect_left(days, first - longest), bisect_right(days, last)
        near = (e for e in self.entries[start:end] if e.last_day >= first)
        return self._select(near, office, kinds)

    def next(self, kind: str, office: str | None, today: dt.date) -> Occurrence | None:
        """The first entry of `kind` on or after today, for an office (None: any)."""
        start = bisect_left(self._days[0], today)
        return next((e for e in self.entries[start:] if e.kind == kind and e.for_office(office)), None)

    def in_zone(self, tz: ZoneInfo) -> Agenda:
        """The agenda as a reader in `tz` sees it: timed entries at that zone's clock and day."""
        zoned = self._zoned.get(tz.key)
        if zoned is None:
            zoned = Agenda(tuple(sorted((e.in_zone(tz) for e in self.entries), key=_order)), self.window)
            self._zoned[tz.key] = zoned
        return zoned

    def visible_to(self, config: Config, scope: str | None) -> Agenda:
        """The entries the main site (scope None) or a restricted audience's tree may show."""
        return Agenda(tuple(e for e in self.entries if is_visible(e.audience, config, scope)), self.window)


def compose_agenda(
    config: Config,
    from_files: list[Occurrence],
    window: tuple[dt.date, dt.date],
    *,
    scope: str | None = None,
    everything: bool = False,
) -> Agenda:
    """Public holidays + company calendars + pay dates, for the main site or a restricted scope
    (or, with `everything`, with every restricted entry too, for the newsletter to filter)."""
    public = public_holidays(config, window)
    company = _without_public_duplicates(
        [e for e in from_files if e.kind == "holiday" and window[0] <= e.day < window[1]], public, config
    )
    others = [e for e in from_files if e.kind != "holiday"]
    holidays = public + company
    paydays = [
        entry
        for schedule in config.payroll.values()
        for office in schedule.offices
        for entry in pay_dates(
            schedule,
            office,
            window,
            days_off_for(office, holidays),
            host=config.host,
            source=config.source,
        )
    ]
    agenda = Agenda(tuple(sorted((*holidays, *paydays, *others), key=_order)), window)
    return agenda if everything else agenda.visible_to(config, scope)


def full_agenda(config: Config, site: Site, today: dt.date) -> Agenda:
    """Every dated entry, restricted ones included — calendars, certification audits,
    holidays, pay dates — composed once per build; the site keeps what it may show
    (`visible_to`), each newsletter edition what is its own."""
    programmes = localize(list(site.programmes), config.languages)[config.default_language]
    audits = [entry for shown in programmes for entry in audit_dates(shown.item, config.host)]
    window = site.window or calendar_window(today, config.calendar)  # read once, with the site
    return compose_agenda(config, [*site.occurrences, *audits], window, everything=True)


def _order(entry: Occurrence) -> tuple[dt.date, int, float, str, str]:
    moment = entry.start.timestamp() if isinstance(entry.start, dt.datetime) else 0.0  # the instant
    return (entry.day, _KIND_ORDER.get(entry.kind, 9), moment, entry.title(""), entry.uid)


def _without_public_duplicates(
    company: list[Occurrence], public: list[Occurrence], config: Config
) -> list[Occurrence]:
    """A company day off that is already an office's public holiday is shown once, as the public one."""
    public_days = {(e.offices[0], e.day) for e in public}
    kept = []
    for entry in company:
        offices = entry.offices or tuple(config.offices)
        remaining = tuple(o for o in offices if (o, entry.day) not in public_days)
        if not remaining:
            continue
        kept.append(entry if remaining == offices else replace(entry, offices=remaining))
    return kept


@dataclass(frozen=True)
class AgendaWeek:
    start: dt.date  # its Monday
    entries: tuple[Occurrence, ...]


def upcoming_weeks(
    agenda: Agenda, today: dt.date, weeks: int, office: str | None = None, kinds: Iterable[str] | None = None
) -> list[AgendaWeek]:
    """The next `weeks` weeks from today's, each with its entries from today on; empty weeks left out."""
    monday = today - dt.timedelta(days=today.weekday())
    kinds = tuple(kinds) if kinds is not None else None
    found = []
    for number in range(weeks):
        first = monday + dt.timedelta(weeks=number)
        entries = agenda.between(max(first, today), first + dt.timedelta(days=6), office, kinds)
        if entries:
            found.append(AgendaWeek(first, entries))
    return found


@dataclass(frozen=True)
class Cell:
    day: dt.date | None  # None: a padding cell outside the month
    entries: tuple[Occurrence, ...] = ()


@dataclass(frozen=True)
class Month:
    first: dt.date
    weeks: tuple[tuple[Cell, ...], ...]
    entries: tuple[Occurrence, ...] = ()  # every entry touching the month, once: the list form


def month_grid(
    agenda: Agenda,
    year: int,
    month: int,
    first_weekday: int,
    office: str | None = None,
    kinds: Iterable[str] | None = None,
) -> Month:
    """One month as weeks of seven cells, starting on `first_weekday` (0 = Monday)."""
    kinds = tuple(kinds) if kinds is not None else None
    grid = calendar_module.Calendar(firstweekday=first_weekday).monthdatescalendar(year, month)
    entries = agenda.between(grid[0][0], grid[-1][-1], office, kinds)
    weeks = []
    for week in grid:
        cells = []
        for day in week:
            if day.month != month:
                cells.append(Cell(None))
            else:
                cells.append(Cell(day, tuple(e for e in entries if e.day <= day <= e.last_day)))
        weeks.append(tuple(cells))
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar_module.monthrange(year, month)[1])
    return Month(first, tuple(weeks), tuple(e for e in entries if e.day <= last and e.last_day >= first))


def months_from(today: dt.date, count: int) -> list[tuple[int, int]]:
    first = today.replace(day=1)
    return [(d.year, d.month) for d in (add_months(first, n) for n in range(count))]
