"""The site's search index: Pagefind (its binary ships in the `pagefind_bin` package; no
download at build time) reads one small page per search record and writes the index
and its search interface under site/pagefind/. The same records make the same index,
so an unchanged site keeps the published one without running Pagefind.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

from generator.cache import Previous, Spool, code_digest, digest
from generator.errors import GeneratorError
from generator.model import OutputFile
from generator.render.search import SearchRecord
from generator.urls import SITE

FOLDER = "pagefind"  # in the site: the index, Pagefind's scripts and styles
TIMEOUT = 600  # seconds: 10,000 announcements take a few


def search_index(
    records: Sequence[SearchRecord], *, previous: Previous | None = None, spool: Spool | None = None
) -> list[OutputFile]:
    """The files of the index of `records`, under site/pagefind/ (none for a site with
    nothing to search yet)."""
    if not records:
        return []
    key = digest(
        "search", code_digest(), version("pagefind_bin"), *(repr(r) for r in records)
    )  # fmt: skip
    kept = _kept(key, previous)
    if kept:
        return kept
    work = Path(tempfile.mkdtemp(prefix="search-", dir=spool.folder if spool is not None else None))
    try:
        source, out = work / "pages", work / "index"
        for record in records:
            page = source / record.path
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(record.html(), encoding="utf-8")
        source.mkdir(exist_ok=True)
        _run(source, out)
        found = []
        for path in sorted(p for p in out.rglob("*") if p.is_file()):
            rel = f"{SITE}/{FOLDER}/{path.relative_to(out).as_posix()}"
            if spool is not None:  # published by moving it, like a spooled page
                found.append(OutputFile(rel, b"", "search", path, key, digest(path.read_bytes())))
            else:
                found.append(OutputFile(rel, path.read_bytes(), "search", None, key))
        return found
    finally:
        if spool is None:
            shutil.rmtree(work, ignore_errors=True)
        else:
            shutil.rmtree(work / "pages", ignore_errors=True)


def _kept(key: str, previous: Previous | None) -> list[OutputFile]:
    """The published index, when it was made from the same records."""
    if previous is None:
        return []
    paths = sorted(
        p for p, (k, _) in previous.record.items() if p.startswith(f"{SITE}/{FOLDER}/") and k == key
    )
    found = []
    for path in paths:
        kept = previous.same(path)
        if kept is None:
            return []
        found.append(
            OutputFile(path, b"", "search", kept, key)
            if isinstance(kept, Path)
            else OutputFile(path, kept, "search", None, key)
        )
    return found


def _run(source: Path, out: Path) -> None:
    try:
        import pagefind_bin  # type: ignore[import-untyped]

        binary = str(pagefind_bin.get_executable())
    except (ImportError, FileNotFoundError) as exc:
        raise GeneratorError(
            f"the search indexer is missing ({exc})",
            hint="install intranet with its dependencies (pagefind[bin])",
        ) from None
    done = subprocess.run(
        [binary, "--site", str(source), "--output-path", str(out), "--silent"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise GeneratorError(
            f"the search indexer failed: {(done.stderr or done.stdout).strip()[:300]}",
            hint="build again; if it fails again, build with --debug and report it",
        )
