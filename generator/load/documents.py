"""What announcements and pages share: finding Markdown files, reading them,
and the keys every document has (language, slug, translation key, audience)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from generator.config import ContentSettings
from generator.errors import GeneratorError, did_you_mean, known_list
from generator.load.fields import Fields
from generator.load.files import MARKDOWN_LIMIT, read_limited
from generator.load.frontmatter import FrontMatter, decode, parse_front_matter
from generator.load.markdown import shape_problem
from generator.urls import EVERYONE, slugify


def read_document(path: Path, folder: Path) -> FrontMatter:
    """A Markdown file below `folder` (content/x/): its front matter and body, with `origin`,
    its path in content/, for resolving the links it holds."""
    text = decode(read_markdown(path), path)
    shape = shape_problem(text)
    if shape is not None:
        problem, hint, line = shape
        raise GeneratorError(problem, path=path, line=line, hint=hint)
    fm = parse_front_matter(text, path)
    return replace(fm, origin=path.relative_to(folder.parent).as_posix())


def read_markdown(path: Path) -> bytes:
    return read_limited(
        path, MARKDOWN_LIMIT, "split it into several pages, or link to a document in content/media/"
    )


@dataclass(frozen=True)
class Identity:
    """Where a document lives: its language, slug and translation group."""

    lang: str
    slug: str
    translation_key: str
    audience: tuple[str, ...]


def identity(fields: Fields, path: Path, config: ContentSettings) -> Identity:
    """Language from `lang`, else a `.fr.md` suffix, else the site's default."""
    stem = path.stem
    suffix_lang = stem.rsplit(".", 1)[1] if "." in stem else None
    if suffix_lang in config.languages:
        stem = stem.rsplit(".", 1)[0]
    default_lang = suffix_lang if suffix_lang in config.languages else config.default_language
    lang = fields.text("lang", default=default_lang)
    if lang not in config.languages:
        fields.error(
            "lang",
            f'unknown language "{lang}"',
            hint=f"{did_you_mean(lang, config.languages)}this site's languages: "
            f"{', '.join(config.languages)} (see content/site.toml)",
        )
        lang = config.default_language

    slug = slugify(stem)
    if "slug" in fields.data:
        wanted = fields.text("slug")
        if wanted and slugify(wanted) != wanted:
            fields.error(
                "slug",
                f'slug "{wanted}" may only hold lowercase letters, digits and hyphens',
                hint=f"for example slug: {slugify(wanted) or 'my-news'}",
            )
        elif wanted:
            slug = wanted
    if not slug:
        fields.error("slug", "the file name gives no usable slug", hint="add `slug: my-news`")
        slug = "untitled"
    key = fields.text("translation_key", default=slug)
    return Identity(lang, slug, key, audience(fields, config))


def audience(fields: Fields, config: ContentSettings) -> tuple[str, ...]:
    ids = fields.words("audience")
    known = set(config.audiences) | {EVERYONE}
    good: list[str] = []
    for ident in ids:
        if ident not in known:
            fields.error(
                "audience",
                f'unknown audience "{ident}"',
                hint=f"{did_you_mean(ident, known)}known: {known_list(known)} (see content/site.toml)",
            )
        elif ident != EVERYONE:
            good.append(ident)
    return () if EVERYONE in ids else tuple(sorted(good))
