"""Shared fixtures: inline test projects, the shared real-world corpus, golden refresh."""

from __future__ import annotations

import functools
import gzip
import json
import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import icalendar
import pytest

from generator.build import build
from generator.model import OutputFile
from tests.smtp_server import Recorder, running_server

# Progress lines go to stderr once a command has run two seconds: how long a test's build
# takes depends on the machine, and tests read stderr line by line. The progress tests
# ask for it (tests/test_parallel.py).
os.environ.setdefault("INTRANET_PROGRESS", "off")

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
TODAY = date(2026, 11, 23)
# `make fuzz` runs each random sequence of changes (the incremental builds', the preview's)
# from this many seeds more than the few `make test` runs
FUZZ_SEQUENCES = int(os.environ.get("INTRANET_FUZZ_SEQUENCES", "0"))


def sequence_seeds(*chosen: int) -> list[int]:
    """The seeds of a test of random changes: `chosen` (for the kinds of step they take),
    then FUZZ_SEQUENCES others."""
    return [*chosen, *range(1000, 1000 + FUZZ_SEQUENCES)]


@functools.cache
def sample_files() -> tuple[OutputFile, ...]:
    """The sample company's main build at TODAY: made once per test run, shared read-only by
    every test that only reads it."""
    return tuple(build(REPO, today=TODAY).files)


SITE_TOML = """\
title = { es = "Intranet", fr = "Intranet", en = "Intranet" }
organisation = "Ejemplo S.A."
base_url = "https://intranet.example.com/"
timezone = "Europe/Madrid"
languages = ["es", "fr", "en"]
news_per_page = 2

[offices.madrid]
name = "Madrid"
country = "ES"
subdivision = "MD"
timezone = "Europe/Madrid"

[offices.cdmx]
name = { es = "Ciudad de México", fr = "Mexico", en = "Mexico City" }
country = "MX"
timezone = "America/Mexico_City"

[audiences.managers]
name = { es = "Responsables", fr = "Managers", en = "Managers" }

[audiences.rrhh]
name = "RR. HH."
restricted = true

[newsletter]
archive_weeks = 2
"""

MakeProject = Callable[[dict[str, str | bytes]], Path]


SEARCH = "site/pagefind/"
# Pagefind packs the same index into differently named files from one run to the next:
# these are compared by what a search finds (below), the rest of its files byte for byte.
_SEARCH_PACKED = ("fragment/", "index/", "filter/", "pagefind-entry.json")


def _in_bundle(path: str) -> str:
    """A path of the search index inside its bundle: site/pagefind/es-3/fragment/x → fragment/x."""
    rel = path.removeprefix(SEARCH)
    first, _, rest = rel.partition("/")
    return rest if first.rsplit("-", 1)[-1].isdigit() else rel


def search_index(files: dict[str, bytes]) -> bytes:
    """A search index as what a search finds: every record (its URL, text, filters and
    metadata) and each language's page count over all bundles, in a fixed order."""
    records = [
        json.loads(gzip.decompress(data).removeprefix(b"pagefind_dcd"))
        for path, data in files.items()
        if _in_bundle(path).startswith("fragment/")
    ]
    pages: dict[str, int] = {}
    for path, data in files.items():
        if _in_bundle(path) == "pagefind-entry.json":
            for lang, found in json.loads(data)["languages"].items():
                pages[lang] = pages.get(lang, 0) + found["page_count"]
    ordered = sorted(records, key=lambda r: json.dumps(r, sort_keys=True))
    return json.dumps({"pages": pages, "records": ordered}, sort_keys=True, ensure_ascii=False).encode()


def published_tree(folder: Path) -> dict[str, bytes]:
    """What a reader of an output folder sees, by path: site/ through its link to the
    current release, newsletter/…; not the hidden releases and their manifests. The
    search index is one entry, `site/pagefind/(what it finds)` (see `search_index`)."""
    found: dict[str, bytes] = {}
    for top in sorted(folder.iterdir()):
        if top.name.startswith("."):
            continue
        files = [top] if top.is_file() else [p for p in top.rglob("*") if p.is_file()]
        found |= {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}
    packed = {
        path: data
        for path, data in found.items()
        if path.startswith(SEARCH)
        and (_in_bundle(path).startswith(_SEARCH_PACKED) or path.endswith(".pf_meta"))
    }
    if packed:
        found = {path: data for path, data in found.items() if path not in packed}
        found[SEARCH + "(what it finds)"] = search_index(packed)
    return dict(sorted(found.items()))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/expected from the sample content"
    )


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")


@pytest.fixture
def make_project(tmp_path: Path) -> MakeProject:
    """A project folder from inline files; content/site.toml defaults to SITE_TOML."""

    def make(files: dict[str, str | bytes]) -> Path:
        project = tmp_path / "project"
        project.mkdir(exist_ok=True)
        write_files(project, {"content/site.toml": SITE_TOML, **files})
        return project

    return make


def corpus_dir(kind: str) -> Path:
    """../shared/corpus/<kind>; absent in a user's clone (skip), required in CI (fail)."""
    folder = CORPUS / kind
    if not folder.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the shared corpus is missing at {folder}; CI must have ../shared/")
        pytest.skip(f"the shared corpus is not beside this clone ({folder})")
    return folder


def prop(component: icalendar.Component, name: str) -> Any:
    """A property of a parsed iCalendar component, untyped: tests compare its values."""
    return component[name]


def counted_bodies(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each Markdown body rendered from here on, by its file's path in content/ (the
    loaders run in this process, where they are counted)."""
    import generator.load.markdown as markdown

    monkeypatch.setenv("INTRANET_JOBS", "1")
    rendered: list[str] = []
    real = markdown.render_markdown

    def counted(source: str, origin: str = "", first_line: int = 1) -> markdown.Rendered:
        rendered.append(origin)
        return real(source, origin, first_line)

    monkeypatch.setattr(markdown, "render_markdown", counted)
    return rendered


def announcement(title: str = "Hola", day: str = "2026-11-20", **keys: str) -> str:
    """An announcement file's text with the given front-matter keys."""
    lines = [f"title: {title}", f"date: {day}", *(f"{k}: {v}" for k, v in keys.items())]
    return "---\n" + "\n".join(lines) + "\n---\nCuerpo del anuncio.\n"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Recorder, int]]:
    """A real SMTP server on 127.0.0.1 and a free port: (its recorder, its port)."""
    yield from running_server()
