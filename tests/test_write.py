"""Publishing is all or nothing, confined to the output folder, one source per path."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import GeneratorError
from generator.model import OutputFile
from generator.write import publish, recover


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def messages(files: list[OutputFile], out: Path) -> list[str]:
    with pytest.raises(ExceptionGroup) as info:
        publish(files, out)
    return [e.message for e in info.value.exceptions if isinstance(e, GeneratorError)]


def test_publish_replaces_the_whole_folder_and_leaves_no_staging(tmp_path: Path) -> None:
    out = tmp_path / "output"
    publish([OutputFile("site/a.html", b"1", "x"), OutputFile("site/old.html", b"o", "x")], out)
    publish([OutputFile("site/a.html", b"2", "x"), OutputFile("site/b/c.html", b"3", "y")], out)
    assert tree(out) == {"site/a.html": b"2", "site/b/c.html": b"3"}
    assert sorted(p.name for p in out.iterdir()) == ["site"]


def test_media_are_copied_from_their_source(tmp_path: Path) -> None:
    source = tmp_path / "logo.png"
    source.write_bytes(b"\x89PNG")
    publish([OutputFile("site/media/logo.png", b"", "content/media/logo.png", source)], tmp_path / "out")
    assert (tmp_path / "out/site/media/logo.png").read_bytes() == b"\x89PNG"


@pytest.mark.parametrize(
    "path",
    [
        "../evil.html",
        "site/../../evil.html",
        "/etc/evil",
        "site/%2e%2e/x.html",
        "site\\..\\x",
        "site/.hidden",
    ],
)
def test_paths_that_would_escape_the_output_folder_are_refused(tmp_path: Path, path: str) -> None:
    out = tmp_path / "output"
    (found,) = messages([OutputFile(path, b"x", "content/announcements/x.md")], out)
    assert found == f'refusing to write "{path}": it would land outside the output folder'
    assert not (tmp_path / "evil.html").exists()


def test_two_sources_writing_one_path_are_both_named(tmp_path: Path) -> None:
    files = [OutputFile("site/x.html", b"1", "content/a.md"), OutputFile("site/x.html", b"2", "content/b.md")]
    assert messages(files, tmp_path / "out") == [
        'two sources write "site/x.html": content/a.md and content/b.md'
    ]


def test_a_failure_while_writing_leaves_the_previous_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "output"
    publish([OutputFile("site/index.html", b"good", "x")], out)
    before = tree(out)
    missing = tmp_path / "does-not-exist.png"
    with pytest.raises(FileNotFoundError):
        publish(
            [OutputFile("site/index.html", b"new", "x"), OutputFile("site/m.png", b"", "y", missing)], out
        )
    assert tree(out) == before
    assert sorted(p.name for p in out.iterdir()) == ["site"]


def test_leftovers_of_a_killed_publish_are_cleared_or_restored(tmp_path: Path) -> None:
    out = tmp_path / "output"
    (out / ".staging-abc/site").mkdir(parents=True)
    (out / ".staging-abc/site/half.html").write_bytes(b"half")
    (out / ".old-site-999").mkdir()  # killed between the two renames: site/ is missing
    (out / ".old-site-999/index.html").write_bytes(b"previous")
    recover(out)
    assert tree(out) == {"site/index.html": b"previous"}


def test_a_stale_old_folder_is_dropped_when_the_new_one_is_in_place(tmp_path: Path) -> None:
    out = tmp_path / "output"
    (out / "site").mkdir(parents=True)
    (out / "site/index.html").write_bytes(b"new")
    (out / ".old-site-12").mkdir()
    recover(out)
    assert tree(out) == {"site/index.html": b"new"}
    assert not (out / ".old-site-12").exists()


def test_an_output_folder_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    out.write_bytes(b"%PDF")
    with pytest.raises(GeneratorError) as info:
        publish([OutputFile("site/a.html", b"1", "x")], out)
    assert info.value.message == "cannot write the output folder: File exists"
    assert out.read_bytes() == b"%PDF"
