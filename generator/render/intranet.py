"""Views → the HTML pages of the intranet, one tree per language, all links relative."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import operator
import pickle
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from markupsafe import Markup

from generator.cache import Fingerprints, Memo, Previous, Spool, Store, code_digest, digest, tree_key
from generator.config import Config
from generator.errors import GeneratorError
from generator.model import Announcement, Kudos, MediaFile, OutputFile, Page, Picture, Programme
from generator.parallel import map_chunks
from generator.render.contents import Kept, Place
from generator.render.links import Changes, LinkQuestions, Links, LinkState, Questions
from generator.render.templates import Templates
from generator.resources import BUILTIN_TEMPLATES
from generator.rules.agenda import (
    FEEDS,
)
from generator.rules.localize import Localized
from generator.rules.views import LanguageView, News
from generator.rules.weeks import IsoWeek
from generator.urls import (
    ROOT_PAGES,
    SITEMAP_FILE,
    asset,
    audience_page,
    bundles_in,
    calendar_feed,
    calendar_page,
    certification_page,
    content_page,
    home_page,
    indicators_page,
    kudos_page,
    media,
    news_archive_page,
    news_feed,
    news_list_page,
    news_page,
    newsletter_page,
    newsletters_page,
    plan_page,
    pretty,
    search_page,
    site_output,
    surveys_page,
    tag_page,
    tags_page,
    trainings_page,
)


class PagePlan(NamedTuple):
    """One HTML page to render: where, with which template, and what it is across
    languages. A named tuple, like model.OutputFile: a build plans every page of the site
    (28,600 at 10,000 announcements), in 0.025 s so and 0.062 s as frozen dataclasses."""

    lang: str  # the language the page is written in
    path: str  # relative to the site root, always ending in .html
    template: str
    same_as: tuple[str, str]  # identifies "this page" in every language, for the switcher
    context: dict[str, Any]  # never changed once planned
    source: str = "templates"  # what the page is made from: with an `item`, its file (as_posix)
    alternates: tuple[tuple[str, str], ...] = ()  # real translations: (lang, path)
    item: Announcement | Page | Programme | None = None  # the content file the page shows


T = TypeVar("T")

# a page's bytes, or where the spool keeps them (a file, their digest, and in a pack their
# start and length)
Rendered = bytes | tuple[str, str, tuple[int, int] | None]
Made = Rendered | str  # or, for a page published before from the same inputs, the file holding it


def news_path(localized: News) -> str:
    return news_page(localized.lang, localized.item.slug)


HOME_KUDOS = 3
SERIAL_PAGES = 100  # pages a build renders in this process before it turns to the cores


def plan_calendar(config: Config, view: LanguageView) -> Iterator[PagePlan]:
    lang = view.lang
    for dates in view.calendars:
        feeds = [(feed, calendar_feed(lang, dates.office, feed)) for feed in FEEDS]  # (feed name, path)
        yield PagePlan(
            lang,
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
    yield PagePlan(lang, kudos_page(lang), "site/kudos.html", ("kudos", ""), {**wall, "kudos": view.kudos})
    for group_kind, groups in (("value", by_value), ("team", by_team)):
        for group in groups:
            yield PagePlan(
                lang,
                kudos_page(lang, group_kind, group.id),
                "site/kudos.html",
                ("kudos", f"{group_kind}/{group.id}"),
                {**wall, "kudos": group.kudos, "selected": (group_kind, group.id)},
            )
    yield PagePlan(
        lang,
        certification_page(lang),
        "site/certification.html",
        ("certification", ""),
        {},
        "content/certification",
    )
    for programme in view.programmes:
        yield PagePlan(
            lang,
            certification_page(lang, programme.programme.slug),
            "site/programme.html",
            ("programme", programme.programme.translation_key),
            {"programme": programme},
            source=programme.programme.source.as_posix(),
            item=programme.programme,
        )
    yield PagePlan(
        lang, indicators_page(lang), "site/indicators.html", ("indicators", ""), {}, "content/metrics"
    )
    weeks = sorted({issue.week for issue in view.newsletters}, reverse=True)
    yield PagePlan(
        lang,
        newsletters_page(lang),
        "site/newsletters.html",
        ("newsletters", ""),
        {"weeks": weeks},
        "content",
    )
    for issue in view.newsletters:
        yield PagePlan(
            lang,
            newsletter_page(lang, issue.week, issue.key),
            "site/newsletter.html",
            ("newsletter", f"{issue.week}/{issue.key}"),
            {"issue": issue},
            source="content",
        )


def paginate(
    items: tuple[T, ...], per_page: int, path: Callable[[int], str]
) -> Iterator[tuple[int, tuple[T, ...], dict[str, Any]]]:
    """A list, newest first, cut into pages that stay put as it grows: the first page
    (number 0) holds the newest `per_page`; the rest are counted from the oldest, page 1
    holding the oldest `per_page`, page 2 the next, and the newest of them whatever is
    left (1 to `per_page`). A new item changes the first page and the newest of the
    others, never the pages older than those: their addresses keep their items (links
    and bookmarks hold), and a build renders two pages of a list (three when a page
    begins: the one before links to it), not all, and a publish rewrites those. Each
    page's number, its items and its pager (its own path, the paths of the newer and
    the older page beside it)."""
    total = len(items)
    older = max(0, math.ceil((total - per_page) / per_page))
    numbers = [0, *range(older, 0, -1)]  # newest first, as a reader pages through them
    for place, number in enumerate(numbers):
        end = per_page if number == 0 else total - (number - 1) * per_page
        shown = items[max(per_page, total - number * per_page) if number else 0 : end]
        pager = {
            "path": path(number),
            "number": number,
            "previous": None if place == 0 else path(numbers[place - 1]),
            "next": None if place == len(numbers) - 1 else path(numbers[place + 1]),
        }
        yield number, shown, pager


def plan_language(
    config: Config,
    view: LanguageView,
    bundles: tuple[str, ...] = (),
    memo: Memo | None = None,
    shared: ItemParts | None = None,
) -> Iterator[PagePlan]:
    """Every page of one language's site; with the live preview's `memo`, an announcement
    shown as at the last rebuild keeps its plan (see cache.Memo). `shared`: what the
    pages of one story have in common across the languages, when plan_site plans them all."""
    lang = view.lang
    shared = shared if shared is not None else ItemParts()
    story_plan = partial(news_plan, shared=shared)
    yield PagePlan(
        lang,
        home_page(lang),
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

    for number, items, pager in paginate(view.current, config.news_per_page, partial(news_list_page, lang)):
        context = {"items": items, "pager": pager}
        yield PagePlan(lang, pager["path"], "site/news_list.html", ("news", str(number or "")), context)
    yield PagePlan(
        lang,
        news_archive_page(lang),
        "site/archive.html",
        ("archive", ""),
        {"items": view.archived},
    )

    if memo is None:
        yield from map(story_plan, view.news)
    else:
        yield from memo.apply_all(("news plans", lang), story_plan, view.news)

    yield PagePlan(lang, tags_page(lang), "site/tags.html", ("tags", ""), {"tags": view.tags})
    per_page = config.list_per_page
    for tag in view.tags:
        for number, items, pager in paginate(tag.news, per_page, partial(tag_page, lang, tag.slug)):
            shown = replace(tag, news=items)  # the page's own: its key counts only them
            same_as = ("tag", f"{tag.slug}/{number}" if number else tag.slug)
            yield PagePlan(lang, pager["path"], "site/tag.html", same_as, {"tag": shown, "pager": pager})

    for audience, listed in view.audiences.items():
        for number, items, pager in paginate(listed, per_page, partial(audience_page, lang, audience)):
            yield PagePlan(
                lang,
                pager["path"],
                "site/audience.html",
                ("audience", f"{audience}/{number}" if number else audience),
                {"audience": config.audiences[audience], "items": items, "pager": pager},
            )

    if view.plan:
        yield PagePlan(
            lang, plan_page(lang), "site/communication_plan.html", ("plan", ""), {"plan": view.plan}
        )
    if view.trainings:
        yield PagePlan(
            lang, trainings_page(lang), "site/trainings.html", ("trainings", ""), {"courses": view.trainings}
        )
    if view.surveys:
        yield PagePlan(
            lang, surveys_page(lang), "site/surveys.html", ("surveys", ""), {"surveys": view.surveys}
        )
    for result in view.surveys:
        yield PagePlan(
            lang,
            surveys_page(lang, result.survey.slug),
            "site/survey.html",
            ("survey", result.survey.slug),
            {"result": result},
            source=result.survey.source.as_posix(),
        )

    searched = bundles_in(bundles, lang)
    if searched and view.searchable:  # something to search, in these index bundles
        context = {"bundles": searched, "interface": bundles[0]}  # see indexer.INTERFACE
        yield PagePlan(lang, search_page(lang), "site/search.html", ("search", ""), context)

    for page in view.pages:
        yield page_plan(page, shared)


class ItemParts:
    """What the pages of one story share in every language it is shown under, worked out
    for the first: its file's path (a fallback shows the same item) and its versions'
    paths (one tuple of versions for all its languages). At 10,000 announcements, 24,500
    pages of 10,000 stories; kept by identity, as long as the plans' views hold them."""

    def __init__(self) -> None:
        self._sources: dict[int, tuple[object, str]] = {}
        self._alternates: dict[int, tuple[object, tuple[tuple[str, str], ...]]] = {}

    def source(self, item: Announcement | Page) -> str:
        known = self._sources.get(id(item))
        if known is None or known[0] is not item:
            known = self._sources[id(item)] = (item, item.source.as_posix())
        return known[1]

    def alternates(
        self, versions: tuple[Announcement | Page, ...], path_of: Callable[[str, str], str]
    ) -> tuple[tuple[str, str], ...]:
        known = self._alternates.get(id(versions))
        if known is None or known[0] is not versions:
            paths = tuple((v.lang, path_of(v.lang, v.slug)) for v in versions)
            known = self._alternates[id(versions)] = (versions, paths)
        return known[1]


def news_plan(localized: News, shared: ItemParts | None = None) -> PagePlan:
    """An announcement's page in the language it is shown under."""
    return _item_plan(localized, news_page, "site/announcement.html", "news-item", shared or ItemParts())


def page_plan(localized: Localized[Page], shared: ItemParts | None = None) -> PagePlan:
    """A standing page in the language it is shown under."""
    return _item_plan(localized, content_page, "site/page.html", "page", shared or ItemParts())


def _item_plan(
    localized: News | Localized[Page],
    path_of: Callable[[str, str], str],
    template: str,
    kind: str,
    shared: ItemParts,
) -> PagePlan:
    item = localized.item
    return PagePlan(
        localized.lang,
        path_of(localized.lang, item.slug),
        template,
        (kind, item.translation_key),
        {"localized": localized},
        shared.source(item),
        shared.alternates(localized.versions, path_of),
        item,
    )


def plan_site(
    config: Config,
    views: dict[str, LanguageView],
    bundles: tuple[str, ...] = (),
    boards: Sequence[tuple[IsoWeek, str]] = (),
    memo: Memo | None = None,
) -> list[PagePlan]:
    """Every page of the site; `bundles`: the search index's (see indexer.shards);
    `boards`: the notice-board sheets' weeks and paper sizes (render/board.py); `memo`:
    the live preview's (see plan_language)."""
    from generator.render.board import plan_boards  # it plans with PagePlan, defined here

    shared = ItemParts()
    plans = [
        plan
        for lang in config.languages
        for plan in plan_language(config, views[lang], bundles, memo, shared)
    ]
    return plans + list(plan_boards(config, views, boards))


@dataclass(frozen=True)
class PageRenderer:
    """What every page of one build renders with; `render(plan)` makes one page."""

    config: Config
    views: dict[str, LanguageView]
    templates: Templates
    links: Links
    today: date
    by_identity: dict[tuple[str, tuple[str, str]], str]  # (language, same_as) → the page's path

    @classmethod
    def of(
        cls,
        config: Config,
        views: dict[str, LanguageView],
        plans: Sequence[PagePlan],
        templates: Templates,
        links: Links,
        today: date,
        shape: SiteShape | None = None,
    ) -> PageRenderer:
        """`shape`: the plans' (site_shape), when it was worked out already."""
        by_identity = (shape or site_shape(plans)).by_identity
        return cls(config, views, templates, links, today, by_identity)

    def switcher(self, plan: PagePlan) -> list[tuple[str, str]]:
        """The page in each language: itself where it exists, else that language's home."""
        return [
            (other, self.by_identity.get((other, plan.same_as), home_page(other)))
            for other in self.config.languages
        ]

    def render(self, plan: PagePlan, switcher: list[tuple[str, str]] | None = None) -> bytes:
        return self.templates.render(
            plan.template, plan.lang, plan.path, **self._context(plan, switcher)
        ).encode()

    def render_page(self, plan: PagePlan, block: str | None) -> tuple[str, Place | None]:
        """The page's text, its template's block being apart from its frame
        (render/contents.py): with `block`, that text stands for the block; without, the
        block's place in the page when it is found."""
        context = self._context(plan, None)
        return self.templates.render_page(plan.template, plan.lang, plan.path, block, **context)

    def _context(self, plan: PagePlan, switcher: list[tuple[str, str]] | None) -> dict[str, Any]:
        config = self.config
        return dict(
            config=config,
            site_view=self.views[plan.lang],
            today=self.today,
            switcher=switcher if switcher is not None else self.switcher(plan),
            canonical=config.base_url + pretty(plan.path),
            alternates=plan.alternates,
            base_url=config.base_url,
            links=self.links,
            **plan.context,
        )


@dataclass
class PageContents:
    """Where each page's block was in the page as published (render/contents.py), as the
    last build of the same tree that rendered its pages in number found it (`load`), and
    as this one finds it (`found`, once it renders them in number: a frame's edit)."""

    load: Callable[[], Mapping[str, Kept]]
    found: dict[str, Kept] | None = None


def render_intranet(
    config: Config,
    views: dict[str, LanguageView],
    plans: list[PagePlan],
    templates: Templates,
    media_files: tuple[MediaFile, ...],
    links: Links,
    *,
    today: date,
    previous: Previous | None = None,
    fingerprints: Fingerprints | None = None,
    spool: Spool | None = None,
    shape: SiteShape | None = None,
    questions: LinkQuestions | None = None,
    contents: PageContents | None = None,
) -> list[OutputFile]:
    """Every HTML page of every language, plus the root pages, styles and media.

    A page whose inputs (its context, and what every page reads: settings, templates,
    code, today and the parts of the language's view the templates use) have the digest
    they had in the `previous` build, and whose questions to the links (where its body
    links go, which pictures have sizes: `questions`, what each page asked when it was
    last rendered) have the same answers, keeps its published bytes unrendered. So a new
    story does not render every page again, as a digest of the whole site's links did.
    `questions` is brought up to date for the next build. With a `spool`, rendered pages
    wait in its files instead of memory. `shape`: the plans' (site_shape), when it was
    worked out already. With `contents`, a build that renders its pages in number (a
    frame's edit) takes each page's block from its published page where only its frame
    changed, and finds where each block is for the next (render/contents.py)."""
    renderer = PageRenderer.of(config, views, plans, templates, links, today, shape)
    fingerprints = fingerprints or Fingerprints()
    shared = _shared_keys(config, views, plans, templates, today, fingerprints)
    switchers: dict[tuple[str, str], str] = {}  # by `same_as`: the language switcher's repr
    # the alternates' repr, by identity: a story's pages in every language share them
    alternates: dict[int, tuple[object, str]] = {}
    before = questions.pages if questions is not None else {}
    # Links made of the very same files as then answer every question as then: the
    # answers' digests kept are used (at 10,000 announcements, 24,000 questions spared).
    # Otherwise (a new story, a file gone) only a page that asked what changed has its
    # questions answered again.
    same_links = questions is not None and questions.links == links.fingerprint
    # what each page asked is known (a block taken from a page must answer as it did then)
    asked_known = questions is not None and bool(questions.links)
    changes = None if same_links or questions is None else links.changes(questions.state)
    if questions is not None:
        questions.state = links.state()  # the earlier one is let go: `changes` holds what differs
    asked_now: dict[str, tuple[Questions, str]] = {}

    def answered(key: str, path: str) -> tuple[str, Questions, str]:
        """A page's key with the answers to what it asked when last rendered (most pages
        ask nothing), what it asked, and the answers' digest."""
        asked, then = before.get(path, ("", ""))
        if not asked:
            return key, "", ""
        kept = same_links or (changes is not None and not changes.touches_any(asked))
        answers = then if kept else links.answers(asked)
        return digest(key, answers), asked, answers

    def own_key(plan: PagePlan) -> str:
        """The digest of what a page reads besides what every page of its template and
        language reads (`shared`)."""
        switcher = switchers.get(plan.same_as)
        if switcher is None:  # the same for the page in every language
            switcher = switchers[plan.same_as] = repr(renderer.switcher(plan))  # pairs of texts
        known = alternates.get(id(plan.alternates))
        if known is None or known[0] is not plan.alternates:
            known = alternates[id(plan.alternates)] = (plan.alternates, repr(plan.alternates))
        return digest(
            plan.path, switcher, known[1], *_context_parts(plan, views[plan.lang], templates, fingerprints)
        )

    def key_of(plan: PagePlan) -> str:
        return digest(shared[(plan.lang, plan.template)], own_key(plan))

    content_keys: dict[tuple[str, str], str] = {}  # as `shared`, for the templates' side (apart)
    kept_contents: Mapping[str, Kept] = {}

    def made(part: Sequence[PagePlan]) -> list[tuple[str, Questions, str, Made, Kept | bool]]:
        """Each page's key, its questions to the links and their answers' digest, its
        bytes (published before from the same inputs, where they are, or themselves; or
        rendered now, in the spool, or themselves), and where its block is: what was
        kept (True, for a page not rendered), or what this rendering found (False: none)."""
        found: list[tuple[str, Questions, str, Made, Kept | bool]] = []
        for plan in part:
            own = own_key(plan)
            key = digest(shared[(plan.lang, plan.template)], own)
            output = site_output(plan.path)
            done, asked, answers = answered(key, plan.path)
            kept = previous.reusable(output, done) if previous is not None else None
            if kept is not None:
                found.append((done, asked, answers, kept, True))
                continue
            content = content_keys.get((plan.lang, plan.template))
            if content is None:
                found.append((*asking(plan, key, output), False))
            else:
                found.append(framed(plan, key, output, digest(content, own)))
        return found

    def framed(
        plan: PagePlan, key: str, output: str, content: str
    ) -> tuple[str, Questions, str, Made, Kept | bool]:
        """`asking`, for a page whose block is apart from its frame, with the block's text
        taken from the published page when it was made from the same `content` key."""
        asked_then, answers_then = before.get(plan.path, ("", ""))
        block = None
        if asked_known and (
            not asked_then or same_links or (changes is not None and not changes.touches_any(asked_then))
        ):
            block = _published_block(previous, output, content, kept_contents.get(plan.path))
        with links.asking() as found:
            text, place = renderer.render_page(plan, block)
        html = text.encode()
        made = digest(html)
        if block is not None and asked_then:  # what the block asked, then: asked still
            found |= {(kind, subject, lang) for kind, subject, lang in json.loads(asked_then)}
        where: Kept | bool = (content, made, *place) if place is not None else False
        if spool is None:
            kept: Made = html
        else:
            same = previous.same(output) if previous is not None and previous.holds(output, made) else None
            kept = same if isinstance(same, str) else spool.keep(html, made)
        if not found:
            return key, "", "", kept, where
        asked = links.questions(found)
        # a block taken answers as it did (that is when it is taken): so do the same questions
        answers = answers_then if block is not None and asked == asked_then else links.answers(asked)
        return digest(key, answers), asked, answers, kept, where

    def asking(plan: PagePlan, key: str, output: str) -> tuple[str, Questions, str, Made]:
        """The page rendered now, with the key its questions to the links give it."""
        with links.asking() as found:
            made = rendered(plan, output)
        if not found:
            return key, "", "", made
        asked = links.questions(found)
        answers = links.answers(asked)
        return digest(key, answers), asked, answers, made

    def rendered(plan: PagePlan, output: str) -> Made:
        """The page's bytes; with a `spool`, in it, unless the published file holds the very
        same bytes (a template edit that most pages do not show): then that file, which
        spares writing a file for each of them."""
        html = renderer.render(plan)
        if spool is None:
            return html
        made = digest(html)
        same = previous.same(output) if previous is not None and previous.holds(output, made) else None
        return same if isinstance(same, str) else spool.keep(html, made)

    def page(plan: PagePlan, key: str, asked: Questions, answers: str, kept: Made) -> OutputFile:
        if asked:
            asked_now[plan.path] = (asked, answers)
        output = site_output(plan.path)
        if isinstance(kept, bytes):
            return OutputFile(output, kept, plan.source, None, key)
        if isinstance(kept, str):  # published before: the file that holds it
            return OutputFile(output, b"", plan.source, kept, key)
        return OutputFile(output, b"", plan.source, kept[0], key, kept[1], kept[2])  # in the spool

    # The keys are worked out here first, and the few pages an edit changes rendered here
    # too: at 10,000 announcements a page's key costs 20 µs, and forking workers to share
    # the 28,000 keys cost as much as they saved. Once more than SERIAL_PAGES pages must be
    # rendered (a first build, a template edit, a new story that moves every list page),
    # the rest, from the first of them, is keyed and rendered over the cores.
    pages: list[OutputFile] = []
    waiting: list[tuple[int, str, str]] = []  # (place, key, output) of the pages to render
    for plan in plans:
        key = key_of(plan)
        output = site_output(plan.path)
        done, asked, answers = answered(key, plan.path)
        reused = previous.reusable(output, done) if previous is not None else None
        if reused is None:
            if len(waiting) == SERIAL_PAGES:
                del pages[waiting[0][0] :]  # their questions are noted again as they come
                waiting.clear()
                rest = plans[len(pages) :]
                if contents is not None:  # pages in number: a frame's edit, maybe
                    content_keys.update(
                        _shared_keys(config, views, plans, templates, today, fingerprints, blocks=True)
                    )
                    kept_contents = contents.load()
                    contents.found = dict(kept_contents)
                parts = map_chunks(made, rest, least=200, label="Rendering pages")
                results = (result for part in parts for result in part)  # as each chunk comes
                for each, (done_, asked_, answers_, made_, where) in zip(rest, results, strict=True):
                    pages.append(page(each, done_, asked_, answers_, made_))
                    if contents is not None and contents.found is not None and where is not True:
                        if where is False:
                            contents.found.pop(each.path, None)
                        else:
                            contents.found[each.path] = where
                break
            waiting.append((len(pages), key, output))
            pages.append(page(plan, key, "", "", b""))  # its place, until it is rendered below
        else:
            pages.append(page(plan, done, asked, answers, reused))
    for place, key, output in waiting:
        pages[place] = page(plans[place], *asking(plans[place], key, output))
    if questions is not None:
        questions.links = links.fingerprint
        questions.pages = asked_now
    if contents is not None and contents.found is not None:  # only the pages planned now
        contents.found = {
            plan.path: contents.found[plan.path] for plan in plans if plan.path in contents.found
        }
    return pages + fixed_files(config, templates, media_files, today)


def fixed_files(
    config: Config, templates: Templates, media_files: Sequence[MediaFile], today: date
) -> list[OutputFile]:
    """What the site has besides its planned pages: the root pages, styles and media."""
    default = config.default_language
    assets = static_files(templates)
    stylesheet = next((f.copy_from for f in assets if f.path == site_output(asset("style.css"))), None)
    css = Markup(Path(stylesheet).read_text(encoding="utf-8")) if stylesheet else Markup("")
    pages = []
    for name, template in zip(ROOT_PAGES, ("site/root.html", "site/404.html"), strict=True):
        html = templates.render(
            template, default, name, config=config, today=today, base_url=config.base_url, stylesheet=css
        )
        pages.append(OutputFile(site_output(name), html.encode(), "templates"))
    pages += assets
    pages += [
        OutputFile(site_output(media(m.rel_path)), m.data, m.source.as_posix())
        if m.data is not None  # a photo without its location
        else OutputFile(site_output(media(m.rel_path)), b"", m.source.as_posix(), m.source)
        for m in media_files
    ]
    return pages


def _context_parts(
    plan: PagePlan, view: LanguageView, templates: Templates, fingerprints: Fingerprints
) -> list[str]:
    """What a page's context digests to: its size, then each name and its value's digest.
    The language's whole view in it (the home page's `view`) counts by the attributes the
    template reads of it, as `site_view` does."""
    if len(plan.context) == 1:  # a story's page (most of a site's): no sorting, no list to grow
        ((name, value),) = plan.context.items()
        if value is not view:
            return ["1", name, fingerprints.of(value)]
    parts: list[str] = [str(len(plan.context))]
    for name, value in sorted(plan.context.items()):
        if value is view:
            used = templates.view_attributes(plan.template, name)
            if used is not None:
                value = {attribute: getattr(view, attribute, None) for attribute in sorted(used)}
        parts += [name, fingerprints.of(value)]
    return parts


def _shared_keys(
    config: Config,
    views: dict[str, LanguageView],
    plans: list[PagePlan],
    templates: Templates,
    today: date,
    fingerprints: Fingerprints,
    *,
    blocks: bool = False,
) -> dict[tuple[str, str], str]:
    """Per language and template, the digest of what a page reads besides its own context
    and its questions to the links: the settings it reads, its templates (the page's, and
    those it extends, includes and imports), code, today, and the parts of the view it uses.
    With `blocks`, of what its block reads, for the templates whose block is apart from
    their frame (render/contents.py): the same, but for the frame and what only the frame
    names; with a page's own key, what its block is made from."""
    shared = digest(code_digest(), today.isoformat(), "a page's block" if blocks else "")
    keys = {}
    for template in sorted({plan.template for plan in plans}):
        if not blocks:
            used = templates.view_attributes(template)
            texts = templates.digest_of(template)
            read = templates.view_attributes(template, "config")
        elif (side := templates.frames.side(template)) is not None:
            used = templates.attributes_read(side, "site_view")
            texts = digest(
                "templates", *(part for name in side for part in (name, templates.source(name) or ""))
            )
            read = templates.attributes_read(side, "config")
        else:
            continue
        settings = fingerprints.of(_settings_read(config, read))
        for lang, view in views.items():
            parts = view if used is None else {name: getattr(view, name, None) for name in sorted(used)}
            keys[(lang, template)] = digest(shared, settings, texts, lang, template, fingerprints.of(parts))
    return keys


def _published_block(previous: Previous | None, output: str, content: str, kept: Kept | None) -> str | None:
    """A page's block as the published page holds it, when the page was made with the same
    `content` key and the published bytes are those it was found in; else None."""
    if previous is None or kept is None or kept[0] != content or not previous.holds(output, kept[1]):
        return None
    found = previous.same(output)
    try:
        if isinstance(found, str):
            with open(found, "rb") as page:  # noqa: PTH123  (a string: see Previous.same)
                found = page.read()
        if not isinstance(found, bytes) or digest(found) != kept[1]:
            return None
        _, _, start, length = kept
        text = found.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return text[start : start + length] if start + length <= len(text) else None


# What every page reads of the settings besides what its templates read: the site's
# address (its canonical link), the languages (the language switcher, each page's other
# languages), the offices (`when` names an office's zone by the office)
EVERY_PAGE_READS = ("base_url", "languages", "offices")
# The settings a method or property of Config reads, by its name as a template reads it
SETTINGS_READ_BY = {
    "title": ("titles", "languages"),
    "default_language": ("languages",),
    "tz": ("timezone",),
    "host": ("base_url",),
}


def _settings_read(config: Config, read: frozenset[str] | None) -> Config | dict[str, object]:
    """The settings a page's templates read (`read`: what they read of `config`, found in
    their text; None: anything), with those every page reads: a change of the others (the
    pay dates, the newsletter's or the feeds' settings) renders no page whose own context
    (its plan, the view it reads) stays the same. A name that is neither a setting nor one
    of SETTINGS_READ_BY counts as all of them."""
    if read is None:
        return config
    names = set(EVERY_PAGE_READS)
    fields = {f.name for f in dataclasses.fields(config)}
    for name in read:
        if name in SETTINGS_READ_BY:
            names.update(SETTINGS_READ_BY[name])
        elif name in fields:
            names.add(name)
        else:
            return config
    return {name: getattr(config, name) for name in sorted(names)}


BodyItem = Announcement | Page | Programme | Kudos


@dataclass(frozen=True)
class SiteShape:
    """Where a build's planned pages are, whatever they show: every page's path, each
    content file's page in every language (where body links to the file go), each page's
    path by language and identity (the language switcher's)."""

    paths: frozenset[str]
    sources: dict[str, dict[str, str]]  # a content file's path in content/ → language → page
    by_identity: dict[tuple[str, tuple[str, str]], str]  # (language, same_as) → the page's path


def site_shape(plans: Sequence[PagePlan], content_dir: Path | None = None) -> SiteShape:
    """The shape of the site `plans` make (without a `content_dir`, no `sources`)."""
    groups: dict[tuple[str, str], dict[str, str]] = {}
    sources: dict[str, dict[str, str]] = {}
    if content_dir is not None:
        root = content_dir.resolve()
        below = f"{content_dir.as_posix()}/"
        start = len(below)
        for plan in plans:
            if plan.item is None:
                continue
            if plan.source.startswith(below):  # the loaders' paths are below content_dir as given
                origin = plan.source[start:]
            else:
                try:
                    origin = plan.item.source.resolve().relative_to(root).as_posix()
                except ValueError:
                    continue
            pages = groups.setdefault(plan.same_as, {})
            pages[plan.lang] = plan.path
            sources[origin] = pages
    return SiteShape(
        frozenset(plan.path for plan in plans),
        sources,
        {(plan.lang, plan.same_as): plan.path for plan in plans},
    )


def _placed(plan: PagePlan) -> tuple[object, ...]:
    """What of a plan its site's shape depends on."""
    return (plan.lang, plan.path, plan.template, plan.same_as, plan.source, plan.item is None)


Shaped = tuple[tuple[PagePlan, ...], SiteShape, tuple[int, ...]]


def shape_again(plans: Sequence[PagePlan], content_dir: Path, last: Shaped | None) -> Shaped:
    """The live preview's (Memo.carry): the plans, their site's shape and the place of the
    first plan of each template and language (the pages a rebuild tries first). The last
    rebuild's, when every plan that is not the same object as then is placed alike (an
    edit that moves no page); else worked out anew."""
    plans = tuple(plans)
    if last is not None and len(last[0]) == len(plans):
        before, shape, first = last
        differ = itertools.compress(range(len(plans)), map(operator.is_not, before, plans))
        if all(_placed(before[i]) == _placed(plans[i]) for i in differ):
            return plans, shape, first
    places = {(plan.template, plan.lang): index for index, plan in reversed(list(enumerate(plans)))}
    return plans, site_shape(plans, content_dir), tuple(places.values())


def site_links(
    config: Config,
    views: dict[str, LanguageView],
    plans: list[PagePlan],
    templates: Templates,
    media_files: tuple[MediaFile, ...],
    content_dir: Path,
    pictures: Mapping[str, Picture] | None = None,
    shape: SiteShape | None = None,
) -> Links:
    """Where every body link of this build goes (link_problems: those that reach nothing);
    `shape`: the plans' (site_shape), when it was worked out already."""
    shape = shape or site_shape(plans, content_dir)
    files = shape.paths.union(
        ROOT_PAGES,
        (SITEMAP_FILE,),
        (news_feed(lang) for lang in config.languages),
        (
            calendar_feed(lang, office, feed)
            for lang in config.languages
            for office in (None, *config.offices)
            for feed in FEEDS
        ),
        (f.path.removeprefix(site_output("")) for f in static_files(templates)),
        (media(m.rel_path) for m in media_files),
    )
    return Links(files, shape.sources, config.languages, content_dir, pictures)


def link_problems(
    views: dict[str, LanguageView],
    links: Links,
    fingerprints: Fingerprints | None = None,
    store: Store | None = None,
    tree: str = "",
    before: Callable[[], LinkState | None] | None = None,
) -> list[GeneratorError]:
    """A warning for each body link or picture of a shown item that reaches nothing.

    With a `store` (the content cache), each item's warnings are kept for the next build
    of the same `tree` (cache.tree_name): an item with the same digest, among the same
    built files (`Links.fingerprint`), has the same ones, so an edit checks the links of
    the items it changed, not the site's. Among other files (a new story), an item kept
    with no warning among the links `before` gives (asked only then) keeps none unless a
    link of it reaches what changed (Links.changes); one with warnings is checked again
    (their hints name the nearest file there is)."""
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
    if store is None:
        return [
            problem
            for item in checked.values()
            for problem in links.problems(item.source, item.lang, item.links)
        ]
    fingerprints = fingerprints or Fingerprints()
    key = tree_key(tree, "link problems")
    among = digest("link problems", code_digest(), links.fingerprint)  # what they were found among
    kept_among, earlier = _kept_problems(store, key)
    changes = None
    if kept_among != among:
        state = before() if before is not None else None  # read only here: the links changed
        then = digest("link problems", code_digest(), state.fingerprint) if state is not None else ""
        changes = links.changes(state) if kept_among == then else None
        earlier = earlier if changes is not None else {}
    now: dict[str, tuple[GeneratorError, ...]] = {}
    found: list[GeneratorError] = []
    for item in checked.values():
        mark = fingerprints.of(item)
        problems = earlier.get(mark)
        if problems is not None and changes is not None and (problems or _reaches(changes, item)):
            problems = None
        if problems is None:
            problems = tuple(links.problems(item.source, item.lang, item.links))
        now[mark] = problems
        found += problems
    if kept_among != among or now.keys() != earlier.keys():  # else every item's are the ones kept
        store.put(key, pickle.dumps((among, now)))
    else:
        store.touch(key)
    store.objects[key] = (among, now)
    return found


def _reaches(changes: Changes, item: BodyItem) -> bool:
    """Whether a body link of `item` reaches what `changes` holds (as Links.problems asks)."""
    return any(changes.reaches(link.target, item.lang) for link in item.links if link.target)


def _kept_problems(store: Store, key: str) -> tuple[str, Mapping[str, tuple[GeneratorError, ...]]]:
    """The warnings an earlier build kept under `key`, by item digest, with what they were
    found among (none: "", {})."""
    found = store.objects.get(key)
    if found is None and (saved := store.get(key)) is not None:
        try:
            found = pickle.loads(saved)
        except Exception:  # damaged: every item is checked again
            found = None
    if not (isinstance(found, tuple) and len(found) == 2 and isinstance(found[1], dict)):
        return "", {}
    return str(found[0]), found[1]


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
                found[rel] = OutputFile(site_output(asset(rel)), b"", path.as_posix(), path)
    return [found[rel] for rel in sorted(found)]
