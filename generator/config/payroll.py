"""[payroll.ID] tables of site.toml → PaySchedule: when each office is paid.

Only the schedule is read here; the dates (and their moves off weekends and
holidays) are computed in generator/rules/paydays.py.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.config.reader import Reader
from generator.errors import did_you_mean, known_list
from generator.i18n import in_language

SCHEDULES = ("monthly", "semi-monthly", "bi-weekly", "yearly")
ADJUSTMENTS = ("previous", "next", "none")
PAYMENTS = ("salary", "bonus")
LAST = "last"
LAST_BUSINESS_DAY = "last-business-day"
Day = int | str  # 1–31, "last" or "last-business-day"


@dataclass(frozen=True)
class PayException:
    """A pay day the company moved once: `[[payroll.ID.exceptions]]`."""

    date: dt.date  # the pay day as the schedule gives it
    moved_to: dt.date
    reason: Mapping[str, str]  # by language, shown to readers as the automatic moves are


@dataclass(frozen=True)
class PaySchedule:
    id: str
    names: Mapping[str, str]
    offices: tuple[str, ...]
    schedule: str  # one of SCHEDULES
    days: tuple[Day, ...] = ()  # monthly: one day; semi-monthly: two
    anchor: dt.date | None = None  # bi-weekly: one known pay day
    dates: tuple[tuple[int, int], ...] = ()  # yearly: (month, day)
    adjust: str = "previous"  # a pay day on a weekend or holiday moves to the previous business day
    payment: str = "salary"
    exceptions: tuple[PayException, ...] = ()  # one-off moves decided by the company

    def name(self, lang: str) -> str:
        return in_language(self.names, lang) or self.id


def parse_payroll(
    r: Reader, value: Any, languages: tuple[str, ...], offices: tuple[str, ...]
) -> dict[str, PaySchedule]:
    schedules: dict[str, PaySchedule] = {}
    for ident, table in sorted(r.table(value, "payroll").items()):
        where = f"payroll.{ident}"
        if not r.ident("payroll", ident) or not isinstance(table, dict):
            continue
        r.unknown_keys(
            table,
            {
                "name",
                "offices",
                "schedule",
                "day",
                "days",
                "anchor",
                "dates",
                "adjust",
                "payment",
                "exceptions",
            },
            where,
        )
        names = r.localized(table.get("name", ident), languages, where, "name") or {}
        chosen = _offices(r, table.get("offices"), offices, where)
        schedule = r.choice(table.get("schedule"), SCHEDULES, where, "schedule")
        adjust = r.choice(table.get("adjust", "previous"), ADJUSTMENTS, where, "adjust") or "previous"
        payment = r.choice(table.get("payment", "salary"), PAYMENTS, where, "payment") or "salary"
        days: tuple[Day, ...] = ()
        anchor = None
        dates: tuple[tuple[int, int], ...] = ()
        if schedule == "monthly":
            days = _days(r, [table.get("day")], where, "day", 1)
        elif schedule == "semi-monthly":
            days = _days(r, table.get("days"), where, "days", 2)
        elif schedule == "bi-weekly":
            anchor = table.get("anchor")
            if not isinstance(anchor, dt.date) or isinstance(anchor, dt.datetime):
                r.error(
                    "a bi-weekly schedule needs anchor, the date of one pay day",
                    where,
                    "anchor",
                    hint="for example anchor = 2026-01-09 (no quotes)",
                )
                anchor = None
        elif schedule == "yearly":
            dates = _month_days(r, table.get("dates"), where)
        if schedule is None or not chosen:
            continue
        found = PaySchedule(ident, names, chosen, schedule, days, anchor, dates, adjust, payment)
        exceptions = _exceptions(r, table.get("exceptions", []), languages, found, f"{where}.exceptions")
        schedules[ident] = dataclasses.replace(found, exceptions=exceptions)
    return schedules


def _offices(r: Reader, value: Any, known: tuple[str, ...], where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        r.error(
            "offices must list the offices paid on this schedule",
            where,
            "offices",
            hint='offices = ["madrid"]',
        )
        return ()
    good = []
    for office in value:
        if office in known:
            good.append(office)
        else:
            r.error(
                f'unknown office "{office}"',
                where,
                "offices",
                hint=f"{did_you_mean(str(office), known)}offices: {known_list(known)}",
            )
    return tuple(good)


def _days(r: Reader, value: Any, where: str, key: str, count: int) -> tuple[Day, ...]:
    hint = f'days are 1 to 31, "{LAST}" or "{LAST_BUSINESS_DAY}"'
    if not isinstance(value, list) or len(value) != count:
        r.error(
            f"{key} must be {'one day' if count == 1 else f'a list of {count} days'}", where, key, hint=hint
        )
        return ()
    days: list[Day] = []
    for day in value:
        if (isinstance(day, int) and not isinstance(day, bool) and 1 <= day <= 31) or day in (
            LAST,
            LAST_BUSINESS_DAY,
        ):
            days.append(day)
        else:
            r.error(f"{day!r} is not a pay day", where, key, hint=hint)
    return tuple(days) if len(days) == count else ()


def _month_days(r: Reader, value: Any, where: str) -> tuple[tuple[int, int], ...]:
    hint = 'for example dates = ["06-30", "12-20"] (month-day)'
    if not isinstance(value, list) or not value:
        r.error("a yearly schedule needs dates", where, "dates", hint=hint)
        return ()
    found = []
    for text in value:
        match = re.fullmatch(r"(\d{2})-(\d{2})", str(text))
        try:
            if match is None:
                raise ValueError
            dt.date(2024, int(match.group(1)), int(match.group(2)))  # a leap year accepts 02-29
            found.append((int(match.group(1)), int(match.group(2))))
        except ValueError:
            r.error(f"{text!r} is not a month-day", where, "dates", hint=hint)
    return tuple(sorted(found))


def _exceptions(
    r: Reader, value: Any, languages: tuple[str, ...], schedule: PaySchedule, where: str
) -> tuple[PayException, ...]:
    """`[[payroll.ID.exceptions]]`: date (a pay day of the schedule), moved_to, reason."""
    example = 'date = 2026-12-31, moved_to = 2026-12-22, reason = { es = "Cierre de fin de año" }'
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        r.error("exceptions must be tables: [[" + where + "]]", where, hint=example)
        return ()
    found: dict[dt.date, PayException] = {}
    for nth, entry in enumerate(value):
        r.unknown_keys(entry, {"date", "moved_to", "reason"}, where, nth)
        day, moved_to = entry.get("date"), entry.get("moved_to")
        reason = r.localized(entry.get("reason"), languages, where, "reason") if "reason" in entry else None
        if reason is None and "reason" not in entry:
            r.error("an exception needs reason, what readers are told", where, "reason", example, nth)
        for key, when in (("date", day), ("moved_to", moved_to)):
            if not isinstance(when, dt.date) or isinstance(when, dt.datetime):
                r.error(f"{key} must be a date such as 2026-12-31 (no quotes)", where, key, example, nth)
        if not isinstance(day, dt.date) or not isinstance(moved_to, dt.date) or reason is None:
            continue
        if not is_scheduled(schedule, day):
            r.error(
                f"{day.isoformat()} is not a pay day of this schedule",
                where,
                "date",
                hint="date is the pay day as the schedule gives it, before any move",
                nth=nth,
            )
        elif day in found:
            r.error(f"{day.isoformat()} has two exceptions", where, "date", nth=nth)
        elif moved_to == day:
            r.error("moved_to is the same day as date", where, "moved_to", nth=nth)
        else:
            found[day] = PayException(day, moved_to, reason)
    return tuple(found[day] for day in sorted(found))


def is_scheduled(schedule: PaySchedule, day: dt.date) -> bool:
    """Whether the schedule pays on `day` before any move (a last business day: one of the
    month's last week, since holidays are not known here)."""
    last = calendar.monthrange(day.year, day.month)[1]
    if schedule.schedule in ("monthly", "semi-monthly"):
        return any(
            (d == LAST_BUSINESS_DAY and day.day > last - 7)
            or (d == LAST and day.day == last)
            or (isinstance(d, int) and day.day == min(d, last))
            for d in schedule.days
        )
    if schedule.schedule == "bi-weekly":
        return schedule.anchor is not None and (day - schedule.anchor).days % 14 == 0
    return any(day.month == m and day.day == min(d, last) for m, d in schedule.dates)
