"""The site's search index: Pagefind (its binary ships in the `pagefind_bin` package; no
download at build time) reads one small page per search record and writes the index
and its search interface under site/pagefind/. The same records make the same index,
so an unchanged site keeps the published one without running Pagefind.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import weakref
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from generator.cache import Previous, Spool, code_digest, digest, running
from generator.errors import GeneratorError
from generator.model import OutputFile
from generator.parallel import cores
from generator.render.search import SearchRecord
from generator.urls import SEARCH_FOLDER, SITE, search_bundle, search_bundle_name

FOLDER = SEARCH_FOLDER
TIMEOUT = 600  # seconds: 10,000 announcements take a few
PER_SHARD = 150  # records of one language in a bundle, about (an edit indexes one bundle again)
MAX_SHARDS = 32  # bundles of one language at most: a reader's search loads each
AT_ONCE = 4  # bundles made at a time at most, whatever the cores: each Pagefind takes its memory
# Pagefind makes the bundles (each takes 250 MB for 800 pages) in a helper process
# started before the pages render: one at a time while they render, then, once the
# build waits for the index (it closes the helper's input), as many at a time as there
# are cores, up to AT_ONCE. It starts once the first bundle's pages are written and
# takes each next bundle when its pages are all there (at 10,000 announcements, writing
# them takes 1.5-2.5 s), and it removes each bundle's pages once Pagefind has read them
# (removing them all at the end took about 1 s). The build itself never runs threads,
# which would forbid its forked workers.
_CHAIN = """\
import os, select, shutil, signal, subprocess, sys, tempfile, time
binary, width, *pairs = sys.argv[1:]
todo = list(zip(pairs[::2], pairs[1::2]))
running = []
wide = False
parent = os.getppid()
def stop(code=1):
    for process, _, _ in running:
        process.kill()
        process.wait()
    sys.exit(code)
signal.signal(signal.SIGTERM, lambda *_: stop())
while todo or running:
    if os.getppid() != parent:
        stop()  # the build is gone (killed): what it asked for is no one's
    # a bundle's pages folder appears, renamed into place, once all its pages are written
    while todo and len(running) < (int(width) if wide else 1) and os.path.isdir(todo[0][0]):
        source, out = todo.pop(0)
        log = tempfile.TemporaryFile()
        command = [binary, "--site", source, "--output-path", out, "--silent"]
        running.append((subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT), log, source))
    if wide:
        if todo and not running and not os.path.isdir(todo[0][0]):
            stop()  # its input is closed once every bundle is written: the build is gone
        time.sleep(0.005)
    elif select.select([sys.stdin], [], [], 0.005)[0]:
        wide = True
    for process, log, source in list(running):
        if process.poll() is None:
            continue
        running.remove((process, log, source))
        if process.returncode != 0:
            log.seek(0)
            sys.stdout.write(log.read().decode("utf-8", "replace"))
            sys.stdout.flush()
            stop(process.returncode)
        shutil.rmtree(source, ignore_errors=True)  # read: here, not at the end of the build
"""
# Pagefind's input pages are thrown away once it has read them: in memory where the system
# has a memory-backed folder (making hundreds of folders on a disk costs a second)
SCRATCH = Path("/dev/shm")
READY = "ready"  # in a bundle's scratch folder: its pages, once they are all written
# Pagefind's search interfaces, in every bundle it makes. Every language's search page
# loads them from the index's first bundle and searches with its own language's bundles
# (their engine, entry, metadata, WebAssembly, index, fragments and filters), so the
# others' are not published: at 10,000 announcements, 95 bundles of 96 would hold 420 KB
# of them each.
INTERFACE = frozenset(
    {
        "pagefind-ui.js",
        "pagefind-ui.css",
        "pagefind-component-ui.js",
        "pagefind-component-ui.css",
        "pagefind-modular-ui.js",
        "pagefind-modular-ui.css",
        "pagefind-highlight.js",
    }
)


def shards(records: Sequence[SearchRecord]) -> dict[str, list[SearchRecord]]:
    """The records in bundles of one language each, of about PER_SHARD records, each
    record always in the same one while its language's number of records stays: an edit
    indexes its story's bundle in its language again, not the whole site, nor the
    story's other languages. A language's search page merges that language's bundles
    (Pagefind's `mergeIndex`), so a reader's search loads no other language's."""
    bundles = _per_language(Counter(_language(record.path) for record in records))
    found: dict[str, list[SearchRecord]] = {}
    for record in records:
        found.setdefault(_bundle_of(record.path, bundles), []).append(record)
    return {name: found[name] for name in sorted(found, key=_order)}


def bundle_names(counts: Mapping[str, int], paths: Iterable[str]) -> tuple[str, ...]:
    """The names of the bundles `shards` makes of records at `paths`, `counts` of them in
    each language (the first part of their paths), without the records (the preview
    names them on the search pages before it indexes). The paths are read until every
    bundle has one: a large site fills them all at once."""
    bundles = _per_language(counts)
    every = sum(count for lang, count in bundles.items() if counts[lang])
    found: set[str] = set()
    for path in paths:
        found.add(_bundle_of(path, bundles))
        if len(found) == every:
            break
    return tuple(sorted(found, key=_order))


def _per_language(counts: Mapping[str, int]) -> dict[str, int]:
    """How many bundles each language's `counts` records make."""
    return {lang: max(1, min(MAX_SHARDS, -(-count // PER_SHARD))) for lang, count in counts.items()}


def _language(path: str) -> str:
    return path.split("/", 1)[0]


def _bundle_of(path: str, bundles: Mapping[str, int]) -> str:
    """`path`'s bundle: a number in its language (the same for every language of an item)."""
    lang, page = path.split("/", 1)
    return search_bundle_name(lang, _number(page) % bundles[lang])


def _order(name: str) -> tuple[str, int]:
    lang, number = name.rsplit("-", 1)
    return lang, int(number)


@lru_cache(maxsize=1 << 17)  # a large site's pages, kept from one preview rebuild to the next
def _number(page: str) -> int:
    return int(digest(page)[:8], 16)


def search_index(
    records: Sequence[SearchRecord], *, previous: Previous | None = None, spool: Spool | None = None
) -> list[OutputFile]:
    """The files of the index of `records`, one Pagefind bundle per shard under
    site/pagefind/{shard}/ (none for a site with nothing to search yet)."""
    return start_index(records, previous=previous, spool=spool).files()


def start_index(
    records: Sequence[SearchRecord], *, previous: Previous | None = None, spool: Spool | None = None
) -> Indexing:
    """Start indexing the bundles that changed; Pagefind runs while the caller renders
    the pages, and `files()` waits for it."""
    published: dict[str, list[tuple[str, str]]] = {}  # the last index's files, by bundle
    for path, (key, _) in previous.record.items() if previous is not None else ():
        if (prefix := search_bundle(path)) is not None:
            published.setdefault(prefix, []).append((path, key))
    parts = shards(records)
    room = _Room()
    bundles = [
        _prepare(
            name,
            part,
            previous,
            published.get(f"{SITE}/{FOLDER}/{name}/", []),
            spool,
            room,
            name == next(iter(parts)),  # the index's first: the search pages' interface
        )
        for name, part in parts.items()
    ]
    indexing = Indexing(bundles, spool, tuple(parts))
    try:
        for bundle, part in zip(bundles, parts.values(), strict=True):
            if bundle.pages is not None:  # Pagefind starts on the first while the others are written
                _write_pages(bundle.pages, part)
                indexing.launch()
    except OSError as exc:  # the folder filled up (others write there too) or went away
        indexing.cancel()
        raise GeneratorError(
            f"cannot write the pages the search index is made from: {exc.strerror or exc}",
            path=Path(exc.filename) if exc.filename else None,
            hint="free some space there (or in /dev/shm) and build again; what readers see was not changed",
        ) from None
    except BaseException:
        indexing.cancel()
        raise
    for bundle in bundles:  # listed while Pagefind runs: an edit waits for Pagefind, not for this
        if bundle.unchanged:
            bundle.kept = _kept(bundle.key, bundle.unchanged, previous)
    return indexing


class _Bundle:
    """One bundle: kept from the previous build, or being made by a running Pagefind."""

    def __init__(
        self,
        prefix: str,
        key: str,
        kept: list[OutputFile],
        work: Path | None = None,
        pages: Path | None = None,
        unchanged: list[tuple[str, str]] | None = None,
        interface: bool = True,
    ) -> None:
        self.prefix, self.key, self.kept = prefix, key, kept
        self.interface = interface  # the index's first: with the search interface's files
        self.work = work  # where Pagefind writes the bundle (index/)
        self.pages = pages  # the pages it reads, removed once it is done
        self.unchanged = unchanged  # its published files, kept as they are: listed in `kept` later


class Indexing:
    """The bundles of one index, some perhaps still being made."""

    def __init__(self, bundles: list[_Bundle], spool: Spool | None, names: tuple[str, ...] = ()) -> None:
        self._bundles = bundles
        self._spool = spool
        self._chain: subprocess.Popen[str] | None = None
        self.names = names  # the bundles', as `shards` names them: what the search page merges

    def launch(self) -> None:
        """Start making every bundle that changed (see _CHAIN)."""
        making = [
            (b.pages / READY, b.work / "index") for b in self._bundles if b.work is not None and b.pages
        ]
        if self._chain is None and making:
            self._chain = _run(making)
            _MAKING.add(self)

    def files(self) -> list[OutputFile]:
        found: list[OutputFile] = []
        try:
            if self._chain is not None:
                _wait(self._chain)
            for bundle in self._bundles:
                found += bundle.kept if bundle.work is None else self._collect(bundle)
        finally:
            self.cancel()
        return found

    def cancel(self) -> None:
        """Stop what still runs and remove the work folders (after files(), or on an error)."""
        _MAKING.discard(self)
        if self._chain is not None and self._chain.poll() is None:
            self._chain.terminate()  # which stops the Pagefind it runs
            try:
                self._chain.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._chain.kill()
                self._chain.wait()
        if self._chain is not None:
            for pipe in (self._chain.stdin, self._chain.stdout):
                if pipe is not None and not pipe.closed:
                    pipe.close()
        for bundle in self._bundles:
            if bundle.pages is not None:
                shutil.rmtree(bundle.pages, ignore_errors=True)
            if bundle.work is not None and self._spool is None:
                shutil.rmtree(bundle.work, ignore_errors=True)

    def _collect(self, bundle: _Bundle) -> list[OutputFile]:
        """The bundle's files as Pagefind wrote them, each named by a string (a Path for
        each of 26,000 files at 10,000 announcements held 10 MB more until the publish)."""
        assert bundle.work is not None
        out = os.path.join(bundle.work, "index")  # noqa: PTH118
        files = sorted(
            os.path.join(folder, name)  # noqa: PTH118
            for folder, _, names in os.walk(out)
            for name in names
        )
        found = []
        for file in files:
            if not bundle.interface and os.path.basename(file) in INTERFACE:  # noqa: PTH119
                continue
            rel = bundle.prefix + file[len(out) + 1 :]
            with open(file, "rb") as made:  # noqa: PTH123
                data = made.read()
            if self._spool is not None:  # published by moving it, like a spooled page
                found.append(OutputFile(rel, b"", "search", file, bundle.key, digest(data)))
            else:
                found.append(OutputFile(rel, data, "search", None, bundle.key))
        return found


def _prepare(
    name: str,
    records: Sequence[SearchRecord],
    previous: Previous | None,
    published: list[tuple[str, str]],
    spool: Spool | None,
    room: _Room,
    interface: bool = True,
) -> _Bundle:
    prefix = f"{SITE}/{FOLDER}/{name}/"
    key = _key(prefix, records, interface)
    if previous is not None and previous.checked:  # its files are where the record says
        if published and all(k == key for _, k in published):
            return _Bundle(prefix, key, [], unchanged=published)
    elif kept := _kept(key, published, previous):
        return _Bundle(prefix, key, kept)
    size = _size(records)
    pages_in = room.take(size)
    index_in = room.take(size) if spool is None or published else None
    if index_in is None and spool is not None:
        # a bundle published for the first time: its files are all new, so Pagefind writes
        # them where the publish renames them from
        spool.folder.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="search-", dir=spool.folder))
    else:  # made again: most of its files are the published ones, so they are thrown away
        work = Path(tempfile.mkdtemp(prefix=f"intranet-search-{os.getpid()}-", dir=index_in))
        if spool is not None:
            spool.adopt(work)
    source = Path(tempfile.mkdtemp(prefix=f"intranet-search-{os.getpid()}-", dir=pages_in or work))
    return _Bundle(prefix, key, [], work, source, interface=interface)


class _Room:
    """What this build may put in the memory-backed folder: half of what is free there
    when the index starts (a container's is often 64 MB, and others use it too), or
    nothing where there is none. Pagefind's pages and a bundle's index take about as much
    as the records' texts (a bundle's index at 10,000 announcements: 4.5 MB); what does
    not fit goes to the disk."""

    def __init__(self) -> None:
        self.folder = _scratch()
        self.left = 0
        if self.folder is not None:
            self.left = _free(self.folder) // 2

    def take(self, size: int) -> Path | None:
        """The folder, if `size` more bytes fit in it (counted as taken from then on)."""
        if self.folder is None or size > self.left:
            return None
        self.left -= size
        return self.folder


def _free(folder: Path) -> int:
    """The bytes free in `folder`'s file system (none if that cannot be told)."""
    try:
        info = os.statvfs(folder)
    except OSError:
        return 0
    return info.f_bavail * info.f_frsize


def _size(records: Sequence[SearchRecord]) -> int:
    """About the bytes of the records' pages, with a margin: a page holds its title twice,
    its text, and its filters and head in under a kilobyte."""
    return sum(2 * len(r.title) + r.body.length + 1024 for r in records) * 5 // 4


def _write_pages(folder: Path, records: Sequence[SearchRecord]) -> None:
    """One small page per record in folder/READY/, which appears, renamed into place, only
    once every page is written: what tells Pagefind's helper the bundle is ready."""
    writing = folder / "writing"
    made: set[str] = set()
    for record in records:
        page = os.path.join(writing, record.path)  # noqa: PTH118  (24,000 pages at 10,000: strings)
        parent = os.path.dirname(page)  # noqa: PTH120
        if parent not in made:
            os.makedirs(parent, exist_ok=True)  # noqa: PTH103
            made.add(parent)
        with open(page, "w", encoding="utf-8") as handle:  # noqa: PTH123
            handle.write(record.html())
    writing.replace(folder / READY)


def _scratch() -> Path | None:
    """The memory-backed folder, if there is one, without the pages of builds that were killed."""
    if not SCRATCH.is_dir() or not os.access(SCRATCH, os.W_OK):
        return None
    for old in SCRATCH.glob("intranet-search-*"):
        pid = old.name.split("-")[2]
        if pid.isdigit() and not running(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    return SCRATCH


def _key(prefix: str, records: Sequence[SearchRecord], interface: bool = True) -> str:
    """The digest of a bundle's records, each written as the repr of its fields, then of
    its filters (literals that say where each field and record ends); a record's title and text
    count by its item's digest when it has one (`origin`: the digest of everything the
    item was loaded from), not by hashing the text again."""
    h = hashlib.blake2b(digest_size=20)
    h.update(repr(("search", code_digest(), _pagefind_version(), prefix, interface)).encode())
    filters: dict[int, bytes] = {}  # records share their filters (search_records): each written once
    for r in records:
        texts = (r.origin, "") if r.origin else (r.title, r.body.text)
        h.update(repr((r.path, r.lang, *texts, r.date)).encode("utf-8", "surrogatepass"))
        shown = filters.get(id(r.filters))
        if shown is None:  # `records` holds every one, so no two have the same id
            shown = filters[id(r.filters)] = repr(r.filters).encode("utf-8", "surrogatepass")
        h.update(shown)
    return h.hexdigest()


@lru_cache(maxsize=1)
def _pagefind_version() -> str:
    return version("pagefind_bin")


def _kept(key: str, published: list[tuple[str, str]], previous: Previous | None) -> list[OutputFile]:
    """The published bundle (`published`: its files and their keys), when it was made from
    the same records."""
    if previous is None or not published or any(k != key for _, k in published):
        return []
    paths = sorted(p for p, _ in published)
    found = []
    for path in paths:
        kept = previous.same(path)
        if kept is None:
            return []
        found.append(
            OutputFile(path, b"", "search", kept, key)
            if isinstance(kept, str)
            else OutputFile(path, kept, "search", None, key)
        )
    return found


# The indexes whose Pagefind runs. One still running when the process ends (a preview
# stopped with Ctrl-C while a thread of it waited for its index: a thread that never
# returns) is stopped then; the helper also stops by itself when the build is killed.
_MAKING: weakref.WeakSet[Indexing] = weakref.WeakSet()


@atexit.register
def _stop_making() -> None:
    for indexing in list(_MAKING):
        indexing.cancel()


def _run(bundles: Sequence[tuple[Path, Path]]) -> subprocess.Popen[str]:
    """Pagefind over each (pages, index folder), in a helper process (see _CHAIN). One
    bundle, the usual edit, runs as Pagefind itself, without the helper's start, where
    it can be made to end with this process (`_ending_with_this_process`)."""
    try:
        import pagefind_bin  # type: ignore[import-untyped]

        binary = str(pagefind_bin.get_executable())
    except (ImportError, FileNotFoundError) as exc:
        raise GeneratorError(
            f"the search indexer is missing ({exc})",
            hint="install intranet with its dependencies (pagefind[bin])",
        ) from None
    pairs = [str(part) for pair in bundles for part in pair]
    ending = _ending_with_this_process() if len(bundles) == 1 else None
    if ending is not None:
        return subprocess.Popen(
            [*ending, binary, "--site", pairs[0], "--output-path", pairs[1], "--silent"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    # its input is closed when the build waits: the cores are then Pagefind's
    command = [sys.executable, "-c", _CHAIN, binary, str(min(cores(), AT_ONCE)), *pairs]
    return subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _ending_with_this_process() -> list[str] | None:
    """What to start a program with so that it is killed when this process ends, however
    it ends: util-linux's `setpriv` asks Linux for the parent-death signal and starts it
    (the signal is kept across exec). None where there is none: the helper then runs
    Pagefind, and stops it when it finds the build gone. A build killed while Pagefind
    ran left it running without its pages (the next build removes them), where it could
    hang for good. (Asking for the signal from Python between fork and exec would copy
    the build's memory map at each start: 8-45 ms against well under 1 ms.)"""
    if sys.platform != "linux":
        return None
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "KILL", "--"] if setpriv is not None else None


def _wait(process: subprocess.Popen[str]) -> None:
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise GeneratorError(
            f"the search indexer did not finish in {TIMEOUT} s",
            hint="build again; if it fails again, build with --debug and report it",
        ) from None
    if process.returncode != 0:
        raise GeneratorError(
            f"the search indexer failed: {(output or '').strip()[:300]}",
            hint="build again; if it fails again, build with --debug and report it",
        )
