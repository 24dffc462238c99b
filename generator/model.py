"""The content model: frozen value objects, no I/O, no imports from other stages.

Every item knows where it came from (`source`, `line`) so any later stage can
point the author at the right place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

CATEGORIES = ("news", "celebration", "policy", "service", "certification", "training", "event")

# Links in Markdown bodies that point into the site (e.g. `media/plan.pdf`) are
# stored with this prefix and resolved when a page is rendered, because the same
# body is shown at different depths (site pages) and as absolute links (feeds).
SITE_ROOT = "intranet-site-root:"


@dataclass(frozen=True)
class Announcement:
    source: Path
    line: int
    slug: str
    title: str
    date: dt.date
    lang: str
    translation_key: str
    body_html: str
    summary: str
    category: str = "news"
    expires: dt.date | None = None
    author: str = ""
    tags: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    pinned: bool = False
    image: str | None = None
    image_alt: str = ""
    draft: bool = False


@dataclass(frozen=True)
class Page:
    """A standing page: who to contact, responsibilities, the communication plan."""

    source: Path
    line: int
    slug: str
    title: str
    lang: str
    translation_key: str
    body_html: str
    summary: str = ""
    order: int = 100
    audience: tuple[str, ...] = ()
    draft: bool = False


@dataclass(frozen=True)
class MediaFile:
    source: Path
    rel_path: str  # "/"-separated, relative to content/media/


@dataclass(frozen=True)
class Site:
    announcements: tuple[Announcement, ...]
    pages: tuple[Page, ...]
    media: tuple[MediaFile, ...]


@dataclass(frozen=True)
class OutputFile:
    """One file to publish: its path relative to the output folder, its bytes, and
    the source that produced it (named when two outputs collide)."""

    path: str  # "/"-separated, e.g. "site/es/news/index.html"
    data: bytes
    source: str
    copy_from: Path | None = None  # large files (media) are copied, not held in memory
