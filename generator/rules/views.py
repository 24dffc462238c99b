"""What each language's site shows, decided once: the model the templates render.

Applies publication (drafts, schedule, expiry), audience scope and translation
fallback, and sorts every list, so rendering is a plain walk over this view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from babel import Locale

from generator.cache import Memo, grouped_in_order
from generator.config import Config
from generator.model import Announcement, Kudos, Page, Site
from generator.rules.agenda import Agenda, full_agenda
from generator.rules.audience import is_visible, open_audiences
from generator.rules.calendar_view import CalendarView, HomeDates, compose_calendars, compose_home_dates
from generator.rules.indicators import Indicator, compose_indicators
from generator.rules.issue import Issue, Issues
from generator.rules.kudos import KudosGroup, group_kudos
from generator.rules.localize import Localized, localize
from generator.rules.plan import PlanRow, communication_plan
from generator.rules.progress import ProgrammeView, compose_programme
from generator.rules.publication import is_current, is_published
from generator.rules.surveys import SurveyResult, survey_result
from generator.rules.trainings import CourseView, compose_trainings
from generator.rules.weeks import IsoWeek
from generator.urls import slugify

News = Localized[Announcement]
HOME_LATEST = 6


@dataclass(frozen=True)
class Tag:
    slug: str
    label: str
    news: tuple[News, ...]


@dataclass(frozen=True)
class LanguageView:
    lang: str
    news: tuple[News, ...]  # every published announcement in this language, newest first
    current: tuple[News, ...]  # not expired, newest first
    archived: tuple[News, ...]  # expired, newest first
    pinned: tuple[News, ...]  # must-read: pinned and current
    latest: tuple[News, ...]  # the home page's latest news: current and not pinned
    pages: tuple[Localized[Page], ...]
    tags: tuple[Tag, ...]
    agenda: Agenda = field(default_factory=lambda: Agenda((), (date.min, date.min)))
    kudos: tuple[Kudos, ...] = ()  # every visible kudos, newest first, whatever its language
    programmes: tuple[ProgrammeView, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    newsletters: tuple[Issue, ...] = ()  # web versions: newest week first
    audiences: dict[str, tuple[News, ...]] = field(default_factory=dict)
    calendars: tuple[CalendarView, ...] = ()  # every calendar page's dates
    home_dates: HomeDates = field(default_factory=lambda: HomeDates((), ()))
    kudos_by_value: tuple[KudosGroup, ...] = ()
    kudos_by_team: tuple[KudosGroup, ...] = ()
    searchable: bool = False  # anything to search: every page links the search (a flag, not the news)
    surveys: tuple[SurveyResult, ...] = ()  # published survey results, newest first
    trainings: tuple[CourseView, ...] = ()  # the training plan: courses with their coming sessions
    plan: tuple[PlanRow, ...] = ()  # the communication plan (main site only)


def newest_first(items: list[News], memo: Memo | None = None, lang: str = "") -> tuple[News, ...]:
    """`memo` (the live preview's): the last rebuild's order for `lang`, brought up to date."""
    if memo is None:
        return tuple(sorted(items, key=_newest))
    return memo.sort(("newest first", lang), items, _newest)


def _newest(e: News) -> tuple[int, str, str]:  # one story per language: no two alike
    return (-e.item.date.toordinal(), e.item.title, e.item.translation_key)


def compose_views(
    config: Config,
    site: Site,
    today: date,
    *,
    drafts: bool = False,
    scope: str | None = None,
    agenda: Agenda | None = None,
    issues: Issues | None = None,
    memo: Memo | None = None,
) -> dict[str, LanguageView]:
    """Site → one LanguageView per site language, for the main site or a restricted scope.
    `agenda` is the build's full_agenda and `issues` its newsletter issues (made here when not given);
    `memo`: the live preview's, from rebuild to rebuild (see cache.Memo)."""
    announcements = [
        a
        for a in site.announcements
        if is_published(a, today, drafts=drafts) and is_visible(a.audience, config, scope)
    ]
    pages = [
        p
        for p in site.pages
        if is_published(p, today, drafts=drafts) and is_visible(p.audience, config, scope)
    ]
    programmes_by_lang = localize(
        [p for p in site.programmes if is_visible(p.audience, config, scope)], config.languages
    )
    everything = agenda if agenda is not None else full_agenda(config, site, today)
    if memo is None:
        shown = everything.visible_to(config, scope)
    else:  # the same agenda as at the last rebuild: the same entries shown, the same calendars
        shown = memo.recall(("shown", scope), (everything,), lambda: everything.visible_to(config, scope))
    issues = issues if issues is not None else Issues(config, site, everything, today)
    kudos = tuple(
        k
        for k in site.kudos
        if k.date <= today and (drafts or not k.draft) and is_visible(k.audience, config, scope)
    )
    indicators = tuple(compose_indicators(dict(config.metrics), site.metrics))
    surveys = tuple(survey_result(s) for s in site.surveys if s.date <= today)  # results: aggregates only
    plan = communication_plan(config, site) if scope is None else ()
    courses_by_lang = localize(
        [c for c in site.courses if (drafts or not c.draft) and is_visible(c.audience, config, scope)],
        config.languages,
    )
    web_editions = [(), *((a,) for a in open_audiences(config))] if scope is None else [(), (scope,)]
    weeks = [IsoWeek.of(today).shifted(-n) for n in range(config.newsletter.archive_weeks)]
    calendars: dict[int, tuple[CalendarView, ...]] = {}  # by first weekday: languages share them
    home_dates = (
        compose_home_dates(config, shown, today)
        if memo is None
        else memo.recall(("home dates", today), (shown,), lambda: compose_home_dates(config, shown, today))
    )
    by_value = tuple(group_kudos(kudos, "value", config.values))
    by_team = tuple(group_kudos(kudos, "team", config.teams))
    news_by_lang = localize(announcements, config.languages, memo)
    pages_by_lang = localize(pages, config.languages, memo)
    views = {}
    for lang in config.languages:
        first_weekday = Locale.parse(lang).first_week_day
        if first_weekday not in calendars:
            calendars[first_weekday] = (
                compose_calendars(config, shown, today, first_weekday)
                if memo is None
                else memo.recall(
                    ("calendars", today, first_weekday),
                    (shown,),
                    partial(compose_calendars, config, shown, today, first_weekday),
                )
            )
        news = newest_first(news_by_lang[lang], memo, lang)
        standing = (
            grouped_in_order(news, partial(_standing, today))
            if memo is None
            else memo.groups(("standing", lang, today), news, partial(_standing, today), _newest)
        )
        views[lang] = LanguageView(
            lang=lang,
            news=news,
            current=standing.get("current", ()),
            archived=standing.get("archived", ()),
            pinned=standing.get("pinned", ()),
            latest=standing.get("latest", ())[:HOME_LATEST],
            pages=tuple(sorted(pages_by_lang[lang], key=lambda e: (e.item.order, e.item.title))),
            tags=_tags(news, memo, lang),
            agenda=shown,
            kudos=kudos,
            programmes=tuple(compose_programme(e.item, today) for e in programmes_by_lang[lang]),
            indicators=indicators,
            newsletters=tuple(
                issues.get(week, lang, audiences) for week in weeks for audiences in web_editions
            ),
            audiences=_audiences(news, config, scope, memo, lang),
            calendars=calendars[first_weekday],
            home_dates=home_dates,
            kudos_by_value=by_value,
            kudos_by_team=by_team,
            searchable=any(not e.item.draft for e in news)
            or any(not e.item.draft for e in pages_by_lang[lang]),
            surveys=surveys,
            trainings=compose_trainings(config, courses_by_lang[lang], shown, today),
            plan=plan,
        )
    return views


def _standing(today: date, localized: News) -> tuple[str, ...]:
    """Where an announcement stands on `today`: current (pinned, or among the latest) or
    archived."""
    if not is_current(localized.item, today):
        return ("archived",)
    return ("current", "pinned" if localized.item.pinned else "latest")


def _tags(news: tuple[News, ...], memo: Memo | None = None, lang: str = "") -> tuple[Tag, ...]:
    """A language's tags are those its own announcements carry: an untranslated item shown
    from another language keeps its tags in that language's index (its tag links go there).
    A tag's label is its first announcement's (newest first)."""
    if memo is None:
        grouped = grouped_in_order(news, _tag_slugs)
    else:
        grouped = memo.groups(("tags", lang), news, _tag_slugs, _newest)
    return tuple(Tag(slug, _label(grouped[slug][0], slug), grouped[slug]) for slug in sorted(grouped))


def _tag_slugs(localized: News) -> Iterable[str]:
    if localized.item.lang != localized.lang:  # shown from another language (`fallback`)
        return ()
    return dict.fromkeys(slug for label in localized.item.tags if (slug := slugify(label)))


def _label(localized: News, slug: str) -> str:
    return next(label for label in localized.item.tags if slugify(label) == slug)


def _audiences(
    news: tuple[News, ...], config: Config, scope: str | None, memo: Memo | None = None, lang: str = ""
) -> dict[str, tuple[News, ...]]:
    shown = open_audiences(config) + ([scope] if scope else [])
    if memo is None:
        grouped = grouped_in_order(news, _audiences_of)
    else:
        grouped = memo.groups(("audiences", lang), news, _audiences_of, _newest)
    return {aud: grouped.get(aud, ()) for aud in sorted(shown)}


def _audiences_of(localized: News) -> Iterable[str]:
    return dict.fromkeys(localized.item.audience)
