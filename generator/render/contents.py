"""A page's own content, taken from its published page when only the frame around it changed.

A page template extends a frame (site/base.html: the head, the header, the footer) and
fills its `main` block. When every page must be rendered again because of the frame (its
footer edited, the site's name changed, a standing page added to every footer), what each
page shows in `main` is what it showed before: such a page is rendered with its block's
text taken from the page as published, and only the frame is rendered around it. Three
quarters of a list page's rendering, and three fifths of a story's, are its block.

That holds only where the block's text cannot depend on the frame, which `Frames` reads
in the templates' tokens: the page template names the frame it extends by a plain name,
neither it nor what it includes or imports calls `super()` or reads `self`, and the frame
(with all it includes, imports and extends) declares no `main` block `scoped` and sets no
name that the page template's side reads: a block reads the page's context, which holds
the frame's top-level names too. Anything else renders the whole page, as before.

What a block's text is made from is its page's key without the frame (worked out in
render/intranet.py). For each page a build renders when it renders them in number, that
key, the digest of the page's bytes and where the block's text is in them are kept
(`PageContents`); a block is taken from the published page only while the key and the
bytes are the same. A block is found in the rendered page by two marks put around it; a
page whose marks are not exactly around the block's text (a frame that repeats the
block, or filters it) is rendered again without them, and no place is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import jinja2

BLOCK = "main"
MARK = "\x00\x02main\x02\x00"  # around the block while its place is found; in no page
_EXTENDS = re.compile(r"\{%[-+]?\s*extends\s+([\"'])([^\"']+)\1\s*[-+]?%\}")

Place = tuple[int, int]  # the block's text in the page's text: its start and length, in characters
Kept = tuple[str, str, int, int]  # a page's content key, its bytes' digest, its block's place


def frame_named(source: str) -> str | None:
    """The frame a template's text extends, when it names exactly one by a plain string."""
    found = _EXTENDS.findall(source)
    return found[0][1] if len(found) == 1 else None


class Frames:
    """Which page templates' `main` block is apart from their frame (see the module's
    docstring), and the templates each one's side is made of; worked out once per build,
    from the templates' tokens (Jinja's lexer: parsing the templates and finding the
    names they read took some fifteen times as long)."""

    def __init__(
        self,
        source: Callable[[str], str | None],
        references: Callable[[str], list[str] | None],
        env: jinja2.Environment,
    ) -> None:
        """`source`: a template's text; `references`: the templates a template's text
        extends, includes or imports (None: one named by a variable); `env`: to read them."""
        self._source, self._references, self._env = source, references, env
        self._sides: dict[str, tuple[str, ...] | None] = {}
        self._names: dict[str, _Names | None] = {}

    def side(self, name: str) -> tuple[str, ...] | None:
        """The templates page template `name`'s block is made of (itself, and what it
        includes and imports, not its frame), when the block is apart from its frame; else None."""
        if name not in self._sides:
            self._sides[name] = self._apart(name)
        return self._sides[name]

    def _apart(self, name: str) -> tuple[str, ...] | None:
        text = self._source(name)
        frame = frame_named(text) if text is not None else None
        if frame is None:
            return None
        side = self._closure([name], skip=frame)
        framing = self._closure([frame])
        if side is None or framing is None:
            return None
        read: set[str] = set()
        for template in side:
            names = self._names_of(template)
            if names is None or names.scoped or {"super", "self"} & names.read:
                return None
            read |= names.read
        for template in framing:
            names = self._names_of(template)
            if names is None or names.scoped or read & names.set:
                return None
        return tuple(sorted(side))

    def _closure(self, start: Iterable[str], skip: str | None = None) -> set[str] | None:
        """`start` with every template they extend, include or import (but `skip`, when
        the first of them names it); None when one is named by a variable."""
        found: set[str] = set()
        waiting = list(start)
        first = True
        while waiting:
            name = waiting.pop(0)
            if name in found:
                continue
            found.add(name)
            others = self._references(name)
            if others is None:
                return None
            if first and skip is not None:
                others = [other for other in others if other != skip]
            first = False
            waiting += others
        return found

    def _names_of(self, name: str) -> _Names | None:
        if name not in self._names:
            source = self._source(name)
            try:
                self._names[name] = _names(self._env.lex(source)) if source is not None else None
            except jinja2.TemplateSyntaxError:
                self._names[name] = None  # reported when the page is rendered
        return self._names[name]


class _Names:
    """What a template's tags name, found in its tokens: `read`, every name in a tag (more
    than it reads); `set`, the names it sets where a block may see them (its set, import
    and from tags' targets, its macros: a loop's or a `with`'s names are its own, unless
    a block is `scoped`); `scoped`, whether it declares a `main` block scoped."""

    def __init__(self) -> None:
        self.read: set[str] = set()
        self.set: set[str] = set()
        self.scoped = False


def _names(tokens: Iterable[tuple[int, str, str]]) -> _Names:
    found = _Names()
    tag: list[tuple[str, str]] = []
    for _, kind, value in tokens:
        if kind in ("block_begin", "variable_begin"):
            tag = []
        elif kind in ("name", "operator"):
            tag.append((kind, value))
            if kind == "name":
                found.read.add(value)
        elif kind == "block_end" and tag:
            found.set.update(_targets(tag))
            words = [value for kind, value in tag if kind == "name"]
            if words[:2] == ["block", BLOCK] and "scoped" in words:
                found.scoped = True
    return found


def _targets(tag: list[tuple[str, str]]) -> Iterator[str]:
    """The names a block tag's tokens (its names and operators) set."""
    first = tag[0][1]
    names = [value for kind, value in tag[1:] if kind == "name"]
    if first == "set":  # up to "=" (a block set has none)
        for kind, value in tag[1:]:
            if (kind, value) == ("operator", "="):
                break
            if kind == "name":
                yield value
    elif first == "macro" and names:
        yield names[0]
    elif first in ("import", "from"):  # the names after "as", and what a from-import names
        yield from names


def render_framed(
    template: jinja2.Template, context: dict[str, Any], block: str | None
) -> tuple[str, Place | None]:
    """The page `template` makes of `context` (with `block`, that text stands for its
    `main` block), and the block's place in the page, when it is found (see the module's
    docstring). Errors are raised as Jinja raises them from `render`."""
    env = template.environment
    ctx = template.new_context(context)
    own = ctx.blocks.get(BLOCK)
    if not own:
        return _rendered(template, ctx), None
    made: list[str] = []
    render = own[0]

    def marked(context: jinja2.runtime.Context) -> Iterator[str]:
        made.append(env.concat(render(context)) if block is None else block)
        yield MARK
        yield made[-1]
        yield MARK

    ctx.blocks[BLOCK] = [marked, *own[1:]]
    page = _rendered(template, ctx)
    if not made:  # a frame that does not show the block: nothing marked
        return page, None
    parts = page.split(MARK)
    if len(parts) == 3 and len(made) == 1 and parts[1] == made[0]:
        return "".join(parts), (len(parts[0]), len(made[0]))
    # the block shown twice or changed by its frame, or a mark in the page's own text:
    # rendered again as it is
    return _rendered(template, template.new_context(context)), None


def _rendered(template: jinja2.Template, ctx: jinja2.runtime.Context) -> str:
    """What `Template.render` does once it has its context."""
    try:
        return template.environment.concat(template.root_render_func(ctx))
    except Exception:
        template.environment.handle_exception()
