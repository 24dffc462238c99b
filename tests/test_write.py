"""Publishing is all or nothing, confined to the output folder, one source per path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.cache import Previous, Spool, digest
from generator.errors import GeneratorError
from generator.model import OutputFile
from generator.write import brings_up_to_date, publish, recover, rollback, still_published
from tests.conftest import published_tree


def messages(files: list[OutputFile], out: Path) -> list[str]:
    with pytest.raises(ExceptionGroup) as info:
        publish(files, out)
    return [e.message for e in info.value.exceptions if isinstance(e, GeneratorError)]


def test_publish_replaces_the_whole_folder_and_leaves_no_staging(tmp_path: Path) -> None:
    out = tmp_path / "output"
    publish([OutputFile("site/a.html", b"1", "x"), OutputFile("site/old.html", b"o", "x")], out)
    publish([OutputFile("site/a.html", b"2", "x"), OutputFile("site/b/c.html", b"3", "y")], out)
    assert published_tree(out) == {"site/a.html": b"2", "site/b/c.html": b"3"}
    assert sorted(p.name for p in out.iterdir()) == [".current", ".releases", "site"]


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
        "",
        "site//x.html",
        "site/folder/",
        "site/%2E%2E/x.html",
        "site/a/%2e/x.html",
        "site/%2Fetc/%2e%2e",
        ".releases/x.html",
    ],
)
def test_paths_that_would_escape_the_output_folder_are_refused(tmp_path: Path, path: str) -> None:
    out = tmp_path / "output"
    (found,) = messages([OutputFile(path, b"x", "content/announcements/x.md")], out)
    assert found == f'refusing to write "{path}": it would land outside the output folder'
    assert not (tmp_path / "evil.html").exists()


@pytest.mark.parametrize(
    "path", ["site/es/news/café/index.html", "site/caf%C3%A9.html", "site/a.b/c..d.html"]
)
def test_paths_with_dots_and_escapes_inside_their_names_are_written(tmp_path: Path, path: str) -> None:
    publish([OutputFile(path, b"x", "content/announcements/x.md")], tmp_path / "out")
    assert (tmp_path / "out" / path).read_bytes() == b"x"


def test_two_sources_writing_one_path_are_both_named(tmp_path: Path) -> None:
    files = [OutputFile("site/x.html", b"1", "content/a.md"), OutputFile("site/x.html", b"2", "content/b.md")]
    assert messages(files, tmp_path / "out") == [
        'two sources write "site/x.html": content/a.md and content/b.md'
    ]


def test_a_failure_while_writing_leaves_the_previous_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "output"
    publish([OutputFile("site/index.html", b"good", "x")], out)
    before = published_tree(out)
    missing = tmp_path / "does-not-exist.png"
    with pytest.raises(GeneratorError, match="cannot read a file to publish: No such file"):
        publish(
            [OutputFile("site/index.html", b"new", "x"), OutputFile("site/m.png", b"", "y", missing)], out
        )
    assert published_tree(out) == before
    assert sorted(p.name for p in out.iterdir()) == [".current", ".releases", "site"]


def test_leftovers_of_a_killed_publish_are_cleared_or_restored(tmp_path: Path) -> None:
    out = tmp_path / "output"
    (out / ".staging-abc/site").mkdir(parents=True)
    (out / ".staging-abc/site/half.html").write_bytes(b"half")
    (out / ".old-site-999").mkdir()  # killed between the two renames: site/ is missing
    (out / ".old-site-999/index.html").write_bytes(b"previous")
    recover(out)
    assert published_tree(out) == {"site/index.html": b"previous"}


def test_a_stale_old_folder_is_dropped_when_the_new_one_is_in_place(tmp_path: Path) -> None:
    out = tmp_path / "output"
    (out / "site").mkdir(parents=True)
    (out / "site/index.html").write_bytes(b"new")
    (out / ".old-site-12").mkdir()
    recover(out)
    assert published_tree(out) == {"site/index.html": b"new"}
    assert not (out / ".old-site-12").exists()


def test_an_output_folder_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    out.write_bytes(b"%PDF")
    with pytest.raises(GeneratorError) as info:
        publish([OutputFile("site/a.html", b"1", "x")], out)
    assert info.value.message == "cannot write the output folder: File exists"
    assert out.read_bytes() == b"%PDF"


def releases(out: Path) -> list[str]:
    return sorted(p.name for p in (out / ".releases").iterdir() if p.is_dir())


def test_the_site_is_a_link_to_a_release_and_the_one_before_is_kept(tmp_path: Path) -> None:
    out = tmp_path / "output"
    for number in range(4):
        publish([OutputFile("site/index.html", str(number).encode(), "x")], out)
        assert (out / "site").is_symlink()
        assert (out / "site/index.html").read_bytes() == str(number).encode()
    assert len(releases(out)) == 3  # the current one and the two before
    assert (out / ".current").resolve().name in releases(out)
    assert (out / "site").resolve() == (out / ".current").resolve() / "site"


def test_a_small_change_rewrites_only_what_changed_and_keeps_the_other_files(tmp_path: Path) -> None:
    out = tmp_path / "output"
    pages = {f"site/p{n}/index.html": f"page {n}".encode() for n in range(5)}

    def publish_pages() -> dict[str, int]:
        publish([OutputFile(path, data, "x") for path, data in pages.items()], out)
        assert published_tree(out) == pages
        return {path: (out / path).stat().st_ino for path in pages}

    first = publish_pages()
    pages["site/p1/index.html"] = b"edited once"
    second = publish_pages()
    pages["site/p1/index.html"] = b"edited twice"
    del pages["site/p4/index.html"]
    pages["site/p5/index.html"] = b"new"
    third = publish_pages()  # the release before is brought up to date, not made anew
    for path in ("site/p0/index.html", "site/p2/index.html", "site/p3/index.html"):
        assert first[path] == second[path] == third[path]  # the very same file all along
    assert len({first["site/p1/index.html"], second["site/p1/index.html"], third["site/p1/index.html"]}) == 3
    assert not (out / "site/p4").exists()  # a removed page leaves no empty folder


def test_a_release_whose_update_was_interrupted_is_not_trusted(tmp_path: Path) -> None:
    out = tmp_path / "output"
    publish([OutputFile("site/a.html", b"1", "x"), OutputFile("site/b.html", b"1", "x")], out)
    publish([OutputFile("site/a.html", b"2", "x"), OutputFile("site/b.html", b"2", "x")], out)
    spare = next(
        out / ".releases" / name
        for name in releases(out)
        if out / ".releases" / name != (out / ".current").resolve()
    )
    (spare / "site/a.html").write_bytes(b"half written")  # killed while updating: its manifest is gone
    spare.with_name(spare.name + ".json").unlink()
    publish([OutputFile("site/a.html", b"1", "x"), OutputFile("site/b.html", b"1", "x")], out)
    assert published_tree(out) == {"site/a.html": b"1", "site/b.html": b"1"}
    assert not spare.exists()


def test_a_file_and_a_folder_may_trade_places_between_releases(tmp_path: Path) -> None:
    out = tmp_path / "output"
    shapes = [
        {"site/media/x": b"file"},
        {"site/media/x/y.png": b"inside"},
        {"site/media/x": b"file again"},
        {"site/media/x/y.png": b"inside again"},
    ]
    for files in shapes:
        publish([OutputFile(path, data, "x") for path, data in files.items()], out)
        assert published_tree(out) == files


def test_an_output_folder_from_before_releases_is_taken_over(tmp_path: Path) -> None:
    out = tmp_path / "output"
    (out / "site").mkdir(parents=True)
    (out / "site/old.html").write_bytes(b"old")
    publish([OutputFile("site/index.html", b"new", "x")], out)
    assert (out / "site").is_symlink()
    assert published_tree(out) == {"site/index.html": b"new"}
    assert sorted(p.name for p in out.iterdir()) == [".current", ".releases", "site"]


PUBLISHER = """
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from generator.model import OutputFile
from generator.write import publish
out, who = Path(sys.argv[1]), sys.argv[2]
for number in range(12):
    publish([OutputFile(f"site/p{n}/index.html", f"{who} {number}".encode(), "x") for n in range(40)], out)
"""


def test_two_builds_publishing_at_once_wait_for_each_other(tmp_path: Path) -> None:
    out = tmp_path / "output"
    repo = Path(__file__).resolve().parent.parent
    writers = [
        subprocess.Popen([sys.executable, "-c", PUBLISHER, str(out), who], cwd=repo, stderr=subprocess.PIPE)
        for who in ("a", "b")
    ]
    for writer in writers:
        _, error = writer.communicate(timeout=120)
        assert writer.returncode == 0, error.decode()
    pages = published_tree(out)
    assert len(pages) == 40
    assert len(set(pages.values())) == 1 and next(iter(pages.values())) in (
        b"a 11",
        b"b 11",
    )  # one whole build
    for release in (p for p in (out / ".releases").iterdir() if p.is_dir()):  # each manifest tells the truth
        manifest = json.loads(release.with_name(release.name + ".json").read_text(encoding="utf-8"))
        assert {rel: digest((release / rel).read_bytes()) for rel in manifest} == manifest


def test_rollback_puts_the_release_before_back_and_a_second_one_returns(tmp_path: Path) -> None:
    out = tmp_path / "output"
    with pytest.raises(GeneratorError, match="no published site"):
        rollback(out)
    publish([OutputFile("site/index.html", b"first", "x")], out)
    with pytest.raises(GeneratorError, match="no earlier release"):
        rollback(out)
    publish([OutputFile("site/index.html", b"second", "x"), OutputFile("site/new.html", b"n", "x")], out)
    rollback(out)
    assert published_tree(out) == {"site/index.html": b"first"}
    rollback(out)
    assert published_tree(out) == {"site/index.html": b"second", "site/new.html": b"n"}
    rollback(out)
    publish([OutputFile("site/index.html", b"third", "x")], out)  # builds on, from the release rolled back to
    assert published_tree(out) == {"site/index.html": b"third"}
    rollback(out)
    assert published_tree(out) == {"site/index.html": b"first"}


def test_the_newsletter_is_published_in_the_same_release_and_earlier_weeks_are_carried(
    tmp_path: Path,
) -> None:
    out = tmp_path / "output"
    week48 = {
        "newsletter/2026-W48/es/all/message.eml": b"w48",
        "newsletter/2026-W48/es/all/index.html": b"48",
    }
    publish(
        [OutputFile("site/index.html", b"one", "x"), *(OutputFile(p, d, "n") for p, d in week48.items())], out
    )
    first = (out / ".current").resolve()
    week49 = {"newsletter/2026-W49/es/all/message.eml": b"w49"}
    publish(
        [OutputFile("site/index.html", b"two", "x"), *(OutputFile(p, d, "n") for p, d in week49.items())], out
    )
    assert published_tree(out) == {"site/index.html": b"two", **week48, **week49}
    assert (out / "newsletter").readlink() == Path(".current/newsletter")  # one switch for both
    assert (out / ".current").resolve() != first
    rollback(out)  # site and newsletter go back together
    assert published_tree(out) == {"site/index.html": b"one", **week48}


def test_publishing_one_newsletter_week_carries_the_site_and_the_other_weeks_unchanged(
    tmp_path: Path,
) -> None:
    out = tmp_path / "output"
    publish(
        [OutputFile("site/index.html", b"site", "x"), OutputFile("newsletter/2026-W48/m.eml", b"a", "n")], out
    )
    inode = (out / "site/index.html").stat().st_ino
    publish([OutputFile("newsletter/2026-W49/m.eml", b"b", "n")], out)
    publish([OutputFile("newsletter/2026-W48/m.eml", b"c", "n")], out)  # a week built again replaces itself
    assert published_tree(out) == {
        "site/index.html": b"site",
        "newsletter/2026-W48/m.eml": b"c",
        "newsletter/2026-W49/m.eml": b"b",
    }
    assert (out / "site/index.html").stat().st_ino == inode  # the same file, linked along


def test_an_output_folder_of_the_earlier_layout_keeps_its_newsletter_weeks(tmp_path: Path) -> None:
    out = tmp_path / "output"
    (out / ".releases/site-1").mkdir(parents=True)  # site/ was a link to a release of the site alone
    (out / ".releases/site-1/index.html").write_bytes(b"old site")
    (out / ".releases/site-1.json").write_text("{}", encoding="utf-8")
    (out / "site").symlink_to(".releases/site-1")
    (out / "newsletter/2026-W47/es").mkdir(parents=True)  # and newsletter/ a plain folder
    (out / "newsletter/2026-W47/es/m.eml").write_bytes(b"w47")
    publish(
        [
            OutputFile("site/index.html", b"new site", "x"),
            OutputFile("newsletter/2026-W48/m.eml", b"w48", "n"),
        ],
        out,
    )
    assert published_tree(out) == {
        "site/index.html": b"new site",
        "newsletter/2026-W47/es/m.eml": b"w47",
        "newsletter/2026-W48/m.eml": b"w48",
    }
    assert sorted(p.name for p in out.iterdir()) == [".current", ".releases", "newsletter", "site"]
    assert releases(out) == [(out / ".current").resolve().name]  # the old site-only release is gone


FULL_DISK = """
import resource, signal, sys
from collections.abc import Callable
from pathlib import Path
from generator.errors import GeneratorError
from generator.model import OutputFile
from generator.write import publish
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails like one on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
try:
    publish([OutputFile("site/index.html", b"new", "x"), OutputFile("site/big.pdf", b"x" * 1_000_000, "y")],
            Path(sys.argv[1]))
except GeneratorError as error:
    print(error.message)
"""


def test_a_disk_that_fills_up_while_publishing_is_a_clear_error_and_readers_keep_the_output(
    tmp_path: Path,
) -> None:
    out = tmp_path / "output"
    publish(
        [OutputFile("site/index.html", b"good", "x"), OutputFile("newsletter/2026-W48/m.eml", b"m", "n")], out
    )
    before = published_tree(out)
    repo = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(out)], cwd=repo, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "cannot write the output folder: File too large"
    assert published_tree(out) == before
    publish([OutputFile("site/index.html", b"next", "x")], out)  # and the next build goes on from there
    assert published_tree(out) == {"site/index.html": b"next", "newsletter/2026-W48/m.eml": b"m"}


def test_a_build_keeps_only_the_recorded_files_the_current_release_holds(tmp_path: Path) -> None:
    """The record of the last build is trusted file by file only as far as the current
    release's manifest agrees (a build killed after publishing left an older record)."""
    out = tmp_path / "output"
    record = publish(
        [
            OutputFile("site/es/index.html", b"<p>uno</p>", "content", key="k1"),
            OutputFile("site/es/news/index.html", b"<p>dos</p>", "content", key="k2"),
        ],
        out,
    )
    stale = {
        **record,
        "site/es/news/index.html": ("k2", digest(b"<p>otro</p>")),
        "site/gone.html": ("k3", "x"),
    }
    assert still_published(out, stale) == {"site/es/index.html": record["site/es/index.html"]}
    kept = Previous(still_published(out, stale), out, checked=True)
    assert kept.reusable("site/es/index.html", "k1") == str(out / "site/es/index.html")
    assert kept.reusable("site/es/news/index.html", "k2") is None  # other bytes: rendered again
    assert still_published(tmp_path / "nothing", record) == {}  # no release: nothing is kept


@pytest.mark.parametrize("kept", ["memory", "file", "pack"])
def test_a_folder_that_becomes_a_file_is_replaced_in_every_release(tmp_path: Path, kept: str) -> None:
    """A page's path once was a folder (a section) in the release being brought up to
    date: the folder goes and the file takes its place, whether its bytes are in memory,
    in a file of their own (moved into place) or in a spool's pack."""
    out = tmp_path / "output"
    for number in range(4):  # the fourth publish brings the oldest release up to date
        publish([OutputFile("site/a/b.html", b"%d" % number, "x"), OutputFile("site/i.html", b"i", "x")], out)
    folder = tmp_path / "spool"
    folder.mkdir()

    def page() -> OutputFile:
        if kept == "memory":
            return OutputFile("site/a", b"now a page", "x")
        if kept == "file":  # moved away by each publish: each build spools it again
            (folder / "page").write_bytes(b"now a page")
            return OutputFile("site/a", b"", "x", folder / "page", "key", digest(b"now a page"))
        spool = Spool(folder)
        spool.keep(b"another page")  # the page starts part way into the pack
        pack, made, span = spool.keep(b"now a page")
        return OutputFile("site/a", b"", "x", pack, "key", made, span)

    for _ in range(3):  # every release holds the folder; each is brought up to date in turn
        publish([page(), OutputFile("site/i.html", b"i", "x")], out)
        assert published_tree(out) == {"site/a": b"now a page", "site/i.html": b"i"}


def test_a_spooled_page_is_written_into_the_releases_own_file_never_into_a_shared_one(
    tmp_path: Path,
) -> None:
    """Bringing the oldest release up to date, a page from the spool's pack is written
    over that release's own file (the same file: none made, none freed), but a file that
    has another link (a backup made with hard links, or the current release's) is
    replaced, not written into: the backup keeps its bytes."""
    out = tmp_path / "output"
    for number in range(3):  # three releases, each with a page of its own
        publish(
            [OutputFile("site/a.html", b"page %d" % number, "x"), OutputFile("site/b.html", b"b", "x")], out
        )
    oldest = sorted((out / ".releases").glob("release-*[0-9]"), key=lambda r: r.stat().st_mtime_ns)[0]
    own = (oldest / "site/a.html").stat().st_ino
    backup = tmp_path / "backup.html"
    os.link(oldest / "site/b.html", backup)
    spool = Spool(tmp_path / "spool")
    pages = [
        (path, *spool.keep(data)) for path, data in (("site/a.html", b"page 3"), ("site/b.html", b"new b"))
    ]
    publish([OutputFile(path, b"", "x", pack, "key", made, span) for path, pack, made, span in pages], out)
    assert published_tree(out) == {"site/a.html": b"page 3", "site/b.html": b"new b"}
    assert (out / "site").resolve() == oldest / "site"  # the oldest release is the current one now
    assert (oldest / "site/a.html").stat().st_ino == own  # written in place
    assert backup.read_bytes() == b"b"  # the backup's file was replaced, not written into
    rollback(out)
    assert published_tree(out) == {"site/a.html": b"page 2", "site/b.html": b"b"}
    assert not list(out.rglob(".staging-*"))


def test_pages_of_one_pack_written_in_place_keep_exactly_their_bytes_shorter_or_longer(
    tmp_path: Path,
) -> None:
    """Pages read one after another from one pack (a descriptor kept open for the
    publish) and written over the oldest release's own files: a page shorter than the
    file it replaces leaves nothing of the old one behind, a longer one is whole."""
    out = tmp_path / "output"
    old = {f"site/{n}.html": b"x" * (50 + n) for n in range(6)}
    for number in range(3):
        publish([OutputFile(path, data + b"%d" % number, "x") for path, data in old.items()], out)
    oldest = sorted((out / ".releases").glob("release-*[0-9]"), key=lambda r: r.stat().st_mtime_ns)[0]
    inodes = {path: (oldest / path).stat().st_ino for path in old}
    spool = Spool(tmp_path / "spool")
    new = {
        path: (b"short %d" % n if n % 2 else b"longer than before %d " % n * 9) for n, path in enumerate(old)
    }
    kept = {path: spool.keep(data) for path, data in new.items()}
    assert len({file for file, _, _ in kept.values()}) == 1  # one pack
    publish(
        [OutputFile(path, b"", "x", file, "key", made, span) for path, (file, made, span) in kept.items()],
        out,
    )
    assert published_tree(out) == new
    assert {path: (oldest / path).stat().st_ino for path in old} == inodes  # each written in place
    spool.remove()


def test_the_spool_keeps_its_pages_in_packs_when_the_publish_brings_a_release_up_to_date(
    tmp_path: Path,
) -> None:
    """Until three releases are kept, a publish makes a new one: every page is a file of
    its own, moved into place. Then every page goes to the pack, and the publish writes
    it where it goes: over the oldest release's own file in place, or, where the releases
    share that file (unchanged since), into a new file in its place, leaving the others'
    bytes as they were."""
    out = tmp_path / "output"
    for number in range(3):
        assert not brings_up_to_date(out)  # a new release is made
        spool = Spool(tmp_path / f"spool{number}", packed=brings_up_to_date(out))
        file, made, span = spool.keep(b"a %d" % number)
        assert span is None and Path(file).read_bytes() == b"a %d" % number  # a file of its own
        publish(
            [OutputFile("site/a.html", b"", "x", file, "key", made), OutputFile("site/b.html", b"b", "x")],
            out,
        )
    assert brings_up_to_date(out)
    oldest = sorted((out / ".releases").glob("release-*[0-9]"), key=lambda r: r.stat().st_mtime_ns)[0]
    own, shared = (oldest / "site/a.html").stat(), (oldest / "site/b.html").stat()
    assert own.st_nlink == 1 and shared.st_nlink == 3
    spool = Spool(tmp_path / "spool", packed=brings_up_to_date(out))
    kept = {path: spool.keep(data) for path, data in (("site/a.html", b"a 3"), ("site/b.html", b"b 3"))}
    assert all(span is not None for _, _, span in kept.values())  # both in the pack
    publish(
        [OutputFile(path, b"", "x", file, "key", made, span) for path, (file, made, span) in kept.items()],
        out,
    )
    assert published_tree(out) == {"site/a.html": b"a 3", "site/b.html": b"b 3"}
    assert (out / "site").resolve() == oldest / "site"
    assert (oldest / "site/a.html").stat().st_ino == own.st_ino  # written over in place
    assert (oldest / "site/b.html").stat().st_ino != shared.st_ino  # a new file
    rollback(out)
    assert published_tree(out) == {"site/a.html": b"a 2", "site/b.html": b"b"}
    spool.remove()
    assert not (tmp_path / "spool").exists()
    files = Spool(tmp_path / "files", packed=False)
    files.keep(b"one")
    files.remove()  # and used again: its folder is made again
    assert Path(files.keep(b"two")[0]).read_bytes() == b"two"


def test_a_manifest_is_read_once_while_its_file_stays_the_same(tmp_path: Path) -> None:
    """A build asks for the current release's manifest three times; a manifest written
    anew (the same size, another digest) is read anew."""
    from generator.write import _manifest, _write_manifest

    release = tmp_path / "release-1"
    _write_manifest(release, {"site/index.html": "a" * 40})
    first = _manifest(release)
    assert first == {"site/index.html": "a" * 40}
    assert _manifest(release) is first  # not read again
    _write_manifest(release, {"site/index.html": "b" * 40})
    assert _manifest(release) == {"site/index.html": "b" * 40}
    release.with_name(release.name + ".json").unlink()
    assert _manifest(release) == {}  # a release without its manifest holds nothing known


def test_a_page_spooled_on_another_file_system_leaves_the_earlier_releases_as_they_were(
    tmp_path: Path,
) -> None:
    """A spooled file that cannot be renamed into the release (the memory-backed folder,
    or an output folder on another disk) is copied beside its place and renamed over it:
    the release brought up to date shares its unchanged files with the current one and the
    one before, which copying into the file would change too."""
    memory = Path("/dev/shm")
    if not memory.is_dir() or memory.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("needs a memory-backed /dev/shm, on another file system than the tests' folder")
    out = tmp_path / "output"
    for _ in range(3):  # three releases that share the page's file
        publish([OutputFile("site/a.html", b"first", "x"), OutputFile("site/i.html", b"i", "x")], out)
    with tempfile.TemporaryDirectory(dir=memory) as spool:
        (Path(spool) / "page").write_bytes(b"second")
        page = OutputFile("site/a.html", b"", "x", Path(spool) / "page", "key", digest(b"second"))
        publish([page, OutputFile("site/i.html", b"i", "x")], out)  # into the oldest release
    assert published_tree(out) == {"site/a.html": b"second", "site/i.html": b"i"}
    rollback(out)
    assert published_tree(out) == {"site/a.html": b"first", "site/i.html": b"i"}
    assert not list(out.rglob(".staging-*"))


def test_a_file_put_into_the_release_brought_up_to_date_is_never_renamed_over_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each file of the release being brought up to date (no reader's) that is made anew
    (a spooled page, bytes from memory, a copy) takes the place of the one there by
    removing it first, then renaming the new one in: ext4 writes out at once a fresh file
    renamed over another. Every file ends with its bytes, and the earlier releases keep
    theirs."""
    out = tmp_path / "output"
    for _ in range(3):  # three releases that share the pages' files
        publish([OutputFile(f"site/p{n}.html", b"page %d" % n, "x") for n in range(4)], out)
    spool = tmp_path / "spool"
    spool.mkdir()
    (spool / "p0").write_bytes(b"new 0")  # a page in a file of its own
    pack, made, span = Spool(spool / "pack").keep(b"new 1")  # one in a pack
    files = [
        OutputFile("site/p0.html", b"", "x", spool / "p0", "key", digest(b"new 0")),
        OutputFile("site/p1.html", b"", "x", pack, "key", made, span),
        OutputFile("site/p2.html", b"new 2", "x"),  # from memory
        OutputFile("site/p3.html", b"page 3", "x"),  # unchanged
    ]
    releases = str(out / ".releases")
    over: list[str] = []
    rename, replace = os.rename, os.replace

    def noted(move: Callable[..., None]) -> Callable[..., None]:
        def moved(source: str | Path, target: str | Path) -> None:
            inside = str(target).startswith(releases) and not str(target).endswith(".json")
            if inside and Path(target).is_file() and not Path(source).samefile(target):
                over.append(str(target))
            move(source, target)

        return moved

    monkeypatch.setattr(os, "rename", noted(rename))
    monkeypatch.setattr(os, "replace", noted(replace))
    publish(files, out)
    assert over == []
    assert published_tree(out) == {
        "site/p0.html": b"new 0",
        "site/p1.html": b"new 1",
        "site/p2.html": b"new 2",
        "site/p3.html": b"page 3",
    }
    rollback(out)
    assert published_tree(out) == {f"site/p{n}.html": b"page %d" % n for n in range(4)}
