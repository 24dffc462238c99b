"""What the calendar pages and the home page's key dates show, decided once per build:
for every office (or all of them) and every filter, the coming weeks and the month grids.
An office's view is in the office's zone; the company-wide one in each event's own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator.config import Config
from generator.model import Occurrence
from generator.rules.agenda import FILTERS, Agenda, AgendaWeek, Month, month_grid, months_from, upcoming_weeks

GRID_MONTHS = 12
HOME_EVENT_DAYS = 14
HOME_EVENTS = 8


@dataclass(frozen=True)
class CalendarView:
    """One calendar page's dates: an office (None: every office) and a filter (None: all)."""

    office: str | None
    kind_filter: str | None
    weeks: tuple[AgendaWeek, ...]
    months: tuple[Month, ...]


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
    views = []
    for office in (None, *config.offices):
        seen = agenda.in_zone(config.offices[office].tz) if office else agenda
        for kind_filter in (None, *FILTERS):
            kinds = FILTERS[kind_filter] if kind_filter else None
            weeks = upcoming_weeks(seen, today, config.calendar.upcoming_weeks, office, kinds)
            months = [
                month_grid(seen, y, m, first_weekday, office, kinds)
                for y, m in months_from(today, GRID_MONTHS)
            ]
            views.append(CalendarView(office, kind_filter, tuple(weeks), tuple(months)))
    return tuple(views)


def compose_home_dates(config: Config, agenda: Agenda, today: dt.date) -> HomeDates:
    offices = tuple(
        OfficeDates(o, agenda.next("holiday", o, today), agenda.next("payday", o, today))
        for o in config.offices
    )
    last = today + dt.timedelta(days=HOME_EVENT_DAYS - 1)
    return HomeDates(offices, agenda.between(today, last, None, FILTERS["events"])[:HOME_EVENTS])
