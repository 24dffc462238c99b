"""The weekly notice-board sheet: what the break room's board shows one office, in one
language, for one week (render/board.py prints it on one page).

Staff without a desk or an inbox read it: that office's holidays and pay dates of the
week and the next, the must-read news for everyone there, the week's kudos and the
certification progress, each cut to what fits one sheet read at arm's length. Only what
the main site shows: restricted items never reach a sheet on a wall.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator.config import Config
from generator.model import Kudos, Occurrence
from generator.rules.progress import ProgrammeView
from generator.rules.views import LanguageView, News
from generator.rules.weeks import IsoWeek

DATES = 6  # the most dates a sheet lists
NEWS = 3  # the first with its summary, the others by their title
KUDOS = 2
PROGRAMMES = 2
SIZES = ("A4", "A3")


@dataclass(frozen=True)
class BoardSheet:
    week: IsoWeek
    office: str
    lang: str
    size: str  # SIZES
    dates: tuple[Occurrence, ...]  # holidays and pay dates of the week and the next, in the office's zone
    more_dates: int  # those left out for room
    news: tuple[News, ...]  # must-read for this office, newest first
    kudos: tuple[Kudos, ...]  # the latest, given since the Monday before the sheet's week
    programmes: tuple[ProgrammeView, ...]
    link: str  # the site path the QR code leads to: the week's newsletter for the office, else home

    @property
    def sunday(self) -> dt.date:
        return self.week.monday + dt.timedelta(days=6)


def for_office(audience: tuple[str, ...], office: str) -> bool:
    """Whether an item is for everyone at `office`: company-wide, or for that office."""
    return not audience or office in audience


def compose_board(
    config: Config, view: LanguageView, office: str, week: IsoWeek, size: str, link: str
) -> BoardSheet:
    monday = week.monday
    last = monday + dt.timedelta(days=13)  # this week and the next
    agenda = view.agenda.in_zone(config.offices[office].tz)
    dates = tuple(
        e
        for e in agenda.between(monday, last, office, ("holiday", "payday"))
        if for_office(e.audience, office)
    )
    sunday = monday + dt.timedelta(days=6)
    news = tuple(n for n in view.pinned if for_office(n.item.audience, office))
    since = monday - dt.timedelta(days=7)  # a sheet put up on Monday thanks last week's colleagues too
    kudos = tuple(
        k for k in view.kudos if since <= k.date <= sunday and not k.draft and for_office(k.audience, office)
    )
    shown = _fitted(list(dates[:DATES]), list(news[:NEWS]), list(kudos[:KUDOS]), view.lang)
    return BoardSheet(
        week,
        office,
        view.lang,
        size,
        tuple(shown[0]),
        len(dates) - len(shown[0]),
        tuple(shown[1]),
        tuple(shown[2]),
        view.programmes[:PROGRAMMES],
        link,
    )


# How much a sheet holds, in lines of its 16 pt text (templates/site/board.html): an A4
# page less its margins holds 38, less the space between items 34; the header takes 8,
# each section's heading 2; a line holds about 62 characters across the page and 30 in a
# half-page column. A3 is the same sheet scaled, so it holds the same.
ROOM, HEADER, HEADING, WIDE, NARROW = 34, 8, 2, 62, 30


def _lines(text: str, width: int) -> int:
    return max(1, -(-len(text) // width))


def _fitted(
    dates: list[Occurrence], news: list[News], kudos: list[Kudos], lang: str
) -> tuple[list[Occurrence], list[News], list[Kudos]]:
    """What fits one sheet: when the week is crowded, kudos go first (one stays), then
    news (one stays), then dates (three stay; the sheet says how many more there are)."""

    def used() -> int:
        total = HEADER + HEADING + sum(_lines(f"{e.day:%A %d %B %Y} · {e.title(lang)}", WIDE) for e in dates)
        total += 1 if not dates else 0
        if news:
            first = news[0].item
            total += HEADING + _lines(first.title, WIDE) + _lines(first.summary[:130], WIDE)
            total += sum(_lines(n.item.title[:90], WIDE) for n in news[1:])
        total += (
            HEADING
            + max(
                4,  # the certification column beside the kudos
                sum(_lines(", ".join(k.recipients), NARROW) + _lines(k.text[:90], NARROW) + 1 for k in kudos),
            )
        )
        return total + 1  # "and N more"

    while used() > ROOM:
        if len(kudos) > 1:
            kudos.pop()
        elif len(news) > 1:
            news.pop()
        elif len(dates) > 3:
            dates.pop()
        else:
            break
    return dates, news, kudos
