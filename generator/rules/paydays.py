"""Pay dates from the payroll schedules in site.toml.

A pay date that falls on a weekend or on one of the office's holidays moves to
the previous business day (or the next, or stays, as the schedule says), and
remembers where it came from and why, so the site can say "moved from Sat 31 Oct:
weekend". A date the company moved itself (an exception in site.toml) goes where
it says, with its reason.
"""

from __future__ import annotations

import calendar as calendar_module
import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path

from generator.config import PaySchedule
from generator.config.payroll import LAST, LAST_BUSINESS_DAY, Day
from generator.model import Occurrence

Holidays = Mapping[dt.date, Mapping[str, str]]  # an office's days off → names by language


def is_business_day(day: dt.date, days_off: Holidays) -> bool:
    return day.weekday() < 5 and day not in days_off


def _month_day(year: int, month: int, day: Day, days_off: Holidays) -> dt.date:
    last = calendar_module.monthrange(year, month)[1]
    if day == LAST_BUSINESS_DAY:
        found = dt.date(year, month, last)
        while not is_business_day(found, days_off):
            found -= dt.timedelta(days=1)
        return found
    return dt.date(year, month, last if day == LAST else min(int(day), last))


def _months(window: tuple[dt.date, dt.date]) -> Iterator[tuple[int, int]]:
    year, month = window[0].year, window[0].month
    while (year, month) <= (window[1].year, window[1].month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def nominal_dates(
    schedule: PaySchedule, window: tuple[dt.date, dt.date], days_off: Holidays
) -> list[dt.date]:
    """The schedule's pay days before any move, within `window` (end exclusive)."""
    found: list[dt.date] = []
    if schedule.schedule in ("monthly", "semi-monthly"):
        for year, month in _months(window):
            found += [_month_day(year, month, day, days_off) for day in schedule.days]
    elif schedule.schedule == "bi-weekly" and schedule.anchor is not None:
        step = dt.timedelta(days=14)
        day = schedule.anchor - step * ((schedule.anchor - window[0]).days // 14 + 1)
        while day < window[1]:
            found.append(day)
            day += step
    elif schedule.schedule == "yearly":
        for year in range(window[0].year, window[1].year + 1):
            for month, month_day in schedule.dates:
                last = calendar_module.monthrange(year, month)[1]
                found.append(dt.date(year, month, min(month_day, last)))
    return sorted({d for d in found if window[0] <= d < window[1]})


def adjust(day: dt.date, how: str, days_off: Holidays) -> dt.date:
    """Move `day` off weekends and holidays: to the previous or next business day, or not at all."""
    if how == "none":
        return day
    step = dt.timedelta(days=-1 if how == "previous" else 1)
    while not is_business_day(day, days_off):
        day += step
    return day


def pay_dates(
    schedule: PaySchedule,
    office: str,
    window: tuple[dt.date, dt.date],
    days_off: Holidays,
    *,
    host: str,
    source: Path | None = None,
) -> list[Occurrence]:
    """One office's pay dates on one schedule, moved as the schedule says, or where the
    company moved one (its exceptions: the day it gives, and its reason)."""
    found = []
    exceptions = {e.date: e for e in schedule.exceptions}
    for nominal in nominal_dates(schedule, window, days_off):
        exception = exceptions.get(nominal)
        paid = exception.moved_to if exception else adjust(nominal, schedule.adjust, days_off)
        moved = paid != nominal
        found.append(
            Occurrence(
                uid=f"payday-{schedule.id}-{office}-{nominal:%Y%m%d}@{host}",  # the nominal date: stable
                kind="payday",
                titles=dict(schedule.names),
                start=paid,
                end=paid + dt.timedelta(days=1),
                source=source,
                offices=(office,),
                payment=schedule.payment,
                moved_from=nominal if moved else None,
                moved_because=(dict(exception.reason) if exception else dict(days_off.get(nominal, {})))
                if moved
                else None,
            )
        )
    return found


def days_off_for(office: str, entries: list[Occurrence]) -> dict[dt.date, dict[str, str]]:
    """An office's holidays (public and company), each day with its names by language."""
    days: dict[dt.date, dict[str, str]] = {}
    for entry in entries:
        if entry.kind == "holiday" and entry.for_office(office):
            day = entry.day
            while day <= entry.last_day:
                days.setdefault(day, dict(entry.titles))
                day += dt.timedelta(days=1)
    return days
