"""Every folder in tests/broken/ is a project with one kind of mistake; building it must
print exactly expected.txt (every problem as `path:line: message`), exit 1, and publish nothing.

Refresh after a reviewed change of wording: pytest tests/test_problems.py --update-golden
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import SITE_TOML

BROKEN = Path(__file__).parent / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
def test_broken_project_reports_exactly_its_problems(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest
) -> None:
    project = tmp_path / case
    shutil.copytree(BROKEN / case, project, ignore=shutil.ignore_patterns("expected.txt"))
    if not (project / "content" / "site.toml").exists():
        (project / "content" / "site.toml").write_text(SITE_TOML, encoding="utf-8")

    code = main(["build", "--project", str(project), "--today", "2026-11-23"])

    captured = capsys.readouterr()
    expected_file = BROKEN / case / "expected.txt"
    if request.config.getoption("--update-golden"):
        expected_file.write_text(captured.err, encoding="utf-8")
    assert code == 1
    assert captured.out == ""
    assert "Traceback" not in captured.err
    assert captured.err == expected_file.read_text(encoding="utf-8")
    assert not (project / "output").exists()
