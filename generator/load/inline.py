"""Python-Markdown's inline passes, without trying patterns that cannot match a text.

Python-Markdown reads a paragraph's inline syntax by trying every inline pattern on
every piece of text, in order (links, emphasis, code, HTML…; then, in a second pass of
the same kind, smarty's quotes, dashes and ellipses). Most pieces hold none of what
most patterns look for, yet each try costs a few microseconds of Python: the two passes
are most of the reader's time.

Each pattern's regular expression is read once (the standard library's own parser) for
what every match must contain: `[` for a link, `--` for a dash, `'` or `"` for a quote.
A pattern is tried on a text only when the text holds one of those strings; when it
holds none, the pattern could not match, and the pass goes on exactly as after a try
that found nothing. The output is the library's, byte for byte (tested against the
library alone). A pattern whose expression is not understood here is always tried.

A link's text ends at the bracket that closes the one it opens with. The library finds
that bracket for every character of a text at once, one character at a time in Python,
and again each time a pattern changes the text: a fifth of the reader's time on
this content, whose paragraphs hold links. Here it is found from the brackets alone,
which the standard library's expressions find: the same answer for every character.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Any

import markdown
from markdown.inlinepatterns import LinkInlineProcessor
from markdown.treeprocessors import InlineProcessor
from markdown.util import AtomicString

try:  # the standard library's reader of regular expressions (3.11+)
    from re import _parser as _sre  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another Python: every pattern is tried
    _sre = None

Needs = frozenset[str]  # every match holds at least one of these strings
_NEEDS: dict[tuple[str, int], Needs | None] = {}
_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def needs(pattern: re.Pattern[str]) -> Needs | None:
    """Strings of which every match of `pattern` holds one; None when unknown."""
    key = (pattern.pattern, pattern.flags)
    if key not in _NEEDS:
        _NEEDS[key] = _read(pattern)
    return _NEEDS[key]


def _read(pattern: re.Pattern[str]) -> Needs | None:
    if _sre is None or pattern.flags & re.IGNORECASE or not isinstance(pattern.pattern, str):
        return None
    try:
        parsed = _sre.parse(pattern.pattern, pattern.flags)
    except Exception:  # pragma: no cover - the expression compiled, so it parses
        return None
    return _sequence(list(parsed))


def _sequence(items: list[tuple[Any, Any]]) -> Needs | None:
    """What a match of these items in a row must hold: the best of what each item must
    hold, a run of literal characters being one item (text the match consumes as is)."""
    found: list[Needs] = []
    run = ""
    for op, value in items:
        name = str(op)
        literal = _literal(name, value)
        if literal is not None:
            run += literal
            continue
        if name in ("ASSERT", "ASSERT_NOT", "AT"):
            continue  # consumes nothing: the characters on either side are adjacent
        if run:
            found.append(frozenset([run]))
            run = ""
        inner: Needs | None = None
        if name == "SUBPATTERN":
            _group, add_flags, _del_flags, sub = value
            if not add_flags & re.IGNORECASE:
                inner = _sequence(list(sub))
        elif name == "ATOMIC_GROUP":
            inner = _sequence(list(value))
        elif name == "BRANCH":
            branches = [_sequence(list(branch)) for branch in value[1]]
            if all(branch is not None for branch in branches):
                inner = frozenset().union(*(b for b in branches if b is not None))
        elif name == "IN":
            chars = [chr(v) for kind, v in value if str(kind) == "LITERAL"]
            if len(chars) == len(value):  # no negation, range or class: only these
                inner = frozenset(chars)
        elif name in _REPEATS:
            low, _high, sub = value
            if low >= 1:
                inner = _sequence(list(sub))
        if inner:
            found.append(inner)
    if run:
        found.append(frozenset([run]))
    if not found:
        return None
    return max(found, key=lambda strings: (min(map(len, strings)), -len(strings)))


def _literal(name: str, value: Any) -> str | None:
    """The text an item consumes as is: one character, or one repeated a fixed number
    of times (`\\.{3}`)."""
    if name == "LITERAL":
        return chr(value)
    if name in _REPEATS:
        low, high, sub = value
        if low == high and 1 <= low <= 16 and len(sub) == 1 and str(sub[0][0]) == "LITERAL":
            return str(chr(sub[0][1]) * low)
    return None


def expression(pattern: Any) -> re.Pattern[str]:
    """An inline pattern's compiled expression (Python-Markdown's `Pattern` API)."""
    compiled: re.Pattern[str] = pattern.getCompiledRegExp()
    return compiled


class GuardedInline(InlineProcessor):
    """An inline pass that tries a pattern only on text holding what it needs.

    The strings the patterns need are looked for once per text, when the pass starts on
    it. What a try replaces becomes a placeholder (STX, a name and number, ETX), and no
    pattern needs STX or ETX: a string absent from a text when the pass starts on it
    cannot appear while the pass goes on, so the patterns passed over then could not
    have matched later either."""

    _patterns: list[Any]
    _needles: tuple[str, ...]
    _needs: list[Needs | None]
    _plans: dict[frozenset[str], tuple[int, ...]]

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        self.prepare()
        return super().run(tree, ancestors)

    def prepare(self) -> None:
        """Read what the patterns need, unless they are those read last time."""
        patterns = list(self.inlinePatterns)
        wanted = [needs(expression(pattern)) for pattern in patterns]
        if getattr(self, "_patterns", None) != patterns or self._needs != wanted:
            self._patterns, self._needs, self._plans = patterns, wanted, {}
            self._needles = tuple(sorted({text for need in wanted if need for text in need}))

    def _plan(self, present: frozenset[str]) -> tuple[int, ...]:
        """The patterns, by index, that may match a text holding these strings."""
        plan = self._plans.get(present)
        if plan is None:
            plan = self._plans[present] = tuple(
                index
                for index, need in enumerate(self._needs)
                if need is None or not need.isdisjoint(present)
            )
        return plan

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        # InlineProcessor's own loop, but a pattern that cannot match is passed over as
        # its try would be (nothing matched; the next pattern starts at the text's start).
        if isinstance(data, AtomicString):
            return data
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        patterns = self._patterns
        for index in self._plan(frozenset([text for text in self._needles if text in data])):
            if index < patternIndex:
                continue
            start, matched = 0, True
            while matched:
                data, matched, start = apply(patterns[index], data, index, start)
        return data


_BRACKETS = re.compile(r"[\[\]]")


class BracketEnds:
    """For each index of a text, the index just past the `]` that closes a bracket opened
    before it, or None: what Python-Markdown's `LinkInlineProcessor._findBracketEnds`
    lists, worked out from the text's brackets only, when asked for."""

    __slots__ = ("_at", "_ends")

    def __init__(self, data: str) -> None:
        at: list[int] = []  # where each bracket is
        ends: list[int | None] = []  # for each bracket, the answer at its index
        depth = 0
        waiting: list[tuple[int, int]] = []  # (bracket, depth before it), depths increasing
        for match in _BRACKETS.finditer(data):
            place = match.start()
            waiting.append((len(at), depth))
            at.append(place)
            ends.append(None)
            depth += 1 if data[place] == "[" else -1
            while waiting and depth < waiting[-1][1]:
                ends[waiting.pop()[0]] = place + 1
        self._at, self._ends = at, ends

    def __getitem__(self, index: int) -> int | None:
        # the depth does not change between brackets: an index answers as the next one does
        nearest = bisect_left(self._at, index)
        return self._ends[nearest] if nearest < len(self._at) else None


def guard(converter: markdown.Markdown) -> markdown.Markdown:
    """`converter` with its inline passes (Python-Markdown's own, smarty's) guarded, and
    its link patterns finding their closing brackets from the brackets alone."""
    private = ("_InlineProcessor__handleInline", "_InlineProcessor__applyPattern")
    if not all(hasattr(InlineProcessor, name) for name in private):
        return converter  # pragma: no cover - a Python-Markdown built otherwise: left as is
    for processor in converter.treeprocessors:
        if type(processor) is InlineProcessor:
            processor.__class__ = GuardedInline
    if hasattr(LinkInlineProcessor, "_findBracketEnds"):  # where the library finds them so
        for pattern in converter.inlinePatterns:
            if isinstance(pattern, LinkInlineProcessor):  # links, images, references
                pattern._findBracketEnds = BracketEnds  # type: ignore[attr-defined]
    return converter
