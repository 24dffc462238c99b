"""What a template writes out is escaped as Jinja escapes it: the templates' own code
generator (render/templates.py) writes each escaped value as text without making a
Markup object for it, and must give the same bytes as Jinja's."""

from __future__ import annotations

from datetime import date

import jinja2
from markupsafe import Markup

from generator.render.templates import _Environment, _escaped_text

TEMPLATE = """\
{{ text }}|{{ safe }}|{{ number }}|{{ nothing }}|{{ day }}|{{ shown }}|{{ html_like }}|{{ text ~ safe }}
{% for value in values %}[{{ value }}]{% endfor %}
{% set captured %}<{{ text }}>{% endset %}{{ captured }}|{{ captured|length }}
{% macro box(v) %}<b>{{ v }}</b>{% endmacro %}{{ box(text) }}|{{ box(safe) }}
{% autoescape flag %}{{ text }}{% endautoescape %}|{% autoescape false %}{{ text }}{% endautoescape %}
{{ "<const>" }}|{{ text|e }}|{{ text|safe }}|{{ "a & %s"|format(text) }}
"""


class _Shown:
    def __str__(self) -> str:
        return "<shown & 'quoted'>"


class _HtmlLike:
    def __html__(self) -> str:
        return "<em>already safe</em>"


VALUES = {
    "text": "Tom & \"Jerry\" <script>'x'</script>",
    "safe": Markup("<strong>ok</strong>"),
    "number": 3.5,
    "nothing": None,
    "day": date(2026, 12, 6),
    "shown": _Shown(),
    "html_like": _HtmlLike(),
    "values": ["a<b", Markup("<i>c</i>"), 7],
    "flag": True,
}


def _render(environment: type[jinja2.Environment], source: str, name: str = "page.html") -> str:
    env = environment(
        loader=jinja2.DictLoader({name: source}),
        autoescape=jinja2.select_autoescape(disabled_extensions=("txt",), default=True),
    )
    return env.get_template(name).render(**VALUES)


def test_written_values_are_escaped_as_jinja_escapes_them() -> None:
    ours, jinjas = _render(_Environment, TEMPLATE), _render(jinja2.Environment, TEMPLATE)
    assert ours == jinjas
    first = ours.split("\n")[0]
    assert first.startswith(
        "Tom &amp; &#34;Jerry&#34; &lt;script&gt;&#39;x&#39;&lt;/script&gt;|<strong>ok</strong>|"
    )
    assert "|3.5|None|2026-12-06|&lt;shown &amp; &#39;quoted&#39;&gt;|<em>already safe</em>|" in first


def test_the_templates_write_values_through_the_quicker_escape() -> None:
    """Not vacuous: the code the templates compile to calls it (and a text template,
    which is not escaped, does not)."""
    env = _Environment(autoescape=True)
    assert "environment.escaped_text(" in env.compile("{{ x }}", raw=True)
    assert "escaped_text" not in _Environment(autoescape=False).compile("{{ x }}", raw=True)
    assert _render(_Environment, "{{ text }}", "mail.txt") == VALUES["text"]


def test_the_quicker_escape_gives_markupsafes_text() -> None:
    for value in [*VALUES.values(), "", "plain", Markup(""), 0, -1.0, b"bytes"]:
        assert _escaped_text(value) == str(Markup.escape(value))
        assert type(_escaped_text(value)) in (str, Markup)
