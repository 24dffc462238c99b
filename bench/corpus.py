"""A deterministic corpus of N announcements, written for intranet, Pelican and Hugo alike.

Each announcement is 200–900 words of Markdown in Spanish, French or English, with
headings, lists, a table, links and emphasis; about a third come as a translation
triple. Dates run back from the benchmark's "today", about one every eight hours, so
10,000 announcements are years of content. The same texts (same words, same dates,
same tags) are written in each generator's own format, so the three build one corpus.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 23)
# What the bench removes between timed builds (outputs, caches, earlier corpora) is moved
# here and deleted once everything is measured. Deleting thousands of files just before a
# build slows the files that build makes on an ext4 without a journal (the kernel then
# passes over every inode freed in the last minutes when it makes a file: 0.3-0.8 ms a
# file instead of 15 µs), so each build would pay for what the bench deleted before it.
TRASH = REPO / "bench" / ".work" / ".trash"
LANGS = ("es", "fr", "en")
CATEGORIES = ("news", "celebration", "policy", "service", "certification", "training", "event")
_TEXTS = {
    "es": (
        "cliente servicio equipo calidad oficina llamada respuesta mejora proceso semana objetivo "
        "formación encuesta resultado nómina vacaciones reunión proyecto atención plazo "
        "compañeros dirección revisión auditoría indicador satisfacción horario turno acuerdo"
    ),
    "fr": (
        "client service équipe qualité bureau appel réponse amélioration processus semaine objectif "
        "formation enquête résultat paie congés réunion projet accueil délai collègues "
        "direction revue audit indicateur satisfaction horaire équipe accord"
    ),
    "en": (
        "customer service team quality office call answer improvement process week goal training "
        "survey result payroll holiday meeting project support deadline colleagues management "
        "review audit indicator satisfaction schedule shift agreement"
    ),
}
WORDS = {lang: text.split() for lang, text in _TEXTS.items()}
TAGS = [f"tema-{i:02}" for i in range(40)]


@dataclass(frozen=True)
class Item:
    slug: str  # file name without language suffix
    lang: str
    key: str  # translation key, shared by a triple
    title: str
    date: dt.date
    category: str
    tags: tuple[str, ...]
    summary: str
    body: str  # Markdown; internal links written as ({link:slug})
    audience: str | None


def _sentence(rng: random.Random, lang: str, count: int) -> str:
    words = [rng.choice(WORDS[lang]) for _ in range(count)]
    if rng.random() < 0.3:
        i = rng.randrange(count)
        words[i] = f"**{words[i]}**"
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _body(rng: random.Random, lang: str, slugs: list[str]) -> str:
    target = rng.randint(200, 900)
    blocks: list[str] = []
    words = 0
    section = 1
    while words < target:
        kind = rng.random()
        if kind < 0.12:
            blocks.append(f"## {_sentence(rng, lang, 4)[:-1]} {section}")
            section += 1
            words += 5
        elif kind < 0.22:
            blocks.append("\n".join(f"- {_sentence(rng, lang, rng.randint(4, 10))}" for _ in range(4)))
            words += 28
        elif kind < 0.27:
            rows = [
                f"| {rng.choice(WORDS[lang])} | {rng.randint(1, 999)} | {rng.randint(0, 100)} % |"
                for _ in range(5)
            ]
            blocks.append("| Concepto | Valor | Avance |\n|---|---|---|\n" + "\n".join(rows))
            words += 20
        else:
            sentences = [_sentence(rng, lang, rng.randint(8, 18)) for _ in range(rng.randint(2, 5))]
            if slugs and rng.random() < 0.4:
                sentences.append(f"[{rng.choice(WORDS[lang])}]({{link:{rng.choice(slugs)}}})")
            if rng.random() < 0.2:
                sentences.append(f"[{rng.choice(WORDS[lang])}](https://www.example.com/{rng.randint(1, 99)})")
            paragraph = " ".join(sentences)
            blocks.append(paragraph)
            words += len(paragraph.split())
    return "\n\n".join(blocks) + "\n"


def items(count: int, seed: int = 7) -> list[Item]:
    rng = random.Random(seed)
    made: list[Item] = []
    i = 0
    while len(made) < count:
        langs = LANGS if rng.random() < 0.12 and count - len(made) >= 3 else (LANGS[i % 3],)
        key = f"aviso-{i:05}"
        day = TODAY - dt.timedelta(hours=8 * i + 30)
        category = CATEGORIES[i % len(CATEGORIES)]
        tags = tuple(sorted(rng.sample(TAGS, rng.randint(1, 3))))
        audience = rng.choice((None, None, None, "madrid", "paris", "cdmx", "managers"))
        earlier = [item.slug for item in made[-200:]]
        for lang in langs:
            title = _sentence(rng, lang, rng.randint(4, 9))[:-1]
            made.append(
                Item(
                    slug=key,
                    lang=lang,
                    key=key,
                    title=title,
                    date=day,
                    category=category,
                    tags=tags,
                    summary=_sentence(rng, lang, 14),
                    body=_body(rng, lang, earlier),
                    audience=audience,
                )
            )
        i += 1
    return made[:count]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _link(body: str, each: dict[str, str]) -> str:
    for slug, target in each.items():
        body = body.replace(f"{{link:{slug}}}", target)
    return body


def _links(item: Item, target: str) -> dict[str, str]:
    """The body's internal links, in the generator's own spelling."""
    return {
        slug: target.format(slug=slug, lang=item.lang) for slug in re.findall(r"\{link:([\w-]+)\}", item.body)
    }


def _languages(corpus: list[Item]) -> dict[str, str]:
    """Each slug's first language: the file a link to it names."""
    first: dict[str, str] = {}
    for item in corpus:
        first.setdefault(item.slug, item.lang)
    return first


def set_aside(path: Path) -> None:
    """`path` (a file or folder, if there) out of the way, into TRASH: a rename, which frees
    no inode, where deleting it would slow the next build (see TRASH)."""
    if path.exists() or path.is_symlink():
        TRASH.mkdir(parents=True, exist_ok=True)
        path.rename(TRASH / f"{len(list(TRASH.iterdir()))}-{path.name}")


RECENT = 360  # seconds an ext4 without a journal counts an inode as freed recently (60; 360 unwritten)


def empty_trash() -> bool:
    """Delete what the bench set aside: once nothing more is timed. Whether there was any."""
    there = TRASH.exists()
    shutil.rmtree(TRASH, ignore_errors=True)
    return there


def write_intranet(dest: Path, corpus: list[Item]) -> None:
    """The sample company's settings, calendars and media, with the corpus as its news."""
    set_aside(dest)
    content = dest / "content"
    shutil.copytree(REPO / "content", content, ignore=shutil.ignore_patterns("announcements"))
    folder = content / "announcements"
    folder.mkdir()
    languages = _languages(corpus)
    for item in corpus:
        # links written the natural way: the other file's name
        targets = {s: f"{s}.{languages[s]}.md" for s in _links(item, "{slug}")}
        lines = [
            "---",
            f"title: {_quote(item.title)}",
            f"date: {item.date.isoformat()}",
            f"lang: {item.lang}",
            f"translation_key: {item.key}",
            f"category: {item.category}",
            f"tags: [{', '.join(item.tags)}]",
            *([f"audience: [{item.audience}]"] if item.audience else []),
            *(["consent: true"] if item.category == "celebration" else []),
            f"summary: {_quote(item.summary)}",
            "---",
            _link(item.body, targets),
        ]
        (folder / f"{item.slug}.{item.lang}.md").write_text("\n".join(lines), encoding="utf-8")


PELICAN_CONF = """\
AUTHOR = "Alcora"
SITENAME = "Intranet Alcora"
SITEURL = ""
PATH = "content"
TIMEZONE = "Europe/Madrid"
DEFAULT_LANG = "es"
DEFAULT_PAGINATION = 8
RELATIVE_URLS = True
FEED_ALL_ATOM = "feeds/all.atom.xml"
TRANSLATION_FEED_ATOM = "feeds/all-{lang}.atom.xml"
ARTICLE_TRANSLATION_ID = "slug"
LOAD_CONTENT_CACHE = False
"""


def write_pelican(dest: Path, corpus: list[Item]) -> None:
    set_aside(dest)
    folder = dest / "content"
    folder.mkdir(parents=True)
    (dest / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")
    languages = _languages(corpus)
    for item in corpus:
        targets = {s: f"{{filename}}{s}.{languages[s]}.md" for s in _links(item, "{slug}")}
        lines = [
            f"Title: {item.title}",
            f"Date: {item.date.isoformat()}",
            f"Category: {item.category}",
            f"Tags: {', '.join(item.tags)}",
            f"Lang: {item.lang}",
            f"Slug: {item.slug}",
            f"Summary: {item.summary}",
            "",
            _link(item.body, targets),
        ]
        (folder / f"{item.slug}.{item.lang}.md").write_text("\n".join(lines), encoding="utf-8")


HUGO_CONF = """\
title = "Intranet Alcora"
defaultContentLanguage = "es"
disableKinds = ["RSS"]
relativeURLs = true
[pagination]
pagerSize = 8
[taxonomies]
tag = "tags"
category = "categories"
[languages.es]
weight = 1
[languages.fr]
weight = 2
[languages.en]
weight = 3
"""
HUGO_LAYOUTS = {
    "baseof.html": '<!doctype html><html lang="{{ .Site.Language.Lang }}"><head><meta charset="utf-8">'
    "<title>{{ .Title }}</title></head><body><nav>{{ range .Site.Menus.main }}{{ .Name }}{{ end }}</nav>"
    '<main>{{ block "main" . }}{{ end }}</main></body></html>\n',
    "single.html": '{{ define "main" }}<article><h1>{{ .Title }}</h1><time>{{ .Date.Format "2006-01-02" }}</time>'
    "{{ .Content }}<ul>{{ range .Params.tags }}<li>{{ . }}</li>{{ end }}</ul>"
    '{{ range .Translations }}<a href="{{ .RelPermalink }}">{{ .Lang }}</a>{{ end }}</article>{{ end }}\n',
    "list.html": '{{ define "main" }}<h1>{{ .Title }}</h1>{{ range .Paginator.Pages }}<article>'
    '<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Summary }}</p></article>{{ end }}'
    '{{ with .Paginator.Next }}<a href="{{ .URL }}">→</a>{{ end }}{{ end }}\n',
}


def write_hugo(dest: Path, corpus: list[Item]) -> None:
    set_aside(dest)
    folder = dest / "content" / "posts"
    folder.mkdir(parents=True)
    (dest / "hugo.toml").write_text(HUGO_CONF, encoding="utf-8")
    layouts = dest / "layouts" / "_default"
    layouts.mkdir(parents=True)
    for name, text in HUGO_LAYOUTS.items():
        (layouts / name).write_text(text, encoding="utf-8")
    for item in corpus:
        targets = _links(item, "/posts/{slug}/")
        lines = [
            "---",
            f"title: {_quote(item.title)}",
            f"date: {item.date.isoformat()}",
            f"categories: [{item.category}]",
            f"tags: [{', '.join(item.tags)}]",
            f"translationKey: {item.key}",
            f"summary: {_quote(item.summary)}",
            "---",
            _link(item.body, targets),
        ]
        (folder / f"{item.slug}.{item.lang}.md").write_text("\n".join(lines), encoding="utf-8")
