"""content/pages/*.md → Page (standing pages: contacts, responsibilities, plans)."""

from __future__ import annotations

from pathlib import Path

from generator.config import ContentSettings
from generator.errors import GeneratorError, raise_all
from generator.load.documents import identity, read_document
from generator.load.fields import Fields
from generator.load.markdown import Markdown, render_markdown, text_digest
from generator.model import Page

KEYS = ("title", "lang", "translation_key", "slug", "summary", "order", "audience", "draft")


def load_page(
    path: Path, folder: Path, config: ContentSettings, *, markdown: Markdown = render_markdown
) -> Page:
    """One page file; raises every problem it has (see load/files.py)."""
    fm = read_document(path, folder)
    problems: list[GeneratorError] = []
    f = Fields(fm, path, problems)
    f.check_known(KEYS)
    who = identity(f, path, config)
    title = f.text("title", required=True)
    summary, order, draft = f.text("summary"), f.number("order", 100), f.flag("draft")
    body = markdown(fm.body, fm.origin, fm.body_line)
    raise_all(problems)
    return Page(
        source=path,
        line=1,
        slug=who.slug,
        title=title,
        lang=who.lang,
        translation_key=who.translation_key,
        body_html=body.html,
        links=body.links,
        text_digest=text_digest(title, body.html),
        summary=summary,
        order=order,
        audience=who.audience,
        draft=draft,
    )
