"""UI strings in every language from the gettext catalogs in generator/locale/.

Catalogs are the .po files themselves, compiled in memory with Babel at build
time, so no `.mo` file and no system locale is ever needed.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@functools.cache
def load_translations(lang: str) -> NullTranslations:
    """The UI catalog for `lang`; English msgids stand where a language has none."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def in_language(texts: Mapping[str, str], lang: str, *fallbacks: str) -> str:
    """A text given per language (`{"es": …, "fr": …}`, "" for any language) in `lang`: its own,
    else the first of `fallbacks` that is there, else the one for any language, else the first
    given; "" when there is none. Every localized name and title is looked up here."""
    for key in (lang, *fallbacks, ""):
        if texts.get(key):
            return texts[key]
    return next(iter(texts.values()), "")
