"""Work spread over processes gives the same result as in one process, in order, with
the workers' problems reported as if they were the parent's."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from tests.conftest import MakeProject, announcement, published_tree

REPO = Path(__file__).resolve().parent.parent
BUILD = [sys.executable, "-m", "generator", "build", "--today", "2026-11-23"]

SCRIPT = """
import os, sys
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
print(len(results), os.getpid() in pids, len(pids), [n for _, chunk in results for n in chunk] == list(range(400)))
"""


def run(jobs: str, mode: str = "ok") -> str:
    env = {**os.environ, "INTRANET_JOBS": jobs}
    found = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert found.returncode == 0, found.stderr
    return found.stdout.strip()


def test_chunks_run_in_worker_processes_and_come_back_in_order() -> None:
    count, in_parent, processes, ordered = run("2").split()
    # never the parent, at most the two workers asked for (how many chunks each takes is the pool's choice)
    assert int(count) > 2 and in_parent == "False" and 1 <= int(processes) <= 2 and ordered == "True"


def test_one_job_stays_in_this_process() -> None:
    assert run("1") == "1 True 1 True"


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
