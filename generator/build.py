"""The pipeline, top to bottom: load → check → compose → render. Writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from generator.config import Config, load_config
from generator.errors import GeneratorError, did_you_mean, known_list
from generator.load.site import load_site
from generator.model import OutputFile
from generator.render.calendars import render_calendar_feeds
from generator.render.feeds import render_feeds
from generator.render.intranet import plan_site, render_intranet, site_links
from generator.render.newsletter import render_newsletters
from generator.render.templates import Templates
from generator.rules.agenda import calendar_window, full_agenda
from generator.rules.issue import Issues
from generator.rules.views import compose_views
from generator.rules.weeks import IsoWeek


@dataclass(frozen=True)
class BuildResult:
    files: list[OutputFile]
    config: Config
    today: date
    announcements: int
    pages: int
    warnings: list[GeneratorError]

    @property
    def html_pages(self) -> int:
        return sum(1 for f in self.files if f.path.startswith("site/") and f.path.endswith(".html"))

    @property
    def messages(self) -> int:
        return sum(1 for f in self.files if f.path.endswith("message.eml"))


def today_in(config: Config) -> date:
    """Today in the site's time zone: the default for --today."""
    return datetime.now(config.tz).date()


def check_scope(config: Config, scope: str) -> None:
    """--audience must name a restricted audience: open ones are on the main site."""
    audience = config.audiences.get(scope)
    if audience is None or not audience.restricted:
        restricted = sorted(a for a, aud in config.audiences.items() if aud.restricted)
        raise GeneratorError(
            f'--audience "{scope}" is not a restricted audience',
            path=config.source,
            hint=f"{did_you_mean(scope, restricted)}restricted audiences: {known_list(restricted)}",
        )


def build(
    project: Path, *, today: date | None = None, drafts: bool = False, scope: str | None = None
) -> BuildResult:
    """Read and check all content, then render every output. Writes nothing."""
    content = project / "content"
    config = load_config(content / "site.toml")
    today = today or today_in(config)
    if scope is not None:
        check_scope(config, scope)
    warnings: list[GeneratorError] = []
    window = calendar_window(today, config.calendar)
    site = load_site(content, config, window, warnings)  # raises every content problem at once
    templates = Templates(project / "templates")
    agenda = full_agenda(config, site, today)  # holidays, pay dates, events: composed once
    issues = Issues(config, site, agenda, today)  # each newsletter issue: composed once
    views = compose_views(config, site, today, drafts=drafts, scope=scope, agenda=agenda, issues=issues)
    plans = plan_site(config, views)
    links, link_warnings = site_links(config, views, plans, templates, site.media, content)
    warnings += link_warnings
    files = [
        *render_intranet(config, views, plans, templates, site.media, links, today=today),
        *render_feeds(config, views, plans, links, today),
        *render_calendar_feeds(config, views[config.default_language].agenda, today),
    ]
    if scope is None:  # every edition's e-mail, restricted ones included, comes from the main build
        files += render_newsletters(issues.of_week(IsoWeek.of(today)), config, templates, today)
    return BuildResult(files, config, today, len(site.announcements), len(site.pages), warnings)


def newsletter_messages(
    project: Path, week: IsoWeek, today: date | None, editions: set[tuple[str, tuple[str, ...]]]
) -> tuple[Config, dict[tuple[str, tuple[str, ...]], bytes]]:
    """The message.eml of each (language, audiences) edition asked for, built from content/."""
    content = project / "content"
    config = load_config(content / "site.toml")
    today = today or today_in(config)
    site = load_site(content, config, calendar_window(today, config.calendar), [])
    issues = Issues(config, site, full_agenda(config, site, today), today)
    templates = Templates(project / "templates")
    messages = {}
    for lang, audiences in sorted(editions):
        issue = issues.get(week, lang, audiences)
        files = render_newsletters([issue], config, templates, today)
        messages[(lang, audiences)] = next(f.data for f in files if f.path.endswith("message.eml"))
    return config, messages


def build_newsletter(project: Path, *, week: IsoWeek | None = None, today: date | None = None) -> BuildResult:
    """One week's newsletter, every language and edition, into newsletter/{week}/. Writes nothing."""
    content = project / "content"
    config = load_config(content / "site.toml")
    today = today or today_in(config)
    week = week or IsoWeek.of(today)
    warnings: list[GeneratorError] = []
    site = load_site(content, config, calendar_window(today, config.calendar), warnings)
    issues = Issues(config, site, full_agenda(config, site, today), today).of_week(week)
    files = render_newsletters(issues, config, Templates(project / "templates"), today)
    return BuildResult(files, config, today, len(site.announcements), len(site.pages), warnings)
