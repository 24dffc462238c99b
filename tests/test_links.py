"""A link or picture in a body reaches what the author meant, or is reported with its line."""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.build import build
from generator.cli import main
from generator.errors import GeneratorError
from generator.load.markdown import render_markdown
from generator.model import BodyLink, Picture
from generator.render.links import Links
from tests.conftest import CORPUS, TODAY, MakeProject, corpus_dir

PAGE_ES = (
    "---\ntitle: Contactos\n---\nEscríbenos.\n\nVer también [responsabilidades](responsabilidades.md).\n"
)
PAGE_FR = "---\ntitle: Contacts\n---\nÉcrivez-nous.\n"
RESPONSIBILITIES = "---\ntitle: Responsabilidades\n---\nQuién hace qué. [Contactos](/es/pages/contactos)\n"
NEWS = """---
title: Teletrabajo
date: 2026-11-20
---
Primer párrafo.

- [por URL](/es/pages/contactos/)
- [por URL con index.html](/es/pages/contactos/index.html#horario)
- [por archivo](../pages/contactos.md)
- [plano](../media/plano.pdf) y [plano desde la raíz](/media/plano.pdf)
- [por ruta del idioma](pages/responsabilidades/)

![Plano de la oficina](media/plano.png)
"""
BROKEN = """---
title: Roto
date: 2026-11-20
---
Primer párrafo.

[una página](../pages/contactoss.md)
[una noticia](/es/news/no-existe/)

![foto](media/tampoco.png)
![](media/plano.png)
Fin.
"""


@pytest.fixture
def project(make_project: MakeProject) -> Path:
    return make_project(
        {
            "content/pages/contactos.es.md": PAGE_ES,
            "content/pages/contactos.fr.md": PAGE_FR,
            "content/pages/responsabilidades.md": RESPONSIBILITIES,
            "content/announcements/teletrabajo.md": NEWS,
            "content/media/plano.pdf": b"%PDF-1.4\n",
            "content/media/plano.png": b"\x89PNG\r\n\x1a\n",
        }
    )


def hrefs(page: bytes) -> list[str]:
    body = page.decode().split('<div class="prose"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'(?:href|src)="([^"]*)"', body)


def test_every_way_of_writing_a_link_reaches_the_built_file_relative_to_the_page(project: Path) -> None:
    result = build(project, today=TODAY)
    files = {f.path: f.data for f in result.files}
    assert result.warnings == []
    assert hrefs(files["site/es/news/teletrabajo/index.html"]) == [
        "../../pages/contactos/index.html",
        "../../pages/contactos/index.html#horario",
        "../../pages/contactos/index.html",
        "../../../media/plano.pdf",
        "../../../media/plano.pdf",
        "../../pages/responsabilidades/index.html",
        "../../../media/plano.png",
    ]
    # The Spanish announcement shown on the French site: a link to a page's file reaches
    # the French version of that page; a URL the author wrote stays the one they chose.
    french = hrefs(files["site/fr/news/teletrabajo/index.html"])
    assert french[0] == "../../../es/pages/contactos/index.html"
    assert french[2] == "../../pages/contactos/index.html"
    assert hrefs(files["site/es/pages/contactos/index.html"]) == ["../responsabilidades/index.html"]
    assert hrefs(files["site/es/pages/responsabilidades/index.html"]) == ["../contactos/index.html"]


def test_every_link_target_is_a_file_the_build_writes(project: Path) -> None:
    files = {f.path: f for f in build(project, today=TODAY).files}
    page = "site/es/news/teletrabajo/index.html"
    for href in hrefs(files[page].data):
        assert posixpath.normpath(posixpath.join(posixpath.dirname(page), href.split("#")[0])) in files


def test_feeds_carry_absolute_links_at_the_pages_public_address(project: Path) -> None:
    files = {f.path: f.data for f in build(project, today=TODAY).files}
    feed = files["site/es/feed.xml"].decode()
    assert 'href="https://intranet.example.com/es/pages/contactos/"' in feed
    assert 'href="https://intranet.example.com/es/pages/contactos/#horario"' in feed
    assert 'src="https://intranet.example.com/media/plano.png"' in feed
    assert "intranet-site-root" not in feed


def test_a_link_that_reaches_nothing_is_a_warning_with_its_line_and_an_error_with_strict(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "content/announcements/roto.md").write_text(BROKEN, encoding="utf-8")
    args = ["build", "--project", str(project), "--today", "2026-11-23"]
    assert main(args) == 0
    err = capsys.readouterr().err
    where = "content/announcements/roto.md"
    assert (
        f'warning: {where}:7: link to "../pages/contactoss.md" reaches nothing; '
        'did you mean "../pages/contactos.es.md"? write a page\'s address' in err
    )
    assert (
        f'warning: {where}:8: link to "/es/news/no-existe/" reaches nothing; did you mean "/es/news/roto/"?'
        in err
    )
    assert (
        f'warning: {where}:10: picture "media/tampoco.png" reaches nothing; did you mean "media/plano.png"?'
        in err
    )
    assert f'warning: {where}:11: picture "media/plano.png" has no alt text; describe it' in err
    assert main([*args, "--strict"]) == 1
    assert "4 warnings with --strict; nothing was published" in capsys.readouterr().err


def test_a_builds_link_warnings_are_kept_for_the_items_it_did_not_change(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit checks the links of the items it changed; the others' warnings are the
    last build's, as long as the site builds the same files."""
    checked: list[str] = []
    problems = Links.problems

    def counted(self: Links, source: Path, lang: str, links: Iterable[BodyLink]) -> list[GeneratorError]:
        checked.append(source.name)
        return problems(self, source, lang, links)

    monkeypatch.setattr(Links, "problems", counted)
    roto = project / "content/announcements/roto.md"
    roto.write_text(BROKEN, encoding="utf-8")
    args = ["build", "--project", str(project), "--today", "2026-11-23"]

    def warnings() -> list[str]:
        assert main(args) == 0
        return sorted(line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:"))

    first = warnings()
    assert len(first) == 4 and set(checked) == {
        "roto.md",
        "teletrabajo.md",
        "contactos.es.md",
        "contactos.fr.md",
        "responsabilidades.md",
    }

    checked.clear()  # an edit of another item's text: only it is checked, the warnings stay
    news = project / "content/announcements/teletrabajo.md"
    news.write_text(NEWS + "\nOtro párrafo.\n", encoding="utf-8")
    assert warnings() == first
    assert checked == ["teletrabajo.md"]

    checked.clear()  # the edited item gets a broken link of its own
    news.write_text(NEWS + "\n[otra](/es/news/tampoco/)\n", encoding="utf-8")
    now = warnings()
    assert checked == ["teletrabajo.md"]
    assert len(now) == 5 and now == sorted(warnings_of(project))  # as a build without the cache says

    checked.clear()  # what a link wanted is built now: every item is checked again
    (project / "content/announcements/no-existe.md").write_text(
        "---\ntitle: Existe\ndate: 2026-11-19\n---\nYa existe.\n", encoding="utf-8"
    )
    now = warnings()
    assert not any("no-existe" in w for w in now) and len(now) == 4
    assert "roto.md" in checked and "teletrabajo.md" in checked


def warnings_of(project: Path) -> list[str]:
    """The warnings of a build of `project` without its cache, as the command prints them."""
    return [f"warning: {w.format(project)}" for w in build(project, today=TODAY).warnings]


def test_a_picture_whose_name_differs_only_in_case_gets_the_right_name(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "content/announcements/mayus.md").write_text(
        "---\ntitle: Mayúsculas\ndate: 2026-11-20\n---\n![Plano](/media/Plano.PNG)\n", encoding="utf-8"
    )
    assert main(["build", "--project", str(project), "--today", "2026-11-23"]) == 0
    assert 'mayus.md:5: picture "/media/Plano.PNG" reaches nothing; did you mean "/media/plano.png"?' in (
        capsys.readouterr().err
    )


def test_a_link_above_the_content_folder_is_reported_not_published_above_the_site(
    project: Path,
) -> None:
    (project / "content/announcements/fuera.md").write_text(
        "---\ntitle: Fuera\ndate: 2026-11-20\n---\n[x](../../../etc/passwd.md)\n", encoding="utf-8"
    )
    result = build(project, today=TODAY)
    assert [w.format(project) for w in result.warnings] == [
        'content/announcements/fuera.md:5: link to "../../../etc/passwd.md" reaches nothing; '
        "write a page's address (/es/pages/contactos/), its file (../pages/contactos.md) "
        "or a file in content/media/ (/media/plano.pdf)"
    ]


MD_FILES = sorted(p.name for p in (CORPUS / "md").glob("*")) if (CORPUS / "md").is_dir() else ["(absent)"]


@pytest.mark.parametrize("name", MD_FILES)
def test_each_corpus_files_links_are_reported_at_the_line_that_holds_them(
    name: str, make_project: MakeProject
) -> None:
    """Real bodies from Hugo, Jekyll, Grav: every warning names the line holding its URL."""
    source = corpus_dir("md") / name
    text = source.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    body = text.split("\n---\n", 2)[-1] if text.startswith("---\n") else text
    front = "---\ntitle: Corpus\ndate: 2026-11-20\n---\n"
    project = make_project({"content/announcements/corpus.md": front + body})
    lines = (front + body).split("\n")
    result = build(project, today=TODAY)
    # None of these bodies' links into a site (Hugo's /docs/…) exists here: each is reported.
    site_links = [link for link in render_markdown(body, "announcements/corpus.md", 5).links if link.target]
    unreached = [w for w in result.warnings if "reaches nothing" in w.message]
    assert len(unreached) == len(site_links)
    for warning in result.warnings:
        written = re.search(r'"([^"]*)"', warning.message)
        assert written is not None and warning.line is not None
        assert written.group(1) in lines[warning.line - 1], warning.format(project)


# Names of content files and built files for the property test below: translations of
# one stem, stems that end like a language or a suffix, media, folders and their indexes,
# characters that escaping writes otherwise.
_ORIGINS = [
    "announcements/a.md",
    "announcements/a.es.md",
    "announcements/a.fr.md",
    "announcements/a.es.fr.md",
    "announcements/a.markdown",
    "announcements/b&c.es.md",
    "announcements/a.es",
    "pages/x.md",
    "pages/x.en.md",
]
_FILES = [
    "es/news/a/index.html",
    "es/news/a",
    "fr/news/a/index.html",
    "es/pages/x/index.html",
    "media/plano.pdf",
    "media/p&q.pdf",
    "index.html",
    "es/index.html",
]
_REFS = [
    *(f"content:{origin}" for origin in _ORIGINS),
    "content:announcements/a.en.md",
    "content:announcements/a.es.md#parte",
    "content:announcements/b&amp;c.md",
    "content:announcements/a",
    "content:media/plano.pdf",
    "content:media/p&amp;q.pdf",
    "content:../fuera.md",
    "/es/news/a/",
    "/es/news/a",
    "news/a/",
    "es/pages/x",
    "/media/plano.pdf",
    "/",
    "",
]


def _links(origins: Iterable[str], files: Iterable[str], pictures: Iterable[str]) -> Links:
    sources = {
        origin: {lang: f"{lang}/{origin}.html" for lang in ("es", "fr")[: 1 + len(origin) % 2]}
        for origin in origins
    }
    return Links(
        files,
        sources,
        ("es", "fr", "en"),
        Path("content"),
        {path: Picture(path, 10, 10, "image/png") for path in pictures},
    )


@settings(max_examples=300, deadline=None)
@given(
    before=st.tuples(
        st.sets(st.sampled_from(_ORIGINS)), st.sets(st.sampled_from(_FILES)), st.sets(st.sampled_from(_FILES))
    ),
    after=st.tuples(
        st.sets(st.sampled_from(_ORIGINS)), st.sets(st.sampled_from(_FILES)), st.sets(st.sampled_from(_FILES))
    ),
)
def test_what_the_links_tell_changed_holds_every_answer_that_did(
    before: tuple[set[str], set[str], set[str]], after: tuple[set[str], set[str], set[str]]
) -> None:
    """A page keeps the answers to its questions when no question touches what changed
    (Links.changes): so every question whose answer differs between two builds' links
    must touch it, whether asked alone or among a page's questions as they are kept."""
    old, new = _links(*before), _links(*after)
    changes = new.changes(old.state())
    assert changes is not None
    questions = [("target", ref, lang) for ref in _REFS for lang in ("es", "fr")]
    questions += [("picture", path, "") for path in _FILES]
    for question in questions:
        if old.answers(Links.questions([question])) != new.answers(Links.questions([question])):
            assert changes.touches(question), question
            kind, ref, lang = question
            assert kind != "target" or changes.reaches(html.unescape(ref), lang)  # a body link, as written
            assert changes.touches_any(Links.questions([question, ("target", "content:pages/x.md", "es")]))
    unchanged = new.changes(new.state())  # the same links: no answer differs
    assert unchanged is not None and not unchanged.touches_any(Links.questions(questions))
