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
from dataclasses import dataclass
from functools import cached_property
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


@dataclass(frozen=True)
class Listing:
    """The files below a folder that are not left out (see `ignored`), from one walk: a
    large site's loaders, its link check and its unread-file check share it."""

    root: Path
    entries: tuple[tuple[tuple[str, ...], str], ...]  # (parts below root, path), sorted by path
    links: frozenset[str]  # the paths that are symbolic links

    def files(
        self, below: str | None = None, suffixes: Iterable[str] | None = None, *, top_only: bool = False
    ) -> list[Path]:
        """The files in the folder `below` (None: all), as content_files says."""
        return [Path(name) for name in self.names(below, suffixes, top_only=top_only)]

    def names(
        self, below: str | None = None, suffixes: Iterable[str] | None = None, *, top_only: bool = False
    ) -> list[str]:
        """`files`, as strings (a large site's loaders take most of them from the cache,
        without a Path each)."""
        wanted = tuple(s.lower() for s in suffixes) if suffixes is not None else None
        depth = 1 if below is None else 2
        return [
            path
            for parts, path in (self.entries if below is None else self._by_folder.get(below, ()))
            if (not top_only or len(parts) == depth) and (wanted is None or has_suffix(parts[-1], wanted))
        ]

    def still(self, touched: Iterable[str]) -> bool:
        """Whether this listing is still the folder's after the files at the paths
        `touched` (written, made, moved or removed; in the form of `entries`' paths) were:
        each is a file now exactly when it was listed, and none is a link."""
        start = len(str(self.root)) + 1
        for path in touched:
            if not path.startswith(str(self.root) + os.sep) or ignored(PurePath(path[start:])):
                continue  # not below the folder, or left out of it
            if os.path.islink(path) or os.path.isdir(path):  # noqa: PTH114, PTH112
                return False
            if os.path.isfile(path) != (path in self._paths):  # noqa: PTH113
                return False
        return True

    @cached_property
    def _paths(self) -> frozenset[str]:
        return frozenset(path for _, path in self.entries)

    @cached_property
    def _by_folder(self) -> dict[str, list[tuple[tuple[str, ...], str]]]:
        """The entries in each folder of the root, in order (each loader asks for one)."""
        found: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for entry in self.entries:
            if len(entry[0]) > 1:
                found.setdefault(entry[0][0], []).append(entry)
        return found


def list_files(folder: Path) -> Listing:
    """Every file below `folder` that the build does not leave out. A link to a folder
    is not followed."""
    if not folder.is_dir():
        return Listing(folder, (), frozenset())
    root = str(folder)
    start = len(root) + 1
    entries, links = [], set()
    for entry in _scan(root, False):
        entries.append((tuple(entry.path[start:].split(os.sep)), entry.path))  # noqa: PTH206 (no Path per file)
        if entry.is_symlink():
            links.add(entry.path)
    entries.sort()  # by parts, as paths sort
    return Listing(folder, tuple(entries), frozenset(links))


def content_files(
    folder: Path, suffixes: Iterable[str] | None = None, *, top_only: bool = False
) -> list[Path]:
    """The files below `folder` (or only directly in it), with one of `suffixes` (any case)
    when given, sorted by path. A link to a folder is not followed."""
    return list_files(folder).files(None, suffixes, top_only=top_only)


def has_suffix(name: str, suffixes: tuple[str, ...]) -> bool:
    """Whether `suffix_of(name)`, in lower case, is one of `suffixes` (in lower case, each
    a dot and at least one character)."""
    return name.lower().endswith(suffixes) and name.rfind(".") > 0


def suffix_of(name: str) -> str:
    """`PurePath(name).suffix`, without making a path of every file name."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def linked_files(folder: Path) -> list[Path]:
    """The files of `content_files(folder)` that are symbolic links, sorted."""
    listing = list_files(folder)
    return [Path(path) for _, path in listing.entries if path in listing.links]


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


def read_calendar(path: Path) -> bytes:
    """The bytes of a calendar file, refused past CALENDAR_LIMIT."""
    return read_limited(
        path, CALENDAR_LIMIT, "export a shorter period, or split the calendar into several files"
    )


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
