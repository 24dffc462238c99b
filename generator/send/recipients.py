"""recipients.csv → Recipient: checked completely before anything is sent."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from pathlib import Path

from generator.config import Config
from generator.errors import GeneratorError, did_you_mean, known_list
from generator.urls import EVERYONE

HEADER = ["email", "name", "lang", "audiences"]
# Strict: one @, a dot-atom local part, a domain of labels with a dot; no quoting, no comments.
_ADDRESS = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    lang: str
    audiences: tuple[str, ...]  # sorted; () = company-wide content only
    line: int

    @property
    def address(self) -> Address:
        user, domain = self.email.rsplit("@", 1)
        return Address(display_name=self.name, username=user, domain=domain)


# Header names as Excel users write them in the company's languages (accents and case ignored).
_COLUMNS = {
    "email": {"email", "e-mail", "mail", "correo", "correo electronico", "courriel", "adresse e-mail",
              "adresse electronique", "adresse mail"},
    "name": {"name", "nombre", "nom", "nom complet", "nombre completo", "full name"},
    "lang": {"lang", "language", "idioma", "langue", "lengua"},
    "audiences": {"audiences", "audience", "audiencias", "audiencia", "publicos", "publics", "groups",
                  "grupos", "groupes"},
}  # fmt: skip


NAME_LIMIT = 200  # characters: a name goes into the To header


def read_recipients(path: Path, config: Config) -> list[Recipient]:
    """Every row checked; every problem raised at once as `recipients.csv:LINE: …`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise GeneratorError("the recipients file does not exist", path=path) from None
    return parse_recipients(decode_recipients(raw), path, config)


def decode_recipients(raw: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 ("Unicode text"), else Windows-1252: what Excel
    in Spanish or French saves as "CSV (delimitado por comas)" / "CSV (séparateur : point-virgule)"."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(folded.casefold().replace("_", " ").split())


def _delimiter(text: str) -> str:
    """`,` as written by hand and English Excel, `;` by Spanish and French Excel, tab by "Unicode text"."""
    first = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=first.count)


def parse_recipients(text: str, path: Path, config: Config) -> list[Recipient]:
    errors: list[GeneratorError] = []
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    rows: list[tuple[int, list[str]]] = []  # (first line of the row, its cells): quoted cells may span lines
    last = 0
    try:
        for row in reader:
            rows.append((last + 1, row))
            last = reader.line_num
    except csv.Error as exc:  # e.g. a cell over csv's limit of 131,072 characters
        raise GeneratorError(
            f"the line cannot be read as CSV: {exc}", path=path, line=last + 1, hint="one person per line"
        ) from None
    header = [_plain(cell) for cell in rows[0][1]] if rows else []
    where = {
        key: next((i for i, h in enumerate(header) if h in names), -1) for key, names in _COLUMNS.items()
    }
    if len(header) != len(HEADER) or -1 in where.values():
        raise GeneratorError(
            f"the first line must be the header {','.join(HEADER)}",
            path=path,
            line=1,
            hint="in any order, also as Excel writes it in Spanish or French "
            "(Correo;Nombre;Idioma;Audiencias, Courriel;Nom;Langue;Audiences); "
            "audiences are separated by ; and may be empty",
        )
    found: list[Recipient] = []
    seen: dict[str, int] = {}
    for number, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue

        def error(message: str, hint: str | None = None, line: int = number) -> None:
            errors.append(GeneratorError(message, path=path, line=line, hint=hint))

        if len(row) != 4:
            error(
                f"expected 4 values (email,name,lang,audiences), found {len(row)}",
                "quote names that hold commas",
            )
            continue
        email, name, lang, audiences = (row[where[key]].strip() for key in HEADER)
        problems = len(errors)
        if not _ADDRESS.match(email):
            error(f'"{email}" is not an e-mail address')
        elif email.lower() in seen:
            error(
                f"{email} is listed twice (lines {seen[email.lower()]} and {number})",
                "keep one line per person",
            )
        else:
            seen[email.lower()] = number
        if any(c in name for c in "\r\n\x00") or "\n" in row[where["name"]]:
            error("the name holds a line break, which a mail header cannot", "write the name on one line")
        elif len(name) > NAME_LIMIT:
            error(f"the name is longer than {NAME_LIMIT} characters", "write the name people know")
        else:
            try:
                Address(display_name=name, username="x", domain="example.com")
            except (ValueError, HeaderParseError):
                error(f'"{name}" cannot be used as a name in a mail header')
        if lang not in config.languages:
            error(
                f'unknown language "{lang}"',
                f"{did_you_mean(lang, config.languages)}languages: {', '.join(config.languages)}",
            )
        chosen = [a.strip() for a in re.split(r"[;,]", audiences) if a.strip()]
        for audience in chosen:
            if audience not in config.audiences:
                known = set(config.audiences)
                error(
                    f'unknown audience "{audience}"',
                    f"{did_you_mean(audience, known)}audiences: {known_list(known)} (see content/site.toml)",
                )
        if len(errors) == problems:
            ids = tuple(sorted({a for a in chosen if a != EVERYONE}))
            found.append(Recipient(email, name, lang, ids, number))
    if errors:
        raise ExceptionGroup("recipients", errors)
    return found
