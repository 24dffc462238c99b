"""What the calendar pages and the home page's key dates show: for every office (or all
of them) and every filter, the coming weeks and the month grids. An office's view is in
the office's zone; the company-wide one in each event's own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo

from generator.config import Config
from generator.model import Occurrence
from generator.rules.agenda import FILTERS, Agenda, AgendaWeek, Month, month_grid, months_from, upcoming_weeks

GRID_MONTHS = 12
HOME_EVENT_DAYS = 14
HOME_EVENTS = 8


@dataclass(frozen=True)
class CalendarView:
    """One calendar page's dates: an office (None: every office) and a filter (None: all).

    It holds what its dates are worked out from, and works them out when first asked: a
    page is keyed by its context's fingerprint (cache.Fingerprints), which then walks the
    agenda (once, for every page) instead of the weeks and grids of each page, and a page
    kept from the last build never asks for them (an edited story leaves the calendars
    as they were: composing them and walking them took 8 % of such an edit at 1,000)."""

    office: str | None
    kind_filter: str | None
    agenda: Agenda  # what the site shows, in each entry's own zone
    zone: ZoneInfo | None  # the office's, that its reader sees the entries in (None: each entry's own)
    today: dt.date
    first_weekday: int
    upcoming: int  # weeks listed ahead

    @cached_property
    def _seen(self) -> Agenda:
        return self.agenda.in_zone(self.zone) if self.zone is not None else self.agenda

    @cached_property
    def _kinds(self) -> tuple[str, ...] | None:
        return FILTERS[self.kind_filter] if self.kind_filter else None

    @cached_property
    def weeks(self) -> tuple[AgendaWeek, ...]:
        """The next `upcoming` weeks from today's, the empty ones left out."""
        return tuple(upcoming_weeks(self._seen, self.today, self.upcoming, self.office, self._kinds))

    @cached_property
    def months(self) -> tuple[Month, ...]:
        """GRID_MONTHS month grids from today's month, weeks starting on `first_weekday`."""
        return tuple(
            month_grid(self._seen, y, m, self.first_weekday, self.office, self._kinds)
            for y, m in months_from(self.today, GRID_MONTHS)
        )


@dataclass(frozen=True)
class OfficeDates:
    office: str
    holiday: Occurrence | None
    payday: Occurrence | None


@dataclass(frozen=True)
class HomeDates:
    """The home page's key dates: each office's next holiday and pay date, the coming events."""

    offices: tuple[OfficeDates, ...]
    events: tuple[Occurrence, ...]


def compose_calendars(
    config: Config, agenda: Agenda, today: dt.date, first_weekday: int
) -> tuple[CalendarView, ...]:
    """Every office (and all offices) × every filter (and none), weeks starting on `first_weekday`."""
    upcoming = config.calendar.upcoming_weeks
    return tuple(
        CalendarView(
            office,
            kind_filter,
            agenda,
            config.offices[office].tz if office else None,
            today,
            first_weekday,
            upcoming,
        )
        for office in (None, *config.offices)
        for kind_filter in (None, *FILTERS)
    )


def compose_home_dates(config: Config, agenda: Agenda, today: dt.date) -> HomeDates:
    offices = tuple(
        OfficeDates(o, agenda.next("holiday", o, today), agenda.next("payday", o, today))
        for o in config.offices
    )
    last = today + dt.timedelta(days=HOME_EVENT_DAYS - 1)
    return HomeDates(offices, agenda.between(today, last, None, FILTERS["events"])[:HOME_EVENTS])
