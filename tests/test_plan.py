"""The communication plan: derived from site.toml and the content — every newsletter
edition, the calendars, each office's board sheet, programmes, indicators, surveys and
trainings — with who is responsible; never a restricted audience's communication."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from generator.build import build
from generator.cli import main
from tests.conftest import REPO, SITE_TOML, TODAY, MakeProject

OWNERS = """
[communication]
owner = "Comunicación interna"
calendars = "Recursos Humanos"
"""


def test_every_edition_and_feed_of_the_build_is_in_the_plan(capsys: pytest.CaptureFixture[str]) -> None:
    """The sample company: its plan lists each open edition, never the restricted one."""
    assert main(["plan", "--project", str(REPO), "--today", TODAY.isoformat(), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    newsletters = sorted(r["for whom"] for r in rows if r["what"] == "newsletter")
    assert newsletters == ["agents", "all", "cdmx", "madrid", "managers", "paris"]  # rrhh: restricted
    assert sorted(r["for whom"] for r in rows if r["what"] == "board") == ["cdmx", "madrid", "paris"]
    assert any(r["what"] == "calendars" for r in rows) and any(r["what"] == "feed" for r in rows)
    assert any(r["what"] == "surveys" and r["when"] == "2026-11-20" for r in rows)
    assert any(r["what"] == "certification" and "ISO" in r["subject"] for r in rows)
    assert all(r["languages"] == "es fr en" for r in rows)


def test_the_plan_page_names_who_is_responsible_and_leaves_restricted_editions_out(
    make_project: MakeProject,
) -> None:
    project: Path = make_project({"content/site.toml": SITE_TOML + OWNERS})
    files = {f.path: f.data.decode() for f in build(project, today=TODAY).files if f.path.endswith(".html")}
    page = files["site/es/pages/communication-plan/index.html"]
    assert (
        page.count("<tr>") == 1 + 4 + 1 + 2 + 1
    )  # header; editions all, cdmx, madrid, managers; calendars; 2 boards; feed
    assert "Recursos Humanos" in page and "Comunicación interna" in page
    assert "RR. HH." not in page  # the restricted audience's edition
    assert 'href="../communication-plan/index.html"' in files[
        "site/es/pages/communication-plan/index.html"
    ] or ("communication-plan/index.html" in files["site/es/index.html"])  # linked from every page's footer
