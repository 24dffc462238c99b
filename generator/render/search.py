"""What the site's search finds: one record per announcement and page of each
language's view, with its title, date, text and filters (category, audiences, offices).
Pure; `generator/indexer.py` hands the records to Pagefind.

A tree's records are what that tree shows, so restricted text never enters the main
site's index: a restricted audience's tree gets its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import attrgetter
from typing import NamedTuple

from markupsafe import escape

from generator.cache import Fingerprints
from generator.config import Config
from generator.i18n import load_translations
from generator.model import Announcement, Html, Page
from generator.render.intranet import news_path
from generator.render.labels import category_name
from generator.rules.views import LanguageView
from generator.urls import content_page


def filter_names(lang: str) -> tuple[str, str, str]:
    """The search page's filters, as its readers read them: category, audience, office."""
    _ = load_translations(lang).gettext  # named `_` so `make i18n` finds these texts
    return _("Category"), _("Audience"), _("Office")


Filters = tuple[tuple[str, tuple[str, ...]], ...]  # (name, values)


class SearchRecord(NamedTuple):
    """What the index knows of one page. A named tuple: a build makes one for every story
    in every language (24,500 at 10,000 announcements)."""

    path: str  # the page's path in the site, e.g. "es/news/aguinaldo-2026/index.html"
    lang: str
    title: str
    body: Html  # sanitized HTML (load/markdown.py), compressed: made text only for Pagefind's page
    date: str  # ISO date, or "" for a standing page
    filters: Filters
    origin: str = ""  # the digest of the item it is made from, when known: it stands for its texts

    def html(self) -> str:
        """A minimal page of the record for Pagefind to read: the text indexed, title and
        date as metadata, the filters captured but not indexed as text."""
        filters = "".join(
            f'<span data-pagefind-filter="{escape(name)}">{escape(value)}</span>'
            for name, values in self.filters
            for value in values
        )
        date = f'<p data-pagefind-meta="date">{escape(self.date)}</p>' if self.date else ""
        return (
            f'<!DOCTYPE html><html lang="{self.lang}"><head><meta charset="utf-8">'
            f"<title>{escape(self.title)}</title></head><body><main data-pagefind-body>"
            f'<h1 data-pagefind-meta="title">{escape(self.title)}</h1>'
            f"<div data-pagefind-ignore>{filters}{date}</div>{self.body.text}</main></body></html>"
        )


def record_paths(views: dict[str, LanguageView]) -> Iterator[str]:
    """The pages `search_records` makes a record of: what is not a draft."""
    for view in views.values():
        yield from (news_path(news) for news in view.news if not news.item.draft)
    for lang, view in views.items():
        yield from (content_page(lang, page.item.slug) for page in view.pages if not page.item.draft)


def record_counts(views: dict[str, LanguageView]) -> dict[str, int]:
    """How many paths `record_paths` gives in each language."""
    draft = attrgetter("item.draft")
    return {
        lang: len(v.news) - sum(map(draft, v.news)) + len(v.pages) - sum(map(draft, v.pages))
        for lang, v in views.items()
    }


def search_records(
    config: Config, views: dict[str, LanguageView], fingerprints: Fingerprints | None = None
) -> list[SearchRecord]:
    """One record per shown announcement and page of each language, not drafts. With
    `fingerprints`, each record carries the digest of its item's title and body (`origin`)."""

    def origin(item: Announcement | Page) -> str:
        if fingerprints is None:
            return ""
        return item.text_digest or fingerprints.of(item)  # the first stays when the settings change

    records = []
    for lang, view in views.items():
        category, audience, office = filter_names(lang)
        names = {a: config.audiences[a].name(lang) for a in config.audiences}
        offices = {o: config.offices[o].name(lang) for o in config.offices}
        filters: dict[tuple[str, tuple[str, ...]], Filters] = {}  # by (category, audiences)
        for news in view.news:
            item = news.item
            if item.draft:
                continue  # a draft is previewed, never searched
            shown = (item.category, item.audience)
            found = filters.get(shown)
            if found is None:  # a few kinds of story share most of them: each worked out once
                found = filters[shown] = (
                    (category, (category_name(item.category, lang),)),
                    (audience, tuple(names[a] for a in item.audience if a not in offices)),
                    (office, tuple(offices[a] for a in item.audience if a in offices)),
                )
            records.append(
                SearchRecord(
                    news_path(news),
                    lang,
                    item.title,
                    item.body,
                    item.date.isoformat(),
                    found,
                    origin(item),
                )
            )
        for page in view.pages:
            if page.item.draft:
                continue
            records.append(
                SearchRecord(
                    content_page(lang, page.item.slug),
                    lang,
                    page.item.title,
                    Html.of(page.item.body_html),  # a standing page: a few in a site
                    "",
                    (),
                    origin(page.item),
                )
            )
    return sorted(records, key=lambda r: r.path)
