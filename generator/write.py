"""OutputFiles → a staging folder → swapped into the output folder. The only writer.

Nothing under the output folder changes until every file has been written to
staging; then each unit — `site/`, and each week's `newsletter/{week}/` — is
swapped in with two renames. A failed or killed build leaves the previous output
whole, and the next run clears what it left behind. Publishing one week's
newsletter leaves the site and the other weeks alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
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
        parts = PurePosixPath(f.path).parts
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
    parts = PurePosixPath(path).parts
    return "/".join(parts[:2]) if parts[0] == "newsletter" and len(parts) > 2 else parts[0]


def _old_name(unit: str) -> str:
    return f"{OLD_PREFIX}{unit.replace('/', '~')}-{os.getpid()}"


def recover(out_dir: Path) -> None:
    """Undo what a killed publish left: restore a half-swapped folder, drop staging."""
    if not out_dir.is_dir():
        return
    for leftover in sorted(out_dir.iterdir()):
        if leftover.name.startswith(OLD_PREFIX):
            unit = out_dir / leftover.name[len(OLD_PREFIX) :].rsplit("-", 1)[0].replace("~", "/")
            if unit.exists():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                unit.parent.mkdir(parents=True, exist_ok=True)
                leftover.replace(unit)
        elif leftover.name.startswith(STAGING_PREFIX):
            shutil.rmtree(leftover, ignore_errors=True)


def publish(
    files: Sequence[OutputFile], out_dir: Path, previous: Previous | None = None
) -> dict[str, tuple[str, str]]:
    """Write every file, then swap each top-level folder in; all or nothing.

    With the `previous` publish's record, a site file whose bytes did not change is
    hard-linked from the published one instead of written: same file, same modification
    time, so rsync and web caches see only real changes. Returns the new record of site/."""
    raise_all(check_outputs(files), "output problems")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        recover(out_dir)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
    except OSError as exc:  # a file where the folder should be, no permission, a full or read-only disk
        raise GeneratorError(
            f"cannot write the output folder: {exc.strerror or exc}",
            path=Path(exc.filename) if exc.filename else out_dir,
            hint="check --out, the folder's permissions and the free disk space; nothing was changed",
        ) from None
    record: dict[str, tuple[str, str]] = {}
    made: set[Path] = set()
    try:
        for f in files:
            target = staging / f.path
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            source = f.copy_from
            if source is None and previous is not None:
                kept = previous.unchanged(f.path, f.data)
                source = kept if isinstance(kept, Path) else None
            if source is not None and source.is_relative_to(out_dir):  # a published file, kept
                _link(source, target)
                if previous is not None and f.path in previous.record:
                    record[f.path] = (f.key, previous.record[f.path][1])
            elif source is not None:
                shutil.copyfile(source, target)
            else:
                target.write_bytes(f.data)
                if f.path.startswith(f"{SITE}/"):
                    record[f.path] = (f.key, digest(f.data))
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
    return record


def _link(published: Path, target: Path) -> None:
    """The published file itself in the new tree (a hard link), or a copy keeping its time."""
    try:
        os.link(published, target)
    except OSError:
        shutil.copy2(published, target)
