"""Tables exported from forms and spreadsheets, read as they come: UTF-8 with or without
a byte-order mark, or UTF-16 (Excel's "Unicode text"); fields separated by `,`, `;` or
a tab; quoted fields over several lines. Each row keeps the line it starts on."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from generator.errors import GeneratorError

DELIMITERS = (",", ";", "\t")


def read_table(raw: bytes, path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (cells stripped) and each row with the line it starts on."""
    text = decoded(raw, path)
    first = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    try:
        header = [cell.strip() for cell in next(reader, [])]
        while True:
            line = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                break
            rows.append((line, row))
    except csv.Error as exc:
        raise GeneratorError(f"not a readable CSV row: {exc}", path=path, line=reader.line_num or 1) from None
    if not any(header):
        raise GeneratorError("the file is empty: no header row", path=path, line=1)
    return header, rows


def decoded(raw: bytes, path: Path) -> str:
    """The text of an export in UTF-8 (with or without its mark) or UTF-16."""
    if raw.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise GeneratorError(
            f"the file is not {encoding.upper()} (byte {exc.start})",
            path=path,
            line=line,
            hint="export it again as CSV (UTF-8) or as Unicode text (UTF-16)",
        ) from None
