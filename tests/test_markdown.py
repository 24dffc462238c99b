import pytest

from generator.load.markdown import render_markdown, summarize
from generator.model import SITE_ROOT


def test_scripts_event_handlers_and_javascript_urls_are_removed() -> None:
    html = render_markdown(
        '<script>alert(1)</script>\n\n<img src="x.png" onerror="alert(2)" alt="x">\n\n'
        "[click](javascript:alert(3)) <a href='JaVaScRiPt:alert(4)'>b</a> <iframe src='https://x'></iframe>"
    ).html
    lowered = html.lower()
    assert "<script" not in lowered
    assert "alert" not in lowered
    assert "onerror" not in lowered
    assert "javascript:" not in lowered
    assert "<iframe" not in lowered


def test_forms_and_styles_are_stripped_but_their_text_is_kept_safe() -> None:
    html = render_markdown('<form action="https://evil"><input name="p"></form><style>p{}</style>Hi').html
    assert "<form" not in html
    assert "<input" not in html
    assert "<style" not in html
    assert "Hi" in html


def test_extra_toc_admonition_and_sane_lists_are_enabled() -> None:
    html = render_markdown(
        '# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n!!! note "Nota"\n    texto\n\n'
        "Term[^1]\n\n[^1]: A footnote.\n"
    ).html
    assert '<h2 id="title">Title</h2>' in html  # headings start below the page's own h1
    assert "<table>" in html
    assert '<div class="admonition note">' in html
    assert 'class="footnote' in html


def test_links_into_the_site_are_marked_and_listed_with_their_lines() -> None:
    rendered = render_markdown(
        "Intro\n\n[plan](/media/plan.pdf) [x](media/x.png)\n[ext](https://a.example/) [top](#t)\n"
        "[c](../pages/contactos.md#horario) ![](foto.png)",
        origin="announcements/a.md",
        first_line=5,
    )
    assert f'href="{SITE_ROOT}/media/plan.pdf"' in rendered.html
    assert f'href="{SITE_ROOT}media/x.png"' in rendered.html
    assert f'href="{SITE_ROOT}content:pages/contactos.md#horario"' in rendered.html
    assert 'href="https://a.example/"' in rendered.html
    assert 'href="#t"' in rendered.html
    assert [(link.written, link.target, link.line, link.image, link.alt) for link in rendered.links] == [
        ("/media/plan.pdf", "/media/plan.pdf", 7, False, None),
        ("media/x.png", "media/x.png", 7, False, None),
        ("https://a.example/", "", 8, False, None),
        ("#t", "", 8, False, None),
        ("../pages/contactos.md#horario", "content:pages/contactos.md#horario", 9, False, None),
        ("foto.png", "foto.png", 9, True, ""),
    ]


def test_plain_text_is_extracted_for_summaries() -> None:
    rendered = render_markdown("Hola **mundo** &amp; <em>todos</em>.\n\n- uno\n- dos")
    assert rendered.text == "Hola mundo & todos. uno dos"


def test_summaries_are_cut_at_a_word_boundary() -> None:
    assert summarize("corto") == "corto"
    text = "palabra " * 60
    cut = summarize(text, limit=30)
    assert cut.endswith("…")
    assert len(cut) <= 31
    assert "palab…" not in cut


def test_a_body_from_the_cache_is_the_body_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the cache keeps of a body (its HTML, text and links with lines, pictures and
    their alt text) comes back as render_markdown made it."""
    from generator.cache import Store
    from generator.load.markdown import CachedMarkdown

    source = 'Intro "quoted" -- text...\n\n[plan](/media/plan.pdf)\n\n![A photo](foto.png)\n![](x.png)'
    store = Store(None)
    first = CachedMarkdown(store)(source, "announcements/x.md", 7)
    monkeypatch.setattr("generator.load.markdown.render_markdown", None)  # not rendered again
    again = CachedMarkdown(store)(source, "announcements/x.md", 7)
    monkeypatch.undo()
    assert first == again == render_markdown(source, "announcements/x.md", 7)
    assert [(link.line, link.image, link.alt) for link in again.links] == [
        (9, False, None),
        (11, True, "A photo"),
        (12, True, ""),
    ]
