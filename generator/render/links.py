"""Links and pictures in bodies → the built file each one reaches.

The rule (README, "Links and pictures in bodies"): a link reaches the file the site
builds for what the author meant, whichever way it was written —

- a URL from the site root, with or without `index.html`: `/es/pages/contactos/`;
- a content file, relative to the file the link is in: `../pages/contactos.md`,
  `x.md`, `../media/plano.pdf` (a page's translations are one target: the reader gets
  the version in the language of the page they are reading);
- a path from the site root or from the language's root without the first slash:
  `media/plano.pdf`, `pages/contactos/`.

On the site the link is relative to each page and names the file (`…/index.html`), so
it works from a sub-path and from `file://`; in feeds and e-mail it is absolute. A link
that reaches nothing, and a picture without alt text, is a warning with its file and
line (an error with `--strict`).
"""

from __future__ import annotations

import difflib
import functools
import html
import json
import posixpath
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from markupsafe import Markup

from generator.cache import digest
from generator.errors import GeneratorError
from generator.i18n import in_language
from generator.model import CONTENT_REF, SITE_ROOT, BodyLink, Picture
from generator.urls import SOURCE_SUFFIXES, pretty, relative_url, root_prefix, split_url

_MARKED = re.compile(r'="' + re.escape(SITE_ROOT) + r'(?P<ref>[^"]*)"')
_PICTURE = re.compile(
    r'<img\b(?P<before>[^>]*?)\ssrc="' + re.escape(SITE_ROOT) + r'(?P<ref>[^"]*)"(?P<after>[^>]*)>'
)
# how wide a picture in the text column is shown: the whole screen on a phone, else the column
SIZES = "(max-width: 46rem) 100vw, 44rem"


_ESCAPED = frozenset("&<>\"'\\")  # characters HTML's escaping or JSON's writes otherwise
Asked = tuple[str, str, str]  # ("target", ref, lang) or ("picture", path, ""): a question a page asked
# What one page asked, sorted, as one JSON text: the record of 24,000 pages at 10,000
# announcements takes a quarter of the memory tuples of texts took (and comes back from
# the workers as one text a page)
Questions = str
_ASKING = threading.local()  # .asked while a page renders in this thread (see Links.asking)


@dataclass(frozen=True)
class LinkState:
    """Everything the links answer from (Links), kept by a build: the next one tells from it
    which answers can have changed (Links.changes)."""

    fingerprint: str  # of all the rest: two states are the same when their fingerprints are
    files: frozenset[str] = field(compare=False)
    sources: Mapping[str, Mapping[str, str]] = field(compare=False)
    languages: tuple[str, ...] = field(compare=False)
    content_dir: str = field(compare=False)
    pictures: Mapping[str, Picture] = field(compare=False)


@dataclass
class LinkQuestions:
    """What each page asked of the links when it was last rendered (see Links), with the
    digest of the answers then, the fingerprint of the links that answered, and what they
    answered from (`state`, whose fingerprint `links` is).

    The state is read when first asked for (`load_state`): only a build whose links
    changed compares them with it, and an edit of a story's text changes none (at 10,000
    announcements, every file of the site and every content file's pages: 0.05 s of
    unpickling an edit does without)."""

    links: str = ""
    pages: dict[str, tuple[Questions, str]] = field(default_factory=dict)
    kept_state: LinkState | None = field(default=None, compare=False, repr=False)
    load_state: Callable[[], LinkState | None] | None = field(default=None, compare=False, repr=False)

    @property
    def state(self) -> LinkState | None:
        if self.load_state is not None:
            self.kept_state, self.load_state = self.load_state(), None
        return self.kept_state

    @state.setter
    def state(self, value: LinkState | None) -> None:
        self.kept_state, self.load_state = value, None


class Changes:
    """What differs between the links a build answered from (a LinkState) and this build's:
    the files built or not, the content files whose pages moved, came or went, the
    pictures whose sizes changed. An answer none of them can reach is the same as then
    (a new story adds its own pages and file, which no earlier page's link reached)."""

    def __init__(self, before: LinkState, now: Links) -> None:
        self.files = before.files ^ now.files
        origins = before.sources.keys() | now.sources.keys()
        self.origins = {o for o in origins if before.sources.get(o) != now.sources.get(o)}
        pictures = before.pictures.keys() | now.pictures.keys()
        self.pictures = {p for p in pictures if before.pictures.get(p) != now.pictures.get(p)}
        # the stems whose candidates (Links._source_candidates) a changed content file is one of
        self.stems = {stem for origin in self.origins for stem in _stems_naming(origin, now.languages)}
        self.languages = now.languages
        self._touched: dict[Asked, bool] = {}
        # A link to a content file can reach what changed only if its path begins with a
        # changed file's stem or name (a stem is what is left of a path once its ends are
        # cut), or is a changed media file. When those names hold no character that escaping
        # (HTML's, then JSON's) writes otherwise, a question, and a page's questions as
        # they are kept, say so without being read: at 10,000 announcements, 24,000 pages
        # and 44,000 links of the link warnings are looked at in a few milliseconds.
        named = self.stems | self.origins | {f for f in self.files if f.startswith("media/")}
        self._plain = not any(c in _ESCAPED or c < " " for name in named for c in name)
        self._prefixes = tuple(CONTENT_REF + name for name in named)

    def touches(self, question: Asked) -> bool:
        """Whether the answer to `question` (Links.target's or picture_of's) can differ now."""
        kind, subject, _ = question
        content = kind == "target" and subject.startswith(CONTENT_REF)
        if self._plain and content and not subject.startswith(self._prefixes):
            return False
        found = self._touched.get(question)
        if found is None:
            found = self._touched[question] = self._reaches(*question)
        return found

    def reaches(self, target: str, lang: str) -> bool:
        """Whether a body link to `target` (BodyLink's, as written: not escaped) read in
        `lang` can reach another file now (as Links.problems asks)."""
        content = target.startswith(CONTENT_REF)
        if self._plain and content and not target.startswith(self._prefixes):
            return False  # its escaped form begins as it does: the names hold nothing escaped
        return self.touches(("target", html.escape(target), lang))

    def touches_any(self, asked: Questions) -> bool:
        """Whether any answer to a page's `asked` (Links.questions) can differ now."""
        if not (self.files or self.origins or self.pictures):
            return False
        every_one_a_content_file = asked.count('["') == asked.count(f'["target","{CONTENT_REF}')
        if self._plain and every_one_a_content_file and not any(p in asked for p in self._prefixes):
            return False
        return any(self.touches((kind, subject, lang)) for kind, subject, lang in json.loads(asked))

    def _reaches(self, kind: str, subject: str, lang: str) -> bool:
        if kind != "target":
            return subject in self.pictures
        path, _ = split_url(html.unescape(subject))
        if path.startswith(CONTENT_REF):
            path = path[len(CONTENT_REF) :]
            if path.startswith("media/") and path in self.files:
                return True
            return path in self.origins or _stem(path, self.languages) in self.stems
        candidates = [path] if path.startswith("/") else [path, f"{lang}/{path}"]
        return any(found in self.files for candidate in candidates for found in _file_candidates(candidate))


class Links:
    """Where each body link goes in this build: made once, asked by every page and feed.

    A page reads it only through `target` and `picture_of`, so what it asked while it
    rendered (`asking`) is all its bytes owe to the links: when the answers to those
    questions are the same in a later build, and its other inputs too, so are its bytes."""

    def __init__(
        self,
        files: Iterable[str],
        sources: Mapping[str, Mapping[str, str]],
        languages: tuple[str, ...],
        content_dir: Path,
        pictures: Mapping[str, Picture] | None = None,
    ) -> None:
        """`files`: every path the site build writes below the site root; `sources`: each
        content file (its path in content/) → its page in every language it is shown in;
        `pictures`: the pictures with smaller sizes, by path (pictures.py)."""
        self.files = frozenset(files)
        self.sources = sources
        self.languages = languages
        self.content_dir = content_dir
        self.pictures: Mapping[str, Picture] = pictures or {}
        self._cache: dict[tuple[str, str], str | None] = {}
        self._answers: dict[Asked, str] = {}
        self._changes: dict[str, Changes] = {}  # by the earlier state's fingerprint

    @functools.cached_property
    def fingerprint(self) -> str:
        """Everything a link's answer depends on: a page reusing its last bytes needs it equal."""
        # joined by NUL, which no path or language code holds; each origin says how many
        # pages follow it
        files = "\0".join(sorted(self.files))
        pairs = "\0".join(
            part
            for origin in sorted(self.sources)
            for part in (
                origin,
                str(len(self.sources[origin])),
                *chain(*sorted(self.sources[origin].items())),
            )
        )
        shown = sorted(self.pictures.items())
        return digest(files, pairs, repr(self.languages), str(self.content_dir), repr(shown))

    def picture(self, marked: str, alt: str, page_path: str, *, lazy: bool = True, extra: str = "") -> Markup:
        """`<picture>` for a picture stored with the SITE_ROOT marker (an announcement's
        image), its sizes relative to the page: WebP first, then its own format, each with
        `srcset`; a plain `<img>` for a picture without sizes (SVG, GIF)."""
        path = marked.removeprefix(SITE_ROOT)

        def url(target: str) -> str:
            return html.escape(relative_url(target, page_path))

        found = self.picture_of(path)
        attributes = f' alt="{html.escape(alt)}"{extra}'
        if found is None:
            return Markup(f'<img src="{url(path)}"{attributes}>')
        return Markup(self._picture_tag(found, url, attributes, lazy=lazy))

    def _picture_tag(
        self, picture: Picture, url: Callable[[str], str], attributes: str, *, lazy: bool
    ) -> str:
        loading = ' loading="lazy" decoding="async"' if lazy else ""
        size = "" if " width=" in attributes else f' width="{picture.width}" height="{picture.height}"'
        webp = (
            f'<source type="image/webp" srcset="{picture.srcset("image/webp", url)}" sizes="{SIZES}">'
            if picture.mime != "image/webp"
            else ""
        )
        own = picture.srcset(picture.mime, url)
        return (
            f'<picture>{webp}<img src="{url(picture.path)}" srcset="{own}" sizes="{SIZES}"'
            f"{attributes}{size}{loading}></picture>"
        )

    @contextmanager
    def asking(self) -> Iterator[set[Asked]]:
        """Within the block, what this thread asks (see the class's docstring) is collected."""
        asked: set[Asked] = set()
        _ASKING.asked = asked
        try:
            yield asked
        finally:
            del _ASKING.asked

    @staticmethod
    def questions(asked: Iterable[Asked]) -> Questions:
        """`asked` as a page's Questions."""
        return json.dumps(sorted(asked), ensure_ascii=False, separators=(",", ":"))

    def answers(self, asked: Questions) -> str:
        """The digest of what `asked` is answered in this build; each question is answered
        once (a story asks of its links in every language it is shown in)."""
        parts = []
        known = self._answers
        for kind, subject, lang in json.loads(asked):
            question = (kind, subject, lang)
            answer = known.get(question)
            if answer is None:
                found = self.target(subject, lang) if kind == "target" else self.picture_of(subject)
                answer = known[question] = repr((question, found))
            parts.append(answer)
        return digest("answers", *parts)

    def picture_of(self, path: str) -> Picture | None:
        """The picture at `path` with the sizes made of it, if it has any."""
        asked: set[Asked] | None = getattr(_ASKING, "asked", None)
        if asked is not None:
            asked.add(("picture", path, ""))
        return self.pictures.get(path)

    def target(self, ref: str, lang: str) -> str | None:
        """The site path (with any #part) a marked link reaches for a reader of `lang`."""
        asked: set[Asked] | None = getattr(_ASKING, "asked", None)
        if asked is not None:
            asked.add(("target", ref, lang))
        key = (ref, lang)
        if key not in self._cache:
            path, suffix = split_url(html.unescape(ref))
            if path.startswith(CONTENT_REF):
                found = self._content(path[len(CONTENT_REF) :], lang)
            elif path.startswith("/"):
                found = self._file(path)
            else:  # from the site root, else from the language's root
                found = self._file(path) or self._file(f"{lang}/{path}")
            self._cache[key] = found + suffix if found is not None else None
        return self._cache[key]

    def relative_body(self, body: str, page_path: str, lang: str) -> str:
        """The body with each site link relative to the page at `page_path`, and each
        picture with smaller sizes offered at those sizes."""

        def url(target: str) -> str:
            return html.escape(relative_url(target, page_path))

        def picture(match: re.Match[str]) -> str:
            found = self.target(match.group("ref"), lang)
            shown = self.picture_of(split_url(found)[0]) if found is not None else None
            if shown is None:
                return match.group(0)  # its link is made below
            attributes = (match.group("before") + match.group("after")).rstrip("/ ")
            return self._picture_tag(shown, url, attributes, lazy=True)

        if "<img" in body:  # each asked of, pictures with sizes or none: a later build may have some
            body = _PICTURE.sub(picture, body)

        def link(match: re.Match[str]) -> str:
            found = self.target(match.group("ref"), lang)
            if found is None:  # reported at build time; point at what was written
                return '="' + _unresolved(match.group("ref"), root_prefix(page_path)) + '"'
            path, suffix = split_url(found)
            return '="' + html.escape(relative_url(path, page_path) + suffix) + '"'

        return _MARKED.sub(link, body)

    def absolute_body(self, body: str, base_url: str, lang: str) -> str:
        """The body with each site link absolute (feeds, e-mail), at the page's public address."""

        def link(match: re.Match[str]) -> str:
            found = self.target(match.group("ref"), lang)
            if found is None:
                return '="' + _unresolved(match.group("ref"), base_url) + '"'
            path, suffix = split_url(found)
            return '="' + html.escape(base_url + pretty(path) + suffix) + '"'

        return _MARKED.sub(link, body)

    def problems(self, source: Path, lang: str, links: Iterable[BodyLink]) -> list[GeneratorError]:
        """A warning for each link that reaches nothing and each picture without alt text."""
        found = []
        for link in links:
            what = "picture" if link.image else "link to"
            if link.target and self.target(html.escape(link.target), lang) is None:
                found.append(
                    GeneratorError(
                        f'{what} "{link.written}" reaches nothing',
                        path=source,
                        line=link.line,
                        hint=self._suggestion(link, source)
                        + "write a page's address (/es/pages/contactos/), its file (../pages/contactos.md) "
                        "or a file in content/media/ (/media/plano.pdf)",
                    )
                )
            if link.image and not (link.alt or "").strip():
                found.append(
                    GeneratorError(
                        f'picture "{link.written}" has no alt text',
                        path=source,
                        line=link.line,
                        hint="describe it for readers who cannot see it: "
                        f"![The Madrid team at the summer party]({link.written})",
                    )
                )
        return found

    def _content(self, path: str, lang: str) -> str | None:
        """A content file's page (or a media file) for a reader of `lang`."""
        if path.startswith("../") or path == "..":
            return None
        if path.startswith("media/") and path in self.files:
            return path
        for candidate in self._source_candidates(path, lang):
            pages = self.sources.get(candidate)
            if pages:
                return in_language(pages, lang)
        return None

    def _source_candidates(self, path: str, lang: str) -> list[str]:
        """The file itself, else its translations (`x.md` → `x.es.md`), reader's language first."""
        stem = _stem(path, self.languages)
        order = [lang, *(code for code in self.languages if code != lang)]
        return [
            path,
            *(f"{stem}.{code}{suffix}" for code in order for suffix in SOURCE_SUFFIXES),
            *(f"{stem}{suffix}" for suffix in SOURCE_SUFFIXES),
        ]

    def _file(self, path: str) -> str | None:
        """`path` from the site root if the build writes it, as a file or as a folder's index."""
        for candidate in _file_candidates(path):
            if candidate in self.files:
                return candidate
        return None

    def state(self) -> LinkState:
        """What these links answer from, for a later build to compare with (Changes)."""
        return LinkState(
            self.fingerprint, self.files, self.sources, self.languages, str(self.content_dir), self.pictures
        )

    def changes(self, before: LinkState | None) -> Changes | None:
        """What differs from the links `before` (None: anything may, so every answer is
        looked up again)."""
        if (
            before is None
            or before.languages != self.languages
            or before.content_dir != str(self.content_dir)
        ):
            return None
        if before.fingerprint not in self._changes:  # the pages and the link warnings ask in turn
            self._changes[before.fingerprint] = Changes(before, self)
        return self._changes[before.fingerprint]

    def _suggestion(self, link: BodyLink, source: Path) -> str:
        """`did you mean "…"? `, in the form the author wrote the link, or ""."""
        path, _ = split_url(link.target)
        if path.startswith(CONTENT_REF):
            wanted = path[len(CONTENT_REF) :]
            known = [*self.sources, *(f for f in self.files if f.startswith("media/"))]
            match = _closest(wanted, known)
            if match is None:
                return ""
            origin = self._origin(source)
            shown = posixpath.relpath(match, posixpath.dirname(origin)) if origin else match
            return f'did you mean "{shown}"? '
        lead = "/" if path.startswith("/") else ""
        wanted = path.lstrip("/")
        known = [pretty(f) for f in self.files if f.endswith("index.html")] + [
            f for f in self.files if not f.endswith(".html")
        ]
        match = _closest(wanted, known)
        return f'did you mean "{lead}{match}"? ' if match is not None else ""

    def _origin(self, source: Path) -> str:
        try:
            return source.resolve().relative_to(self.content_dir.resolve()).as_posix()
        except ValueError:
            return ""


def _stem(path: str, languages: tuple[str, ...]) -> str:
    """What a content file's translations share: "pages/contactos" for pages/contactos.es.md."""
    stem = path.rstrip("/")
    for suffix in SOURCE_SUFFIXES:
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    for code in languages:  # "contactos.es.md" → the whole group, by "contactos"
        stem = stem.removesuffix(f".{code}")
    return stem


def _stems_naming(origin: str, languages: tuple[str, ...]) -> set[str]:
    """Every stem one of whose candidates (Links._source_candidates: the stem with a
    language and a suffix, or a suffix) is the content file `origin`."""
    found = set()
    for suffix in SOURCE_SUFFIXES:
        if origin.endswith(suffix):
            base = origin[: -len(suffix)]
            found.add(base)
            found.update(base[: -len(code) - 1] for code in languages if base.endswith(f".{code}"))
    return found


def _file_candidates(path: str) -> tuple[str, ...]:
    """The built files a path from the site root names: itself, or its folder's index."""
    clean = posixpath.normpath(path.lstrip("/")) if path.strip("/") else ""
    if clean.startswith(".."):
        return ()
    clean = "" if clean == "." else clean
    return (clean, posixpath.join(clean, "index.html"))


def _closest(wanted: str, known: list[str]) -> str | None:
    same_but_case = [k for k in known if k.lower() == wanted.lower()]
    if same_but_case:
        return same_but_case[0]
    matches = difflib.get_close_matches(wanted, known, n=1, cutoff=0.6)
    return matches[0] if matches else None


def _unresolved(ref: str, root: str) -> str:
    ref = ref.removeprefix(CONTENT_REF)
    return ref if ref.startswith(("../", "./")) else root + ref.lstrip("/")
