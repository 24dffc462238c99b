"""The newsletter's plain-text version: 72-column lines, underlined headings, links as
numbered references listed at the end, dates in the reader's language."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

from babel.dates import format_date, format_skeleton

from generator.config import Config
from generator.i18n import load_translations
from generator.render.calendars import moved_note
from generator.render.charts import format_value
from generator.render.clock import time_span
from generator.rules.issue import Issue

WIDTH = 72


class _Text:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.links: list[str] = []

    def ref(self, url: str | None) -> str:
        """ " [n]" pointing at `url` in the list of links (the same URL keeps its number)."""
        if not url:
            return ""
        if url not in self.links:
            self.links.append(url)
        return f" [{self.links.index(url) + 1}]"

    def heading(self, text: str, underline: str = "-") -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")
        self.lines += [text, underline * min(len(text), WIDTH), ""]

    def para(self, text: str, indent: str = "") -> None:
        if text.strip():
            self.lines += textwrap.wrap(
                " ".join(text.split()),
                WIDTH,
                initial_indent=indent,
                subsequent_indent=" " * len(indent),
                break_long_words=False,
                break_on_hyphens=False,
            )

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")


def render_text(
    issue: Issue, config: Config, helpers: dict[str, Callable[..., Any]], heading: str, web_url: str | None
) -> str:
    _ = load_translations(issue.lang).gettext
    lang = issue.lang
    out = _Text()
    out.heading(config.title(lang), "=")
    out.para(heading)
    if web_url:
        out.para(_("View in your browser") + ":" + out.ref(web_url))

    for title, editions in ((_("Must read"), issue.must_read), (_("This week's news"), issue.news)):
        if not editions:
            continue
        out.heading(title)
        for edition in editions:
            item = edition.item
            out.para(item.title + out.ref(helpers["item_url"](edition)), "* ")
            meta = (
                f"{helpers['category_name'](item.category)} · {format_date(item.date, 'long', locale=lang)}"
            )
            if item.audience:
                meta += " · " + helpers["audience_names"](item.audience)
            out.para(meta, "  ")
            out.para(item.summary, "  ")
            if edition.fallback:
                out.para(_("Not yet translated"), "  ")
            out.blank()

    for title, entries in (
        (_("Holidays and pay dates"), issue.dates),
        (_("Events and trainings"), issue.events),
    ):
        if not entries:
            continue
        out.heading(title)
        for entry in entries:
            when = format_skeleton("MMMEd", entry.day, locale=lang)
            kind = helpers["kind_name"](entry.kind) + (", " + _("bonus") if entry.payment == "bonus" else "")
            text = f"{when}: {entry.title(lang)} ({kind})"
            if entry.offices:
                text += " · " + helpers["office_names"](entry.offices)
            if not entry.all_day:
                text += " · " + time_span(entry, lang, config, named=issue.office is None)
            out.para(text, "* ")
            if entry.moved_from:
                out.para(moved_note(entry, lang), "  ")
        out.blank()

    if issue.kudos:
        out.heading(_("Kudos"))
        for kudos in issue.kudos:
            value = config.values[kudos.value].name(lang)
            out.para(f"{', '.join(kudos.recipients)} · {value}", "* ")
            out.para(f"“{kudos.text}” — {kudos.sender}", "  ")
            out.blank()

    if issue.programmes:
        out.heading(_("Certification"))
        for news in issue.programmes:
            view = news.view
            line = f"{view.programme.standard}: " + _("%(percent)s%% complete") % {
                "percent": round(view.progress)
            }
            if news.change:
                line += ". " + _("+%(points)s points this week") % {"points": news.change}
                line += ": " + ", ".join(m.name for m in news.completed)
            out.para(line, "* ")
            if view.next_milestone:
                due = format_date(view.next_milestone.due, "long", locale=lang)
                out.para(f"{_('Next milestone:')} {view.next_milestone.name} ({due})", "  ")
            if view.next_audit:
                out.para(f"{_('Next audit:')} {format_date(view.next_audit.due, 'long', locale=lang)}", "  ")
        out.blank()

    if issue.indicators:
        out.heading(_("Indicators"))
        for indicator in issue.indicators:
            d, latest = indicator.definition, indicator.latest
            if latest is None:
                continue
            line = f"{d.title(lang)}: {format_value(latest.value, d.unit, d.decimals, lang)}"
            if indicator.trend == "better":
                line += " (" + _("better than the previous period") + ")"
            elif indicator.trend == "worse":
                line += " (" + _("worse than the previous period") + ")"
            if d.target is not None:
                line += ". " + _("Target: %(target)s") % {
                    "target": format_value(d.target, d.unit, d.decimals, lang)
                }
            out.para(line, "* ")
        out.blank()

    if not (issue.must_read or issue.news or issue.dates or issue.events or issue.kudos):
        out.blank()
        out.para(_("A quiet week: nothing new was published. The intranet has everything else."))

    out.blank()
    out.para(config.title(lang) + out.ref(f"{config.base_url}{lang}/"))
    out.blank()
    if out.links:
        out.lines.append(_("Links:"))
        out.lines += [f"[{n}] {url}" for n, url in enumerate(out.links, start=1)]
    return "\n".join(out.lines).rstrip() + "\n"
