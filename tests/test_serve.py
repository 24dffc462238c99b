"""`intranet serve` on a free port of 127.0.0.1: a page, an edit and its reload event, a
broken edit shown over the last good page, the fix, a deleted file."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import types
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from generator import indexer, serve
from generator.build import Sources, build, files_changed, load_sources, preview_site
from generator.cache import Memo, Store
from generator.cli import main
from generator.load import reuse
from generator.serve import EVENTS, Preview, start
from generator.urls import site_output
from tests.conftest import REPO, SEARCH, TODAY, MakeProject, announcement, search_index, sequence_seeds


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
    _, data = _first("problems", events, timeout=10)  # past a reload a slow machine may add
    (problem,) = json.loads(data)
    assert problem.startswith("content/announcements/menu.md:3: ") and "2026-13-45" in problem
    assert "Menú de invierno" in get(running, "es/news/menu/")[1]  # the last good site

    source.write_text(announcement("Menú de invierno", "2026-11-18"), encoding="utf-8")
    _first("reload", events, timeout=10, past="problems")

    source.unlink()
    deadline = time.monotonic() + 10
    while get(running, "es/news/menu/")[0] != 404 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert get(running, "es/news/menu/")[0] == 404


def test_a_broken_file_stays_shown_while_other_files_are_edited_until_it_is_fixed(
    preview: tuple[Preview, Path],
) -> None:
    """A rebuild looks only at the files the watcher saw touched since the last rebuild
    that got through: saving another file while one is broken must not bring the broken
    one back as it was before. Its problem stays shown over the last good site, and the
    fix shows both edits."""
    running, project = preview
    events = listen(running)
    menu = project / "content/announcements/menu.md"
    menu.write_text("---\ntitle: Menú\ndate: 2026-13-45\n---\nTexto.\n", encoding="utf-8")
    _, data = _first("problems", events, timeout=10)
    assert json.loads(data)[0].startswith("content/announcements/menu.md:3: ")

    (project / "content/announcements/otra.md").write_text(
        announcement("Otra noticia", "2026-11-19"), encoding="utf-8"
    )
    _, data = _first("problems", events, timeout=10, past="problems")
    (problem,) = json.loads(data)  # still the broken file's, and only it
    assert problem.startswith("content/announcements/menu.md:3: ")
    assert get(running, "es/news/otra/")[0] == 404  # the last good site, without the new story
    assert "Menú de otoño" in get(running, "es/news/menu/")[1]

    menu.write_text(announcement("Menú de invierno", "2026-11-18"), encoding="utf-8")
    _first("reload", events, timeout=10, past="problems")
    assert "Menú de invierno" in get(running, "es/news/menu/")[1]
    assert "Otra noticia" in get(running, "es/news/otra/")[1]


def test_a_file_written_slowly_is_rebuilt_once_when_it_is_closed(preview: tuple[Preview, Path]) -> None:
    """A save that takes a while (two writes 60 ms apart) is rebuilt once it is closed:
    the half-written file is never built."""
    running, project = preview
    events = listen(running)
    text = announcement("Menú de primavera", "2026-11-18")
    with (project / "content/announcements/menu.md").open("w", encoding="utf-8") as file:
        file.write(text[:12])  # "---\ntitle: M": not yet a valid file
        file.flush()
        time.sleep(0.06)
        file.write(text[12:])
    assert events.get(timeout=10)[0] == "reload"
    assert "Menú de primavera" in get(running, "es/news/menu/")[1]
    later: list[str] = []
    with contextlib.suppress(queue.Empty):
        while True:
            later.append(events.get(timeout=0.5)[0])
    # No problem shown: the half-written file was never built. (A machine under load
    # may hand the watcher the close late and rebuild once more, which reloads the same.)
    assert set(later) <= {"reload"}, later


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
        [sys.executable, "-X", "faulthandler", "-m", "generator", "serve", "--project", str(project),
         "--port", "0", "--today", "2026-11-23"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        while line and not line.startswith("Serving http://127.0.0.1:"):
            line = process.stdout.readline()
        assert line.startswith("Serving http://127.0.0.1:")
        process.send_signal(signal.SIGINT)
        try:
            out, err = process.communicate(timeout=30)  # a loaded machine's; it takes under a second
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)  # its threads' stacks, written by faulthandler
            out, err = process.communicate(timeout=10)
            pytest.fail(f"the preview did not stop on Ctrl-C; its threads were at:\n{err[-6000:]}")
    finally:
        process.kill()
        process.communicate()  # its pipes closed here, not by a later test's collection
    assert process.returncode == 0 and "Stopped." in out
    assert "Traceback" not in err


def test_ctrl_c_while_the_preview_starts_stops_it_as_later(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C during the first build (some seconds at 10,000 announcements) stops the
    preview as it does later: not as an interrupted build, which has no output to keep."""
    project = make_project({})

    def interrupted(*args: object, **kwargs: object) -> Preview:
        raise KeyboardInterrupt  # where Ctrl-C reaches the main thread while it starts

    monkeypatch.setattr(serve, "start", interrupted)
    assert main(["serve", "--project", str(project), "--port", "0", "--today", "2026-11-23"]) == 0
    said = capsys.readouterr()
    assert said.out.strip() == "Stopped." and said.err == ""


def test_the_address_is_said_as_soon_as_its_pages_are_served(make_project: MakeProject) -> None:
    project = make_project({})
    answers: list[int] = []
    said: list[str] = []

    def serving(url: str) -> None:  # before start() returns: the page must already be there
        with urllib.request.urlopen(url + "en/", timeout=10) as reply:
            answers.append(reply.status)

    preview = start(project, "127.0.0.1", 0, TODAY, say=said.append, serving=serving)
    try:
        assert answers == [200]
        # and the terminal said before how long the build took
        assert re.fullmatch(r"Rebuilt [1-9]\d* pages in \d+\.\d\d s \(today: 2026-11-23\)", said[0]), said
    finally:
        preview.stop()


def _what_a_reader_gets(files: dict[str, bytes]) -> dict[str, bytes]:
    """Site files by path, the search index as what a search finds (its packed files are
    named differently from one run to the next)."""
    packed = {p: d for p, d in files.items() if p.startswith(SEARCH) and not p.endswith((".js", ".css"))}
    found = {p: d for p, d in files.items() if p not in packed}
    found[SEARCH + "(what it finds)"] = search_index(packed)
    return found


def _first(
    wanted: str, events: queue.Queue[tuple[str, str]], timeout: float, past: str = "reload"
) -> tuple[str, str]:
    """The first event named `wanted`, after any events named `past` before it (a machine
    under load may rebuild once more for one save: the same site, or the same problems)."""
    deadline = time.monotonic() + timeout
    while True:
        name, data = events.get(timeout=max(0.1, deadline - time.monotonic()))
        if name == wanted:
            return name, data
        assert name == past, (name, data)


def test_the_preview_serves_what_a_build_publishes_byte_for_byte() -> None:
    """The preview renders a page when it is asked for and the feeds and index after: what
    it serves is what `intranet build --drafts` publishes, every file, for the sample."""
    built = {
        f.path: f.data if f.copy_from is None else Path(f.copy_from).read_bytes()
        for f in build(REPO, today=TODAY, drafts=True).files
        if f.path.startswith("site/")
    }
    site = preview_site(load_sources(REPO, today=TODAY))
    previewed = {site_output(path): render() for path, render in site.pages.items()}
    for made in (site.files, *(group() for group in site.later), site.index(None)):
        previewed |= {
            f.path: f.data if f.copy_from is None else Path(f.copy_from).read_bytes()
            for f in made
            if f.path.startswith("site/")
        }
    assert len(site.pages) > 300  # the sample's pages, none rendered until asked for
    assert _what_a_reader_gets(previewed) == _what_a_reader_gets(built)
    assert {probe() for probe in site.probes} <= set(previewed.values())  # real pages of the site


def test_a_template_that_fails_on_a_page_shows_on_that_page_and_over_open_pages(
    make_project: MakeProject,
) -> None:
    project = make_project({"content/announcements/menu.md": announcement("Menú de otoño", "2026-11-18")})
    said: list[str] = []
    running = start(project, "127.0.0.1", 0, None, say=said.append)
    try:
        events = listen(running)
        broken = project / "templates/site/announcement.html"
        broken.parent.mkdir(parents=True)
        broken.write_text('{% extends "site/base.html" %}{% block main %}{{ localized.nothing.at_all }}'
                          "{% endblock %}", encoding="utf-8")  # fmt: skip
        assert events.get(timeout=10)[0] == "reload"  # the other pages are fine
        # then every template's trial shows the problem (making the folder may have
        # reloaded once before the file was written: the same site again)
        _, data = _first("problems", events, timeout=30)
        (problem,) = json.loads(data)
        assert problem.startswith("templates/site/announcement.html:1: template error:")
        status, page = get(running, "es/news/menu/")
        assert status == 500 and "templates/site/announcement.html:1: template error:" in page
        assert EVENTS in page  # fixing the template reloads it
        assert get(running, "es/")[0] == 200
        broken.unlink()
        assert events.get(timeout=10)[0] == "reload"
        assert get(running, "es/news/menu/")[0] == 200
    finally:
        running.stop()


def test_saves_while_the_search_index_is_made_do_not_each_make_it_again(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first index of a large site takes a while (20 s at 10,000 announcements). Saves
    meanwhile wait for it and keep its bundles: the last save's rebuild makes only the
    bundle its story is in, and the rebuilds in between none."""
    stories: dict[str, str | bytes] = {
        f"content/announcements/aviso-{n}.md": announcement(f"Aviso {n}", "2026-11-18") for n in range(150)
    }
    monkeypatch.setattr(indexer, "PER_SHARD", 100)
    project = make_project(
        stories
    )  # 150 records in each language (each story under every one): two bundles each
    launched: list[int] = []  # the bundles each Pagefind run is given
    first = threading.Event()
    real = indexer._run

    def slow_first(bundles: list[tuple[Path, Path]]) -> subprocess.Popen[str]:
        launched.append(len(bundles))
        if len(launched) == 1:
            first.set()
            time.sleep(3)  # as a large site's: the saves below come while it runs
        return real(bundles)

    monkeypatch.setattr(indexer, "_run", slow_first)
    running = start(project, "127.0.0.1", 0, None, say=lambda line: None)
    try:
        events = listen(running)
        assert first.wait(timeout=30)
        story = project / "content/announcements/aviso-7.md"
        for number in range(3):
            story.write_text(announcement(f"Menú de otoño {number}", "2026-11-18"), encoding="utf-8")
            assert events.get(timeout=10)[0] == "reload"
        with urllib.request.urlopen(running.url + "es/feed.xml", timeout=60) as reply:  # once all is made
            assert reply.status == 200
        assert "Menú de otoño 2" in get(running, "es/news/aviso-7/")[1]
        # the first index, then the last save's bundle in each language: not the whole index
        # again, nor once per save
        assert launched == [6, 3]
        status, script = get(running, "pagefind/en-0/pagefind-ui.js")
        assert status == 200 and script
    finally:
        running.stop()


def test_a_page_the_site_lacks_is_not_found_at_once_while_the_index_is_made(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every page of a site is there when it is served: one it lacks is a 404 at once, not
    after the feeds and the search index are made; a feed is waited for."""
    project = make_project({"content/announcements/menu.md": announcement("Menú de otoño", "2026-11-18")})
    indexing, release = threading.Event(), threading.Event()
    real = indexer._run

    def held(bundles: list[tuple[Path, Path]]) -> subprocess.Popen[str]:
        indexing.set()
        release.wait(timeout=60)
        return real(bundles)

    monkeypatch.setattr(indexer, "_run", held)
    running = start(project, "127.0.0.1", 0, None, say=lambda line: None)
    try:
        assert get(running, "es/news/menu/")[0] == 200  # the work after the first page starts
        assert indexing.wait(timeout=30)
        started = time.monotonic()
        assert get(running, "es/news/no-such-story/")[0] == 404
        assert time.monotonic() - started < 2
        fed: list[int] = []
        feed = threading.Thread(target=lambda: fed.append(get(running, "es/feed.xml")[0]))
        feed.start()
        feed.join(timeout=1)
        assert fed == []  # waits for the rest of the site
        release.set()
        feed.join(timeout=30)
        assert fed == [200]
    finally:
        release.set()
        running.stop()


def _fetch(preview: Preview, path: str) -> bytes:
    with urllib.request.urlopen(preview.url + path, timeout=60) as reply:
        data: bytes = reply.read()
        return data


@pytest.mark.parametrize("changed", [False, True], ids=["as published", "changed on disk"])
def test_the_first_index_keeps_the_bundles_a_build_published(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, changed: bool
) -> None:
    """A build published the search index: the preview's first index serves its bundles
    instead of indexing the site again (20 s at 10,000 announcements), unless a file of it
    is no longer what the build recorded (another build published meanwhile)."""
    stories: dict[str, str | bytes] = {
        f"content/announcements/aviso-{n}.md": announcement(f"Aviso {n}", "2026-11-18") for n in range(150)
    }
    monkeypatch.setattr(indexer, "PER_SHARD", 100)
    project = make_project(stories)  # two bundles in each language
    assert main(["build", "--project", str(project), "--today", "2026-11-23"]) == 0
    index = project / "output" / "site" / "pagefind"
    published = {
        f"pagefind/{p.relative_to(index).as_posix()}": p.read_bytes() for p in index.rglob("*") if p.is_file()
    }
    if changed:
        entry = next(p for p in index.rglob("pagefind-entry.json"))
        entry.write_bytes(entry.read_bytes().replace(b"{", b"{ ", 1))
    launched: list[int] = []
    real = indexer._run

    def counted(bundles: list[tuple[Path, Path]]) -> subprocess.Popen[str]:
        launched.append(len(bundles))
        return real(bundles)

    monkeypatch.setattr(indexer, "_run", counted)
    running = start(project, "127.0.0.1", 0, TODAY, say=lambda line: None)
    try:
        _fetch(running, "es/feed.xml")  # served once the index is made
        served = {rel: serve._bytes(found) for rel, found in running.state.files.made.items()}
        served = {rel: data for rel, data in served.items() if rel.startswith("pagefind/")}
        if changed:
            assert launched == [6]  # made afresh, and found the same
            assert search_index({f"site/{p}": d for p, d in served.items()}) == search_index(
                {f"site/{p}": d for p, d in published.items()}
            )
        else:
            assert launched == []
            assert served == published
            events = listen(running)
            story = project / "content/announcements/aviso-7.md"
            story.write_text(announcement("Menú de otoño", "2026-11-18"), encoding="utf-8")
            assert events.get(timeout=10)[0] == "reload"
            _fetch(running, "es/feed.xml")  # once the rest is made
            assert launched == [3]  # the story's bundle in each language only
    finally:
        running.stop()


def test_feeds_and_the_search_index_are_served_once_made(preview: tuple[Preview, Path]) -> None:
    running, _ = preview
    status, feed = get(running, "es/feed.xml")
    assert status == 200 and "Menú de otoño" in feed
    assert get(running, "pagefind/en-0/pagefind-ui.js")[0] == 200
    assert get(running, "es/calendar/all.ics")[0] == 200


def test_a_preview_that_starts_broken_answers_at_once_and_shows_why(make_project: MakeProject) -> None:
    project = make_project(
        {"content/announcements/menu.md": "---\ntitle: Menú\ndate: 2026-13-45\n---\nTexto.\n"}
    )
    running = start(project, "127.0.0.1", 0, None, say=lambda line: None)
    try:
        started = time.monotonic()
        assert get(running, "es/")[0] == 404  # no good site yet: nothing to wait for
        assert get(running, "es/feed.xml")[0] == 404
        assert time.monotonic() - started < 5
        assert running.state.problems[0].startswith("content/announcements/menu.md:3: ")
        (project / "content/announcements/menu.md").write_text(announcement("Menú", "2026-11-18"))
        deadline = time.monotonic() + 10
        while get(running, "es/")[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert get(running, "es/news/menu/")[0] == 200
    finally:
        running.stop()


def test_a_templates_folder_removed_and_made_again_is_watched_again(make_project: MakeProject) -> None:
    project = make_project(
        {
            "content/announcements/menu.md": announcement("Menú de otoño", "2026-11-18"),
            "templates/site/.keep": "",
        }
    )
    running = start(project, "127.0.0.1", 0, None, say=lambda line: None)
    try:
        events = listen(running)
        shutil.rmtree(project / "templates")
        assert events.get(timeout=10)[0] == "reload"
        broken = project / "templates/site/announcement.html"
        broken.parent.mkdir(parents=True)
        broken.write_text("{% block main %}{{ localized.nothing.at_all }}{% endblock %}", encoding="utf-8")
        deadline = time.monotonic() + 30
        while get(running, "es/news/menu/")[0] != 500 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert get(running, "es/news/menu/")[0] == 500  # the new template is read
    finally:
        running.stop()


def test_a_rebuild_that_reuses_what_it_worked_out_serves_what_a_fresh_one_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview keeps unchanged items as the same objects and what it worked out from
    them (cache.Memo); after each kind of edit, every page equals a fresh composition's."""
    monkeypatch.setattr(reuse, "RACY", 0)  # files written just now are taken as they are
    project = tmp_path / "sample"
    shutil.copytree(REPO / "content", project / "content")
    news = project / "content/announcements"
    store, memo = Store(None), Memo()

    def warm(touched: frozenset[str] | None = None) -> tuple[Sources, dict[str, bytes]]:
        sources = load_sources(project, today=TODAY, cache=store, memo=memo, touched=touched)
        site = preview_site(sources)
        store.save(prune=False)
        return sources, {path: render() for path, render in site.pages.items()}

    def fresh() -> dict[str, bytes]:
        return {
            path: render() for path, render in preview_site(load_sources(project, today=TODAY)).pages.items()
        }

    before, shown = warm()
    welcome = {lang: news / f"bienvenida-intranet.{lang}.md" for lang in ("en", "es", "fr")}
    events = project / "content/calendar/eventos-empresa.ics"
    csat = project / "content/metrics/csat.csv"
    aguinaldo, telework = news / "aguinaldo-2026.md", news / "politica-teletrabajo.es.md"
    edits: list[tuple[Callable[[], object], Path]] = [
        (lambda: welcome["en"].write_text(welcome["en"].read_text() + "\nOne more line.\n"), welcome["en"]),
        (  # a title, which lists sort by
            lambda: welcome["fr"].write_text(
                welcome["fr"].read_text().replace('title: "', 'title: "Nouveau · ', 1)
            ),
            welcome["fr"],
        ),
        (
            lambda: (news / "extra.md").write_text(announcement("Otra noticia", "2026-11-19", tags="[Menú]")),
            news / "extra.md",
        ),
        (lambda: welcome["es"].unlink(), welcome["es"]),  # a version of a story
        (
            lambda: events.write_text(
                events.read_text().replace("SUMMARY:Town hall", "SUMMARY:Gran town hall")
            ),
            events,
        ),
        (
            lambda: csat.write_text(csat.read_text().replace("2026-10-31,91", "2026-10-31,95")),
            csat,
        ),  # the latest value
        (  # what lists group by: the date (the order), tags, audience, pinned
            lambda: aguinaldo.write_text(
                aguinaldo.read_text()
                .replace("date: 2026-11-16", "date: 2026-10-01")
                .replace("tags: [nómina, aguinaldo]", "tags: [aguinaldo, Fin de año]")
                .replace("audience: [cdmx]", "audience: [madrid]")
                .replace("pinned: true", "pinned: false")
            ),
            aguinaldo,
        ),
        (  # expired: from the current list to the archive
            lambda: telework.write_text(
                telework.read_text().replace("date: 2026-09-15", "date: 2026-09-15\nexpires: 2026-11-01")
            ),
            telework,
        ),
    ]
    for edit, path in edits:
        edit()
        # told which file changed, as the preview's watcher tells it: nothing else is looked at
        after, pages = warm(frozenset({str(path)}))
        assert pages == fresh()
        assert pages != shown  # the edit shows
        shown = pages
        kept = {id(a) for a in before.site.announcements} & {id(a) for a in after.site.announcements}
        assert len(kept) >= len(after.site.announcements) - 2  # unchanged items are the same objects
        assert len(memo) > len(after.site.announcements)  # and what was worked out from them is found
        before = after


def test_a_story_edited_between_a_setting_changed_and_changed_back_shows_its_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files' record is kept by the settings it was made with: a setting changed and
    then changed back finds the record made before, which does not know of what was saved
    in between. A rebuild after a change of settings looks at every file, so the edit made
    in between is shown, as a fresh composition shows it."""
    monkeypatch.setattr(reuse, "RACY", 0)
    project = tmp_path / "sample"
    shutil.copytree(REPO / "content", project / "content")
    settings = project / "content/site.toml"
    story = project / "content/announcements/nacimiento-mateo.md"
    store, memo = Store(None), Memo()

    def warm(touched: frozenset[str] | None) -> dict[str, bytes]:
        site = preview_site(load_sources(project, today=TODAY, cache=store, memo=memo, touched=touched))
        store.save(prune=False)
        return {path: render() for path, render in site.pages.items()}

    def fresh() -> dict[str, bytes]:
        return {
            path: render() for path, render in preview_site(load_sources(project, today=TODAY)).pages.items()
        }

    warm(None)
    original = settings.read_text(encoding="utf-8")
    # a setting the content is read with (the record is kept by those), and another
    for number, (before, after) in enumerate(
        [
            ('timezone = "Europe/Madrid"', 'timezone = "Europe/Lisbon"'),
            ("news_per_page = 8", "news_per_page = 3"),
        ]
    ):
        assert before in original
        settings.write_text(original.replace(before, after, 1), encoding="utf-8")
        warm(frozenset({str(settings)}))
        story.write_text(
            story.read_text(encoding="utf-8").replace("title: ", f"title: Editado {number} · ", 1),
            encoding="utf-8",
        )
        shown = warm(frozenset({str(story)}))["es/news/nacimiento-mateo/index.html"].decode()
        assert f"Editado {number} · " in shown
        settings.write_text(original, encoding="utf-8")  # back as it was
        pages = warm(frozenset({str(settings)}))
        assert f"Editado {number} · " in pages["es/news/nacimiento-mateo/index.html"].decode()
        assert pages == fresh()


@pytest.mark.parametrize(
    "seed", sequence_seeds(20)
)  # 20: templates, settings of both kinds, a day, a deletion, a restore
def test_the_previews_rebuilds_after_random_changes_equal_fresh_compositions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """Random changes to the sample, one rebuild each, told what the watcher would have
    seen touched (or given back after a failed rebuild): any kind of content file changed,
    removed or put back, a template edited, a setting changed, a day passing. After each,
    every page (or the failure) is a fresh composition's."""
    import datetime as dt
    import random
    import re

    from generator.errors import GeneratorError
    from tests.test_incremental import TEMPLATE_EDITS, sample_step

    monkeypatch.setattr(reuse, "RACY", 0)
    rng = random.Random(seed)
    project = tmp_path / "sample"
    shutil.copytree(REPO / "content", project / "content")
    store, memo = Store(None), Memo()
    today = TODAY

    def composed(**given: Any) -> dict[str, bytes] | str:
        try:
            site = preview_site(load_sources(project, today=today, **given))
            return {path: render() for path, render in site.pages.items()}
        except (GeneratorError, ExceptionGroup) as exc:
            return type(exc).__name__  # a failed composition: both must fail

    def files() -> dict[str, tuple[int, int]]:
        return {str(p): (p.stat().st_mtime_ns, p.stat().st_size) for p in project.rglob("*") if p.is_file()}

    composed(cache=store, memo=memo)
    given_back: frozenset[str] = frozenset()
    history: list[str] = []
    for number in range(10):
        before = files()
        choice = rng.random()
        if choice < 0.15:
            name, old, edit = rng.choice(TEMPLATE_EDITS[:5])  # the site's, not the e-mail's
            builtin = (REPO / "templates" / name).read_text(encoding="utf-8")
            edited = project / "templates" / name
            edited.parent.mkdir(parents=True, exist_ok=True)
            edited.write_text(builtin.replace(old, edit.format(f"Marca {number}"), 1), encoding="utf-8")
            history.append(f"template {name}")
        elif choice < 0.3:
            settings = project / "content/site.toml"
            key = rng.choice(["news_per_page", "upcoming_weeks", "feed_entries"])
            text = re.sub(
                rf"{key} = \d+", f"{key} = {rng.randint(2, 12)}", settings.read_text(encoding="utf-8")
            )
            settings.write_text(text, encoding="utf-8")
            history.append(f"settings {key}")
        elif choice < 0.4:
            today += dt.timedelta(days=rng.randint(1, 3))
            history.append(f"day {today}")
        else:
            history.append(sample_step(project / "content", rng, number))
        after = files()
        touched = given_back | {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
        pages = composed(cache=store, memo=memo, touched=frozenset(touched))
        store.save(prune=False)
        given_back = frozenset(touched) if isinstance(pages, str) else frozenset()
        assert pages == composed(), f"after {history}"


def test_a_rebuild_looks_only_at_the_files_the_watcher_saw_touched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Told which files were touched, a rebuild takes the others as the last one did,
    without looking at them; not told (None), it looks at every file."""
    monkeypatch.setattr(reuse, "RACY", 0)
    project = tmp_path / "sample"
    shutil.copytree(REPO / "content", project / "content")
    news = project / "content/announcements"
    store, memo = Store(None), Memo()

    def titles(touched: frozenset[str] | None) -> set[str]:
        sources = load_sources(project, today=TODAY, cache=store, memo=memo, touched=touched)
        return {a.title for a in sources.site.announcements}

    first = titles(None)
    menu = news / "menu.md"
    menu.write_text(announcement("Menú de invierno", "2026-11-18"), encoding="utf-8")
    looked: list[str] = []  # the files whose signature the loaders ask for

    def stat(name: str) -> os.stat_result:
        looked.append(name)
        return Path(name).stat()

    monkeypatch.setattr(reuse, "os", types.SimpleNamespace(stat=stat))
    assert titles(frozenset()) == first  # the watcher saw nothing: nothing is looked at
    assert looked == []
    assert "Menú de invierno" in titles(frozenset({str(menu)}))
    assert looked == [str(menu)]
    assert len(titles(None)) == len(first) + 1 and len(looked) > len(first)  # not known: every file
    monkeypatch.undo()
    monkeypatch.setattr(reuse, "RACY", 0)

    # a file made, then removed: the listing of content/ is walked again
    assert "Menú de invierno" in titles(frozenset({str(menu)}))
    other = news / "otra.md"
    other.write_text(announcement("Otra noticia", "2026-11-19"), encoding="utf-8")
    assert "Otra noticia" in titles(frozenset({str(other)}))
    other.unlink()
    assert "Otra noticia" not in titles(frozenset({str(other)}))
    # not known (the first rebuild after the watcher starts, a folder moved): every file
    menu.write_text(announcement("Menú de primavera", "2026-11-18"), encoding="utf-8")
    assert "Menú de primavera" in titles(None)


def test_files_made_saved_by_renaming_and_folders_moved_in_show(
    preview: tuple[Preview, Path], tmp_path: Path
) -> None:
    """What the watcher saw touched is all a rebuild looks at: a new file, a save that
    writes a temporary file and renames it over the old (as many editors do), and a folder
    of stories moved in all show."""
    running, project = preview
    news = project / "content/announcements"

    def shows(path: str, text: str) -> bool:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            status, page = get(running, path)
            if status == 200 and text in page:
                return True
            time.sleep(0.05)
        return False

    (news / "nueva.md").write_text(announcement("Nueva noticia", "2026-11-19"), encoding="utf-8")
    assert shows("es/news/nueva/", "Nueva noticia")
    temporary = news / ".menu.md.tmp-save"
    temporary.write_text(announcement("Menú renombrado", "2026-11-18"), encoding="utf-8")
    temporary.replace(news / "menu.md")
    assert shows("es/news/menu/", "Menú renombrado")
    folder = tmp_path / "otoño"
    folder.mkdir()
    (folder / "castanas.md").write_text(announcement("Castañas", "2026-11-20"), encoding="utf-8")
    folder.rename(news / "otoño")
    assert shows("es/news/castanas/", "Castañas")
    assert "Menú renombrado" in get(running, "es/news/menu/")[1]


def test_watching_starts_from_what_changed_since_the_first_build(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the watcher runs, the preview compares the files' times with those its first
    build recorded, so even the first save after it starts is read alone, not every
    file; the watcher's own paths are the build's names of the files."""
    monkeypatch.setattr(reuse, "RACY", 0)
    asked: list[frozenset[str] | None] = []
    load = load_sources  # what serve.py calls

    def recording(*args: Any, touched: frozenset[str] | None = None, **kwargs: Any) -> Sources:
        asked.append(touched)
        return load(*args, touched=touched, **kwargs)

    monkeypatch.setattr(serve, "load_sources", recording)
    project = make_project({"content/announcements/menu.md": announcement("Menú de otoño", "2026-11-18")})
    running = start(project, "127.0.0.1", 0, None, say=lambda line: None)
    try:
        events = listen(running)
        source = project / "content/announcements/menu.md"
        source.write_text(announcement("Menú de invierno", "2026-11-18"), encoding="utf-8")
        assert _first("reload", events, timeout=10)[0] == "reload"
        assert "Menú de invierno" in get(running, "es/news/menu/")[1]
    finally:
        running.stop()
    assert asked[0] is None  # the first build looks at every file
    assert asked[1] == frozenset({str(source)})


def test_what_changed_before_watching_began_is_found_by_the_files_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "sample"
    shutil.copytree(REPO / "content", project / "content")
    store, memo = Store(None), Memo()
    load_sources(project, today=TODAY, cache=store, memo=memo)
    welcome = project / "content/announcements/bienvenida-intranet.es.md"
    found = files_changed(project, store, memo)  # recorded within RACY of their last change:
    assert found is not None and not found[0] and str(welcome) in found[1]  # too fresh to tell
    monkeypatch.setattr(reuse, "RACY", 0)
    assert files_changed(project, store, memo) == (frozenset(), frozenset())
    welcome.write_text(welcome.read_text(encoding="utf-8") + "\nOtra línea.\n", encoding="utf-8")
    assert files_changed(project, store, memo) == (frozenset({str(welcome)}), frozenset())
    (project / "content/announcements/nueva.md").write_text(
        announcement("Nueva", "2026-11-19"), encoding="utf-8"
    )
    assert files_changed(project, store, memo) is None  # a file made: not known which, every file
    assert files_changed(project, Store(None), Memo()) is None  # nothing recorded


@pytest.mark.parametrize("when", ["before watching", "as watching begins"])
def test_a_file_saved_while_the_first_build_ran_is_shown_without_another_save(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    """Saved after the first build read it, before the watcher runs (no event: the files'
    times tell), or as it starts (its event and the times): it shows, with no other save."""
    monkeypatch.setattr(reuse, "RACY", 0)
    project = make_project({"content/announcements/menu.md": announcement("Menú de otoño", "2026-11-18")})
    source = project / "content/announcements/menu.md"

    def save() -> None:
        source.write_text(announcement("Menú guardado antes", "2026-11-18"), encoding="utf-8")

    watch, compare = serve._Changes.watch, files_changed

    def saved_then_watched(changes: Any) -> None:
        save()
        watch(changes)

    def saved_then_compared(*args: Any) -> object:
        save()
        return compare(*args)

    if when == "before watching":
        monkeypatch.setattr(serve._Changes, "watch", saved_then_watched)
    else:  # files_changed: what serve.py calls once watching begins
        monkeypatch.setattr(serve, "files_changed", saved_then_compared)
    running = start(project, "127.0.0.1", 0, None, say=lambda line: None)
    try:
        deadline = time.monotonic() + 10
        while "Menú guardado antes" not in get(running, "es/news/menu/")[1] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "Menú guardado antes" in get(running, "es/news/menu/")[1]
    finally:
        running.stop()


def test_watchdogs_warning_of_a_folder_watched_twice_does_not_stop_the_watcher(
    make_project: MakeProject,
) -> None:
    """Making a folder and one inside it at once (templates/site) can have watchdog watch the
    inner one twice: it warns from its thread and replaces the watch's callback with itself.
    The preview ignores that warning, so it never stops the watcher (these tests raise every
    warning as an error, which once left a preview deaf to every later edit)."""
    import warnings

    project = make_project({})
    running = start(project, "127.0.0.1", 0, None, say=lambda line: None)
    raised: list[BaseException] = []

    def watchdogs_warning() -> None:  # the text watchdog 7's inotify observer warns with
        try:
            warnings.warn(
                "Callback with id '140427324201872' already exists for watch <bound method "
                "Watch.short_str of Watch(wd=5)>. It will be Overwritten.",
                RuntimeWarning,
                stacklevel=1,
            )
        except Warning as exc:
            raised.append(exc)

    try:
        thread = threading.Thread(target=watchdogs_warning)
        thread.start()
        thread.join()
        assert not raised
        with pytest.raises(RuntimeWarning, match="another warning"):  # only that one is ignored
            warnings.warn("another warning", RuntimeWarning, stacklevel=1)
    finally:
        running.stop()
