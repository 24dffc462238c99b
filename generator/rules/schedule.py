"""What the site will show differently on a later day without any file changing: a
scheduled announcement is published, a current one expires to the archive, dated
kudos appear. A build says when the next of these is due, so a scheduled rebuild can
be planned for it (see the README's cron and systemd recipes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from generator.config import Config
from generator.model import Site
from generator.rules.audience import is_visible

PUBLISHED, EXPIRES, KUDOS = "published", "expires", "kudos"
# How each kind of change reads: (one item, several items)
_WORDING = {
    PUBLISHED: ("{name} is published", "{name} and {more} more are published"),
    EXPIRES: ("{name} expires", "{name} and {more} more expire"),
    KUDOS: ("kudos for {name} appear", "kudos for {name} and {more} more appear"),
}


@dataclass(frozen=True)
class Change:
    day: date
    what: str  # PUBLISHED, EXPIRES or KUDOS
    title: str
    source: Path


def upcoming_changes(config: Config, site: Site, today: date, scope: str | None = None) -> list[Change]:
    """Every change after `today` in the site (or a restricted audience's tree), by day.
    Drafts change nothing until they are published."""
    changes = []
    for item in site.announcements:
        if item.draft or not is_visible(item.audience, config, scope):
            continue
        if item.date > today:
            changes.append(Change(item.date, PUBLISHED, item.title, item.source))
        if item.expires is not None and item.expires > max(today, item.date):
            changes.append(Change(item.expires, EXPIRES, item.title, item.source))
    for kudos in site.kudos:
        if not kudos.draft and kudos.date > today and is_visible(kudos.audience, config, scope):
            changes.append(Change(kudos.date, KUDOS, ", ".join(kudos.recipients), kudos.source))
    return sorted(changes, key=lambda c: (c.day, c.what, c.title, str(c.source)))


def describe(changes: list[Change]) -> str:
    """`2026-11-30 — "Horario de invierno" is published; "Aguinaldo" expires 2026-12-21`:
    the next day anything changes, then what: the first change of each kind, with its
    day when it is a later one."""
    if not changes:
        return ""
    first = changes[0].day
    parts = []
    for what, (one, several) in _WORDING.items():
        of_kind = [c for c in changes if c.what == what]
        if not of_kind:
            continue
        day = of_kind[0].day
        same_day = [c for c in of_kind if c.day == day]
        name = same_day[0].title if what == KUDOS else f'"{same_day[0].title}"'
        text = (one if len(same_day) == 1 else several).format(name=name, more=len(same_day) - 1)
        parts.append((day, text if day == first else f"{text} {day.isoformat()}"))
    parts.sort(key=lambda part: part[0])
    return f"{first.isoformat()} — " + "; ".join(text for _, text in parts)
