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
PER_SHARD = 400  # records in one bundle, about (an edit indexes one bundle again)
MAX_SHARDS = 32


def shards(records: Sequence[SearchRecord]) -> dict[str, list[SearchRecord]]:
    """The records in bundles of about PER_SHARD, each record always in the same one
    while their number stays: an edit indexes its bundle again, not the whole site. An
    item's versions in every language share a bundle, so each bundle searches each
    language. The search page merges them (Pagefind's `mergeIndex`)."""
    count = max(1, min(MAX_SHARDS, -(-len(records) // PER_SHARD)))
    found: dict[str, list[SearchRecord]] = {}
    for record in records:
        page = record.path.split("/", 1)[1]  # the same bundle for every language of an item
        found.setdefault(str(int(digest(page)[:8], 16) % count), []).append(record)
    return dict(sorted(found.items()))


def search_index(
    records: Sequence[SearchRecord], *, previous: Previous | None = None, spool: Spool | None = None
) -> list[OutputFile]:
    """The files of the index of `records`, one Pagefind bundle per shard under
    site/pagefind/{shard}/ (none for a site with nothing to search yet)."""
    found: list[OutputFile] = []
    for name, part in shards(records).items():
        found += _bundle(name, part, previous, spool)
    return found


def _bundle(
    name: str, records: Sequence[SearchRecord], previous: Previous | None, spool: Spool | None
) -> list[OutputFile]:
    prefix = f"{SITE}/{FOLDER}/{name}/"
    key = digest("search", code_digest(), version("pagefind_bin"), prefix, *(repr(r) for r in records))
    kept = _kept(key, prefix, previous)
    if kept:
        return kept
    work = Path(tempfile.mkdtemp(prefix="search-", dir=spool.folder if spool is not None else None))
    try:
        source, out = work / "pages", work / "index"
        for record in records:
            page = source / record.path
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(record.html(), encoding="utf-8")
        _run(source, out)
        found = []
        for path in sorted(p for p in out.rglob("*") if p.is_file()):
            rel = prefix + path.relative_to(out).as_posix()
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


def _kept(key: str, prefix: str, previous: Previous | None) -> list[OutputFile]:
    """The published bundle, when it was made from the same records."""
    if previous is None:
        return []
    paths = sorted(p for p, (k, _) in previous.record.items() if p.startswith(prefix) and k == key)
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
