"""One week's newsletter for one language and one set of audiences.

The issue of week W is mailed on W's Monday. It holds what was published in the
seven days before (Monday to Sunday of the previous week), the must-read items
still current, the holidays and pay dates of the coming weeks, the events and
trainings of the next two weeks, the kudos of those seven days, certification
progress with what changed, and the latest indicators.

An edition for audiences S holds company-wide content plus content for any
audience in S — never another audience's. Offices are audiences: a holiday or a
pay date of Madrid is in Madrid's edition only.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from generator.cache import Memo
from generator.config import Config
from generator.model import Announcement, Kudos, Milestone, Occurrence, Programme, Site, Survey
from generator.rules.agenda import FILTERS, Agenda
from generator.rules.audience import in_edition
from generator.rules.indicators import Indicator, compose_indicators
from generator.rules.localize import Localized, localize
from generator.rules.progress import ProgrammeView, compose_programme
from generator.rules.publication import is_current, is_published
from generator.rules.surveys import SurveyResult, survey_result
from generator.rules.weeks import IsoWeek
from generator.urls import edition_key


class Stories:
    """Announcements by date and by story (translation key), to find a week's quickly."""

    def __init__(self, announcements: Iterable[Announcement]) -> None:
        self.by_date = sorted(announcements, key=lambda a: a.date)
        self._dates = [a.date for a in self.by_date]
        self.pinned = [a for a in self.by_date if a.pinned]
        self.by_key: dict[str, list[Announcement]] = {}
        for a in self.by_date:
            self.by_key.setdefault(a.translation_key, []).append(a)

    def around(self, period: tuple[dt.date, dt.date]) -> list[Announcement]:
        """Every version of each story with a version pinned or dated within `period`."""
        start, end = bisect_left(self._dates, period[0]), bisect_right(self._dates, period[1])
        keys = dict.fromkeys(a.translation_key for a in (*self.by_date[start:end], *self.pinned))
        return [a for key in keys for a in self.by_key[key]]


class Common:
    """What every issue of a build composes alike, worked out once and shared: the
    announcements by date and story, the indicators (the same in every issue), each
    survey's result, and each programme's news for a week (the same in every language
    and edition). Shared values are also digested once when pages are keyed: at 1,000
    announcements, the web archive's 108 issues each made their own, and keying them
    took some 60 ms of an edit's build."""

    def __init__(self, config: Config, site: Site) -> None:
        self.stories = Stories(site.announcements)
        self._site, self._config = site, config
        self._indicators: tuple[Indicator, ...] | None = None
        self._surveys: dict[int, tuple[Survey, SurveyResult]] = {}
        self._programmes: dict[tuple[int, dt.date, dt.date], tuple[Programme, ProgrammeNews]] = {}

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """The indicators with at least one measurement, in site.toml's order."""
        if self._indicators is None:
            made = compose_indicators(dict(self._config.metrics), self._site.metrics)
            self._indicators = tuple(i for i in made if i.points)
        return self._indicators

    def survey(self, survey: Survey) -> SurveyResult:
        known = self._surveys.get(id(survey))
        if known is None or known[0] is not survey:
            known = self._surveys[id(survey)] = (survey, survey_result(survey))
        return known[1]

    def programme(self, programme: Programme, day: dt.date, period: tuple[dt.date, dt.date]) -> ProgrammeNews:
        """The programme as on `day`, with what changed in `period` (the issue's week's)."""
        key = (id(programme), day, period[0])  # a week's period starts on the Monday before it
        known = self._programmes.get(key)
        if known is None or known[0] is not programme:
            known = self._programmes[key] = (
                programme,
                _programme_news(compose_programme(programme, day), period),
            )
        return known[1]


@dataclass(frozen=True)
class ProgrammeNews:
    view: ProgrammeView
    change: float  # progress points gained in the issue's period
    completed: tuple[Milestone, ...]  # milestones completed in the period


@dataclass(frozen=True)
class Issue:
    week: IsoWeek
    lang: str
    audiences: tuple[str, ...]  # () for the company-wide edition
    office: str | None  # the one office among the audiences: times are shown in its zone
    period: tuple[dt.date, dt.date]  # the news period, both days included
    news: tuple[Localized[Announcement], ...]
    must_read: tuple[Localized[Announcement], ...]
    dates: tuple[Occurrence, ...]  # holidays and pay dates ahead
    events: tuple[Occurrence, ...]  # events, trainings and meetings ahead
    kudos: tuple[Kudos, ...]
    programmes: tuple[ProgrammeNews, ...]
    indicators: tuple[Indicator, ...]
    surveys: tuple[SurveyResult, ...] = ()  # results published in the news period

    @property
    def key(self) -> str:
        return edition_key(self.audiences)

    @property
    def company_wide(self) -> bool:
        return not self.audiences

    @property
    def day(self) -> dt.date:
        """The day the issue is mailed: its week's Monday."""
        return self.week.monday

    @property
    def calendar_entries(self) -> tuple[Occurrence, ...]:
        unique = {entry.uid: entry for entry in (*self.dates, *self.events)}
        return tuple(sorted(unique.values(), key=lambda e: (e.day, e.uid)))


def compose_issue(
    config: Config,
    site: Site,
    agenda: Agenda,
    week: IsoWeek,
    lang: str,
    audiences: tuple[str, ...],
    today: dt.date,
    common: Common | None = None,
) -> Issue:
    """`agenda` holds every entry, restricted ones included (full_agenda): the edition filters
    them. `common`: what every issue of a build shares, worked out once."""
    settings = config.newsletter
    day = week.monday
    period = news_period(week)
    chosen = set(audiences)

    def shown(audience: tuple[str, ...]) -> bool:
        return in_edition(audience, chosen, config)

    # Only stories with a version that is pinned or of the week can be in the issue (the
    # version shown is one of them): looking only at those keeps an issue's cost to its
    # week, not to the years of announcements.
    common = common or Common(config, site)
    announcements = [
        a
        for a in common.stories.around(period)
        if is_published(a, today) and shown(a.audience) and is_current(a, day)
    ]
    localized = localize(announcements, config.languages)[lang]
    newest = sorted(localized, key=lambda e: (-e.item.date.toordinal(), e.item.title))
    must_read = tuple(e for e in newest if e.item.pinned and e.item.date <= min(day, today))
    news = tuple(
        e for e in newest if period[0] <= e.item.date <= min(period[1], today) and e not in must_read
    )

    office = edition_office(audiences, config)
    seen = agenda.in_zone(config.offices[office].tz) if office else agenda

    def ahead(weeks: int, kinds: tuple[str, ...]) -> tuple[Occurrence, ...]:
        last = day + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)
        return tuple(e for e in seen.between(day, last, None, kinds) if shown((*e.audience, *e.offices)))

    programmes = localize([p for p in site.programmes if shown(p.audience)], config.languages)[lang]
    return Issue(
        week=week,
        lang=lang,
        audiences=tuple(sorted(chosen)),
        office=office,
        period=period,
        news=news,
        must_read=must_read,
        dates=ahead(settings.look_ahead_weeks, ("holiday", "payday")),
        events=ahead(settings.event_weeks, FILTERS["events"]),
        kudos=tuple(
            k
            for k in site.kudos
            if period[0] <= k.date <= min(period[1], today) and not k.draft and shown(k.audience)
        ),
        programmes=tuple(common.programme(e.item, min(day, today), period) for e in programmes),
        indicators=common.indicators,
        surveys=tuple(common.survey(s) for s in site.surveys if period[0] <= s.date <= min(period[1], today)),
    )


def news_period(week: IsoWeek) -> tuple[dt.date, dt.date]:
    """The days an issue reports on: the week before its own, both days included."""
    return week.monday - dt.timedelta(days=7), week.monday - dt.timedelta(days=1)


def edition_office(audiences: Iterable[str], config: Config) -> str | None:
    """The office an edition is for, when exactly one of its audiences is an office."""
    offices = sorted({a for a in audiences if a in config.offices})
    return offices[0] if len(offices) == 1 else None


def _programme_news(view: ProgrammeView, period: tuple[dt.date, dt.date]) -> ProgrammeNews:
    milestones = view.programme.milestones
    completed = tuple(m for m in milestones if m.done is not None and period[0] <= m.done <= period[1])
    total = sum(m.weight for m in milestones)
    change = round(100 * sum(m.weight for m in completed) / total, 1) if total else 0.0
    return ProgrammeNews(view, change, completed)


def editions_to_build(config: Config) -> list[tuple[str, ...]]:
    """The company-wide edition, then one per audience (offices, open and restricted audiences)."""
    return [(), *((audience,) for audience in sorted(config.audiences))]


class Issues:
    """Each (week, language, audiences) issue composed once per build and shared: the web
    archive, the e-mails and `send` ask here. `agenda` is the build's full_agenda."""

    def __init__(
        self, config: Config, site: Site, agenda: Agenda, today: dt.date, memo: Memo | None = None
    ) -> None:
        """`memo`: the live preview's; an issue made from the same objects as at the last
        rebuild (its week's stories, the agenda, programmes, kudos, indicators and surveys)
        is found there."""
        self.config, self.site, self.agenda, self.today, self.memo = config, site, agenda, today, memo
        self._made: dict[tuple[IsoWeek, str, tuple[str, ...]], Issue] = {}
        self._common: Common | None = None

    def get(self, week: IsoWeek, lang: str, audiences: tuple[str, ...]) -> Issue:
        key = (week, lang, tuple(sorted(audiences)))
        if key not in self._made:
            site = self.site
            common = self._common = self._common or Common(self.config, site)
            stories = common.stories
            make = partial(
                compose_issue, self.config, site, self.agenda, week, lang, key[2], self.today, common
            )
            if self.memo is None:
                self._made[key] = make()
            else:
                made_from = (
                    self.agenda,
                    *stories.around(news_period(week)),
                    *site.programmes,
                    *site.kudos,
                    *site.metrics,
                    *site.surveys,
                )
                self._made[key] = self.memo.recall(("issue", *key, self.today), made_from, make)
        return self._made[key]

    def of_week(self, week: IsoWeek) -> list[Issue]:
        """Every language × every edition of one week."""
        return [
            self.get(week, lang, audiences)
            for lang in self.config.languages
            for audiences in editions_to_build(self.config)
        ]
