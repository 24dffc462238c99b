"""Later stages never reach back: the package's imports follow the pipeline."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

# Values every stage may read; they import no stage (model reads i18n; config reads errors,
# urls and i18n).
BASE = {"errors", "model", "config", "i18n", "resources", "urls", "cache", "parallel"}
# What each stage may import from the package besides itself: whole stages, never a module
# picked out of one. Stages do not import one another; data flows between them through
# build.py (load → rules → render → write) and render walks the views rules made.
ALLOWED: dict[str, set[str]] = {
    **{value: set() for value in BASE - {"config", "model"}},
    "model": {"i18n"},
    "config": {"errors", "urls", "i18n"},
    "load": BASE,
    "rules": BASE,
    "render": BASE | {"rules"},
    "write": BASE,
    "send": BASE,
    "scaffold": BASE,
    "intake": BASE | {"load"},
    "indexer": BASE | {"render"},
    "pictures": BASE,
    "build": BASE | {"load", "rules", "render", "indexer", "pictures"},
    "serve": BASE | {"build", "load"},
    "check": BASE | {"build", "rules", "send"},
    "cli": BASE | {"build", "check", "write", "scaffold", "intake", "send", "serve", "rules", "__init__"},
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
        assert stage(target) in ALLOWED[own], f"{module} must not import generator.{target}"
