"""Kudos wall, certification dashboard and indicators, built from inline projects."""

from __future__ import annotations

import re
from pathlib import Path

import icalendar
import pytest

from generator.build import build
from generator.cli import main
from tests.conftest import SITE_TOML, TODAY, MakeProject

SETTINGS = """
[values.cliente]
name = { es = "El cliente primero", fr = "Le client d'abord", en = "Customer first" }

[values.equipo]
name = { es = "Juntos", fr = "Ensemble", en = "Together" }

[values.respeto]
name = "Respeto"

[teams.soporte]
name = { es = "Soporte", fr = "Support", en = "Support" }

[teams.banca]
name = "Banca"

[metrics.csat]
title = { es = "Satisfacción", fr = "Satisfaction", en = "Satisfaction" }
unit = "%"
target = 90

[metrics.espera]
title = "Espera"
unit = "s"
target = 40
higher_is_better = false
"""
PROGRAMME = """---
title: Certificación ISO 9001
standard: ISO 9001:2015
target_date: 2027-03-31
milestones:
  - {name: Análisis de brechas, due: 2026-03-31, done: 2026-03-20, weight: 1}
  - {name: Procedimientos, due: 2026-08-31, done: 2026-09-10, weight: 3}
  - {name: Formación, due: 2026-11-30, percent: 85, weight: 2}
  - {name: Auditoría interna, due: 2026-11-15, done: 2026-11-12, weight: 2}
  - {name: Revisión por la dirección, due: 2026-12-04, percent: 20, weight: 1}
  - {name: Auditoría de certificación, due: 2027-02-08, weight: 3, audit: true}
---
Qué significa para ti.
"""


def kudos(day: str, to: str, value: str, team: str = "", sender: str = "Ana") -> str:
    lines = [
        f"date: {day}",
        f"from: {sender}",
        f"to: [{to}]",
        f"value: {value}",
        *([f"team: {team}"] if team else []),
    ]
    return "---\n" + "\n".join(lines) + f"\n---\nGracias, {to}.\n"


@pytest.fixture
def project(make_project: MakeProject) -> Path:
    return make_project(
        {
            "content/site.toml": SITE_TOML + SETTINGS,
            "content/kudos/a.md": kudos("2026-11-20", "Laura", "cliente", "soporte"),
            "content/kudos/b.md": kudos("2026-11-18", "Laura", "equipo", "soporte", sender="Luis"),
            "content/kudos/c.md": kudos("2026-11-10", "Pedro", "cliente", "banca"),
            "content/kudos/d.md": kudos("2026-11-01", "Marta", "cliente"),
            "content/kudos/futuro.md": kudos("2026-12-01", "Nadie", "cliente"),
            "content/certification/iso.md": PROGRAMME,
            "content/metrics/csat.csv": "date,value\n"
            + "".join(
                f"2026-{m:02}-28,{v}\n"
                for m, v in zip(range(1, 13), [86, 85, 87, 86, 88, 87, 88, 89, 88, 90, 89, 91], strict=True)
            ),
            "content/metrics/espera.csv": "date,value\n2026-09-30,45\n2026-10-31,38\n",
        }
    )


def site(project: Path) -> dict[str, str]:
    return {
        f.path.removeprefix("site/"): f.data.decode()
        for f in build(project, today=TODAY).files
        if not f.copy_from
    }


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_kudos_wall_is_newest_first_with_counts_per_value_and_team(project: Path) -> None:
    files = site(project)
    wall = files["es/kudos/index.html"]
    assert wall.index("Gracias, Laura") < wall.index("Gracias, Pedro") < wall.index("Gracias, Marta")
    assert "Nadie" not in wall  # a kudos dated in the future waits for its day
    counts = text(
        wall.split('aria-label="Filter the kudos"')[1] if 'aria-label="Filter the kudos"' in wall else wall
    )
    assert "El cliente primero 3" in counts and "Juntos 1" in counts and "Respeto 0" in counts
    assert "Soporte 2" in counts and "Banca 1" in counts
    by_value = files["es/kudos/value/cliente/index.html"]
    assert "Gracias, Pedro" in by_value and "Luis" not in by_value
    assert "Gracias, Pedro" not in files["es/kudos/team/soporte/index.html"]
    assert "Customer first" in files["en/kudos/index.html"]


def test_no_page_ranks_individuals(project: Path) -> None:
    files = site(project)
    for path, html in files.items():
        if "/kudos/" in path:
            assert not re.search(r"Laura\s*\(?\d", text(html)), path  # no "Laura 2" style counts for people


def test_the_home_page_shows_the_latest_kudos(project: Path) -> None:
    widget = site(project)["fr/index.html"].split('id="kudos-title"')[1].split("</section>")[0]
    assert widget.count('class="kudos-card"') == 3
    assert "Gracias, Marta" not in widget
    assert 'lang="es"' in widget  # Spanish messages on the French site keep their language


def test_the_certification_dashboard_computes_progress_and_statuses(project: Path) -> None:
    files = site(project)
    page = text(files["en/certification/iso/index.html"])
    assert "66% complete" in page  # (1 + 3 + 2 done, 0.85 × 2, 0.20 × 1) / 12 weight = 65.8 %
    assert "Next milestone: Formación" in page
    assert "Next audit: February 8, 2027" in page
    assert page.count("Done") >= 3 and "At risk" in page
    assert "Recently completed Auditoría interna" in page


def test_certification_is_on_the_home_page_and_the_audit_on_the_calendar(project: Path) -> None:
    files = site(project)
    assert 'role="progressbar"' in files["es/index.html"]
    feed = icalendar.Calendar.from_ical(files["es/calendar/events.ics"])
    summaries = {str(e.get("SUMMARY")) for e in feed.walk("VEVENT")}
    assert "ISO 9001:2015: Auditoría de certificación" in summaries


def test_indicators_have_tiles_inline_svg_charts_and_data_tables(project: Path) -> None:
    files = site(project)
    page = files["es/indicators/index.html"]
    assert page.count("<svg") == 2 and "<img" not in page and "<script" not in page
    assert '<title id="chart-csat-title">Satisfacción</title>' in page
    tiles = text(page.split('class="tiles"')[1].split("</section>")[0]).replace("\u00a0", " ")
    assert "91 % ▲ 2 puntos · mejor que el periodo anterior Objetivo: 90 % · alcanzado" in tiles
    assert "38 s ▼ 7 s · mejor que el periodo anterior Objetivo: 40 s · alcanzado" in tiles
    assert '<th scope="row">28 dic 2026</th><td>91\u00a0%</td>' in page
    assert page.count('<tr><th scope="row">') == 12 + 2


def test_new_scaffolds_files_that_build_once_filled_and_never_overwrites(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--project", str(project), "--today", "2026-11-23"]
    assert main(["new", "kudos", "Gracias por el turno", *args]) == 0
    created = project / "content/kudos/2026-11-23-gracias-por-el-turno.md"
    assert f"Created content/kudos/{created.name}" in capsys.readouterr().out or created.is_file()
    text_ = (
        created.read_text(encoding="utf-8").replace('from: ""', "from: Ana").replace("to: []", "to: [Luis]")
    )
    created.write_text(text_, encoding="utf-8")
    assert (
        main(["new", "announcement", "Nuevo horario", "--lang", "fr", "--audience", "managers", *args]) == 0
    )
    assert main(["new", "event", "Comida de equipo", "--audience", "madrid", *args]) == 0
    assert (project / "content/calendar/madrid/comida-de-equipo.ics").is_file()
    assert main(["build", *args]) == 0
    madrid = project / "output/site/es/calendar/madrid/index.html"
    assert "Comida de equipo" not in madrid.read_text(encoding="utf-8")  # a draft until confirmed
    assert main(["confirm", "content/calendar/madrid/comida-de-equipo.ics", *args]) == 0
    assert main(["build", *args]) == 0
    assert "Comida de equipo" in madrid.read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["new", "kudos", "Gracias por el turno", *args]) == 1
    assert "this file already exists; nothing was written" in capsys.readouterr().err
    assert main(["new", "announcement", "X", "--audience", "nadie", *args]) == 1
