"""Pure rules: who sees what, when, and in which language."""

from __future__ import annotations

import posixpath
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.cache import Memo
from generator.config import parse_config
from generator.model import Announcement, Html, Page
from generator.rules.audience import is_visible, open_audiences
from generator.rules.localize import Localized, localize
from generator.rules.publication import is_current, is_published
from generator.urls import relative_url, root_prefix
from tests.conftest import SITE_TOML

CONFIG = parse_config(SITE_TOML, Path("content/site.toml"))
BASE = Announcement(
    source=Path("content/announcements/a.md"),
    line=1,
    slug="a",
    title="A",
    date=date(2026, 11, 20),
    lang="es",
    translation_key="a",
    body=Html.of("<p>A</p>"),
    summary="A",
)


def test_everyone_sees_an_item_without_audience() -> None:
    assert is_visible((), CONFIG)
    assert is_visible((), CONFIG, scope="rrhh")


def test_open_audiences_are_on_the_main_site() -> None:
    assert is_visible(("madrid", "managers"), CONFIG)
    assert open_audiences(CONFIG) == ["cdmx", "madrid", "managers"]


def test_a_restricted_audience_is_seen_only_in_its_own_scope() -> None:
    assert not is_visible(("rrhh",), CONFIG)
    assert not is_visible(("madrid", "rrhh"), CONFIG)  # one restricted audience is enough to keep it out
    assert is_visible(("rrhh",), CONFIG, scope="rrhh")
    assert is_visible(("madrid", "rrhh"), CONFIG, scope="rrhh")


def test_publication_follows_date_and_draft() -> None:
    assert is_published(BASE, date(2026, 11, 20))
    assert not is_published(BASE, date(2026, 11, 19))
    draft = replace(BASE, draft=True)
    assert not is_published(draft, date(2026, 12, 1))
    assert is_published(draft, date(2026, 12, 1), drafts=True)
    page = Page(Path("content/pages/p.md"), 1, "p", "P", "es", "p", "<p>P</p>")
    assert is_published(page, date(2000, 1, 1))


def test_expires_is_the_first_day_an_item_is_no_longer_current() -> None:
    item = replace(BASE, expires=date(2026, 11, 30))
    assert is_current(item, date(2026, 11, 29))
    assert not is_current(item, date(2026, 11, 30))
    assert is_current(BASE, date(2099, 1, 1))


def test_each_language_gets_its_own_version_or_the_default_one() -> None:
    es = BASE
    fr = replace(BASE, lang="fr", slug="a-fr", title="A fr")
    editions = localize([fr, es], ("es", "fr", "en"))
    assert [(e.item.title, e.fallback) for e in editions["es"]] == [("A", False)]
    assert [(e.item.title, e.fallback) for e in editions["fr"]] == [("A fr", False)]
    assert [(e.item.title, e.fallback) for e in editions["en"]] == [("A", True)]
    assert [v.lang for v in editions["en"][0].versions] == ["es", "fr"]
    # the page in each language links to the versions in the others
    assert [[v.lang for v in editions[lang][0].others] for lang in ("es", "fr", "en")] == [
        ["fr"], ["es"], ["es", "fr"],
    ]  # fmt: skip


def test_without_a_default_version_the_first_available_language_stands_in() -> None:
    en_only = replace(BASE, lang="en")
    editions = localize([en_only], ("es", "fr", "en"))
    assert editions["es"][0].item.lang == "en"
    assert editions["es"][0].fallback
    assert not editions["en"][0].fallback


@given(
    edits=st.lists(
        st.tuples(st.sampled_from("abcd"), st.sampled_from(["es", "fr", "en"]), st.booleans()),
        min_size=1,
        max_size=15,
    )
)
@settings(max_examples=100, deadline=None)
def test_localizing_again_agrees_with_a_fresh_pass_and_keeps_unchanged_stories(
    edits: list[tuple[str, str, bool]],
) -> None:
    """With the preview's memo, after each version of a story is written (a new object) or
    removed, every language shows what a fresh pass shows, and a story none of whose
    versions changed keeps its Localized objects."""
    languages = ("es", "fr", "en")
    memo = Memo()
    versions = {("a", "es"): BASE, ("b", "fr"): replace(BASE, lang="fr", translation_key="b", slug="b")}
    last = localize(versions.values(), languages, memo)
    for number, (key, lang, write) in enumerate(edits):
        memo.next_round()
        if write:
            title = f"{key} {lang} {number}"
            versions[(key, lang)] = replace(BASE, lang=lang, translation_key=key, slug=key, title=title)
        else:
            versions.pop((key, lang), None)
        shown = localize(versions.values(), languages, memo)
        fresh = localize(versions.values(), languages)

        def seen(editions: dict[str, list[Localized[Announcement]]]) -> dict[str, list[tuple[int, ...]]]:
            return {
                lang: [(id(e.item), *map(id, e.versions)) for e in each] for lang, each in editions.items()
            }

        assert seen(shown) == seen(fresh)
        for lang in languages:
            earlier = {e.key: e for e in last[lang]}
            for e in shown[lang]:
                if e.key != key and e.key in earlier:
                    assert e is earlier[e.key]  # an untouched story: the same object
        last = shown


_SEGMENT = st.sampled_from(["es", "news", "a", "index.html", ".", "..", "", "x.css"])


@given(
    target=st.lists(_SEGMENT, min_size=1, max_size=5).map("/".join),
    page=st.lists(_SEGMENT, min_size=1, max_size=5).map("/".join),
)
def test_relative_url_agrees_with_relpath(target: str, page: str) -> None:
    """The fast comparison of folder names gives relpath's answer for every pair of paths."""
    try:
        expected = posixpath.relpath(target, posixpath.dirname(page) or ".")
    except ValueError:  # relpath refuses an empty target; so do we
        with pytest.raises(ValueError):
            relative_url(target, page)
        return
    if target.endswith("/") and not expected.endswith("/"):
        expected += "/"
    assert relative_url(target, page) == expected


def test_relative_urls_between_pages() -> None:
    assert relative_url("es/news/index.html", "es/news/a/index.html") == "../index.html"
    assert relative_url("assets/style.css", "es/index.html") == "../assets/style.css"
    assert relative_url("es/index.html", "index.html") == "es/index.html"
    assert root_prefix("es/news/a/index.html") == "../../../"
    assert root_prefix("index.html") == ""


def test_iso_weeks_parse_print_and_shift() -> None:
    from generator.rules.weeks import IsoWeek

    week = IsoWeek.parse("2026-W48")
    assert (week.monday, week.sunday) == (date(2026, 11, 23), date(2026, 11, 29))
    assert str(week.shifted(-48)) == "2025-W52"
    assert IsoWeek.of(date(2027, 1, 1)) == IsoWeek(2026, 53)
    for bad in ("2026-48", "2025-W53", "W48"):
        with pytest.raises(ValueError):
            IsoWeek.parse(bad)
