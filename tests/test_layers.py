"""Later stages never reach back: the package's imports follow the pipeline."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

# What each stage may import from the package (besides itself). errors, model, config,
# i18n (the UI catalogs) and resources (the files shipped with the package) are values
# every stage may read; they import no stage.
ALLOWED = {
    "errors": set(),
    "model": set(),
    "i18n": set(),
    "resources": set(),
    "config": {"errors"},
    "load": {"errors", "model", "config"},
    "rules": {"errors", "model", "config", "load.fields"},
    "render": {"errors", "model", "config", "i18n", "resources", "rules", "load.markdown", "load.fields"},
    "write": {"errors", "model"},
    "build": {"errors", "model", "config", "load", "rules", "render"},
    "scaffold": {"errors", "model", "config", "i18n", "resources", "load.fields"},
    "send": {"errors", "config", "model", "rules.issue"},
    "cli": {"errors", "config", "build", "write", "scaffold", "send", "rules.weeks", "__init__"},
}


def stage(module: str) -> str:
    return module.split(".", 1)[0]


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("generator"):
            found.add(node.module.removeprefix("generator").lstrip(".") or "__init__")
        elif isinstance(node, ast.Import):
            found |= {
                a.name.removeprefix("generator.") for a in node.names if a.name.startswith("generator.")
            }
    return found


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_import_only_earlier_stages(path: Path) -> None:
    module = path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
    own = stage(module)
    if own not in ALLOWED:
        assert own in {"__init__", "__main__"}, f"{module} is not placed in the pipeline"
        return
    for target in imports(path):
        if stage(target) == own:
            continue
        allowed = ALLOWED[own]
        assert target in allowed or stage(target) in allowed, f"{module} must not import generator.{target}"
