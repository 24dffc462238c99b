"""Which version of each item every language's site shows.

Items sharing a `translation_key` are one story in several languages. A site
language shows its own version; without one, it shows the default language's
version (else the first available) marked as not yet translated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Generic, TypeVar

from generator.cache import Memo
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

    @property
    def others(self) -> tuple[Item, ...]:
        """The story's versions in the other site languages (its page links to them)."""
        return tuple(version for version in self.versions if version.lang != self.lang)


def localize(
    items: Iterable[Item], languages: tuple[str, ...], memo: Memo | None = None
) -> dict[str, list[Localized[Item]]]:
    """Every language → one Localized per translation group, sorted by translation key.
    With a `memo` (the live preview), a group whose versions are the same objects as at
    the last rebuild gives the same Localized objects (so what was worked out from them
    is found again)."""
    groups: dict[str, dict[str, Item]] = defaultdict(dict)
    for item in items:
        groups[item.translation_key][item.lang] = item
    result: dict[str, list[Localized[Item]]] = {lang: [] for lang in languages}

    def shown(by_lang: dict[str, Item], versions: tuple[Item, ...]) -> tuple[Localized[Item], ...]:
        return tuple(Localized(by_lang.get(lang) or versions[0], lang, versions) for lang in languages)

    for key in sorted(groups):
        by_lang = groups[key]
        versions = tuple(by_lang[lang] for lang in languages if lang in by_lang)
        if memo is None:
            each = shown(by_lang, versions)
        else:
            remembered = ("localized", type(versions[0]).__name__, key, languages)
            each = memo.recall(remembered, versions, partial(shown, by_lang, versions))
        for lang, localized in zip(languages, each, strict=True):
            result[lang].append(localized)
    return result
