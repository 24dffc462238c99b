"""The one place that decides who sees what.

An item without an audience is for everyone. An item for open audiences only is
on the main site, labelled. An item for any restricted audience never reaches an
output meant for anyone outside that audience.
"""

from __future__ import annotations

from generator.config import Config


def is_visible(audience: tuple[str, ...], config: Config, scope: str | None = None) -> bool:
    """Whether an item for `audience` belongs in the tree for `scope` (None: the main site)."""
    if not audience:
        return True
    restricted = [a for a in audience if config.audiences[a].restricted]
    if not restricted:
        return True
    return scope is not None and scope in restricted


def open_audiences(config: Config) -> list[str]:
    return sorted(a for a, aud in config.audiences.items() if not aud.restricted)


def in_edition(audience: tuple[str, ...], chosen: set[str], config: Config) -> bool:
    """Whether an item for `audience` goes in the newsletter edition for the audiences `chosen`.

    Company-wide items go everywhere. An item for some audiences goes only in editions
    for at least one of them; one for a restricted audience only in editions that
    include that restricted audience.
    """
    if not audience:
        return True
    restricted = {a for a in audience if a in config.audiences and config.audiences[a].restricted}
    if restricted and not restricted & chosen:
        return False
    return bool(set(audience) & chosen)
