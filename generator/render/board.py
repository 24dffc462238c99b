"""The notice-board sheets as pages (templates/site/board.html): one per office, language
and week asked for, each with a QR code (render/qr.py) to the week's page on the
intranet, so a reader at the board can open it on their phone."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from generator.config import Config
from generator.render.intranet import PagePlan
from generator.rules.board import compose_board
from generator.rules.views import LanguageView
from generator.rules.weeks import IsoWeek
from generator.urls import EVERYONE, board_page, home_page, newsletter_page, pretty


def plan_boards(
    config: Config, views: dict[str, LanguageView], boards: Sequence[tuple[IsoWeek, str]]
) -> Iterator[PagePlan]:
    """A page per sheet of each (week, paper size) in `boards`, every office and language."""
    for week, size in boards:
        for lang in config.languages:
            view = views[lang]
            for office in config.offices:
                link = _week_page(view, week, office)
                sheet = compose_board(config, view, office, week, size, link)
                yield PagePlan(
                    lang,
                    board_page(lang, week, office),
                    "site/board.html",
                    ("board", f"{week}/{office}"),
                    {"sheet": sheet, "qr_url": config.base_url + pretty(link)},  # drawn if rendered
                    "content",
                )


def _week_page(view: LanguageView, week: IsoWeek, office: str) -> str:
    """The week's newsletter on the site, the office's edition first; else the home page."""
    issues = {issue.key: issue for issue in view.newsletters if issue.week == week}
    for key in (office, EVERYONE):
        if key in issues:
            return newsletter_page(view.lang, week, key)
    return home_page(view.lang)
