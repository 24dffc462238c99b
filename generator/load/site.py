"""content/ → Site: every loader, then the checks that span files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from generator.config import Config
from generator.errors import GeneratorError, raise_all
from generator.load.announcements import load_announcements
from generator.load.certification import load_programmes
from generator.load.ics import load_calendars
from generator.load.kudos import load_kudos
from generator.load.metrics import load_metrics
from generator.load.pages import load_pages
from generator.model import Announcement, MediaFile, Page, Programme, Site


def load_site(
    content_dir: Path,
    config: Config,
    window: tuple[dt.date, dt.date],
    warnings: list[GeneratorError] | None = None,
) -> Site:
    """Read and check all content; raise every problem at once. Calendar events that
    cannot be used are skipped and reported in `warnings`."""
    errors: list[GeneratorError] = []
    warnings = warnings if warnings is not None else []
    media = load_media(content_dir / "media")
    names = {m.rel_path for m in media}
    announcements = load_announcements(content_dir / "announcements", config, names, errors)
    pages = load_pages(content_dir / "pages", config, errors)
    occurrences = load_calendars(content_dir / "calendar", config, window, errors, warnings)
    kudos = load_kudos(content_dir / "kudos", config, errors)
    programmes = load_programmes(content_dir / "certification", config, errors)
    metrics = load_metrics(content_dir / "metrics", config, errors)
    errors += check_unique(programmes, "programme")
    errors += check_unique(announcements, "announcement")
    errors += check_unique(pages, "page")
    raise_all(errors)
    return Site(
        announcements=tuple(sorted(announcements, key=lambda a: (a.lang, a.slug))),
        pages=tuple(sorted(pages, key=lambda p: (p.lang, p.order, p.slug))),
        media=tuple(media),
        occurrences=tuple(occurrences),
        kudos=tuple(kudos),
        programmes=tuple(sorted(programmes, key=lambda p: (p.lang, p.slug))),
        metrics=tuple(metrics),
    )


def load_media(folder: Path) -> list[MediaFile]:
    if not folder.is_dir():
        return []
    return [
        MediaFile(path, path.relative_to(folder).as_posix())
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(folder).parts)
    ]


def check_unique(items: Sequence[Announcement | Page | Programme], what: str) -> list[GeneratorError]:
    """No two items of one language share a slug (one page) or a translation key."""
    errors = []
    reported: set[Path] = set()
    for attribute, meaning in (("slug", "address"), ("translation_key", "translation_key")):
        seen: dict[tuple[str, str], Path] = {}
        for item in sorted(items, key=lambda i: str(i.source)):
            key = (item.lang, getattr(item, attribute))
            if key in seen and item.source not in reported:
                reported.add(item.source)
                errors.append(
                    GeneratorError(
                        f'this {what} has the same {meaning} "{key[1]}" in language "{key[0]}" '
                        f"as {seen[key].name}",
                        path=item.source,
                        line=item.line,
                        hint="give one of them another file name, slug or translation_key",
                    )
                )
            elif key not in seen:
                seen[key] = item.source
    return errors
