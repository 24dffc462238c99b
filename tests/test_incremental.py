"""Incremental builds: whatever the history of edits, the output equals a clean build's.

Random sequences of edits, additions, deletions, template, site.toml and calendar changes; after
each step the project is built twice from the command line, incrementally into output/
(with the cache and the record of the last publish) and from nothing into another folder
(--no-cache), and the two trees must be equal byte for byte.
"""

from __future__ import annotations

import datetime as dt
import pickle
import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import cli
from generator.cache import INPUTS, read_record, record_file
from generator.render import intranet
from generator.render.intranet import SERIAL_PAGES
from generator.render.links import Links
from tests.conftest import (
    SITE_TOML,
    MakeProject,
    announcement,
    counted_bodies,
    published_tree,
    sequence_seeds,
)

TODAY = "2026-11-23"
WORDS = ["cliente", "equipo", "calidad", "oficina", "semana", "mejora", "nómina", "turno"]


def build(project: Path, *extra: str) -> str:
    assert cli.main(["build", "--project", str(project), "--today", TODAY, *extra]) == 0
    return ""


def body(rng: random.Random, others: list[str]) -> str:
    """A few lines of words and a link: to another story, the standing page, a story that
    a later step may add, or the picture (which may be there or not)."""
    lines = [" ".join(rng.choices(WORDS, k=rng.randint(3, 12))) for _ in range(rng.randint(1, 4))]
    targets = [*others, "../pages/guia.md", f"nuevo-{rng.randint(0, 11)}.md"]
    if rng.random() < 0.25:
        lines.append(f"![{rng.choice(WORDS)}](../media/foto.png)")
    else:
        lines.append(f"[{rng.choice(WORDS)}]({rng.choice(targets)})")
    return "\n\n".join(lines) + "\n"


def counted_renders(monkeypatch: pytest.MonkeyPatch, name: Callable[[intranet.PagePlan], str]) -> list[str]:
    """Each page rendered from here on, by `name` (the builds render in this process)."""
    monkeypatch.setenv("INTRANET_JOBS", "1")
    rendered: list[str] = []
    render, render_page = intranet.PageRenderer.render, intranet.PageRenderer.render_page

    def counted(self: intranet.PageRenderer, plan: intranet.PagePlan) -> bytes:
        rendered.append(name(plan))
        return render(self, plan)

    def counted_page(
        self: intranet.PageRenderer, plan: intranet.PagePlan, block: str | None
    ) -> tuple[str, tuple[int, int] | None]:
        rendered.append(name(plan))  # rendered, its block taken from its published page or not
        return render_page(self, plan, block)

    monkeypatch.setattr(intranet.PageRenderer, "render", counted)
    monkeypatch.setattr(intranet.PageRenderer, "render_page", counted_page)
    return rendered


# A visible edit of a template each (what replaces the text, with {} for a word and the
# step): one every page extends, one imported, one included, a page's own, the e-mail's.
TEMPLATE_EDITS = [
    ("site/base.html", "</footer>", "<p>{}</p></footer>"),
    ("site/_macros.html", '<article class="card', '<article data-edit="{}" class="card'),
    ("site/_labels.html", '<p class="note not-translated"', '<p data-edit="{}" class="note not-translated"'),
    ("site/widgets/calendar.html", '<section class="widget', '<section data-edit="{}" class="widget'),
    ("site/announcement.html", '<article class="announcement">', '<article class="announcement" title="{}">'),
    ("newsletter/email.html", '<td class="footer">', '<td class="footer"><p>{}</p>'),
    ("newsletter/email.txt", "{{ para(config.title(lang)", "{}\n{{{{ para(config.title(lang)"),
]


MEETING = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//EN
BEGIN:VEVENT
UID:comite@example.com
SUMMARY:{title}
DTSTART;TZID=Europe/Madrid:{start}
DTEND;TZID=Europe/Madrid:{end}
CATEGORIES:MEETING
END:VEVENT
END:VCALENDAR
"""


def step(project: Path, rng: random.Random, number: int) -> str:
    """One random change to the project; returns what it did, for the failure message."""
    folder = project / "content" / "announcements"
    files = sorted(folder.glob("*.md"))
    names = [f.name for f in files]
    choice = rng.choice(
        [
            *("edit", "edit", "retitle", "add", "delete", "template", "settings", "calendar", "nothing"),
            *("translate", "draft", "restrict", "page", "picture"),
        ]
    )
    if choice == "edit" and files:
        target = rng.choice(files)
        text = target.read_text(encoding="utf-8")
        target.write_text(
            text.split("---\n", 2)[0] + "---\n" + text.split("---\n", 2)[1] + "---\n" + body(rng, names)
        )
        return f"edit {target.name}"
    if choice == "retitle" and files:
        target = rng.choice(files)
        text = target.read_text(encoding="utf-8").replace("title: ", f"title: {rng.choice(WORDS)} ", 1)
        target.write_text(text, encoding="utf-8")
        return f"retitle {target.name}"
    if choice == "delete" and len(files) > 1:
        target = rng.choice(files)
        target.unlink()
        return f"delete {target.name}"
    if choice == "template":
        name, before, after = rng.choice(TEMPLATE_EDITS)
        edited = project / "templates" / name
        edited.parent.mkdir(parents=True, exist_ok=True)
        builtin = (Path(cli.__file__).resolve().parent.parent / "templates" / name).read_text(
            encoding="utf-8"
        )
        assert before in builtin
        edited.write_text(builtin.replace(before, after.format(f"{rng.choice(WORDS)} {number}"), 1))
        return f"template {name}"
    if choice == "settings":
        settings = project / "content" / "site.toml"
        sizes = f"news_per_page = {rng.randint(1, 4)}\nlist_per_page = {rng.randint(1, 3)}"
        settings.write_text(SITE_TOML.replace("news_per_page = 2", sizes))
        return "settings"
    if choice == "calendar":  # an event added, moved, renamed or its calendar removed
        calendar = project / "content" / "calendar" / "madrid" / "equipo.ics"
        if calendar.exists() and rng.random() < 0.25:
            calendar.unlink()
            return "calendar removed"
        event_day, hour = rng.randint(20, 31), rng.randint(8, 17)
        calendar.parent.mkdir(parents=True, exist_ok=True)
        calendar.write_text(
            MEETING.format(
                title=f"{rng.choice(WORDS)} {number}",
                start=f"202612{event_day:02}T{hour:02}0000",
                end=f"202612{event_day:02}T{hour + 1:02}0000",
            ).replace("MEETING", rng.choice(["MEETING", "TRAINING", "HOLIDAY"])),
            encoding="utf-8",
        )
        return f"calendar {event_day} {hour}"
    if choice == "translate" and files:  # a French version of a story, or one removed
        target = rng.choice(files)
        if target.name.endswith(".fr.md"):
            target.unlink()
            return f"delete {target.name}"
        french = target.with_name(target.name.split(".")[0] + ".fr.md")
        french.write_text(
            announcement(f"Avis {number}", "2026-11-21").replace("Cuerpo del anuncio.\n", body(rng, names))
        )
        return f"translate {target.name}"
    if choice in ("draft", "restrict") and files:  # a story made a draft or restricted, or back
        target = rng.choice(files)
        line = "draft: true\n" if choice == "draft" else "audience: [rrhh]\n"
        text = target.read_text(encoding="utf-8")
        target.write_text(
            text.replace(line, "") if line in text else text.replace("---\n", "---\n" + line, 1)
        )
        return f"{choice} {target.name}"
    if choice == "page":  # the standing page that stories link to: written, or removed
        page = project / "content" / "pages" / "guia.md"
        if page.exists() and rng.random() < 0.3:
            page.unlink()
            return "page removed"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(
            f"---\ntitle: Guía {number}\n---\n" + body(rng, [f"../announcements/{n}" for n in names])
        )
        return "page"
    if choice == "picture":  # the picture that stories show: of another size, or removed
        from PIL import Image

        picture = project / "content" / "media" / "foto.png"
        if picture.exists() and rng.random() < 0.3:
            picture.unlink()
            return "picture removed"
        picture.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (rng.choice([300, 1200, 2000]), 200), (rng.randint(0, 255), 90, 120)).save(picture)
        return "picture"
    if choice == "nothing":
        return "nothing"
    name = f"nuevo-{number}.md"
    extra = {"tags": f"[{rng.choice(WORDS)}]"} if rng.random() < 0.5 else {}
    day = f"2026-11-{rng.randint(1, 22):02}"
    text = announcement(f"{rng.choice(WORDS)} {number}", day, **extra)
    (folder / name).write_text(text.replace("Cuerpo del anuncio.\n", body(rng, names)), encoding="utf-8")
    return f"add {name}"


# The templates whose pages an edit of each of TEMPLATE_EDITS renders again: exactly these
# (a set), or at least the first and none of the second (a pair). The notice-board sheets
# do not extend base.html; the search and tags pages do not import _macros.html; a story's
# page imports only _labels.html, which _macros.html imports too.
RENDERED_AGAIN: list[set[str] | tuple[set[str], set[str]]] = [
    ({"site/announcement.html", "site/search.html", "site/tags.html", "site/home.html"}, {"site/board.html"}),
    ({"site/news_list.html"}, {"site/announcement.html", "site/search.html", "site/tags.html"}),
    ({"site/announcement.html", "site/news_list.html"}, {"site/search.html", "site/tags.html"}),  # the cards
    {"site/home.html"},
    {"site/announcement.html"},
    set(),
    set(),
]


@pytest.mark.parametrize(("edit", "expected"), list(zip(TEMPLATE_EDITS, RENDERED_AGAIN, strict=True)))
def test_a_template_edit_renders_the_pages_made_with_it_and_no_others(
    make_project: MakeProject,
    monkeypatch: pytest.MonkeyPatch,
    edit: tuple[str, str, str],
    expected: set[str] | tuple[set[str], set[str]],
) -> None:
    """A page counts the templates it is made with (its own, and those it extends, includes
    and imports), not every template: an e-mail's template renders no page again, a
    page's own template only its pages. The output is a clean build's, edit included."""
    project = make_project(
        {
            "content/announcements/a.md": announcement("Uno", "2026-11-20", tags="[calidad]"),
            "content/announcements/b.md": announcement("Dos", "2026-11-19"),
        }
    )
    build(project)
    rendered = counted_renders(monkeypatch, lambda plan: plan.template)
    name, before, after = edit
    edited = project / "templates" / name
    edited.parent.mkdir(parents=True, exist_ok=True)
    builtin = (Path(cli.__file__).resolve().parent.parent / "templates" / name).read_text(encoding="utf-8")
    edited.write_text(builtin.replace(before, after.format("Marca 7"), 1), encoding="utf-8")
    build(project)
    again = set(rendered)
    tree = published_tree(project / "output")
    assert any(b"Marca 7" in data for data in tree.values())
    rendered.clear()
    build(project, "--no-cache", "--out", str(project.parent / "clean"))
    assert tree == published_tree(project.parent / "clean")
    assert "site/board.html" in rendered  # a clean build renders every kind of page
    if isinstance(expected, tuple):
        assert expected[0] <= again
        assert not expected[1] & again
    else:
        assert again == expected


def test_a_new_story_renders_the_lists_again_not_the_pages_whose_links_still_go_where_they_went(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page counts what it asked of the site's links (where its body links go, which
    pictures have sizes), not every page of the site: a new story renders the lists, the
    home page and its own pages again, not a story whose link still reaches the same page.
    Renaming the story it links to renders it again (the link reaches nothing now). The
    output is a clean build's."""
    project = make_project(
        {
            "content/announcements/a.md": announcement("Uno", "2026-11-20") + "Ver [el otro](b.md).\n",
            "content/announcements/b.md": announcement("Dos", "2026-11-19"),
            "content/announcements/d.md": announcement("Cuatro", "2026-11-18"),
        }
    )
    build(project)
    rendered = counted_renders(monkeypatch, lambda plan: plan.path)

    def same_as_clean() -> None:
        tree = published_tree(project / "output")
        clean = project.parent / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        build(project, "--no-cache", "--out", str(clean))
        assert tree == published_tree(clean)

    def stories() -> set[str]:
        return {
            path.split("/")[2]
            for path in rendered
            if path.split("/")[1:2] == ["news"] and path.count("/") == 3
        }

    (project / "content/announcements/c.md").write_text(announcement("Tres", "2026-11-21"), encoding="utf-8")
    build(project)
    assert {"es/news/index.html", "es/index.html"} <= set(rendered)
    assert stories() == {"c"}
    rendered.clear()
    same_as_clean()

    rendered.clear()
    (project / "content/announcements/b.md").rename(project / "content/announcements/e.md")
    build(project)
    assert stories() == {"a", "e"}  # a's link to b.md now reaches nothing; d asked nothing
    assert "news/b/index.html" not in (project / "output/site/es/news/a/index.html").read_text(
        encoding="utf-8"
    )
    same_as_clean()


def test_a_new_story_answers_again_only_the_links_that_reach_it(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Among other files (a new story), a page's questions to the links are answered again,
    and an item's link warnings looked for again, only where a link reaches what changed:
    the story that links to the file just written is rendered with the link that now
    reaches it and its warning goes; the story linking to another is neither asked again
    nor rendered. The output is a clean build's."""
    project = make_project(
        {
            "content/announcements/a.md": announcement("Uno", "2026-11-20") + "Ver [el nuevo](c.md).\n",
            "content/announcements/b.md": announcement("Dos", "2026-11-19") + "Ver [el uno](a.md).\n",
        }
    )
    build(project)
    assert 'link to "c.md" reaches nothing' in capsys.readouterr().err
    rendered = counted_renders(monkeypatch, lambda plan: plan.path)
    answered: list[str] = []
    answers = Links.answers

    def counted(self: Links, asked: str) -> str:
        answered.append(asked)
        return answers(self, asked)

    monkeypatch.setattr(Links, "answers", counted)
    (project / "content/announcements/c.md").write_text(announcement("Tres", "2026-11-21"), encoding="utf-8")
    build(project)
    assert "reaches nothing" not in capsys.readouterr().err
    stories = {path.split("/")[2] for path in rendered if path.count("/") == 3 and "/news/" in path}
    assert stories == {"a", "c"}
    assert answered and all("c.md" in asked for asked in answered)  # a's questions, not b's
    assert 'href="../c/index.html"' in (project / "output/site/es/news/a/index.html").read_text(
        encoding="utf-8"
    )
    clean = project.parent / "clean"
    build(project, "--no-cache", "--out", str(clean))
    assert published_tree(project / "output") == published_tree(clean)


def test_the_questions_a_build_keeps_are_read_back_unless_other_code_kept_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What each page asked the links is read back as it was kept; kept by other code
    (after an upgrade, when every page is rendered again), it is not even read: at 10,000
    announcements it takes 35 MB while it is."""
    from generator import build as stages
    from generator.cache import Store
    from generator.render.links import LinkQuestions

    store = Store(None)
    asked = {
        f"es/news/a{i}/index.html": (f'[["target","content:a{i}.md","es"]]', f"d{i}") for i in range(3000)
    }
    kept = LinkQuestions(links="fingerprint", pages=asked)
    stages._keep_questions(store, "", kept, LinkQuestions())
    assert stages._questions(store, "") == kept
    assert stages._questions(store, "rrhh") == LinkQuestions()  # another tree's: none
    monkeypatch.setattr(stages, "code_digest", lambda: "other code")

    reads: list[object] = []
    monkeypatch.setattr(pickle, "load", reads.append)
    assert stages._questions(store, "") == LinkQuestions()
    assert reads == []


def test_the_links_state_is_kept_apart_and_read_back_only_for_the_links_it_answered() -> None:
    """The links' state the questions were answered from is kept in an entry of its own,
    read when first asked for, and only for the fingerprint the questions name."""
    from generator import build as stages
    from generator.cache import Store
    from generator.render.links import LinkQuestions, LinkState

    store = Store(None)
    state = LinkState("fingerprint", frozenset({"site/es/index.html"}), {}, ("es",), "content", {})
    kept = LinkQuestions(links="fingerprint", pages={"es/index.html": ("[]", "d")}, kept_state=state)
    stages._keep_questions(store, "", kept, LinkQuestions())
    found = stages._questions(store, "")
    assert found == kept and found.load_state is not None  # not read yet
    assert found.state == state and found.state.files == state.files
    other = LinkQuestions(links="other", pages=kept.pages)
    stages._keep_questions(store, "rrhh", other, LinkQuestions())  # no state to keep
    assert stages._questions(store, "rrhh").state is None
    assert stages._link_state(store, "", "another fingerprint") is None  # not the links it answered


def test_an_edit_that_changes_no_link_does_not_read_the_links_state(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit of a story's text leaves the links as they were: the state they were
    answered from is not read. A new story changes the links: it is."""
    from generator import build as stages

    project = make_project(
        {
            "content/announcements/a.md": announcement("Uno", "2026-11-20") + "Ver [el otro](b.md).\n",
            "content/announcements/b.md": announcement("Dos", "2026-11-19"),
        }
    )
    build(project)
    read: list[object] = []
    real = stages._link_state

    def recorded(*args: object) -> object:
        found = real(*args)  # type: ignore[arg-type]
        read.append(found)
        return found

    monkeypatch.setattr(stages, "_link_state", recorded)
    story = project / "content/announcements/b.md"
    story.write_text(story.read_text(encoding="utf-8") + "Otro párrafo.\n", encoding="utf-8")
    build(project)
    assert read == []
    (project / "content/announcements/n.md").write_text(announcement("Nueva", "2026-11-21"), encoding="utf-8")
    build(project)
    assert len(read) == 1 and read[0] is not None  # the state of the links before the new story


def test_builds_of_the_main_site_and_an_audiences_tree_in_turn_keep_what_each_tree_asked(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each tree (the main site, a restricted audience's) keeps its pages' questions to the
    links and its link warnings under its own entries, which a build of the other tree
    does not drop: built in turn, as IT's schedule does, a new story renders each tree's
    lists again, not a story whose link still reaches the same page. (They dropped each
    other's: every page that asked was rendered again in each tree.)"""
    project = make_project(
        {
            "content/announcements/a.md": announcement("Uno", "2026-11-20") + "Ver [el otro](b.md).\n",
            "content/announcements/b.md": announcement("Dos", "2026-11-19"),
            "content/announcements/r.md": announcement("Solo RR. HH.", "2026-11-18", audience="[rrhh]"),
        }
    )
    trees: tuple[list[str], ...] = ([], ["--audience", "rrhh"])
    for tree in trees:
        build(project, *tree)
    rendered = counted_renders(monkeypatch, lambda plan: plan.path)
    for number in range(2):
        (project / f"content/announcements/n{number}.md").write_text(
            announcement(f"Nueva {number}", "2026-11-21"), encoding="utf-8"
        )
        for tree in trees:
            rendered.clear()
            build(project, *tree)
            stories = {path.split("/")[2] for path in rendered if path.split("/")[1:2] == ["news"]}
            assert "es/news/index.html" in rendered
            assert "a" not in stories and f"n{number}" in stories, tree


# (seed, pages a build renders in its own process before it turns to the cores): with 3,
# an edit that changes more hands the rest over part way through the site's pages.
@pytest.mark.parametrize(
    ("seed", "serial"),
    [(seed, 3 if seed % 2 == 0 else SERIAL_PAGES) for seed in sequence_seeds(1, 6)],
)
def test_incremental_output_equals_a_clean_build(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, seed: int, serial: int
) -> None:
    monkeypatch.setattr(intranet, "SERIAL_PAGES", serial)
    rng = random.Random(seed)
    project = make_project(
        {
            **{
                f"content/announcements/a{i}.md": announcement(f"Aviso {i}", f"2026-11-{10 + i}")
                for i in range(5)
            },
            "content/pages/contactos.md": "---\ntitle: Contactos\n---\nVer [el aviso](../announcements/a1.md).\n",
        }
    )
    assert "news_per_page = 2" in SITE_TOML
    build(project)
    history = []
    compared = 0
    for number in range(12):
        history.append(step(project, rng, number))
        code = cli.main(["build", "--project", str(project), "--today", TODAY])
        clean = project.parent / f"clean-{seed}-{number}"
        assert (
            cli.main(
                ["build", "--project", str(project), "--today", TODAY, "--no-cache", "--out", str(clean)]
            )
            == code
        ), f"after {history}"
        if code == 0:  # else both failed, and the last good output stays
            assert published_tree(project / "output") == published_tree(clean), f"after {history}"
            compared += 1
    assert compared >= 8, history  # most steps build: the comparisons are not all skipped


def test_an_unchanged_project_is_not_built_again(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project({"content/announcements/a.md": announcement("Uno")})
    build(project)
    page = project / "output/site/es/index.html"
    first = page.stat()
    capsys.readouterr()
    build(project)
    assert "Up to date" in capsys.readouterr().out
    assert page.stat().st_ino == first.st_ino
    assert read_record(record_file(project, project / "output"))[INPUTS][0]


def test_an_edit_rewrites_only_the_files_whose_bytes_change(make_project: MakeProject) -> None:
    project = make_project(
        {
            "content/announcements/a.md": announcement("Uno", "2026-11-20"),
            "content/announcements/b.md": announcement("Dos", "2026-11-19"),
        }
    )
    build(project)
    site = project / "output/site"
    before = {p: p.stat().st_ino for p in site.rglob("*.html")}
    (project / "content/announcements/b.md").write_text(
        announcement("Dos", "2026-11-19").replace("Cuerpo del anuncio.", "Otro cuerpo."), encoding="utf-8"
    )
    build(project)
    after = {p: p.stat().st_ino for p in site.rglob("*.html")}
    changed = {p.relative_to(site).as_posix() for p in after if before.get(p) != after[p]}
    assert "es/news/b/index.html" in changed  # the edited announcement's page
    assert "es/news/a/index.html" not in changed  # another announcement's page is kept as it was
    assert "es/kudos/index.html" not in changed
    assert len(changed) < len(after) / 2, changed


def test_a_change_of_settings_after_edits_renders_no_unchanged_body_again(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each item is kept with the bodies it was made from: builds that take the items
    from the cache keep those too, so a change of the settings the content is read with
    (every item made anew) finds each unchanged body rendered."""
    project = make_project(
        {
            "content/announcements/a.md": announcement("Uno", "2026-11-20"),
            "content/announcements/b.md": announcement("Dos", "2026-11-19"),
            "content/pages/p.md": "---\ntitle: Página\n---\nTexto de la página.\n",
        }
    )
    rendered = counted_bodies(monkeypatch)
    build(project)
    assert len(rendered) >= 3
    edited = project / "content/announcements/b.md"
    for round in range(2):  # builds that take a and the page from the cache
        edited.write_text(announcement("Dos", "2026-11-19").replace("Cuerpo", f"Cuerpo {round}"))
        rendered.clear()
        build(project)
        assert rendered == ["announcements/b.md"]
    settings = project / "content/site.toml"
    settings.write_text(
        SITE_TOML.replace("[audiences.rrhh]", '[audiences.ventas]\nname = "Ventas"\n\n[audiences.rrhh]')
    )
    rendered.clear()
    build(project)
    assert rendered == []


def test_a_change_of_settings_reads_the_content_again_only_if_it_is_read_with_them(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An item is kept under its file and the settings the content is read with (zones,
    languages, the ids of audiences, offices, values, teams and indicators): a change of
    another setting (a list's length, an audience's name, the pay dates) reads no content
    file again, one of those reads them all; and every build equals a clean one."""
    import generator.load.announcements as announcements
    import generator.load.site as site

    monkeypatch.setenv("INTRANET_JOBS", "1")  # the loaders run in this process, where they are counted
    loaded: list[str] = []
    real = announcements.load_announcement

    def counted(path: Path, *args: object, **kwargs: object) -> object:
        loaded.append(path.name)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(site, "load_announcement", counted)
    project = make_project(
        {
            "content/announcements/a.md": announcement("Uno", "2026-11-20", audience="[managers]"),
            "content/announcements/b.md": announcement("Dos", "2026-11-19"),
        }
    )
    build(project)
    assert sorted(loaded) == ["a.md", "b.md"]
    settings = project / "content/site.toml"
    text = SITE_TOML
    for number, (before, after, reads) in enumerate(
        [
            ("news_per_page = 2", "news_per_page = 1", False),
            ('es = "Responsables"', 'es = "Jefes de equipo"', False),
            ("[audiences.rrhh]", '[audiences.ventas]\nname = "Ventas"\n\n[audiences.rrhh]', True),
            ('timezone = "Europe/Madrid"\nlanguages', 'timezone = "America/Mexico_City"\nlanguages', True),
            ('languages = ["es", "fr", "en"]', 'languages = ["es", "en", "fr"]', True),
        ]
    ):
        assert before in text
        text = text.replace(before, after, 1)
        settings.write_text(text, encoding="utf-8")
        loaded.clear()
        build(project)
        assert sorted(loaded) == (["a.md", "b.md"] if reads else []), after
        clean = tmp_path / f"clean-{number}"
        build(project, "--no-cache", "--out", str(clean))
        assert published_tree(project / "output") == published_tree(clean), after
    assert "Jefes de equipo" in (project / "output/site/es/news/a/index.html").read_text(encoding="utf-8")


def test_a_change_of_settings_renders_the_pages_that_read_them(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A page counts the settings its templates read (found in their text) and those every
    page reads (the address, the languages, the offices), not all of them: a change of the
    feeds' length or of the newsletter's settings renders no page, a change of the
    organisation's name or of the brand renders every one that shows it; and every build
    equals a clean one."""
    project = make_project(
        {
            "content/announcements/a.md": announcement("Uno", "2026-11-20"),
            "content/announcements/b.md": announcement("Dos", "2026-11-19"),
        }
    )
    build(project)
    rendered = counted_renders(monkeypatch, lambda plan: plan.path)
    settings = project / "content/site.toml"
    text = SITE_TOML
    changes: list[tuple[str, str, set[str] | None]] = [
        ("news_per_page = 2", "news_per_page = 2\nfeed_entries = 1", set()),
        ("archive_weeks = 2", 'archive_weeks = 2\nsubject = "Semana {week}"', set()),
        ('organisation = "Ejemplo S.A."', 'organisation = "Ejemplo S.L."', None),
        ("[newsletter]", '[brand]\ncolor = "#c8102e"\n\n[newsletter]', None),
    ]
    for number, (before, after, renders) in enumerate(changes):
        assert before in text
        text = text.replace(before, after, 1)
        settings.write_text(text, encoding="utf-8")
        rendered.clear()
        build(project)
        if renders is None:  # every page that shows the organisation or the brand: each one
            stories = {f"{lang}/news/{slug}/index.html" for lang in ("es", "fr", "en") for slug in "ab"}
            assert len(rendered) > 40 and stories <= set(rendered), after
        else:
            assert set(rendered) == renders, after
        clean = tmp_path / f"clean-{number}"
        build(project, "--no-cache", "--out", str(clean))
        assert published_tree(project / "output") == published_tree(clean), after
    assert "Ejemplo S.L." in (project / "output/site/es/news/a/index.html").read_text(encoding="utf-8")


def test_deleting_the_cache_changes_no_output_byte(make_project: MakeProject) -> None:
    project = make_project({"content/announcements/a.md": announcement("Uno")})
    build(project)
    first = published_tree(project / "output")
    (project / "content/announcements/a.md").write_text(announcement("Uno bis"), encoding="utf-8")
    build(project)
    warm = published_tree(project / "output")
    import shutil

    shutil.rmtree(project / ".intranet")
    build(project)
    assert published_tree(project / "output") == warm != first


def test_the_spool_of_rendered_pages_is_gone_after_the_build_and_a_killed_builds_too(
    make_project: MakeProject,
) -> None:
    project = make_project({"content/announcements/a.md": announcement("Uno")})
    stale = project / ".intranet/cache/spool-999999999"  # left by a build that was killed: no such process
    stale.mkdir(parents=True)
    (stale / "1").write_bytes(b"<html>half")
    build(project)
    assert (project / "output/site/es/news/a/index.html").is_file()
    assert not list((project / ".intranet/cache").glob("spool-*"))


def test_after_a_rollback_the_next_build_is_a_clean_one(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project({"content/announcements/a.md": announcement("Uno")})
    build(project)
    first = published_tree(project / "output")
    (project / "content/announcements/a.md").write_text(announcement("Uno bis"), encoding="utf-8")
    build(project)
    capsys.readouterr()
    assert cli.main(["rollback", "--project", str(project)]) == 0
    assert capsys.readouterr().out.startswith(
        f"Rolled back {(project / 'output/site').as_posix()} to the release"
    )
    site = {
        path: data for path, data in published_tree(project / "output").items() if path.startswith("site/")
    }
    assert site == {path: data for path, data in first.items() if path.startswith("site/")}  # the site only
    build(project)  # the content still says "Uno bis": built again, not "Up to date", no page reused wrongly
    build(project, "--no-cache", "--out", str(project / "clean"))
    assert published_tree(project / "output") == published_tree(project / "clean") != first


def test_the_home_page_follows_a_retitled_latest_announcement(make_project: MakeProject) -> None:
    """The home page counts the view by what its template reads of it (latest, pinned,
    pages): retitling the newest item must still render it again."""
    project = make_project({"content/announcements/a.md": announcement("Primero", "2026-11-20")})
    build(project)
    home = project / "output/site/es/index.html"
    assert "Primero" in home.read_text(encoding="utf-8")
    (project / "content/announcements/a.md").write_text(
        announcement("Segundo", "2026-11-20"), encoding="utf-8"
    )
    build(project)
    assert "Segundo" in home.read_text(encoding="utf-8")
    assert "Primero" not in home.read_text(encoding="utf-8")


def test_the_calendar_pages_follow_a_calendar_edit_and_the_next_day(make_project: MakeProject) -> None:
    """A calendar page is keyed by what its weeks and month grids are worked out from
    (the agenda, today, its office's zone), not by the grids themselves: moving or renaming
    an event, or building on a later day, must still render it again, as a clean build does."""
    ics = "content/calendar/madrid/comite.ics"
    project = make_project(
        {
            "content/announcements/a.md": announcement("Uno", "2026-11-20"),
            ics: MEETING.format(title="Comité de calidad", start="20261125T160000", end="20261125T170000"),
        }
    )
    build(project)
    page = project / "output/site/es/calendar/madrid/index.html"
    before = page.read_text(encoding="utf-8")
    assert "Comité de calidad" in before
    (project / ics).write_text(
        MEETING.format(title="Comité de mejora", start="20261203T090000", end="20261203T100000"),
        encoding="utf-8",
    )
    build(project)
    after = page.read_text(encoding="utf-8")
    assert "Comité de mejora" in after
    assert "Comité de calidad" not in after
    build(project, "--no-cache", "--out", str(project.parent / "clean"))
    assert published_tree(project / "output") == published_tree(project.parent / "clean")

    def site(folder: Path) -> dict[str, bytes]:  # the newsletter folder keeps the earlier weeks'
        return {path: data for path, data in published_tree(folder).items() if path.startswith("site/")}

    for day in ("2026-11-24", "2026-12-04"):  # today's mark moves; then the meeting is past
        assert cli.main(["build", "--project", str(project), "--today", day]) == 0
        clean = project.parent / f"clean-{day}"
        assert (
            cli.main(["build", "--project", str(project), "--today", day, "--no-cache", "--out", str(clean)])
            == 0
        )
        assert site(project / "output") == site(clean)
    assert page.read_text(encoding="utf-8") != after


def test_a_changed_built_in_template_is_not_up_to_date(
    make_project: MakeProject,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """In a checkout the built-in templates live beside the package, outside what the code's
    digest covers: the quick "nothing changed" answer must look at them too."""
    builtin = tmp_path / "builtin"
    shutil.copytree(Path(cli.__file__).resolve().parent.parent / "templates", builtin)
    monkeypatch.setattr(cli, "BUILTIN_TEMPLATES", builtin)
    project = make_project({"content/announcements/a.md": announcement("Uno")})
    build(project)
    build(project)
    assert "Up to date" in capsys.readouterr().out
    (builtin / "site/assets/style.css").write_text("body { color: red; }\n", encoding="utf-8")
    build(project)
    assert "Up to date" not in capsys.readouterr().out


def test_a_template_edited_between_builds_of_one_process_is_read_again(make_project: MakeProject) -> None:
    """Jinja does not look at a template file again within a build; the next build in the
    same process (the preview's, a test's) reads the edited file, even one of the same
    size written within the same second."""
    import os

    builtin = Path(cli.__file__).resolve().parent.parent / "templates/site/tag.html"
    source = builtin.read_text(encoding="utf-8")
    project = make_project(
        {
            "content/announcements/a.md": announcement("Uno", "2026-11-20", tags="[calidad]"),
            "templates/site/tag.html": source.replace("</h1>", "</h1><p>Etiqueta A</p>"),
        }
    )
    tag = project / "templates/site/tag.html"
    page = project / "output/site/es/tags/calidad/index.html"
    build(project)
    assert "Etiqueta A" in page.read_text(encoding="utf-8")
    stat = tag.stat()
    tag.write_text(source.replace("</h1>", "</h1><p>Etiqueta B</p>"), encoding="utf-8")
    os.utime(tag, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    build(project)
    assert "Etiqueta B" in page.read_text(encoding="utf-8")
    assert "Etiqueta A" not in page.read_text(encoding="utf-8")


def test_a_template_edit_writes_only_the_pages_whose_bytes_change(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every page is rendered again after a template edit; a page whose bytes are those
    already published is not written to the spool, and keeps its published file."""
    from generator.cache import Spool

    project = make_project(
        {
            "content/announcements/a.md": announcement("Uno", "2026-11-20", tags="[calidad]"),
            "content/announcements/b.md": announcement("Dos", "2026-11-19"),
        }
    )
    build(project)
    site = project / "output/site"
    before = {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*.html")}
    spooled: list[bytes] = []
    keep = Spool.keep

    def counted(self: Spool, data: bytes, *known: str) -> tuple[str, str, tuple[int, int] | None]:
        spooled.append(data)
        return keep(self, data, *known)

    monkeypatch.setattr(Spool, "keep", counted)
    builtin = Path(cli.__file__).resolve().parent.parent / "templates/site/tag.html"
    tag = project / "templates/site/tag.html"
    tag.parent.mkdir(parents=True)
    tag.write_text(
        builtin.read_text(encoding="utf-8").replace("</h1>", "</h1><p>Etiqueta</p>"), encoding="utf-8"
    )
    build(project)
    after = {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*.html")}
    changed = sorted(path for path in after if before.get(path) != after[path])
    assert changed == ["es/tags/calidad/index.html"]
    assert [b"<p>Etiqueta</p>" in data for data in spooled] == [True]
    clean = project.parent / "clean"
    assert (
        cli.main(["build", "--project", str(project), "--today", TODAY, "--no-cache", "--out", str(clean)])
        == 0
    )
    assert published_tree(clean) == published_tree(project / "output")


def sample_step(content: Path, rng: random.Random, number: int) -> str:
    """One random change to a copy of the sample's content/, of any kind of file it holds
    (what the comms team edits between two builds); returns what it did."""
    stories = sorted(content.glob("announcements/*.md"))
    texts = sorted(content.rglob("*.md"))
    choice = rng.choice(
        [
            *("body", "retitle", "pin", "redate", "delete", "restore", "picture", "metric", "survey"),
            *("calendar", "settings"),
        ]
    )
    if choice == "body":
        target = rng.choice(texts)
        target.write_text(
            target.read_text(encoding="utf-8") + f"\nUna línea más, {number}.\n", encoding="utf-8"
        )
    elif choice == "retitle":  # a word more at the start, inside the quotes of a quoted title
        target = rng.choice(texts)
        target.write_text(
            re.sub(
                r'title: ("?)',
                rf"title: \g<1>{rng.choice(WORDS)} ",
                target.read_text(encoding="utf-8"),
                count=1,
            ),
            encoding="utf-8",
        )
    elif choice in ("pin", "redate") and stories:
        target = rng.choice(stories)
        text = target.read_text(encoding="utf-8")
        if choice == "pin":
            pinned = "\npinned: true\n" in text
            text = (
                text.replace("\npinned: true\n", "\n")
                if pinned
                else text.replace("---\n", "---\npinned: true\n", 1)
            )
        else:  # a story that expires goes on doing so after its date
            moved = rng.randint(1, 28)
            text = re.sub(r"\ndate: \d{4}-\d{2}-\d{2}", f"\ndate: 2026-11-{moved:02}", text, count=1)
            text = re.sub(r"\nexpires: \d{4}-\d{2}-\d{2}", f"\nexpires: 2026-12-{moved:02}", text, count=1)
        target.write_text(text, encoding="utf-8")
    elif choice == "delete":
        target = rng.choice(sorted(p for p in content.rglob("*") if p.is_file() and p.name != "site.toml"))
        target.unlink()
    elif choice == "restore":  # a file of the sample back as it was, or back at all
        source = rng.choice(sorted(p for p in SAMPLE.rglob("*") if p.is_file()))
        target = content / source.relative_to(SAMPLE)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    elif choice == "picture":  # the same name, another size and colour
        from PIL import Image

        target = content / "media" / "intranet-bienvenida.png"
        target.parent.mkdir(exist_ok=True)
        size = (rng.choice([400, 900, 1800]), rng.choice([300, 700]))
        Image.new("RGB", size, (rng.randint(0, 255), 90, 120)).save(target)
    elif choice == "metric" and (metrics := sorted(content.glob("metrics/*.csv"))):
        target = rng.choice(metrics)
        *rows, last = target.read_text(encoding="utf-8").splitlines()
        day, _ = last.split(",")
        target.write_text("\n".join([*rows, f"{day},{rng.randint(60, 99)}"]) + "\n", encoding="utf-8")
    elif choice == "survey" and (target := content / "surveys" / "clima-2026.csv").exists():
        rows = target.read_text(encoding="utf-8").splitlines()
        target.write_text("\n".join([*rows, rng.choice(rows[1:])]) + "\n", encoding="utf-8")
    elif choice == "calendar" and (calendars := sorted(content.rglob("*.ics"))):
        target = rng.choice(calendars)
        text = target.read_text(encoding="utf-8")
        target.write_text(
            text.replace("SUMMARY:", f"SUMMARY:{rng.choice(WORDS)} {number} ", 1), encoding="utf-8"
        )
    elif choice == "settings":  # some of SAMPLE_SETTINGS, of both kinds
        target = content / "site.toml"
        text = (SAMPLE / "site.toml").read_text(encoding="utf-8")
        chosen = [edit for edit in SAMPLE_SETTINGS if rng.random() < 0.5]
        for before, after in chosen:
            assert before in text
            text = text.replace(before, after, 1)
        target.write_text(text, encoding="utf-8")
        return f"settings {[after.split(chr(10))[0] for _, after in chosen]}"
    else:
        return f"{choice}: nothing to change"
    return f"{choice} {target.relative_to(content).as_posix()}"


# Changes of the sample's site.toml: of settings the content is read with (the site's
# zone, a new team), and of others (a list's length, an office's and an audience's
# names, a pay day)
SAMPLE_SETTINGS = [
    ('timezone = "Europe/Madrid"\n# The first', 'timezone = "Europe/Lisbon"\n# The first'),
    ("[teams.calidad]", '[teams.nuevo]\nname = "Nuevo"\n\n[teams.calidad]'),
    ("news_per_page = 8", "news_per_page = 3"),
    ('name = "Paris"', 'name = "París"'),
    ('en = "Team leads"', 'en = "Managers"'),
    ("day = 28", "day = 27"),
]


SAMPLE = Path(cli.__file__).resolve().parent.parent / "content"


@pytest.mark.parametrize(
    "seed", sequence_seeds(33)
)  # 33: settings twice, a calendar, a picture, days, deletions, a survey
def test_incremental_output_over_the_sample_content_equals_a_clean_build(tmp_path: Path, seed: int) -> None:
    """Every kind of file the sample holds (stories, pages, kudos, trainings, certification,
    a picture, indicators, a survey, calendars) changed, removed and put back in a random
    order, with days passing: after each step, the site and the week's newsletter built
    incrementally are a clean build's (or both builds fail)."""
    rng = random.Random(seed)
    project = tmp_path / "project"
    shutil.copytree(SAMPLE, project / "content")
    day = 23
    history = []

    def built(*extra: str) -> int:
        return cli.main(["build", "--project", str(project), "--today", f"2026-11-{day}", *extra])

    def shown(folder: Path) -> dict[str, bytes]:  # the newsletter folder keeps the earlier weeks'
        week = "newsletter/{}-W{:02}/".format(*dt.date(2026, 11, day).isocalendar()[:2])
        return {p: d for p, d in published_tree(folder).items() if p.startswith(("site/", week))}

    assert built() == 0
    compared = 0
    for number in range(10):
        if rng.random() < 0.2:
            day += 1
            history.append(f"day {day}")
        history.append(sample_step(project / "content", rng, number))
        clean = tmp_path / f"clean-{number}"
        code = built()
        assert built("--no-cache", "--out", str(clean)) == code, f"after {history}"
        if code == 0:
            assert shown(project / "output") == shown(clean), f"after {history}"
            compared += 1
    assert compared >= 5, history  # most steps build: the comparisons are not all skipped
