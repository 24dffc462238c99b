"""content/announcements/*.md → Announcement."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from generator.config import ContentSettings
from generator.errors import GeneratorError, raise_all
from generator.load.documents import identity, read_document
from generator.load.fields import Fields, parse_day
from generator.load.frontmatter import FrontMatter
from generator.load.markdown import Markdown, render_markdown, summarize, text_digest
from generator.model import CATEGORIES, SITE_ROOT, Announcement, Html

KEYS = (
    "title", "date", "expires", "author", "lang", "translation_key", "category", "tags",
    "audience", "pinned", "summary", "image", "image_alt", "draft", "slug", "consent",
)  # fmt: skip
# Celebrations never show an age or a birth year: "cumple 40 años", "born in 1985", "fête ses 50 ans"…
_AGE_OR_BIRTH_YEAR = re.compile(
    r"\b(?:cumple|cumplió|cumplirá|celebra sus|turns?|turned|fête ses|fêtera ses|a fêté ses)\s+\d{1,3}\b"
    r"|\b\d{1,3}\s*(?:years? old|ans révolus)\b"
    r"|\b(?:âgée?|edad) de \d{1,3}\b"
    r"|\b(?:born|nació|nacido|nacida|née?)\b[^.\n]{0,30}\b(?:19|20)\d{2}\b",
    re.IGNORECASE,
)
_DATED_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-")


def load_announcement(
    path: Path,
    folder: Path,
    config: ContentSettings,
    media: set[str],
    *,
    markdown: Markdown = render_markdown,
) -> Announcement:
    """One announcement file; raises every problem it has (see load/files.py). `media`: the
    files of content/media/, which its image must be one of."""
    fm = read_document(path, folder)
    problems: list[GeneratorError] = []
    item = _parse(path, fm, config, media, problems, markdown)
    raise_all(problems)
    if item is None:  # never: every way to None records a problem
        raise GeneratorError("cannot read this announcement", path=path)
    return item


def _check_celebration(f: Fields, consent: bool, fm: FrontMatter) -> None:
    """Personal news is published only with consent, and never with an age or a birth year."""
    if not consent and not isinstance(f.data.get("consent", False), str):
        f.error(
            "consent" if "consent" in f.data else "category",
            "a celebration is personal news: add `consent: true` once the people named have agreed to it",
            hint='see the "Who publishes what" page; without consent, do not publish',
        )
    places = [(str(f.data.get(key) or ""), f.fm.line(key)) for key in ("title", "summary")]
    places += [(line, fm.body_line + number) for number, line in enumerate(fm.body.split("\n"))]
    for text, line in places:
        found = [match.group(0) for match in _AGE_OR_BIRTH_YEAR.finditer(text)]
        if found:
            f.errors.append(
                GeneratorError(
                    "celebrations never show an age or a birth year: " + ", ".join(f'"{m}"' for m in found),
                    path=f.path,
                    line=line,
                    hint="congratulate without it",
                )
            )


def _parse(
    path: Path,
    fm: FrontMatter,
    config: ContentSettings,
    media: set[str],
    errors: list[GeneratorError],
    markdown: Markdown,
) -> Announcement | None:
    f = Fields(fm, path, errors)
    if not fm.has_front_matter:
        errors.append(
            GeneratorError(
                "no front matter: an announcement needs at least a title and a date",
                path=path,
                line=1,
                hint="start the file with ---, then `title: …` and `date: YYYY-MM-DD`, then ---",
            )
        )
        return None
    f.check_known(KEYS)
    who = identity(f, path, config)
    title = f.text("title", required=True)
    known = len(errors)
    published = f.day("date", config.tz)
    if published is None and "date" not in fm.data:
        dated = _DATED_NAME.match(path.name)
        published = parse_day(dated.group(1), config.tz) if dated else None
    if published is None and len(errors) == known:  # absent or empty, not already reported as bad
        f.error("date", "missing date", hint="add `date: YYYY-MM-DD` (the day it is published)")
    expires = f.day("expires", config.tz)
    if published and expires and expires <= published:
        f.error("expires", f"expires ({expires}) must come after date ({published})")
    category = f.choice("category", CATEGORIES, "news")
    image = f.text("image") or None
    image_alt = f.text("image_alt")
    if image is not None:
        name = image.removeprefix("/").removeprefix("media/")
        if name not in media:
            near = [m for m in sorted(media) if m.lower() == name.lower()]
            near = near or difflib.get_close_matches(name, sorted(media), n=1, cutoff=0.6)
            guess = f'did you mean "media/{near[0]}"? the name must match exactly' if near else ""
            f.error("image", f'image "{image}" is not in content/media/', hint=guess or "put the file there")
        image = f"{SITE_ROOT}media/{name}"
        if not image_alt:
            f.error(
                "image" if "image_alt" not in fm.data else "image_alt",
                "an image needs image_alt, a short description for readers who cannot see it",
                hint='for example image_alt: "The Madrid team at the summer party"',
            )
    body = markdown(fm.body, fm.origin, fm.body_line)
    summary = f.text("summary") or summarize(body.text)
    tags = f.words("tags")
    author = f.text("author")
    pinned, draft = f.flag("pinned"), f.flag("draft")
    consent = f.flag("consent")
    if category == "celebration":
        _check_celebration(f, consent, fm)
    if errors or published is None:
        return None
    return Announcement(
        source=path,
        line=1,
        slug=who.slug,
        title=title,
        date=published,
        lang=who.lang,
        translation_key=who.translation_key,
        body=Html.of(body.html),
        links=body.links,
        text_digest=text_digest(title, body.html),
        summary=summary,
        category=category,
        expires=expires,
        author=author,
        tags=tags,
        audience=who.audience,
        pinned=pinned,
        image=image,
        image_alt=image_alt,
        draft=draft,
    )
