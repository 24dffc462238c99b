"""The cache store: entries written in batches, kept only while builds use them, and what
a forked worker adds travelling back to the process that owns the file."""

from __future__ import annotations

import ast
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.cache import Fingerprints, Store


def keys(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {str(row[0]) for row in db.execute("SELECT key FROM entries")}


def test_new_entries_are_written_once_a_batch_is_full_not_held_to_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Store, "BATCH", 10)
    path = tmp_path / "content.sqlite"
    store = Store(path)
    store.put("a", b"12345678")
    assert keys(path) == set()  # under the batch: still in memory
    store.put("b", b"12345678")
    assert keys(path) == {"a", "b"}
    assert store.get("a") == b"12345678"  # read back from the file
    store.close()


def test_entries_no_build_used_are_dropped_when_saved(tmp_path: Path) -> None:
    path = tmp_path / "content.sqlite"
    first = Store(path)
    for key in ("kept", "dropped"):
        first.put(key, key.encode())
    first.save()
    first.close()
    second = Store(path)
    second.forget_unused()
    assert second.get("kept") == b"kept"
    second.touch("touched-but-absent")
    second.save()
    second.close()
    assert keys(path) == {"kept"}


def test_a_build_without_a_cache_keeps_nothing(tmp_path: Path) -> None:
    store = Store(None, remember=False)
    store.put("a", b"1")
    assert store.get("a") is None


def test_what_a_forked_worker_adds_and_uses_travels_back(tmp_path: Path) -> None:
    path = tmp_path / "content.sqlite"
    store = Store(path)
    store.put("old", b"0")
    store.save()
    store.forget_unused()
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: its own connection, and it writes nothing
        try:
            mark = store.mark()
            assert store.get("old") == b"0"
            store.put("new", b"1")
            store.save()
            added, used = store.changes(mark)
            os.write(writer, repr((sorted(added.items()), sorted(used))).encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as answer:
        added, used = ast.literal_eval(answer.read())
    os.waitpid(pid, 0)
    assert added == [("new", b"1")] and used == ["new", "old"]
    assert keys(path) == {"old"}  # the worker did not write the file
    store.absorb((dict(added), set(used)))
    store.save()
    store.close()
    assert keys(path) == {"old", "new"}


def test_a_value_whose_digest_is_known_is_not_walked() -> None:
    @dataclass(frozen=True)
    class Item:
        inside: object  # a kind Fingerprints refuses, so walking it would fail

    value = Item(object())
    with pytest.raises(TypeError):
        Fingerprints().of(value)
    assert Fingerprints([(value, "d1")]).of([value]) == Fingerprints([(value, "d1")]).of([value])
    assert Fingerprints([(value, "d1")]).of([value]) != Fingerprints([(value, "d2")]).of([value])
