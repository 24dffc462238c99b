"""Shared blocks (`{% shared %}`): rendered once, filled in for each page, the same bytes
as rendering the block on every page; a block that reads what differs between pages is
refused at its line."""

from __future__ import annotations

import posixpath
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import GeneratorError
from generator.render.fragments import Fragment, Parts, _fill
from generator.render.templates import Templates

FOLDER = st.sampled_from(["es", "fr", "news", "kudos", "a", "b", "x"])
PAGE = st.lists(FOLDER, max_size=4).map(lambda parts: "/".join([*parts, "index.html"]))
TARGET = st.one_of(
    PAGE,
    st.lists(FOLDER, min_size=1, max_size=4).map("/".join),  # a folder, named without its slash
    st.lists(FOLDER, min_size=1, max_size=4).map(lambda parts: "/".join(parts) + "/"),
)
SLOT = st.tuples(st.sampled_from(["url", "page", "section"]), TARGET, st.booleans())


@settings(max_examples=300, deadline=None)
@given(slots=st.lists(SLOT, min_size=1, max_size=8), pages=st.lists(PAGE, min_size=1, max_size=30))
def test_a_fragment_filled_in_from_what_it_kept_is_the_one_filled_in_for_the_page(
    slots: list[tuple[str, str, bool]], pages: list[str]
) -> None:
    """What the pages of one folder share is filled in once; each page still gets exactly
    its own links and marks, wherever it is and wherever the links lead."""
    parts: Parts = tuple(piece for index, slot in enumerate(slots) for piece in (f"<{index}>", slot))
    fragment = Fragment(parts)
    for page in pages:
        assert fragment.fill(page) == _fill(parts, page)


def test_filled_links_are_relative_to_the_page_and_mark_the_page_and_its_section() -> None:
    parts: Parts = (
        '<a href="',
        ("url", "es/news/index.html", True),
        '"',
        ("section", "es/news/index.html", True),
        '>News</a><a href="',
        ("url", "es/index.html", True),
        '"',
        ("page", "es/index.html", True),
        ">Home</a>",
    )
    fragment = Fragment(parts)
    for page in ("es/news/a/index.html", "es/news/b/index.html", "es/index.html", "es/tags/t/index.html"):
        start = posixpath.dirname(page)
        news, home = (posixpath.relpath(t, start) for t in ("es/news/index.html", "es/index.html"))
        in_news = ' aria-current="page"' if page.startswith("es/news/") else ""
        is_home = ' aria-current="page"' if page == "es/index.html" else ""
        assert fragment.fill(page) == f'<a href="{news}"{in_news}>News</a><a href="{home}"{is_home}>Home</a>'


def templates_with(tmp_path: Path, source: str) -> Templates:
    folder = tmp_path / "templates"
    (folder / "site").mkdir(parents=True)
    (folder / "site/t.html").write_text(source, encoding="utf-8")
    return Templates(folder)


def test_a_shared_block_renders_once_per_language_view_and_fills_in_each_page(tmp_path: Path) -> None:
    templates = templates_with(
        tmp_path,
        '{% shared %}<a href="{{ url(home_page(lang)) }}"{{ current(home_page(lang)) }}>{{ site_view }}</a>'
        "{% endshared %}|{{ page_path }}",
    )
    one, other = ["Uno"], ["Otro"]  # two views of one language (the site's, a restricted tree's)
    assert templates.render("site/t.html", "es", "es/index.html", site_view=one) == (
        '<a href="index.html" aria-current="page">[&#39;Uno&#39;]</a>|es/index.html'
    )
    assert templates.render("site/t.html", "es", "es/news/a/index.html", site_view=one) == (
        '<a href="../../index.html">[&#39;Uno&#39;]</a>|es/news/a/index.html'
    )
    assert templates.render("site/t.html", "es", "es/news/a/index.html", site_view=other) == (
        '<a href="../../index.html">[&#39;Otro&#39;]</a>|es/news/a/index.html'
    )


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ('\n{% shared %}\n<a href="{{ url(page_path) }}">x</a>{% endshared %}', 3, 'cannot read "page_path"'),
        ("{% set item = 1 %}\n{% shared %}{{ item }}{% endshared %}", 2, 'cannot read "item"'),
        ("{% shared %}\n{% shared %}x{% endshared %}{% endshared %}", 2, "cannot hold another"),
    ],
)
def test_a_shared_block_that_may_differ_between_pages_is_refused_at_its_line(
    tmp_path: Path, source: str, line: int, message: str
) -> None:
    templates = templates_with(tmp_path, source)
    with pytest.raises(GeneratorError) as caught:
        templates.render("site/t.html", "es", "es/index.html")
    assert caught.value.line == line
    assert message in str(caught.value)
    assert caught.value.path is not None and caught.value.path.name == "t.html"


def test_a_shared_block_may_loop_and_set_names_of_its_own(tmp_path: Path) -> None:
    templates = templates_with(
        tmp_path,
        "{% shared %}{% for page in site_view %}{% set shown = page | upper %}"
        '<a href="{{ url(page) }}"{{ current(page) }}>{{ shown }}{{ loop.index }}</a>{% endfor %}{% endshared %}',
    )
    view = ["es/a/index.html", "es/b/index.html"]
    assert templates.render("site/t.html", "es", "es/b/index.html", site_view=view) == (
        '<a href="../a/index.html">ES/A/INDEX.HTML1</a><a href="index.html" aria-current="page">ES/B/INDEX.HTML2</a>'
    )


@pytest.mark.parametrize(
    "written",
    [
        "{{ url(home_page(lang)) | upper }}",
        "{{ url(home_page(lang)) ~ '#top' }}",
        "{% set home = url(home_page(lang)) %}{{ home }}",
        "{% if current(home_page(lang)) %}x{% endif %}",
    ],
)
def test_a_slot_not_written_out_as_it_is_is_refused_at_its_line(tmp_path: Path, written: str) -> None:
    templates = templates_with(tmp_path, "\n{% shared %}\n" + written + "{% endshared %}")
    with pytest.raises(GeneratorError) as caught:
        templates.render("site/t.html", "es", "es/index.html")
    assert caught.value.line == 3
    assert "on its own" in str(caught.value)


def test_a_nul_character_in_a_shared_block_is_an_error_naming_the_block(tmp_path: Path) -> None:
    templates = templates_with(
        tmp_path, "\n{% shared %}{{ url(home_page(lang)) }}{{ site_view }}{% endshared %}"
    )
    with pytest.raises(GeneratorError) as caught:
        templates.render("site/t.html", "es", "es/index.html", site_view="a\x00b")
    assert caught.value.line == 2
    assert "NUL" in str(caught.value)
