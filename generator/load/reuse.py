"""Loading many files: items an earlier build loaded are taken from the cache, and the
rest are loaded over the machine's cores.

An item is kept (pickled, in the project's cache.Store) under the digest of everything
its loader reads: the file's path and bytes, and the `context` (the code, the libraries'
versions, the settings, and what else the folder's loader is given). The same digest
serves as the item's fingerprint when pages are keyed (cache.Fingerprints), so a page
does not walk an unchanged announcement field by field. The cache is the project's own
working data, as trusted as its content and templates.

A file is read only when it may have changed: the digest of a file whose size, times and
inode are those recorded at the last build is taken from that record (as git's index
does), unless the file was changed less than RACY before it was recorded, when a second
change within the file system's clock tick could not be told apart.
"""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from generator.cache import Store, digest
from generator.errors import GeneratorError
from generator.load.documents import read_markdown
from generator.load.files import gather_pairs
from generator.parallel import map_chunks

T = TypeVar("T")

Changes = tuple[dict[str, bytes], set[str]]


RACY = 3_000_000_000  # nanoseconds: the coarsest file-system clock (FAT's is 2 s), with a margin
Signature = tuple[int, int, int, int]  # size, modification and change times, inode


@dataclass
class Reuse:
    store: Store
    context: str  # digest of the code, library versions and settings every loader reads
    known: list[tuple[object, str]] = field(default_factory=list)  # (item, its digest)
    # (folder context, path) → (signature, when recorded, digest): the last build's and this one's
    recorded: dict[tuple[str, str], tuple[Signature, int, str]] | None = None
    seen: dict[tuple[str, str], tuple[Signature, int, str]] = field(default_factory=dict)

    @property
    def _record_key(self) -> str:
        return digest("file signatures", self.context)

    def key_of(self, path: Path, context: str) -> str:
        """The digest of what loading `path` reads, from the record when the file is as it
        was; raises what reading it raises."""
        if self.recorded is None:
            kept = self.store.objects.get(self._record_key)
            if kept is None and (saved := self.store.get(self._record_key)) is not None:
                try:
                    kept = pickle.loads(saved)
                except Exception:  # a damaged record: every file is read
                    kept = None
            self.recorded = kept if isinstance(kept, dict) else {}
        name = str(path)
        stat = os.stat(name)  # noqa: PTH116 (a Path per file costs more than the stat)
        signature = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        last = self.recorded.get((context, name))
        if last is not None and last[0] == signature and last[1] - max(signature[1:3]) > RACY:
            self.seen[(context, name)] = last
            return last[2]
        key = digest("item", self.context, context, name, read_markdown(path))
        self.seen[(context, name)] = (signature, time.time_ns(), key)
        return key

    def remember(self) -> None:
        """Record this build's file signatures for the next one."""
        if self.seen != self.recorded:
            self.store.put(self._record_key, pickle.dumps(self.seen))
        else:
            self.store.touch(self._record_key)
        self.store.objects[self._record_key] = self.seen


def load_all(
    paths: Sequence[Path],
    load: Callable[[Path], T],
    errors: list[GeneratorError],
    reuse: Reuse,
    context: str = "",
) -> list[T]:
    """`load` each file (the contract of load/files.py: problems go to `errors`, items
    come back in order), taking each unchanged file's item from the cache."""
    found: dict[Path, T] = {}
    keys: dict[Path, str] = {}
    missing: list[Path] = []
    for path in paths:
        try:
            keys[path] = reuse.key_of(path, context)
        except (OSError, GeneratorError):
            missing.append(path)  # the loader reports it
    known = list(keys.items())
    for start in range(0, len(known), 500):  # a few hundred at a time: few queries, little memory
        part = known[start : start + 500]
        cached = reuse.store.get_many(k for _, k in part if k not in reuse.store.objects)
        for path, key in part:
            if key in reuse.store.objects:
                reuse.store.touch(key)
                found[path] = reuse.store.objects[key]  # type: ignore[assignment]
                continue
            if key in cached:
                try:
                    found[path] = pickle.loads(cached[key])
                    continue
                except Exception:  # a damaged entry is loaded anew
                    pass
            missing.append(path)
    store = reuse.store

    def chunk(part: Sequence[Path]) -> tuple[list[tuple[Path, bytes]], list[GeneratorError], Changes]:
        mark = store.mark()
        problems: list[GeneratorError] = []
        loaded = [(path, pickle.dumps(item)) for path, item in gather_pairs(part, load, problems)]
        return loaded, problems, store.changes(mark)

    what = f"Reading {context.split(chr(0), 1)[0]}" if context else "Reading files"
    for loaded, problems, changes in map_chunks(chunk, missing, label=what) if missing else []:
        store.absorb(changes)
        errors += problems
        for path, saved in loaded:
            found[path] = pickle.loads(saved)
            if path in keys:
                store.put(keys[path], saved)
    items = []
    for path in paths:
        if path in found:
            items.append(found[path])
            if path in keys:
                reuse.known.append((found[path], keys[path]))
                store.objects[keys[path]] = found[path]
    return items
