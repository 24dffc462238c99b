"""A build says when the site next changes by itself: a scheduled announcement is
published, a current one expires, dated kudos appear."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from generator import cli
from generator.rules.schedule import EXPIRES, KUDOS, PUBLISHED, Change, describe
from tests.conftest import MakeProject, announcement

ARGS = ["--today", "2026-11-23"]


def lines(project: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> list[str]:
    assert cli.main(["build", "--project", str(project), *ARGS, *extra]) == 0
    return capsys.readouterr().out.strip().splitlines()


def test_a_build_ends_with_the_next_scheduled_change(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(
        {
            "content/announcements/invierno.md": announcement("Horario de invierno", "2026-11-30"),
            "content/announcements/aguinaldo.md": announcement(
                "Aguinaldo", "2026-11-20", expires="2026-12-21"
            ),
            "content/announcements/borrador.md": announcement("Borrador", "2026-11-25", draft="true"),
            "content/announcements/rrhh.md": announcement("Evaluaciones", "2026-11-26", audience="[rrhh]"),
            "content/announcements/pasado.md": announcement("Pasado", "2026-10-01", expires="2026-11-01"),
        }
    )
    out = lines(project, capsys)
    assert out[0].startswith("Built ")
    assert (
        out[1]
        == 'Next change: 2026-11-30 — "Horario de invierno" is published; "Aguinaldo" expires 2026-12-21'
    )
    assert lines(project, capsys)[1] == out[1]  # said again when the build is up to date
    restricted = lines(project, capsys, "--audience", "rrhh")  # its own tree sees its own items
    assert restricted[1].startswith('Next change: 2026-11-26 — "Evaluaciones" is published;')


def test_nothing_scheduled_is_said_too(make_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"content/announcements/a.md": announcement("Hola")})
    assert lines(project, capsys)[1] == "No scheduled change ahead"


def test_the_wording_groups_a_day_and_names_each_kind_once() -> None:
    day, later = date(2026, 11, 30), date(2026, 12, 7)
    changes = [
        Change(day, KUDOS, "Ana Ruiz", Path("k1.md")),
        Change(day, KUDOS, "Luis Gil", Path("k2.md")),
        Change(later, PUBLISHED, "Cena", Path("a.md")),
        Change(later, PUBLISHED, "Horario", Path("b.md")),
        Change(later, EXPIRES, "Aguinaldo", Path("c.md")),
        Change(date(2026, 12, 9), EXPIRES, "Otro", Path("d.md")),
    ]
    assert describe(changes) == (
        "2026-11-30 — kudos for Ana Ruiz and 1 more appear; "
        '"Cena" and 1 more are published 2026-12-07; "Aguinaldo" expires 2026-12-07'
    )
    assert describe([]) == ""
