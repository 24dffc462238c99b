"""The communication plan (ISO 9001 §7.4: what, when, with whom, how, who communicates),
derived from site.toml and the content: every recurring communication the build makes,
never a hand-kept table. Only what the main site shows: a restricted audience's edition,
programme or survey stays out of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from generator.config import Config
from generator.model import Programme, Site
from generator.rules.audience import is_visible
from generator.rules.issue import editions_to_build

# the kinds of communication, in the plan's order; each row's `kind` is one of them
KINDS = ("newsletter", "calendars", "board", "feed", "certification", "indicators", "surveys", "trainings")


@dataclass(frozen=True)
class PlanRow:
    kind: str  # KINDS: what it is, and who is responsible (site.toml [communication])
    subject: str  # the programme, indicator, survey… it is about ("" for the kind itself)
    when: str  # "weekly", "continuous", a metric's period ("month"…), or "once" (on `day`)
    audiences: tuple[str, ...] = ()  # () everyone
    offices: tuple[str, ...] = ()  # () every office
    languages: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()  # "email", "intranet", "calendar", "print", "feed"
    owner: str = ""  # who is responsible, from site.toml [communication]; "" when nobody is named
    day: dt.date | None = None  # a one-off communication's day


def communication_plan(config: Config, site: Site) -> tuple[PlanRow, ...]:
    owners = config.communication
    languages = config.languages
    web_and_mail = ("intranet", "email")

    def row(kind: str, when: str, channels: tuple[str, ...], **parts: Any) -> PlanRow:
        who = owners.get(kind) or owners.get("owner", "")
        return PlanRow(
            kind, parts.pop("subject", ""), when, languages=languages, channels=channels, owner=who, **parts
        )

    rows: list[PlanRow] = []
    for audiences in editions_to_build(config):
        if any(config.audiences[a].restricted for a in audiences):
            continue  # a restricted edition is no one else's business
        offices = tuple(a for a in audiences if a in config.offices)
        groups = tuple(a for a in audiences if a not in config.offices)
        rows.append(row("newsletter", "weekly", web_and_mail, audiences=groups, offices=offices))
    rows.append(row("calendars", "continuous", ("calendar", "intranet")))
    rows += [row("board", "weekly", ("print",), offices=(office,)) for office in config.offices]
    rows.append(row("feed", "continuous", ("feed",)))
    first = config.default_language
    for versions in _groups(site.programmes).values():
        programme = next((p for p in versions if p.lang == first), versions[0])
        if is_visible(programme.audience, config, None):
            rows.append(
                row(
                    "certification",
                    "weekly",
                    web_and_mail,
                    subject=programme.title,
                    audiences=programme.audience,
                )
            )
    for metric in config.metrics.values():
        rows.append(row("indicators", metric.period, web_and_mail, subject=metric.title(first)))
    for survey in site.surveys:
        title = survey.title.get(first) or next(iter(survey.title.values()), survey.slug)
        rows.append(row("surveys", "once", web_and_mail, subject=title, day=survey.date))
    if site.courses:
        rows.append(row("trainings", "continuous", web_and_mail))
    return tuple(rows)


def _groups(programmes: tuple[Programme, ...]) -> dict[str, list[Programme]]:
    """Each programme's versions, by translation key, in the order of the files."""
    found: dict[str, list[Programme]] = {}
    for programme in programmes:
        found.setdefault(programme.translation_key, []).append(programme)
    return found
