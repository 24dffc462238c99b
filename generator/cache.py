"""What a build keeps for the next one, in a git-ignored folder (PROJECT/.intranet/cache/).

Only ever an optimisation: every entry is keyed by a digest of everything that produced
it (the input's bytes, the settings and the code that made it), so a stale entry is never
found, and deleting the folder never changes an output byte, only the time it takes.

- `Store`: text values by key, in one SQLite file (rendered Markdown bodies). Entries no
  build asked for are dropped when the store is saved, so it does not grow forever.
- `digest`: the one hash function, and `CODE`, the digest of this package's own files
  (code, templates, catalogs), part of every key.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import json
import operator
import os
import pickle
import shutil
import sqlite3
import sys
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, time, tzinfo
from email.headerregistry import Address
from enum import Enum
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePath
from typing import Any, TextIO, TypeVar

FOLDER = Path(".intranet") / "cache"
STORE_FILE = "content.sqlite"


TREE = "tree:"  # the start of the keys of what one output tree keeps (tree_key)


def tree_key(tree: str, kind: str) -> str:
    """The key of what one output tree (the main site "", a restricted audience's, each
    with or without drafts: `tree_name`) keeps between builds, `kind` saying what: one entry
    per tree and kind, replaced in place, and never dropped by a build of another tree
    (builds of the main site and of an audience's in turn kept dropping each other's)."""
    return f"{TREE}{tree}:{kind}"


def tree_name(scope: str | None, drafts: bool = False) -> str:
    """The name `tree_key` knows an output tree by."""
    return (scope or "") + ("+drafts" if drafts else "")


def digest(*parts: str | bytes) -> str:
    """A short, collision-safe digest of several texts (each one delimited by its length)."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def kept(path: Path, key: str, make: Callable[[], V]) -> V:
    """`make()`, kept pickled in the file `path` with `key` (a digest of everything it is
    made from), so the next process that asks with the same key reads it instead. One
    value per file: another key's is made again and replaces it. The file is the
    project's own working data, as trusted as the cache; a folder that cannot be written
    only costs the time."""
    try:
        with path.open("rb") as file:
            found_key, value = pickle.load(file)
        if found_key == key:
            return value  # type: ignore[no-any-return]
    except Exception:  # none yet, or damaged: made again
        pass
    value = make()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = path.with_name(f"{path.name}.{os.getpid()}")
        fresh.write_bytes(pickle.dumps((key, value)))
        fresh.replace(path)
    except OSError:
        pass
    return value


@cache
def code_digest() -> str:
    """This package's files: a new version of the code misses every old entry."""
    package = Path(__file__).resolve().parent
    h = hashlib.blake2b(digest_size=20)
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".po", ".mo", ".html", ".txt", ".css", ".xml", ".svg"}:
            h.update(path.relative_to(package).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


class Store:
    """key → bytes in one SQLite file (or in memory only, without a path).

    New entries are written in batches, so a first build of thousands of items does not
    hold them all. A forked worker (generator/parallel.py) opens its own connection and
    writes nothing: what it added and used travels back with `changes` and is taken in
    with `absorb`."""

    BATCH = 2 * 1024 * 1024  # bytes of new entries held before they are written

    def __init__(self, path: Path | None, *, remember: bool = True) -> None:
        """Without a `path`, entries live in memory; with `remember` false, not at all
        (a build that must not read or leave a cache: --no-cache)."""
        self.path = path
        self.remember = remember
        self._new: dict[str, bytes] = {}
        self._pending = 0
        # Values already decoded, by key, for a store that outlives one build (the live
        # preview): its next build takes them as they are. Pruned with the entries.
        self.objects: dict[str, object] = {}
        self._used: set[str] = set()
        self._recording: list[set[str]] = []  # open `recording()`s, innermost last
        self._db: sqlite3.Connection | None = None
        self._lock = threading.RLock()  # the connection serves one thread at a time (the preview's)
        self._owner = os.getpid()  # only the process that opened the store writes it
        self._pid = self._owner  # the process the connection belongs to
        self._connect()

    def _connect(self) -> None:
        self._db, self._pid = None, os.getpid()
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self._db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB)")
        except (OSError, sqlite3.Error):
            self._db = None  # a read-only or broken cache only makes the build slower

    def get(self, key: str) -> bytes | None:
        return self.get_many((key,)).get(key)

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The entries of `keys` that the store has, in a few queries instead of one each."""
        wanted = list(dict.fromkeys(keys))
        self._used.update(wanted)
        for recording in self._recording:
            recording.update(wanted)
        found = {key: self._new[key] for key in wanted if key in self._new}
        rest = [key for key in wanted if key not in found]
        if not rest:
            return found
        if self._pid != os.getpid():  # a forked worker never uses its parent's connection or lock
            self._lock = threading.RLock()
            self._connect()
        if self._db is None:
            return found
        try:
            with self._lock:
                for start in range(0, len(rest), 500):  # SQLite's limit on parameters, with room
                    part = rest[start : start + 500]
                    marks = ",".join("?" * len(part))
                    query = f"SELECT key, value FROM entries WHERE key IN ({marks})"
                    for key, value in self._db.execute(query, part):
                        if isinstance(value, bytes):
                            found[str(key)] = value
        except sqlite3.Error:
            pass
        return found

    @contextmanager
    def recording(self) -> Iterator[set[str]]:
        """The keys asked for or added while the block runs (what one item is made from,
        kept while the item is: see load/reuse.py)."""
        keys: set[str] = set()
        self._recording.append(keys)
        try:
            yield keys
        finally:
            self._recording.pop()

    def touch(self, key: str) -> None:
        """Mark an entry used by this build (kept at the next save) without reading it."""
        self._used.add(key)

    def touch_all(self, keys: Iterable[str]) -> None:
        """`touch` each of `keys`."""
        self._used.update(keys)

    def put(self, key: str, value: bytes) -> None:
        for recording in self._recording:
            recording.add(key)
        if not self.remember:
            return
        self._used.add(key)
        self._new[key] = value
        self._pending += len(value)
        if self._pending > self.BATCH:
            self._write()

    def mark(self) -> tuple[frozenset[str], frozenset[str]]:
        return frozenset(self._new), frozenset(self._used)

    def changes(self, since: tuple[frozenset[str], frozenset[str]]) -> tuple[dict[str, bytes], set[str]]:
        """What was added and used after `since` (a `mark`), to send back from a worker."""
        added, used = since
        return {k: v for k, v in self._new.items() if k not in added}, self._used - used

    def absorb(self, changes: tuple[dict[str, bytes], set[str]]) -> None:
        added, used = changes
        self._used |= used
        for key, value in added.items():
            self.put(key, value)

    def forget_unused(self) -> None:
        """Start a new build: entries it does not ask for are dropped at the next save."""
        self._used = set()

    def _write(self) -> None:
        """The new entries into the file (kept in memory without one, or in a worker)."""
        if self._db is None or self._owner != os.getpid():
            return
        try:
            with self._lock, self._db:
                self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)", list(self._new.items()))
        except sqlite3.Error:
            return
        self._new, self._pending = {}, 0

    def save(self, *, prune: bool = True) -> None:
        """Write the new entries and, with `prune`, drop the ones this build did not use
        (the live preview does not: what it does not render, a build still uses), but for
        what each output tree keeps (`tree_key`): a build of one tree uses none of another's."""
        self.objects = {k: v for k, v in self.objects.items() if k in self._used}
        self._write()
        if not prune:
            return
        if self._db is None or self._owner != os.getpid():
            self._new = {k: v for k, v in self._new.items() if k in self._used}
            self._pending = sum(len(v) for v in self._new.values())
            return
        try:
            with self._lock, self._db:
                stale = [
                    row[0]
                    for row in self._db.execute("SELECT key FROM entries")
                    if row[0] not in self._used and not row[0].startswith(TREE)
                ]
                self._db.executemany("DELETE FROM entries WHERE key = ?", ((k,) for k in stale))
        except sqlite3.Error:
            pass

    def close(self) -> None:
        """The file is closed and the values decoded from it are let go (a build's whole
        site, kept by a store that outlives one build: the preview's, never closed)."""
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db = None
        self.objects = {}


def spool_folder(project: Path) -> Path:
    """A folder of this build's own for its spool; those of builds that were killed go."""
    folder = project / FOLDER
    for old in folder.glob("spool-*"):
        pid = old.name.removeprefix("spool-")
        if pid.isdigit() and not running(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    return folder / f"spool-{os.getpid()}"


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True


class Spool:
    """Rendered pages kept on disk until they are published, so a build of many thousand
    pages does not hold them all in memory. When the publish brings a release up to date
    (`packed`), each page is appended to a file of its process's own (the build's, each
    forked worker's), its pack, and the publish writes its bytes where they go: one file
    per process rather than per page, since making a file for each of 28,000 pages of a
    template edit at 10,000 announcements, then freeing it once published, took most of
    the publish. When the publish makes a new release, each page is a file of its own,
    made by the worker that rendered it, which the publish moves into place. The folder
    is removed after the publish, with the folders elsewhere that the spool was given
    (`adopt`)."""

    def __init__(self, folder: Path, packed: bool = True) -> None:
        self.folder = folder
        self._packed = packed
        self._adopted: list[Path] = []
        self._pack: tuple[int, int, str] | None = None  # this process's: (its id, descriptor, path)
        self._end = 0  # the length of this process's pack
        self._count = 0  # the files of its own this process made
        self._made = False  # whether the folder was made (by this process or before its fork)

    def adopt(self, folder: Path) -> None:
        """A folder elsewhere (in memory) whose files wait for the publish too."""
        self._adopted.append(folder)

    def remove(self) -> None:
        """The spool's files are gone, published or not."""
        if self._pack is not None and self._pack[0] == os.getpid():
            os.close(self._pack[1])
        self._pack = None
        self._made = False
        for folder in (self.folder, *self._adopted):
            shutil.rmtree(folder, ignore_errors=True)

    def keep(self, data: bytes, known: str = "") -> tuple[str, str, tuple[int, int] | None]:
        """Where `data`, a page, now is: its file, or its pack with its start and length
        there; and its digest (`known`: already worked out). A file is named by a string: a
        Path for each of 28,000 pages held 11 MB more until the publish."""
        if not self._packed:
            if not self._made:  # once, not for each of a cold build's 28,000 pages
                self.folder.mkdir(parents=True, exist_ok=True)
                self._made = True
            self._count += 1
            file = f"{self.folder}/{os.getpid()}-{self._count}"
            with open(file, "wb") as out:  # noqa: PTH123
                out.write(data)
            return file, known or digest(data), None
        if self._pack is None or self._pack[0] != os.getpid():  # a forked worker: a pack of its own
            self.folder.mkdir(parents=True, exist_ok=True)
            pack = f"{self.folder}/{os.getpid()}.pack"
            descriptor = os.open(pack, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self._pack, self._end = (os.getpid(), descriptor, pack), os.fstat(descriptor).st_size
        _, descriptor, pack = self._pack
        start, view = self._end, memoryview(data)
        while view:  # unbuffered: the build reads it from another process (a worker's pack)
            view = view[os.write(descriptor, view) :]
        self._end += len(data)
        return pack, known or digest(data), (start, len(data))


def spooled_bytes(file: Path | str, span: tuple[int, int] | None = None) -> bytes:
    """The bytes kept in `file`, or in the part of it that `span` says (a spooled page's:
    its start and length in a pack)."""
    with open(file, "rb") as kept:  # noqa: PTH123
        if span is None:
            return kept.read()
        start, length = span
        kept.seek(start)
        return kept.read(length)


class PackReader:
    """Spooled bytes read through one open descriptor per pack: a publish reads 28,000
    pages from two or three packs after a template edit at 10,000 announcements, and
    opening the pack again for each page took a third of the time spent reading them.
    Close it (or use it as a context manager) when done."""

    def __init__(self) -> None:
        self._open: dict[str, int] = {}

    def read(self, file: Path | str, span: tuple[int, int] | None = None) -> bytes:
        if span is None:
            return spooled_bytes(file, span)
        name = os.fspath(file)
        descriptor = self._open.get(name)
        if descriptor is None:
            descriptor = self._open[name] = os.open(name, os.O_RDONLY)
        start, length = span
        parts, done = [], 0
        while done < length:  # a read may return less than asked
            part = os.pread(descriptor, length - done, start + done)
            if not part:
                raise OSError(f"{name}: ends before the spooled page does")
            parts.append(part)
            done += len(part)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def close(self) -> None:
        for descriptor in self._open.values():
            os.close(descriptor)
        self._open.clear()

    def __enter__(self) -> PackReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


T = TypeVar("T")
V = TypeVar("V")
G = TypeVar("G", bound=Hashable)


def changes(before: Sequence[T], values: Sequence[T]) -> tuple[list[T], list[T]]:
    """The values that are not in `before` and those of `before` no longer in `values`, by
    identity (a value that moved may be in both). When the lengths agree, one pass in C
    finds the few places that differ."""
    if len(before) == len(values):
        differ = list(map(operator.is_not, before, values))
        if not any(differ):
            return [], []
        places = list(itertools.compress(range(len(values)), differ))
        if len(places) <= 64:
            return [values[i] for i in places], [before[i] for i in places]
    was, now = set(map(id, before)), set(map(id, values))
    new = [value for value in values if id(value) not in was]
    return new, [value for value in before if id(value) not in now]


def grouped_in_order(values: Iterable[T], group_of: Callable[[T], Iterable[G]]) -> dict[G, tuple[T, ...]]:
    """Each group `group_of` puts values in (each at most once) → its values, in order."""
    found: dict[G, list[T]] = {}
    for value in values:
        for group in group_of(value):
            found.setdefault(group, []).append(value)
    return {group: tuple(members) for group, members in found.items()}


class Memo:
    """Values worked out from items, kept from one live-preview rebuild to the next.

    Each value is kept with the objects it was worked out from (`inputs`), and found
    again only when they are the very same objects. A rebuild takes an unchanged file's
    item as the same object from memory (load/reuse.py) and an edited file's as a new
    one, so what depends on the edited item is worked out again and the rest is found;
    the values are those a fresh composition makes. What a rebuild did not ask for is
    dropped at the next (`next_round`), so the memo holds about one site's worth."""

    def __init__(self) -> None:
        # key → (what the value was made from: a tuple of objects, or one object, and the value)
        self._last: dict[Hashable, tuple[object, object]] = {}
        self._this: dict[Hashable, tuple[object, object]] = {}
        self._settings = ""

    def recall(self, key: Hashable, inputs: tuple[object, ...], make: Callable[[], V]) -> V:
        """The value kept under `key` if it was made from `inputs` (the same objects),
        else `make()`, kept."""
        kept = self._this.get(key) or self._last.get(key)
        if (
            kept is not None
            and isinstance(made_from := kept[0], tuple)
            and len(made_from) == len(inputs)
            and all(map(operator.is_, made_from, inputs))
        ):
            self._this[key] = kept
            return kept[1]  # type: ignore[return-value]
        value = make()
        self._this[key] = (inputs, value)
        return value

    def apply(self, make: Callable[[T], V], value: T) -> V:
        """`make(value)`, kept: found again while `value` is the very same object (a
        quicker `recall` for what one object alone gives)."""
        key = (make, id(value))
        kept = self._this.get(key) or self._last.get(key)
        if kept is not None and kept[0] is value:
            self._this[key] = kept
            return kept[1]  # type: ignore[return-value]
        made = make(value)
        self._this[key] = (value, made)
        return made

    def apply_all(self, key: Hashable, make: Callable[[T], V], values: Sequence[T]) -> tuple[V, ...]:
        """`make(value)` for each of `values`, in order, kept under `key` (one list per key):
        a value that is the very same object as one of the last list's is found again. When
        the list has kept its length, it is compared with the last one in one pass and only
        the values that differ are made (at 10,000 announcements, a value per story and
        language: some 40 ms a rebuild looked up one by one)."""
        values = tuple(values)
        kept = self._this.get(key) or self._last.get(key)
        made: tuple[V, ...]
        if kept is None or not isinstance(kept[0], tuple):
            made = tuple(map(make, values))
        else:
            before: tuple[T, ...] = kept[0]
            results: tuple[V, ...] = kept[1]  # type: ignore[assignment]
            if len(before) == len(values):
                differ = list(map(operator.is_not, before, values))
                if not any(differ):
                    made = results
                else:
                    out = list(results)
                    for i in itertools.compress(range(len(values)), differ):
                        out[i] = make(values[i])
                    made = tuple(out)
            else:  # `before` holds its objects: an id found there is the same object
                found = {id(value): result for value, result in zip(before, results, strict=True)}
                made = tuple(found[id(value)] if id(value) in found else make(value) for value in values)
        self._this[key] = (values, made)
        return made

    def sort(self, key: Hashable, values: Sequence[T], by: Callable[[T], Any]) -> tuple[T, ...]:
        """`sorted(values, key=by)`, kept under `key`: the last order without the values that
        are gone, with the new ones put in their places. `by` must give no two values the
        same place (a fresh sort and this one then agree)."""
        values = tuple(values)

        def update(last: tuple[tuple[T, ...], tuple[T, ...]] | None) -> tuple[tuple[T, ...], tuple[T, ...]]:
            if last is None:
                return values, tuple(sorted(values, key=by))
            before, ordered = last
            new, gone = changes(before, values)
            if not new and not gone:
                return values, ordered
            if len(new) > len(values) // 8:  # much has changed: sorting again is as quick
                return values, tuple(sorted(values, key=by))
            out = set(map(id, gone))
            order = [value for value in ordered if id(value) not in out] if out else list(ordered)
            for value in new:
                bisect.insort(order, value, key=by)
            return values, tuple(order)

        return self.carry(key, update)[1]

    def groups(
        self,
        key: Hashable,
        values: tuple[T, ...],
        group_of: Callable[[T], Iterable[G]],
        by: Callable[[T], Any],
    ) -> dict[G, tuple[T, ...]]:
        """Each group `group_of` puts values in (each at most once) → its values in the order
        of `values`, which are sorted by `by` (no two alike). Kept under `key`: the last
        rebuild's groups without the values that are gone, with the new ones put in their
        places; a group left empty is dropped. `group_of` must depend on its value alone."""

        def update(
            last: tuple[tuple[T, ...], dict[G, tuple[T, ...]]] | None,
        ) -> tuple[tuple[T, ...], dict[G, tuple[T, ...]]]:
            if last is None:
                return values, grouped_in_order(values, group_of)
            before, grouped = last
            new, gone = changes(before, values)
            if not new and not gone:
                return values, grouped
            if len(new) + len(gone) > len(values) // 8:  # much has changed: as quick afresh
                return values, grouped_in_order(values, group_of)
            changed: dict[G, list[T]] = {}
            for value in gone:
                for group in group_of(value):
                    members = changed.setdefault(group, list(grouped.get(group, ())))
                    del members[bisect.bisect_left(members, by(value), key=by)]  # its place: no two alike
            for value in new:
                for group in group_of(value):
                    bisect.insort(changed.setdefault(group, list(grouped.get(group, ()))), value, key=by)
            grouped = dict(grouped)
            for group, members in changed.items():
                if members:
                    grouped[group] = tuple(members)
                else:
                    grouped.pop(group, None)
            return values, grouped

        return self.carry(key, update)[1]

    def peek(self, key: Hashable) -> object:
        """The value kept under `key` (None if none), without keeping it for the next round."""
        kept = self._this.get(key) or self._last.get(key)
        return None if kept is None else kept[1]

    def carry(self, key: Hashable, update: Callable[[V | None], V]) -> V:
        """`update(the value kept under key by the last rebuild, or None)`, kept for the
        next: a value brought up to date (the listing of content/) rather than found again."""
        kept = self._this.get(key) or self._last.get(key)
        value = update(None if kept is None else kept[1])  # type: ignore[arg-type]
        self._this[key] = (None, value)
        return value

    def next_round(self, settings: str = "") -> bool:
        """A new rebuild starts: what the last one did not ask for is let go, and all of it
        when the `settings` (a digest of the code, libraries and site settings) changed.
        Whether they are the last rebuild's."""
        same = settings == self._settings
        self._last, self._this = (self._this if same else {}), {}
        self._settings = settings
        return same

    def __len__(self) -> int:
        return len(self._this)


_PLAIN = frozenset({str, int, bool, date, type(None)})  # exact types (Markup, datetime differ; -0.0 == 0.0)


class Fingerprints:
    """Digests of the values a page is rendered from: equal digests, equal inputs.

    Walks frozen dataclasses, containers and plain values; each dataclass instance is
    digested once per build (`memo` by identity: the build's values live as long as
    this object). A value of any other kind is refused, so nothing is silently left out."""

    def __init__(self, known: Iterable[tuple[object, str]] = ()) -> None:
        """`known`: values whose digest is already known (an item by its inputs' digest)."""
        self._memo: dict[int, tuple[object, str]] = {id(value): (value, found) for value, found in known}
        self._fields: dict[type, tuple[str, ...] | None] = {}  # a dataclass's field names, by type
        self._plain: dict[tuple[type, object], str] = {}  # digests of texts, numbers and dates

    def of(self, value: object) -> str:
        kind = type(value)
        if kind in _PLAIN:  # the same texts and dates recur on many pages: each digested once
            plain = (kind, value)
            found = self._plain.get(plain)
            if found is None:
                found = self._plain[plain] = (
                    digest("s", value) if kind is str else digest(kind.__name__, repr(value))  # type: ignore[arg-type]
                )
            return found
        names = self._fields.get(kind, ())
        if names == ():
            names = self._fields[kind] = (
                tuple(f.name for f in fields(value)) if is_dataclass(value) and kind is not type else None
            )
        if names is not None or kind is tuple:  # a dataclass or tuple: digested once, by identity
            known = self._memo.get(id(value))
            if known is not None and known[0] is value:
                return known[1]
            if names is not None:
                h = hashlib.blake2b(kind.__qualname__.encode(), digest_size=20)
                parts: Iterable[object] = [getattr(value, name) for name in names]
            else:
                h = hashlib.blake2b(b"l", digest_size=20)
                parts = value  # type: ignore[assignment]
            memo, plain_digests = self._memo, self._plain
            for part in parts:  # most parts were seen before: looked up here, not walked
                part_kind = type(part)
                if part_kind in _PLAIN:
                    seen = plain_digests.get((part_kind, part))
                    h.update((seen if seen is not None else self.of(part)).encode())
                else:
                    known = memo.get(id(part))
                    h.update((known[1] if known is not None and known[0] is part else self.of(part)).encode())
            found = h.hexdigest()
            self._memo[id(value)] = (value, found)
            return found
        if isinstance(value, str):  # Markup
            return digest("s", value)
        if value is None or isinstance(value, bool | int | float | bytes | date | time | PurePath | tzinfo):
            return digest(type(value).__name__, repr(value))
        if isinstance(value, Address):
            return digest("a", str(value))
        if isinstance(value, Enum):
            return digest("e", repr(value))
        if isinstance(value, list | tuple):
            h = hashlib.blake2b(b"l", digest_size=20)
            for item in value:
                h.update(self.of(item).encode())
            return h.hexdigest()
        if isinstance(value, set | frozenset):
            return digest("S", *sorted(self.of(item) for item in value))
        if isinstance(value, Mapping):
            if all(type(k) is str for k in value):  # the usual case: sorting by the key will do
                pairs = [(k, self.of(v)) for k, v in sorted(value.items())]
            else:
                pairs = sorted((self.of(k), self.of(v)) for k, v in value.items())
            return digest("m", *(part for pair in pairs for part in pair))
        raise TypeError(f"cannot fingerprint a {type(value).__qualname__}")


@dataclass(frozen=True)
class Previous:
    """The last published site, as a build may reuse it: each output path's input key and
    content digest (the record), and where its bytes are (the output folder, or memory)."""

    record: Mapping[str, tuple[str, str]]  # output path → (input key, content digest)
    files: Path | Mapping[str, bytes]  # the output folder, or the bytes themselves
    checked: bool = False  # the record is known to match the files (write.still_published)

    def reusable(self, path: str, key: str) -> bytes | str | None:
        """The published bytes of `path` (or the file holding them) if they were made from
        the same inputs."""
        known = self.record.get(path)
        if known is None or known[0] != key:
            return None
        return self.same(path)

    def holds(self, path: str, made: str) -> bool:
        """Whether the published `path` holds bytes of the digest `made`."""
        known = self.record.get(path)
        return known is not None and known[1] == made

    def same(self, path: str) -> bytes | str | None:
        if isinstance(self.files, Path):
            # asked for every page and index file of the site on every build (55,000 at
            # 10,000 announcements): strings, not a Path or a join per file
            file = self._folder + path
            if self.checked:
                return file if path in self.record else None
            return file if os.path.isfile(file) else None  # noqa: PTH113
        return self.files.get(path)

    @functools.cached_property
    def _folder(self) -> str:
        """The output folder, as the start of its files' paths (only for a folder)."""
        return os.path.join(self.files, "") if isinstance(self.files, Path) else ""  # noqa: PTH118


def record_file(project: Path, out_dir: Path) -> Path:
    """Where the record of one output folder is kept."""
    return project / FOLDER / f"published-{digest(str(out_dir.resolve()))[:16]}.pickle"


def read_record(path: Path) -> dict[str, tuple[str, str]]:
    """The record a build wrote (output path → (input key, content digest)); pickled, as
    the project's own working data, trusted as the cache is."""
    try:
        with path.open("rb") as file:
            data = pickle.load(file)
    except Exception:  # no record, or a damaged one: everything is rendered anew
        return {}
    return data if isinstance(data, dict) else {}


def write_record(path: Path, record: Mapping[str, tuple[str, str]]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        with temporary.open("wb") as out:
            pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
            # no memo of every object written (it would hold 200,000 entries at 10,000
            # announcements): the record's texts are written as they come, in frames
            pickler.fast = True
            pickler.dump(dict(record))
        temporary.replace(path)
        path.with_suffix(".json").unlink(missing_ok=True)  # a record of an earlier version
    except OSError:
        forget_record(path)


def dump_object(mapping: Mapping[str, object], out: TextIO) -> None:
    """`mapping` as one compact JSON object (json.dumps's text), written a few thousand
    entries at a time: a release's manifest at 10,000 announcements holds 55,000 entries,
    and the whole text at once (then its bytes) was the build's largest moment of memory."""
    entries = iter(mapping.items())
    out.write("{")
    separator = ""
    while part := dict(itertools.islice(entries, 4096)):
        out.write(separator + json.dumps(part, separators=(",", ":"))[1:-1])
        separator = ","
    out.write("}")


def forget_record(path: Path) -> None:
    """Before an output folder changes: a record that may no longer match it is dropped."""
    path.unlink(missing_ok=True)


LIBRARIES = (
    "markdown", "nh3", "jinja2", "markupsafe", "icalendar", "recurring-ical-events", "holidays",
    "babel", "css-inline", "pyyaml",
)  # fmt: skip
INPUTS = "*inputs*"  # the record's entry for the whole build's inputs


@cache
def library_versions() -> str:
    """Python's and the libraries' versions: outputs and cache entries depend on them."""
    parts = [sys.version]
    for name in LIBRARIES:
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(name)
    return "\n".join(parts)


def inputs_digest(project: Path, settings: str, also: Iterable[Path] = ()) -> str:
    """Everything a build reads, by name, size and modification time (as make and rsync
    compare files), with the code, the libraries' versions and the build's settings
    (today, flags, output folder): the same digest, the same output. `also`: other
    folders it reads (the built-in templates, which a checkout keeps beside the package)."""
    parts: list[str] = [code_digest(), settings, library_versions()]
    for top in (project / "content", project / "templates", *also):
        pending = [top]
        while pending:
            try:
                entries = sorted(os.scandir(pending.pop()), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if entry.is_dir():
                    pending.append(Path(entry.path))
                    parts.append(entry.path)
                else:
                    info = entry.stat()
                    parts.append(
                        f"{entry.path}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ctime_ns}\0{info.st_ino}"
                    )
    return digest(*parts)
