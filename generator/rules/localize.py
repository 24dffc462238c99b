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

from generator.cache import Memo, changes
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
    With a `memo` (the live preview), a group none of whose versions changed since the
    last rebuild keeps its Localized objects (so what was worked out from them is found
    again); only the groups of the items made, changed or removed are worked out."""
    items = tuple(items)
    if memo is None or not items:
        shown = {key: _shown(by_lang, languages) for key, by_lang in _grouped(items).items()}
    else:
        remembered = ("localized", type(items[0]).__name__, languages)
        shown = memo.carry(remembered, partial(_again, items, languages))[1]
    columns = list(zip(*(shown[key] for key in sorted(shown)), strict=True)) or [()] * len(languages)
    return {lang: list(column) for lang, column in zip(languages, columns, strict=True)}


Shown = dict[str, tuple[Localized[Item], ...]]  # translation key → the group under each language


def _grouped(items: Iterable[Item]) -> dict[str, dict[str, Item]]:
    groups: dict[str, dict[str, Item]] = defaultdict(dict)
    for item in items:
        groups[item.translation_key][item.lang] = item
    return groups


def _shown(by_lang: dict[str, Item], languages: tuple[str, ...]) -> tuple[Localized[Item], ...]:
    versions = tuple(by_lang[lang] for lang in languages if lang in by_lang)
    return tuple(Localized(by_lang.get(lang) or versions[0], lang, versions) for lang in languages)


def _again(
    items: tuple[Item, ...],
    languages: tuple[str, ...],
    last: tuple[tuple[Item, ...], Shown[Item]] | None,
) -> tuple[tuple[Item, ...], Shown[Item]]:
    """The groups of `items`, from the `last` rebuild's where their versions are the same."""
    if last is None:
        return items, {key: _shown(by_lang, languages) for key, by_lang in _grouped(items).items()}
    before, shown = last
    new, gone = changes(before, items)
    changed = {item.translation_key for item in new} | {item.translation_key for item in gone}
    if not changed:
        return items, shown
    shown = dict(shown)
    regrouped = _grouped(item for item in items if item.translation_key in changed)
    for key in changed:
        if key in regrouped:
            shown[key] = _shown(regrouped[key], languages)
        else:
            shown.pop(key)
    return items, shown
