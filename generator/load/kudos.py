"""content/kudos/*.md → Kudos."""

from __future__ import annotations

from pathlib import Path

from generator.config import ContentSettings
from generator.errors import GeneratorError, did_you_mean, known_list, raise_all
from generator.load.documents import identity, read_document
from generator.load.fields import Fields
from generator.load.markdown import Markdown, render_markdown
from generator.model import Kudos

# `response`: the form response it was imported from (generator/intake.py), kept so a second
# import of the same export skips it
KEYS = ("date", "from", "to", "value", "team", "lang", "audience", "draft", "response")


def load_one_kudos(
    path: Path, folder: Path, config: ContentSettings, *, markdown: Markdown = render_markdown
) -> Kudos:
    """One kudos file; raises every problem it has (see load/files.py)."""
    fm = read_document(path, folder)
    problems: list[GeneratorError] = []
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
        raise_all(problems)
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
    body = markdown(fm.body, fm.origin, fm.body_line)
    if not body.text:
        problems.append(
            GeneratorError(
                "the message is empty", path=path, line=fm.body_line, hint="write it below the ---"
            )
        )
    draft = f.flag("draft")
    raise_all(problems)
    if day is None:  # never: a required date that is missing is a problem raised above
        raise GeneratorError("kudos need a date", path=path)
    return Kudos(
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
