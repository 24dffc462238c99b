"""A company installs intranet as a package and starts its own project: no clone needed."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import REPO


def test_init_starts_a_project_that_builds_and_never_touches_an_existing_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init", "acme"]) == 0
    assert "Started a new project in acme with 8 example files" in capsys.readouterr().out
    project = tmp_path / "acme"
    site_toml = (project / "content/site.toml").read_text(encoding="utf-8")
    assert site_toml.startswith("#") and "[offices.madrid]" in site_toml  # commented, complete
    kinds = {p.relative_to(project / "content").parts[0] for p in (project / "content").rglob("*.*")}
    assert kinds == {
        "site.toml",
        "announcements",
        "pages",
        "kudos",
        "certification",
        "metrics",
        "calendar",
        "media",
    }
    assert (project / ".gitignore").read_text(encoding="utf-8").count("output/") == 1
    assert main(["build", "--project", str(project), "--today", "2026-11-23"]) == 0
    assert (project / "output/site/es/index.html").is_file()
    capsys.readouterr()
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    assert main(["init", "acme"]) == 1
    assert "acme: this folder is not empty; nothing was written" in capsys.readouterr().err
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)


def test_an_installed_wheel_starts_and_builds_a_project_without_this_repository(tmp_path: Path) -> None:
    """Built from the checkout, installed into a fresh virtual environment with its
    dependencies from the package index, then used from a folder far from the repository."""
    wheels = tmp_path / "wheels"
    made = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(REPO)], tmp_path
    )
    assert made.returncode == 0, made.stderr
    (wheel,) = wheels.glob("intranet-*.whl")
    fresh = tmp_path / "fresh"
    venv.create(fresh, with_pip=True)
    python = fresh / "bin" / "python"
    installed = _run([str(python), "-m", "pip", "install", "-q", str(wheel)], tmp_path)
    if installed.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"cannot install the wheel's dependencies: {installed.stderr[-500:]}")
        pytest.skip("the package index is not reachable to install the wheel's dependencies")
    where = _run([str(python), "-c", "import generator; print(generator.__file__)"], tmp_path)
    assert where.stdout.startswith(str(fresh))  # the installed copy, not this checkout
    intranet = str(fresh / "bin" / "intranet")
    started = _run([intranet, "init", "acme"], tmp_path)
    assert started.returncode == 0, started.stderr
    built = _run([intranet, "build", "--today", "2026-11-23"], tmp_path / "acme")
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("Built ")
    home = (tmp_path / "acme/output/site/es/index.html").read_text(encoding="utf-8")
    assert "Intranet Alcora" in home and "assets/style.css" in home
    assert (tmp_path / "acme/output/site/assets/style.css").is_file()
    assert (tmp_path / "acme/output/newsletter/2026-W48/es/all/email.html").is_file()
