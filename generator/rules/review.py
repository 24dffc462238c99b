"""What `intranet check` finds in content that builds: things a reader would notice but
the build lets through. Pure: the files' last-change times come from the caller.

- a pinned announcement past its expiry (still pinned, no longer shown at the top);
- a translation older than the version in the site's first language (the source text
  changed after it was translated);
- a language an item has no version in (readers of it see another language's text,
  with a note): a notice, not a problem. One by one for pages and for announcements
  still current (of the last RECENT_DAYS, pinned, or not yet published); the older ones
  in one line per folder, since a site whose offices write in their own language would
  otherwise list most of its archive.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from generator.config import Config
from generator.model import Announcement, Page, Programme, Site

WARNING, NOTICE = "warning", "notice"
PINNED, TRANSLATION = "pinned", "translation"
RECENT_DAYS = 30  # an announcement older than this is archive: its missing versions are counted


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int | None
    severity: str  # WARNING or NOTICE
    kind: str  # PINNED or TRANSLATION
    message: str
    hint: str | None = None


def review(config: Config, site: Site, today: date, changed: Mapping[Path, datetime]) -> list[Finding]:
    """Every finding of `site` as of `today`; `changed` gives each source file's last
    change (from version control, else its modification time)."""
    found = [
        Finding(
            item.source,
            item.line,
            WARNING,
            PINNED,
            f"pinned, but it expired on {item.expires.isoformat()}",
            "remove `pinned: true`, or give it a later `expires`",
        )
        for item in site.announcements
        if item.pinned and item.expires is not None and item.expires <= today and not item.draft
    ]
    items: Iterable[Announcement | Page | Programme] = (*site.announcements, *site.pages, *site.programmes)
    groups: dict[tuple[str, str], list[Announcement | Page | Programme]] = {}
    for item in items:
        groups.setdefault((type(item).__name__, item.translation_key), []).append(item)
    first = config.default_language
    older: dict[Path, set[str]] = {}  # archived announcements without some version, by folder
    counted: dict[Path, int] = {}
    for group in groups.values():
        by_lang = {item.lang: item for item in group}
        source = by_lang.get(first)
        for item in sorted(group, key=lambda i: i.lang):
            if source is None or item is source or item.source not in changed or source.source not in changed:
                continue
            if changed[item.source] < changed[source.source]:
                found.append(
                    Finding(
                        item.source,
                        None,
                        WARNING,
                        TRANSLATION,
                        f"the {first} version ({source.source.name}) changed on "
                        f"{changed[source.source]:%Y-%m-%d}, after this translation "
                        f"({changed[item.source]:%Y-%m-%d})",
                        "bring the translation up to date, then save it",
                    )
                )
        missing = [lang for lang in config.languages if lang not in by_lang]
        if missing and len(config.languages) > 1:
            shown = source or sorted(group, key=lambda i: str(i.source))[0]
            if _archived(shown, today):
                older.setdefault(shown.source.parent, set()).update(missing)
                counted[shown.source.parent] = counted.get(shown.source.parent, 0) + 1
                continue
            found.append(
                Finding(
                    shown.source,
                    None,
                    NOTICE,
                    TRANSLATION,
                    f"no version in {', '.join(missing)}: readers of it see this text, with a note",
                    f"add {shown.source.stem.split('.')[0]}.{missing[0]}.md to translate it",
                )
            )
    cutoff = today - timedelta(days=RECENT_DAYS)
    for folder, languages in older.items():
        count = counted[folder]
        found.append(
            Finding(
                folder,
                None,
                NOTICE,
                TRANSLATION,
                f"{count:,} announcement{'s' if count != 1 else ''} from before {cutoff.isoformat()} "
                f"{'have' if count != 1 else 'has'} no version in some of {', '.join(sorted(languages))}: "
                "readers of those languages see them as written, with a note",
                f"the announcements of the last {RECENT_DAYS} days are listed one by one",
            )
        )
    return sorted(found, key=lambda f: (str(f.path), f.line or 0, f.message))


def _archived(item: Announcement | Page | Programme, today: date) -> bool:
    """An announcement of the archive: older than RECENT_DAYS and no longer pinned."""
    if not isinstance(item, Announcement) or item.date > today - timedelta(days=RECENT_DAYS):
        return False
    return not item.pinned or (item.expires is not None and item.expires <= today)
