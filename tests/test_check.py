"""`intranet check`: every problem in one report, text or JSON, and nothing written."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import REPO, MakeProject, announcement

ARGS = ["--today", "2026-11-23"]


def check(project: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["check", "--project", str(project), *ARGS, *extra])
    return code, capsys.readouterr().out


def as_json(project: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, object]]:
    code, out = check(project, capsys, "--format", "json", *extra)
    return code, json.loads(out)


def listed(report: dict[str, object]) -> list[dict[str, object]]:
    found = report["problems"]
    assert isinstance(found, list)
    return found


def problems(report: dict[str, object]) -> list[tuple[object, ...]]:
    return [(p["path"], p["line"], p["severity"], p["kind"]) for p in listed(report)]


def test_content_a_build_would_refuse_is_an_error_and_nothing_is_written(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(
        {
            "content/announcements/a.md": announcement("Hola", category="noticias"),
            "content/announcements/b.md": announcement("Adiós", audience="[nadie]"),
        }
    )
    code, out = check(project, capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "content/announcements/a.md"
    assert lines[1].split()[:2] == ["4", "error"] and 'unknown category "noticias"' in lines[1]
    assert "content/announcements/b.md" in lines
    assert lines[-1].startswith("2 errors, 0 warnings, 0 notices in 0 content files")
    assert not (project / "output").exists()


def test_what_a_reader_would_meet_is_a_warning_and_json_lists_each_with_its_line(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(
        {
            "content/announcements/enlaces.es.md": announcement("Enlaces")
            + "\n[contactos](../pages/contactos.md)\n\n![](../media/falta.png)\n",
            "content/announcements/fijado.md": announcement(
                "Fijado", "2026-11-01", pinned="true", expires="2026-11-15"
            ),
            "content/announcements/futuro.md": announcement("Horario de invierno", "2026-11-30"),
            "content/announcements/nominas.md": announcement("Nóminas", audience="[rrhh]")
            + "\n[manual](../pages/manual-rrhh.md)\n",
        }
    )
    code, report = as_json(project, capsys)
    assert code == 1  # links that reach nothing: warnings to a build, errors to a check
    assert report["version"] == 1 and report["ok"] is False
    found = problems(report)
    assert ("content/announcements/enlaces.es.md", 7, "error", "link") in found
    assert ("content/announcements/enlaces.es.md", 9, "error", "link") in found
    assert ("content/announcements/fijado.md", 1, "warning", "pinned") in found
    assert ("content/announcements/nominas.md", 8, "error", "link") in found  # in its own tree
    assert ("content/announcements/enlaces.es.md", None, "notice", "translation") in found
    assert report["next_change"] == {
        "date": "2026-11-30",
        "text": '2026-11-30 — "Horario de invierno" is published',
        "changes": [
            {
                "date": "2026-11-30",
                "what": "published",
                "title": "Horario de invierno",
                "path": "content/announcements/futuro.md",
            }
        ],
    }
    for name in ("enlaces.es.md", "nominas.md"):  # without them, warnings fail a check only if strict
        (project / "content/announcements" / name).unlink()
    assert as_json(project, capsys)[0] == 0
    assert as_json(project, capsys, "--strict")[0] == 1


def test_a_translation_older_than_its_source_is_a_warning(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(
        {
            "content/pages/horario.es.md": "---\ntitle: Horario\n---\nDe 8 a 15.\n",
            "content/pages/horario.fr.md": "---\ntitle: Horaires\n---\nDe 8 h à 15 h.\n",
            "content/pages/horario.en.md": "---\ntitle: Hours\n---\n8 to 3.\n",
        }
    )
    pages = project / "content/pages"
    os.utime(pages / "horario.fr.md", (1_700_000_000, 1_700_000_000))  # translated in 2023
    os.utime(pages / "horario.en.md", (1_800_000_000, 1_800_000_000))  # and in 2027
    os.utime(pages / "horario.es.md", (1_750_000_000, 1_750_000_000))  # the source changed in 2025
    found = problems(as_json(project, capsys)[1])
    assert ("content/pages/horario.fr.md", None, "warning", "translation") in found
    assert not any(p[0] == "content/pages/horario.en.md" for p in found)


def git(project: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", "-C", str(project), *args], check=True, capture_output=True, env=env)


def test_in_a_git_clone_the_last_commit_dates_a_file_not_its_modification_time(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which("git") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("git is missing")
        pytest.skip("no git")
    project = make_project({"content/pages/horario.es.md": "---\ntitle: Horario\n---\nDe 8 a 15.\n"})
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "es", when="2026-01-01T10:00:00Z")
    (project / "content/pages/horario.fr.md").write_text(
        "---\ntitle: Horaires\n---\nDe 8 h.\n", encoding="utf-8"
    )
    git(project, "add", "-A")
    git(project, "commit", "-qm", "fr", when="2026-02-01T10:00:00Z")
    (project / "content/pages/horario.es.md").write_text(
        "---\ntitle: Horario\n---\nDe 8 a 16.\n", encoding="utf-8"
    )
    git(project, "add", "-A")
    git(project, "commit", "-qm", "es again", when="2026-03-01T10:00:00Z")
    for page in (project / "content/pages").iterdir():  # as a fresh clone: all the same time
        os.utime(page, (1_800_000_000, 1_800_000_000))
    found = [p for p in listed(as_json(project, capsys)[1]) if p["kind"] == "translation"]
    assert [(p["path"], p["severity"], p["message"]) for p in found if p["severity"] == "warning"] == [
        (
            "content/pages/horario.fr.md",
            "warning",
            "the es version (horario.es.md) changed on 2026-03-01, after this translation (2026-02-01)",
        )
    ]


def test_a_recipients_file_is_checked_with_its_lines(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    project = make_project({})
    recipients = tmp_path / "recipients.csv"
    recipients.write_text(
        "email,name,lang,audiences\nana@example.com,Ana,es,\nluis,Luis,xx,\n", encoding="utf-8"
    )
    code, report = as_json(project, capsys, "--recipients", str(recipients))
    assert code == 1
    assert [(p[1], p[2], p[3]) for p in problems(report)] == [(3, "error", "recipients")] * 2


class _Answers(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        self.send_response(200 if self.path == "/ok" else 404)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def web() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Answers))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_external_links_are_fetched_only_when_asked(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str], web: str
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/x"
    body = f"\n[bien]({web}/ok)\n\n[mal]({web}/gone)\n\n[cerrado]({closed})\n"
    project = make_project({"content/announcements/web.md": announcement("Web") + body})
    assert not [p for p in problems(as_json(project, capsys)[1]) if p[3] == "external"]
    code, report = as_json(project, capsys, "--external")
    assert code == 0
    external = [p for p in listed(report) if p["kind"] == "external"]
    assert [p["line"] for p in external] == [9, 11]
    assert external[0]["message"] == f"the link {web}/gone answers 404 Not Found"
    assert str(external[1]["message"]).startswith(f"the link {closed} cannot be reached (")


def test_a_link_a_template_writes_is_followed_on_every_built_page(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    """What `build` cannot see in a body: a project's own template with a wrong link."""
    builtin = (REPO / "templates/site/page.html").read_text(encoding="utf-8")
    broken = builtin.replace("{% endblock %}", '<a href="../../horarios/">Horarios</a>{% endblock %}', 2)
    assert broken != builtin
    project = make_project(
        {
            "templates/site/page.html": broken,
            "content/pages/uno.md": "---\ntitle: Uno\n---\nTexto.\n",
            "content/pages/dos.md": "---\ntitle: Dos\n---\nTexto.\n",
        }
    )
    code, report = as_json(project, capsys)
    assert code == 1
    found = [p for p in listed(report) if p["kind"] == "page-link"]
    assert [(p["path"], p["severity"], p["message"]) for p in found] == [
        (
            "output/site/en/pages/dos/index.html",
            "error",
            'a link to "en/horarios" reaches nothing (and 1 more page)',
        ),
        (
            "output/site/es/pages/dos/index.html",
            "error",
            'a link to "es/horarios" reaches nothing (and 1 more page)',
        ),
        (
            "output/site/fr/pages/dos/index.html",
            "error",
            'a link to "fr/horarios" reaches nothing (and 1 more page)',
        ),
    ]
    (project / "templates/site/page.html").write_text(builtin, encoding="utf-8")
    assert as_json(project, capsys)[0] == 0  # the built-in templates link only to what exists


def test_missing_translations_of_the_archive_are_one_line_and_current_ones_each_one(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    """An office that writes in its own language must not get a notice per archived item."""
    old = {
        f"content/announcements/viejo-{i}.md": announcement(f"Viejo {i}", f"2026-08-{i + 1:02}")
        for i in range(12)
    }
    project = make_project(
        {
            **old,
            "content/announcements/fijado.md": announcement("Fijado", "2026-08-20", pinned="true"),
            "content/announcements/reciente.md": announcement("Reciente", "2026-11-10"),
            "content/announcements/traducido.es.md": announcement("Traducido", "2026-08-03"),
            "content/announcements/traducido.fr.md": announcement("Traduit", "2026-08-03"),
            "content/announcements/traducido.en.md": announcement("Translated", "2026-08-03"),
        }
    )
    code, report = as_json(project, capsys)
    assert code == 0
    notices = [p for p in listed(report) if p["kind"] == "translation"]
    assert sorted(str(p["path"]) for p in notices) == [
        "content/announcements",
        "content/announcements/fijado.md",  # pinned: still on the home page
        "content/announcements/reciente.md",
    ]
    (summary,) = [p for p in notices if p["path"] == "content/announcements"]
    assert str(summary["message"]).startswith(
        "12 announcements from before 2026-10-24 have no version in some of en, fr:"
    )


def test_pages_a_build_published_are_read_not_rendered_and_still_followed(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As `intranet build` does, check takes a page made from the same inputs as one
    published in output/ from there (each tree from its own), and renders only the others;
    the links of both are followed, and output/ is left as it was."""
    from tests.conftest import published_tree
    from tests.test_incremental import counted_renders

    builtin = (REPO / "templates/site/page.html").read_text(encoding="utf-8")
    broken = builtin.replace("{% endblock %}", '<a href="../../horarios/">Horarios</a>{% endblock %}', 2)
    project = make_project(
        {
            "templates/site/page.html": broken,
            "content/pages/uno.md": "---\ntitle: Uno\n---\nTexto.\n",
            "content/announcements/a.md": announcement("Hola"),
        }
    )
    for tree in ([], ["--audience", "rrhh"]):  # the main site and the restricted audience's
        assert main(["build", "--project", str(project), *ARGS, *tree]) == 0
    capsys.readouterr()
    published = published_tree(project / "output")
    rendered = counted_renders(monkeypatch, lambda plan: plan.path)
    code, report = as_json(project, capsys)
    assert rendered == []  # every page of both trees was published from the same inputs
    assert code == 1
    found = {(p["path"], p["message"]) for p in listed(report) if p["kind"] == "page-link"}
    assert ("output/site/es/pages/uno/index.html", 'a link to "es/horarios" reaches nothing') in found
    (project / "templates/site/page.html").write_text(builtin, encoding="utf-8")
    code, report = as_json(project, capsys)
    assert code == 0 and not [p for p in listed(report) if p["kind"] == "page-link"]
    assert sorted(set(rendered)) == [
        "en/pages/uno/index.html",
        "es/pages/uno/index.html",
        "fr/pages/uno/index.html",
    ]
    assert published_tree(project / "output") == published


def test_a_page_checked_before_is_not_read_again_and_what_it_links_to_is_looked_for_anew(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a page links to is kept by the page's key (the same inputs, the same bytes):
    a second check reads no page but those without one, and whether each target exists
    is looked for again, so a file added since answers a link that reached nothing."""
    import generator.check as checking

    builtin = (REPO / "templates/site/page.html").read_text(encoding="utf-8")
    linking = builtin.replace(
        "{% endblock %}", '<a href="../../../media/plano.pdf">Plano</a>{% endblock %}', 2
    )
    project = make_project(
        {"templates/site/page.html": linking, "content/pages/uno.md": "---\ntitle: Uno\n---\nTexto.\n"}
    )
    read: list[str] = []
    targets = checking._targets

    def counted(html: str, folder: str) -> set[str]:
        read.append(folder)
        return targets(html, folder)

    monkeypatch.setattr(checking, "_targets", counted)
    assert main(["build", "--project", str(project), *ARGS]) == 0
    capsys.readouterr()
    missing = (
        "output/site/es/pages/uno/index.html",
        'a link to "media/plano.pdf" reaches nothing (and 2 more pages)',
    )
    for _ in range(2):
        read.clear()
        code, report = as_json(project, capsys)
        assert code == 1
        assert [(p["path"], p["message"]) for p in listed(report) if p["kind"] == "page-link"] == [missing]
    assert "site/es/pages/uno" not in read and "site" in read  # the root pages have no key: read each time
    (project / "content/media").mkdir()
    (project / "content/media/plano.pdf").write_bytes(b"%PDF-1.4\n")
    read.clear()
    code, report = as_json(project, capsys)
    assert code == 0 and not [p for p in listed(report) if p["kind"] == "page-link"]
    assert "site/es/pages/uno" not in read


def test_a_tree_no_build_published_is_made_again_only_where_its_inputs_changed(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restricted audience's tree that no build published is made by check all the
    same; what check made of it stands in for published files the next time (each file
    by its key: no bytes are kept), so a second check renders none of its pages and still
    finds the wrong link a template writes in them. A page whose links were not kept is
    rendered again, and an edit renders only what it changes."""
    import generator.check as checking
    from tests.test_incremental import counted_renders

    builtin = (REPO / "templates/site/announcement.html").read_text(encoding="utf-8")
    broken = builtin.replace("{% endblock %}", '<a href="../../horarios/">Horarios</a>{% endblock %}', 2)
    assert broken != builtin
    project = make_project(
        {
            "templates/site/announcement.html": broken,
            "content/announcements/nominas.md": announcement("Nóminas", audience="[rrhh]"),
            "content/announcements/turnos.md": announcement("Turnos", audience="[rrhh]"),
        }
    )
    assert main(["build", "--project", str(project), *ARGS]) == 0  # the main site only
    capsys.readouterr()
    rendered = counted_renders(monkeypatch, lambda plan: plan.path)

    def wrong_links() -> list[tuple[object, ...]]:
        code, report = as_json(project, capsys)
        assert code == 1
        return [(p["path"], p["message"]) for p in listed(report) if p["kind"] == "page-link"]

    found = wrong_links()
    assert (
        "output/audiences/rrhh/site/es/news/nominas/index.html",
        'a link to "es/horarios" reaches nothing (and 1 more page)',
    ) in found
    made = sorted(rendered)
    assert "es/news/nominas/index.html" in made and "es/index.html" in made  # the tree, made whole
    rendered.clear()
    assert wrong_links() == found
    assert rendered == []  # nothing changed: every file stands for itself
    monkeypatch.setattr(checking, "_page_targets", lambda cache, scope: checking.PageTargets())
    rendered.clear()
    assert wrong_links() == found
    assert sorted(rendered) == sorted(p for p in made if p.endswith(".html"))  # no links kept: read anew
    monkeypatch.undo()
    rendered = counted_renders(monkeypatch, lambda plan: plan.path)
    assert wrong_links() == found  # the links kept again, by the first check's keys
    assert rendered == []
    (project / "content/announcements/turnos.md").write_text(
        announcement("Turnos de diciembre", audience="[rrhh]"), encoding="utf-8"
    )
    assert wrong_links() == found
    assert "es/news/turnos/index.html" in rendered and "es/news/nominas/index.html" not in rendered
