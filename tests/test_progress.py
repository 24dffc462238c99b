"""Certification progress, indicator trends and chart scales: pure computations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from generator.config import MetricDefinition
from generator.model import MetricPoint, Milestone, Programme
from generator.render.charts import format_value, line_chart, nice_step, value_scale
from generator.rules.indicators import Indicator
from generator.rules.progress import audit_dates, compose_programme, overall, status

TODAY = dt.date(2026, 11, 23)


def milestone(name: str, due: str, **keys: object) -> Milestone:
    return Milestone(name, dt.date.fromisoformat(due), **keys)  # type: ignore[arg-type]


def test_overall_progress_is_weighted_by_milestone() -> None:
    done = milestone("a", "2026-01-31", weight=3, done=dt.date(2026, 1, 20))
    half = milestone("b", "2026-12-31", weight=1, percent=50)
    todo = milestone("c", "2027-01-31", weight=4)
    assert overall((done, half, todo)) == pytest.approx(100 * (3 + 0.5) / 8)
    assert overall(()) == 0.0
    assert overall((milestone("d", "2026-01-01", done=dt.date(2026, 1, 1), percent=10),)) == 100


@pytest.mark.parametrize(
    ("due", "keys", "expected"),
    [
        ("2026-11-20", {"done": dt.date(2026, 11, 25)}, "done"),
        ("2026-11-22", {"percent": 90}, "late"),  # yesterday
        ("2026-11-23", {"percent": 10}, "at-risk"),  # due today, far from done
        ("2026-12-07", {"percent": 74}, "at-risk"),  # 14 days left, under 75 %
        ("2026-12-07", {"percent": 75}, "on-track"),
        ("2026-12-08", {"percent": 0}, "on-track"),  # 15 days left
        ("2026-11-30", {"percent": 100}, "done"),
    ],
)
def test_milestone_status_around_its_due_date(due: str, keys: dict[str, object], expected: str) -> None:
    assert status(milestone("m", due, **keys), TODAY) == expected


def test_a_programme_view_finds_next_milestone_audit_and_recent_changes() -> None:
    programme = Programme(
        Path("content/certification/iso.md"),
        1,
        "iso",
        "ISO 9001",
        "ISO 9001:2015",
        dt.date(2027, 3, 31),
        "es",
        "iso",
        (
            milestone("Interna", "2026-11-15", done=dt.date(2026, 11, 12), audit=True),
            milestone("Revisión", "2026-12-04", percent=20),
            milestone("Fase 1", "2027-02-08", audit=True),
            milestone("Antigua", "2026-03-31", done=dt.date(2026, 3, 20)),
        ),
        "<p>x</p>",
    )
    view = compose_programme(programme, TODAY)
    assert view.next_milestone is not None and view.next_milestone.name == "Revisión"
    assert view.next_audit is not None and view.next_audit.name == "Fase 1"
    assert [m.name for m in view.recently_done] == ["Interna"]
    assert view.counts == {"done": 2, "on-track": 1, "at-risk": 1, "late": 0}
    assert view.overall_status == "at-risk"
    audits = audit_dates(programme, "intranet.example.com")
    assert [(a.day, a.title("es"), a.uid) for a in audits] == [
        (dt.date(2026, 11, 15), "ISO 9001:2015: Interna", "audit-iso-interna@intranet.example.com"),
        (dt.date(2027, 2, 8), "ISO 9001:2015: Fase 1", "audit-iso-fase-1@intranet.example.com"),
    ]


def indicator(values: list[float], higher: bool = True, target: float | None = None) -> Indicator:
    definition = MetricDefinition("m", {"en": "M"}, "%", target, higher, "month", 0)
    points = tuple(MetricPoint(dt.date(2026, i + 1, 28), v) for i, v in enumerate(values))
    return Indicator(definition, points)


def test_trends_respect_whether_higher_is_better() -> None:
    assert indicator([88, 91]).trend == "better"
    assert indicator([88, 91], higher=False).trend == "worse"
    assert indicator([45, 38], higher=False).trend == "better"
    assert indicator([90, 90]).trend == "steady"
    assert indicator([90]).trend == ""
    assert indicator([]).latest is None
    assert indicator([88, 91]).change == pytest.approx(3)


def test_targets_are_met_in_the_right_direction() -> None:
    assert indicator([91], target=90).meets_target is True
    assert indicator([41], higher=False, target=40).meets_target is False
    assert indicator([91]).meets_target is None


def test_nice_steps_are_round() -> None:
    assert nice_step(10) == 2.5
    assert nice_step(7) == 2
    assert nice_step(0.3) == pytest.approx(0.1)
    assert nice_step(400) == 100


def test_scales_cover_values_and_target_with_round_ticks() -> None:
    scale = value_scale([85, 91], target=90)
    assert scale.low <= 85 and scale.high >= 91
    assert scale.ticks[0] == scale.low and scale.ticks[-1] == scale.high
    assert scale.y(scale.high) < scale.y(scale.low)  # SVG y grows downwards


def test_a_negative_series_crossing_zero_gets_a_zero_line() -> None:
    scale = value_scale([-12.5, 3, -4])
    assert scale.low <= -12.5 and scale.high >= 3 and 0 in scale.ticks
    svg = line_chart("neg", [(dt.date(2026, 1, 1), -12.5), (dt.date(2026, 2, 1), 3)], title="Net", description="d",
                     unit="", decimals=1, lang="en")  # fmt: skip
    assert 'class="zero"' in svg


def test_a_flat_series_still_has_room_above_and_below() -> None:
    scale = value_scale([50, 50, 50])
    assert scale.low < 50 < scale.high
    zero = value_scale([0, 0])
    assert zero.low < 0 < zero.high


def test_the_chart_is_accessible_svg_with_title_desc_target_and_points() -> None:
    points = [(dt.date(2026, m, 28), v) for m, v in ((1, 86.0), (2, 88.0), (3, 91.0))]
    svg = line_chart("csat", points, title="CSAT", description="3 measurements", unit="%", decimals=0, lang="fr",
                     target=90, target_label="Objectif")  # fmt: skip
    root = ET.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "csat-title csat-desc"
    assert root.findtext("s:title", namespaces=ns) == "CSAT"
    assert root.findtext("s:desc", namespaces=ns) == "3 measurements"
    assert len(root.findall("s:circle", ns)) == 3
    assert root.find("s:line[@class='target']", ns) is not None
    labels = [t.text for t in root.findall("s:text", ns)]
    assert "Objectif 90\u00a0%" in labels
    assert "janv. 2026" in labels
    assert line_chart("x", [], title="t", description="d", unit="", decimals=0, lang="en") == ""


def test_values_are_formatted_for_the_reader() -> None:
    assert format_value(91.5, "%", 1, "en") == "91.5%"
    assert format_value(91.5, "%", 1, "es") == "91,5\u00a0%"
    assert format_value(38, "s", 0, "fr") == "38\u00a0s"
    assert format_value(1234.5, "", 1, "en") == "1,234.5"


def test_a_measurement_is_labelled_with_its_period() -> None:
    from generator.render.charts import period_label

    day = dt.date(2026, 10, 31)
    assert [period_label(day, p, "en") for p in ("week", "month", "quarter", "year")] == [
        "2026-W44",
        "Oct 2026",
        "Q4 2026",
        "2026",
    ]
    assert period_label(day, "quarter", "es") == "T4 2026"
