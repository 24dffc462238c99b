"""What a reader notices: the footer, tags across languages, drafts, month grids on a phone,
the 404 page anywhere, the e-mail's bars, and content that the build would ignore."""

from __future__ import annotations

import re
from pathlib import Path

import icalendar
import pytest
import yaml

from generator.build import build
from generator.cli import main
from generator.model import MetricPoint, OutputFile
from generator.render.newsletter import bars
from generator.rules.indicators import Indicator
from tests.conftest import SEARCH, TODAY, MakeProject, announcement, sample_files


def site_files(project: Path, **options: object) -> dict[str, str]:
    result = build(project, today=TODAY, **options)  # type: ignore[arg-type]
    return {f.path: f.data.decode() for f in result.files if _text(f)}


def _text(file: OutputFile) -> bool:
    """Pages, feeds and e-mails: not the search index, nor pictures (their sizes are bytes)."""
    return not file.copy_from and not file.path.startswith((SEARCH, "site/media/"))


@pytest.fixture(scope="module")
def sample() -> dict[str, str]:
    return {f.path: f.data.decode() for f in sample_files() if _text(f)}


def test_the_footer_names_the_newsletter_once(sample: dict[str, str]) -> None:
    footer = sample["site/es/index.html"].split('<footer class="site-footer">')[1]
    assert footer.count(">Boletín</a>") == 1


def test_an_untranslated_page_in_the_footer_says_so_in_its_own_language(sample: dict[str, str]) -> None:
    footer = sample["site/fr/index.html"].split('<footer class="site-footer">')[1]
    assert re.search(
        r'lang="es">Quién publica qué</a> <small class="untranslated">\(Pas encore traduit\)</small>', footer
    )
    assert 'lang="es"' not in footer.split("Quién publica qué")[0].rsplit("<li>", 1)[0]


def test_a_language_lists_only_its_own_tags_and_a_fallback_item_links_to_its_languages(
    sample: dict[str, str],
) -> None:
    spanish = sample["site/es/tags/index.html"]
    assert "#eventos" in spanish and "#événements" not in spanish
    french = sample["site/fr/tags/index.html"]
    assert "#événements" in french and "#eventos" not in french
    # aguinaldo-2026 exists only in Spanish: on the French site its tags go to the Spanish tag pages.
    page = sample["site/fr/news/aguinaldo-2026/index.html"]
    assert 'href="../../../es/tags/aguinaldo/index.html" lang="es">#aguinaldo</a>' in page


def test_a_new_announcement_is_a_draft_with_hints_in_the_sites_language(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project({"content/announcements/a.md": announcement("Hola")})
    args = ["--project", str(project), "--today", "2026-11-23"]
    assert main(["new", "announcement", "Horario de invierno", "--lang", "en", *args]) == 0
    created = project / "content/announcements/2026-11-23-horario-de-invierno.en.md"
    text = created.read_text(encoding="utf-8")
    assert "draft: true                 # borrador: borra esta línea para publicarlo" in text
    assert "Escribe aquí el comunicado, en Markdown." in text
    assert main(["build", *args]) == 0
    output = project / "output"
    for path in (*output.rglob("*.html"), *output.rglob("*.txt"), *output.rglob("*.xml")):
        assert "Escribe aquí" not in path.read_text(encoding="utf-8"), path
        assert "Horario de invierno" not in path.read_text(encoding="utf-8"), path


def test_drafts_with_drafts_are_marked_everywhere_and_never_in_feeds_or_the_newsletter(
    make_project: MakeProject,
) -> None:
    project = make_project(
        {
            "content/announcements/borrador.md": announcement("Borrador de horario", draft="true"),
            "content/pages/borrador.md": "---\ntitle: Página en obras\ndraft: true\n---\nTexto.\n",
            "content/announcements/publicado.md": announcement("Publicado"),
        }
    )
    files = site_files(project, drafts=True)
    mark = '<strong class="draft-mark">Borrador</strong>'
    assert mark in files["site/es/news/borrador/index.html"]
    assert mark in files["site/es/pages/borrador/index.html"]
    footer = files["site/es/index.html"].split('<footer class="site-footer">')[1]
    assert 'Página en obras</a> <small class="draft-mark">Borrador</small>' in footer
    card = files["site/es/news/index.html"].split("Borrador de horario")[0].rsplit("<article", 1)[1]
    assert mark in card
    assert mark not in files["site/es/news/publicado/index.html"]
    assert "Borrador de horario" not in files["site/es/feed.xml"] and "Publicado" in files["site/es/feed.xml"]
    assert "news/borrador/" not in files["site/sitemap.xml"]
    assert not [
        p for p, text in files.items() if p.startswith("newsletter/") and "Borrador de horario" in text
    ]


def test_month_grids_mark_each_offices_dates_and_list_the_month_for_phones(sample: dict[str, str]) -> None:
    page = sample["site/es/calendar/index.html"]
    february = page.split("<caption>Febrero 2027</caption>")[1].split('<div class="month-block">')[0]
    cell = re.search(r'<span class="day-number">26</span>(.*?)</td>', february, re.S)
    assert cell is not None
    codes = re.findall(r'<abbr class="office-code" title="([^"]+)">(\w+)</abbr>', cell.group(1))
    assert codes == [("Madrid", "MAD"), ("Paris", "PAR"), ("Ciudad de México", "CDMX")]
    listed = re.findall(r"<li class=\"kind-payday\"><time datetime=\"2027-02-26\">", february)
    assert len(listed) == 3  # the list under the grid says the same, with the office's full name
    assert "…" not in february


def test_the_404_page_carries_its_styles_so_it_looks_right_at_any_depth(sample: dict[str, str]) -> None:
    page = sample["site/404.html"]
    assert '<link rel="stylesheet"' not in page
    assert "<style>/* Intranet styles" in page and "--surface" in page


def test_email_bars_start_at_zero_so_their_length_is_proportional() -> None:
    from generator.config.named import MetricDefinition

    definition = MetricDefinition(
        id="csat", titles={"es": "Satisfacción"}, unit="%", target=90.0, higher_is_better=True
    )
    points = (MetricPoint(TODAY, 88.0), MetricPoint(TODAY, 91.0))
    widths = [width for _, width in bars(Indicator(definition, points))]
    assert widths == [88, 91]


def test_the_emails_bar_and_progress_tracks_are_dark_in_dark_mode(sample: dict[str, str]) -> None:
    email = sample["newsletter/2026-W48/es/all/email.html"]
    dark = email.split("@media (prefers-color-scheme: dark)")[1].split("</style>")[0]
    assert ".bar-track, .progress-track { background-color: #343b43 !important; }" in dark


def test_a_file_the_build_does_not_read_is_a_warning_that_names_it(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(
        {
            "content/anuncios/cena.md": announcement("Cena"),
            "content/announcements/notas.txt": "ideas",
            "content/announcements/.borrador.md.swp": b"\x00",
            "content/media/plano.pdf": b"%PDF",
            "content/announcements/a.md": announcement("Hola"),
        }
    )
    assert main(["build", "--project", str(project), "--today", "2026-11-23"]) == 0
    err = capsys.readouterr().err
    assert (
        "warning: content/anuncios/cena.md: the build does not read this file; announcements go in "
        "content/announcements/, standing pages in content/pages/" in err
    )
    assert (
        "warning: content/announcements/notas.txt: the build reads only .md, .markdown files in "
        "content/announcements/; rename it, or move it to content/media/ to publish it as it is" in err
    )
    assert ".swp" not in err and "media/plano.pdf:" not in err and "announcements/a.md" not in err
    assert err.count("warning:") == 2


def test_new_writes_yaml_and_icalendar_that_read_back_what_was_typed(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project({})
    args = ["--project", str(project), "--today", "2026-11-23"]
    title = 'Horario "de invierno": \\ nuevo'
    assert main(["new", "announcement", title, *args]) == 0
    assert main(["new", "event", "Comida; equipo, Madrid", "--audience", "managers", *args]) == 0
    text = next((project / "content/announcements").glob("*.md")).read_text(encoding="utf-8")
    assert yaml.safe_load(text.split("---")[1])["title"] == title
    raw = (project / "content/calendar/comida-equipo-madrid.ics").read_bytes()
    event = icalendar.Calendar.from_ical(raw).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Comida; equipo, Madrid"
    assert b"\r\n" in raw and b"SUMMARY:Comida\\; equipo\\, Madrid" in raw
    assert main(["build", *args]) == 0
