"""Indicator charts as inline SVG, drawn at build time: no JavaScript, no image files.

Each chart has a <title> and <desc>, axis labels, the target as a dashed line, and
the page shows the same data as a table for screen readers. Scales cope with
negative and flat series.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from html import escape

from babel import Locale
from babel.dates import format_skeleton
from babel.numbers import format_decimal, format_percent

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 20, 16, 40


def format_value(value: float, unit: str, decimals: int, lang: str) -> str:
    """91.5 with "%" → "91,5 %" (es, fr) or "91.5%" (en); other units follow the number."""
    fraction = "." + "0" * decimals if decimals else ""
    if unit == "%":  # the locale's own pattern: "91 %" in French, "91%" in English
        pattern = Locale.parse(lang).percent_formats[None].pattern
        last_digit = pattern.rfind("0")
        pattern = pattern[: last_digit + 1] + fraction + pattern[last_digit + 1 :]
        return format_percent(value / 100, format=pattern, locale=lang)
    number = format_decimal(value, format="#,##0" + fraction, locale=lang)
    return f"{number}\u00a0{unit}" if unit else number


def period_label(day: dt.date, period: str, lang: str) -> str:
    """The period a measurement stands for: "oct 2026", "T4 2026", "2026", or its week."""
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    skeleton = {"month": "yMMM", "quarter": "yQQQ", "year": "y"}.get(period, "yMMMd")
    return format_skeleton(skeleton, day, locale=lang)


def nice_step(span: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 × 10^n) that cuts `span` into about `ticks` parts."""
    raw = span / ticks
    magnitude: float = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


@dataclass(frozen=True)
class Scale:
    low: float
    high: float
    ticks: tuple[float, ...]

    def y(self, value: float) -> float:
        plot = HEIGHT - TOP - BOTTOM
        return TOP + plot * (self.high - value) / (self.high - self.low)


def value_scale(values: list[float], target: float | None = None) -> Scale:
    """A y scale with round ticks covering every value and the target; flat series get room."""
    every = [*values, *([target] if target is not None else [])]
    low, high = min(every), max(every)
    if math.isclose(low, high):
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = nice_step(high - low)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    count = round((high - low) / step)
    return Scale(low, high, tuple(round(low + i * step, 10) for i in range(count + 1)))


def x_positions(days: list[dt.date]) -> list[float]:
    """Dates placed by time between the left and right edges (one point: the middle)."""
    plot = WIDTH - LEFT - RIGHT
    if len(days) == 1:
        return [LEFT + plot / 2]
    first, span = days[0], (days[-1] - days[0]).days or 1
    return [LEFT + plot * (day - first).days / span for day in days]


def line_chart(
    ident: str,
    points: list[tuple[dt.date, float]],
    *,
    title: str,
    description: str,
    unit: str,
    decimals: int,
    lang: str,
    target: float | None = None,
    target_label: str = "",
) -> str:
    """One series as an accessible SVG line chart (an empty string without points)."""
    if not points:
        return ""
    days, values = [d for d, _ in points], [v for _, v in points]
    scale = value_scale(values, target)
    xs = x_positions(days)

    def label(value: float) -> str:
        return escape(format_value(value, unit, decimals, lang))

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
    ]
    for tick in scale.ticks:
        y = scale.y(tick)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{label(tick)}</text>'
        )
    if scale.low < 0 < scale.high:
        y = scale.y(0)
        parts.append(f'<line class="zero" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
    shown = sorted({0, len(days) // 2, len(days) - 1})
    for index in shown:
        anchor = (
            "start" if index == 0 and len(days) > 1 else "end" if index == len(days) - 1 > 0 else "middle"
        )
        month = escape(format_skeleton("yMMM", days[index], locale=lang))
        below = HEIGHT - BOTTOM + 20
        parts.append(
            f'<text class="axis" x="{xs[index]:.1f}" y="{below}" text-anchor="{anchor}">{month}</text>'
        )
    if target is not None:
        y = scale.y(target)
        parts.append(f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="target-label" x="{LEFT + 6}" y="{y - 5:.1f}" text-anchor="start">'
            f"{escape(target_label)} {label(target)}</text>"
        )
    line = " ".join(f"{x:.1f},{scale.y(v):.1f}" for x, v in zip(xs, values, strict=True))
    parts.append(f'<polyline class="series" points="{line}"/>')
    for x, day, value in zip(xs, days, values, strict=True):
        when = escape(format_skeleton("yMMMd", day, locale=lang))
        parts.append(
            f'<circle class="point" cx="{x:.1f}" cy="{scale.y(value):.1f}" r="3.5">'
            f"<title>{when}: {label(value)}</title></circle>"
        )
    parts.append("</svg>")
    return "\n".join(parts)
