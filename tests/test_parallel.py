"""Work spread over processes gives the same result as in one process, in order, with
the workers' problems reported as if they were the parent's."""

from __future__ import annotations

import functools
import gc
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

import generator.build
import generator.rules.views
from generator.errors import GeneratorError
from generator.parallel import map_chunks, reporting
from tests.conftest import MakeProject, announcement, published_tree

T = TypeVar("T")

REPO = Path(__file__).resolve().parent.parent
BUILD = [sys.executable, "-m", "generator", "build", "--today", "2026-11-23"]

SCRIPT = """
import gc, os, sys
from pathlib import Path
from generator.errors import GeneratorError
from generator.parallel import map_chunks

def task(chunk):
    if 13 in chunk and sys.argv[1] == "fail":
        raise GeneratorError("unlucky", path=Path("content/x.md"), line=13, hint="try 14")
    return os.getpid(), list(chunk)

try:
    results = list(map_chunks(task, range(400), least=1))
except GeneratorError as error:
    print("error", error.format(), error.line)
    raise SystemExit(0)
pids = {pid for pid, _ in results}
print(len(results), os.getpid() in pids, len(pids), [n for _, chunk in results for n in chunk] == list(range(400)),
      gc.get_freeze_count())
"""


def run(jobs: str, mode: str = "ok") -> str:
    env = {**os.environ, "INTRANET_JOBS": jobs}
    found = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert found.returncode == 0, found.stderr
    return found.stdout.strip()


def test_chunks_run_in_worker_processes_and_come_back_in_order() -> None:
    count, in_parent, processes, ordered, frozen = run("2").split()
    # never the parent, at most the two workers asked for (how many chunks each takes is the pool's choice)
    assert int(count) > 2 and in_parent == "False" and 1 <= int(processes) <= 2 and ordered == "True"
    # the parent's objects, out of the collector's reach while the workers ran, are back in it
    assert frozen == "0"


def test_one_job_stays_in_this_process() -> None:
    assert run("1") == "1 True 1 True 0"


def test_a_problem_in_a_worker_reaches_the_parent_whole() -> None:
    assert run("2", "fail") == "error content/x.md:13: unlucky; try 14 13"


def test_a_build_over_two_processes_equals_one_in_a_single_process(make_project: MakeProject) -> None:
    days = [date(2026, 11, 20) - timedelta(days=3 * i) for i in range(260)]  # a few a week, for years
    project = make_project(
        {
            f"content/announcements/n{i:03}.md": announcement(f"Noticia {i}", day.isoformat())
            + f"\nTexto {i}.\n"
            for i, day in enumerate(days)
        }
    )
    outputs = []
    for jobs in ("1", "2"):
        out = project / f"out-{jobs}"
        found = subprocess.run(
            [*BUILD, "--project", str(project), "--no-cache", "--out", str(out)],
            cwd=REPO,
            env={**os.environ, "INTRANET_JOBS": jobs},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert found.returncode == 0, found.stderr
        outputs.append(published_tree(out))
    assert len(outputs[0]) > 800
    assert outputs[0] == outputs[1]


def collect(into: list[tuple[str, int, int]], what: str, done: int, total: int) -> None:
    into.append((what, done, total))


def test_labelled_work_reports_its_progress_in_one_process_and_over_several() -> None:
    from generator.parallel import map_chunks, reporting

    for jobs in ("1", "2"):
        told: list[tuple[str, int, int]] = []
        os.environ["INTRANET_JOBS"] = jobs
        try:
            with reporting(functools.partial(collect, told)):
                results = [
                    n for chunk in map_chunks(list, range(500), least=1, label="Counting") for n in chunk
                ]
                assert list(map_chunks(list, range(500), least=1)) != []  # unlabelled: not told
        finally:
            del os.environ["INTRANET_JOBS"]
        assert results == list(range(500))
        assert len(told) >= 8, jobs
        assert {what for what, _, _ in told} == {"Counting"} and {total for _, _, total in told} == {500}
        done = [d for _, d, _ in told]
        assert done == sorted(done) and done[-1] == 500


def test_a_long_build_tells_its_progress_in_lines_in_a_log_and_as_a_bar_on_a_terminal(
    make_project: MakeProject,
) -> None:
    files: dict[str, str | bytes] = {
        f"content/announcements/n{i:03}.md": announcement(f"Noticia {i}") for i in range(100)
    }
    project = make_project(files)

    def build(mode: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "INTRANET_PROGRESS": mode, "INTRANET_JOBS": "1"}
        command = [*BUILD, "--project", str(project), "--no-cache"]
        return subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, timeout=300)

    lines = build("lines")
    assert lines.returncode == 0, lines.stderr
    told = lines.stderr.splitlines()
    assert "Reading announcements: 100 of 100" in told
    rendering = [line for line in told if line.startswith("Rendering pages: ")]
    assert (
        len(rendering) >= 5
        and rendering[-1].split(": ")[1].split(" of ") == [rendering[-1].split(" of ")[1]] * 2
    )
    publishing = [line for line in told if line.startswith("Publishing: ")]
    assert len(publishing) >= 5 and publishing[-1].endswith(" of " + publishing[-1].split(" of ")[1])
    total = int(publishing[-1].split(" of ")[1].replace(",", ""))
    assert publishing[-1] == f"Publishing: {total:,} of {total:,}" and total > 300  # every page and file
    assert any(line.startswith("Writing newsletters: ") for line in told)
    bar = build("bar")
    assert bar.returncode == 0 and "Rendering pages" in bar.stderr and "━" in bar.stderr
    assert build("off").stderr == ""


def test_progress_waits_before_showing_so_a_quick_command_stays_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from generator.cli import Progress

    Progress("lines", after=3600)("Rendering pages", 50, 100)
    assert capsys.readouterr().err == ""
    shown = Progress("lines", after=0)
    for done in (5, 10, 50, 51, 100):
        shown("Rendering pages", done, 100)
    assert capsys.readouterr().err.splitlines() == [
        "Rendering pages: 5 of 100",  # the first tenth told once, then each tenth reached
        "Rendering pages: 10 of 100",
        "Rendering pages: 50 of 100",
        "Rendering pages: 100 of 100",
    ]


def test_a_step_the_cache_makes_quick_shows_no_progress_in_a_long_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An edit build runs past two seconds, but its newsletter step takes milliseconds:
    only a step that itself runs a while is told."""
    from generator.cli import Progress

    shown = Progress("lines", after=0, step_after=0.2)
    for done in range(1, 22):
        shown("Writing newsletters", done, 21)  # all at once: never told
    shown("Publishing", 1, 100)
    time.sleep(0.3)
    shown("Publishing", 50, 100)
    shown("Publishing", 100, 100)
    assert capsys.readouterr().err.splitlines() == ["Publishing: 50 of 100", "Publishing: 100 of 100"]


def _while_composing(monkeypatch: pytest.MonkeyPatch, note: Callable[[], T]) -> list[T]:
    """What `note()` says each time a build composes its views (midway through it)."""
    noted: list[T] = []
    compose = generator.rules.views.compose_views

    def composing(*args: Any, **kwargs: Any) -> Any:
        noted.append(note())
        return compose(*args, **kwargs)

    monkeypatch.setattr("generator.build.compose_views", composing)
    return noted


def test_workers_collect_their_garbage_when_the_parent_does_not() -> None:
    """A build's main process does not collect (what it makes lives until it ends); its
    workers, which render thousands of pages each, do, after YOUNG new objects rather than
    Python's 700 (3-5 % less processor time in a template edit at 3,000 and 10,000)."""
    script = (
        "import gc, os\n"
        "from generator.parallel import YOUNG, map_chunks\n"
        "gc.disable()\n"
        "seen = {(pid, on) for chunk in map_chunks(lambda part: [(os.getpid(),"
        " gc.isenabled() and gc.get_threshold()[0] == YOUNG)], range(400), least=1) for pid, on in chunk}\n"
        "print(len({pid for pid, _ in seen}), os.getpid() in {pid for pid, _ in seen},"
        " all(on for _, on in seen), gc.isenabled(), gc.get_threshold()[0])\n"
    )
    found = python(script, jobs="2")
    # in workers only, each collecting; the parent's collector stays as it was set
    assert found[1:] == ["False", "True", "False", "700"]
    assert 1 <= int(found[0]) <= 2


def test_a_build_from_the_command_line_does_not_collect_and_gives_the_collector_back(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`intranet build` runs with the collector off (cli.py); a process that calls it, as
    the tests do, has it on again after, whether the build published or was refused."""
    from generator.cli import main

    project = make_project(
        {"content/announcements/hola.md": announcement("Hola", "2026-11-20") + "\nTexto.\n"}
    )
    collecting = _while_composing(monkeypatch, gc.isenabled)
    assert gc.isenabled()
    assert main(["build", "--project", str(project), "--today", "2026-11-23"]) == 0
    assert collecting == [False] and gc.isenabled()
    (project / "templates" / "site").mkdir(parents=True)
    (project / "templates" / "site" / "home.html").write_text("{{ no_such_name }}", encoding="utf-8")
    (project / "content" / "announcements" / "hola.md").write_text(
        announcement("Hola", "2026-11-20") + "\nOtro texto.\n", encoding="utf-8"
    )
    assert main(["build", "--project", str(project), "--today", "2026-11-23"]) == 1
    assert collecting == [False, False] and gc.isenabled()


@pytest.mark.parametrize("broken", [False, True], ids=["built", "refused"])
def test_a_build_keeps_its_site_from_the_collector_only_while_it_runs(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, broken: bool
) -> None:
    """What a build loaded is out of the collector's passes while it renders (build.py); a
    process that builds again and again (the tests, the preview) still collects what each
    build let go, whether it finished or a template stopped it."""
    files: dict[str, str | bytes] = {
        "content/announcements/hola.md": announcement("Hola", "2026-11-20") + "\nTexto.\n"
    }
    if broken:
        files["templates/site/home.html"] = "{{ no_such_name }}"
    project = make_project(files)
    frozen = _while_composing(monkeypatch, gc.get_freeze_count)
    before = gc.get_freeze_count()
    if broken:
        with pytest.raises(GeneratorError, match="no_such_name"):
            generator.build.build(project, today=date(2026, 11, 23))
    else:
        assert generator.build.build(project, today=date(2026, 11, 23)).html_pages > 10
    assert frozen and frozen[0] > before  # the loaded site was set aside while the build ran
    assert gc.get_freeze_count() == before  # and handed back to the collector after it


@given(count=st.integers(min_value=0, max_value=50_000), workers=st.integers(min_value=1, max_value=16))
def test_chunks_cover_the_items_in_order_and_shrink_towards_the_end(count: int, workers: int) -> None:
    from generator.parallel import CHUNKS_PER_WORKER, LEAST_CHUNK, SHARE, guided

    chunks = guided(range(count), workers)
    assert [n for chunk in chunks for n in chunk] == list(range(count))
    sizes = [len(chunk) for chunk in chunks]
    assert all(size > 0 for size in sizes)
    assert sizes == sorted(sizes, reverse=True)  # never a larger chunk after a smaller one
    # what a worker holds at once is no more than with chunks of one size
    assert max(sizes, default=0) <= max(LEAST_CHUNK, -(-count // (workers * CHUNKS_PER_WORKER)))
    left = count
    for size in sizes:  # each at most a share of what is left: the slow last ones are small
        assert size <= max(LEAST_CHUNK, -(-left // (workers * SHARE)))
        left -= size
    assert not sizes or sizes[-1] <= LEAST_CHUNK
    # and not so many that sending them costs
    assert len(chunks) <= workers * CHUNKS_PER_WORKER + workers * SHARE * (math.log(max(count, 1)) + 2)


@pytest.mark.parametrize("label", ["", "Rendering pages"], ids=["whole", "in steps"])
def test_work_done_in_this_process_collects_its_garbage_when_the_process_does_not(
    monkeypatch: pytest.MonkeyPatch, label: str
) -> None:
    """With one core the work runs in the calling process, whose collector a build turns
    off (cli.py): each chunk's work still collects, as a worker's does, and the caller's
    collector is as it was between chunks and after."""
    monkeypatch.setenv("INTRANET_JOBS", "1")
    seen: list[tuple[int, bool]] = []
    between: list[bool] = []
    was = gc.isenabled()
    gc.disable()
    try:
        with reporting(lambda what, done, total: None):
            for result in map_chunks(lambda part: [(os.getpid(), gc.isenabled())], range(400), label=label):
                seen += result
                between.append(gc.isenabled())
        after = gc.isenabled()
    finally:
        if was:
            gc.enable()
    assert {pid for pid, _ in seen} == {os.getpid()}
    assert all(on for _, on in seen) and len(between) == (20 if label else 1)
    assert not any(between) and not after


def test_a_few_items_worked_on_in_this_process_collect_only_what_their_work_makes() -> None:
    """A process that does not collect (a build's) holds all it ever made in the youngest
    generation: a collection during an edit's one-file chunk went over all of it (0.1 s
    at 10,000 announcements). Work on a few items goes over its own objects only; work
    on many, in this process, still collects what the process left before."""
    script = (
        "import gc, weakref\n"
        "from generator.parallel import map_chunks\n"
        "class Node: pass\n"
        "def cycle():\n"
        "    node = Node(); node.itself = node\n"
        "    return weakref.ref(node)\n"
        "def work(part):\n"
        "    made = cycle()\n"
        "    kept = [Node() for _ in range(5000)]  # enough for the collector to run\n"
        "    return [made() is None]\n"
        "gc.disable()\n"
        "earlier = cycle()\n"
        "many = list(map_chunks(work, list(range(200)), least=64))\n"
        "later = cycle()\n"
        "[[own]] = list(map_chunks(work, [0], least=64))\n"
        "print(earlier() is None, own, later() is None, gc.isenabled())\n"
    )
    # the many items' work took the garbage made before it; the few's collects its own alone
    assert python(script, jobs="1") == ["True", "True", "False", "False"]


def python(script: str, jobs: str) -> list[str]:
    """What `script` prints, run by a fresh interpreter with INTRANET_JOBS=`jobs`, as words."""
    env = {**os.environ, "INTRANET_JOBS": jobs}
    found = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert found.returncode == 0, found.stderr
    return found.stdout.split()
