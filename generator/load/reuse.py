"""Loading many files: items an earlier build loaded are taken from the cache, and the
rest are loaded over the machine's cores.

An item is kept (pickled, in the project's cache.Store) under the digest of everything
its loader reads: the file's path and bytes, and the `context` (the code, the libraries'
versions, the settings, and what else the folder's loader is given). The same digest
serves as the item's fingerprint when pages are keyed (cache.Fingerprints), so a page
does not walk an unchanged announcement field by field. The cache is the project's own
working data, as trusted as its content and templates.
"""

from __future__ import annotations

import pickle
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


@dataclass
class Reuse:
    store: Store
    context: str  # digest of the code, library versions and settings every loader reads
    known: list[tuple[object, str]] = field(default_factory=list)  # (item, its digest)


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
            key = digest("item", reuse.context, context, str(path), read_markdown(path))
        except (OSError, GeneratorError):
            missing.append(path)  # the loader reports it
            continue
        keys[path] = key
        if key in reuse.store.objects:
            reuse.store.touch(key)
            found[path] = reuse.store.objects[key]  # type: ignore[assignment]
            continue
        saved = reuse.store.get(key)
        if saved is not None:
            try:
                found[path] = pickle.loads(saved)
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
