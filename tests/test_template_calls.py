"""The templates' context calls functions and macros as Jinja's own does: the same
arguments (the context, the evaluation context or the environment where a function asks
for it), the same loop and block variables seen, the same output."""

from __future__ import annotations

import functools
from typing import Any

import jinja2
import pytest
from markupsafe import Markup

from generator.render.templates import _Context, _environment
from generator.resources import BUILTIN_TEMPLATES

TEMPLATE = """\
{%- macro card(title, note="none") -%}
<b>{{ title }}</b>/{{ note }}/{{ caller() if caller else "" }}
{%- endmacro -%}
{{ plain("a<b") }}|{{ shout("x") }}|{{ seen("name") }}|{{ env_name() }}|{{ len([1, 2]) }}|{{ box("c") }}
{{ box.loud("m") }}|{{ box.plain("p") }}|{{ cached_seen("name") }}|{{ cached_upper("q") }}|{{ "s".upper() }}
{% for name in ["one", "two"] %}{% set here = name ~ "!" %}[{{ seen("here") }} {{ plain(loop.index) }} {{ card(name) }}]{% endfor %}
{% block b %}{% set inner = "block" %}{{ seen("inner") }}{{ card("k", note="n") }}{% endblock %}
{% call card("called") %}body {{ shout("y") }}{% endcall %}
{{ stops() }}|{{ card("t", "u") }}
"""


@jinja2.pass_context
def _seen(context: jinja2.runtime.Context, name: str) -> str:
    """A variable as the calling context sees it: a loop's or a block's own names too."""
    return str(context.get(name, "-"))


@jinja2.pass_eval_context
def _shout(eval_ctx: jinja2.nodes.EvalContext, text: str) -> str:
    return f"{text.upper()}:{eval_ctx.autoescape}"


@jinja2.pass_environment
def _env_name(environment: jinja2.Environment) -> str:
    return type(environment).__name__


class _Box:
    """A callable object whose __call__ asks for the context (Jinja's own path), with
    methods that ask for the evaluation context or for nothing."""

    @jinja2.pass_context
    def __call__(self, context: jinja2.runtime.Context, text: str) -> str:
        return f"box {text} {context.get('name', '-')}"

    @jinja2.pass_eval_context
    def loud(self, eval_ctx: jinja2.nodes.EvalContext, text: str) -> str:
        return f"{text.upper()}!{eval_ctx.autoescape}"

    def plain(self, text: str) -> str:
        return f"<{text}>"


def _stops() -> str:
    raise StopIteration


def _render(context_class: type[jinja2.runtime.Context]) -> str:
    class Environment(jinja2.Environment):
        pass

    Environment.context_class = context_class
    env = Environment(autoescape=True)
    env.globals.update(
        plain=lambda value: Markup("<i>{}</i>").format(value),
        shout=_shout,
        seen=_seen,
        env_name=_env_name,
        len=len,
        box=_Box(),
        stops=_stops,
        cached_seen=functools.cache(_seen),
        cached_upper=functools.cache(str.upper),
    )
    return env.from_string(TEMPLATE).render(name="page")


def test_functions_and_macros_get_what_jinja_gives_them() -> None:
    ours, jinjas = _render(_Context), _render(jinja2.runtime.Context)
    assert ours == jinjas
    first, methods, loop, block, called, last = ours.strip().split("\n")
    assert first == "<i>a&lt;b</i>|X:True|page|Environment|2|box c page"
    assert methods == "M!True|&lt;p&gt;|page|Q|S"
    assert loop == "[one! <i>1</i> <b>one</b>/none/][two! <i>2</i> <b>two</b>/none/]"
    assert block == "block<b>k</b>/n/"
    assert called == "<b>called</b>/none/body Y:True"
    assert last == "|<b>t</b>/u/"


@pytest.mark.parametrize("lang", ["es", "fr", "en"])
def test_every_language_renders_with_that_context(lang: str) -> None:
    env = _environment((str(BUILTIN_TEMPLATES),), lang)
    template: Any = env.from_string("{{ _('Search') }}")
    assert isinstance(template.new_context(), _Context)
