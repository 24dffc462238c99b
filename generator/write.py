"""OutputFiles → the output folder, all or nothing. The only writer.

The site is published as a release: `output/site` is a symbolic link to a folder of
`output/.releases/`, and the switch to a new build is one `os.replace` of that link,
which a web server can never see half-done. The previous release is kept; the next
build brings it up to date in place of starting from nothing (files whose bytes did not
change are left, or hard-linked from the current release, so they keep their inode and
time), which makes a small change a small publish. Each release's manifest (path →
digest of its bytes) says what it holds; it is dropped before the release changes and
written after, so a release without one is never trusted, only removed.

Each week's `newsletter/{week}/` is written to staging, then swapped in with two renames.
A failed or killed build leaves the previous output whole, and the next run clears what
it left behind. Publishing one week's newsletter leaves the site and the other weeks alone.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote

from generator.cache import Previous, digest
from generator.errors import GeneratorError, raise_all
from generator.model import OutputFile
from generator.urls import SITE

STAGING_PREFIX = ".staging-"
OLD_PREFIX = ".old-"


def check_outputs(files: Sequence[OutputFile]) -> list[GeneratorError]:
    """Every path stays inside the output folder, and no two sources write one path."""
    errors = []
    owners: dict[str, str] = {}
    for f in files:
        parts = f.path.split("/")
        unsafe = (
            not parts
            or f.path.startswith("/")
            or "\\" in f.path
            or "\x00" in f.path
            or any(unquote(part) in ("", ".", "..") or part.startswith(".") for part in parts)
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
    return "/".join(parts[:2]) if parts[0] == "newsletter" and len(parts) > 2 else parts[0]


RELEASES = ".releases"


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
    files: Sequence[OutputFile], out_dir: Path, previous: Previous | None = None
) -> dict[str, tuple[str, str]]:
    """Write every file, then switch the site's release and swap each newsletter week in.

    Returns the record of site/: each path's input key and the digest of its bytes.
    (`previous` is the record a build reused pages from; kept for the callers' sake,
    the releases' own manifests say what is on disk.)"""
    raise_all(check_outputs(files), "output problems")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        recover(out_dir)
        (out_dir / RELEASES).mkdir(exist_ok=True)
    except OSError as exc:  # a file where the folder should be, no permission, a full or read-only disk
        raise GeneratorError(
            f"cannot write the output folder: {exc.strerror or exc}",
            path=Path(exc.filename) if exc.filename else out_dir,
            hint="check --out, the folder's permissions and the free disk space; nothing was changed",
        ) from None
    with _lock(out_dir / RELEASES / "lock"):  # one publish at a time into one output folder
        site = [f for f in files if unit_of(f.path) == SITE]
        record = _publish_site(site, out_dir) if site else {}
        others = [f for f in files if unit_of(f.path) != SITE]
        if others:
            _publish_units(others, out_dir)
    return record


def rollback(out_dir: Path) -> Path:
    """Put the release before back in place of the current one, in one rename; return it.
    The release it replaces is kept, so a second rollback returns to it."""
    releases = out_dir / RELEASES
    if not releases.is_dir():
        raise GeneratorError(
            "there is no published site to roll back", path=out_dir, hint="run intranet build first"
        )
    with _lock(releases / "lock"):
        current = _current_release(out_dir / SITE, releases)
        before = _spare(releases, current)
        if current is None or before is None:
            raise GeneratorError(
                "there is no earlier release to go back to",
                path=out_dir / SITE,
                hint="the release before is kept from the second build on",
            )
        switch = out_dir / f"{STAGING_PREFIX}{SITE}-{os.getpid()}"
        switch.unlink(missing_ok=True)
        switch.symlink_to(before.relative_to(out_dir))
        switch.replace(out_dir / SITE)
    return before


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    """An exclusive lock held while publishing: a second build waits for the first to
    finish instead of updating the same release. The system releases it when the
    process ends, so a killed build never leaves a stale lock."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _publish_units(files: Sequence[OutputFile], out_dir: Path) -> None:
    """Newsletter weeks: written to staging, then each swapped in with two renames."""
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
    made: set[Path] = set()
    try:
        for f in files:
            target = staging / f.path
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            if f.copy_from is not None:
                shutil.copyfile(f.copy_from, target)
            else:
                target.write_bytes(f.data)
        for unit in sorted({unit_of(f.path) for f in files}):
            current = out_dir / unit
            old = out_dir / _old_name(unit)
            current.parent.mkdir(parents=True, exist_ok=True)
            if current.exists():
                current.replace(old)
            (staging / unit).replace(current)
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _signature(f: OutputFile, published: Mapping[str, str], out_dir: Path) -> str:
    """What identifies a file's bytes: their digest, or for a file copied as it is (media,
    assets), its source's path, size and time."""
    if f.copy_from is None:
        return digest(f.data)
    if f.digest:  # a rendered page waiting in the spool
        return f.digest
    source = f.copy_from
    site = f"{out_dir / SITE}/"
    if str(source).startswith(site):  # a page kept from the current release
        rel = str(source)[len(site) :]
        if rel in published:
            return published[rel]
    info = source.stat()
    return digest("copy", str(source), str(info.st_size), str(info.st_mtime_ns))


def _publish_site(files: Sequence[OutputFile], out_dir: Path) -> dict[str, tuple[str, str]]:
    releases = out_dir / RELEASES
    link = out_dir / SITE
    current = _current_release(link, releases)
    published = _manifest(current) if current is not None else {}
    spare = _spare(releases, current)
    reused = _manifest(spare) if spare is not None else {}
    if spare is None:
        target = releases / f"{SITE}-{time.time_ns()}"
        target.mkdir()
    else:
        target = spare
        _manifest_file(target).unlink()  # from here until it is written again, untrusted
    manifest: dict[str, str] = {}
    record: dict[str, tuple[str, str]] = {}
    made: set[Path] = set()
    for f in files:
        rel = f.path.removeprefix(f"{SITE}/")
        signature = _signature(f, published, out_dir)
        manifest[rel] = signature
        record[f.path] = (f.key, signature)
        if reused.get(rel) == signature:
            continue  # the release already holds these bytes
        destination = target / rel
        if destination.parent not in made:
            _make_folder(destination.parent, target)
            made.add(destination.parent)
        if destination.is_dir() and not destination.is_symlink():  # a folder that became a file
            shutil.rmtree(destination)
        temporary = destination.with_name(f"{STAGING_PREFIX}{destination.name}")
        if published.get(rel) == signature and current is not None:
            _link(current / rel, temporary)  # unchanged since the current release: the same file
        elif f.copy_from is not None and f.digest:  # from the spool, which is dropped afterwards
            _move(f.copy_from, temporary)
        elif f.copy_from is not None:
            shutil.copyfile(f.copy_from, temporary)
        else:
            temporary.write_bytes(f.data)
        temporary.replace(destination)
    for rel in sorted(set(reused) - set(manifest), reverse=True):
        gone = target / rel
        if gone.is_file() or gone.is_symlink():
            gone.unlink()
            _prune(gone, target)
    _write_manifest(target, manifest)
    if link.is_dir() and not link.is_symlink():  # an output folder from before releases
        old = out_dir / _old_name(SITE)
        link.replace(old)
        shutil.rmtree(old, ignore_errors=True)
    switch = out_dir / f"{STAGING_PREFIX}{SITE}-{os.getpid()}"
    switch.unlink(missing_ok=True)
    switch.symlink_to(target.relative_to(out_dir))
    switch.replace(link)
    for other in releases.iterdir():  # keep the new release and the one before it
        if other.name.startswith(f"{SITE}-") and other not in (target, current):
            if other.suffix == ".json":
                if other.with_suffix("") not in (target, current):
                    other.unlink()
            else:
                shutil.rmtree(other, ignore_errors=True)
    return record


def _current_release(link: Path, releases: Path) -> Path | None:
    if not link.is_symlink():
        return None
    found = (link.parent / link.readlink()).resolve()
    return found if found.parent == releases.resolve() and found.is_dir() else None


def _spare(releases: Path, current: Path | None) -> Path | None:
    """The release before the current one, if its manifest says what it holds."""
    resolved = current.resolve() if current is not None else None
    for candidate in sorted(releases.glob(f"{SITE}-*")):
        if candidate.is_dir() and candidate.resolve() != resolved and _manifest_file(candidate).is_file():
            return candidate
    return None


def _manifest_file(release: Path) -> Path:
    return release.with_name(release.name + ".json")


def _manifest(release: Path) -> dict[str, str]:
    try:
        data = json.loads(_manifest_file(release).read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data.items()}
    except (OSError, ValueError, AttributeError):
        return {}


def _write_manifest(release: Path, manifest: Mapping[str, str]) -> None:
    temporary = _manifest_file(release).with_suffix(".tmp")
    temporary.write_text(json.dumps(manifest, separators=(",", ":")), encoding="utf-8")
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


def _move(spooled: Path, target: Path) -> None:
    try:
        spooled.replace(target)
    except OSError:  # another file system
        shutil.copyfile(spooled, target)


def _link(published: Path, target: Path) -> None:
    """The published file itself in the new tree (a hard link), or a copy keeping its time."""
    try:
        os.link(published, target)
    except OSError:
        shutil.copy2(published, target)
