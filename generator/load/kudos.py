"""content/kudos/*.md → Kudos."""

from __future__ import annotations

from pathlib import Path

from generator.config import Config
from generator.errors import GeneratorError, did_you_mean, known_list
from generator.load.documents import identity, read_all
from generator.load.fields import Fields
from generator.load.markdown import render_markdown
from generator.model import Kudos

KEYS = ("date", "from", "to", "value", "team", "lang", "audience", "draft")


def load_kudos(folder: Path, config: Config, errors: list[GeneratorError]) -> list[Kudos]:
    found = []
    for path, fm, problems in read_all(folder, errors):
        f = Fields(fm, path, problems)
        if not fm.has_front_matter:
            problems.append(
                GeneratorError(
                    "no front matter: kudos need date, from, to and value",
                    path=path,
                    line=1,
                    hint="run `intranet new kudos` to start from a filled-in file",
                )
            )
            errors.extend(problems)
            continue
        f.check_known(KEYS)
        day = f.day("date", config.tz, required=True)
        sender = f.text("from", required=True)
        recipients = f.words("to")
        if not recipients:
            f.error("to", "say who is thanked in to", hint="for example to: [Laura Méndez]")
        value = f.text("value", required=True)
        if value and value not in config.values:
            f.error(
                "value",
                f'unknown value "{value}"',
                hint=f"{did_you_mean(value, config.values)}company values: {known_list(config.values)} "
                "(see content/site.toml)",
            )
        team = f.text("team") or None
        if team is not None and team not in config.teams:
            f.error(
                "team",
                f'unknown team "{team}"',
                hint=f"{did_you_mean(team, config.teams)}teams: {known_list(config.teams)} "
                "(see content/site.toml)",
            )
        who = identity(f, path, config)
        body = render_markdown(fm.body, fm.origin, fm.body_line)
        if not body.text:
            problems.append(
                GeneratorError(
                    "the message is empty", path=path, line=fm.body_line, hint="write it below the ---"
                )
            )
        draft = f.flag("draft")
        errors.extend(problems)
        if problems or day is None:
            continue
        found.append(
            Kudos(
                path,
                1,
                who.slug,
                day,
                sender,
                recipients,
                value,
                who.lang,
                body.html,
                body.text,
                team,
                who.audience,
                body.links,
                draft,
            )
        )
    return sorted(found, key=lambda k: (k.date, k.slug), reverse=True)
