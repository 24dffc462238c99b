"""The training plan: courses joined with the training sessions of the calendars, per
office in the office's zone; a course without a coming session is marked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.build import build
from generator.cli import main
from tests.conftest import TODAY, MakeProject

COURSE = """\
---
title: Seguridad y salud en el trabajo
hours: 4
mandatory: true
summary: Lo básico para trabajar seguros.
---
Riesgos del puesto, pausas y ergonomía.
"""
OTHER = """\
---
title: Escucha activa
hours: 1.5
audience: [managers]
mandatory: [managers]
---
Técnicas para atender a un cliente enfadado.
"""


def event(uid: str, summary: str, start: str, end: str, zone: str, extra: str = "") -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ejemplo//ES\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID={zone}:{start}\r\nDTEND;TZID={zone}:{end}\r\n"
        f"SUMMARY:{summary}\r\nCATEGORIES:Training\r\n{extra}LOCATION:Sala 2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


@pytest.fixture
def project(make_project: MakeProject) -> Path:
    return make_project(
        {
            "content/trainings/seguridad-salud.md": COURSE,
            "content/trainings/escucha-activa.md": OTHER,
            # named by the course's slug in its title
            "content/calendar/madrid/sst.ics": event(
                "sst-mad@example.com",
                "Seguridad salud: grupo 1",
                "20261202T090000",
                "20261202T130000",
                "Europe/Madrid",
            ),
            # named by X-INTRANET-COURSE, as `intranet new event --course` writes it
            "content/calendar/cdmx/sst.ics": event(
                "sst-cdmx@example.com",
                "SST turno de noche",
                "20261203T080000",
                "20261203T120000",
                "America/Mexico_City",
                "X-INTRANET-COURSE:seguridad-salud\r\n",
            ),
            # a training for another course
            "content/calendar/madrid/otra.ics": event(
                "excel@example.com", "Excel avanzado", "20261204T090000", "20261204T110000", "Europe/Madrid"
            ),
        }
    )


def page(project: Path, lang: str = "es") -> str:
    files = {f.path: f.data for f in build(project, today=TODAY).files}
    return files[f"site/{lang}/trainings/index.html"].decode()


def test_each_course_lists_its_sessions_per_office_in_the_offices_zone(project: Path) -> None:
    text = page(project)
    course = text[text.index('id="course-seguridad-salud"') :]
    course = course[: course.index("</section>")]
    assert "4 horas" in course and "Obligatoria para todos" in course
    offices = {part.split("</h4>")[0]: part for part in course.split("<h4")[1:]}
    madrid = next(text for name, text in offices.items() if name.endswith("Madrid"))
    cdmx = next(text for name, text in offices.items() if name.endswith("Ciudad de México"))
    assert "miércoles, 2 de diciembre de 2026" in madrid and "9:00" in madrid and "Sala 2" in madrid
    assert "jueves, 3 de diciembre de 2026" in cdmx and "8:00" in cdmx  # its own zone, not Madrid's 15:00
    assert "Excel" not in course  # another course's training


def test_a_course_without_a_coming_session_is_marked(project: Path) -> None:
    text = page(project)
    course = text[text.index('id="course-escucha-activa"') :]
    course = course[: course.index("</section>")]
    assert "Aún no hay ninguna sesión prevista." in course
    assert re.search(r"1,5\s*horas", course) and "Obligatoria para: Responsables" in course


def test_a_mandatory_audience_that_does_not_exist_is_an_error_at_its_line(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(
        {"content/trainings/x.md": COURSE.replace("mandatory: true", "mandatory: [managerz]")}
    )
    assert main(["build", "--project", str(project), "--today", TODAY.isoformat()]) == 1
    assert (
        'content/trainings/x.md:4: unknown audience "managerz"; did you mean "managers"?'
        in capsys.readouterr().err
    )


def test_new_event_names_its_course(make_project: MakeProject) -> None:
    project = make_project({"content/trainings/seguridad-salud.md": COURSE})
    options = ["--date", "2026-12-09", "--time", "10:00", "--office", "madrid", "--course", "seguridad-salud"]
    assert (
        main(
            [
                "new",
                "event",
                "Grupo 2",
                "--project",
                str(project),
                "--today",
                TODAY.isoformat(),
                *options,
                "--confirmed",
            ]
        )
        == 0
    )
    written = (project / "content/calendar/madrid/grupo-2.ics").read_text(encoding="utf-8")
    assert "X-INTRANET-COURSE:seguridad-salud" in written and "CATEGORIES:TRAINING" in written
    assert "miércoles, 9 de diciembre de 2026" in page(project)
