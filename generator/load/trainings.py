"""content/trainings/*.md → Course: a course of the training plan (its sessions are
training events of the calendars; rules/trainings.py joins them)."""

from __future__ import annotations

from pathlib import Path

from generator.config import ContentSettings
from generator.errors import GeneratorError, did_you_mean, known_list, raise_all
from generator.load.documents import identity, read_document
from generator.load.fields import Fields
from generator.load.markdown import Markdown, render_markdown
from generator.model import Course
from generator.urls import EVERYONE

KEYS = ("title", "lang", "translation_key", "slug", "summary", "hours", "audience", "mandatory", "draft")


def load_course(
    path: Path, folder: Path, config: ContentSettings, *, markdown: Markdown = render_markdown
) -> Course:
    """One course file; raises every problem it has (see load/files.py)."""
    fm = read_document(path, folder)
    problems: list[GeneratorError] = []
    f = Fields(fm, path, problems)
    f.check_known(KEYS)
    who = identity(f, path, config)
    title = f.text("title", required=True)
    hours = fm.data.get("hours")
    if hours is not None and (
        isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < hours <= 1000
    ):
        f.error("hours", "hours must be the course's length in hours, e.g. hours: 4 or hours: 1.5")
        hours = None
    mandatory: tuple[str, ...] = ()
    value = fm.data.get("mandatory")
    if value is True:
        mandatory = (EVERYONE,)
    elif value not in (None, False):
        mandatory = f.words("mandatory")
        known = {EVERYONE, *config.audiences, *config.offices}
        for unknown in [m for m in mandatory if m not in known]:
            f.error(
                "mandatory",
                f'unknown audience "{unknown}"',
                hint=f"{did_you_mean(unknown, known)}mandatory: true (for everyone) or a list of "
                f"audiences or offices: {known_list(known)}",
            )
    body = markdown(fm.body, fm.origin, fm.body_line)
    draft = f.flag("draft")
    raise_all(problems)
    return Course(
        source=path,
        slug=who.slug,
        title=title,
        lang=who.lang,
        translation_key=who.translation_key,
        body_html=body.html,
        summary=f.text("summary"),
        hours=float(hours) if hours is not None else None,
        audience=who.audience,
        mandatory=mandatory,
        draft=draft,
        links=body.links,
    )
