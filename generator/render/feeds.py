"""Atom feeds (one per language) and sitemap.xml with hreflang alternates.

XML is built with ElementTree so every value is escaped (the sitemap, written page by
page, escapes as it does); dates come from the content, never from the clock, so two
builds give the same bytes.
"""

from __future__ import annotations

from datetime import date, datetime, time
from html import escape as html_escape
from xml.etree import ElementTree as ET

from generator.cache import Previous, code_digest, digest
from generator.config import Config
from generator.model import OutputFile
from generator.render.intranet import PagePlan, news_path
from generator.render.links import Links
from generator.rules.views import LanguageView
from generator.urls import SITEMAP_FILE, news_feed, pretty, site_output

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ET.register_namespace("", ATOM)
ET.register_namespace("xhtml", XHTML)


def _instant(day: date, config: Config) -> str:
    return datetime.combine(day, time(0), tzinfo=config.tz).isoformat()


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def render_atom_feed(config: Config, view: LanguageView, links: Links, today: date) -> OutputFile:
    """The language's Atom feed: its current announcements, newest first."""
    lang, base = view.lang, config.base_url
    entries = [e for e in view.current if not e.item.draft][: config.feed_entries]  # drafts: never
    a = f"{{{ATOM}}}"
    feed = ET.Element(f"{a}feed", {XML_LANG: lang})
    _sub(feed, f"{a}title", config.title(lang))
    _sub(feed, f"{a}id", f"{base}{lang}/")
    _sub(feed, f"{a}link", rel="self", type="application/atom+xml", href=f"{base}{lang}/feed.xml")
    _sub(feed, f"{a}link", rel="alternate", type="text/html", href=f"{base}{lang}/")
    newest = max((e.item.date for e in entries), default=today)
    _sub(feed, f"{a}updated", _instant(newest, config))
    if config.organisation:
        _sub(_sub(feed, f"{a}author"), f"{a}name", config.organisation)
    for localized in entries:
        item = localized.item
        url = base + pretty(news_path(localized))
        entry = _sub(feed, f"{a}entry", **({XML_LANG: item.lang} if localized.fallback else {}))
        _sub(entry, f"{a}title", item.title)
        _sub(entry, f"{a}id", url)
        _sub(entry, f"{a}link", rel="alternate", type="text/html", href=url)
        _sub(entry, f"{a}published", _instant(item.date, config))
        _sub(entry, f"{a}updated", _instant(item.date, config))
        if item.author:
            _sub(_sub(entry, f"{a}author"), f"{a}name", item.author)
        _sub(entry, f"{a}category", term=item.category)
        for tag in item.tags:
            _sub(entry, f"{a}category", term=tag)
        _sub(entry, f"{a}summary", item.summary)
        _sub(entry, f"{a}content", links.absolute_body(item.body_html, base, lang), type="html")
    return OutputFile(site_output(news_feed(lang)), _xml(feed), "content/announcements")


def render_sitemap(config: Config, plans: list[PagePlan], previous: Previous | None = None) -> OutputFile:
    """Every page with its language alternates (hreflang), for intranet search crawlers;
    the published one kept while the pages and their alternates are the same."""
    base = config.base_url
    entries = _sitemap_entries(config, plans)
    out = site_output(SITEMAP_FILE)
    key = digest("sitemap", code_digest(), base, repr(entries))
    kept = previous.reusable(out, key) if previous is not None else None
    if isinstance(kept, str):
        return OutputFile(out, b"", "content", kept, key)
    if kept is not None:
        return OutputFile(out, kept, "content", None, key)
    return OutputFile(out, sitemap_xml(base, config.default_language, entries), "content", None, key)


def sitemap_xml(base: str, default_language: str, entries: list[tuple[str, list[tuple[str, str]]]]) -> bytes:
    """The sitemap's XML, written page by page: the same bytes as ElementTree's, indented
    (tested), without holding a tree of every page and its alternates (some 30 MB at
    10,000 announcements)."""
    linked = any(len(alternates) >= 2 for _, alternates in entries)
    root = f'<ns0:urlset xmlns:ns0="{SITEMAP_NS}"' + (f' xmlns:xhtml="{XHTML}"' if linked else "")
    if not entries:
        return f"{_DECLARATION}{root} />\n".encode()
    out = [_DECLARATION, root, ">\n"]
    for path, alternates in entries:
        loc = _text(base + pretty(path))
        out.append("  <ns0:url>\n" + (f"    <ns0:loc>{loc}</ns0:loc>\n" if loc else "    <ns0:loc />\n"))
        if len(alternates) >= 2:
            default = dict(alternates).get(default_language, alternates[0][1])
            for lang, other in [*alternates, ("x-default", default)]:
                out.append(
                    f'    <xhtml:link rel="alternate" hreflang="{_attribute(lang)}" '
                    f'href="{_attribute(base + pretty(other))}" />\n'
                )
        out.append("  </ns0:url>\n")
    out.append("</ns0:urlset>\n")
    return "".join(out).encode()


_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
_IN_ATTRIBUTES = {'"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#09;"}  # as ElementTree writes them


def _text(value: str) -> str:
    """XML text as ElementTree writes it (&, < and >; what xml.sax.saxutils.escape does,
    without the 10 ms of every build that importing it costs: it imports urllib.request)."""
    return html_escape(value, quote=False)


def _attribute(value: str) -> str:
    value = _text(value)
    for character, entity in _IN_ATTRIBUTES.items():
        value = value.replace(character, entity)
    return value


def _sitemap_entries(config: Config, plans: list[PagePlan]) -> list[tuple[str, list[tuple[str, str]]]]:
    """(page, its translations) of each page a sitemap lists, by path: no draft, and no
    alternates for a fallback page (it is not one of the story's translations)."""
    same_page = {(plan.lang, plan.same_as): plan.path for plan in plans}
    found = []
    for plan in sorted(plans, key=lambda p: p.path):
        if getattr(plan.item, "draft", False):
            continue  # a draft is previewed with --drafts, never announced
        if plan.alternates:
            alternates = list(plan.alternates)
            if plan.path not in {path for _, path in alternates}:
                alternates = []
        else:
            alternates = [
                (lang, same_page[(lang, plan.same_as)])
                for lang in config.languages
                if (lang, plan.same_as) in same_page
            ]
        found.append((plan.path, alternates))
    return found


def render_feeds(
    config: Config,
    views: dict[str, LanguageView],
    plans: list[PagePlan],
    links: Links,
    today: date,
    previous: Previous | None = None,
) -> list[OutputFile]:
    return [
        *(render_atom_feed(config, views[lang], links, today) for lang in config.languages),
        render_sitemap(config, plans, previous),
    ]
