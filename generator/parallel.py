"""Work spread over the machine's cores: forked worker processes, results in order.

A task is a function of one chunk of items. The workers are forked after the task is
set, so they share the parent's loaded values (settings, templates, views) without
sending them; only the chunks' results travel back (pickled). The work runs in this
process instead when it does not pay (one core, few items), where fork is not
available, or where another thread runs (a fork copies its locks, held or not: the
live preview's watcher and server threads). Wherever it runs, the work collects its
garbage, even in a process that does not (a build's own).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_TASK: Callable[[Sequence[Any]], Any] | None = None
_CHUNKS: Sequence[Sequence[Any]] = ()
# Who is told how long work advances: (what, items done, items in all), after each chunk.
# Set by the command line for the length of a command (`reporting`); None: nobody.
_REPORT: Callable[[str, int, int], None] | None = None
STEPS = 20  # chunks a long piece of work is cut into in one process, to report its progress
CHUNKS_PER_WORKER = 16  # the largest chunk is this fraction of the items, per worker (see guided)
SHARE = 8  # a chunk is at most this fraction of what is left, per worker
LEAST_CHUNK = 16  # items
YOUNG = 50_000  # new objects between two collections of the youngest, in a worker (see _collect)


@contextmanager
def reporting(report: Callable[[str, int, int], None] | None) -> Iterator[None]:
    """Within the block, each labelled `map_chunks` tells `report` how far it is."""
    global _REPORT
    before, _REPORT = _REPORT, report
    try:
        yield
    finally:
        _REPORT = before


def advance(label: str, done: int, total: int) -> None:
    """Tell whoever is `reporting` how far work done outside `map_chunks` is (publishing):
    at most STEPS times in all, and at the end."""
    if _REPORT is not None and total > 0 and (done == total or done % max(1, total // STEPS) == 0):
        _REPORT(label, done, total)


def cores() -> int:
    """The cores this process may use (INTRANET_JOBS sets it, e.g. 1 to stay in one process)."""
    wanted = os.environ.get("INTRANET_JOBS", "")
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return sys.platform != "win32" and "fork" in multiprocessing.get_all_start_methods()


def map_chunks(
    task: Callable[[Sequence[T]], R], items: Sequence[T], *, least: int = 64, label: str = ""
) -> Iterator[R]:
    """`task` over `items` split into consecutive chunks, one result per chunk, in order;
    over several processes when there are at least `least` items per extra process.
    Results are yielded as they come, so a caller that uses each and lets it go never
    holds them all. With a `label`, progress goes to whoever is `reporting`."""
    report = _REPORT if label else None
    workers = min(cores(), len(items) // least) if can_fork() and threading.active_count() == 1 else 1
    if workers <= 1:
        if report is None or len(items) < STEPS * 4:
            with _collecting(young=len(items) < 2 * least):
                whole = task(items)
            yield whole
            return
        size = -(-len(items) // STEPS)
        chunks = [items[start : start + size] for start in range(0, len(items), size)]
        done = 0
        for chunk in chunks:
            with _collecting():
                result = task(chunk)
            done += len(chunk)
            report(label, done, len(items))
            yield result
        return
    chunks = guided(items, workers)
    global _TASK, _CHUNKS
    _TASK, _CHUNKS = task, chunks
    # The parent's objects out of the collector's reach while the workers live: a worker's
    # collection would otherwise write to every one of them, copying the memory it shares.
    gc.freeze()
    try:
        # A worker collects its own garbage even when the parent does not (a build's main
        # process: cli.py): each renders thousands of pages, whose leftovers would pile up.
        with multiprocessing.get_context("fork").Pool(workers, initializer=_collect) as pool:
            done = 0
            for index, result in enumerate(pool.imap(_run, range(len(chunks)))):
                done += len(chunks[index])
                if report is not None:
                    report(label, done, len(items))
                yield result
    finally:
        gc.unfreeze()
        _TASK, _CHUNKS = None, ()


def _collect() -> None:
    """A worker's collector: on, and run after YOUNG new objects rather than Python's 700.
    Rendering makes and drops many objects (contexts, macros' modules): at 700, most of a
    collection's work went on objects about to be dropped anyway, 4-6 % of a worker's time
    in a template edit at 10,000 announcements (perf)."""
    gc.enable()
    gc.set_threshold(YOUNG, *gc.get_threshold()[1:])


@contextmanager
def _collecting(young: bool = False) -> Iterator[None]:
    """The collector on while a chunk's work runs in this process, as it is in a worker
    (`_collect`; at the process's own threshold: the preview's threads share it), whether
    or not the caller's process collects (a build's does not: cli.py). Rendering pages
    leaves cycles: a template edit at 1,000 announcements in one process peaked at 107 MB
    without collecting, 84 MB with (its first collection also goes over the garbage
    the process made before). With `young` (a few items: an edit's one file), only what
    the work makes is gone over: in a process that does not collect, all it made before
    is in the youngest generation, and the first collection went over it (0.1 s of an
    edit at 10,000 announcements)."""
    was = gc.isenabled()
    frozen = young and not was
    if frozen:
        gc.freeze()
    gc.enable()
    try:
        yield
    finally:
        if not was:
            gc.disable()
        if frozen:
            gc.unfreeze()


def guided(items: Sequence[T], workers: int) -> list[Sequence[T]]:
    """`items` in consecutive chunks that shrink as the work nears its end. Items differ
    in cost (a list page against a story's): with chunks of one size, one worker is left
    with the last slow chunk while the others wait (0.4–0.8 s of a template edit at 10,000
    announcements). A chunk is a share of what is left (1/SHARE per worker), down to
    LEAST_CHUNK items, and never more than 1/CHUNKS_PER_WORKER of all per worker: what a
    worker holds at once (a chunk's loaded stories, at 10,000: 25 MB more at the peak with
    chunks twice as large) stays what it was."""
    largest = max(LEAST_CHUNK, -(-len(items) // (workers * CHUNKS_PER_WORKER)))
    chunks = []
    start = 0
    while start < len(items):
        share = -(-(len(items) - start) // (workers * SHARE))
        size = max(LEAST_CHUNK, min(largest, share))
        chunks.append(items[start : start + size])
        start += size
    return chunks


def _run(index: int) -> Any:
    assert _TASK is not None
    return _TASK(_CHUNKS[index])
