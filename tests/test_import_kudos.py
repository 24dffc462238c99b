"""`intranet import kudos`: a Microsoft Forms or Google Forms export becomes one kudos
file per response, idempotently; a bad row is reported at its line, a wrong map stops
everything; free text stays text."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest

from generator.build import build
from generator.cli import main
from generator.load.documents import read_document
from tests.conftest import SITE_TOML, TODAY, MakeProject

VALUES = """
[values.cliente]
name = { es = "El cliente primero", fr = "Le client d'abord", en = "Customer first" }

[values.equipo]
name = { es = "Juntos", fr = "Ensemble", en = "Together" }

[teams.soporte-madrid]
name = { es = "Soporte técnico Madrid", fr = "Support technique Madrid", en = "Technical support Madrid" }
"""

# Microsoft Forms, opened in a Spanish Excel and saved as CSV: `;`, dates day first
MICROSOFT = (
    "ID;Hora de inicio;Hora de finalización;Correo electrónico;Nombre;¿A quién quieres reconocer?;Valor;Equipo;Mensaje;Idioma\r\n"
    "1;20/11/2026 9:10:02;20/11/2026 9:15:32;ana@example.com;Ana Ruiz;Laura Méndez;El cliente primero;Soporte técnico Madrid;Resolvió la incidencia del banco en una llamada.;Español\r\n"
    '2;21/11/2026 16:01:40;21/11/2026 16:03:11;marc@example.com;Marc Petit;Luis Gómez, Sofía Díaz;Ensemble;;"Merci pour le coup de main\r\nsamedi.";Français\r\n'
    "3;22/11/2026 8:00:00;22/11/2026 8:01:00;x@example.com;Pedro Sanz;Laura Méndez;Puntualidad;;Siempre a tiempo.;Español\r\n"
)
MICROSOFT_MAP = """\
form = "reconocimientos"

[columns]
id = "ID"
date = "Hora de finalización"
from = "Nombre"
to = "¿A quién quieres reconocer?"
value = "Valor"
team = "Equipo"
message = "Mensaje"
lang = "Idioma"
"""

# Google Forms, downloaded from its sheet as CSV: `,`, dates month first, no response id
GOOGLE = (
    "Timestamp,Your name,Who do you want to thank?,Which value?,Message\n"
    "11/20/2026 9:15:32,Jane Doe,Laura Méndez,Customer first,<b>Thanks</b> for the <script>alert(1)</script> fix!\n"
    "11/21/2026 17:45:00,John Roe,Luis Gómez,together,Great teamwork on the night shift.\n"
)
GOOGLE_MAP = """\
[columns]
date = "Timestamp"
from = "Your name"
to = "Who do you want to thank?"
value = "Which value?"
message = "Message"
"""


def project_with(
    make_project: MakeProject, export: str | bytes, mapping: str, name: str = "form.csv"
) -> Path:
    return make_project(
        {"content/site.toml": SITE_TOML + VALUES, f"exports/{name}": export, "exports/map.toml": mapping}
    )


def run(project: Path, name: str = "form.csv") -> int:
    return main(
        [
            "import",
            "kudos",
            str(project / "exports" / name),
            "--map",
            str(project / "exports/map.toml"),
            "--project",
            str(project),
        ]
    )


def kudos_files(project: Path) -> dict[str, dict[str, object]]:
    folder = project / "content/kudos"
    return {p.name: read_document(p, folder).data for p in sorted(folder.glob("*.md"))}


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param(codecs.BOM_UTF8 + MICROSOFT.encode(), id="utf-8 with BOM"),
        pytest.param(MICROSOFT.encode("utf-16"), id="utf-16 (Unicode text)"),
        pytest.param(MICROSOFT.replace(";", "\t").encode("utf-16"), id="utf-16, tab-separated"),
    ],
)
def test_a_microsoft_forms_export_becomes_one_file_per_response_and_a_bad_row_is_told_at_its_line(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str], encoded: bytes
) -> None:
    project = project_with(make_project, encoded, MICROSOFT_MAP)
    assert run(project) == 1  # one row rejected
    captured = capsys.readouterr()
    assert (
        "exports/form.csv:5: unknown value 'Puntualidad'; company values: cliente, equipo, or their names"
        in captured.err
    )
    assert "Imported 2 kudos into content/kudos/ (1 rejected)" in captured.out
    files = kudos_files(project)
    names = sorted(files)
    assert re.fullmatch(r"2026-11-20-laura-mendez-[0-9a-f]{6}\.md", names[0]), names
    assert re.fullmatch(r"2026-11-21-luis-gomez-[0-9a-f]{6}\.fr\.md", names[1]), (
        names
    )  # named as the build expects
    laura, luis = files.values()
    assert laura == {
        "date": "2026-11-20",
        "from": "Ana Ruiz",
        "to": ["Laura Méndez"],
        "value": "cliente",
        "team": "soporte-madrid",
        "lang": "es",
        "response": "reconocimientos:1",
    }
    assert luis["to"] == ["Luis Gómez", "Sofía Díaz"] and luis["value"] == "equipo" and luis["lang"] == "fr"
    text = (project / "content/kudos" / sorted(files)[1]).read_text(encoding="utf-8")
    assert text.endswith("Merci pour le coup de main\nsamedi.\n")

    # the next export holds the same responses and one more: only the new one is written
    assert run(project) == 1  # the bad row is still bad
    assert "Imported 0 kudos into content/kudos/ (2 already imported, 1 rejected)" in capsys.readouterr().out
    assert kudos_files(project) == files


def test_a_google_forms_export_without_response_ids_is_imported_once_and_its_text_stays_text(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = project_with(make_project, GOOGLE, GOOGLE_MAP, "Kudos (respuestas).csv")
    assert run(project, "Kudos (respuestas).csv") == 0
    assert "Imported 2 kudos into content/kudos/" in capsys.readouterr().out
    files = kudos_files(project)
    assert [(f["date"], f["to"], f["value"], f["lang"]) for f in files.values()] == [
        ("2026-11-20", ["Laura Méndez"], "cliente", "es"),  # month first: 11/20 is 20 November
        ("2026-11-21", ["Luis Gómez"], "equipo", "es"),
    ]
    assert run(project, "Kudos (respuestas).csv") == 0
    assert "Imported 0 kudos into content/kudos/ (2 already imported)" in capsys.readouterr().out

    site = {f.path: f.data for f in build(project, today=TODAY).files}
    wall = site["site/es/kudos/index.html"].decode()
    assert "&lt;b&gt;Thanks&lt;/b&gt;" in wall and "<b>Thanks" not in wall  # shown as written
    assert "<script>alert" not in wall and "&lt;script&gt;alert(1)&lt;/script&gt;" in wall


def test_a_map_naming_a_column_the_export_lacks_writes_nothing(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = project_with(
        make_project,
        GOOGLE,
        GOOGLE_MAP.replace('"Message"', '"Mesage"').replace("[columns]", '[columns]\nteam = "Team"'),
    )
    assert run(project) == 1
    err = capsys.readouterr().err
    assert "exports/map.toml:7: the export has no column 'Mesage'; did you mean \"Message\"?" in err
    assert "exports/map.toml:2: the export has no column 'Team'" in err
    assert not (project / "content/kudos").exists()


def test_a_map_without_a_required_column_or_with_an_unknown_one_is_refused_at_its_line(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = project_with(
        make_project, GOOGLE, GOOGLE_MAP.replace('value = "Which value?"\n', 'valor = "Which value?"\n')
    )
    assert run(project) == 1
    err = capsys.readouterr().err
    assert "exports/map.toml:5: unknown column setting 'valor'; did you mean \"value\"?" in err
    assert "[columns] needs value: the export's column that holds the kudos' value" in err
    assert not (project / "content/kudos").exists()


def test_dates_that_read_both_ways_need_the_maps_date_format(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    export = GOOGLE.replace("11/20/2026", "03/04/2026").replace("11/21/2026", "05/06/2026")
    project = project_with(make_project, export, GOOGLE_MAP)
    assert run(project) == 1
    assert "exports/map.toml:2: the dates could be day first or month first" in capsys.readouterr().err
    assert not (project / "content/kudos").exists()
    (project / "exports/map.toml").write_text(
        'date_format = "%d/%m/%Y %H:%M:%S"\n' + GOOGLE_MAP, encoding="utf-8"
    )
    assert run(project) == 0
    assert sorted(str(f["date"]) for f in kudos_files(project).values()) == ["2026-04-03", "2026-06-05"]


def test_an_export_that_is_not_text_is_refused_with_its_line(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = project_with(make_project, GOOGLE.encode() + b"\xff\xfe\x00broken\n", GOOGLE_MAP)
    assert run(project) == 1
    assert "exports/form.csv:4: the file is not UTF-8" in capsys.readouterr().err
    assert not (project / "content/kudos").exists()
