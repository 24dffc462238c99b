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
