"""When an item is shown: drafts, scheduled dates and expiry, against `today`."""

from __future__ import annotations

from datetime import date

from generator.model import Announcement, Page


def is_published(item: Announcement | Page, today: date, *, drafts: bool = False) -> bool:
    """Drafts only with --drafts; a future date keeps an announcement out of every output."""
    if item.draft and not drafts:
        return False
    return not (isinstance(item, Announcement) and item.date > today)


def is_current(item: Announcement, today: date) -> bool:
    """`expires` is the first day an item is no longer current (it stays in the archive)."""
    return item.expires is None or today < item.expires
