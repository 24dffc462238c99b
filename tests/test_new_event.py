"""`intranet new event`: a valid calendar file in the office's folder and zone, written
as a draft the build leaves out until `intranet confirm`."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from generator.build import load_sources
from generator.cli import main
from tests.conftest import REPO, TODAY, MakeProject

ARGS = ["--today", "2026-11-23"]


def new_event(project: Path, title: str, *options: str) -> int:
    return main(["new", "event", title, "--project", str(project), *ARGS, *options])


def test_a_timed_event_is_written_in_its_offices_zone_as_a_draft_until_confirmed(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project({})
    options = ["--date", "2026-12-02", "--time", "08:30", "--end", "10:00", "--office", "cdmx"]
    assert (
        new_event(project, "Formación SST", *options, "--category", "training", "--location", "Sala 2") == 0
    )
    path = project / "content/calendar/cdmx/formacion-sst.ics"
    assert "as a draft: the build leaves it out until `intranet confirm" in capsys.readouterr().out
    raw = path.read_bytes()
    assert b"\r\n" in raw and b"DTSTART;TZID=America/Mexico_City:20261202T083000" in raw
    event = icalendar.Calendar.from_ical(raw).walk("VEVENT")[0]  # and it reads back
    assert b"DTEND;TZID=America/Mexico_City:20261202T100000" in raw
    assert str(event["LOCATION"]) == "Sala 2" and str(event["STATUS"]) == "TENTATIVE"

    assert not load_sources(project, today=TODAY).site.occurrences  # a draft: left out
    assert main(["check", "--project", str(project), *ARGS, "--format", "json"]) == 0
    drafts = [p for p in json.loads(capsys.readouterr().out)["problems"] if p["kind"] == "draft"]
    assert [(d["path"], d["severity"], d["hint"]) for d in drafts] == [
        (
            "content/calendar/cdmx/formacion-sst.ics",
            "notice",
            "publish it with `intranet confirm content/calendar/cdmx/formacion-sst.ics`",
        )
    ]

    assert main(["confirm", str(path), "--project", str(project)]) == 0
    assert "Confirmed 1 event in" in capsys.readouterr().out
    (found,) = load_sources(project, today=TODAY).site.occurrences
    assert (found.kind, found.offices, found.location) == ("training", ("cdmx",), "Sala 2")
    assert found.start == dt.datetime(2026, 12, 2, 8, 30, tzinfo=ZoneInfo("America/Mexico_City"))
    assert main(["confirm", str(path), "--project", str(project)]) == 1  # nothing left to confirm
    assert "this calendar has no draft event to confirm" in capsys.readouterr().err


def test_a_repeating_event_repeats_until_its_last_day(make_project: MakeProject) -> None:
    project = make_project({})
    options = ["--date", "2026-12-01", "--time", "09:00", "--every", "week", "--until", "2026-12-22"]
    assert new_event(project, "Reunión de equipo", *options, "--office", "madrid", "--confirmed") == 0
    days = [o.start.date() for o in load_sources(project, today=TODAY).site.occurrences]  # type: ignore[union-attr]
    assert days == [dt.date(2026, 12, day) for day in (1, 8, 15, 22)]


def test_an_all_day_event_lasts_its_day(make_project: MakeProject) -> None:
    project = make_project({})
    assert new_event(project, "Jornada de puertas abiertas", "--date", "2026-12-04", "--confirmed") == 0
    (found,) = load_sources(project, today=TODAY).site.occurrences
    assert (found.start, found.end, found.kind) == (dt.date(2026, 12, 4), dt.date(2026, 12, 5), "event")


@pytest.mark.parametrize(
    "options,message",
    [
        (["--time", "10:00", "--end", "09:00"], "the event ends (09:00) before it starts (10:00)"),
        (["--every", "week", "--until", "2026-12-01", "--until", "2026-12-01"], None),
        (["--until", "2026-12-01"], "--until needs --every"),
        (["--end", "09:00"], "--end needs --time"),
        (["--office", "lima"], 'unknown office "lima"'),
    ],
)
def test_event_options_that_cannot_work_are_refused_and_nothing_is_written(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str], options: list[str], message: str | None
) -> None:
    project = make_project({})
    code = new_event(project, "Algo", *options)
    if message is None:  # a valid combination, for contrast
        assert code == 0
        return
    assert code == 1
    assert message in capsys.readouterr().err
    assert not (project / "content/calendar").exists()


def test_event_options_belong_to_events_only(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project({})
    assert main(["new", "announcement", "Hola", "--time", "08:30", "--project", str(project), *ARGS]) == 1
    assert "--time is for `intranet new event` only" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        new_event(project, "Algo", "--time", "25:00")
    assert info.value.code == 2
    assert "'25:00' is not a time of day; use HH:MM" in capsys.readouterr().err


def read_with_icaljs(path: Path) -> list[dict[str, object]]:
    """The events of `path` as ical.js (npm) reads them; CI must have it (make test runs npm ci)."""
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "ical.js").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("node or ical.js is missing: .ci/run installs npm, make test runs npm ci")
        pytest.skip("node or ical.js is missing: install npm, then run make test")
    done = subprocess.run(
        [node, str(REPO / "tests" / "icaljs_read.mjs"), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=REPO,
    )
    found: list[dict[str, object]] = json.loads(done.stdout)
    return found


def test_ical_js_reads_the_events_as_written_in_the_offices_zone(make_project: MakeProject) -> None:
    project = make_project({})
    timed = ["--date", "2026-12-02", "--time", "08:30", "--end", "10:00", "--office", "cdmx"]
    assert new_event(project, "Formación SST", *timed, "--category", "training", "--location", "Sala 2") == 0
    weekly = ["--date", "2026-12-01", "--time", "09:00", "--every", "week", "--until", "2026-12-22"]
    assert new_event(project, "Reunión de equipo", *weekly, "--office", "madrid", "--confirmed") == 0
    assert new_event(project, "Día de la familia", "--date", "2026-12-12", "--office", "madrid") == 0

    (training,) = read_with_icaljs(project / "content/calendar/cdmx/formacion-sst.ics")
    assert training["summary"] == "Formación SST" and training["location"] == "Sala 2"
    assert training["zone"] == "America/Mexico_City" and training["status"] == "TENTATIVE"
    assert (training["startUtc"], training["endUtc"]) == (
        "2026-12-02T14:30:00.000Z",
        "2026-12-02T16:00:00.000Z",
    )

    (meeting,) = read_with_icaljs(project / "content/calendar/madrid/reunion-de-equipo.ics")
    assert meeting["recurring"] is True and meeting["zone"] == "Europe/Madrid"
    assert meeting["starts"] == [f"2026-12-{day:02}T08:00:00.000Z" for day in (1, 8, 15, 22)]

    (family,) = read_with_icaljs(project / "content/calendar/madrid/dia-de-la-familia.ics")
    assert family["allDay"] is True and family["start"] == "2026-12-12"
