"""content/metrics/{id}.csv → MetricSeries: `date,value` rows of an indicator defined in site.toml."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from generator.config import ContentSettings
from generator.errors import GeneratorError, did_you_mean, known_list
from generator.load.fields import parse_day
from generator.load.files import CSV_LIMIT, read_limited
from generator.load.frontmatter import decode
from generator.model import MetricPoint, MetricSeries

MAX_ROWS = 100_001  # the header and 100,000 measurements: 270 years of daily values
LARGEST = 1e12  # no indicator is larger; beyond it, charts and averages lose their meaning


def load_metric(path: Path, config: ContentSettings) -> MetricSeries:
    """content/metrics/{id}.csv, for an indicator defined in site.toml; raises every problem."""
    if path.stem not in config.metrics:
        raise GeneratorError(
            f'unknown metric "{path.stem}"',
            path=path,
            hint=f"{did_you_mean(path.stem, config.metrics)}define it as [metrics.{path.stem}] in "
            f"content/site.toml (defined: {known_list(config.metrics)})",
        )
    data = read_limited(path, CSV_LIMIT, "keep one value per day, week or month")
    return parse_metric(decode(data, path), path, config)


def parse_metric(text: str, path: Path, config: ContentSettings) -> MetricSeries:
    """CSV text → MetricSeries; every bad row is reported, with its line."""
    problems: list[GeneratorError] = []
    reader = csv.reader(io.StringIO(text))
    try:
        rows = list(reader)
    except csv.Error as exc:  # e.g. a field over csv's limit of 131,072 characters
        raise GeneratorError(
            f"the line cannot be read as CSV: {exc}", path=path, line=reader.line_num, hint="write date,value"
        ) from None
    if len(rows) > MAX_ROWS:
        raise GeneratorError(
            f"the file has {len(rows) - 1:,} measurements; an indicator takes at most {MAX_ROWS - 1:,}",
            path=path,
            line=MAX_ROWS + 1,
            hint="keep one value per day, week or month",
        )
    if not rows or [cell.strip().lower() for cell in rows[0]] != ["date", "value"]:
        raise GeneratorError(
            "the first line must be the header date,value",
            path=path,
            line=1,
            hint="then one line per measurement, e.g. 2026-10-31,91.5",
        )
    points: dict[object, MetricPoint] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            problems.append(
                GeneratorError(f"expected 2 values (date,value), found {len(row)}", path=path, line=number)
            )
            continue
        day = parse_day(row[0].strip(), config.tz)
        if day is None:
            problems.append(
                GeneratorError(
                    f'"{row[0].strip()}" is not a date', path=path, line=number, hint="write YYYY-MM-DD"
                )
            )
        text = row[1].strip()
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            value = math.nan
        if not -LARGEST <= value <= LARGEST:  # also nan and inf
            problem, hint = (
                ("is not a number", "write digits, e.g. 91.5")
                if math.isnan(value)
                else ("is too large", f"an indicator is at most {LARGEST:,.0f} either side of zero")
            )
            problems.append(GeneratorError(f'"{text}" {problem}', path=path, line=number, hint=hint))
            continue
        if day is None:
            continue
        if day in points:
            problems.append(
                GeneratorError(
                    f"{day} is measured twice (lines {points[day].line} and {number})", path=path, line=number
                )
            )
            continue
        points[day] = MetricPoint(day, value, number)
    if problems:
        raise ExceptionGroup("metric", problems)
    return MetricSeries(path.stem, path, tuple(sorted(points.values(), key=lambda p: p.date)))
