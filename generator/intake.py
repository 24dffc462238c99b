"""`intranet import kudos FORM.csv --map MAP.toml`: a Microsoft Forms or Google Forms
export turned into content/kudos/*.md, one file per response.

The export is read as it comes: UTF-8 with or without a byte-order mark, or UTF-16
(Excel's "Unicode text"); fields separated by `,`, `;` or a tab; dates in the export's
own format (day or month first is decided from the whole column, or named with
`date_format`). MAP.toml names the columns; a column it names that the export lacks
stops the import before anything is written. Each response is checked as the build
checks a kudos file (its value one of the company's, its team known, its language one
of the site's); a rejected row is reported at its line of the export, the others are
written. A response already imported (the same form and response id, kept in the
file's `response` key) is skipped, so the same export can be imported again after
more people answered. Free text is written as text: `<b>` shows as `<b>`.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from babel import Locale

from generator.cache import digest
from generator.config import Config
from generator.config.named import Named
from generator.errors import GeneratorError, did_you_mean, known_list, raise_all, toml_problem
from generator.load.documents import read_document
from generator.load.kudos import load_one_kudos
from generator.load.tables import read_table
from generator.urls import slugify

REQUIRED = ("date", "from", "to", "value", "message")
OPTIONAL = ("id", "team", "lang")
KNOWN = (*REQUIRED, *OPTIONAL)
MAX_BYTES = 20_000_000  # an export of many thousand responses is a few megabytes
FOLDER = Path("content") / "kudos"
# what forms write after the date: a time, a.m./p.m. in several spellings, a time zone
_TIME = re.compile(
    r"[ T]\d{1,2}:\d{2}(:\d{2})?(\.\d+)?\s*([ap]\.?\s?m\.?)?\s*(gmt|utc|z)?\s*([+-]\d{1,2}(:?\d{2})?)?$", re.I
)
_DAY = re.compile(r"^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})$")


@dataclass(frozen=True)
class FormMap:
    """MAP.toml: which column holds what, and how the export writes its dates."""

    source: Path
    form: str  # names the form in each file's `response` key
    columns: dict[str, str]  # field → the export's column header
    lines: dict[str, int]  # field → its line in MAP.toml
    date_format: str | None = None
    values: dict[str, str] = field(default_factory=dict)  # an answer as written → a value id


@dataclass(frozen=True)
class Imported:
    written: list[Path]
    skipped: int  # responses imported before
    rejected: list[GeneratorError]  # FORM.csv:LINE: …, one per row


def import_kudos(
    project: Path, config: Config, form: Path, map_file: Path, *, dry_run: bool = False
) -> Imported:
    """Read, check and write; raises (nothing written) when the map or the export itself
    cannot be used."""
    mapping = read_map(map_file, config)
    header, rows = read_form(form)
    check_columns(mapping, header)
    where = {name: header.index(mapping.columns[name]) for name in mapping.columns}
    days = _dates(
        mapping, form, [(line, row[where["date"]] if where["date"] < len(row) else "") for line, row in rows]
    )
    folder = project / FOLDER
    done = _imported(folder)
    rejected: list[GeneratorError] = []
    written: list[Path] = []
    skipped = 0
    taken = {p.name for p in folder.glob("*.md")} if folder.is_dir() else set()
    with tempfile.TemporaryDirectory(prefix="intranet-import-") as scratch:
        for line, row in rows:
            cells = {name: (row[i].strip() if i < len(row) else "") for name, i in where.items()}
            if not any(cells.values()):
                continue  # an empty line at the end of an export
            response = f"{mapping.form}:{cells.get('id') or _row_digest(cells)}"
            if response in done:
                skipped += 1
                continue
            try:
                kudos = _kudos(cells, days.get(line), config, mapping, form, line)
            except GeneratorError as error:
                rejected.append(error)
                continue
            name = _file_name(kudos, response, config, taken)
            text = _document(kudos, response)
            problem = _checked(Path(scratch), name, text, config, form, line)
            if problem is not None:
                rejected.append(problem)
                continue
            taken.add(name)
            done.add(response)
            written.append(folder / name)
            if not dry_run:
                folder.mkdir(parents=True, exist_ok=True)
                temporary = folder / f".{name}.tmp"
                temporary.write_text(text, encoding="utf-8")
                temporary.replace(folder / name)
    return Imported(written, skipped, rejected)


def read_map(path: Path, config: Config) -> FormMap:
    """MAP.toml, every problem at its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GeneratorError(f"cannot read the map: {exc}", path=path) from None
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        message, line = toml_problem(exc, text)
        raise GeneratorError(message, path=path, line=line) from None
    lines = text.splitlines()

    def line_of(key: str, section: str = "columns") -> int | None:
        inside = False
        for number, content in enumerate(lines, 1):
            stripped = content.strip()
            if stripped.startswith("["):
                inside = stripped.strip("[] ") == section
            elif inside and re.match(rf'^"?{re.escape(key)}"?\s*=', stripped):
                return number
        return None

    problems: list[GeneratorError] = []
    example = "[columns] with " + ", ".join(f'{k} = "{v}"' for k, v in _EXAMPLES.items())
    columns_table = data.get("columns")
    if not isinstance(columns_table, dict):
        raise GeneratorError("the map needs a [columns] table", path=path, line=1, hint=example)
    for key in sorted(set(data) - {"columns", "values", "form", "date_format"}):
        problems.append(
            GeneratorError(
                f"unknown setting {key!r}",
                path=path,
                line=line_of(key, "") or 1,
                hint=f"{did_you_mean(key, ['columns', 'values', 'form', 'date_format'])}"
                "known: [columns], [values], form, date_format",
            )
        )
    columns: dict[str, str] = {}
    for key, header in columns_table.items():
        if key not in (*REQUIRED, *OPTIONAL):
            problems.append(
                GeneratorError(
                    f"unknown column setting {key!r}",
                    path=path,
                    line=line_of(key),
                    hint=f"{did_you_mean(key, KNOWN)}known: {known_list(KNOWN)}",
                )
            )
        elif not isinstance(header, str) or not header.strip():
            problems.append(
                GeneratorError(f"{key} must name a column of the export", path=path, line=line_of(key))
            )
        else:
            columns[key] = header.strip()
    for key in REQUIRED:
        if key not in columns_table:
            problems.append(
                GeneratorError(
                    f"[columns] needs {key}: the export's column that holds the kudos' {key}",
                    path=path,
                    line=line_of("columns", "") or 1,
                    hint=f'for example {key} = "{_EXAMPLES[key]}"',
                )
            )
    date_format = data.get("date_format")
    if date_format is not None and (not isinstance(date_format, str) or "%" not in date_format):
        problems.append(
            GeneratorError(
                "date_format must be a strptime format",
                path=path,
                line=line_of("date_format", ""),
                hint='for example date_format = "%d/%m/%Y %H:%M:%S"',
            )
        )
        date_format = None
    values: dict[str, str] = {}
    values_table = data.get("values", {})
    if not isinstance(values_table, dict):
        problems.append(
            GeneratorError(
                "[values] must be a table: answer = value id", path=path, line=line_of("values", "")
            )
        )
    else:
        for answer, value in values_table.items():
            if value not in config.values:
                problems.append(
                    GeneratorError(
                        f"unknown value {value!r}",
                        path=path,
                        line=line_of(answer, "values"),
                        hint=f"{did_you_mean(str(value), config.values)}"
                        f"company values: {known_list(config.values)}",
                    )
                )
            else:
                values[_folded(answer)] = value
    form = data.get("form", path.stem)
    if not isinstance(form, str) or not slugify(form):
        problems.append(
            GeneratorError(
                'form must be a name, e.g. form = "kudos-2026"', path=path, line=line_of("form", "")
            )
        )
        form = path.stem
    raise_all(problems, "map problems")
    found_lines = {key: line_of(key) or 1 for key in columns}
    return FormMap(path, slugify(form), columns, found_lines, date_format, values)


_EXAMPLES = {
    "date": "Hora de finalización",
    "from": "Nombre",
    "to": "¿A quién quieres reconocer?",
    "value": "Valor",
    "message": "Mensaje",
}


def read_form(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The export's header and its rows, each with the line it starts on (load/tables.py)."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise GeneratorError(
                f"the export is {size / 1_000_000:.0f} MB; at most {MAX_BYTES // 1_000_000} MB are read",
                path=path,
                hint="export the responses of a shorter period",
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise GeneratorError(f"cannot read the export: {exc.strerror or exc}", path=path) from None
    return read_table(raw, path)


def check_columns(mapping: FormMap, header: list[str]) -> None:
    """Every column the map names is in the export: else nothing is imported."""
    problems = [
        GeneratorError(
            f"the export has no column {wanted!r}",
            path=mapping.source,
            line=mapping.lines.get(key),
            hint=f"{did_you_mean(wanted, header)}its columns: {', '.join(repr(h) for h in header if h)}",
        )
        for key, wanted in mapping.columns.items()
        if wanted not in header
    ]
    raise_all(problems, "map problems")


def _dates(mapping: FormMap, form: Path, cells: list[tuple[int, str]]) -> dict[int, dt.date]:
    """Each row's date, by line; a date that cannot be read is left out (its row is
    rejected). Day or month first is decided from the whole column."""
    found: dict[int, dt.date] = {}
    if mapping.date_format is not None:
        for line, cell in cells:
            try:
                found[line] = dt.datetime.strptime(cell.strip(), mapping.date_format).date()
            except ValueError:
                continue
        return found
    parts: dict[int, tuple[int, int, int]] = {}
    for line, cell in cells:
        day_part = _TIME.sub("", cell.strip())
        match = _DAY.match(day_part)
        if match:
            parts[line] = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
    year_first = all(a > 31 for a, _, _ in parts.values()) and bool(parts)
    if year_first:
        for line, (y, m, d) in parts.items():
            day = _day(y, m, d)
            if day is not None:
                found[line] = day
        return found
    day_first = any(a > 12 for a, _, _ in parts.values())
    month_first = any(b > 12 for _, b, _ in parts.values())
    if day_first and month_first:
        day_first = month_first = False  # mixed: each date that reads one way only is taken
    if (
        not day_first
        and not month_first
        and any(a != b and a <= 12 and b <= 12 for a, b, _ in parts.values())
    ):
        raise GeneratorError(
            "the dates could be day first or month first (all of them read both ways)",
            path=mapping.source,
            line=mapping.lines.get("date"),
            hint='say which with date_format, e.g. date_format = "%d/%m/%Y %H:%M:%S" '
            'or "%m/%d/%Y %I:%M:%S %p"',
        )
    for line, (a, b, year) in parts.items():
        day = _day(year, a, b) if month_first else _day(year, b, a)
        if day is not None:
            found[line] = day
    return found


def _day(year: int, month: int, day: int) -> dt.date | None:
    if year < 100:
        year += 2000
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _kudos(
    cells: dict[str, str], day: dt.date | None, config: Config, mapping: FormMap, form: Path, line: int
) -> dict[str, object]:
    """The front matter and message of one response; a GeneratorError at its line for
    the first thing that is wrong with it."""

    def refuse(message: str, hint: str | None = None) -> GeneratorError:
        return GeneratorError(message, path=form, line=line, hint=hint)

    if day is None:
        raise refuse(
            f"cannot read the date {cells.get('date', '')!r}",
            'name its format in the map: date_format = "%d/%m/%Y %H:%M:%S"',
        )
    sender = " ".join(cells["from"].split())
    if not sender:
        raise refuse("who gives the kudos is empty", f"column {mapping.columns['from']!r}")
    recipients = [" ".join(p.split()) for p in re.split(r"[;,\n]", cells["to"]) if p.strip()]
    if not recipients:
        raise refuse("who is thanked is empty", f"column {mapping.columns['to']!r}")
    value = _value(cells["value"], config, mapping)
    if value is None:
        names = sorted(
            {*config.values, *(v.name(lang) for v in config.values.values() for lang in config.languages)}
        )
        raise refuse(
            f"unknown value {cells['value']!r}",
            f"{did_you_mean(cells['value'], names)}company values: {known_list(config.values)}, "
            "or their names; or map the answer in the map's [values]",
        )
    team = None
    if cells.get("team"):
        team = _named(cells["team"], config.teams, config)
        if team is None:
            raise refuse(
                f"unknown team {cells['team']!r}",
                f"{did_you_mean(cells['team'], config.teams)}teams: {known_list(config.teams)} "
                "(see content/site.toml)",
            )
    lang = config.default_language
    if cells.get("lang"):
        found = _language(cells["lang"], config)
        if found is None:
            raise refuse(
                f"unknown language {cells['lang']!r}", f"this site's languages: {', '.join(config.languages)}"
            )
        lang = found
    message = cells["message"].strip()
    if not message:
        raise refuse("the message is empty", f"column {mapping.columns['message']!r}")
    return {
        "date": day,
        "from": sender,
        "to": recipients,
        "value": value,
        "team": team,
        "lang": lang,
        "message": message,
    }


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def _value(answer: str, config: Config, mapping: FormMap) -> str | None:
    if _folded(answer) in mapping.values:
        return mapping.values[_folded(answer)]
    return _named(answer, config.values, config)


def _named(answer: str, known: Mapping[str, Named], config: Config) -> str | None:
    """An id of `known` from the id itself or its name in any of the site's languages."""
    folded = _folded(answer)
    for ident, named in known.items():
        names = {ident, *(named.name(lang) for lang in config.languages)}
        if folded in {_folded(n) for n in names}:
            return ident
    return None


def _language(answer: str, config: Config) -> str | None:
    folded = _folded(answer)
    for lang in config.languages:
        names = {lang, *(Locale.parse(lang).get_display_name(other) or "" for other in config.languages)}
        if folded in {_folded(n) for n in names} or folded.split("-")[0] == lang:
            return lang
    return None


def _row_digest(cells: dict[str, str]) -> str:
    return digest(*(cells.get(k, "") for k in REQUIRED))[:12]


def _file_name(kudos: dict[str, object], response: str, config: Config, taken: set[str]) -> str:
    recipients = kudos["to"]
    assert isinstance(recipients, list)
    who = slugify(str(recipients[0]))[:40].strip("-") or "kudos"
    short = digest(response)[:6]
    suffix = "" if kudos["lang"] == config.default_language else f".{kudos['lang']}"
    name = f"{kudos['date']}-{who}-{short}{suffix}.md"
    count = 2
    while name in taken:
        name = f"{kudos['date']}-{who}-{short}-{count}{suffix}.md"
        count += 1
    return name


def _document(kudos: dict[str, object], response: str) -> str:
    front = {
        "date": kudos["date"],
        "from": kudos["from"],
        "to": kudos["to"],
        "value": kudos["value"],
        **({"team": kudos["team"]} if kudos["team"] else {}),
        "lang": kudos["lang"],
        "response": response,
    }
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000)
    body = html.escape(str(kudos["message"]), quote=False).replace("\r\n", "\n").replace("\r", "\n")
    return f"---\n{header}---\n{body}\n"


def _checked(
    scratch: Path, name: str, text: str, config: Config, form: Path, line: int
) -> GeneratorError | None:
    """Load the file as the build will; its first problem, told at the export's line."""
    folder = scratch / "kudos"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    try:
        load_one_kudos(path, folder, config.content_settings())
    except ExceptionGroup as group:
        first = next(e for e in _flat(group) if isinstance(e, GeneratorError))
        return GeneratorError(first.message, path=form, line=line, hint=first.hint)
    except GeneratorError as error:
        return GeneratorError(error.message, path=form, line=line, hint=error.hint)
    finally:
        path.unlink(missing_ok=True)
    return None


def _flat(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    found: list[BaseException] = []
    for error in group.exceptions:
        found += _flat(error) if isinstance(error, BaseExceptionGroup) else [error]
    return found


def _imported(folder: Path) -> set[str]:
    """The `response` of every kudos file already there."""
    found: set[str] = set()
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.md")):
        try:
            data = read_document(path, folder).data
        except (OSError, GeneratorError, ExceptionGroup):
            continue
        response = data.get("response") if isinstance(data, dict) else None
        if isinstance(response, str):
            found.add(response)
    return found
