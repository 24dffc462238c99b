"""content/certification/*.md → Programme: a certification plan and its milestones.

Progress is never typed by hand: milestones give a done date or a percent, and
the rules compute the rest (generator/rules/progress.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.config import ContentSettings
from generator.errors import GeneratorError, raise_all
from generator.load.documents import identity, read_document
from generator.load.fields import Fields, parse_day
from generator.load.markdown import Markdown, render_markdown, summarize
from generator.model import Milestone, Programme

KEYS = (
    "title",
    "standard",
    "target_date",
    "milestones",
    "lang",
    "translation_key",
    "slug",
    "summary",
    "audience",
)
MILESTONE_KEYS = {"name", "due", "done", "percent", "weight", "audit"}
_HINT = "each milestone: {name: …, due: YYYY-MM-DD, weight: 2, done: YYYY-MM-DD or percent: 40}"


def load_programme(
    path: Path, folder: Path, config: ContentSettings, *, markdown: Markdown = render_markdown
) -> Programme:
    """One certification programme file; raises every problem it has (see load/files.py)."""
    fm = read_document(path, folder)
    problems: list[GeneratorError] = []
    f = Fields(fm, path, problems)
    f.check_known(KEYS)
    who = identity(f, path, config)
    title = f.text("title", required=True)
    standard = f.text("standard", required=True)
    target = f.day("target_date", config.tz, required=True)
    raw = fm.data.get("milestones")
    milestones: list[Milestone] = []
    if not isinstance(raw, list) or not raw:
        f.error("milestones", "a programme needs a list of milestones", hint=_HINT)
    else:
        for index, item in enumerate(raw):
            milestone = _milestone(item, fm.item_line("milestones", index), path, config, problems)
            if milestone is not None:
                milestones.append(milestone)
    body = markdown(fm.body, fm.origin, fm.body_line)
    summary = f.text("summary") or summarize(body.text)
    raise_all(problems)
    if target is None:  # never: a required date that is missing is a problem raised above
        raise GeneratorError("a programme needs target_date", path=path)
    return Programme(
        path,
        1,
        who.slug,
        title,
        standard,
        target,
        who.lang,
        who.translation_key,
        tuple(sorted(milestones, key=lambda m: (m.due, m.name))),
        body.html,
        summary,
        who.audience,
        body.links,
    )


def _milestone(
    item: Any, line: int, path: Path, config: ContentSettings, errors: list[GeneratorError]
) -> Milestone | None:
    def error(message: str) -> None:
        errors.append(GeneratorError(message, path=path, line=line, hint=_HINT))

    if not isinstance(item, dict):
        error("a milestone must be a set of keys")
        return None
    for key in sorted(set(item) - MILESTONE_KEYS):
        error(f'unknown milestone key "{key}"')
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        error("a milestone needs a name")
        return None
    due = parse_day(item.get("due"), config.tz)
    if due is None:
        error(f'milestone "{name}" needs due, the date it is due')
    done = None
    if item.get("done") is not None:
        done = parse_day(item["done"], config.tz)
        if done is None:
            error(f'milestone "{name}": done "{item["done"]}" is not a date')
    percent = item.get("percent", 100 if done else 0)
    if isinstance(percent, bool) or not isinstance(percent, int | float) or not 0 <= percent <= 100:
        error(f'milestone "{name}": percent must be a number from 0 to 100, not {percent!r}')
        percent = 0
    weight = item.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
        error(f'milestone "{name}": weight must be a number above 0, not {weight!r}')
        weight = 1
    audit = item.get("audit", False)
    if not isinstance(audit, bool):
        error(f'milestone "{name}": audit must be true or false')
        audit = False
    if due is None:
        return None
    return Milestone(name.strip(), due, float(weight), done, float(percent), audit, line)
