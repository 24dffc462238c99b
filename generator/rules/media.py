"""Which files of content/media/ each tree publishes.

A picture or document used by a restricted item is private like the item: it is
published only into the trees whose items use it. Every other file of content/media/
(used by items every tree shows, or by none, and the brand's logo and favicon) is
published everywhere, as it is.
"""

from __future__ import annotations

from urllib.parse import unquote

from generator.cache import Memo
from generator.config import Config
from generator.model import CONTENT_REF, SITE_ROOT, Announcement, Kudos, MediaFile, Page, Programme, Site
from generator.rules.audience import is_visible
from generator.urls import split_url

Item = Announcement | Page | Kudos | Programme


def media_used(item: Item) -> set[str]:
    """The media files (their paths in content/media/) an item's image and body use."""
    written: list[str] = [link.target for link in item.links]
    if isinstance(item, Announcement) and item.image:
        written.append(item.image)
    found = set()
    for target in written:
        if "media/" not in target and "%" not in target:
            continue  # most links are to pages: no need to take them apart
        path = unquote(split_url(target.removeprefix(SITE_ROOT).removeprefix(CONTENT_REF))[0])
        path = path.lstrip("/")
        if path.startswith("media/"):
            found.add(path.removeprefix("media/"))
    return found


def published_media(
    config: Config, site: Site, scope: str | None = None, memo: Memo | None = None
) -> tuple[MediaFile, ...]:
    """The media files of the tree for `scope` (None: the main site): those its items use,
    and those no item kept out of it uses. `memo`: the live preview's (see cache.Memo)."""
    shown: set[str] = set()
    withheld: set[str] = set()
    items: tuple[Item, ...] = (*site.announcements, *site.pages, *site.kudos, *site.programmes)
    uses = map(media_used, items) if memo is None else memo.apply_all(("media", scope), media_used, items)
    for item, used in zip(items, uses, strict=True):
        if not used:
            continue
        if is_visible(item.audience, config, scope):
            shown |= used
        else:
            withheld |= used
    shown |= {name for name in (config.brand.logo, config.brand.favicon) if name}  # every tree shows them
    return tuple(m for m in site.media if m.rel_path in shown or m.rel_path not in withheld)
