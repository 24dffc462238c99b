"""content/site.toml → `Config`: every key checked, every problem reported at once.

Reads one file and nothing else. Unknown keys are errors (with "did you mean"),
because a mistyped key would otherwise be ignored in silence.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from generator.errors import GeneratorError, did_you_mean, known_list, raise_all, toml_problem

EVERYONE = "all"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_TOP_KEYS = {
    "title",
    "organisation",
    "base_url",
    "timezone",
    "languages",
    "news_per_page",
    "feed_entries",
    "audiences",
    "offices",
}


@dataclass(frozen=True)
class Audience:
    """A group of readers. Open audiences are labels on the main site; restricted
    ones get their own tree and are never shown to anyone else."""

    id: str
    names: Mapping[str, str]
    restricted: bool = False
    office: bool = False

    def name(self, lang: str) -> str:
        return self.names.get(lang) or next(iter(self.names.values()), self.id)


@dataclass(frozen=True)
class Office:
    id: str
    names: Mapping[str, str]
    country: str
    subdivision: str | None
    timezone: str


@dataclass(frozen=True)
class Config:
    source: Path
    titles: Mapping[str, str]
    organisation: str
    base_url: str
    timezone: str
    languages: tuple[str, ...]
    audiences: Mapping[str, Audience]
    offices: Mapping[str, Office]
    news_per_page: int = 10
    feed_entries: int = 20

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles[self.default_language]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class _Reader:
    """Typed access to one TOML table, recording errors at the key's line."""

    def __init__(self, path: Path, text: str, errors: list[GeneratorError]) -> None:
        self.path, self.errors = path, errors
        self._lines = text.splitlines()

    def line_of(self, table: str, key: str | None = None) -> int | None:
        """Line of `[table]` (or of `key = ` inside it); a tiny locator like Hugo's."""
        current = ""
        header_line = None
        for number, raw in enumerate(self._lines, start=1):
            line = raw.strip()
            header = re.match(r"^\[\s*([^\]]+?)\s*\]$", line)
            if header:
                current = header.group(1).replace('"', "").replace(" ", "")
                if current == table:
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

    def error(self, message: str, table: str, key: str | None = None, hint: str | None = None) -> None:
        self.errors.append(GeneratorError(message, path=self.path, line=self.line_of(table, key), hint=hint))

    def unknown_keys(self, data: Mapping[str, Any], allowed: set[str], table: str) -> None:
        for key in sorted(set(data) - allowed):
            where = f"[{table}]" if table else "site.toml"
            self.error(
                f'unknown key "{key}" in {where}',
                table,
                key,
                hint=f"{did_you_mean(key, allowed)}known keys: {known_list(allowed)}",
            )

    def localized(
        self, value: Any, languages: tuple[str, ...], table: str, key: str
    ) -> dict[str, str] | None:
        """A plain string (same in every language) or a table `{ es = "…", fr = "…" }`."""
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


def load_config(path: Path) -> Config:
    """Read and check site.toml; raise every problem at once as an ExceptionGroup."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise_all(
            [
                GeneratorError(
                    "no site.toml found",
                    path=path,
                    hint="every project needs content/site.toml; copy the sample one to start",
                )
            ]
        )
        raise  # unreachable: raise_all raised
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise_all([GeneratorError("the file is not UTF-8 text", path=path, line=line)])
        raise
    return parse_config(text, path)


def parse_config(text: str, path: Path) -> Config:
    """site.toml text → Config; pure."""
    try:
        data = tomllib.loads(text.replace("\r\n", "\n"))
    except tomllib.TOMLDecodeError as exc:
        message, line = toml_problem(exc, text)
        raise ExceptionGroup(
            "config",
            [
                GeneratorError(
                    f"not valid TOML: {message}",
                    path=path,
                    line=line,
                    hint="check quotes, brackets and `key = value` syntax",
                )
            ],
        ) from None
    errors: list[GeneratorError] = []
    r = _Reader(path, text, errors)
    r.unknown_keys(data, _TOP_KEYS, "")

    languages = _languages(r, data.get("languages"))
    titles = r.localized(data.get("title"), languages, "", "title") or {languages[0]: "Intranet"}
    organisation = data.get("organisation", "")
    if not isinstance(organisation, str):
        r.error("organisation must be a text", "", "organisation")
        organisation = ""
    base_url = data.get("base_url")
    if not isinstance(base_url, str) or not re.match(r"^https?://[^/\s]+", base_url or ""):
        r.error(
            "base_url must be the absolute address of the published site",
            "",
            "base_url",
            hint='for example base_url = "https://intranet.example.com/"',
        )
        base_url = "https://intranet.invalid/"
    timezone = data.get("timezone", "UTC")
    timezone = _timezone(r, timezone, "", "timezone")

    offices = _offices(r, data.get("offices", {}), languages)
    audiences = _audiences(r, data.get("audiences", {}), languages, offices)

    per_page = _positive_int(r, data.get("news_per_page", 10), "news_per_page")
    feed_entries = _positive_int(r, data.get("feed_entries", 20), "feed_entries")
    raise_all(errors)
    return Config(
        source=path,
        titles=titles,
        organisation=organisation.strip(),
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        timezone=timezone,
        languages=languages,
        audiences=audiences,
        offices=offices,
        news_per_page=per_page,
        feed_entries=feed_entries,
    )


def _languages(r: _Reader, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        r.error(
            "languages must be a non-empty list of language codes, the default first",
            "",
            "languages",
            hint='for example languages = ["es", "fr", "en"]',
        )
        return ("en",)
    good: list[str] = []
    for code in value:
        try:
            Locale.parse(code)
        except (UnknownLocaleError, ValueError):
            r.error(
                f'unknown language code "{code}"',
                "",
                "languages",
                hint="use codes such as es, fr, en",
            )
            continue
        if code in good:
            r.error(f'language "{code}" is listed twice', "", "languages")
            continue
        good.append(code)
    return tuple(good) or ("en",)


def _timezone(r: _Reader, value: Any, table: str, key: str) -> str:
    if isinstance(value, str):
        try:
            ZoneInfo(value)
            return value
        except (ZoneInfoNotFoundError, ValueError):
            pass
    r.error(
        f"unknown time zone {value!r}",
        table,
        key,
        hint='use an IANA name such as "Europe/Madrid" or "America/Mexico_City"',
    )
    return "UTC"


def _positive_int(r: _Reader, value: Any, key: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    r.error(f"{key} must be a whole number above 0, not {value!r}", "", key)
    return 10


def _check_id(r: _Reader, table: str, ident: str) -> bool:
    if _ID.match(ident) and ident != EVERYONE:
        return True
    r.error(
        f'"{ident}" cannot be used as an id',
        f"{table}.{ident}",
        hint=f'use lowercase letters, digits and hyphens; "{EVERYONE}" is reserved for everyone',
    )
    return False


def _offices(r: _Reader, value: Any, languages: tuple[str, ...]) -> dict[str, Office]:
    offices: dict[str, Office] = {}
    if not isinstance(value, dict):
        r.error("offices must be tables such as [offices.madrid]", "", "offices")
        return offices
    allowed = {"name", "country", "subdivision", "timezone"}
    for ident, table in sorted(value.items()):
        where = f"offices.{ident}"
        if not _check_id(r, "offices", ident) or not isinstance(table, dict):
            continue
        r.unknown_keys(table, allowed, where)
        names = r.localized(table.get("name", ident), languages, where, "name") or {}
        country = table.get("country")
        if not isinstance(country, str) or not re.match(r"^[A-Z]{2}$", country):
            r.error(
                f"office {ident} needs country, a two-letter ISO code",
                where,
                "country",
                hint='for example country = "ES"',
            )
            country = ""
        subdivision = table.get("subdivision")
        if subdivision is not None and not isinstance(subdivision, str):
            r.error('subdivision must be a text such as "MD"', where, "subdivision")
            subdivision = None
        tz = _timezone(r, table.get("timezone", "UTC"), where, "timezone")
        offices[ident] = Office(ident, names, country, subdivision, tz)
    return offices


def _audiences(
    r: _Reader, value: Any, languages: tuple[str, ...], offices: Mapping[str, Office]
) -> dict[str, Audience]:
    audiences: dict[str, Audience] = {
        ident: Audience(ident, office.names, restricted=False, office=True)
        for ident, office in offices.items()
    }
    if not isinstance(value, dict):
        r.error("audiences must be tables such as [audiences.managers]", "", "audiences")
        return audiences
    for ident, table in sorted(value.items()):
        where = f"audiences.{ident}"
        if not _check_id(r, "audiences", ident) or not isinstance(table, dict):
            continue
        if ident in offices:
            r.error(
                f'audience "{ident}" has the id of an office',
                where,
                hint="every office is already an audience; rename one of them",
            )
            continue
        r.unknown_keys(table, {"name", "restricted"}, where)
        names = r.localized(table.get("name", ident), languages, where, "name") or {}
        restricted = table.get("restricted", False)
        if not isinstance(restricted, bool):
            r.error("restricted must be true or false", where, "restricted")
            restricted = True
        audiences[ident] = Audience(ident, names, restricted=restricted)
    return audiences
