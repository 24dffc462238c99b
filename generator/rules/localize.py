"""Which version of each item every language's site shows.

Items sharing a `translation_key` are one story in several languages. A site
language shows its own version; without one, it shows the default language's
version (else the first available) marked as not yet translated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from generator.model import Announcement, Course, Page, Programme

Item = TypeVar("Item", Announcement, Page, Programme, Course)


@dataclass(frozen=True)
class Localized(Generic[Item]):
    """One item as shown under one site language."""

    item: Item
    lang: str  # the site language it is shown under
    versions: tuple[Item, ...]  # every real version of the story, in site-language order

    @property
    def fallback(self) -> bool:
        return self.item.lang != self.lang

    @property
    def key(self) -> str:
        return self.item.translation_key


def localize(items: Iterable[Item], languages: tuple[str, ...]) -> dict[str, list[Localized[Item]]]:
    """Every language → one Localized per translation group, sorted by translation key."""
    groups: dict[str, dict[str, Item]] = defaultdict(dict)
    for item in items:
        groups[item.translation_key][item.lang] = item
    result: dict[str, list[Localized[Item]]] = {lang: [] for lang in languages}
    for key in sorted(groups):
        by_lang = groups[key]
        versions = tuple(by_lang[lang] for lang in languages if lang in by_lang)
        for lang in languages:
            chosen = by_lang.get(lang) or versions[0]
            result[lang].append(Localized(chosen, lang, versions))
    return result
