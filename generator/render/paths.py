"""Where each output lives below the site root: one place for every path rule."""

from __future__ import annotations

import posixpath


def pretty(path: str) -> str:
    """The public form of a page path: "es/news/index.html" → "es/news/"."""
    return path.removesuffix("index.html")


def news_page(lang: str, slug: str) -> str:
    return f"{lang}/news/{slug}/index.html"


def calendar_page(lang: str, office: str | None = None, kind_filter: str | None = None) -> str:
    """es/calendar/index.html, es/calendar/madrid/index.html, es/calendar/madrid/paydays/index.html…"""
    return "/".join([lang, "calendar", *(p for p in (office, kind_filter) if p), "index.html"])


def feed_path(lang: str, office: str | None, feed: str) -> str:
    """es/calendar/paydays.ics, es/calendar/madrid/all.ics…"""
    return f"{lang}/calendar/{office}/{feed}.ics" if office else f"{lang}/calendar/{feed}.ics"


def newsletter_page(lang: str, week: object, key: str = "all") -> str:
    """es/newsletter/2026-W48/index.html (company-wide), es/newsletter/2026-W48/madrid/index.html."""
    return (
        f"{lang}/newsletter/{week}/index.html"
        if key == "all"
        else f"{lang}/newsletter/{week}/{key}/index.html"
    )


def relative_url(target: str, page_path: str) -> str:
    """A link from the page at `page_path` to `target`; both relative to the site root."""
    start = posixpath.dirname(page_path) or "."
    rel = posixpath.relpath(target, start)
    return rel + "/" if target.endswith("/") and not rel.endswith("/") else rel


def root_prefix(page_path: str) -> str:
    """ "../" repeated to climb from the page's folder to the site root ("" at the root)."""
    return "../" * page_path.count("/")
