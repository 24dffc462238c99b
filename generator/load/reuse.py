"""Loading many files: items an earlier build loaded are taken from the cache, and the
rest are loaded over the machine's cores.

An item is kept (pickled, in the project's cache.Store) under the digest of everything
its loader reads: the file's path and bytes, and the `context` (the code, the libraries'
versions, the settings, and what else the folder's loader is given). The same digest
serves as the item's fingerprint when pages are keyed (cache.Fingerprints), so a page
does not walk an unchanged announcement field by field. The cache is the project's own
working data, as trusted as its content and templates.

An item is kept with the keys of the entries it was made from (its body's rendering):
while the item is used, they are too, so a change of settings that makes every item
anew still finds every body rendered.

A file is read only when it may have changed: the digest of a file whose size, times and
inode are those recorded at the last build is taken from that record (as git's index
does), unless the file was changed less than RACY before it was recorded, when a second
change within the file system's clock tick could not be told apart. In the live preview,
whose watcher sees every file written, made, moved or removed (`touched`), the files it
did not see are not even looked at: their record and the last listing of content/ stand.
"""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from generator.cache import Memo, Store, digest
from generator.errors import GeneratorError
from generator.load.documents import read_markdown
from generator.load.files import Listing, gather_pairs, list_files
from generator.parallel import map_chunks

T = TypeVar("T")

Changes = tuple[dict[str, bytes], set[str]]


RACY = 3_000_000_000  # nanoseconds: the coarsest file-system clock (FAT's is 2 s), with a margin
Signature = tuple[int, int, int, int]  # size, modification and change times, inode
# a file as the last build saw it: its signature, when recorded, the digest of what its
# loader reads, and the store's entries its item was made from
Seen = tuple[Signature, int, str, tuple[str, ...]]


@dataclass
class Reuse:
    store: Store
    context: str  # digest of the code, library versions and settings every loader reads
    known: list[tuple[object, str]] = field(default_factory=list)  # (item, its digest)
    # (folder context, path) → (signature, when recorded, digest): the last build's and this one's
    recorded: dict[tuple[str, str], Seen] | None = None
    seen: dict[tuple[str, str], Seen] = field(default_factory=dict)
    memo: Memo | None = None  # the live preview's: what earlier rebuilds worked out
    # with the memo: the paths the preview's watcher saw touched since the last rebuild
    # (as the listing names them); None: not known, every file is looked at
    touched: frozenset[str] | None = None

    @property
    def _record_key(self) -> str:
        return digest("file signatures", self.context)

    def key_of(self, name: str, context: str, read: Callable[[Path], bytes] | None = None) -> str:
        """The digest of what loading the file `name` reads (with `read`, else as Markdown),
        from the record when the file is as it was; raises what reading it raises."""
        if self.recorded is None:
            kept = self.store.objects.get(self._record_key)
            if kept is None and (saved := self.store.get(self._record_key)) is not None:
                try:
                    kept = pickle.loads(saved)
                except Exception:  # a damaged record: every file is read
                    kept = None
            self.recorded = kept if isinstance(kept, dict) else {}
        if self.touched is not None and self.memo is not None and name not in self.touched:
            last = self.recorded.get((context, name))
            if last is not None:  # the watcher saw no change to it since it was recorded
                self.seen[(context, name)] = last
                return last[2]
        stat = os.stat(name)  # noqa: PTH116 (a Path per file costs more than the stat)
        signature = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        last = self.recorded.get((context, name))
        if last is not None and last[0] == signature and last[1] - max(signature[1:3]) > RACY:
            self.seen[(context, name)] = last
            return last[2]
        key = digest("item", self.context, context, name, (read or read_markdown)(Path(name)))
        made_from = last[3] if last is not None and last[2] == key else ()
        self.seen[(context, name)] = (signature, time.time_ns(), key, made_from)
        return key

    def listing(self, folder: Path) -> Listing:
        """The files below `folder`: the last rebuild's listing while the watcher saw no
        file made, moved or removed there, else a new walk."""
        if self.memo is None:
            return list_files(folder)
        touched = self.touched

        def update(last: Listing | None) -> Listing:
            if last is not None and touched is not None and last.still(touched):
                return last
            return list_files(folder)

        return self.memo.carry(("listing", str(folder)), update)

    def changed(self, folder: Path) -> tuple[frozenset[str], frozenset[str]] | None:
        """The files below `folder` whose size, times or inode are not those the last
        rebuild recorded, and those recorded too soon after a change to tell; None when
        files were made or removed since, or nothing was recorded. For the live preview
        once its watcher runs: what changed before it was watching."""
        listing = self.memo.peek(("listing", str(folder))) if self.memo is not None else None
        recorded = self.store.objects.get(self._record_key)
        if not isinstance(listing, Listing) or not isinstance(recorded, dict):
            return None
        if list_files(folder).entries != listing.entries:
            return None
        changed, fresh = set(), set()
        for (_, name), (signature, when, _, _) in recorded.items():
            try:
                stat = os.stat(name)  # noqa: PTH116
            except OSError:
                return None
            now = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
            if now != signature:
                changed.add(name)
            elif when - max(now[1:3]) <= RACY:
                fresh.add(name)
        return frozenset(changed), frozenset(fresh)

    def made_from(self, name: str, context: str) -> tuple[str, ...]:
        """The store's entries the item of `name` was last made from."""
        found = self.seen.get((context, name))
        return found[3] if found is not None else ()

    def made(self, name: str, context: str, keys: Iterable[str]) -> None:
        """The item of `name` was made (again) from the store's entries `keys`."""
        found = self.seen.get((context, name))
        if found is not None:
            self.seen[(context, name)] = (*found[:3], tuple(sorted(keys)))

    def stored(self, key: str, make: Callable[[], T]) -> T:
        """What `make()` gave when an earlier build asked for the same `key` (a digest of
        everything it reads), from the store; else `make()`, kept there for the next."""
        full = digest("made", self.context, key)
        saved = self.store.get(full)
        if saved is not None:
            try:
                return pickle.loads(saved)  # type: ignore[no-any-return]
            except Exception:  # a damaged entry is made anew
                pass
        value = make()
        self.store.put(full, pickle.dumps(value))
        return value

    def remember(self) -> None:
        """Record this build's file signatures for the next one."""
        if self.seen != self.recorded:
            self.store.put(self._record_key, pickle.dumps(self.seen))
        else:
            self.store.touch(self._record_key)
        self.store.objects[self._record_key] = self.seen


def load_all(
    names: Sequence[str],
    load: Callable[[Path], T],
    errors: list[GeneratorError],
    reuse: Reuse,
    context: str = "",
) -> list[T]:
    """`load` each file (the contract of load/files.py: problems go to `errors`, items
    come back in order), taking each unchanged file's item from the cache: from memory
    when an earlier build of this process decoded it (the live preview), else from the
    store."""
    store = reuse.store
    objects = store.objects
    found: dict[str, T] = {}
    keys: dict[str, str] = {}
    stored: list[tuple[str, str]] = []  # (name, key) of items to take from the store
    missing: list[str] = []
    for name in names:
        try:
            key = keys[name] = reuse.key_of(name, context)
        except (OSError, GeneratorError):
            missing.append(name)  # the loader reports it
            continue
        store.touch_all(reuse.made_from(name, context))
        if key in objects:
            found[name] = objects[key]  # type: ignore[assignment]
        else:
            stored.append((name, key))
    store.touch_all(keys.values())
    for start in range(0, len(stored), 500):  # a few hundred at a time: few queries, little memory
        part = stored[start : start + 500]
        cached = store.get_many(key for _, key in part)
        for name, key in part:
            if key in cached:
                try:
                    found[name] = pickle.loads(cached[key])
                    continue
                except Exception:  # a damaged entry is loaded anew
                    pass
            missing.append(name)

    def chunk(part: Sequence[str]) -> tuple[list[tuple[str, bytes, set[str]]], list[GeneratorError], Changes]:
        mark = store.mark()
        problems: list[GeneratorError] = []
        named = {Path(name): name for name in part}
        made_from: dict[str, set[str]] = {}

        def recorded(path: Path) -> T:
            with store.recording() as used:
                made_from[named[path]] = used
                return load(path)

        pairs = gather_pairs(named, recorded, problems)
        loaded = [(named[path], pickle.dumps(item), made_from[named[path]]) for path, item in pairs]
        return loaded, problems, store.changes(mark)

    what = f"Reading {context.split(chr(0), 1)[0]}" if context else "Reading files"
    for loaded, problems, changes in map_chunks(chunk, missing, label=what) if missing else []:
        store.absorb(changes)
        errors += problems
        for name, saved, used in loaded:
            found[name] = pickle.loads(saved)
            reuse.made(name, context, used)
            if name in keys:
                store.put(keys[name], saved)
    items = []
    known = reuse.known
    for name in names:
        item = found.get(name)
        if item is not None:
            items.append(item)
            digested = keys.get(name)
            if digested is not None:
                known.append((item, digested))
                objects[digested] = item
    return items
