"""`intranet serve` on a free port of 127.0.0.1: a page, an edit and its reload event, a
broken edit shown over the last good page, the fix, a deleted file."""

from __future__ import annotations

import http.client
import json
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.serve import EVENTS, Preview, start
from tests.conftest import MakeProject, announcement


@pytest.fixture
def preview(make_project: MakeProject) -> Iterator[tuple[Preview, Path]]:
    project = make_project({"content/announcements/menu.md": announcement("Menú de otoño", "2026-11-18")})
    running = start(project, "127.0.0.1", 0, None, say=lambda line: None)
    yield running, project
    running.stop()


def get(preview: Preview, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(preview.url + path, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def listen(preview: Preview) -> queue.Queue[tuple[str, str]]:
    """Each Server-Sent Event the page's script would receive, as (event, data)."""
    events: queue.Queue[tuple[str, str]] = queue.Queue()
    host, port = preview.server.server_address[:2]

    def read() -> None:
        connection = http.client.HTTPConnection(str(host), port, timeout=30)
        connection.request("GET", EVENTS)
        stream = connection.getresponse()
        name = ""
        while True:
            line = stream.readline().decode()
            if not line:
                return
            if line.startswith("event: "):
                name = line[7:].strip()
            elif line.startswith("data: "):
                events.put((name, line[6:].strip()))

    threading.Thread(target=read, daemon=True).start()
    assert events.get(timeout=5) == ("problems", "[]")  # connected: nothing wrong yet
    return events


def test_an_edit_reloads_the_page_a_broken_one_keeps_the_last_good_site_and_says_why(
    preview: tuple[Preview, Path],
) -> None:
    running, project = preview
    status, page = get(running, "es/news/menu/")
    assert status == 200 and "Menú de otoño" in page
    assert EVENTS in page  # the reload script, only in the preview
    events = listen(running)
    source = project / "content/announcements/menu.md"

    started = time.monotonic()
    source.write_text(announcement("Menú de invierno", "2026-11-18"), encoding="utf-8")
    assert events.get(timeout=10)[0] == "reload"
    reload_seconds = time.monotonic() - started
    assert "Menú de invierno" in get(running, "es/news/menu/")[1]
    assert reload_seconds < 10

    source.write_text("---\ntitle: Menú\ndate: 2026-13-45\n---\nTexto.\n", encoding="utf-8")
    name, data = events.get(timeout=10)
    assert name == "problems"
    (problem,) = json.loads(data)
    assert problem.startswith("content/announcements/menu.md:3: ") and "2026-13-45" in problem
    assert "Menú de invierno" in get(running, "es/news/menu/")[1]  # the last good site

    source.write_text(announcement("Menú de invierno", "2026-11-18"), encoding="utf-8")
    got = events.get(timeout=10)
    assert got[0] == "reload", got

    source.unlink()
    got = events.get(timeout=10)
    assert got[0] == "reload", got
    assert get(running, "es/news/menu/")[0] == 404


def test_editor_files_and_hidden_files_do_not_trigger_a_build(preview: tuple[Preview, Path]) -> None:
    running, project = preview
    events = listen(running)
    (project / "content/announcements/.menu.md.swp").write_bytes(b"swap")
    (project / "content/announcements/menu.md~").write_text("backup", encoding="utf-8")
    with pytest.raises(queue.Empty):
        events.get(timeout=1)
    assert running.state.version == 1  # the first build only


def test_the_command_refuses_a_port_in_use(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    from generator.cli import main

    project = make_project({})
    holder = start(project, "127.0.0.1", 0, None, say=lambda line: None)
    try:
        port = holder.server.server_address[1]
        assert main(["serve", "--project", str(project), "--port", str(port)]) == 2
        assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
    finally:
        holder.stop()


def test_ctrl_c_stops_the_preview_cleanly(make_project: MakeProject) -> None:
    project = make_project({})
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--project", str(project), "--port", "0",
         "--today", "2026-11-23"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        while line and not line.startswith("Serving http://127.0.0.1:"):
            line = process.stdout.readline()
        assert line.startswith("Serving http://127.0.0.1:")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 0 and "Stopped." in out
    assert "Traceback" not in err
