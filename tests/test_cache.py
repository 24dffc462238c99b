"""The cache store: entries written in batches, kept only while builds use them, and what
a forked worker adds travelling back to the process that owns the file."""

from __future__ import annotations

import ast
import itertools
import os
import pickle
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.cache import (
    Fingerprints,
    Memo,
    Store,
    dump_object,
    grouped_in_order,
    kept,
    read_record,
    tree_key,
    tree_name,
    write_record,
)
from tests.conftest import TODAY, MakeProject, announcement


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


def test_what_each_output_tree_keeps_is_not_dropped_by_a_build_of_another(tmp_path: Path) -> None:
    path = tmp_path / "content.sqlite"
    first = Store(path)
    for tree in (tree_name(None), tree_name("rrhh"), tree_name(None, drafts=True)):
        first.put(tree_key(tree, "questions"), tree.encode())
    first.put("an item", b"item")
    first.save()
    first.close()
    second = Store(path)
    second.forget_unused()  # a build that asks for none of them
    second.save()
    second.close()
    assert keys(path) == {"tree::questions", "tree:rrhh:questions", "tree:+drafts:questions"}


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


@dataclass(frozen=True)
class _Pair:
    first: object
    second: object


_LEAVES = st.one_of(  # few values, whose texts are alike across kinds: "1" and 1, "None" and None
    st.none(),
    st.booleans(),
    st.integers(0, 2),
    st.sampled_from(["", "1", "True", "None", "2026-01-01", "(1, 2)"]),
    st.dates(date(2026, 1, 1), date(2026, 1, 2)),
)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.tuples(inner, inner), st.lists(inner, max_size=3).map(tuple), st.builds(_Pair, inner, inner)
    ),
    max_leaves=12,
)


def _strictly(value: object) -> object:
    """A value as Fingerprints tells values apart: by their kinds too (True is not 1)."""
    if isinstance(value, _Pair):
        return ("pair", _strictly(value.first), _strictly(value.second))
    if isinstance(value, tuple):
        return ("tuple", *map(_strictly, value))
    return (type(value).__name__, value)


@settings(max_examples=300, deadline=None)
@given(_VALUES, _VALUES)
def test_values_have_equal_fingerprints_exactly_when_they_are_equal(first: object, second: object) -> None:
    fingerprints = Fingerprints()  # one for both: the second finds the first's parts again
    same = fingerprints.of(first) == fingerprints.of(second)
    assert same == (_strictly(first) == _strictly(second))
    assert fingerprints.of(first) == Fingerprints().of(first)  # found again, or walked anew


def test_leaves_alike_in_text_but_of_other_kinds_differ_wherever_they_are() -> None:
    leaves = [None, True, False, 0, 1, "", "0", "1", "True", "False", "None", date(2026, 1, 1), "2026-01-01"]
    shapes: list[Callable[[object], object]] = [
        lambda v: v,
        lambda v: (v,),
        lambda v: (v, v),
        lambda v: _Pair(v, "x"),
        lambda v: ((v,),),
    ]
    fingerprints = Fingerprints()
    found = {
        fingerprints.of(shape(leaf)): (number, _strictly(leaf))
        for _ in range(2)  # a second time: the parts are found, not walked
        for number, shape in enumerate(shapes)
        for leaf in leaves
    }
    assert len(found) == len(shapes) * len(leaves)


def test_a_known_value_inside_others_counts_by_its_known_digest() -> None:
    @dataclass(frozen=True)
    class Item:
        inside: object

    item = Item(object())
    for value in ((item, "x"), _Pair(item, 1), _Pair((item,), (item, item))):
        assert Fingerprints([(item, "d1")]).of(value) != Fingerprints([(item, "d2")]).of(value)
        assert Fingerprints([(item, "d1")]).of(value) == Fingerprints([(item, "d1")]).of(value)


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The content files the loaders read to know whether they changed."""
    from generator.load.documents import read_markdown

    read: list[Path] = []

    def counted(path: Path) -> bytes:
        read.append(path)
        return read_markdown(path)

    monkeypatch.setattr("generator.load.reuse.read_markdown", counted)
    return read


def _titles(project: Path, cache: Store) -> set[str]:
    from generator.build import load_sources

    cache.forget_unused()
    site = load_sources(project, today=TODAY, cache=cache).site
    cache.save()
    return {a.title for a in site.announcements}


def test_a_file_as_it_was_is_not_read_again_and_a_changed_one_always_is(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.load.reuse as reuse
    from generator.build import content_cache

    project = make_project(
        {f"content/announcements/a{i}.md": announcement(f"Aviso {i}", "2026-11-20") for i in range(3)}
    )
    files = sorted((project / "content/announcements").glob("*.md"))
    racy = reuse.RACY
    # As if the files had been left alone longer than a clock tick before the build: the
    # test cannot move a file's change time back (utime sets it to now).
    monkeypatch.setattr(reuse, "RACY", -60_000_000_000)
    read = _reads(monkeypatch)
    assert _titles(project, content_cache(project)) == {"Aviso 0", "Aviso 1", "Aviso 2"}
    assert len(read) == 3
    read.clear()
    assert _titles(project, content_cache(project)) == {"Aviso 0", "Aviso 1", "Aviso 2"}  # a new build
    assert read == []  # known by their size, times and inode

    # The same size and modification time, new bytes: the change time tells.
    first = files[0]
    then = first.stat().st_mtime
    first.write_text(announcement("Aviso X", "2026-11-20"), encoding="utf-8")
    os.utime(first, (then, then))
    assert first.stat().st_size == files[1].stat().st_size
    assert _titles(project, content_cache(project)) == {"Aviso X", "Aviso 1", "Aviso 2"}
    assert read == [first]

    # Recorded within the file system's clock tick of its last change: read again next
    # time, when a second change in the same tick would not show in its times.
    monkeypatch.setattr(reuse, "RACY", racy)
    read.clear()
    files[1].write_text(announcement("Aviso Y", "2026-11-20"), encoding="utf-8")
    assert _titles(project, content_cache(project)) == {"Aviso X", "Aviso Y", "Aviso 2"}
    assert _titles(project, content_cache(project)) == {"Aviso X", "Aviso Y", "Aviso 2"}
    assert read.count(files[1]) == 2  # at both builds, though it did not change between them


def test_many_entries_are_read_in_a_few_queries_as_one_by_one(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite")
    for number in range(1_200):
        store.put(f"k{number}", f"v{number}".encode())
    store.save()
    store.put("new", b"not yet written")
    again = Store(tmp_path / "c.sqlite")
    wanted = [f"k{n}" for n in range(0, 1_300, 3)] + ["absent", "k3"]
    assert again.get_many(wanted) == {k: v for k in wanted if (v := again.get(k)) is not None}
    assert len(again.get_many(wanted)) == 400
    assert store.get_many(["new", "k1"]) == {"new": b"not yet written", "k1": b"v1"}


def test_the_memo_finds_a_value_only_from_the_very_same_objects() -> None:
    memo = Memo()
    made: list[str] = []

    def make(text: str) -> Callable[[], str]:
        def value() -> str:
            made.append(text)
            return text.upper()

        return value

    first, twin = ["menu"], ["menu"]  # equal, not the same object
    assert memo.recall("k", (first,), make("a")) == "A"
    memo.next_round()
    assert memo.recall("k", (first,), make("b")) == "A"  # the same object: found, not made
    assert memo.recall("k", (twin,), make("c")) == "C"  # an equal new object: made again
    assert memo.recall("k", (twin, first), make("d")) == "D"  # other inputs: made again
    assert made == ["a", "c", "d"]


def test_the_memo_lets_go_of_what_a_rebuild_did_not_ask_for() -> None:
    memo = Memo()
    item = object()
    memo.recall("old", (item,), lambda: 1)
    memo.recall("kept", (item,), lambda: 2)
    memo.next_round()
    assert memo.recall("kept", (item,), lambda: 20) == 2
    memo.next_round()  # "old" was not asked for in the last round: gone
    assert memo.recall("old", (item,), lambda: 10) == 10
    assert memo.recall("kept", (item,), lambda: 30) == 2
    assert len(memo) == 2


def test_a_body_link_comes_back_from_the_cache_whole() -> None:
    import pickle

    from generator.model import BodyLink

    links = [
        BodyLink("../pages/contactos.md#horarios", "pages/contactos", 3),
        BodyLink("media/logo.png", "media/logo.png", 7, image=True, alt=""),
        BodyLink("media/foto.jpg", "media/foto.jpg", 9, image=True, alt=None),
    ]
    again = pickle.loads(pickle.dumps(links))
    assert again == links and [link.alt for link in again] == [None, "", None]
    assert all(type(link) is BodyLink for link in again)


_ANY_TEXT = st.text(st.characters(exclude_categories=()))  # lone surrogates too


@settings(max_examples=200, deadline=None)
@given(_ANY_TEXT, _ANY_TEXT)
def test_a_compressed_body_gives_back_its_text_and_tells_bodies_apart(text: str, other: str) -> None:
    """A body kept compressed (any text, lone surrogates too) is the same text when read,
    and from the cache; two bodies are equal, and fingerprint alike, exactly when their
    texts are."""
    import pickle

    from generator.model import Html

    body = Html.of(text)
    assert body.text == text and body.length == len(text)
    again = pickle.loads(pickle.dumps(body))
    assert type(again) is Html and again == body and again.text == text
    assert (Html.of(other) == body) == (other == text)
    assert (Fingerprints().of(Html.of(other)) == Fingerprints().of(body)) == (other == text)


def test_a_kept_value_is_read_back_under_its_key_and_made_again_under_another(tmp_path: Path) -> None:
    path = tmp_path / "kept" / "value.pickle"
    made: list[str] = []

    def make(value: str) -> Callable[[], str]:
        def making() -> str:
            made.append(value)
            return value

        return making

    assert kept(path, "k1", make("one")) == "one"
    assert kept(path, "k1", make("two")) == "one"  # read back: not made
    assert kept(path, "k2", make("three")) == "three"  # another key replaces it
    assert kept(path, "k1", make("four")) == "four"
    path.write_bytes(b"not a pickle")
    assert kept(path, "k1", make("five")) == "five"  # damaged: made again
    assert made == ["one", "three", "four", "five"]
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder would be")
    assert kept(blocked / "value.pickle", "k", make("six")) == "six"  # cannot be written: still made


@pytest.mark.parametrize("count", [0, 1, 4096, 10_001])
def test_a_manifest_written_in_parts_is_one_json_object(tmp_path: Path, count: int) -> None:
    import io
    import json

    manifest = {f'site/é"{n}\\/index.html': f"made{n}" for n in range(count)}
    out = io.StringIO()
    dump_object(manifest, out)
    assert out.getvalue() == json.dumps(manifest, separators=(",", ":"))
    assert json.loads(out.getvalue()) == manifest


@pytest.mark.parametrize("count", [0, 1, 10_001])
def test_the_record_is_read_back_whole_and_a_damaged_one_as_none(tmp_path: Path, count: int) -> None:
    record = {f'site/é"{n}\\/index.html': (f"key{n}", f"made{n}") for n in range(count)}
    path = tmp_path / "record.pickle"
    path.with_suffix(".json").write_text("{}")  # an earlier version's record goes
    write_record(path, record)
    assert read_record(path) == record
    assert not path.with_suffix(".json").exists()
    for damaged in (path.read_bytes()[: len(path.read_bytes()) // 2], b"not a pickle", pickle.dumps([1])):
        path.write_bytes(damaged)
        assert read_record(path) == {}
    assert read_record(tmp_path / "none.pickle") == {}


def test_a_closed_store_lets_go_of_what_it_decoded_and_keeps_its_entries(make_project: MakeProject) -> None:
    """A build's store keeps every item it decoded (the preview's, never closed, finds them
    again next rebuild); the command line's closes it once the site is made, and the
    items go with the site before publishing."""
    from generator.build import content_cache, load_sources

    project = make_project({"content/announcements/a.md": announcement("Aguinaldo")})
    store = content_cache(project)
    load_sources(project, today=TODAY, cache=store)
    assert any(getattr(v, "title", None) == "Aguinaldo" for v in store.objects.values())
    store.save()
    store.close()
    assert store.objects == {}
    again = content_cache(project)
    assert again.get_many(store.mark()[1])  # the entries stay in the file
    sources = load_sources(project, today=TODAY, cache=again)
    assert [a.title for a in sources.site.announcements] == ["Aguinaldo"]


class _Box:
    """A value compared by identity, as the preview's items are."""

    def __init__(self, number: int) -> None:
        self.number = number


_EDITS = st.lists(
    st.tuples(st.sampled_from(["replace", "insert", "delete", "nothing"]), st.integers(0, 30)),
    min_size=1,
    max_size=12,
)


@given(edits=_EDITS)
@settings(max_examples=150, deadline=None)
def test_a_list_worked_out_again_agrees_with_a_fresh_one_and_makes_only_what_is_new(
    edits: list[tuple[str, int]],
) -> None:
    """Memo.apply_all, Memo.sort and Memo.groups, after each edit of the list (a value
    replaced by a new object, one added, one removed): the results are those of a fresh
    pass, and only the new objects are made again."""
    memo, made = Memo(), []
    numbers = itertools.count()
    values = [_Box(next(numbers)) for _ in range(40)]  # an edit is a small change: kept, not redone

    def describe(box: _Box) -> tuple[int]:
        made.append(box)
        return (box.number,)

    def by(box: _Box) -> tuple[int, int]:
        return (box.number % 5, box.number)  # no two alike, not the list's order

    def group_of(box: _Box) -> tuple[str, ...]:  # some in none, some in two
        return () if box.number % 7 == 0 else ("odd" if box.number % 2 else "even", f"{box.number % 4}")

    for round, (what, where) in enumerate([("nothing", 0), *edits]):
        earlier = list(values)  # alive: a new object cannot take one of their ids
        if what == "replace" and values:
            values[where % len(values)] = _Box(next(numbers))
        elif what == "insert":
            values.insert(where % (len(values) + 1), _Box(next(numbers)))
        elif what == "delete" and values:
            del values[where % len(values)]
        made.clear()
        described = memo.apply_all("described", describe, values)
        assert [d[0] for d in described] == [box.number for box in values]
        if round:
            assert not any(old is box for old in earlier for box in made)  # kept values are found
        ordered = memo.sort("sorted", values, by)
        assert list(ordered) == sorted(values, key=by)
        grouped = memo.groups("grouped", ordered, group_of, by)
        assert grouped == grouped_in_order(sorted(values, key=by), group_of)
        memo.next_round()


def test_a_list_worked_out_again_makes_only_the_changed_values() -> None:
    memo, made = Memo(), []
    values = [_Box(n) for n in range(5)]

    def make(box: _Box) -> int:
        made.append(box.number)
        return box.number * 10

    assert memo.apply_all("k", make, values) == (0, 10, 20, 30, 40)
    memo.next_round()
    values[2] = _Box(7)
    assert memo.apply_all("k", make, values) == (0, 10, 70, 30, 40)  # the same length
    memo.next_round()
    values.insert(0, _Box(9))
    assert memo.apply_all("k", make, values) == (90, 0, 10, 70, 30, 40)  # one more
    memo.next_round()
    assert memo.apply_all("k", make, values) == (90, 0, 10, 70, 30, 40)  # nothing new
    assert made == [0, 1, 2, 3, 4, 7, 9]
