"""Typed, checked access to front-matter values.

Each accessor returns the value or a safe default and records a GeneratorError
at the key's own line, so one file reports all its problems in one run.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from generator.errors import GeneratorError, did_you_mean, known_list
from generator.load.frontmatter import FrontMatter

_DATE_HINT = "write it as YYYY-MM-DD, e.g. 2026-11-23"


class Fields:
    def __init__(self, fm: FrontMatter, path: Path, errors: list[GeneratorError]) -> None:
        self.fm, self.path, self.errors = fm, path, errors
        self.data = fm.data

    def error(self, key: str, message: str, hint: str | None = None) -> None:
        self.errors.append(GeneratorError(message, path=self.path, line=self.fm.line(key), hint=hint))

    def check_known(self, allowed: Iterable[str]) -> None:
        allowed = set(allowed)
        for key in sorted(set(self.data) - allowed, key=self.fm.line):
            self.error(
                key,
                f'unknown key "{key}"',
                hint=f"{did_you_mean(str(key), allowed)}known keys: {known_list(allowed)}",
            )

    def text(self, key: str, *, required: bool = False, default: str = "") -> str:
        if key not in self.data:
            if required:
                self.error(key, f"missing {key}", hint=f"add a line `{key}: …` to the front matter")
            return default
        value = self.data[key]
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(key, f"{key} is empty", hint=f"write the {key} after `{key}:`")
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(key, f"{key} must be a text, not {_kind(value)}", hint="put it in quotes")
            return default
        return str(value).strip()

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        self.error(key, f"{key} must be true or false, not {value!r}")
        return False

    def number(self, key: str, default: int) -> int:
        value = self.data.get(key, default)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        self.error(key, f"{key} must be a whole number, not {value!r}")
        return default

    def day(self, key: str, tz: ZoneInfo, *, required: bool = False) -> date | None:
        if key not in self.data or self.data[key] is None:
            if required:
                self.error(key, f"missing {key}", hint=f"add `{key}: YYYY-MM-DD` to the front matter")
            return None
        parsed = parse_day(self.data[key], tz)
        if parsed is None:
            self.error(key, f'{key} "{self.data[key]}" is not a date', hint=_DATE_HINT)
        return parsed

    def words(self, key: str) -> tuple[str, ...]:
        """A list of texts, or one text (comma-separated texts are split)."""
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            items: list[Any] = [part for part in value.split(",")]
        elif isinstance(value, list):
            items = value
        else:
            self.error(key, f"{key} must be a list, not {_kind(value)}", hint=f"for example {key}: [a, b]")
            return ()
        result: list[str] = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                self.error(key, f"{key} must hold texts, not {_kind(item)}", hint="put each item in quotes")
                continue
            text = str(item).strip()
            if text and text not in result:
                result.append(text)
        return tuple(result)

    def choice(self, key: str, choices: Iterable[str], default: str, hint_source: str = "") -> str:
        choices = tuple(choices)
        value = self.text(key, default=default)
        if value in choices:
            return value
        self.error(
            key,
            f'unknown {key} "{value}"',
            hint=f"{did_you_mean(value, choices)}known: {', '.join(choices)}{hint_source}",
        )
        return default


def parse_day(value: Any, tz: ZoneInfo) -> date | None:
    """A front-matter value → the day it names in the site's time zone, or None."""
    if isinstance(value, datetime):
        return value.astimezone(tz).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    for parse in (
        date.fromisoformat,
        datetime.fromisoformat,
        lambda s: datetime.strptime(s, "%Y-%m-%d %H:%M:%S %z"),
        lambda s: datetime.strptime(s, "%Y-%m-%d %H:%M %z"),
    ):
        try:
            return parse_day(parse(text), tz)
        except ValueError:
            continue
    return None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"the yes/no value {str(value).lower()}"
    if isinstance(value, dict):
        return "a set of keys"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, date):
        return "a date"
    return f"{value!r}"
