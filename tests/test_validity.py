"""The W3C Nu HTML Checker (vnu-jar from the npm registry, on Java) finds no error in any
page of the sample site, of a restricted audience's tree, or in any newsletter e-mail."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.build import build
from generator.write import publish
from tests.conftest import REPO, TODAY, sample_files

VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def checker() -> list[str]:
    """The command that runs the checker; CI must have it (make test installs it with npm)."""
    java = shutil.which("java")
    missing = "Java" if java is None else "vnu.jar (npm ci)" if not VNU.is_file() else None
    if missing is not None or java is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing} is missing: .ci/run installs Java and npm, make test runs npm ci")
        pytest.skip(f"{missing} is missing: install Java and npm, then run make test")
    return [java, "-jar", str(VNU), "--skip-non-html", "--errors-only", "--format", "json"]


def errors_in(*folders: Path) -> list[str]:
    done = subprocess.run(
        [*checker(), *(str(f) for f in folders)], capture_output=True, text=True, timeout=300, check=False
    )
    messages = json.loads(done.stderr)["messages"]
    return [f"{m['url'].split('/output/')[-1]}:{m.get('lastLine', '?')}: {m['message']}" for m in messages]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("valid")
    publish(sample_files(), root / "output")
    publish(build(REPO, today=TODAY, scope="rrhh").files, root / "output" / "audiences" / "rrhh")
    return root / "output"


def test_every_page_and_email_is_valid_html(published: Path) -> None:
    pages = list(published.rglob("*.html"))
    assert len(pages) > 500  # the site, the restricted tree and every e-mail
    assert errors_in(published) == []


def test_the_checker_does_report_an_error_where_there_is_one(published: Path, tmp_path: Path) -> None:
    page = (published / "site/es/news/index.html").read_text(encoding="utf-8")
    broken = page.replace('<h1 class="page-title">', '<h1 class="page-title"><a name=x>', 1)
    (tmp_path / "broken.html").write_text(broken.replace("<h2", "<h4", 1), encoding="utf-8")
    found = errors_in(tmp_path)
    assert any("heading “h4”" in message for message in found), found
