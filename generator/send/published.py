"""The messages a build published: `intranet send` mails these, not a second rendering.

The build writes every edition of the week (company-wide, each office, each audience)
to output/newsletter/{week}/{lang}/{key}/message.eml. A recipient in several audiences
needs an edition no build publishes; that one is composed at send time from content/.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.model import Edition
from generator.urls import MESSAGE, edition_key, newsletter_folder


@dataclass(frozen=True)
class Published:
    messages: dict[Edition, bytes]  # the editions found in the output folder
    built_at: float | None  # when the oldest of them was written (seconds since the epoch)


def published_messages(out_dir: Path, week: object, editions: Iterable[Edition]) -> Published:
    """The published message.eml of each edition asked for that the output folder holds."""
    messages: dict[Edition, bytes] = {}
    built: list[float] = []
    for lang, audiences in sorted(set(editions)):
        path = out_dir / newsletter_folder(week, lang, edition_key(audiences)) / MESSAGE
        try:
            messages[(lang, audiences)] = path.read_bytes()
            built.append(path.stat().st_mtime)
        except FileNotFoundError:
            continue
    return Published(messages, min(built) if built else None)


def changed_since(content_dir: Path, moment: float) -> list[Path]:
    """Content files modified after `moment`: the published newsletter may miss them."""
    return sorted(
        path
        for path in content_dir.rglob("*")
        if path.is_file() and not path.name.startswith(".") and path.stat().st_mtime > moment
    )
