"""The kudos wall: grouped and counted by company value and by team — never by person."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from generator.model import Kudos


@dataclass(frozen=True)
class KudosGroup:
    id: str  # a value or team id
    kudos: tuple[Kudos, ...]  # newest first


def group_kudos(kudos: tuple[Kudos, ...], field: str, known: Mapping[str, object]) -> list[KudosGroup]:
    """Every known value (or team), in site.toml's order, with its kudos; empty groups included."""
    return [KudosGroup(ident, tuple(k for k in kudos if getattr(k, field) == ident)) for ident in known]
