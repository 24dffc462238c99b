"""Typed access to site.toml's tables, recording each problem at its key's line."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from generator.errors import GeneratorError, did_you_mean, known_list

ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LINE_BREAK = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")  # what str.splitlines splits at


class Reader:
    def __init__(self, path: Path, text: str, errors: list[GeneratorError]) -> None:
        self.path, self.errors = path, errors
        self._lines = text.splitlines()

    def line_of(self, table: str, key: str | None = None, nth: int = 0) -> int | None:
        """Line of `[table]` (or of `key = ` inside it); a tiny locator like Hugo's. `nth`:
        which one of an array of tables (`[[table]]`), counting from 0."""
        current = ""
        header_line = None
        seen = -1
        for number, raw in enumerate(self._lines, start=1):
            line = raw.strip()
            header = re.match(r"^\[\[?\s*([^\]]+?)\s*\]\]?$", line)
            if header:
                current = header.group(1).replace('"', "").replace(" ", "")
                if current == table:
                    seen += 1
                    if seen != nth:
                        current = ""  # another entry of the array
                        continue
                    header_line = number
                    if key is None:
                        return number
                continue
            if key is not None and current == table and re.match(rf"^\"?{re.escape(key)}\"?\s*=", line):
                return number
            # dotted or inline form at top level: `table.key = ` or `table = { key = … }`
            top_level = key is not None and table and current == ""
            if top_level and (
                re.match(rf"^{re.escape(table)}\s*=", line) or line.startswith(f"{table}.{key}")
            ):
                return number
        return header_line

    def error(
        self, message: str, table: str, key: str | None = None, hint: str | None = None, nth: int = 0
    ) -> None:
        line = self.line_of(table, key, nth)
        self.errors.append(GeneratorError(message, path=self.path, line=line, hint=hint))

    def unknown_keys(self, data: Mapping[str, Any], allowed: set[str], table: str, nth: int = 0) -> None:
        for key in sorted(set(data) - allowed):
            where = f"[{table}]" if table else "site.toml"
            self.error(
                f'unknown key "{key}" in {where}',
                table,
                key,
                hint=f"{did_you_mean(key, allowed)}known keys: {known_list(allowed)}",
                nth=nth,
            )

    def table(self, value: Any, table: str) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        self.error(f"{table} must be a table such as [{table}]", table)
        return {}

    def localized(
        self, value: Any, languages: tuple[str, ...], table: str, key: str, *, one_line: bool = True
    ) -> dict[str, str] | None:
        """A plain string (same in every language) or a table `{ es = "…", fr = "…" }`;
        `one_line`: a name or title, which headers, feeds and calendars show on one line."""
        if one_line and (
            (isinstance(value, str) and LINE_BREAK.search(value.strip()))
            or (
                isinstance(value, dict)
                and any(isinstance(t, str) and LINE_BREAK.search(t.strip()) for t in value.values())
            )
        ):
            self.error(f"{key} must be on one line", table, key, hint="take the line break out")
            return None
        if isinstance(value, str) and value.strip():
            return {lang: value.strip() for lang in languages}
        if isinstance(value, dict) and value:
            names: dict[str, str] = {}
            for lang, text in value.items():
                if lang not in languages:
                    self.error(
                        f'{key} has a text for language "{lang}", which the site does not have',
                        table,
                        key,
                        hint=f"{did_you_mean(lang, languages)}languages: {', '.join(languages)}",
                    )
                elif not isinstance(text, str) or not text.strip():
                    self.error(f"{key}.{lang} must be a non-empty text", table, key)
                else:
                    names[lang] = text.strip()
            return names or None
        self.error(
            f"{key} must be a text or a table of texts per language",
            table,
            key,
            hint=f'for example {key} = {{ {languages[0]} = "…" }}',
        )
        return None

    def timezone(self, value: Any, table: str, key: str) -> str:
        if isinstance(value, str):
            try:
                ZoneInfo(value)
                return value
            except (ZoneInfoNotFoundError, ValueError):
                pass
        guess = did_you_mean(value, available_timezones()) if isinstance(value, str) else ""
        self.error(
            f"unknown time zone {value!r}",
            table,
            key,
            hint=f'{guess}use an IANA name such as "Europe/Madrid" or "America/Mexico_City"',
        )
        return "UTC"

    def positive_int(self, value: Any, table: str, key: str, default: int, largest: int) -> int:
        """A whole number from 1 to `largest` (every setting has a sensible end: a larger
        one would make the build run for ever or past the calendar's last year)."""
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= largest:
            return value
        if isinstance(value, int) and not isinstance(value, bool) and value > largest:
            self.error(f"{key} must be at most {largest:,}", table, key)
        else:
            self.error(f"{key} must be a whole number above 0, not {value!r}", table, key)
        return default

    def choice(self, value: Any, choices: tuple[str, ...], table: str, key: str) -> str | None:
        if value in choices:
            return str(value)
        self.error(
            f"{key} must be one of {', '.join(choices)}, not {value!r}",
            table,
            key,
            hint=did_you_mean(str(value), choices).strip() or None,
        )
        return None

    def ident(self, table: str, ident: str, reserved: frozenset[str] = frozenset()) -> bool:
        if ID.match(ident) and ident not in reserved:
            return True
        self.error(
            f'"{ident}" cannot be used as an id',
            f"{table}.{ident}",
            hint="use lowercase letters, digits and hyphens"
            + (f"; these are reserved: {known_list(reserved)}" if reserved else ""),
        )
        return False
