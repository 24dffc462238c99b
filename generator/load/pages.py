"""content/pages/*.md → Page (standing pages: contacts, responsibilities, plans)."""

from __future__ import annotations

from pathlib import Path

from generator.config import Config
from generator.errors import GeneratorError
from generator.load.documents import identity, read_all
from generator.load.fields import Fields
from generator.load.markdown import render_markdown
from generator.model import Page

KEYS = ("title", "lang", "translation_key", "slug", "summary", "order", "audience", "draft")


def load_pages(folder: Path, config: Config, errors: list[GeneratorError]) -> list[Page]:
    pages = []
    for path, fm, problems in read_all(folder, errors):
        f = Fields(fm, path, problems)
        f.check_known(KEYS)
        who = identity(f, path, config)
        title = f.text("title", required=True)
        summary, order, draft = f.text("summary"), f.number("order", 100), f.flag("draft")
        body = render_markdown(fm.body, fm.origin, fm.body_line)
        errors.extend(problems)
        if problems:
            continue
        pages.append(
            Page(
                source=path,
                line=1,
                slug=who.slug,
                title=title,
                lang=who.lang,
                translation_key=who.translation_key,
                body_html=body.html,
                links=body.links,
                summary=summary,
                order=order,
                audience=who.audience,
                draft=draft,
            )
        )
    return pages
