"""The sample content built with a fixed --today, compared byte for byte with
tests/golden/expected/. After a deliberate change of output, refresh with
`make golden` (pytest --update-golden) and review the diff like code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.write import publish
from tests.conftest import published_tree, sample_files

EXPECTED = Path(__file__).parent / "expected"


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_the_sample_site_matches_the_golden_copy(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    publish(sample_files(), tmp_path)
    actual = published_tree(tmp_path)
    if request.config.getoption("--update-golden"):
        shutil.rmtree(EXPECTED, ignore_errors=True)
        for rel, data in actual.items():
            (EXPECTED / rel).parent.mkdir(parents=True, exist_ok=True)
            (EXPECTED / rel).write_bytes(data)
    expected = tree(EXPECTED)
    assert sorted(actual) == sorted(expected), "files were added or removed; run `make golden` and review"
    changed = [rel for rel in sorted(actual) if actual[rel] != expected[rel]]
    assert changed == [], f"{len(changed)} files differ; run `make golden` and review the diff"
