"""content/surveys/{id}.toml + {id}.csv → Survey: a work-climate survey's questions and
its raw answers, which stay in memory: rules/surveys.py publishes aggregates only.

The CSV is the form's export as it comes (see load/tables.py). Only the columns the
survey names are read — never a free-text answer — and an answer outside its scale is
reported at its line.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

from generator.config import ContentSettings
from generator.errors import GeneratorError, did_you_mean, known_list, raise_all, toml_problem
from generator.load.files import read_limited
from generator.load.tables import read_table
from generator.model import SCALES, Survey, SurveyQuestion
from generator.urls import slugify

KEYS = {"title", "date", "group_by", "min_group", "questions"}
QUESTION_KEYS = {"id", "column", "text", "scale", "answers"}
SMALLEST_GROUP = 3  # min_group below this would show single people's answers
RESPONSES_LIMIT = 20_000_000  # bytes: many thousand responses


def load_survey(path: Path, config: ContentSettings) -> Survey:
    """content/surveys/{id}.toml and its {id}.csv; raises every problem at once."""
    text = read_limited(path, 1_000_000, "a survey's settings fit in a few lines").decode("utf-8", "replace")
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        message, line = toml_problem(exc, text)
        raise GeneratorError(message, path=path, line=line) from None
    lines = text.splitlines()

    def line_of(key: str, after: int = 0) -> int | None:
        for number, content in enumerate(lines[after:], after + 1):
            if content.strip().startswith((f"{key} ", f"{key}=")):
                return number
        return None

    problems: list[GeneratorError] = []

    def refuse(message: str, key: str, hint: str | None = None, after: int = 0) -> None:
        problems.append(GeneratorError(message, path=path, line=line_of(key, after) or 1, hint=hint))

    for key in sorted(set(data) - KEYS):
        refuse(f"unknown setting {key!r}", key, f"{did_you_mean(key, KEYS)}known: {known_list(KEYS)}")
    title = _localized(data.get("title"), config)
    if title is None:
        refuse(
            "title must be a text, or one per language", "title", 'title = { es = "Clima laboral 2026", … }'
        )
    day = data.get("date")
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        refuse("date must be the day the results are published", "date", "date = 2026-11-20")
        day = dt.date.min
    group_by = data.get("group_by")
    if group_by is not None and (not isinstance(group_by, str) or not group_by.strip()):
        refuse("group_by must name a column of the responses", "group_by", 'group_by = "Oficina"')
        group_by = None
    min_group = data.get("min_group", 5)
    if (
        not isinstance(min_group, int)
        or isinstance(min_group, bool)
        or not SMALLEST_GROUP <= min_group <= 1000
    ):
        refuse(
            f"min_group must be a whole number from {SMALLEST_GROUP} to 1000",
            "min_group",
            "groups smaller than it are never shown; 5 is the usual",
        )
        min_group = 5
    questions: list[SurveyQuestion] = []
    table = data.get("questions")
    if not isinstance(table, list) or not table:
        refuse(
            "a survey needs [[questions]]",
            "title",
            'id = "orgullo", column = "…", scale = "agree5" or "enps"',
        )
        table = []
    after = 0
    for entry in table:
        after = line_of("[[questions]]", after) or after + 1
        if not isinstance(entry, dict):
            continue
        question = _question(entry, config, refuse, after)
        if question is not None:
            questions.append(question)
    ids = [q.id for q in questions]
    for ident in sorted({i for i in ids if ids.count(i) > 1}):
        refuse(f"two questions have the id {ident!r}", "id", "give each its own id")
    raise_all(problems)
    responses = _responses(path.with_suffix(".csv"), questions, group_by)
    return Survey(
        path,
        slugify(path.stem),
        title or {},
        day,
        group_by,
        min_group,
        tuple(questions),
        responses,
    )


def _question(
    entry: dict[str, Any], config: ContentSettings, refuse: Any, after: int
) -> SurveyQuestion | None:
    for key in sorted(set(entry) - QUESTION_KEYS):
        refuse(f"unknown question setting {key!r}", key, f"known: {known_list(QUESTION_KEYS)}", after)
    ident, column, scale = entry.get("id"), entry.get("column"), entry.get("scale")
    text = _localized(entry.get("text"), config)
    ok = True
    if not isinstance(ident, str) or slugify(ident) != ident:
        refuse(
            "a question needs an id of lowercase letters, digits and hyphens", "id", 'id = "orgullo"', after
        )
        ok = False
    if not isinstance(column, str) or not column.strip():
        refuse("a question needs the column of the responses that holds its answers", "column", None, after)
        ok = False
    if scale not in SCALES:
        refuse(
            f"unknown scale {scale!r}",
            "scale",
            f"{did_you_mean(str(scale), SCALES)}scales: agree5 (1 to 5, disagree to agree), enps (0 to 10)",
            after,
        )
        ok = False
    if text is None:
        refuse(
            "a question needs its text, or one per language", "text", 'text = { es = "…", en = "…" }', after
        )
        ok = False
    answers = entry.get("answers", [])
    points = SCALES.get(str(scale), ())
    if not isinstance(answers, list) or (answers and len(answers) != len(points)):
        refuse(
            f"answers must list the {len(points)} answers of the scale as the form writes them, lowest first",
            "answers",
            'answers = ["Totalmente en desacuerdo", "En desacuerdo", "Ni de acuerdo ni en desacuerdo", '
            '"De acuerdo", "Totalmente de acuerdo"]',
            after,
        )
        ok = False
    if not ok:
        return None
    return SurveyQuestion(
        str(ident), str(column).strip(), str(scale), text or {}, tuple(str(a).strip() for a in answers or ())
    )


def _localized(value: object, config: ContentSettings) -> dict[str, str] | None:
    if isinstance(value, str) and value.strip() and "\n" not in value:
        return {lang: value.strip() for lang in config.languages}
    if isinstance(value, dict) and value and all(isinstance(v, str) and v.strip() for v in value.values()):
        found = {str(k): str(v).strip() for k, v in value.items() if k in config.languages}
        return found or None
    return None


def _responses(
    path: Path, questions: list[SurveyQuestion], group_by: str | None
) -> tuple[tuple[str, tuple[int | None, ...]], ...]:
    """(group, each question's answer or None) per response; only the named columns read."""
    if not path.is_file():
        raise GeneratorError(
            "the survey has no responses file beside it",
            path=path,
            hint="export the responses as CSV and save them here (keep it out of version control)",
        )
    header, rows = read_table(read_limited(path, RESPONSES_LIMIT, "export the responses only"), path)
    problems: list[GeneratorError] = []
    wanted = [q.column for q in questions] + ([group_by] if group_by else [])
    for column in wanted:
        if column not in header:
            problems.append(
                GeneratorError(
                    f"the responses have no column {column!r}",
                    path=path,
                    line=1,
                    hint=f"{did_you_mean(column, header)}its columns: "
                    + ", ".join(repr(h) for h in header if h),
                )
            )
    raise_all(problems)
    at = [header.index(q.column) for q in questions]
    group_at = header.index(group_by) if group_by else None
    found = []
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        answers: list[int | None] = []
        for question, index in zip(questions, at, strict=True):
            cell = row[index].strip() if index < len(row) else ""
            value = _answer(cell, question)
            if value is False:
                points = SCALES[question.scale]
                problems.append(
                    GeneratorError(
                        f"{cell!r} is not an answer of {question.id!r} "
                        f"({question.scale}: {points[0]} to {points[-1]})",
                        path=path,
                        line=line,
                        hint="a number of the scale"
                        + (f", or one of: {', '.join(question.answers)}" if question.answers else ""),
                    )
                )
                value = None
            answers.append(value if isinstance(value, int) and value is not True else None)
        group = row[group_at].strip() if group_at is not None and group_at < len(row) else ""
        found.append((group, tuple(answers)))
    raise_all(problems)
    return tuple(found)


def _answer(cell: str, question: SurveyQuestion) -> int | bool | None:
    """The answer's point on the scale; None when blank; False when it is none of them."""
    if not cell:
        return None
    points = SCALES[question.scale]
    folded = " ".join(cell.casefold().split())
    for point, label in zip(points, question.answers, strict=False):
        if folded == " ".join(label.casefold().split()):
            return point
    number = cell.split(" ", 1)[0].rstrip(".-–:")  # "5 - Totalmente de acuerdo"
    if number.isdigit() and int(number) in points:
        return int(number)
    return False
