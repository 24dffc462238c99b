"""Indicators: latest value, trend against the previous period, distance to target."""

from __future__ import annotations

from dataclasses import dataclass

from generator.config import MetricDefinition
from generator.model import MetricPoint, MetricSeries


@dataclass(frozen=True)
class Indicator:
    definition: MetricDefinition
    points: tuple[MetricPoint, ...]  # oldest first

    @property
    def latest(self) -> MetricPoint | None:
        return self.points[-1] if self.points else None

    @property
    def previous(self) -> MetricPoint | None:
        return self.points[-2] if len(self.points) > 1 else None

    @property
    def change(self) -> float | None:
        """Latest minus previous period."""
        if self.latest is None or self.previous is None:
            return None
        return self.latest.value - self.previous.value

    @property
    def trend(self) -> str:
        """better, worse or steady, taking higher_is_better into account; "" without two points."""
        change = self.change
        if change is None:
            return ""
        if abs(change) < 10 ** -(self.definition.decimals + 1):
            return "steady"
        improving = change > 0 if self.definition.higher_is_better else change < 0
        return "better" if improving else "worse"

    @property
    def meets_target(self) -> bool | None:
        target, latest = self.definition.target, self.latest
        if target is None or latest is None:
            return None
        return latest.value >= target if self.definition.higher_is_better else latest.value <= target


def compose_indicators(
    definitions: dict[str, MetricDefinition], series: tuple[MetricSeries, ...]
) -> list[Indicator]:
    """One Indicator per definition, in site.toml's order, with its points (none if no file)."""
    points = {s.id: s.points for s in series}
    return [Indicator(definition, points.get(ident, ())) for ident, definition in definitions.items()]
