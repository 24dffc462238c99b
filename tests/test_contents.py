"""A page's block taken from its published page when only its frame changed
(render/contents.py): as many pages as before are rendered, each output equals a clean
build's, and a block that could depend on its frame is always rendered whole."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest

from generator import cli
from generator.render import contents, intranet
from generator.render.contents import Frames, render_framed
from generator.render.templates import Templates
from tests.conftest import SITE_TOML, MakeProject, announcement, published_tree

TODAY = "2026-11-23"
BUILTIN = Path(cli.__file__).resolve().parent.parent / "templates"


def build(project: Path, *extra: str) -> None:
    assert cli.main(["build", "--project", str(project), "--today", TODAY, *extra]) == 0


def builtin(name: str) -> str:
    return (BUILTIN / name).read_text(encoding="utf-8")


def taken(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The pages rendered from here on (in this process, in number), by whether their
    block was taken from the published page ("taken") or rendered ("whole")."""
    monkeypatch.setenv("INTRANET_JOBS", "1")
    monkeypatch.setattr(intranet, "SERIAL_PAGES", 3)  # every build renders its pages "in number"
    found: dict[str, list[str]] = {"taken": [], "whole": []}
    render_page, render = intranet.PageRenderer.render_page, intranet.PageRenderer.render

    def counted_page(
        self: intranet.PageRenderer, plan: intranet.PagePlan, block: str | None
    ) -> tuple[str, tuple[int, int] | None]:
        found["taken" if block is not None else "whole"].append(plan.path)
        return render_page(self, plan, block)

    def counted(self: intranet.PageRenderer, plan: intranet.PagePlan) -> bytes:
        found["whole"].append(plan.path)
        return render(self, plan)

    monkeypatch.setattr(intranet.PageRenderer, "render_page", counted_page)
    monkeypatch.setattr(intranet.PageRenderer, "render", counted)
    return found


def stories(count: int) -> dict[str, str | bytes]:
    return {
        f"content/announcements/s{n}.md": announcement(f"Aviso {n}", f"2026-11-{10 + n}", tags="[calidad]")
        + f"\nVer [el anterior](s{max(0, n - 1)}.md).\n"
        for n in range(count)
    }


def same_as_clean(project: Path, name: str) -> dict[str, bytes]:
    tree = published_tree(project / "output")
    clean = project.parent / f"clean-{name}"
    build(project, "--no-cache", "--out", str(clean))
    assert tree == published_tree(clean)
    return tree


def test_a_frame_edit_takes_each_pages_block_from_its_published_page(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Editing the frame (the footer of site/base.html) renders every page again, taking
    each page's block from the page as published; twice in a row; and the output is a
    clean build's each time."""
    project = make_project(stories(6))
    found = taken(monkeypatch)
    build(project)
    assert found["whole"] and not found["taken"]  # a first build renders every page whole
    frame = project / "templates/site/base.html"
    frame.parent.mkdir(parents=True)
    for mark in ("Pie uno", "Pie dos"):
        found["taken"].clear()
        found["whole"].clear()
        frame.write_text(builtin("site/base.html").replace("</footer>", f"<p>{mark}</p></footer>", 1))
        build(project)
        story = "es/news/s3/index.html"
        assert story in found["taken"] and "es/news/index.html" in found["taken"]
        assert len(found["taken"]) > 3 * len(found["whole"])  # the few others: no block of theirs
        tree = same_as_clean(project, mark)
        assert mark.encode() in tree[f"site/{story}"]


def test_a_story_edited_with_the_frame_is_rendered_whole_and_the_rest_taken(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page whose own inputs changed too (the story edited, the story its link reaches
    renamed) renders its block again; the others are taken."""
    project = make_project(stories(6))
    build(project)
    before = (project / "output/site/es/news/s5/index.html").read_bytes()
    found = taken(monkeypatch)
    frame = project / "templates/site/base.html"
    frame.parent.mkdir(parents=True)
    frame.write_text(builtin("site/base.html").replace("</footer>", "<p>Pie</p></footer>", 1))
    (project / "content/announcements/s2.md").write_text(
        announcement("Aviso 2, corregido", "2026-11-12") + "\nVer [el anterior](s1.md).\n"
    )
    (project / "content/announcements/s4.md").rename(project / "content/announcements/s4-nuevo.md")
    build(project)
    assert "es/news/s2/index.html" in found["whole"]  # its text changed
    assert "es/news/s5/index.html" in found["whole"]  # its link went to s4, which moved
    assert "es/news/s1/index.html" in found["taken"]
    tree = same_as_clean(project, "both")
    assert b"s4/index.html" in before and b"s4/index.html" not in tree["site/es/news/s5/index.html"]


def test_the_sites_name_changed_or_a_page_added_to_every_footer_takes_the_blocks(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What only the frame shows changes in site.toml (the site's title, the organisation's
    name) or in content/ (a standing page, linked from every footer): every page is
    rendered again around its block taken from its published page; the output is a clean
    build's each time."""
    project = make_project(stories(6))
    build(project)
    found = taken(monkeypatch)
    settings = project / "content/site.toml"
    renamed = SITE_TOML.replace('organisation = "Ejemplo S.A."', 'organisation = "Ejemplo S.L."')
    renamed = renamed.replace('es = "Intranet"', 'es = "Portal"', 1)
    assert renamed.count("Ejemplo S.L.") == 1 and renamed.count('es = "Portal"') == 1
    steps: dict[str, Callable[[], object]] = {
        "site.toml": lambda: settings.write_text(renamed, encoding="utf-8"),
        "page": lambda: (project / "content/pages/guia.md").write_text(
            "---\ntitle: Guía\n---\nCómo pedir vacaciones.\n", encoding="utf-8"
        ),
    }
    for name, step in steps.items():
        (project / "content/pages").mkdir(exist_ok=True)
        found["taken"].clear()
        found["whole"].clear()
        step()
        build(project)
        assert "es/news/s3/index.html" in found["taken"] and "es/news/index.html" in found["taken"], name
        tree = same_as_clean(project, name)
    assert b"Ejemplo S.L." in tree["site/es/news/s3/index.html"]
    assert b"Gu\xc3\xada" in tree["site/es/news/s3/index.html"]  # the new page, in the footer


FRAME_DEPENDENT = {
    # the frame sets a name the page's block reads
    "sets": (
        ("site/base.html", "<body>", '{{% set motto = "{}" %}}<body>'),
        (
            "site/announcement.html",
            '<article class="announcement">',
            '<article class="announcement">{{ motto }}',
        ),
    ),
    # the page's block shows the frame's own block: super()
    "super": (
        ("site/base.html", "{% block main %}{% endblock %}", "{{% block main %}}<p>{}</p>{{% endblock %}}"),
        (
            "site/announcement.html",
            '<article class="announcement">',
            '{{ super() }}<article class="announcement">',
        ),
    ),
}


@pytest.mark.parametrize("how", sorted(FRAME_DEPENDENT))
def test_a_block_that_may_depend_on_its_frame_is_rendered_whole(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """A page template whose block reads a name its frame sets, or calls super(), has
    its block rendered whole when the frame changes; the output is a clean build's."""
    (frame_name, frame_before, frame_after), (page_name, page_before, page_after) = FRAME_DEPENDENT[how]
    project = make_project(stories(4))
    page = project / "templates" / page_name
    page.parent.mkdir(parents=True)
    page.write_text(builtin(page_name).replace(page_before, page_after, 1))
    frame = project / "templates" / frame_name
    found = taken(monkeypatch)
    for word in ("Uno", "Dos"):
        frame.write_text(builtin(frame_name).replace(frame_before, frame_after.format(f"Lema {word}"), 1))
        found["whole"].clear()
        found["taken"].clear()
        build(project)
        assert "es/news/s1/index.html" in found["whole"]
        assert "es/news/index.html" in found["taken"] or word == "Uno"  # the lists read neither
        tree = same_as_clean(project, f"{how}-{word}")
        assert f"Lema {word}".encode() in tree["site/es/news/s1/index.html"]


def test_a_published_page_changed_since_it_was_published_gives_no_block(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A published page whose bytes are not those the build published (edited on the
    server) is not a block's source: the page is rendered whole."""
    project = make_project(stories(4))
    build(project)
    found = taken(monkeypatch)
    story = project / "output/site/es/news/s1/index.html"
    story.write_bytes(story.read_bytes().replace(b"Aviso 1", b"Aviso X"))
    frame = project / "templates/site/base.html"
    frame.parent.mkdir(parents=True)
    frame.write_text(builtin("site/base.html").replace("</footer>", "<p>Pie</p></footer>", 1))
    build(project)
    assert "es/news/s1/index.html" in found["whole"]
    assert "es/news/s2/index.html" in found["taken"]
    assert b"Aviso X" not in (project / "output/site/es/news/s1/index.html").read_bytes()


def frames(files: dict[str, str]) -> Frames:
    env = jinja2.Environment(loader=jinja2.DictLoader(files))
    return Frames(files.get, lambda name: _references(files.get(name)), env)


def _references(text: str | None) -> list[str] | None:
    from generator.render.templates import _references as found

    return found(text) if text is not None else None


FRAME = "<html>{% set shown = 1 %}{% macro m() %}{% endmacro %}{% block main %}{% endblock %}</html>"


@pytest.mark.parametrize(
    ("page", "apart"),
    [
        (
            '{% extends "frame.html" %}{% block main %}{{ item }}{% for x in xs %}{{ x }}{% endfor %}{% endblock %}',
            True,
        ),
        ('{% extends "frame.html" %}{% block main %}{{ shown }}{% endblock %}', False),  # set by the frame
        ('{% extends "frame.html" %}{% block main %}{{ m() }}{% endblock %}', False),  # its macro
        ('{% extends "frame.html" %}{% block main %}{{ super() }}{% endblock %}', False),
        ('{% extends "frame.html" %}{% block main %}{{ self.title() }}{% endblock %}', False),
        ('{% extends "frame.html" %}{% block main scoped %}x{% endblock %}', False),
        ("{% extends layout %}{% block main %}x{% endblock %}", False),  # a frame named by a variable
        ("{% block main %}x{% endblock %}", False),  # no frame
        (
            '{% extends "frame.html" %}{% import "own.html" as o %}{% block main %}{{ o.f() }}{% endblock %}',
            True,
        ),
    ],
)
def test_a_block_is_apart_from_its_frame_only_when_its_text_says_so(page: str, apart: bool) -> None:
    found = frames({"frame.html": FRAME, "page.html": page, "own.html": "{% macro f() %}f{% endmacro %}"})
    side = found.side("page.html")
    assert (side is not None) == apart
    if apart and "own.html" in page:
        assert side == ("own.html", "page.html")  # what the block is made of: not the frame


@pytest.mark.parametrize(
    ("frame", "place"),
    [
        ("<h>{% block main %}{% endblock %}</h>", True),
        (
            "<h>{% filter upper %}{% block main %}{% endblock %}{% endfilter %}</h>",
            False,
        ),  # changed by its frame
        ("<h>{% block main %}{% endblock %}{{ self.main() }}</h>", False),  # shown twice
        ("<h>no block</h>", False),
    ],
)
def test_a_rendered_page_gives_its_blocks_place_only_where_the_block_is_as_rendered(
    frame: str, place: bool
) -> None:
    env = jinja2.Environment(
        loader=jinja2.DictLoader(
            {"f.html": frame, "p.html": '{% extends "f.html" %}{% block main %}b{{ x }}{% endblock %}'}
        )
    )
    template = env.get_template("p.html")
    text, found = render_framed(template, {"x": 1}, None)
    assert text == template.render(x=1) and contents.MARK not in text
    assert (found is not None) == place
    if found is not None:
        start, length = found
        assert text[start : start + length] == "b1"
        again, _ = render_framed(template, {"x": 2}, "b1")  # the block given: its text stands
        assert again == text


def test_the_built_in_page_templates_are_apart_from_their_frame() -> None:
    """Every built-in page template that extends site/base.html has its block apart."""
    templates = Templates(Path("/nonexistent"))
    pages = [p.relative_to(BUILTIN).as_posix() for p in (BUILTIN / "site").glob("*.html")]
    framed = [name for name in pages if '{% extends "site/base.html" %}' in builtin(name)]
    assert len(framed) > 15
    assert all(templates.frames.side(name) is not None for name in framed)
