"""Where the files shipped with the package are: built-in templates and the sample company.

In an installed package they are `generator/templates/` and `generator/sample/`; in a
checkout of this repository, `templates/` and `content/` beside the package (the same
files: pyproject.toml maps them into the wheel).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _shipped(installed: str, checkout: str) -> Path:
    inside = _PACKAGE / installed
    return inside if inside.is_dir() else _PACKAGE.parent / checkout


BUILTIN_TEMPLATES = _shipped("templates", "templates")
SAMPLE_CONTENT = _shipped("sample", "content")
