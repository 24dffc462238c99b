"""The weekly notice-board sheet: each office's own dates, must-read news for everyone
there, the latest kudos, certification progress and a QR code to the week's page; never
restricted content. (Printing it on one page: tests/browser/test_board_in_browser.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import build
from generator.cli import main
from generator.render.qr import qr_code
from tests.conftest import SITE_TOML, TODAY, MakeProject, announcement

VALUES = '\n[values.equipo]\nname = { es = "Juntos", fr = "Ensemble", en = "Together" }\n'


def kudos(day: str, to: str, message: str) -> str:
    return f"---\ndate: {day}\nfrom: Ana Ruiz\nto: [{to}]\nvalue: equipo\n---\n{message}\n"


@pytest.fixture
def project(make_project: MakeProject) -> Path:
    return make_project(
        {
            "content/site.toml": SITE_TOML + VALUES,
            "content/announcements/cierre.md": announcement("Cierre de año para todos", pinned="true"),
            "content/announcements/turnos.md": announcement(
                "Turnos de CDMX en diciembre", pinned="true", audience="[cdmx]"
            ),
            "content/announcements/nominas.md": announcement(
                "Cierre de nóminas zxq-canary", pinned="true", audience="[rrhh]"
            ),
            "content/kudos/laura.md": kudos(
                "2026-11-19", "Laura Méndez", "Gracias por cubrir el turno <b>extra</b>."
            ),
            "content/kudos/viejo.md": kudos("2026-10-01", "Pedro Sanz", "Un reconocimiento antiguo."),
        }
    )


def sheets(project: Path) -> dict[str, str]:
    files = build(project, today=TODAY).files
    return {f.path: f.data.decode() for f in files if "/board/" in f.path}


def test_each_office_sees_its_own_dates_and_the_news_for_everyone_there(project: Path) -> None:
    found = sheets(project)
    assert sorted(found) == sorted(
        f"site/{lang}/board/{week}/{office}/index.html"
        for lang in ("es", "fr", "en")
        for week in ("2026-W48", "2026-W49")
        for office in ("cdmx", "madrid")
    )
    madrid, cdmx = (
        found["site/es/board/2026-W49/madrid/index.html"],
        found["site/es/board/2026-W49/cdmx/index.html"],
    )
    assert "Inmaculada Concepción" in madrid and "Inmaculada Concepción" not in cdmx  # Madrid's holiday only
    assert "Semana del 30 de noviembre de 2026 al 6 de diciembre de 2026" in madrid
    assert "Cierre de año para todos" in madrid and "Cierre de año para todos" in cdmx
    assert "Turnos de CDMX en diciembre" in cdmx and "Turnos de CDMX en diciembre" not in madrid
    for sheet in found.values():
        assert "zxq-canary" not in sheet  # a restricted item never reaches a wall


def test_the_latest_kudos_are_on_the_sheet_as_text(project: Path) -> None:
    sheet = sheets(project)["site/es/board/2026-W48/madrid/index.html"]
    assert (
        "Laura Méndez" in sheet and "Gracias por cubrir el turno extra." in sheet
    )  # its text, not its markup
    assert "Pedro Sanz" not in sheet  # October: not recent


def test_the_qr_code_leads_to_the_weeks_newsletter_for_the_office(project: Path) -> None:
    sheet = sheets(project)["site/es/board/2026-W48/cdmx/index.html"]
    url = "https://intranet.example.com/es/newsletter/2026-W48/cdmx/"
    assert str(qr_code(url)) in sheet and url in sheet
    later = sheets(project)["site/fr/board/2026-W49/madrid/index.html"]  # no newsletter yet: the home page
    assert str(qr_code("https://intranet.example.com/fr/")) in later


def test_the_board_command_makes_the_weeks_sheets_at_the_size_asked_and_says_where(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = ["--project", str(project), "--today", TODAY.isoformat()]
    assert (
        main(["board", *options, "--week", "2026-W51", "--size", "A3", "--office", "madrid", "--lang", "fr"])
        == 0
    )
    out = capsys.readouterr().out
    sheet = project / "output/site/fr/board/2026-W51/madrid/index.html"
    assert f"  {sheet.as_uri()}" in out.splitlines()
    assert "@page { size: A3 portrait;" in sheet.read_text(encoding="utf-8")
    assert (project / "output/site/es/board/2026-W48/cdmx/index.html").is_file()  # this week's too
    assert main(["board", *options, "--office", "madird"]) == 1
    assert "unknown office 'madird'; did you mean \"madrid\"?" in capsys.readouterr().err
