"""Every UI string in the templates is translated, with its placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from generator.i18n import LOCALE_DIR, load_translations
from tests.conftest import REPO

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def template_messages() -> set[str]:
    """What `make i18n` extracts, with its settings (babel.cfg); a template the extractor
    cannot read fails here, not quietly (`silent = false`)."""
    with (REPO / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options = parse_mapping_cfg(handle)  # type: ignore[no-untyped-call]
    messages = set()
    for folder in ("templates", "generator"):
        found = extract_from_dir(
            str(REPO / folder), method_map, options_map=options, keywords={"_": None, "gettext_in": (2,)}
        )
        messages |= {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}
    return messages


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_every_template_string_is_translated(lang: str) -> None:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    translated = {m.id: m.string for m in catalog if m.id and m.string}
    missing = sorted(template_messages() - set(translated))
    assert missing == [], f"run `make i18n` and translate these in {lang}: {missing}"
    for msgid, msgstr in translated.items():
        assert isinstance(msgid, str) and isinstance(msgstr, str)
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), msgid


def test_catalogs_are_compiled_in_memory_without_a_system_locale() -> None:
    assert load_translations("fr").gettext("Must read") == "À lire absolument"
    assert load_translations("es").gettext("Must read") == "Imprescindible"
    assert load_translations("en").gettext("Must read") == "Must read"
    assert load_translations("de").gettext("Must read") == "Must read"  # no catalog: English


def test_the_template_extraction_finds_the_strings() -> None:
    messages = template_messages()
    assert "Must read" in messages
    assert "This page could not be found." in messages  # gettext_in(code, …)
    assert "Skip to content" in messages  # base.html, whose {% shared %} blocks the extractor reads
    assert len(messages) > 30
    assert Path(LOCALE_DIR).is_dir()


def test_template_messages_are_translated_formatted_and_escaped_as_jinja_does() -> None:
    """`_` in templates: the translation, then formatted (`%%` is a percent sign, even
    without values), its values escaped in an escaping template and left alone in a
    plain-text one, the same answer each time it is asked."""
    from generator.render.templates import _environment

    env = _environment((str(REPO / "templates"),), "es")
    page = env.from_string(
        '{{ _("Home") }}|{{ _("Home") }}|{{ _("100%% <sure>") }}|{{ _("For %(audience)s", audience="<b>") }}'
    )
    assert page.render(page_path="es/index.html").split("|") == [
        "Inicio", "Inicio", "100% <sure>", "Para &lt;b&gt;",
    ]  # fmt: skip
    text = env.from_string(
        '{% autoescape false %}{{ _("For %(audience)s", audience="<b>") }}|{{ _("50%%") }}{% endautoescape %}'
    )
    assert text.render() == "Para <b>|50%"
