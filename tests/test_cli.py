"""The `intranet` command: exit codes, messages, and what is left on disk."""

from __future__ import annotations

import fcntl
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator import cli
from generator.cache import FOLDER
from generator.cli import main
from tests.conftest import TODAY, MakeProject, announcement, counted_bodies
from tests.conftest import published_tree as tree

ARGS = ["--today", "2026-11-23"]


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *argv], capture_output=True, text=True, timeout=120, check=False
    )


def build_in_script(script: str, project: Path) -> subprocess.CompletedProcess[str]:
    """`script` run by a new interpreter with `build --project PROJECT --today …` as its arguments."""
    return subprocess.run(
        [sys.executable, "-c", script, "build", "--project", str(project), *ARGS],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_build_publishes_the_site_and_prints_one_summary_line(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project({"content/announcements/a.md": announcement("Hola")})
    monkeypatch.chdir(project)
    assert cli.main(["build", "--project", str(project), *ARGS]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 2 and out[1] == "No scheduled change ahead"
    assert out[0].startswith("Built ") and "3 languages" in out[0] and "(today: 2026-11-23)" in out[0]
    assert " into output/site, " in out[0]  # the link readers use, not the release it points to
    assert (project / "output/site/es/news/a/index.html").is_file()
    assert (project / "output/site/index.html").is_file()


def test_a_content_error_exits_1_and_keeps_the_previous_output(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project({"content/announcements/a.md": announcement("Hola")})
    assert cli.main(["build", "--project", str(project), *ARGS]) == 0
    before = tree(project / "output")
    (project / "content/announcements/b.md").write_text(announcement("Mal", audience="[nadie]"))
    capsys.readouterr()
    assert cli.main(["build", "--project", str(project), *ARGS]) == 1
    err = capsys.readouterr().err
    assert err.startswith('content/announcements/b.md:4: unknown audience "nadie"; known: all, cdmx')
    assert tree(project / "output") == before


def test_out_and_drafts_options(make_project: MakeProject, tmp_path: Path) -> None:
    project = make_project({"content/announcements/d.md": announcement("D", draft="true")})
    out = tmp_path / "elsewhere"
    assert cli.main(["build", "--project", str(project), "--out", str(out), "--drafts", *ARGS]) == 0
    assert (out / "site/es/news/d/index.html").is_file()
    assert not (project / "output").exists()


def test_audience_builds_the_restricted_tree_apart(make_project: MakeProject) -> None:
    project = make_project({"content/announcements/n.md": announcement("Nóminas", audience="[rrhh]")})
    assert cli.main(["build", "--project", str(project), "--audience", "rrhh", *ARGS]) == 0
    assert (project / "output/audiences/rrhh/site/es/news/n/index.html").is_file()
    assert not (project / "output/site").exists()


def test_an_open_audience_is_not_a_separate_tree(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project({})
    assert cli.main(["build", "--project", str(project), "--audience", "madrid", *ARGS]) == 1
    assert 'content/site.toml: --audience "madrid" is not a restricted audience' in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["build", "--today", "23/11/2026"], ["build", "--nope"], ["publish"], []])
def test_bad_usage_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2
    assert "usage: intranet" in capsys.readouterr().err


def test_a_folder_without_content_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["build", "--project", str(tmp_path)]) == 2
    assert "no content/ folder" in capsys.readouterr().err


def test_an_internal_bug_prints_one_line_and_saves_the_traceback(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project({})

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("generator.build.build", broken)
    assert cli.main(["build", "--project", str(project)]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "internal error (RuntimeError: boom)" in err
    saved = (project / ".intranet/last-error.txt").read_text()
    assert "Traceback" in saved and "boom" in saved
    with pytest.raises(RuntimeError):
        cli.main(["--debug", "build", "--project", str(project)])


def test_python_dash_m_runs_the_command_without_tracebacks(make_project: MakeProject) -> None:
    project = make_project({"content/announcements/x.md": "---\ntitle: [\n---\n"})
    result = run("build", "--project", str(project), *ARGS)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "content/announcements/x.md:" in result.stderr
    assert run("--version").stdout.startswith("intranet ")


KILLS = 20


def test_a_build_killed_at_any_moment_leaves_one_whole_output(
    make_project: MakeProject, tmp_path: Path
) -> None:
    """KILLS builds killed with SIGKILL at moments spread over the whole run (start-up,
    loading, rendering, publishing): each time, what a reader sees is the output of one
    build whole — the site and the newsletter of the same build — and the next build
    succeeds."""
    files: dict[str, str | bytes] = {
        f"content/announcements/n{i:03}.md": announcement(f"Noticia {i}", "2026-11-20") for i in range(40)
    }
    project = make_project(files)
    edited = project / "content/announcements/n000.md"

    def write(version: str) -> None:  # the home page, the feeds and the week's newsletter show it
        edited.write_text(announcement(f"Versión {version}", "2026-11-20"), encoding="utf-8")

    expected = {}
    for version in ("A", "B"):
        write(version)
        out = tmp_path / f"whole-{version}"
        assert run("build", "--project", str(project), "--out", str(out), *ARGS).returncode == 0
        expected[version] = tree(out)
    assert expected["A"] != expected["B"]
    assert run("build", "--project", str(project), *ARGS).returncode == 0  # B is published
    write("A")
    started = time.monotonic()
    assert run("build", "--project", str(project), *ARGS).returncode == 0  # what a change costs
    duration = time.monotonic() - started
    published = "A"
    killed = 0
    for trial in range(KILLS):
        wanted = "B" if published == "A" else "A"
        write(wanted)
        process = subprocess.Popen(
            [sys.executable, "-m", "generator", "build", "--project", str(project), *ARGS],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(duration * (trial + 0.5) / KILLS)
        process.kill()
        process.wait(timeout=30)
        killed += process.returncode == -signal.SIGKILL
        now = tree(project / "output")
        assert now in (expected["A"], expected["B"]), f"trial {trial}: a mixed or broken output"
        published = "A" if now == expected["A"] else "B"
    assert killed >= KILLS // 2, "most builds finished before they could be killed"
    assert run("build", "--project", str(project), *ARGS).returncode == 0
    assert tree(project / "output") == expected[wanted]
    assert sorted(p.name for p in (project / "output").iterdir()) == [
        ".current",
        ".releases",
        "newsletter",
        "site",
    ]
    releases = project / "output/.releases"
    assert len([p for p in releases.iterdir() if p.is_dir()]) == 3  # the new one and the two before


def test_a_link_to_a_file_outside_content_is_refused_and_nothing_of_it_published(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("---\ntitle: [top secret line\n---\n", encoding="utf-8")
    project = make_project({"content/announcements/a.md": announcement("Hola")})
    assert cli.main(["build", "--project", str(project), *ARGS]) == 0
    before = tree(project / "output")
    (project / "content/media").mkdir()
    (project / "content/media/passwd.png").symlink_to(secret)
    (project / "content/announcements/b.md").symlink_to(secret)
    (project / "content/media/inside.md").symlink_to(project / "content/announcements/a.md")  # inside: fine
    capsys.readouterr()
    assert cli.main(["build", "--project", str(project), *ARGS]) == 1
    err = capsys.readouterr().err
    for link in ("content/announcements/b.md", "content/media/passwd.png"):
        assert f"{link}: this file is a link to a file outside content/" in err
    assert "top secret" not in err  # never read, so never quoted
    assert tree(project / "output") == before
    (project / "content/media/passwd.png").unlink()
    (project / "content/announcements/b.md").unlink()
    assert cli.main(["build", "--project", str(project), *ARGS]) == 0
    assert (project / "output/site/media/inside.md").read_bytes() == (
        project / "content/announcements/a.md"
    ).read_bytes()


def test_a_second_build_says_whom_it_waits_for_and_publishes_after_it(make_project: MakeProject) -> None:
    project = make_project({"content/announcements/a.md": announcement("Hola")})
    assert run("build", "--project", str(project), *ARGS).returncode == 0
    home = project / "output/site/es/index.html"
    with (project / "output/.releases/lock").open("a+") as lock:  # as a build that is publishing holds it
        fcntl.flock(lock, fcntl.LOCK_EX)
        lock.truncate(0)
        lock.write("process 4242")
        lock.flush()
        (project / "content/announcements/a.md").write_text(announcement("Adiós"), encoding="utf-8")
        second = subprocess.Popen(
            [sys.executable, "-m", "generator", "build", "--project", str(project), *ARGS],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert second.stderr is not None
        said = second.stderr.readline()  # blocks until it says something: here, that it waits
        assert said.endswith("output is being published by process 4242; waiting for it to finish…\n")
        assert second.poll() is None
        assert "Hola" in home.read_text(encoding="utf-8")  # nothing published while it waits
        fcntl.flock(lock, fcntl.LOCK_UN)
    _, rest = second.communicate(timeout=60)  # reads the rest and closes the pipe
    assert second.returncode == 0, rest
    assert "Adiós" in home.read_text(encoding="utf-8")


def test_the_command_leaves_at_once_yet_runs_exit_functions_and_keeps_its_code(
    make_project: MakeProject, tmp_path: Path
) -> None:
    """`intranet` (cli.run) skips the interpreter's teardown: what is registered to run at
    exit still runs, all the output arrives through a pipe, and the exit code is main's."""
    project = make_project({"content/announcements/a.md": announcement("Hola")})
    marker = tmp_path / "exit-functions-ran"
    script = (
        "import atexit, sys; from pathlib import Path; from generator import cli; "
        f"atexit.register(lambda: Path({str(marker)!r}).write_text('yes')); "
        "sys.argv = ['intranet', *sys.argv[1:]]; cli.run()"
    )
    for code in (0, 1):
        if code == 1:  # now broken
            (project / "content/announcements/b.md").write_text("---\ntitle: [\n---\nbody\n")
        marker.unlink(missing_ok=True)
        result = build_in_script(script, project)
        assert result.returncode == code, result.stderr
        assert marker.read_text() == "yes"
        if code == 0:
            assert result.stdout.splitlines()[-1] == "No scheduled change ahead"
        else:
            assert "b.md:" in result.stderr and "Traceback" not in result.stderr


def test_a_build_that_keeps_every_calendar_imports_no_calendar_library(make_project: MakeProject) -> None:
    """icalendar, recurring-ical-events and segno (QR codes) are imported only when a
    calendar is read, a feed or an edition is made, or a sheet is drawn, and holidays (every
    country's module) only when the settings or the public holidays are worked out: an
    edit of an old announcement builds without them."""
    ics = "\r\n".join(
        (
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT", "UID:e1@test",
            "DTSTART;VALUE=DATE:20261210", "SUMMARY:Comité", "END:VEVENT", "END:VCALENDAR", "",
        )
    )  # fmt: skip
    old = "content/announcements/old.md"
    project = make_project({old: announcement("Antiguo", day="2025-01-10"), "content/calendar/e.ics": ics})
    script = (
        "import sys; from generator.cli import main; code = main(sys.argv[1:]); "
        "print(*sorted({m.split('.')[0] for m in sys.modules} & {'icalendar', 'recurring_ical_events', 'segno', "
        "'holidays'}))"
    )
    imported = []
    for edit in ("", "Otra línea."):
        (project / old).write_text(announcement("Antiguo", day="2025-01-10") + edit, encoding="utf-8")
        result = build_in_script(script, project)
        assert result.returncode == 0, result.stderr
        imported.append(result.stdout.splitlines()[-1])
    assert imported == ["holidays icalendar recurring_ical_events segno", ""]
    assert "Otra línea." in (project / "output/site/es/news/old/index.html").read_text(encoding="utf-8")


def test_the_settings_kept_between_commands_follow_every_change_of_site_toml(
    make_project: MakeProject,
) -> None:
    """The command keeps the checked settings for the next (cli._settings); a change of
    site.toml, even one that keeps its size, is read at once, and a broken one is reported."""
    project = make_project({"content/announcements/a.md": announcement("Hola")})
    settings = project / "content/site.toml"
    home = project / "output/site/es/index.html"
    assert main(["build", "--project", str(project), "--today", TODAY.isoformat()]) == 0
    title = next(
        line for line in settings.read_text(encoding="utf-8").splitlines() if line.startswith("title")
    )
    assert (project / FOLDER / "settings.pickle").is_file()
    for new in ("Intranot", "Intranut"):  # the same length: only the bytes differ
        text = settings.read_text(encoding="utf-8").replace(title, f'title = "{new}"', 1)
        settings.write_text(text, encoding="utf-8")
        title = f'title = "{new}"'
        assert main(["build", "--project", str(project), "--today", TODAY.isoformat()]) == 0
        assert f" · {new}</title>" in home.read_text(encoding="utf-8")
    settings.write_text(settings.read_text(encoding="utf-8").replace('base_url = "', 'base_url = "x', 1))
    assert main(["build", "--project", str(project), "--today", TODAY.isoformat()]) == 1


def test_the_newsletter_and_plan_commands_read_the_content_as_a_build_left_it_in_the_cache(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`intranet newsletter` and `intranet plan` take each file a build (or another
    command) read from the cache, as a build does, and keep what they read anew."""
    rendered = counted_bodies(monkeypatch)
    project = make_project(
        {
            "content/announcements/a.md": announcement("Uno", "2026-11-20"),
            "content/announcements/b.md": announcement("Dos", "2026-11-19"),
        }
    )
    args = ["--project", str(project), "--today", TODAY.isoformat()]
    assert main(["plan", *args]) == 0  # reads every body, and keeps them
    assert sorted(rendered) == ["announcements/a.md", "announcements/b.md"]
    rendered.clear()
    assert main(["newsletter", *args]) == 0
    assert main(["build", *args]) == 0
    assert rendered == []
    (project / "content/announcements/b.md").write_text(
        announcement("Dos", "2026-11-19") + "Y algo más.\n", encoding="utf-8"
    )
    assert main(["newsletter", *args]) == 0
    assert rendered == ["announcements/b.md"]
    capsys.readouterr()
