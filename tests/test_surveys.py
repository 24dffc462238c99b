"""Work-climate surveys: aggregates only; a group under min_group never shown, nor
derivable by subtraction; eNPS as defined; free text and the raw file never published."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import build
from generator.cli import main
from generator.load.surveys import load_survey
from generator.model import Survey, SurveyQuestion
from generator.rules.surveys import survey_result
from tests.conftest import SITE_TOML, TODAY, MakeProject

SURVEY = """\
title = { es = "Clima laboral 2026", fr = "Climat social 2026", en = "Work climate 2026" }
date = 2026-11-20
group_by = "Oficina"
min_group = 5

[[questions]]
id = "orgullo"
column = "Me siento orgulloso de trabajar aquí"
scale = "agree5"
text = { es = "Me siento orgulloso de trabajar aquí", en = "I am proud to work here" }
answers = ["Totalmente en desacuerdo", "En desacuerdo", "Ni de acuerdo ni en desacuerdo", "De acuerdo", "Totalmente de acuerdo"]

[[questions]]
id = "recomendar"
column = "¿Recomendarías la empresa a un amigo?"
scale = "enps"
text = "¿Recomendarías la empresa como lugar de trabajo?"
"""
HEADER = "ID;Oficina;Me siento orgulloso de trabajar aquí;¿Recomendarías la empresa a un amigo?;Comentarios\n"


def responses(groups: dict[str, list[tuple[str, str]]]) -> str:
    rows, number = [HEADER], 1
    for group, answers in groups.items():
        for agree, score in answers:
            rows.append(f"{number};{group};{agree};{score};Mi jefe zxq-free-text {number} no escucha\n")
            number += 1
    return "".join(rows)


# Madrid 6 answers, París 5, CDMX 3 (too few): CDMX is hidden, and since the company total
# less Madrid and París would then be CDMX's 3 answers, París (the smallest shown) goes too.
GROUPS = {
    "Madrid": [("5", "10"), ("4", "9"), ("4", "8"), ("3", "7"), ("2", "6"), ("5", "10")],
    "París": [("De acuerdo", "9"), ("4", "9"), ("3", "5"), ("4", "8"), ("5", "10")],
    "CDMX": [("1", "0"), ("2", "3"), ("1", "2")],
}


def survey_project(make_project: MakeProject, groups: dict[str, list[tuple[str, str]]] = GROUPS) -> Path:
    return make_project(
        {
            "content/surveys/clima-2026.toml": SURVEY,
            "content/surveys/clima-2026.csv": responses(groups),
        }
    )


def test_a_small_group_is_never_shown_nor_left_to_find_by_subtraction(make_project: MakeProject) -> None:
    project = survey_project(make_project)
    survey = load_survey(project / "content/surveys/clima-2026.toml", _config(project))
    result = survey_result(survey)
    assert result.respondents == 14
    for question in result.questions:
        assert question.company is not None and question.company.answers == 14
        assert [name for name, _ in question.groups] == ["Madrid"]  # CDMX (3) hidden, París with it
        assert question.hidden == 2
        shown = sum(d.answers for _, d in question.groups)
        assert question.company.answers - shown >= survey.min_group  # what is left hides 8 people, not 3


def test_enps_is_promoters_less_detractors_in_percent(make_project: MakeProject) -> None:
    project = survey_project(make_project)
    result = survey_result(load_survey(project / "content/surveys/clima-2026.toml", _config(project)))
    company = result.questions[1].company
    assert company is not None
    # 14 answers: promoters (9–10) 10, 9, 10, 9, 9, 10 = 6; detractors (0–6) 6, 5, 0, 3, 2 = 5
    assert (company.promoters, company.detractors, company.enps) == (6, 5, 7)  # 100 × (6 − 5) / 14 = 7.1
    madrid = dict(result.questions[1].groups)["Madrid"]
    assert madrid.enps == 33  # 3 promoters, 1 detractor of 6
    agree = result.questions[0].company
    assert agree is not None and agree.counts == (2, 2, 2, 5, 3)  # "De acuerdo" read as 4
    assert round(agree.mean, 2) == round((1 * 2 + 2 * 2 + 3 * 2 + 4 * 5 + 5 * 3) / 14, 2) == 3.36


def test_a_survey_with_too_few_answers_shows_no_question(make_project: MakeProject) -> None:
    project = survey_project(make_project, {"Madrid": [("5", "10"), ("4", "9"), ("1", "0"), ("2", "6")]})
    result = survey_result(load_survey(project / "content/surveys/clima-2026.toml", _config(project)))
    assert all(q.company is None and not q.groups for q in result.questions)


def test_the_site_publishes_the_aggregates_only_and_never_the_raw_file(make_project: MakeProject) -> None:
    project = survey_project(make_project)
    files = {f.path: f for f in build(project, today=TODAY).files}
    page = files["site/es/surveys/clima-2026/index.html"].data.decode()
    assert "Clima laboral 2026" in page and "eNPS: +7" in page and "Madrid" in page
    assert "París" not in page and "CDMX" not in page  # hidden groups are not even named
    assert "2 grupos no se muestran" in page
    for path, file in files.items():
        assert not path.endswith(".csv") and "clima-2026.csv" not in path
        data = file.data if file.copy_from is None else Path(file.copy_from).read_bytes()
        assert b"zxq-free-text" not in data, path  # free-text answers: never
    assert "site/es/surveys/index.html" in files
    email = files["newsletter/2026-W48/es/all/email.html"].data.decode()  # published in the week before
    assert "Clima laboral 2026" in email and "14 respuestas" in email and "eNPS: +7" in email


def test_an_answer_outside_its_scale_is_reported_at_its_line(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    groups = {"Madrid": [("5", "10"), ("4", "11"), ("Quizás", "9"), ("3", "7"), ("2", "6")]}
    project = survey_project(make_project, groups)
    assert main(["build", "--project", str(project), "--today", TODAY.isoformat()]) == 1
    err = capsys.readouterr().err
    assert "content/surveys/clima-2026.csv:3: '11' is not an answer of 'recomendar' (enps: 0 to 10)" in err
    assert "content/surveys/clima-2026.csv:4: 'Quizás' is not an answer of 'orgullo' (agree5: 1 to 5)" in err


def test_min_group_below_three_is_refused(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(
        {
            "content/surveys/clima-2026.toml": SURVEY.replace("min_group = 5", "min_group = 1"),
            "content/surveys/clima-2026.csv": responses(GROUPS),
        }
    )
    assert main(["build", "--project", str(project), "--today", TODAY.isoformat()]) == 1
    assert (
        "content/surveys/clima-2026.toml:4: min_group must be a whole number from 3 to 1000"
        in capsys.readouterr().err
    )


def test_a_survey_built_by_hand_aggregates_the_same_way() -> None:
    question = SurveyQuestion("q", "Q", "enps", {"es": "Q"})
    answers = [("", (score,)) for score in (10, 10, 9, 8, 7, 6, 0)]  # 3 promoters, 2 detractors of 7
    survey = Survey(Path("s.toml"), "s", {"es": "S"}, TODAY, None, 5, (question,), tuple(answers))
    company = survey_result(survey).questions[0].company
    assert company is not None and company.enps == 14  # 100 × 1 / 7


def _config(project: Path):  # type: ignore[no-untyped-def]
    from generator.config import load_config

    return load_config(project / "content/site.toml")


assert SITE_TOML  # the default settings: es, fr, en; offices madrid and cdmx
