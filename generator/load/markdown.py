"""Markdown → safe HTML: Python-Markdown, then nh3 with an explicit allow-list.

Raw HTML in a body is allowed only as far as the allow-list goes: no <script>,
no `on*` attributes, no `javascript:` URLs, no forms or frames. Links into the
site (`media/x.pdf`, `/media/x.pdf`) are stored relative to the site root with
the `SITE_ROOT` prefix and resolved per page when rendering.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import markdown
import nh3

from generator.model import SITE_ROOT

EXTENSIONS = ["extra", "toc", "sane_lists", "admonition", "smarty"]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "toc": {"permalink": False, "baselevel": 2},
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
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class Rendered:
    html: str
    text: str  # plain text, for summaries and search


def render_markdown(source: str) -> Rendered:
    """Markdown text → sanitized HTML plus its plain text; pure."""
    converter = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    raw = converter.convert(source)
    safe = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    safe = _URL_ATTR.sub(_mark_site_link, safe)
    text = html.unescape(nh3.clean(safe, tags=set(), clean_content_tags={"script", "style"}))
    return Rendered(safe, " ".join(text.split()))


def summarize(text: str, limit: int = 200) -> str:
    """The first sentences of `text`, cut at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def _mark_site_link(match: re.Match[str]) -> str:
    url = match.group("url")
    if not url or url.startswith(("#", "//")) or _SCHEME.match(url) or url.startswith("?"):
        return match.group(0)
    return f'{match.group("attr")}="{SITE_ROOT}{url.lstrip("/")}"'


def resolve_site_links(body: str, root: str) -> str:
    """Replace the site-root prefix with `root` (a relative "../../" or an absolute base URL)."""
    return body.replace(f'="{SITE_ROOT}', f'="{root}')
