"""Real-world Markdown files from other tools (../shared/corpus/md) dropped into
content/announcements/: each one builds or gets clear `path:line` messages, never a crash."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import CORPUS, MakeProject, corpus_dir

MD_FILES = (
    sorted(p.name for p in (CORPUS / "md").glob("*")) if (CORPUS / "md").is_dir() else ["(corpus absent)"]
)
SUMMARY = re.compile(r"^\d+ problems? found; nothing was published \(the previous output is unchanged\)$")


def build(project: Path) -> int:
    return main(["build", "--project", str(project), "--today", "2026-11-23"])


@pytest.mark.parametrize("name", MD_FILES)
def test_every_corpus_markdown_file_builds_or_gets_clear_messages(
    name: str, make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    source = corpus_dir("md") / name
    project = make_project({f"content/announcements/{name}": source.read_bytes()})
    code = build(project)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "internal error" not in err
    if code == 0:
        assert (project / "output/site/es/index.html").is_file()
        return
    assert code == 1
    *problems, summary = err.strip().splitlines()
    assert SUMMARY.match(summary)
    assert problems
    for line in problems:
        assert re.match(rf"^content/announcements/{re.escape(name)}:\d+: \S", line), line


def test_the_norway_problem_is_caught_not_silently_turned_into_false(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    source = corpus_dir("md") / "t3-no-why-norway-problem.md"
    project = make_project({"content/announcements/why.md": source.read_bytes()})
    assert build(project) == 1
    assert 'content/announcements/why.md:5: unknown language "no"' in capsys.readouterr().err


def test_a_bom_and_crlf_file_reads_its_keys_at_the_right_lines(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    source = corpus_dir("md") / "jekyll-utf8-bom.md"
    project = make_project({"content/announcements/bom.md": source.read_bytes()})
    assert build(project) == 1
    err = capsys.readouterr().err
    assert 'bom.md:2: unknown key "layout"' in err
    assert 'bom.md:5: unknown key "categories"; did you mean "category"?' in err
    assert len(err.strip().splitlines()) == 3  # two keys and the summary: the date "…16:16:01 -0800" is read


def test_a_hugo_page_builds_once_its_foreign_key_is_removed(make_project: MakeProject) -> None:
    text = (corpus_dir("md") / "learn-markdown-syntax.fr.md").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^weight: .*\n", "", text)
    project = make_project({"content/announcements/syntaxe.fr.md": text})
    assert build(project) == 0
    page = (project / "output/site/fr/news/syntaxe/index.html").read_text(encoding="utf-8")
    assert '<h1 class="page-title">Syntaxe Markdown</h1>' in page
    assert "samedi 9 avril 2016" in page
    assert "<table>" in page
    assert "😁" in page
    assert "<script" not in page
    # The Spanish site shows it as not yet translated, in French.
    es = (project / "output/site/es/news/syntaxe/index.html").read_text(encoding="utf-8")
    assert "Aún sin traducir al español; se muestra en francés." in es


def test_raw_html_from_python_markdowns_suite_is_sanitized(make_project: MakeProject) -> None:
    body = (corpus_dir("md") / "pymd-raw-html-markdown-attr.md").read_text(encoding="utf-8")
    project = make_project(
        {"content/announcements/raw.md": "---\ntitle: Raw\ndate: 2026-11-01\n---\n" + body}
    )
    assert build(project) == 0
    page = (project / "output/site/es/news/raw/index.html").read_text(encoding="utf-8")
    prose = page.split('<div class="prose">')[1].split("</article>")[0]
    assert "<em>foo</em>" in prose
    assert 'markdown="' not in prose
    assert 'name="' not in prose  # attributes outside the allow-list are dropped
    assert "<script" not in prose


ICS_FILES = (
    sorted(p.name for p in (CORPUS / "ics").glob("*.ics")) if (CORPUS / "ics").is_dir() else ["(absent)"]
)


@pytest.mark.parametrize("name", ICS_FILES)
def test_every_corpus_calendar_dropped_into_content_builds(
    name: str, make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    source = corpus_dir("ics") / name
    project = make_project({f"content/calendar/{name}": source.read_bytes()})
    code = main(["build", "--project", str(project), "--today", "2026-11-23"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Traceback" not in captured.err
    for line in captured.err.strip().splitlines():
        assert re.match(
            rf"^warning: content/calendar/{re.escape(name)}:\d+: .+; this event is skipped$", line
        )
    assert (project / "output/site/es/calendar/all.ics").is_file()
