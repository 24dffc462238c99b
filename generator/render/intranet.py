"""Views → the HTML pages of the intranet, one tree per language, all links relative."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from markupsafe import Markup

from generator.config import Config
from generator.errors import GeneratorError
from generator.model import Announcement, Kudos, MediaFile, OutputFile, Page, Programme
from generator.render.links import Links
from generator.render.paths import calendar_page, feed_path, news_page, newsletter_page, pretty
from generator.render.templates import Templates
from generator.resources import BUILTIN_TEMPLATES
from generator.rules.agenda import (
    FEEDS,
)
from generator.rules.views import LanguageView, News


@dataclass(frozen=True)
class PagePlan:
    """One HTML page to render: where, with which template, and what it is across languages."""

    path: str  # relative to the site root, always ending in .html
    template: str
    same_as: tuple[str, str]  # identifies "this page" in every language, for the switcher
    context: dict[str, Any] = field(default_factory=dict)
    source: str = "templates"
    alternates: tuple[tuple[str, str], ...] = ()  # real translations: (lang, path)
    item: Announcement | Page | Programme | None = None  # the content file the page shows

    @property
    def lang(self) -> str:
        return self.path.split("/", 1)[0]


def news_path(edition: News) -> str:
    return news_page(edition.lang, edition.item.slug)


HOME_KUDOS = 3


def plan_calendar(config: Config, view: LanguageView) -> Iterator[PagePlan]:
    lang = view.lang
    for dates in view.calendars:
        feeds = [(feed, feed_path(lang, dates.office, feed)) for feed in FEEDS]  # (feed name, path)
        yield PagePlan(
            calendar_page(lang, dates.office, dates.kind_filter),
            "site/calendar.html",
            ("calendar", f"{dates.office}/{dates.kind_filter}"),
            {"page": dates, "feeds": feeds},
            source="content/calendar",
        )


def plan_recognition(config: Config, view: LanguageView) -> Iterator[PagePlan]:
    """The kudos wall, its pages per value and per team, certification and indicators."""
    lang = view.lang
    by_value, by_team = view.kudos_by_value, view.kudos_by_team
    wall = {"by_value": by_value, "by_team": by_team}
    yield PagePlan(
        f"{lang}/kudos/index.html", "site/kudos.html", ("kudos", ""), {**wall, "kudos": view.kudos}
    )
    for group_kind, groups in (("value", by_value), ("team", by_team)):
        for group in groups:
            yield PagePlan(
                f"{lang}/kudos/{group_kind}/{group.id}/index.html",
                "site/kudos.html",
                ("kudos", f"{group_kind}/{group.id}"),
                {**wall, "kudos": group.kudos, "selected": (group_kind, group.id)},
            )
    yield PagePlan(
        f"{lang}/certification/index.html",
        "site/certification.html",
        ("certification", ""),
        {},
        "content/certification",
    )
    for programme in view.programmes:
        yield PagePlan(
            f"{lang}/certification/{programme.programme.slug}/index.html",
            "site/programme.html",
            ("programme", programme.programme.translation_key),
            {"programme": programme},
            source=programme.programme.source.as_posix(),
            item=programme.programme,
        )
    yield PagePlan(
        f"{lang}/indicators/index.html", "site/indicators.html", ("indicators", ""), {}, "content/metrics"
    )
    weeks = sorted({issue.week for issue in view.newsletters}, reverse=True)
    yield PagePlan(
        f"{lang}/newsletter/index.html",
        "site/newsletters.html",
        ("newsletters", ""),
        {"weeks": weeks},
        "content",
    )
    for issue in view.newsletters:
        yield PagePlan(
            newsletter_page(lang, issue.week, issue.key),
            "site/newsletter.html",
            ("newsletter", f"{issue.week}/{issue.key}"),
            {"issue": issue},
            source="content",
        )


def plan_language(config: Config, view: LanguageView) -> Iterator[PagePlan]:
    lang = view.lang
    yield PagePlan(
        f"{lang}/index.html",
        "site/home.html",
        ("home", ""),
        {
            "view": view,
            "calendar": view.home_dates,
            "kudos": view.kudos[:HOME_KUDOS],
            "certification": view.programmes,
            "indicators": view.indicators,
        },
    )
    yield from plan_calendar(config, view)
    yield from plan_recognition(config, view)

    per_page = config.news_per_page
    total = max(1, math.ceil(len(view.current) / per_page))
    for number in range(1, total + 1):
        path = f"{lang}/news/index.html" if number == 1 else f"{lang}/news/page/{number}/index.html"
        pager = {
            "number": number,
            "total": total,
            "previous": None if number == 1 else _news_page(lang, number - 1),
            "next": None if number == total else _news_page(lang, number + 1),
        }
        items = view.current[(number - 1) * per_page : number * per_page]
        yield PagePlan(path, "site/news_list.html", ("news", str(number)), {"items": items, "pager": pager})
    yield PagePlan(
        f"{lang}/news/archive/index.html",
        "site/archive.html",
        ("archive", ""),
        {"items": view.archived},
    )

    for edition in view.news:
        yield PagePlan(
            news_path(edition),
            "site/announcement.html",
            ("news-item", edition.key),
            {"edition": edition},
            source=edition.item.source.as_posix(),
            alternates=tuple((v.lang, f"{v.lang}/news/{v.slug}/index.html") for v in edition.versions),
            item=edition.item,
        )

    yield PagePlan(f"{lang}/tags/index.html", "site/tags.html", ("tags", ""), {"tags": view.tags})
    for tag in view.tags:
        yield PagePlan(f"{lang}/tags/{tag.slug}/index.html", "site/tag.html", ("tag", tag.slug), {"tag": tag})

    for audience, items in view.audiences.items():
        yield PagePlan(
            f"{lang}/audiences/{audience}/index.html",
            "site/audience.html",
            ("audience", audience),
            {"audience": config.audiences[audience], "items": items},
        )

    for page in view.pages:
        yield PagePlan(
            f"{lang}/pages/{page.item.slug}/index.html",
            "site/page.html",
            ("page", page.key),
            {"edition": page},
            source=page.item.source.as_posix(),
            alternates=tuple((v.lang, f"{v.lang}/pages/{v.slug}/index.html") for v in page.versions),
            item=page.item,
        )


def _news_page(lang: str, number: int) -> str:
    return f"{lang}/news/index.html" if number == 1 else f"{lang}/news/page/{number}/index.html"


def plan_site(config: Config, views: dict[str, LanguageView]) -> list[PagePlan]:
    return [plan for lang in config.languages for plan in plan_language(config, views[lang])]


def render_intranet(
    config: Config,
    views: dict[str, LanguageView],
    plans: list[PagePlan],
    templates: Templates,
    media: tuple[MediaFile, ...],
    links: Links,
    *,
    today: date,
) -> list[OutputFile]:
    """Every HTML page of every language, plus the root pages, styles and media."""
    by_identity = {(plan.path.split("/", 1)[0], plan.same_as): plan.path for plan in plans}
    files: list[OutputFile] = []
    for plan in plans:
        lang = plan.path.split("/", 1)[0]
        switcher = [
            (other, by_identity.get((other, plan.same_as), f"{other}/index.html"))
            for other in config.languages
        ]
        html = templates.render(
            plan.template,
            lang,
            plan.path,
            config=config,
            site_view=views[lang],
            today=today,
            switcher=switcher,
            canonical=config.base_url + pretty(plan.path),
            alternates=plan.alternates,
            base_url=config.base_url,
            links=links,
            **plan.context,
        )
        files.append(OutputFile(f"site/{plan.path}", html.encode(), plan.source))

    default = config.default_language
    assets = static_files(templates)
    stylesheet = next((f.copy_from for f in assets if f.path == "site/assets/style.css"), None)
    css = Markup(stylesheet.read_text(encoding="utf-8")) if stylesheet else Markup("")
    for name, template in (("index.html", "site/root.html"), ("404.html", "site/404.html")):
        html = templates.render(
            template, default, name, config=config, today=today, base_url=config.base_url, stylesheet=css
        )
        files.append(OutputFile(f"site/{name}", html.encode(), "templates"))
    files += assets
    files += [OutputFile(f"site/media/{m.rel_path}", b"", m.source.as_posix(), m.source) for m in media]
    return files


BodyItem = Announcement | Page | Programme | Kudos


def site_links(
    config: Config,
    views: dict[str, LanguageView],
    plans: list[PagePlan],
    templates: Templates,
    media: tuple[MediaFile, ...],
    content_dir: Path,
) -> tuple[Links, list[GeneratorError]]:
    """Where every body link of this build goes, and a warning for each that reaches nothing."""
    files = {
        *(plan.path for plan in plans),
        "index.html",
        "404.html",
        "sitemap.xml",
        *(f"{lang}/feed.xml" for lang in config.languages),
        *(
            feed_path(lang, office, feed)
            for lang in config.languages
            for office in (None, *config.offices)
            for feed in FEEDS
        ),
        *(f.path.removeprefix("site/") for f in static_files(templates)),
        *(f"media/{m.rel_path}" for m in media),
    }
    groups: dict[tuple[str, str], dict[str, str]] = {}
    sources: dict[str, dict[str, str]] = {}
    root = content_dir.resolve()
    for plan in plans:
        if plan.item is None:
            continue
        try:
            origin = plan.item.source.resolve().relative_to(root).as_posix()
        except ValueError:
            continue
        pages = groups.setdefault(plan.same_as, {})
        pages[plan.lang] = plan.path
        sources[origin] = pages
    links = Links(files, sources, config.languages, content_dir)
    checked: dict[Path, BodyItem] = {}
    for view in views.values():
        shown: list[BodyItem] = [
            *(e.item for e in view.news),
            *(e.item for e in view.pages),
            *view.kudos,
            *(p.programme for p in view.programmes),
        ]
        for item in shown:
            checked.setdefault(item.source, item)
    warnings = [
        problem for item in checked.values() for problem in links.problems(item.source, item.lang, item.links)
    ]
    return links, warnings


def static_files(templates: Templates) -> list[OutputFile]:
    """templates/site/assets/* (project first, then built-in) → site/assets/*."""
    found: dict[str, OutputFile] = {}
    for base in (templates.project_dir, BUILTIN_TEMPLATES):
        folder = base / "site" / "assets"
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if path.is_file() and rel not in found:
                found[rel] = OutputFile(f"site/assets/{rel}", b"", path.as_posix(), path)
    return [found[rel] for rel in sorted(found)]
