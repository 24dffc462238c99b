"""The one user-facing error type, and how many of them travel together.

A `GeneratorError` is a problem the content author can fix: it names the file
and line, says what is wrong and how to fix it, and is shown without a
traceback. Loaders gather every problem they find and raise them together as
one `ExceptionGroup`, so a single run reports everything.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path


class GeneratorError(Exception):
    """A problem the content author can fix. Shown without a traceback."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        message = clip(visible(message))
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.hint = visible(hint) if hint else hint

    def format(self, root: Path | None = None) -> str:
        """`path:line: message; hint`, with the path relative to `root` when inside it."""
        text = f"{self.message}; {self.hint}" if self.hint else self.message
        if self.path is None:
            return text
        return f"{location(self.path, self.line, root)}: {text}"

    def __str__(self) -> str:
        return self.format()

    def sort_key(self) -> tuple[str, int, str]:
        return (str(self.path or ""), self.line or 0, self.message)


MESSAGE_LIMIT = 400  # characters: a message quoting a huge value still fits on a screen


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """`text` with each control character written as an escape (`\\x1b`), so a value
    quoted from a hostile file can neither hide nor drive the terminal showing it."""
    return _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


def clip(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """`text`, cut to `limit` characters with "…" where it was cut."""
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def location(path: Path, line: int | None, root: Path | None) -> str:
    shown = path
    if root is not None:
        try:
            shown = path.resolve().relative_to(root.resolve())
        except ValueError:
            shown = path
    return f"{shown.as_posix()}:{line}" if line else shown.as_posix()


def raise_all(errors: Iterable[GeneratorError], what: str = "content problems") -> None:
    """Raise every gathered error at once, or nothing when there are none."""
    gathered = sorted(errors, key=GeneratorError.sort_key)
    if gathered:
        raise ExceptionGroup(what, gathered)


def did_you_mean(value: str, known: Iterable[str]) -> str:
    """`did you mean "x"? ` when a close match exists, else an empty string."""
    matches = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return f'did you mean "{matches[0]}"? ' if matches else ""


def known_list(known: Iterable[str]) -> str:
    return ", ".join(sorted(known)) or "(none)"


def toml_problem(exc: Exception, text: str) -> tuple[str, int]:
    """What tomllib refused, as (message, line). A syntax error gives its position only
    inside the message; a number over Python's 4,300 digits or nesting deeper than the
    interpreter's stack are not syntax errors to tomllib, and are told here the same way."""
    lines = text.splitlines()
    if isinstance(exc, RecursionError):
        return "values are nested too deeply", 1
    if not isinstance(exc, tomllib.TOMLDecodeError):  # ValueError: int("9" * 5000)
        found = next((i for i, line in enumerate(lines, 1) if re.search(r"[0-9_]{4000,}", line)), 1)
        return "a number has more than 4,300 digits", found
    message = str(exc)
    found_at = re.search(r"\s*\(at line (\d+), column \d+\)", message)
    if found_at:
        return message[: found_at.start()], int(found_at.group(1))
    last = max((i for i, line in enumerate(lines, 1) if line.strip()), default=1)
    return re.sub(r"\s*\(at end of document\)", "", message), last


def flatten(group: BaseExceptionGroup[GeneratorError] | None) -> list[GeneratorError]:
    """Every GeneratorError of a (possibly nested) group, in order."""
    if group is None:
        return []
    found: list[GeneratorError] = []
    for exc in group.exceptions:
        found += flatten(exc) if isinstance(exc, BaseExceptionGroup) else [exc]
    return found
