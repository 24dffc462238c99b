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

from collections.abc import Callable, Iterable
from pathlib import Path, PurePath
from typing import TypeVar

from generator.errors import GeneratorError, flatten

T = TypeVar("T")
EDITOR_FILES = ("~", ".swp", ".swx", ".tmp")


def ignored(rel: PurePath) -> bool:
    """Whether a path below content/ is left out of the build on purpose."""
    return any(part.startswith((".", "_")) for part in rel.parts) or rel.name.endswith(EDITOR_FILES)


def content_files(
    folder: Path, suffixes: Iterable[str] | None = None, *, top_only: bool = False
) -> list[Path]:
    """The files below `folder` (or only directly in it), with one of `suffixes` (any case)
    when given, sorted by path."""
    if not folder.is_dir():
        return []
    wanted = tuple(s.lower() for s in suffixes) if suffixes is not None else None
    found = folder.glob("*") if top_only else folder.rglob("*")
    return sorted(
        path
        for path in found
        if not ignored(path.relative_to(folder))
        and path.is_file()
        and (wanted is None or path.suffix.lower() in wanted)
    )


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
