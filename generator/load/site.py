"""content/ → Site: every loader, then the checks that span files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from operator import attrgetter
from pathlib import Path
from typing import TypeVar

from generator.cache import digest
from generator.config import Config, ContentSettings
from generator.errors import GeneratorError, did_you_mean, raise_all
from generator.load.announcements import load_announcement
from generator.load.certification import load_programme
from generator.load.files import Listing, gather, has_suffix, list_files, read_calendar
from generator.load.kudos import load_one_kudos
from generator.load.markdown import Markdown, render_markdown
from generator.load.media import load_media
from generator.load.metrics import load_metric
from generator.load.pages import load_page
from generator.load.reuse import Reuse, load_all
from generator.load.surveys import load_survey
from generator.load.trainings import load_course
from generator.model import Announcement, Course, Occurrence, Page, Programme, Site
from generator.urls import SOURCE_SUFFIXES

T = TypeVar("T")


def _load_calendar(
    path: Path,
    folder: Path,
    settings: ContentSettings,
    window: tuple[dt.date, dt.date],
    warnings: list[GeneratorError],
) -> list[Occurrence]:
    """A calendar file's entries. Its module (with icalendar and recurring-ical-events) is
    imported here: a build that keeps every calendar from the cache does without them."""
    from generator.load import ics

    return ics.load_calendar(path, folder, settings, window, warnings)


def load_site(
    content_dir: Path,
    config: Config,
    window: tuple[dt.date, dt.date],
    warnings: list[GeneratorError] | None = None,
    *,
    markdown: Markdown = render_markdown,
    reuse: Reuse | None = None,
) -> Site:
    """Read and check all content; raise every problem at once. Calendar events that
    cannot be used are skipped and reported in `warnings`. With `reuse`, the items of
    unchanged files come from the cache and the others load over the cores. The files
    are read with the settings' `content_settings()` alone (the key of what is kept)."""
    settings = config.content_settings()
    errors: list[GeneratorError] = []
    warnings = warnings if warnings is not None else []

    # one walk of content/ for every loader and check
    listing = list_files(content_dir) if reuse is None else reuse.listing(content_dir)
    outside = links_outside(listing)  # never read, never published
    errors += [
        GeneratorError(
            "this file is a link to a file outside content/, which is never read or published",
            path=path,
            hint="copy the file into content/ instead of linking to it",
        )
        for path in sorted(outside)
    ]

    left_out = {str(path) for path in outside}

    def listed(folder: str) -> list[str]:
        found = listing.names(folder, READ[folder], top_only=folder == "metrics")
        return [name for name in found if name not in left_out] if left_out else found

    def files(folder: str) -> list[Path]:
        return [Path(name) for name in listed(folder)]

    def each(folder: str, load: Callable[[Path, Path], T], context: str = "") -> list[T]:
        def one(path: Path) -> T:
            return load(path, content_dir / folder)

        if reuse is None:
            return gather(files(folder), one, errors)
        return load_all(listed(folder), one, errors, reuse, f"{folder}\0{context}")

    media = load_media(
        content_dir / "media", errors, warnings, skip=outside, paths=listing.files("media"), reuse=reuse
    )
    names = {m.rel_path for m in media}
    brand = config.brand
    for key, name, line in (
        ("logo", brand.logo, brand.logo_line),
        ("favicon", brand.favicon, brand.favicon_line),
    ):
        if name is not None and name not in names:
            errors.append(
                GeneratorError(
                    f'{key} "{name}" is not a file of content/media/',
                    path=config.source,
                    line=line,
                    hint=f"{did_you_mean(name, names)}put the file in content/media/",
                )
            )
    announcements = each(
        "announcements",
        lambda p, f: load_announcement(p, f, settings, names, markdown=markdown),
        "\0".join(sorted(names)),
    )
    pages = each("pages", lambda p, f: load_page(p, f, settings, markdown=markdown))
    calendar_dir = content_dir / "calendar"  # not kept: its events depend on the window, and it warns

    def kept(kind: str, load: Callable[[list[GeneratorError]], T], *paths: Path) -> T:
        """`load(warnings)`, kept with what it warns while the files it reads, the window
        and the settings stay: in the live preview's memory, else in the cache."""
        if reuse is None:
            return load(warnings)
        try:
            read = tuple(reuse.key_of(str(path), kind, read_calendar) for path in paths if path.exists())
        except (OSError, GeneratorError):
            return load(warnings)  # which says what is wrong

        def made() -> tuple[T, list[GeneratorError]]:
            warned: list[GeneratorError] = []
            return load(warned), warned

        if reuse.memo is not None:
            value, warned = reuse.memo.recall((kind, read, window), (), made)
        else:
            value, warned = reuse.stored(digest(kind, *read, *(day.isoformat() for day in window)), made)
        warnings.extend(warned)
        return value

    calendars = gather(
        files("calendar"),
        lambda p: kept("calendar", lambda w: _load_calendar(p, calendar_dir, settings, window, w), p),
        errors,
    )
    occurrences = [occurrence for calendar in calendars for occurrence in calendar]
    kudos = sorted(
        each("kudos", lambda p, f: load_one_kudos(p, f, settings, markdown=markdown)),
        key=lambda k: (k.date, k.slug),
        reverse=True,
    )
    programmes = each("certification", lambda p, f: load_programme(p, f, settings, markdown=markdown))
    courses = each("trainings", lambda p, f: load_course(p, f, settings, markdown=markdown))
    metrics = gather(
        files("metrics"), lambda p: kept("metric", lambda _: load_metric(p, settings), p), errors
    )
    # a survey's responses (.csv) are read by its loader, beside its .toml
    surveys = gather(
        [p for p in files("surveys") if p.suffix == ".toml"],
        lambda p: kept("survey", lambda _: load_survey(p, settings), p, p.with_suffix(".csv")),
        errors,
    )
    errors += check_unique(programmes, "programme")
    errors += check_unique(announcements, "announcement")
    errors += check_unique(pages, "page")
    errors += check_unique(courses, "course")
    raise_all(errors)
    warnings += (
        unread_files(listing)
        if reuse is None or reuse.memo is None
        else reuse.memo.apply(unread_files, listing)
    )
    return Site(
        announcements=tuple(sorted(announcements, key=lambda a: (a.lang, a.slug))),
        pages=tuple(sorted(pages, key=lambda p: (p.lang, p.order, p.slug))),
        media=tuple(media),
        occurrences=tuple(occurrences),
        kudos=tuple(kudos),
        programmes=tuple(sorted(programmes, key=lambda p: (p.lang, p.slug))),
        metrics=tuple(metrics),
        window=window,
        surveys=tuple(sorted(surveys, key=lambda s: (s.date, s.slug), reverse=True)),
        courses=tuple(sorted(courses, key=lambda c: (c.lang, c.slug))),
    )


# What the build reads under content/: each folder and the kinds of file it takes.
READ = {
    "announcements": SOURCE_SUFFIXES,
    "pages": SOURCE_SUFFIXES,
    "kudos": SOURCE_SUFFIXES,
    "certification": SOURCE_SUFFIXES,
    "calendar": (".ics",),
    "metrics": (".csv",),
    "surveys": (".toml", ".csv"),
    "trainings": SOURCE_SUFFIXES,
}
_WHERE = (
    "announcements go in content/announcements/, standing pages in content/pages/, kudos in "
    "content/kudos/, calendars (.ics) in content/calendar/, indicators (.csv) in content/metrics/, "
    "surveys (.toml and their .csv) in content/surveys/, courses in content/trainings/, "
    "pictures and files in content/media/"
)


def unread_files(listing: Listing) -> list[GeneratorError]:
    """A warning for each file under content/ that no part of the build reads: a misplaced
    folder or a wrong extension would otherwise be ignored in silence."""
    found = []
    for parts, path in listing.entries:
        if parts == ("site.toml",) or parts[0] == "media":
            continue
        folder = parts[0] if len(parts) > 1 else ""
        suffixes = READ.get(folder)
        in_place = folder != "metrics" or len(parts) == 2  # indicators: content/metrics/{id}.csv
        if suffixes is not None and has_suffix(parts[-1], suffixes) and in_place:
            continue
        if suffixes is not None:
            problem = f"the build reads only {', '.join(suffixes)} files in content/{folder}/"
            hint = "rename it, or move it to content/media/ to publish it as it is"
        else:
            problem = "the build does not read this file"
            known = [*READ, "media"]
            guess = did_you_mean(folder, known) if folder else ""
            hint = f"{guess}{_WHERE}"
        found.append(GeneratorError(problem, path=Path(path), hint=hint))
    return found


def links_outside(listing: Listing) -> set[Path]:
    """The files under content/ that are symbolic links to a file outside it (a link to
    a folder is not followed at all). Nothing outside content/ may be read or published."""
    root = listing.root.resolve()
    return {Path(p) for p in listing.links if not Path(p).resolve().is_relative_to(root)}


def check_unique(
    items: Sequence[Announcement | Page | Programme | Course], what: str
) -> list[GeneratorError]:
    """No two items of one language share a slug (one page) or a translation key."""
    langs = list(map(attrgetter("lang"), items))
    if all(
        len(set(zip(langs, map(attrgetter(name), items), strict=True))) == len(items)
        for name in ("slug", "translation_key")
    ):
        return []  # the usual case, told without sorting them
    errors = []
    reported: set[Path] = set()
    in_order = sorted(items, key=lambda i: str(i.source))
    for attribute, meaning in (("slug", "address"), ("translation_key", "translation_key")):
        seen: dict[tuple[str, str], Path] = {}
        for item in in_order:
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
