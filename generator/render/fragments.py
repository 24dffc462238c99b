"""Parts of a page that every page of a language shows alike: `{% shared %}…{% endshared %}`.

The site's header and footer are the same on every page but for their links (relative to
the page) and the mark of the page being read (`aria-current`). A shared block is rendered
once per language and build with `url()` and `current()` leaving slots in it, and each
page fills the slots in: the same bytes as rendering the block on every page, for a
fraction of the work (a template's calls cost more than the text they write).

A shared block may read only what is the same on every page of a language: the
environment's globals (`lang`, `_`, the path functions…), `config`, `site_view`, `today`,
`base_url`, `links` and the names it sets itself. Any other name (`page_path`, the page's
own values, an imported macro module) is a template error at the line that reads it. The
slots are what `url()` and `current()` return: inside a shared block they are written out as
they are, `{{ url(…) }}`, or the template is refused.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from jinja2 import nodes
from jinja2.environment import Environment
from jinja2.ext import Extension
from jinja2.parser import Parser
from jinja2.runtime import Context, Macro
from markupsafe import Markup, escape

from generator.errors import GeneratorError
from generator.urls import is_plain, pretty, relative_url

# What a block may read besides the globals and its own names: the same on every page of
# a language in one build (a restricted tree's build has its own views: the block is
# rendered once per distinct set of these values, compared by identity).
SAME_ON_EVERY_PAGE = ("base_url", "config", "links", "site_view", "today")
KEPT = 8  # renderings kept per block (one per language view, in practice)
CURRENT = Markup(' aria-current="page"')

Slot = tuple[str, str, bool]  # (what: "url" | "page" | "section", target, escaped)
Parts = tuple[str | Slot, ...]

_CAPTURE = threading.local()  # .slots while a block is rendered once (the preview renders in threads)


def slot(what: str, target: str, escaped: bool) -> Markup | None:
    """While a shared block is rendered once: a mark standing for `what` of `target`, filled
    in for each page. Otherwise None: the caller answers for its page."""
    slots: list[Slot] | None = getattr(_CAPTURE, "slots", None)
    if slots is None:
        return None
    slots.append((what, target, escaped))
    return Markup(f"\x00{len(slots) - 1}\x00")


def is_current(page_path: str, target: str, section: bool) -> bool:
    """Whether the page at `page_path` is `target` (with `section`, or is below it)."""
    return page_path.startswith(pretty(target)) if section else page_path == target


class Fragment:
    """A shared block rendered once, cut at its slots, and its text for each place a page
    can be. A link depends on the page's folder only through the folder above it, unless
    it leads into the page's own folder; so the pages of one folder (every announcement of
    a language) share one text, marks aside."""

    def __init__(self, parts: Parts) -> None:
        self.parts = parts
        slots = [part for part in parts if not isinstance(part, str)]
        urls = [target for what, target, _ in slots if what == "url"]
        self.marks = tuple((target, what == "section") for what, target, _ in slots if what != "url")
        # every folder a link leads into: a page in one of them is filled in on its own
        self.inside = {target[: i + 1] for target in urls for i, c in enumerate(target) if c == "/"} | {
            target.rstrip("/") + "/" for target in urls
        }
        self.plain = all(is_plain(target) for target in urls)
        self._filled: dict[tuple[object, ...], Markup] = {}

    def fill(self, page_path: str) -> Markup:
        """The block's text for the page at `page_path`."""
        if not (self.plain and is_plain(page_path)):
            return _fill(self.parts, page_path)
        folder = page_path[: page_path.rfind("/") + 1]
        above = folder[: folder.rfind("/", 0, len(folder) - 1) + 1] if folder else ""
        where = folder if folder in self.inside else above
        key = (where, len(folder.split("/")), *(is_current(page_path, t, s) for t, s in self.marks))
        text = self._filled.get(key)
        if text is None:
            text = self._filled[key] = _fill(self.parts, page_path)
        return text


def _fill(parts: Parts, page_path: str) -> Markup:
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        what, target, escaped = part
        if what == "url":
            url = relative_url(target, page_path)
            out.append(escape(url) if escaped else url)
        elif is_current(page_path, target, what == "section"):
            out.append(CURRENT)
    return Markup("".join(out))


class SharedExtension(Extension):
    """The `{% shared %}` tag (see the module's docstring)."""

    tags = {"shared"}  # noqa: RUF012 (Jinja's own attribute)

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        self._made: dict[str, list[tuple[tuple[object, ...], Fragment]]] = {}

    def bind(self, environment: Environment) -> SharedExtension:
        """An overlay's (one build's): renderings of its own."""
        bound = super().bind(environment)
        assert isinstance(bound, SharedExtension)
        bound._made = {}
        return bound

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        if getattr(parser, "_in_shared", False):
            parser.fail("a shared block cannot hold another shared block", lineno)
        parser._in_shared = True  # type: ignore[attr-defined]
        try:
            body = parser.parse_statements(("name:endshared",), drop_needle=True)
        finally:
            parser._in_shared = False  # type: ignore[attr-defined]
        reads = self._reads(body, parser)
        block = f"{parser.name or '<string>'}:{lineno}"
        call = self.call_method(
            "_render", [nodes.ContextReference(), nodes.Const(block), nodes.Const(reads)], lineno=lineno
        )
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _reads(self, body: list[nodes.Node], parser: Parser) -> tuple[str, ...]:
        """The names of SAME_ON_EVERY_PAGE the block reads. A name that may differ from page
        to page is refused, and so is a slot not written out as it is."""
        every = [found for node in body for found in (node, *node.find_all(nodes.Node))]
        written = {id(expr) for node in every if isinstance(node, nodes.Output) for expr in node.nodes}
        for node in every:
            if (
                isinstance(node, nodes.Call)
                and isinstance(node.node, nodes.Name)
                and node.node.name in ("url", "current")
                and id(node) not in written
            ):
                parser.fail(
                    f"inside a shared block, write {node.node.name}() on its own: "
                    f"{{{{ {node.node.name}(…) }}}} (it leaves a slot filled in for each page)",
                    node.lineno,
                )
        names = [node for node in every if isinstance(node, nodes.Name)]
        own = {name.name for name in names if name.ctx in ("store", "param")}
        if any(isinstance(node, nodes.For) for node in every):
            own.add("loop")
        reads: set[str] = set()
        for name in names:
            if name.ctx != "load" or name.name in own or name.name in self.environment.globals:
                continue
            if name.name not in SAME_ON_EVERY_PAGE:
                parser.fail(
                    f"a shared block (the same on every page of a language) cannot read "
                    f'"{name.name}"; it may read {", ".join(SAME_ON_EVERY_PAGE)} and the globals, '
                    "and write links with url() and the current page's mark with current()",
                    name.lineno,
                )
            reads.add(name.name)
        return tuple(sorted(reads))

    def _render(self, context: Context, block: str, reads: tuple[str, ...], caller: Macro) -> Markup:
        values = tuple(context.resolve_or_missing(name) for name in reads)
        made = self._made.setdefault(block, [])
        same = (f for known, f in made if all(a is b for a, b in zip(known, values, strict=True)))
        fragment = next(same, None)
        if fragment is None:
            fragment = Fragment(_capture(caller, block))
            made.append((values, fragment))
            del made[:-KEPT]
        return fragment.fill(context["page_path"])


class SharedTag(Extension):
    """`{% shared %}` read as the text it holds, unchecked: for `make i18n`, whose message
    extraction has none of the globals the block is checked against (babel.cfg)."""

    tags = {"shared"}  # noqa: RUF012 (Jinja's own attribute)

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        return nodes.Scope(parser.parse_statements(("name:endshared",), drop_needle=True)).set_lineno(lineno)


def _capture(caller: Macro, block: str) -> Parts:
    """The block rendered once, cut at its slots."""
    slots: list[Slot] = []
    _CAPTURE.slots = slots
    try:
        text = str(caller())
    finally:
        del _CAPTURE.slots
    pieces = text.split("\x00")
    if len(pieces) != 2 * len(slots) + 1 or not all(p.isdigit() for p in pieces[1::2]):
        name, _, line = block.rpartition(":")
        raise GeneratorError(
            "a shared block's text cannot be cut at its links: it holds a NUL character",
            path=Path(name),
            line=int(line),
            hint="remove the NUL character (\\u0000) from the settings or texts the block shows",
        )
    return tuple(piece if index % 2 == 0 else slots[int(piece)] for index, piece in enumerate(pieces))


def current_mark(context: Context, target: str, section: bool = False) -> Any:
    """` aria-current="page"` on the page `target` (with `section`: on it and below it)."""
    marked = slot("section" if section else "page", target, True)
    if marked is not None:
        return marked
    return CURRENT if is_current(context["page_path"], target, section) else Markup("")
