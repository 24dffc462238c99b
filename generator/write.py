"""OutputFiles → the output folder, all or nothing. The only writer.

Everything is published as one release: a folder of `output/.releases/` holding the
site and every newsletter week, and `output/.current`, a symbolic link to it.
`output/site` and `output/newsletter` are fixed links through `.current`, so the switch
to a new build is one `os.replace` of `.current`, which a web server can never see
half-done, and a site never goes out with a newsletter of another build. The previous
release is kept (`rollback` puts it back); the next build brings it up to date in place
of starting from nothing (files whose bytes did not change are left, or hard-linked from
the current release, so they keep their inode and time), which makes a small change a
small publish. What a build does not make (the newsletter weeks of earlier builds; the
site, when only a newsletter is built) is carried over from the current release.

Each release's manifest (output path → digest of its bytes) says what it holds; it is
dropped before the release changes and written after, so a release without one is never
trusted, only removed. A failed or killed build leaves the previous output whole, and the
next run clears what it left behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import shutil
import stat
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from types import MappingProxyType
from urllib.parse import unquote

from generator.cache import PackReader, Previous, digest, dump_object
from generator.errors import GeneratorError, raise_all
from generator.model import OutputFile
from generator.parallel import STEPS, advance
from generator.urls import NEWSLETTER, SITE

STAGING_PREFIX = ".staging-"
OLD_PREFIX = ".old-"


def check_outputs(files: Sequence[OutputFile]) -> list[GeneratorError]:
    """Every path stays inside the output folder, and no two sources write one path."""
    errors = []
    owners: dict[str, str] = {}
    for f in files:
        path = f.path  # no part empty or hidden (".", ".." or ".name"), even %-decoded
        unsafe = (
            not path
            or path.startswith((".", "/"))
            or path.endswith("/")
            or "/." in path
            or "//" in path
            or "\\" in path
            or "\x00" in path
            or ("%" in path and any(unquote(part) in ("", ".", "..") for part in path.split("/")))
        )
        if unsafe:
            errors.append(
                GeneratorError(
                    f'refusing to write "{f.path}": it would land outside the output folder',
                    path=Path(f.source),
                    hint="use a slug of letters, digits and hyphens",
                )
            )
        elif f.path in owners:
            errors.append(
                GeneratorError(
                    f'two sources write "{f.path}": {owners[f.path]} and {f.source}',
                    path=Path(f.source),
                    hint="give one of them another slug",
                )
            )
        else:
            owners[f.path] = f.source
    return errors


def unit_of(path: str) -> str:
    """The folder swapped as a whole: "site", or "newsletter/2026-W48"."""
    parts = path.split("/", 2)
    return "/".join(parts[:2]) if parts[0] == NEWSLETTER and len(parts) > 2 else parts[0]


RELEASES = ".releases"
KEEP = 3  # releases kept: the current one and the two published before it
RELEASE = "release"  # .releases/release-{time}/: a whole output (site/, newsletter/{week}/)
CARRIED = "published"  # the source of a file carried over from what is published
CURRENT = ".current"  # the link to the current release; site and newsletter link through it


def _old_name(unit: str) -> str:
    return f"{OLD_PREFIX}{unit.replace('/', '~')}-{os.getpid()}"


def recover(out_dir: Path) -> None:
    """Undo what a killed publish left: restore a half-swapped folder, drop staging."""
    if not out_dir.is_dir():
        return
    for leftover in sorted(out_dir.iterdir()):
        if leftover.name.startswith(OLD_PREFIX):
            unit = out_dir / leftover.name[len(OLD_PREFIX) :].rsplit("-", 1)[0].replace("~", "/")
            if unit.exists() or unit.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                unit.parent.mkdir(parents=True, exist_ok=True)
                leftover.replace(unit)
        elif leftover.name.startswith(STAGING_PREFIX):
            if leftover.is_symlink():
                leftover.unlink()
            else:
                shutil.rmtree(leftover, ignore_errors=True)


def publish(
    files: Sequence[OutputFile],
    out_dir: Path,
    previous: Previous | None = None,
    waiting: Callable[[str], None] | None = None,
) -> dict[str, tuple[str, str]]:
    """Write every file into the next release, then switch to it in one rename.

    The parts of the output this build does not make (the newsletter weeks of earlier
    builds; the site, when only a newsletter is built) are carried over from the current
    release unchanged. Returns the record of site/: each path's input key and the digest
    of its bytes. (`previous` is the record a build reused pages from; kept for the
    callers' sake, the releases' own manifests say what is on disk.) `waiting` is told
    who holds the lock when another build is publishing into the same folder."""
    raise_all(check_outputs(files), "output problems")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        recover(out_dir)
        (out_dir / RELEASES).mkdir(exist_ok=True)
    except OSError as exc:  # a file where the folder should be, no permission, a full or read-only disk
        raise _cannot_write(exc, out_dir) from None
    with _lock(out_dir / RELEASES / "lock", waiting):  # one publish at a time into one output folder
        try:
            with PackReader() as packs:
                return _publish(files, out_dir, packs)
        except OSError as exc:  # the disk filled up or became read-only while writing
            raise _cannot_write(exc, out_dir) from None


def _cannot_write(exc: OSError, out_dir: Path) -> GeneratorError:
    if exc.filename and not Path(exc.filename).resolve().is_relative_to(out_dir.resolve()):
        return GeneratorError(  # a file to copy changed or went away during the build
            f"cannot read a file to publish: {exc.strerror or exc}",
            path=Path(exc.filename),
            hint="build again; what readers see was not changed",
        )
    return GeneratorError(
        f"cannot write the output folder: {exc.strerror or exc}",
        path=Path(exc.filename) if exc.filename else out_dir,
        hint="check --out, the folder's permissions and the free disk space; "
        "what readers see was not changed",
    )


def rollback(out_dir: Path, waiting: Callable[[str], None] | None = None) -> Path:
    """Put the release before back in place of the current one, in one rename; return it.
    The release it replaces is kept, so a second rollback returns to it."""
    releases = out_dir / RELEASES
    if not releases.is_dir():
        raise GeneratorError(
            "there is no published site to roll back", path=out_dir, hint="run intranet build first"
        )
    with _lock(releases / "lock", waiting):
        current = _current_release(out_dir)
        earlier = _trusted(releases, current)
        before = earlier[-1] if earlier else None  # the one published last before the current one
        if current is None or before is None:
            raise GeneratorError(
                "there is no earlier release to go back to",
                path=out_dir / SITE,
                hint="the release before is kept from the second build on",
            )
        _switch(out_dir, before)
        _link_parts(out_dir, before)
    return before


@contextmanager
def _lock(path: Path, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """An exclusive lock held while publishing: a second build waits for the first to
    finish instead of updating the same release (`waiting` is told whom it waits for).
    The system releases it when the process ends, so a killed build never leaves a
    stale lock: the next one takes it at once."""
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            if waiting is not None:
                waiting(holder)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.truncate(0)
            handle.write(f"process {os.getpid()}")
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _signature(f: OutputFile, published: Mapping[str, str], out_dir: Path) -> str:
    """What identifies a file's bytes: their digest, or for a file copied as it is (media,
    assets), its source's path, size and time."""
    if f.copy_from is None:
        return digest(f.data)
    if f.digest:  # a rendered page waiting in the spool
        return f.digest
    if f.source == CARRIED and f.path in published:  # carried over from the current release
        return published[f.path]
    source = str(f.copy_from)
    root = f"{out_dir}/"
    if source.startswith(root) and source[len(root) :] in published:  # kept from the current release
        return published[source[len(root) :]]
    info = Path(f.copy_from).stat()
    return digest("copy", source, str(info.st_size), str(info.st_mtime_ns))


_SITE = f"{SITE}/"


def _signatures(files: Sequence[OutputFile], published: Mapping[str, str], out_dir: Path) -> list[str]:
    """Each file's `_signature`: for a file kept from the current release (named by a
    string there: most of an edit's), the manifest's, without a call for each."""
    root = f"{out_dir}/"
    start = len(root)
    return [
        published[kept]
        if type(f.copy_from) is str
        and not f.digest
        and f.source != CARRIED
        and f.copy_from.startswith(root)
        and (kept := f.copy_from[start:]) in published
        else _signature(f, published, out_dir)
        for f in files
    ]


def _carried(files: Sequence[OutputFile], out_dir: Path, current: Path | None) -> list[OutputFile]:
    """What the next release keeps from what is published now: every part (the site, a
    newsletter week) this build does not make."""
    built = {unit_of(f.path) for f in files}
    if current is not None:
        return [
            OutputFile(path, b"", CARRIED, current / path)
            for path in sorted(_manifest(current))
            if unit_of(path) not in built
        ]
    found = []  # an output folder from before releases held its parts as plain folders
    for top in (SITE, NEWSLETTER):
        folder = out_dir / top
        if folder.is_dir():
            for entry in sorted(folder.rglob("*")):
                path = f"{top}/{entry.relative_to(folder).as_posix()}"
                if entry.is_file() and unit_of(path) not in built and not entry.name.startswith("."):
                    found.append(OutputFile(path, b"", CARRIED, entry))
    return found


def _publish(files: Sequence[OutputFile], out_dir: Path, packs: PackReader) -> dict[str, tuple[str, str]]:
    releases = out_dir / RELEASES
    current = _current_release(out_dir)
    published = _manifest(current) if current is not None else {}
    everything = [*files, *_carried(files, out_dir, current)]
    spare = _spare(releases, current)
    reused = _manifest(spare) if spare is not None else {}
    if spare is None:
        target = releases / f"{RELEASE}-{time.time_ns()}"
        target.mkdir()
    else:
        target = spare
        _manifest_file(target).unlink()  # from here until it is written again, untrusted
    made: set[Path] = set()
    device = target.stat().st_dev  # the release's file system
    _device.cache_clear()
    folders: set[str] = set()  # made in a new release
    # Worked out for every file at once, then the release is brought up to date file by
    # file only where it does not hold those bytes yet: an edit at 10,000 announcements
    # publishes 55,000 files, of which a few dozen changed since the release's build.
    signatures = _signatures(everything, published, out_dir)
    manifest = dict(zip([f.path for f in everything], signatures, strict=True))
    record = {
        f.path: (f.key, s) for f, s in zip(everything, signatures, strict=True) if f.path.startswith(_SITE)
    }
    # the release already holds the others' bytes
    changed = [(f, s) for f, s in zip(everything, signatures, strict=True) if reused.get(f.path) != s]
    total, every = len(changed), max(1, len(changed) // STEPS)
    for done, (f, signature) in enumerate(changed, 1):
        if done % every == 0 or done == total:  # 50,000 calls would cost 0.1 s
            advance("Publishing", done, total)
        unchanged = published.get(f.path) == signature and current is not None
        if spare is None:  # a new release: nothing is there yet, nor linked to anything
            _make_new(f, f"{target}/{f.path}", f"{current}/{f.path}" if unchanged else None, folders, packs)
            continue
        if not unchanged and f.copy_from is not None and f.digest:
            # from the spool, which is dropped afterwards: written over the release's own
            # file, or made and renamed over whatever the release held there. Named by
            # strings: a template edit at 10,000 announcements puts 28,000 pages, and
            # their Paths took a quarter of the publish's own time.
            placed = f"{target}/{f.path}"
            folder = os.path.dirname(placed)  # noqa: PTH120
            if folder not in folders and f.path not in reused:  # else the release has it
                _make_folder(Path(folder), target)
            folders.add(folder)
            _into_place(partial(_put, f, placed, device, packs), placed)
            continue
        destination = target / f.path
        if destination.parent not in made:
            _make_folder(destination.parent, target)
            made.add(destination.parent)
        # Anything else is made beside and renamed into place: the release's file may be
        # a link to the current release's, which writing into it would change.
        temporary = destination.with_name(f"{STAGING_PREFIX}{destination.name}")
        if unchanged:
            assert current is not None
            _link(current / f.path, temporary)  # unchanged since the current release: the same file
        elif f.copy_from is not None and f.source == CARRIED:  # from a folder before releases
            _link(f.copy_from, temporary)
        elif f.copy_from is not None:
            shutil.copyfile(f.copy_from, temporary)
        else:
            temporary.write_bytes(f.data)
        _into_place(partial(_moved_in, str(temporary), str(destination)), destination)
        if (unchanged or f.source == CARRIED) and os.path.lexists(temporary):
            temporary.unlink()  # both were links to one file, so the rename did nothing
    for path in sorted(set(reused) - set(manifest), reverse=True):
        gone = target / path
        if gone.is_file() or gone.is_symlink():
            gone.unlink()
            _prune(gone, target)
    _write_manifest(target, manifest)
    _switch(out_dir, target)  # what readers see changes here, all at once
    _link_parts(out_dir, target)
    kept = {target, *([current] if current is not None else []), *_trusted(releases, target)[-(KEEP - 1) :]}
    for other in releases.iterdir():  # keep the new release and the KEEP - 1 before it
        if other.name == "lock" or other in kept:
            continue
        if other.suffix == ".json":
            if other.with_suffix("") not in kept:
                other.unlink()
        else:
            shutil.rmtree(other, ignore_errors=True)
    return record


def _spare(releases: Path, current: Path | None) -> Path | None:
    """The release the next publish brings up to date (the oldest kept), or None while
    fewer than KEEP are kept: then it makes a new one."""
    earlier = _trusted(releases, current)
    return earlier[0] if len(earlier) >= KEEP - 1 else None


def brings_up_to_date(out_dir: Path) -> bool:
    """Whether the next publish into `out_dir` brings a kept release up to date, writing
    each changed page's bytes itself (see _put), rather than making a new release, into
    which each page's own file is moved, as far as can be told before it. The spool keeps
    the pages in its packs in the first case (see Spool). A wrong guess (another build
    published in between) only costs time."""
    releases = out_dir / RELEASES
    return releases.is_dir() and _spare(releases, _current_release(out_dir)) is not None


def _make_new(
    f: OutputFile, destination: str, published: str | None, folders: set[str], packs: PackReader
) -> None:
    """`f` at `destination` in a release this publish makes, where nothing is yet: the
    `published` file (a hard link) when the current release holds the same bytes, else
    written. One call where bringing a release up to date needs three (made beside,
    renamed into place, the link beside dropped), and paths as plain strings: a release
    of 55,000 files at 10,000 announcements."""
    folder = os.path.dirname(destination)  # noqa: PTH120
    if folder not in folders:
        os.makedirs(folder, exist_ok=True)  # noqa: PTH103
        folders.add(folder)
    if published is not None:
        _link(published, destination)
    elif f.copy_from is not None and f.span is not None:  # a page in the spool's pack
        with open(destination, "wb") as out:  # noqa: PTH123
            out.write(packs.read(f.copy_from, f.span))
    elif f.copy_from is not None and f.digest:  # from the spool, which is dropped afterwards
        try:
            os.replace(f.copy_from, destination)  # noqa: PTH105
        except OSError:  # another file system (the memory-backed one)
            shutil.copyfile(f.copy_from, destination)
    elif f.copy_from is not None and f.source == CARRIED:  # from a folder before releases
        _link(f.copy_from, destination)
    elif f.copy_from is not None:
        shutil.copyfile(f.copy_from, destination)
    else:
        with open(destination, "wb") as out:  # noqa: PTH123
            out.write(f.data)


def _switch(out_dir: Path, release: Path) -> None:
    """Point `.current` at `release`: one rename, which a web server never sees half-done."""
    switch = out_dir / f"{STAGING_PREFIX}{CURRENT}-{os.getpid()}"
    switch.unlink(missing_ok=True)
    switch.symlink_to(release.relative_to(out_dir))
    switch.replace(out_dir / CURRENT)
    os.utime(release)  # the release's folder time says when it last became current


def _link_parts(out_dir: Path, release: Path) -> None:
    """`site` and `newsletter` in the output folder are links through `.current`, made
    once: a folder or link of an earlier layout is replaced, a part the release lacks
    loses its link."""
    for name in (SITE, NEWSLETTER):
        link = out_dir / name
        wanted = Path(CURRENT) / name
        if not (release / name).is_dir():
            if link.is_symlink() and link.readlink() == wanted:
                link.unlink()
            continue
        if link.is_symlink() and link.readlink() == wanted:
            continue
        if link.is_dir() and not link.is_symlink():  # a folder from before releases
            old = out_dir / _old_name(name)
            link.replace(old)
            shutil.rmtree(old, ignore_errors=True)
        temporary = out_dir / f"{STAGING_PREFIX}{name}-{os.getpid()}"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(wanted)
        temporary.replace(link)


def still_published(out_dir: Path, record: Mapping[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """The entries of a build's record whose bytes the current release holds, by its
    manifest: a build may keep those files without looking at each on disk."""
    current = _current_release(out_dir)
    manifest = _manifest(current) if current is not None else {}
    return {path: entry for path, entry in record.items() if manifest.get(path) == entry[1]}


def _current_release(out_dir: Path) -> Path | None:
    link = out_dir / CURRENT
    if not link.is_symlink():
        return None
    releases = (out_dir / RELEASES).resolve()
    found = (out_dir / link.readlink()).resolve()
    trusted = found.parent == releases and found.is_dir() and _manifest_file(found).is_file()
    return found if trusted else None


def _trusted(releases: Path, current: Path | None) -> list[Path]:
    """The releases other than the current one whose manifest says what they hold, in
    the order they last became current (their folder's time, set by `_switch`)."""
    resolved = current.resolve() if current is not None else None
    found = [
        candidate
        for candidate in releases.glob(f"{RELEASE}-*")
        if candidate.is_dir() and candidate.resolve() != resolved and _manifest_file(candidate).is_file()
    ]
    return sorted(found, key=lambda release: (release.stat().st_mtime_ns, release.name))


def _manifest_file(release: Path) -> Path:
    return release.with_name(release.name + ".json")


def _manifest(release: Path) -> Mapping[str, str]:
    """What a release holds (output path → digest of its bytes). Read once per process
    while the file stays the same one (its time, size and inode: a manifest is always
    written anew and renamed into place): a build reads the current one three times."""
    file = _manifest_file(release)
    try:
        info = file.stat()
        signature = (info.st_mtime_ns, info.st_size, info.st_ino)
        known = _MANIFESTS.get(file)
        if known is not None and known[0] == signature:
            return known[1]
        data = json.loads(file.read_text(encoding="utf-8"))
        found = MappingProxyType({str(k): str(v) for k, v in data.items()})
    except (OSError, ValueError, AttributeError):
        return {}
    if len(_MANIFESTS) >= 2:  # the current release's and the one brought up to date
        _MANIFESTS.clear()
    _MANIFESTS[file] = (signature, found)
    return found


_MANIFESTS: dict[Path, tuple[tuple[int, int, int], Mapping[str, str]]] = {}


def _write_manifest(release: Path, manifest: Mapping[str, str]) -> None:
    temporary = _manifest_file(release).with_suffix(".tmp")
    with temporary.open("w", encoding="utf-8") as out:
        dump_object(manifest, out)
    temporary.replace(_manifest_file(release))


def _make_folder(folder: Path, release: Path) -> None:
    """A folder in the release; a file in its place (a page that became a section) goes."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        below = folder
        while below != release and not below.is_dir():
            if below.is_file() or below.is_symlink():
                below.unlink()
                break
            below = below.parent
        folder.mkdir(parents=True, exist_ok=True)


def _prune(path: Path, release: Path) -> None:
    """Remove the empty folders above a removed file, up to the release."""
    folder = path.parent
    while folder != release:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _into_place(put: Callable[[], object], destination: Path | str) -> None:
    """`put()` a file at `destination`; a folder there (a section that became a page) goes."""
    try:
        put()
    except IsADirectoryError:
        shutil.rmtree(destination)
        put()


def _put(f: OutputFile, target: str, device: int, packs: PackReader) -> None:
    """A spooled file (a page in a pack or in a file, a file of the search index) at
    `target`, in a release brought up to date (not the current one: no reader sees it),
    on the file system `device`. A file on that file system is moved in (see _moved_in).
    Bytes in a pack or on another file system (the memory-backed one) are written over
    the release's own file, when it is a plain one with no other link: no file is made,
    and none freed (on a disk, making each page's file and then freeing the one it
    replaced took most of a template edit's publish). A file with other links (the
    current release's, or a backup's made with hard links) is never written into: it is
    removed, and a new one made in its place."""
    assert f.copy_from is not None
    if f.span is None and _device(os.path.dirname(f.copy_from)) == device:  # noqa: PTH120
        _moved_in(str(f.copy_from), target)
        return
    data = packs.read(f.copy_from, f.span)
    if not _overwrite(target, data):
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):  # a folder: see _into_place
            os.unlink(target)  # noqa: PTH108  (strings: see _publish)
        with open(target, "wb") as made:  # noqa: PTH123
            made.write(data)


def _moved_in(source: str, target: str) -> None:
    """The file `source` renamed to `target`, in a release being brought up to date (no
    reader sees it: it is not the current one), where a file may be. That file is removed
    first, then the new one renamed in, rather than renamed over it: renaming a freshly
    written file over another makes ext4 (its `auto_da_alloc` default) allocate the new
    file's blocks and start writing them out at once, which doubled the time to put
    28,000 pages in place after a template edit at 10,000 announcements. A folder there
    is left for the rename, which raises IsADirectoryError (see _into_place)."""
    with contextlib.suppress(FileNotFoundError, IsADirectoryError):
        os.unlink(target)  # noqa: PTH108  (strings: see _publish)
    os.rename(source, target)  # noqa: PTH104


@functools.lru_cache(maxsize=256)
def _device(folder: str) -> int:
    """The file system a folder is on (the spool's, a search bundle's: a few per publish)."""
    try:
        return os.stat(folder).st_dev  # noqa: PTH116
    except OSError:
        return -1


def _overwrite(target: Path | str, data: bytes) -> bool:
    """`data` written over `target`'s bytes, if it is a plain file with no other link;
    whether it was."""
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_NOFOLLOW)
    except OSError:  # none there, a folder, a symbolic link
        return False
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            return False
        view = memoryview(data)
        written = 0
        while written < len(view):
            written += os.pwrite(descriptor, view[written:], written)
        if info.st_size > len(view):  # shorter than before: what followed goes
            os.ftruncate(descriptor, len(view))
    finally:
        os.close(descriptor)
    return True


def _link(published: Path | str, target: Path | str) -> None:
    """The published file itself in the new tree (a hard link), or a copy keeping its time."""
    try:
        os.link(published, target)
    except OSError:
        shutil.copy2(published, target)
