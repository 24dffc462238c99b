"""The built site, from small inline projects: what shows where, and when."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.build import build, compose_messages, load_sources
from generator.errors import GeneratorError
from generator.render.intranet import paginate
from generator.rules.weeks import IsoWeek
from tests.conftest import SEARCH, SITE_TOML, TODAY, MakeProject, announcement
from tests.test_newsletter_links import urls_of


def site(project: Path, today: date = TODAY, **options: object) -> dict[str, str]:
    """Build without writing: output path → text (site files only)."""
    result = build(project, today=today, **options)  # type: ignore[arg-type]
    return {
        f.path.removeprefix("site/"): f.data.decode()
        for f in result.files
        if f.path.startswith("site/") and not f.copy_from and not f.path.startswith(SEARCH)
    }


def everywhere(files: dict[str, str], needle: str) -> list[str]:
    return sorted(path for path, text in files.items() if needle in text)


def test_a_scheduled_announcement_is_absent_from_every_output_until_its_day(
    make_project: MakeProject,
) -> None:
    project = make_project({"content/announcements/cierre.md": announcement("Cierre anual", "2026-12-14")})
    before = site(project, today=date(2026, 12, 13))
    assert everywhere(before, "Cierre anual") == []
    on_the_day = site(project, today=date(2026, 12, 14))
    assert "es/news/cierre/index.html" in on_the_day
    assert "Cierre anual" in on_the_day["es/index.html"]
    assert "Cierre anual" in on_the_day["es/feed.xml"]


def test_an_expired_announcement_leaves_current_views_but_keeps_its_page(make_project: MakeProject) -> None:
    project = make_project(
        {"content/announcements/encuesta.md": announcement("Encuesta", "2026-10-01", expires="2026-10-31")}
    )
    files = site(project, today=date(2026, 10, 31))
    assert "Encuesta" not in files["es/index.html"]
    assert "Encuesta" not in files["es/news/index.html"]
    assert "Encuesta" not in files["es/feed.xml"]
    assert "Encuesta" in files["es/news/archive/index.html"]
    page = files["es/news/encuesta/index.html"]
    assert "Este comunicado dejó de estar vigente el 31 de octubre de 2026" in page
    still_current = site(project, today=date(2026, 10, 30))
    assert "Encuesta" in still_current["es/news/index.html"]


def test_drafts_are_built_only_with_drafts(make_project: MakeProject) -> None:
    project = make_project({"content/announcements/b.md": announcement("Borrador secreto", draft="true")})
    assert everywhere(site(project), "Borrador secreto") == []
    assert "es/news/b/index.html" in site(project, drafts=True)


def test_restricted_content_never_reaches_the_main_site(make_project: MakeProject) -> None:
    project = make_project(
        {
            "content/announcements/nominas.md": announcement("Cierres de nómina", audience="[rrhh]"),
            "content/announcements/mixto.md": announcement("Mixto", audience="[madrid, rrhh]"),
            "content/announcements/todos.md": announcement("Para todos"),
            "content/pages/rrhh.md": "---\ntitle: Manual interno RR. HH.\naudience: rrhh\n---\nSolo RR. HH.\n",
        }
    )
    main_site = site(project)
    for secret in ("Cierres de nómina", "Mixto", "Manual interno", "nominas", "mixto"):
        assert everywhere(main_site, secret) == [], secret
    assert "Para todos" in main_site["es/index.html"]

    hr_tree = site(project, scope="rrhh")
    assert "Cierres de nómina" in hr_tree["es/index.html"]
    assert "es/pages/rrhh/index.html" in hr_tree
    assert "es/audiences/rrhh/index.html" in hr_tree


def test_an_open_audience_is_labelled_and_has_its_own_page(make_project: MakeProject) -> None:
    project = make_project({"content/announcements/cena.md": announcement("Cena", audience="[madrid]")})
    files = site(project)
    assert 'href="../../audiences/madrid/index.html"' in files["es/news/cena/index.html"]
    assert "Cena" in files["es/audiences/madrid/index.html"]
    assert "Cena" not in files["es/audiences/cdmx/index.html"]
    assert "Mexico City" in files["en/audiences/cdmx/index.html"]


def test_a_scope_must_be_a_restricted_audience(make_project: MakeProject) -> None:
    project = make_project({})
    with pytest.raises(GeneratorError, match='--audience "madrid" is not a restricted audience'):
        site(project, scope="madrid")


def test_an_untranslated_item_falls_back_to_the_default_language_with_a_note(
    make_project: MakeProject,
) -> None:
    project = make_project({"content/announcements/posada.md": announcement("Posada navideña")})
    files = site(project)
    fr = files["fr/news/posada/index.html"]
    assert "Pas encore traduit en français ; affiché en espagnol." in fr
    assert '<h1 class="page-title" lang="es">Posada navideña</h1>' in fr
    assert "Pas encore traduit" in files["fr/index.html"]
    assert "Pas encore traduit" not in files["es/news/posada/index.html"]


def test_translations_are_linked_and_the_switcher_goes_to_them(make_project: MakeProject) -> None:
    project = make_project(
        {
            "content/announcements/iso.es.md": announcement("Auditoría ISO", translation_key="iso"),
            "content/announcements/audit-iso.fr.md": announcement("Audit ISO", translation_key="iso"),
        }
    )
    files = site(project)
    es = files["es/news/iso/index.html"]
    assert '<a href="../../../fr/news/audit-iso/index.html" hreflang="fr" lang="fr">Français</a>' in es
    assert 'hreflang="fr" href="https://intranet.example.com/fr/news/audit-iso/"' in es
    en = files["en/news/iso/index.html"]  # no English version: Spanish shown
    assert "Not yet translated into English; shown in Spanish." in en
    sitemap = ET.fromstring(files["sitemap.xml"])
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    entry = next(
        u for u in sitemap.findall("s:url", ns) if u.findtext("s:loc", "", ns).endswith("es/news/iso/")
    )
    links = {link.get("hreflang"): link.get("href") for link in entry.findall("x:link", ns)}
    assert links == {
        "es": "https://intranet.example.com/es/news/iso/",
        "fr": "https://intranet.example.com/fr/news/audit-iso/",
        "x-default": "https://intranet.example.com/es/news/iso/",
    }


def test_dates_are_written_in_the_readers_language(make_project: MakeProject) -> None:
    project = make_project({"content/announcements/a.md": announcement("A", "2026-11-02")})
    files = site(project)
    assert "lunes, 2 de noviembre de 2026" in files["es/news/a/index.html"]
    assert "lundi 2 novembre 2026" in files["fr/news/a/index.html"]
    assert "Monday, November 2, 2026" in files["en/news/a/index.html"]


def test_the_news_list_is_paginated_newest_first(make_project: MakeProject) -> None:
    """The first page holds the newest news_per_page; the older pages are counted from the
    oldest (page 1 the oldest news_per_page), so the newest of them holds what is left.
    Each says which days its announcements span."""
    project = make_project(
        {f"content/announcements/n{i}.md": announcement(f"Noticia {i}", f"2026-11-0{i}") for i in range(1, 6)}
    )
    files = site(project)  # news_per_page = 2
    first, newer, oldest = (
        files["es/news/index.html"],
        files["es/news/page/2/index.html"],
        files["es/news/page/1/index.html"],
    )
    shown = [[n for n in range(5, 0, -1) if f"Noticia {n}<" in page] for page in (first, newer, oldest)]
    assert shown == [[5, 4], [3], [2, 1]]
    assert first.index("Noticia 5") < first.index("Noticia 4")
    assert 'rel="next" href="page/2/index.html"' in first and 'rel="prev"' not in first
    assert 'rel="prev" href="../../index.html"' in newer and 'rel="next" href="../1/index.html"' in newer
    assert 'rel="prev" href="../2/index.html"' in oldest and 'rel="next"' not in oldest
    assert "<title>Noticias · 1–2 nov 2026 ·" in oldest and "<span>1–2 nov 2026</span>" in oldest
    assert "<title>Noticias · 3 nov 2026 ·" in newer
    assert "<title>Noticias · Intranet" in first and "<span>4–5 nov 2026</span>" in first
    assert "<span>Nov 1\u2009–\u20092, 2026</span>" in files["en/news/page/1/index.html"]  # CLDR's spacing
    assert "es/news/page/3/index.html" not in files


@settings(max_examples=300, deadline=None)
@given(total=st.integers(0, 60), per_page=st.integers(1, 7))
def test_a_list_is_cut_into_pages_that_keep_their_items_as_it_grows(total: int, per_page: int) -> None:
    """Every item on one page, in order; every page full but the first (when the list is
    short) and the newest older one; and with one more item, the pages older than the
    newest two (by number, counted from the oldest) hold the same items and links."""

    def pages(count: int) -> dict[int, tuple[tuple[int, ...], dict[str, object]]]:
        items = tuple(range(count, 0, -1))  # newest first
        cut = list(paginate(items, per_page, lambda number: f"page/{number}"))
        assert cut[0][0] == 0
        assert [i for _, shown, _ in cut for i in shown] == list(items)
        assert all(len(shown) == per_page for n, shown, _ in cut if n not in (0, len(cut) - 1))
        assert len(cut[0][1]) == min(count, per_page)
        for (_, _, newer), (_, _, older) in pairwise(cut):
            assert newer["next"] == older["path"] and older["previous"] == newer["path"]
        return {n: (shown, pager) for n, shown, pager in cut}

    before, after = pages(total), pages(total + 1)
    newest_older = max(before)
    kept = {n: before[n] for n in before if 0 < n < newest_older}
    assert kept == {n: after[n] for n in after if 0 < n < newest_older}


def test_a_new_story_leaves_the_older_list_pages_as_they_were(make_project: MakeProject) -> None:
    """A list's pages older than the newest two keep their items, their links and their
    bytes as stories are added: their addresses stay good, and a publish rewrites the
    first page and the newest older one, not every page of the list."""
    project = make_project(
        {
            f"content/announcements/n{i}.md": announcement(f"Noticia {i}", f"2026-11-{i:02}")
            for i in range(1, 8)
        }
    )
    before = site(project)  # news_per_page = 2: the first page [7, 6], then page 3 [5], 2 [4, 3], 1 [2, 1]
    assert "es/news/page/3/index.html" in before and "es/news/page/4/index.html" not in before
    for day, expected in (
        (8, {"es/news/index.html", "es/news/page/3/index.html"}),
        (9, {"es/news/index.html", "es/news/page/3/index.html", "es/news/page/4/index.html"}),
    ):
        (project / f"content/announcements/n{day}.md").write_text(
            announcement(f"Noticia {day}", f"2026-11-{day:02}"), encoding="utf-8"
        )
        after = site(project)
        changed = {
            path
            for path in after
            if path.startswith("es/news/") and path.count("/") != 3 and after[path] != before.get(path)
        }
        assert changed == expected, day
        before = after
    assert (
        "Noticia 3<" in before["es/news/page/2/index.html"]
        and "Noticia 4<" in before["es/news/page/2/index.html"]
    )
    assert "Noticia 7<" in before["es/news/page/4/index.html"]


def test_tag_and_audience_pages_are_cut_into_pages_of_list_per_page(make_project: MakeProject) -> None:
    """A tag's or an audience's list grows with the years: list_per_page announcements a
    page, newest first, the first page at the address it always had."""
    project = make_project(
        {
            "content/site.toml": SITE_TOML.replace(
                "news_per_page = 2", "news_per_page = 2\nlist_per_page = 2"
            ),
            **{
                f"content/announcements/n{i}.md": announcement(
                    f"Noticia {i}", f"2026-11-0{i}", tags="[calidad]", audience="[madrid]"
                )
                for i in range(1, 6)
            },
        }
    )
    files = site(project)
    for base in ("es/tags/calidad", "es/audiences/madrid"):
        pages = [
            files[f"{base}/index.html"],
            files[f"{base}/page/2/index.html"],
            files[f"{base}/page/1/index.html"],
        ]
        assert f"{base}/page/3/index.html" not in files
        shown = [[n for n in range(5, 0, -1) if f"Noticia {n}<" in page] for page in pages]
        assert shown == [[5, 4], [3], [2, 1]], base
        assert 'rel="next" href="page/2/index.html"' in pages[0] and 'rel="prev"' not in pages[0]
        assert (
            'rel="prev" href="../../index.html"' in pages[1]
            and 'rel="next" href="../1/index.html"' in pages[1]
        )
        assert "· 1–2 nov 2026 ·" in pages[2].split("</title>")[0] and "<span>1–2 nov 2026</span>" in pages[2]
        assert "nov" not in pages[0].split("</title>")[0]
    assert "en/audiences/madrid/page/2/index.html" in files  # every language's tree
    assert "(5)" in files["es/tags/index.html"]  # the tags' list counts them all
    assert 'href="../../tags/calidad/index.html"' in files["es/news/n1/index.html"]


def test_pinned_current_news_is_the_must_read_on_home(make_project: MakeProject) -> None:
    project = make_project(
        {
            "content/announcements/clave.md": announcement("Clave", pinned="true"),
            "content/announcements/vieja.md": announcement(
                "Vieja clave", "2026-10-01", pinned="true", expires="2026-11-01"
            ),
        }
    )
    home = site(project)["es/index.html"]
    must_read = home.split('id="must-read-title"')[1].split("</section>")[0]
    assert "Clave" in must_read
    assert "Vieja clave" not in home


def test_tags_have_pages_in_each_language(make_project: MakeProject) -> None:
    project = make_project({"content/announcements/a.md": announcement("A", tags="[Nómina, ISO 9001]")})
    files = site(project)
    assert "A" in files["es/tags/nomina/index.html"]
    assert "#ISO 9001" in files["es/tags/index.html"]
    assert 'href="../../tags/iso-9001/index.html"' in files["es/news/a/index.html"]


def test_body_html_is_sanitized_in_the_page(make_project: MakeProject) -> None:
    body = '---\ntitle: X\ndate: 2026-11-01\n---\n<script>alert(1)</script><a href="javascript:x()" onclick="y()">z</a>\n'
    files = site(make_project({"content/announcements/x.md": body}))
    page = files["es/news/x/index.html"]
    assert "alert(1)" not in page
    assert "javascript:" not in page
    assert "onclick" not in page


def test_titles_are_escaped_by_the_templates(make_project: MakeProject) -> None:
    project = make_project({"content/announcements/x.md": announcement('"<img src=x onerror=alert(1)>"')})
    files = site(project)
    assert "<img src=x" not in files["es/news/x/index.html"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in files["es/news/x/index.html"]


def test_the_atom_feed_is_valid_and_uses_absolute_links(make_project: MakeProject) -> None:
    project = make_project(
        {
            "content/media/plan.pdf": b"%PDF-1.4",
            "content/announcements/a.md": "---\ntitle: Plan\ndate: 2026-11-02\n---\n[plan](media/plan.pdf)\n",
        }
    )
    feed = ET.fromstring(site(project)["es/feed.xml"])
    atom = {"a": "http://www.w3.org/2005/Atom"}
    entry = feed.find("a:entry", atom)
    assert entry is not None
    assert entry.findtext("a:id", namespaces=atom) == "https://intranet.example.com/es/news/a/"
    assert entry.findtext("a:updated", namespaces=atom) == "2026-11-02T00:00:00+01:00"
    content = entry.findtext("a:content", namespaces=atom) or ""
    assert 'href="https://intranet.example.com/media/plan.pdf"' in content


def test_the_root_page_sends_readers_to_the_default_language_without_javascript(
    make_project: MakeProject,
) -> None:
    root = site(make_project({}))["index.html"]
    assert '<meta http-equiv="refresh" content="0; url=es/index.html">' in root
    assert '<a href="es/index.html">Ir a la intranet</a>' in root
    assert "<script" not in root


def test_project_templates_override_the_built_in_ones(make_project: MakeProject) -> None:
    project = make_project(
        {
            "templates/site/tags.html": '{% extends "site/base.html" %}{% block main %}MIS ETIQUETAS{% endblock %}'
        }
    )
    assert "MIS ETIQUETAS" in site(project)["es/tags/index.html"]


def test_a_template_mistake_names_the_template_and_line(make_project: MakeProject) -> None:
    project = make_project({"templates/site/tags.html": "line one\n{{ no_such_thing.x }}\n"})
    with pytest.raises(GeneratorError) as info:
        site(project)
    assert info.value.path is not None and info.value.path.name == "tags.html"
    assert info.value.line == 2
    assert "no_such_thing" in info.value.message


def test_a_template_syntax_error_names_the_template_and_line(make_project: MakeProject) -> None:
    project = make_project({"templates/site/tags.html": "ok\n{% if %}\n"})
    with pytest.raises(GeneratorError) as info:
        site(project)
    assert info.value.line == 2
    assert str(info.value.path).endswith("templates/site/tags.html")


def test_a_file_used_only_by_restricted_items_is_published_only_in_their_trees(
    make_project: MakeProject,
) -> None:
    picture = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    project = make_project(
        {
            "content/site.toml": SITE_TOML.replace(
                "restricted = true", 'restricted = true\nbase_url = "https://rrhh.example.com/"'
            ),
            "content/media/tabla-salarial.png": picture,
            "content/media/logo.png": picture,
            "content/media/suelto.pdf": b"%PDF-1.4\n",
            "content/announcements/nominas.md": announcement(
                "Nóminas", audience="[rrhh]", image="tabla-salarial.png", image_alt="Tabla salarial"
            )
            + "\n![Logo](../media/logo.png)\n[Tabla](/media/tabla-salarial.png)\n",
            "content/announcements/todos.md": announcement("Para todos") + "\n![Logo](../media/logo.png)\n",
        }
    )
    main = {f.path for f in build(project, today=TODAY).files}
    assert "site/media/tabla-salarial.png" not in main  # only a restricted item uses it
    assert {"site/media/logo.png", "site/media/suelto.pdf"} <= main  # used by everyone, or by no one
    hr = {f.path for f in build(project, today=TODAY, scope="rrhh").files}
    assert {"site/media/tabla-salarial.png", "site/media/logo.png", "site/media/suelto.pdf"} <= hr

    sources = load_sources(project, today=TODAY)
    message = compose_messages(sources, IsoWeek.of(TODAY), [("es", ("rrhh",))])[("es", ("rrhh",))]
    assert "https://rrhh.example.com/media/tabla-salarial.png" in urls_of(message)
    assert not any(url.startswith("https://intranet.example.com/media/tabla") for url in urls_of(message))


def _sitemap_by_elementtree(
    base: str, default: str, entries: list[tuple[str, list[tuple[str, str]]]]
) -> bytes:
    """The sitemap as ElementTree writes it, indented: what sitemap_xml must equal."""
    from xml.etree import ElementTree as ET

    from generator.render.feeds import SITEMAP_NS, XHTML
    from generator.urls import pretty

    urlset = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    for path, alternates in entries:
        url = ET.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = base + pretty(path)
        if len(alternates) < 2:
            continue
        for lang, other in [*alternates, ("x-default", dict(alternates).get(default, alternates[0][1]))]:
            ET.SubElement(url, f"{{{XHTML}}}link", rel="alternate", hreflang=lang, href=base + pretty(other))
    ET.indent(urlset)
    written: bytes = ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
    return written + b"\n"


_TEXT = st.text(alphabet=st.sampled_from(list("ab/é&<>\"'\t\n\r x")), max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    base=_TEXT,
    entries=st.lists(
        st.tuples(_TEXT, st.lists(st.tuples(st.sampled_from(["es", "fr", "en", "x&y"]), _TEXT), max_size=3)),
        max_size=6,
    ),
)
def test_the_sitemap_written_page_by_page_is_what_elementtree_writes(
    base: str, entries: list[tuple[str, list[tuple[str, str]]]]
) -> None:
    from generator.render.feeds import sitemap_xml

    assert sitemap_xml(base, "es", entries) == _sitemap_by_elementtree(base, "es", entries)
