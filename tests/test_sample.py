"""The shipped sample content (content/): it covers what the product does, and the
site built from it navigates completely with relative links."""

from __future__ import annotations

import html.parser
import posixpath
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from generator.build import build
from generator.config import load_config
from generator.errors import GeneratorError
from generator.load.site import load_site
from generator.model import CATEGORIES, KINDS
from generator.rules.agenda import calendar_window
from generator.write import publish
from tests.conftest import REPO, SEARCH, TODAY, sample_files, search_index


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "output"
    publish(sample_files(), out)
    return out / "site"


class Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action") and value is not None:
                self.urls.append((tag, name, value))
            if name == "content" and value and "url=" in value:
                self.urls.append((tag, name, value.split("url=", 1)[1]))


def links_of(page: Path) -> list[tuple[str, str, str]]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.urls


def test_the_sample_covers_every_feature_the_docs_show() -> None:
    config = load_config(REPO / "content/site.toml")
    warnings: list[GeneratorError] = []
    site = load_site(REPO / "content", config, calendar_window(TODAY, config.calendar), warnings)
    assert warnings == []
    items = site.announcements
    groups = {a.translation_key for a in items}
    assert len(groups) >= 15
    assert set(CATEGORIES) <= {a.category for a in items}
    assert set(config.languages) == {a.lang for a in items} == {"es", "fr", "en"}
    assert any(n > 1 for n in Counter(a.translation_key for a in items).values())
    assert any(a.pinned for a in items)
    assert any(a.date > TODAY for a in items)  # scheduled
    assert any(a.expires and a.expires <= TODAY for a in items)  # expired
    assert any(a.draft for a in items)
    assert any(a.audience and not config.audiences[a.audience[0]].restricted for a in items)
    assert any(a.audience and config.audiences[a.audience[0]].restricted for a in items)
    assert len({p.translation_key for p in site.pages}) >= 2  # the communication plan is generated
    assert site.surveys and len(site.courses) >= 2 and config.communication
    assert {o.kind for o in site.occurrences} == set(KINDS) - {"payday"}  # pay dates come from site.toml
    assert {s.schedule for s in config.payroll.values()} >= {"monthly", "semi-monthly", "yearly"}
    assert {k.value for k in site.kudos} == set(config.values)  # kudos across every company value
    assert any(len(p.milestones) >= 6 for p in site.programmes)
    assert len(site.metrics) >= 3 and all(len(m.points) >= 12 for m in site.metrics)
    assert any(a.category == "celebration" and a.pinned is False for a in items)


def test_no_link_starts_with_a_slash_and_every_relative_link_resolves(published: Path) -> None:
    pages = sorted(published.rglob("*.html"))
    assert len(pages) > 100
    broken = []
    for page in pages:
        rel_page = page.relative_to(published).as_posix()
        for tag, attribute, url in links_of(page):
            assert not url.startswith("/"), f"{rel_page}: {tag} {attribute}={url}"
            parts = urlsplit(url)
            if url.startswith("#"):
                continue
            if parts.scheme:
                assert parts.scheme in ("https", "mailto", "tel", "webcal"), url
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel_page), unquote(parts.path)))
            if not (published / target).is_file():
                broken.append(f"{rel_page}: {url}")
    assert broken == []


def test_absolute_links_appear_only_where_a_page_has_no_fixed_place(published: Path) -> None:
    for page in sorted(published.rglob("*.html")):
        rel_page = page.relative_to(published).as_posix()
        for tag, _, url in links_of(page):
            if url.startswith("https://") and tag == "a" and "intranet.alcora.example" in url:
                assert rel_page == "404.html", f"{rel_page} links absolutely to {url}"


def test_scheduled_drafts_and_restricted_items_are_nowhere_in_the_site(published: Path) -> None:
    text = "\n".join(
        p.read_text(encoding="utf-8") for p in sorted(published.rglob("*")) if p.suffix in {".html", ".xml"}
    )
    assert "Calendario de cierre del año" not in text  # scheduled for 14 December
    assert "Revisión salarial 2027" not in text  # draft
    assert "Calendario de cierres de nómina 2027" not in text  # restricted to rrhh
    assert "Encuesta de clima laboral 2026" in (published / "es/news/archive/index.html").read_text(
        encoding="utf-8"
    )


def comparable(files: dict[str, bytes]) -> dict[str, bytes]:
    """Every file byte for byte, but the search index by what a search finds (Pagefind
    packs the same index into differently named files from one run to the next)."""
    packed = {path: data for path, data in files.items() if path.startswith(SEARCH)}
    ui = {path: data for path, data in packed.items() if path.endswith((".js", ".css"))}
    return {**{p: d for p, d in files.items() if p not in packed}, **ui, SEARCH: search_index(packed)}


def test_the_same_content_and_today_give_byte_identical_output() -> None:
    first = {f.path: f.data for f in sample_files()}  # built earlier in this run
    second = {f.path: f.data for f in build(REPO, today=TODAY).files}
    assert comparable(first) == comparable(second)
