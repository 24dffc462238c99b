"""The loaders' one finder and one contract (load/files.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import GeneratorError, raise_all
from generator.load.files import content_files, gather, has_suffix, linked_files, suffix_of


def test_the_finder_leaves_out_hidden_underscored_and_editor_files(tmp_path: Path) -> None:
    for name in (
        "b.md", "a.MD", "sub/c.md", "notes.txt", ".hidden.md", "_drafts/d.md", "e.md~", ".e.md.swp",
        "sub/.git/f.md",
    ):  # fmt: skip
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    names = [p.relative_to(tmp_path).as_posix() for p in content_files(tmp_path, (".md",))]
    assert names == ["a.MD", "b.md", "sub/c.md"]
    top = [p.name for p in content_files(tmp_path, top_only=True)]
    assert top == ["a.MD", "b.md", "notes.txt"]
    assert content_files(tmp_path / "missing", (".md",)) == []


def test_the_finder_sorts_by_folder_then_name_and_does_not_follow_a_linked_folder(tmp_path: Path) -> None:
    for name in ("a-b.md", "a/b.md", "a/c.md", "z.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "far.md").write_text("x", encoding="utf-8")
    (tmp_path / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "y.md").symlink_to(tmp_path / "z.md")
    names = [p.relative_to(tmp_path).as_posix() for p in content_files(tmp_path, (".md",))]
    assert names == ["a/b.md", "a/c.md", "a-b.md", "elsewhere/far.md", "y.md", "z.md"]  # as paths sort
    assert linked_files(tmp_path) == [tmp_path / "y.md"]


def test_gather_reports_every_problem_of_every_file_and_keeps_the_good_ones(tmp_path: Path) -> None:
    paths = [tmp_path / name for name in ("good.md", "two.md", "one.md", "gone.md")]

    def load(path: Path) -> str:
        if path.name == "two.md":
            raise_all(
                [GeneratorError("first", path=path, line=2), GeneratorError("second", path=path, line=5)]
            )
        if path.name == "one.md":
            raise GeneratorError("only", path=path, line=1)
        if path.name == "gone.md":
            path.read_bytes()  # missing: an OSError becomes a problem of that file
        return path.stem

    errors: list[GeneratorError] = []
    assert gather(paths, load, errors) == ["good"]
    assert [(e.path.name if e.path else None, e.line, e.message) for e in errors] == [
        ("two.md", 2, "first"),
        ("two.md", 5, "second"),
        ("one.md", 1, "only"),
        ("gone.md", None, "cannot read the file: No such file or directory"),
    ]


def test_gather_lets_a_bug_through_instead_of_calling_it_a_content_problem(tmp_path: Path) -> None:
    def load(path: Path) -> str:
        raise ExceptionGroup("mixed", [GeneratorError("fine", path=path), KeyError("bug")])

    with pytest.raises(ExceptionGroup):
        gather([tmp_path / "x.md"], load, [])


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet="aZ.-_ 0é", max_size=12),
    st.lists(st.sampled_from([".md", ".markdown", ".ics", ".csv", ".toml", ".a"]), max_size=3),
)
def test_has_suffix_says_what_suffix_of_in_lower_case_would(name: str, suffixes: list[str]) -> None:
    """The loaders' quick test of a name's kind agrees with the plain one on any name."""
    wanted = tuple(suffixes)
    assert has_suffix(name, wanted) == (suffix_of(name).lower() in wanted)
    assert has_suffix(name.upper(), wanted) == (suffix_of(name.upper()).lower() in wanted)
