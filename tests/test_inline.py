"""The guarded inline passes (load/inline.py) give Python-Markdown's own output, and a
pattern is passed over only on text it cannot match."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import tostring

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.inlinepatterns import LinkInlineProcessor

from generator.load.inline import BracketEnds, GuardedInline, expression, guard, needs
from generator.load.markdown import EXTENSION_CONFIGS, EXTENSIONS
from tests.conftest import REPO, corpus_dir


def _stock() -> markdown.Markdown:
    return markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)


STOCK, GUARDED = _stock(), guard(_stock())
PATTERNS = [
    expression(pattern)
    for processor in GUARDED.treeprocessors
    if isinstance(processor, GuardedInline)
    for pattern in processor.inlinePatterns
]

# Pieces of Markdown's inline syntax and smarty's, so that generated text is dense in them.
PIECES = [
    "*", "**", "_", "__", "[", "]", "](", ")", "(", "![", "[^1]", "`", "``", "\\", "\\\\",
    "<", ">", "<b>", "</b>", "<!-- c -->", "<http://a.example/x>", "<a@b.example>", "&", "&amp;",
    "&#8212;", "'", '"', "--", "---", "-", "...", "..", ".", "  \n", "\n", "\n\n", " ", "word",
    "l'équipe", "'90s", "# ", "- ", "1. ", "> ", "| a | b |\n|---|---|\n| 1 | 2 |\n", "[x]: /y\n",
    "[^1]: note\n", "*[HTML]: Hyper\n", "HTML", "!!! note\n    text\n", "{: #id }", "    ",
]  # fmt: skip
markdown_text = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (r"(?<!\.)\.{3}(?!\.)", {"..."}),  # look-arounds consume nothing
        (r"(?<!-)--(?!-)", {"--"}),
        (r"(?<!\!)\[", {"["}),
        (r"\*|_", {"*", "_"}),
        (r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>", {"://"}),  # the longest of what is sure
        (r"(\s|--)'(?=\w)", {"'"}),
        (r"a|b+", {"a", "b"}),
        (r"x?y", {"y"}),
        (r"[^a]", None),  # any character but one: nothing is sure
        (r"a|\w", None),  # one branch needs nothing known
        (r"(?i)abc", None),  # case folded: not a literal
        (r"b*", None),
    ],
)
def test_what_a_pattern_needs_is_read_from_its_expression(expression: str, expected: set[str] | None) -> None:
    assert needs(re.compile(expression)) == (None if expected is None else frozenset(expected))


def test_every_pattern_of_the_passes_is_guarded() -> None:
    """The content's extensions' inline patterns are all understood: none is tried on
    every text for want of knowing what it needs."""
    assert len(PATTERNS) > 25
    assert [pattern.pattern for pattern in PATTERNS if needs(pattern) is None] == []


@settings(max_examples=400, deadline=None)
@given(text=markdown_text, index=st.integers(min_value=0))
def test_a_pattern_never_matches_text_without_what_it_needs(text: str, index: int) -> None:
    pattern = PATTERNS[index % len(PATTERNS)]
    need = needs(pattern)
    assert need is not None
    if not any(piece in text for piece in need):
        assert pattern.search(text) is None


@settings(max_examples=400, deadline=None)
@given(text=markdown_text)
def test_guarded_passes_write_what_python_markdown_writes(text: str) -> None:
    assert GUARDED.reset().convert(text) == STOCK.reset().convert(text)


@settings(max_examples=500, deadline=None)
@given(text=st.lists(st.sampled_from(["[", "]", "a", "](", ")", "\\[", " "]), max_size=60).map("".join))
def test_a_closing_bracket_is_found_where_python_markdown_finds_it(text: str) -> None:
    ends = LinkInlineProcessor._findBracketEnds(text)  # type: ignore[attr-defined]
    found = BracketEnds(text)
    assert [found[index] for index in range(len(text) + 1)] == ends


def test_the_link_patterns_find_their_brackets_from_the_brackets() -> None:
    links = [p for p in GUARDED.inlinePatterns if isinstance(p, LinkInlineProcessor)]
    assert len(links) >= 4  # links, images, references, short references…
    assert all(p._findBracketEnds is BracketEnds for p in links)  # type: ignore[attr-defined]
    text = "See [the [nested] guide](/a) and ![a photo](b.png), [ref][r] and [open."
    assert GUARDED.reset().convert(text + "\n\n[r]: /r") == STOCK.reset().convert(text + "\n\n[r]: /r")


def _handled(processor: Any, text: str, first: int) -> tuple[str, list[str]]:
    """One text through a pass's loop from pattern `first`, as a parent element's text:
    what comes out, and what was set aside for placeholders."""
    processor.stashed_nodes, processor.ancestors = {}, ["p"]
    out = processor._InlineProcessor__handleInline(text, first)
    return out, [
        node if isinstance(node, str) else tostring(node, "unicode")
        for node in processor.stashed_nodes.values()
    ]


@settings(max_examples=300, deadline=None)
@given(text=markdown_text, first=st.integers(min_value=0, max_value=20), smarty=st.booleans())
def test_a_pass_from_a_later_pattern_tries_only_the_later_ones(text: str, first: int, smarty: bool) -> None:
    """Python-Markdown reads an element's inner text from the pattern after the one that
    made it: the guarded loop starts there too."""
    name = "smarty" if smarty else "inline"
    stock = _stock().treeprocessors[name]
    guarded = guard(_stock()).treeprocessors[name]
    assert isinstance(guarded, GuardedInline)
    guarded.prepare()
    assert _handled(guarded, text, first) == _handled(stock, text, first)


def _same_as_stock(paths: list[Path]) -> int:
    compared = 0
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert GUARDED.reset().convert(text) == STOCK.reset().convert(text), path
        compared += 1
    return compared


def test_the_sample_content_reads_the_same() -> None:
    assert _same_as_stock(sorted((REPO / "content").rglob("*.md"))) > 20


def test_the_shared_corpus_reads_the_same() -> None:
    assert _same_as_stock(sorted(corpus_dir("md").rglob("*.md"))) > 0


def test_the_benchmark_corpus_reads_the_same() -> None:
    from bench.corpus import items

    for item in items(150):
        assert GUARDED.reset().convert(item.body) == STOCK.reset().convert(item.body), item.slug


def test_a_converter_of_the_build_is_guarded() -> None:
    from generator.load.markdown import _converter

    assert sum(isinstance(p, GuardedInline) for p in _converter().treeprocessors) == 2
