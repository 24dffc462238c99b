"""How every loader reads content/: one file finder and one contract.

Finder: `content_files` lists a folder's files of the given kinds, sorted, leaving out
what is not content: names starting with "." or "_" (hidden files, a `_drafts/` folder,
notes) and editor files (`x.md~`, `.x.md.swp`).

Contract: a loader reads one file, `load_x(path, config, …) -> item`, and raises what is
wrong with it — one GeneratorError, or every problem of the file at once as an
ExceptionGroup of them (errors.raise_all). Problems that only skip a part of a file
(a broken event in a calendar) are warnings, appended to the `warnings` list it is given.
`gather` runs a loader over files and collects every file's problems, so one run
reports them all.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePath
from typing import TypeVar

from generator.errors import GeneratorError, flatten

T = TypeVar("T")
EDITOR_FILES = ("~", ".swp", ".swx", ".tmp")

# The largest file of each kind the build reads: past these, a file is refused at once
# with a clear error, not read for minutes (a long announcement is about 20 KB; a 1 MB
# Markdown file takes about 3 s to render; a year of daily indicator values is 6 KB).
MARKDOWN_LIMIT = 1_000_000
CSV_LIMIT = 5_000_000
CALENDAR_LIMIT = 50_000_000


def ignored(rel: PurePath) -> bool:
    """Whether a path below content/ is left out of the build on purpose."""
    return any(part.startswith((".", "_")) for part in rel.parts) or rel.name.endswith(EDITOR_FILES)


def content_files(
    folder: Path, suffixes: Iterable[str] | None = None, *, top_only: bool = False
) -> list[Path]:
    """The files below `folder` (or only directly in it), with one of `suffixes` (any case)
    when given, sorted by path. A link to a folder is not followed."""
    if not folder.is_dir():
        return []
    wanted = tuple(s.lower() for s in suffixes) if suffixes is not None else None
    found = [
        Path(entry.path)
        for entry in _scan(str(folder), top_only)
        if wanted is None or _suffix(entry.name).lower() in wanted
    ]
    return sorted(found)


def _suffix(name: str) -> str:
    """`PurePath(name).suffix`, without making a path of every file name."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def linked_files(folder: Path) -> list[Path]:
    """The files of `content_files(folder)` that are symbolic links, sorted."""
    return sorted(Path(entry.path) for entry in _scan(str(folder), False) if entry.is_symlink())


def _scan(folder: str, top_only: bool) -> Iterator[os.DirEntry[str]]:
    """The files in `folder` that are not left out (see `ignored`), one
    directory read each (this runs over every file of a large site on every build)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_dir(follow_symlinks=False):
            if not top_only:
                yield from _scan(entry.path, top_only)
        elif entry.is_file() and not entry.name.endswith(EDITOR_FILES):
            yield entry


def read_limited(path: Path, limit: int, hint: str) -> bytes:
    """The bytes of `path`, refused with a GeneratorError when it holds more than `limit`."""
    size = path.stat().st_size
    if size > limit:
        raise GeneratorError(
            f"the file is {size:,} bytes; the build reads files of this kind up to {_megabytes(limit)}",
            path=path,
            hint=hint,
        )
    with path.open("rb") as file:
        data = file.read(limit + 1)  # it may have grown since
    if len(data) > limit:
        raise GeneratorError(f"the file is over {_megabytes(limit)}", path=path, hint=hint)
    return data


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:g} MB"


def gather(paths: Iterable[Path], load: Callable[[Path], T], errors: list[GeneratorError]) -> list[T]:
    """`load` each file; every problem of every file goes to `errors`, and the files that
    loaded cleanly are returned in order."""
    return [item for _, item in gather_pairs(paths, load, errors)]


def gather_pairs(
    paths: Iterable[Path], load: Callable[[Path], T], errors: list[GeneratorError]
) -> list[tuple[Path, T]]:
    """`gather`, each item with its file."""
    found = []
    for path in paths:
        try:
            found.append((path, load(path)))
        except ExceptionGroup as group:
            problems, rest = group.split(GeneratorError)
            if rest is not None:
                raise rest from None
            errors += flatten(problems)
        except GeneratorError as error:
            errors.append(error)
        except OSError as exc:
            errors.append(GeneratorError(f"cannot read the file: {exc.strerror or exc}", path=path))
    return found
