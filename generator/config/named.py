"""Small named things of site.toml: company values, teams, and indicator definitions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.config.reader import Reader
from generator.i18n import in_language

PERIODS = ("week", "month", "quarter", "year")


@dataclass(frozen=True)
class Named:
    """A company value (for kudos) or a team: an id with a name per language."""

    id: str
    names: Mapping[str, str]
    descriptions: Mapping[str, str] = field(default_factory=dict)

    def name(self, lang: str) -> str:
        return in_language(self.names, lang) or self.id

    def description(self, lang: str) -> str:
        return in_language(self.descriptions, lang)


@dataclass(frozen=True)
class MetricDefinition:
    """An indicator: what content/metrics/{id}.csv measures and what good looks like."""

    id: str
    titles: Mapping[str, str]
    unit: str = ""
    target: float | None = None
    higher_is_better: bool = True
    period: str = "month"
    decimals: int = 0

    def title(self, lang: str) -> str:
        return in_language(self.titles, lang) or self.id


def parse_named(r: Reader, value: Any, table: str, languages: tuple[str, ...]) -> dict[str, Named]:
    found: dict[str, Named] = {}
    for ident, entry in sorted(r.table(value, table).items()):
        where = f"{table}.{ident}"
        if not r.ident(table, ident) or not isinstance(entry, dict):
            continue
        r.unknown_keys(entry, {"name", "description"}, where)
        names = r.localized(entry.get("name", ident), languages, where, "name") or {}
        descriptions = {}
        if "description" in entry:
            descriptions = (
                r.localized(entry["description"], languages, where, "description", one_line=False) or {}
            )
        found[ident] = Named(ident, names, descriptions)
    return found


def parse_metrics(r: Reader, value: Any, languages: tuple[str, ...]) -> dict[str, MetricDefinition]:
    found: dict[str, MetricDefinition] = {}
    keys = {"title", "unit", "target", "higher_is_better", "period", "decimals"}
    for ident, entry in r.table(value, "metrics").items():  # site.toml's order is the page's order
        where = f"metrics.{ident}"
        if not r.ident("metrics", ident) or not isinstance(entry, dict):
            continue
        r.unknown_keys(entry, keys, where)
        titles = r.localized(entry.get("title", ident), languages, where, "title") or {}
        unit = entry.get("unit", "")
        if not isinstance(unit, str):
            r.error('unit must be a text such as "%" or "s"', where, "unit")
            unit = ""
        target = entry.get("target")
        if target is not None and (isinstance(target, bool) or not isinstance(target, int | float)):
            r.error(f"target must be a number, not {target!r}", where, "target")
            target = None
        higher = entry.get("higher_is_better", True)
        if not isinstance(higher, bool):
            r.error("higher_is_better must be true or false", where, "higher_is_better")
            higher = True
        period = r.choice(entry.get("period", "month"), PERIODS, where, "period") or "month"
        decimals = entry.get("decimals", 0)
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 4:
            r.error("decimals must be a whole number from 0 to 4", where, "decimals")
            decimals = 0
        found[ident] = MetricDefinition(
            ident, titles, unit, float(target) if target is not None else None, higher, period, decimals
        )
    return found
