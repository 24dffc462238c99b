"""Markdown → safe HTML: Python-Markdown, then nh3 with an explicit allow-list.

Raw HTML in a body is allowed only as far as the allow-list goes: no <script>,
no `on*` attributes, no `javascript:` URLs, no forms or frames.

Links into the site are marked with the `SITE_ROOT` prefix and resolved when a page
is rendered (render/links.py), since only then is every page's file known: a path
from the site root as written (`/es/pages/contactos/`, `media/x.pdf`), or, for a link
to another content file (`../pages/contactos.md`, `x.md`, `../media/x.pdf`), its
path inside content/ after "content:". Each link is also listed with its line.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

import markdown
import nh3

from generator.cache import Store, code_digest, digest
from generator.load.inline import guard
from generator.model import CONTENT_REF, SITE_ROOT, BodyLink
from generator.urls import SOURCE_SUFFIXES, split_url

EXTENSIONS = ["extra", "toc", "sane_lists", "admonition", "smarty"]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "toc": {"permalink": False},
    "smarty": {"smart_angled_quotes": False},
}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
    "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "time", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"id", "title", "lang", "dir"},
    "a": {"href", "hreflang"},
    "abbr": {"title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "type"},
    "time": {"datetime"},
    "div": {"class"},
    "p": {"class"},
    "sup": {"class"},
    "li": {"class"},
    "code": {"class"},
    "span": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
_URL_ATTR = re.compile(r'(?P<attr>\s(?:href|src))="(?P<url>[^"]*)"')
_TAG = re.compile(r"<(?P<name>a|img)\b(?P<attrs>[^>]*)>")
_ALT = re.compile(r'\salt="(?P<alt>[^"]*)"')
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


_LOCAL = threading.local()


def _converter() -> markdown.Markdown:
    """This thread's converter: built once (loading the extensions costs more than a short
    document), reset before each document."""
    converter: markdown.Markdown | None = getattr(_LOCAL, "converter", None)
    if converter is None:
        converter = _LOCAL.converter = guard(
            markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
        )
    return converter


@dataclass(frozen=True)
class Rendered:
    html: str
    text: str  # plain text, for summaries and search
    links: tuple[BodyLink, ...] = ()


Markdown = Callable[[str, str, int], Rendered]  # render_markdown, or a cached one


class CachedMarkdown:
    """render_markdown through a cache.Store: a body renders once, until its text, its
    place (links are read against it), the renderer's settings or the code change."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._settings = digest(
            repr((EXTENSIONS, EXTENSION_CONFIGS, sorted(ALLOWED_TAGS))),
            repr(sorted((tag, sorted(names)) for tag, names in ALLOWED_ATTRIBUTES.items())),
            repr(sorted(URL_SCHEMES)),
            version("markdown"),
            version("nh3"),
            code_digest(),
        )

    def __call__(self, source: str, origin: str = "", first_line: int = 1) -> Rendered:
        key = digest(self._settings, origin, str(first_line), source)
        found = self.store.get(key)
        if found is not None:
            saved = json.loads(found.decode("utf-8"))
            return Rendered(saved["html"], saved["text"], tuple(BodyLink(**link) for link in saved["links"]))
        rendered = render_markdown(source, origin, first_line)
        saved = {
            "html": rendered.html,
            "text": rendered.text,
            "links": [link._asdict() for link in rendered.links],
        }
        self.store.put(key, json.dumps(saved, ensure_ascii=False).encode("utf-8"))
        return rendered


# Shapes of text the Markdown reader (Python-Markdown) handles badly: lists and quotes
# nested deeper than its recursion allows, and paragraphs full of [ and < signs, whose
# reading time grows with the square of their number (4,000 in one paragraph: ~2 s).
MAX_NESTING = 50
MAX_BRACKET_WORK = 4_000_000  # the sum, over paragraphs, of the square of their [ and < signs
_CONTAINER = re.compile(r"[ \t]*(?:>|[*+-](?=[ \t])|\d{1,9}[.)](?=[ \t]))")

_DEEP_START = re.compile(rf"^[ \t>*+\-\d.)]{{{MAX_NESTING + 1},}}", re.MULTILINE)  # may be deep


def shape_problem(text: str) -> tuple[str, str, int] | None:
    """(problem, hint, line) when `text` (a whole file: front matter is plain lines to
    this) is shaped so that reading it would exhaust the reader; None for real writing."""
    signs_at_most = text.count("[") + text.count("<")
    if signs_at_most * signs_at_most <= MAX_BRACKET_WORK and not _DEEP_START.search(text):
        return None  # the usual case, at C speed: too few signs, and no line starts deep
    work = 0
    signs, start, worst = 0, 1, (0, 1)
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            work += signs * signs
            signs, start = 0, number + 1
            continue
        indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))
        depth, position = indent // 4, 0
        while found := _CONTAINER.match(line, position):
            depth, position = depth + 1, found.end()
        if depth > MAX_NESTING:
            return (
                f"this line is nested more than {MAX_NESTING} lists, quotes or indents deep",
                "flatten the list",
                number,
            )
        signs += line.count("[") + line.count("<") - line.count("\\[") - line.count("\\<")
        worst = max(worst, (signs, start))
    work += signs * signs
    if work > MAX_BRACKET_WORK:
        return (
            f"the text holds too many [ and < signs in its paragraphs (this one has {worst[0]:,})",
            "split long paragraphs, or write \\[ and \\< for the signs themselves",
            worst[1],
        )
    return None


def render_markdown(source: str, origin: str = "", first_line: int = 1) -> Rendered:
    """Markdown text → sanitized HTML, its plain text and its links; pure.

    `origin` is the document's path inside content/ ("announcements/x.md"), against
    which relative links to content files are read; `first_line` is the file's line
    where `source` starts, so each link knows its line."""
    raw = _headings_from_h2(_converter().reset().convert(source))
    safe = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    text = html.unescape(nh3.clean(safe, tags=set(), clean_content_tags={"script", "style"}))
    # A wide table scrolls on its own, and a keyboard can reach it to scroll it.
    safe = re.sub(r"<table>(.*?)</table>", _scroll_table, safe, flags=re.S)
    links = tuple(_links(safe, source, origin, first_line))
    safe = _URL_ATTR.sub(lambda match: _mark_site_link(match, origin), safe)
    return Rendered(safe, " ".join(text.split()), links)


def _scroll_table(match: re.Match[str]) -> str:
    return f'<div class="table-scroll" tabindex="0">{match.group(0)}</div>'


_HEADING = re.compile(r"<(/?)h([1-6])\b")


def _headings_from_h2(body: str) -> str:
    """Shift the body's headings so its highest is an h2: the page's title is its only h1,
    and a body that starts at "###" does not skip levels under it."""
    levels = [int(level) for _, level in _HEADING.findall(body)]
    if not levels or min(levels) == 2:
        return body
    shift = 2 - min(levels)
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}", body)


def text_digest(title: str, html: str) -> str:
    """The digest of an item's title and body, kept with it: search keys its bundles by
    it, so a change of settings that leaves the texts alone re-indexes nothing."""
    return digest("text", title, html)


def summarize(text: str, limit: int = 200) -> str:
    """The first sentences of `text`, cut at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def is_site_link(url: str) -> bool:
    """A link into this site: not external, not mail, not a jump within the page."""
    return bool(url) and not url.startswith(("#", "//", "?")) and not _SCHEME.match(url)


def site_target(url: str, origin: str) -> str:
    """What a site link's marker holds (see the module's docstring)."""
    path, suffix = split_url(url)
    if path.startswith("/") or not origin:
        return url
    if path.lower().endswith(SOURCE_SUFFIXES) or path.startswith(("./", "../")):
        return CONTENT_REF + posixpath.normpath(posixpath.join(posixpath.dirname(origin), path)) + suffix
    return url


def _mark_site_link(match: re.Match[str], origin: str) -> str:
    url = html.unescape(match.group("url"))
    if not is_site_link(url):
        return match.group(0)
    return f'{match.group("attr")}="{SITE_ROOT}{html.escape(site_target(url, origin))}"'


def _links(safe: str, source: str, origin: str, first_line: int) -> list[BodyLink]:
    """Every link and picture of the sanitized body, with the line it was written on."""
    lines = source.split("\n")
    found = []
    searched_from = 0
    for tag in _TAG.finditer(safe):
        attrs = tag.group("attrs")
        image = tag.group("name") == "img"
        url_match = re.search(r'\s(?:src|href)="([^"]*)"', attrs)
        if url_match is None:
            continue
        url = html.unescape(url_match.group(1))
        alt = _ALT.search(attrs)
        line = _line_of(url, lines, searched_from)
        searched_from = line
        found.append(
            BodyLink(
                written=url,
                target=site_target(url, origin) if is_site_link(url) else "",
                line=first_line + line,
                image=image,
                alt=html.unescape(alt.group("alt")) if alt else None,
            )
        )
    return found


def _line_of(url: str, lines: list[str], start: int) -> int:
    """The 0-based line where `url` is written, searching from `start` (links come in order)."""
    order: list[int] = [*range(start, len(lines)), *range(start)]
    return next((n for n in order if url in lines[n] or html.escape(url) in lines[n]), start)
