"""The Jinja environment: one per language, autoescaping, strict about undefined names.

Templates come from the project's `templates/` first, then the built-in ones,
so a company overrides a template by copying it. Template mistakes become
GeneratorErrors that name the template file and line.
"""

from __future__ import annotations

import functools
import gettext
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any

import jinja2
import jinja2.compiler
import markupsafe
from babel.core import Locale
from babel.dates import format_date, format_interval, format_skeleton, get_day_names
from babel.numbers import format_decimal
from jinja2.runtime import Macro
from jinja2.utils import _PassArg
from markupsafe import Markup, escape

from generator.cache import code_digest, digest
from generator.errors import GeneratorError
from generator.i18n import load_translations
from generator.model import SITE_ROOT, Occurrence
from generator.render.calendars import moved_note
from generator.render.charts import format_value, line_chart, period_label
from generator.render.clock import time_span
from generator.render.contents import Frames, Place, render_framed
from generator.render.fragments import SharedExtension, current_mark, slot
from generator.render.labels import category_name, filter_name, kind_name
from generator.render.links import Links
from generator.render.qr import qr_code
from generator.resources import BUILTIN_TEMPLATES
from generator.rules.agenda import FILTERS
from generator.urls import PATHS, pretty, relative_url, root_prefix, slugify

KEPT = 20_000  # texts kept by an environment's formatting functions, held for every build after
_ENVIRONMENTS: dict[tuple[tuple[str, ...], str], jinja2.Environment] = {}


class Templates:
    def __init__(self, project_templates: Path, compiled: Path | None = None) -> None:
        """`compiled`: a folder where compiled templates are kept between builds (the
        project's cache), or None to compile them in memory only."""
        self.project_dir = project_templates
        self._search = tuple(str(p) for p in (project_templates, BUILTIN_TEMPLATES) if p.is_dir())
        self._compiled = compiled
        self._view_attributes: dict[tuple[str, str], frozenset[str] | None] = {}
        self._own_attributes: dict[tuple[str, str], tuple[frozenset[str], list[str]] | None] = {}
        self._any_language = "en"
        self._envs: dict[str, jinja2.Environment] = {}  # this build's, by language
        # read first: a template loaded later is at least as new as what this digest says
        self.fingerprint = self._fingerprint()

    def _fingerprint(self) -> str:
        """Every template file's name and bytes, the project's and the built-in ones."""
        parts: list[str | bytes] = []
        self._files: dict[str, bytes] = {}  # by name, as the loader finds it: the project's first
        for base in self._search:
            for path in sorted(Path(base).rglob("*")):
                if path.is_file():
                    name, data = path.relative_to(base).as_posix(), path.read_bytes()
                    parts += [name, data]
                    self._files.setdefault(name, data)
        return digest(*self._search, *parts)

    def digest_of(self, *names: str) -> str:
        """The digest of templates `names` and of every template they extend, include or
        import, as read when the build started: what a page made with them depends on, so
        that editing one template re-renders only the pages that use it. The digest of every
        template (`fingerprint`) when one of them names another by a variable."""
        found: set[str] = set()
        waiting = list(names)
        while waiting:
            name = waiting.pop()
            if name in found:
                continue
            data = self._files.get(name)
            others = _references(data.decode("utf-8", "replace")) if data is not None else None
            if others is None:
                return self.fingerprint
            found.add(name)
            waiting += others
        return digest(
            "templates",
            *(part for name in sorted(found) for part in (name, self._files[name])),
        )

    def view_attributes(self, name: str, variable: str = "site_view") -> frozenset[str] | None:
        """What template `name` reads of `variable` (e.g. {"pages"} of `site_view`), with the
        templates it extends, includes and imports, found in their text; None when one of
        them uses the variable whole (passes it to a macro, loops over it) or names a
        template by a variable."""
        if (name, variable) not in self._view_attributes:
            self._view_attributes[(name, variable)] = self._find_view_attributes(name, variable, set())
        return self._view_attributes[(name, variable)]

    def _find_view_attributes(self, name: str, variable: str, seen: set[str]) -> frozenset[str] | None:
        seen.add(name)
        own = self._own_view_attributes(name, variable)
        if own is None:
            return None
        names, others = own
        found = set(names)
        for other in others:
            if other not in seen:
                more = self._find_view_attributes(other, variable, seen)
                if more is None:
                    return None
                found |= more
        return frozenset(found)

    def _own_view_attributes(self, name: str, variable: str) -> tuple[frozenset[str], list[str]] | None:
        """What template `name`'s own text reads of `variable`, and the templates it names;
        None as for view_attributes. Each text is read and searched once per build: every
        page template extends the base and imports the macros."""
        key = (name, variable)
        if key not in self._own_attributes:
            env = self.env(self._any_language)
            source = env.loader.get_source(env, name)[0] if env.loader is not None else ""
            names: set[str] = set()
            for match in re.finditer(rf"\b{re.escape(variable)}\b(\.(\w+))?", source):
                if match.group(2) is None:
                    self._own_attributes[key] = None
                    return None
                names.add(match.group(2))
            others = _references(source)
            self._own_attributes[key] = None if others is None else (frozenset(names), others)
        return self._own_attributes[key]

    def env(self, lang: str) -> jinja2.Environment:
        """The language's environment for this build. It loads each template once and
        does not look at its file again (a page uses four; a site has tens of thousands
        of pages): the next build (the preview's next rebuild) has its own. The compiled
        templates are kept between builds: in the project's cache, else in memory."""
        env = self._envs.get(lang)
        if env is None:
            key = (self._search, lang)
            if key not in _ENVIRONMENTS:
                _ENVIRONMENTS[key] = _environment(self._search, lang)
            env = self._envs[lang] = _ENVIRONMENTS[key].overlay(
                auto_reload=False, cache_size=400, bytecode_cache=self._bytecode
            )
        return env

    @functools.cached_property
    def _bytecode(self) -> jinja2.BytecodeCache:
        return _bytecode_cache(self._compiled)

    def render(self, name: str, lang: str, page_path: str, **context: Any) -> str:
        """Render `name` for the page at `page_path` (relative to the site root)."""
        with _template_errors(name):
            return self.env(lang).get_template(name).render(page_path=page_path, **context)

    def render_page(
        self, name: str, lang: str, page_path: str, block: str | None, **context: Any
    ) -> tuple[str, Place | None]:
        """`render`, for a page template whose block is apart from its frame
        (render/contents.py): with `block`, that text stands for its block; without, the
        block's place in the page, when it is found."""
        with _template_errors(name):
            template = self.env(lang).get_template(name)
            return render_framed(template, {"page_path": page_path, **context}, block)

    def source(self, name: str) -> str | None:
        """A template's text, as the build found it when it started."""
        data = self._files.get(name)
        return data.decode("utf-8", "replace") if data is not None else None

    def references(self, name: str) -> list[str] | None:
        """The templates `name`'s text extends, includes or imports; None when it names
        one by a variable (or there is no such template)."""
        text = self.source(name)
        return _references(text) if text is not None else None

    @functools.cached_property
    def frames(self) -> Frames:
        """Which page templates' block is apart from their frame, this build."""
        return Frames(self.source, self.references, self.env(self._any_language))

    def attributes_read(self, names: Iterable[str], variable: str) -> frozenset[str] | None:
        """What the texts of templates `names` themselves read of `variable` (see
        view_attributes), without following what they name."""
        found: set[str] = set()
        for name in names:
            own = self._own_view_attributes(name, variable)
            if own is None:
                return None
            found |= own[0]
        return frozenset(found)


@contextmanager
def _template_errors(name: str) -> Iterator[None]:
    """A template's mistakes while it renders, as GeneratorErrors naming its file and line."""
    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        raise GeneratorError(
            f"template error: {exc.message}",
            path=Path(exc.filename) if exc.filename else Path(name),
            line=exc.lineno,
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise GeneratorError(f"template not found: {exc.name}", path=Path(name)) from None
    except jinja2.UndefinedError as exc:
        path, line = _template_frame(exc)
        raise GeneratorError(f"template error: {exc.message}", path=path, line=line) from None


_REFERENCE = re.compile(r"\{%[-+]?\s*(?:extends|include|import|from)\s+(\S+)")
_LITERAL = re.compile(r"([\"'])(.+)\1")


def _references(source: str) -> list[str] | None:
    """The templates a template's text extends, includes or imports; None when it names
    one by anything but a plain string."""
    found = []
    for tag in _REFERENCE.finditer(source):
        literal = _LITERAL.fullmatch(tag.group(1))
        if literal is None:
            return None
        found.append(literal.group(2))
    return found


class _InMemory(jinja2.BytecodeCache):  # one for the process: see _IN_MEMORY
    """Compiled templates kept in this process, each checked against its template's source."""

    def __init__(self) -> None:
        self._kept: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        kept = self._kept.get(bucket.key)
        if kept is not None:
            bucket.bytecode_from_string(kept)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._kept[bucket.key] = bucket.bytecode_to_string()


_IN_MEMORY = _InMemory()


def _bytecode_cache(folder: Path | None) -> jinja2.BytecodeCache:
    """Jinja's own cache of compiled templates, checked against each template's source.
    Its folder is named after the code and Jinja's version (the environment's options
    and globals live in the code), and folders of other versions are removed. Without
    a folder, or where it cannot be written, they are kept in memory."""
    if folder is None:
        return _IN_MEMORY
    here = folder / f"templates-{digest(code_digest(), jinja2.__version__)[:16]}"
    try:
        for old in folder.glob("templates-*"):
            if old != here:
                shutil.rmtree(old, ignore_errors=True)
        here.mkdir(parents=True, exist_ok=True)
    except OSError:
        return _IN_MEMORY  # a read-only cache only makes the build slower
    return jinja2.FileSystemBytecodeCache(str(here))


def _environment(search: tuple[str, ...], lang: str) -> jinja2.Environment:
    """The language's environment: its options, globals and filters (each build loads its
    templates in an overlay of it, Templates.env)."""
    env = _Environment(
        loader=jinja2.FileSystemLoader(search),
        autoescape=jinja2.select_autoescape(disabled_extensions=("txt",), default=True),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n", SharedExtension],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    _install_gettext(env, load_translations(lang))
    env.globals.update(
        url=_url,
        lang=lang,
        language_name=_language_name,
        language_in=functools.cache(lambda code: Locale.parse(code).get_display_name(lang) or code),
        gettext_in=_gettext_in,
        **PATHS,  # every page and file path, by the name urls.py gives it
        pretty=pretty,
        in_section=_in_section,
        current=jinja2.pass_context(current_mark),
        feed_name=lambda feed: filter_name(feed, lang),
        filter_name=lambda name: filter_name(name, lang),
        category_name=lambda category: category_name(category, lang),
        kind_name=lambda kind: kind_name(kind, lang),
        moved_note=lambda entry: moved_note(entry, lang),
        weekday_names=functools.cache(lambda first: _weekday_names(lang, first)),
        month_name=functools.lru_cache(maxsize=KEPT)(
            lambda day: _capitalized(format_date(day, "LLLL y", locale=lang))
        ),
        day_span=functools.lru_cache(maxsize=KEPT)(
            lambda first, last: format_interval(first, last, "yMMMd", locale=lang)
        ),  # the days a list page's items span, from `first` to `last`: "Mar 17 – Apr 3, 2024"
        kinds_of=FILTERS,
        value_text=lambda value, definition: format_value(value, definition.unit, definition.decimals, lang),
        period_of=lambda day, period: period_label(day, period, lang),
        chart=lambda indicator, title, description, target_label: Markup(
            line_chart(
                f"chart-{indicator.definition.id}",
                [(p.date, p.value) for p in indicator.points],
                title=title,
                description=description,
                unit=indicator.definition.unit,
                decimals=indicator.definition.decimals,
                lang=lang,
                target=indicator.definition.target,
                target_label=target_label,
            )
        ),
        first_weekday=Locale.parse(lang).first_week_day,
        when=_when_in(lang),
        picture=_picture,
        qr_code=qr_code,
        number=lambda value, decimals=0: format_decimal(
            round(value, decimals), format="#,##0" + ("." + "0" * decimals if decimals else ""), locale=lang
        ),
    )
    env.filters.update(
        day=_day_filter(lang),
        body=_body,
        site_url=_site_url,
        slug=slugify,
    )
    return env


# Callables whose `__call__` is their type's own slot, which no decorator marks: only the
# object itself may carry a `pass_context`-style mark (a method, its function's; a cached
# function, the one it wraps)
_PLAIN_CALLS = frozenset({FunctionType, MethodType, BuiltinFunctionType, type(functools.cache(len))})


class _Context(jinja2.runtime.Context):
    """Jinja's context, whose `call` (every function and macro a template calls: some 35
    on a story's page) finds a function's `pass_context`-style mark with one look-up
    instead of Jinja's three, two of them on a bound `__call__` made for the purpose. What
    it then does is Jinja's own `Context.call`."""

    def call(__self, __obj: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        kind = type(__obj)
        if kind is Macro:  # its type's __call__ takes the evaluation context
            args = (__self.eval_ctx, *args)
        elif kind in _PLAIN_CALLS:
            mark = getattr(__obj, "jinja_pass_arg", None)
            if mark is _PassArg.context:
                context: jinja2.runtime.Context = __self
                if kwargs.get("_loop_vars"):
                    context = context.derived(kwargs["_loop_vars"])
                if kwargs.get("_block_vars"):
                    context = context.derived(kwargs["_block_vars"])
                args = (context, *args)
            elif mark is _PassArg.eval_context:
                args = (__self.eval_ctx, *args)
            elif mark is _PassArg.environment:
                args = (__self.environment, *args)
        else:
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


_escape_inner: Callable[[str], str] = getattr(markupsafe, "_escape_inner", lambda text: str(escape(text)))


def _escaped_text(value: Any) -> str:
    """`str(markupsafe.escape(value))`, without making the Markup object that escape
    returns: a value a template writes out is joined into the page as text at once."""
    if type(value) is str:
        return _escape_inner(value)
    if hasattr(value, "__html__"):
        return value.__html__()  # type: ignore[no-any-return]
    return _escape_inner(str(value))


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's, but a value a template writes out (`{{ value }}`, escaped) is escaped by
    `_escaped_text`: the same text, without a Markup object per value (some 50 a story's
    page, 250 a calendar page: 12-17 % of rendering every page at 1,000 announcements).
    Where autoescaping is decided while rendering, Jinja's own code is written."""

    def _output_child_pre(self, node: jinja2.nodes.Expr, frame: jinja2.compiler.Frame, finalize: Any) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escaped_text(")
        if finalize.src is not None:
            self.write(finalize.src)


class _Environment(jinja2.Environment):
    """Jinja's environment, with each template's globals in one plain dict: a page's
    contexts (the page's, each import's) copy them all, and copying Jinja's default
    (a view over the environment's globals) costs several times more. The globals are
    all set before the first template is loaded, and never changed."""

    context_class = _Context
    code_generator_class = _CodeGenerator
    escaped_text = staticmethod(_escaped_text)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def _install_gettext(env: jinja2.Environment, translations: gettext.NullTranslations) -> None:
    """Jinja's new-style `_` and `gettext` (the message is a format string, escaped where
    the template escapes), each message's result kept: a page asks for some twenty, and
    Jinja's own goes through three layers of calls for each."""
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    found: dict[tuple[str, bool], str] = {}

    @jinja2.pass_eval_context  # not the context: Jinja copies that for a call in a loop or block
    def translated(eval_ctx: jinja2.nodes.EvalContext, message: str, /, **variables: Any) -> str:
        escaped = eval_ctx.autoescape
        if variables:
            text = translations.gettext(message)
            return (Markup(text) if escaped else text) % variables
        known = found.get((message, escaped))
        if known is None:
            text = translations.gettext(message)
            known = found[(message, escaped)] = (Markup(text) if escaped else text) % {}
        return known

    env.globals.update(_=translated, gettext=translated)


@jinja2.pass_context
def _url(context: jinja2.runtime.Context, target: str) -> str:
    marked = slot("url", target, context.eval_ctx.autoescape)  # in a shared block (render/fragments.py)
    return marked if marked is not None else relative_url(target, context["page_path"])


@jinja2.pass_context
def _in_section(context: jinja2.runtime.Context, section_page: str) -> bool:
    """Whether this page is the section's page or below it (the menu marks that section)."""
    return str(context["page_path"]).startswith(pretty(section_page))


def _when_in(lang: str) -> Callable[..., str]:
    """`when(entry, named)`: an entry's time of day for this page's reader (render/clock.py),
    each entry's worked out once per build: a calendar page shows a year of entries, and
    the pages of every office and filter show the same ones."""
    known: dict[tuple[int, int, bool], tuple[Occurrence, object, str]] = {}

    @jinja2.pass_context
    def when(context: jinja2.runtime.Context, entry: Occurrence, named: bool = True) -> str:
        config = context["config"]
        key = (id(entry), id(config), named)
        kept = known.get(key)
        if kept is None or kept[0] is not entry or kept[1] is not config:  # not one since reused
            if len(known) >= KEPT:
                known.clear()
            kept = known[key] = (entry, config, time_span(entry, lang, config, named=named))
        return kept[2]

    return when


@jinja2.pass_context
def _body(context: jinja2.runtime.Context, html: str) -> Markup:
    """Sanitized body HTML with its site links made relative to this page (render/links.py)."""
    links: Links = context["links"]
    return Markup(links.relative_body(html, context["page_path"], context["lang"]))


@jinja2.pass_context
def _picture(context: jinja2.runtime.Context, marked: str, alt: str) -> Markup:
    """An announcement's picture at the sizes made of it (render/links.py), not lazily
    loaded: it is at the top of the page."""
    links: Links = context["links"]
    return links.picture(marked, alt, context["page_path"], lazy=False)


@jinja2.pass_context
def _site_url(context: jinja2.runtime.Context, value: str) -> str:
    """A site link stored by the loader (e.g. an announcement's image), relative to this page."""
    return value.replace(SITE_ROOT, root_prefix(context["page_path"]), 1)


def _weekday_names(lang: str, first: int) -> list[tuple[str, str]]:
    """(abbreviated, full) weekday names in the locale's order, starting on `first`."""
    short, full = get_day_names("abbreviated", locale=lang), get_day_names("wide", locale=lang)
    return [(short[(first + i) % 7], full[(first + i) % 7]) for i in range(7)]


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _gettext_in(code: str, message: str) -> str:
    """`message` in another language than the page's (pages that speak every language)."""
    return load_translations(code).gettext(message)


def _day_filter(lang: str) -> Callable[[date, str], str]:
    locale = Locale.parse(lang)  # once, not for every date of every page
    known: dict[tuple[date, str], str] = {}  # a story's date is on its page and on every list of it

    def day(value: date, form: str = "long") -> str:
        """A standard form (short, medium, long, full) or a CLDR skeleton such as "MMMEd"."""
        key = (value, form)
        found = known.get(key)
        if found is None:
            if form in ("short", "medium", "long", "full"):
                found = format_date(value, format=form, locale=locale)
            else:
                found = format_skeleton(form, value, locale=locale)
            known[key] = found
        return found

    return day


@functools.cache
def _language_name(code: str) -> str:
    """A language's own name, e.g. "français"."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def _template_frame(exc: BaseException) -> tuple[Path, int | None]:
    tb = exc.__traceback__
    found: tuple[Path, int | None] = (Path("templates"), None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            found = (Path(filename), tb.tb_lineno)
        tb = tb.tb_next
    return found
