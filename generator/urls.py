"""What slugs, links and edition keys are: rules every stage shares, so that loading
(file names, links in bodies), deciding (tags, editions), rendering (paths) and sending
(who gets which edition) agree without importing one another. Pure; imports nothing."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

SOURCE_SUFFIXES = (".md", ".markdown")  # a link to one of these names a content file
EVERYONE_KEY = "all"  # the company-wide newsletter edition's key (and folder)


def slugify(text: str) -> str:
    """Lowercase ASCII letters, digits and hyphens: safe in any path or URL."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def split_url(url: str) -> tuple[str, str]:
    """ "x/y.md#part" → ("x/y.md", "#part"); the query or fragment stays with the second."""
    cut = min((i for i in (url.find("#"), url.find("?")) if i >= 0), default=len(url))
    return url[:cut], url[cut:]


def edition_key(audiences: Iterable[str]) -> str:
    """ "all" for the company-wide newsletter edition, else the audience ids joined by "+"."""
    return "+".join(sorted(audiences)) or EVERYONE_KEY
