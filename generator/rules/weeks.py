"""ISO weeks: the newsletter's unit of time ("2026-W48")."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    number: int

    @classmethod
    def of(cls, day: dt.date) -> IsoWeek:
        year, number, _ = day.isocalendar()
        return cls(year, number)

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """ "2026-W48" → IsoWeek; ValueError for anything else, including week 53 of a 52-week year."""
        found = _WEEK.match(text.strip())
        if not found:
            raise ValueError(f"{text!r} is not a week; write it as YYYY-Www, e.g. 2026-W48")
        week = cls(int(found.group(1)), int(found.group(2)))
        try:
            dt.date.fromisocalendar(week.year, week.number, 1)
        except ValueError:
            raise ValueError(f"{week.year} has no week {week.number}") from None
        return week

    @property
    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    def shifted(self, weeks: int) -> IsoWeek:
        return IsoWeek.of(self.monday + dt.timedelta(weeks=weeks))

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"
