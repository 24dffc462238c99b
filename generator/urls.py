"""Every name a reader or a stage sees in a path: slugs, edition keys, and where each output
lives. The one authority for them, so that loading (file names, links in bodies), deciding
(tags, editions), rendering (pages, templates, feeds), publishing and sending (which
message.eml is whose) agree without importing one another. Pure; imports nothing.

Page paths are relative to the site root and end in index.html ("es/news/x/index.html");
`pretty` gives their public form ("es/news/x/"). Output paths add the unit folder
("site/…", "newsletter/{week}/…").
"""

from __future__ import annotations

import functools
import posixpath
import re
import unicodedata
from collections.abc import Iterable

SOURCE_SUFFIXES = (".md", ".markdown")  # a link to one of these names a content file
EVERYONE = "all"  # the audience of everyone: in front matter and recipients files, and the
#                   key (and folder) of the company-wide newsletter edition
ALL_DATES = "all"  # the calendar feed with every kind of date (all.ics)
SITE = "site"  # the output unit holding the site; the newsletter's is newsletter/{week}
NEWSLETTER = "newsletter"  # the output folder of the newsletter weeks
MESSAGE = "message.eml"  # a newsletter edition's ready-to-send message


@functools.lru_cache(maxsize=8192)  # the same tags and titles are slugified again and again
def slugify(text: str) -> str:
    """Lowercase ASCII letters, digits and hyphens: safe in any path or URL."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def split_url(url: str) -> tuple[str, str]:
    """ "x/y.md#part" → ("x/y.md", "#part"); the query or fragment stays with the second."""
    cut = min((i for i in (url.find("#"), url.find("?")) if i >= 0), default=len(url))
    return url[:cut], url[cut:]


def edition_key(audiences: Iterable[str]) -> str:
    """ "all" for the company-wide newsletter edition, else the audience ids joined by "+"."""
    return "+".join(sorted(audiences)) or EVERYONE


def edition_label(lang: str, audiences: Iterable[str]) -> str:
    """How an edition is named to people: "es/all", "fr/managers+paris"."""
    return f"{lang}/{edition_key(audiences)}"


# Pages of one language's tree.


def home_page(lang: str) -> str:
    return f"{lang}/index.html"


def news_list_page(lang: str, number: int = 0) -> str:
    """es/news/index.html, the newest; its older pages counted from the oldest (see
    render/intranet.py, paginate): es/news/page/1/index.html, the oldest, page/2…"""
    return f"{lang}/news/index.html" if number == 0 else f"{lang}/news/page/{number}/index.html"


def news_archive_page(lang: str) -> str:
    return f"{lang}/news/archive/index.html"


def news_page(lang: str, slug: str) -> str:
    return f"{lang}/news/{slug}/index.html"


def content_page(lang: str, slug: str) -> str:
    """A page of content/pages/: es/pages/contactos/index.html."""
    return f"{lang}/pages/{slug}/index.html"


def tags_page(lang: str) -> str:
    return f"{lang}/tags/index.html"


def tag_page(lang: str, slug: str, number: int = 0) -> str:
    """es/tags/rrhh/index.html; its older pages, es/tags/rrhh/page/1/index.html… (as news_list_page)"""
    return f"{lang}/tags/{slug}/index.html" if number == 0 else f"{lang}/tags/{slug}/page/{number}/index.html"


def audience_page(lang: str, audience: str, number: int = 0) -> str:
    """es/audiences/madrid/index.html; its older pages, es/audiences/madrid/page/1/index.html…
    (as news_list_page)"""
    base = f"{lang}/audiences/{audience}"
    return f"{base}/index.html" if number == 0 else f"{base}/page/{number}/index.html"


def kudos_page(lang: str, group: str | None = None, ident: str | None = None) -> str:
    """es/kudos/index.html, or one value's or team's: es/kudos/value/cliente/index.html."""
    return f"{lang}/kudos/{group}/{ident}/index.html" if group else f"{lang}/kudos/index.html"


def certification_page(lang: str, slug: str | None = None) -> str:
    """es/certification/index.html, or one programme's: es/certification/iso-9001/index.html."""
    return f"{lang}/certification/{slug}/index.html" if slug else f"{lang}/certification/index.html"


def indicators_page(lang: str) -> str:
    return f"{lang}/indicators/index.html"


def calendar_page(lang: str, office: str | None = None, kind_filter: str | None = None) -> str:
    """es/calendar/index.html, es/calendar/madrid/index.html, es/calendar/madrid/paydays/index.html…"""
    return "/".join([lang, "calendar", *(p for p in (office, kind_filter) if p), "index.html"])


def newsletters_page(lang: str) -> str:
    """The newsletter archive: every week's issue."""
    return f"{lang}/newsletter/index.html"


def newsletter_page(lang: str, week: object, key: str = EVERYONE) -> str:
    """es/newsletter/2026-W48/index.html (company-wide), es/newsletter/2026-W48/madrid/index.html."""
    folder = f"{lang}/newsletter/{week}"
    return f"{folder}/index.html" if key == EVERYONE else f"{folder}/{key}/index.html"


# Files that are not pages.


def news_feed(lang: str) -> str:
    return f"{lang}/feed.xml"


def calendar_feed(lang: str, office: str | None, feed: str) -> str:
    """es/calendar/paydays.ics, es/calendar/madrid/all.ics…"""
    return f"{lang}/calendar/{office}/{feed}.ics" if office else f"{lang}/calendar/{feed}.ics"


ROOT_PAGES = ("index.html", "404.html")  # the language chooser and the not-found page
SITEMAP_FILE = "sitemap.xml"


def search_page(lang: str) -> str:
    return f"{lang}/search/index.html"


SEARCH_FOLDER = "pagefind"  # in the site: the search index's bundles, Pagefind's scripts and styles
_BUNDLES = f"{SITE}/{SEARCH_FOLDER}/"


def search_bundle_name(lang: str, number: int) -> str:
    """A bundle of the search index: its language's records, some of them ("es-3")."""
    return f"{lang}-{number}"


def bundles_in(names: Iterable[str], lang: str) -> tuple[str, ...]:
    """The bundles among `names` that hold `lang`'s records: what its search page merges."""
    return tuple(name for name in names if name.rsplit("-", 1)[0] == lang)


def search_bundle(path: str) -> str | None:
    """The folder of the search index bundle an output file is in ("site/pagefind/es-3/"),
    or None for a file outside the index."""
    if not path.startswith(_BUNDLES):
        return None
    end = path.find("/", len(_BUNDLES))
    return path[: end + 1] if end != -1 else None


PLAN_SLUG = "communication-plan"  # the generated page's slug among the standing pages


def plan_page(lang: str) -> str:
    """es/pages/communication-plan/index.html: the communication plan, generated."""
    return content_page(lang, PLAN_SLUG)


def trainings_page(lang: str) -> str:
    return f"{lang}/trainings/index.html"


def surveys_page(lang: str, slug: str | None = None) -> str:
    """es/surveys/index.html, or one survey's results: es/surveys/clima-2026/index.html."""
    return f"{lang}/surveys/{slug}/index.html" if slug else f"{lang}/surveys/index.html"


def board_page(lang: str, week: object, office: str) -> str:
    """es/board/2026-W48/madrid/index.html: the notice-board sheet of an office's week."""
    return f"{lang}/board/{week}/{office}/index.html"


def asset(rel: str) -> str:
    return f"assets/{rel}"


def media(rel: str) -> str:
    return f"media/{rel}"


# What templates call to link a page or file: `url(kudos_page(lang))`.
PATHS = {
    f.__name__: f
    for f in (
        home_page, news_list_page, news_archive_page, news_page, content_page, tags_page, tag_page,
        audience_page, kudos_page, certification_page, indicators_page, calendar_page,
        newsletters_page, newsletter_page, news_feed, calendar_feed, asset, media, search_page,
        surveys_page, board_page, trainings_page, plan_page,
    )
}  # fmt: skip


# Output paths: below the output folder, by publishing unit.


def site_output(path: str) -> str:
    """A site path → its output path: "es/index.html" → "site/es/index.html"."""
    return f"{SITE}/{path}"


def newsletter_folder(week: object, lang: str, key: str) -> str:
    """newsletter/2026-W48/es/madrid: email.html, email.txt and message.eml of one edition."""
    return f"{NEWSLETTER}/{week}/{lang}/{key}"


# Links between pages.


def pretty(path: str) -> str:
    """The public form of a page path: "es/news/index.html" → "es/news/"."""
    return path.removesuffix("index.html")


def relative_url(target: str, page_path: str) -> str:
    """A link from the page at `page_path` to `target`; both relative to the site root.

    The same answer as `posixpath.relpath` from the page's folder, computed by comparing
    folder names: a page has dozens of links and a site tens of thousands of pages."""
    if not (is_plain(target) and is_plain(page_path)):
        start = posixpath.dirname(page_path) or "."
        rel = posixpath.relpath(target, start)
    else:
        folders = page_path.split("/")[:-1]
        parts = target.rstrip("/").split("/")
        common = 0
        while common < len(folders) and common < len(parts) and folders[common] == parts[common]:
            common += 1
        rel = "/".join([".."] * (len(folders) - common) + parts[common:]) or "."
    return rel + "/" if target.endswith("/") and not rel.endswith("/") else rel


@functools.lru_cache(maxsize=1 << 16)  # the same pages and targets, dozens of times a page
def is_plain(path: str) -> bool:
    """A path relpath would not normalize: relative, no empty, "." or ".." segment."""
    trimmed = path.rstrip("/")
    if not trimmed or path.startswith("/") or path.endswith("//"):
        return False
    parts = trimmed.split("/")
    return "" not in parts and "." not in parts and ".." not in parts


def root_prefix(page_path: str) -> str:
    """ "../" repeated to climb from the page's folder to the site root ("" at the root)."""
    return "../" * page_path.count("/")
