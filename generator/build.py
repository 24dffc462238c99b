"""The pipeline, top to bottom: load → check → compose → render. Writes nothing.

`load_sources` reads a project once (settings, content, templates) and composes what
every output shares (the agenda, the newsletter issues); `build_site`, `build_newsletter`
and `compose_messages` render from that one value, so a command never reads or composes
anything twice.
"""

from __future__ import annotations

import gc
import io
import pickle
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path

from generator.cache import (
    FOLDER,
    STORE_FILE,
    Fingerprints,
    Memo,
    Previous,
    Spool,
    Store,
    code_digest,
    digest,
    library_versions,
    tree_key,
    tree_name,
)
from generator.config import Config, load_config
from generator.errors import GeneratorError, did_you_mean, known_list
from generator.indexer import bundle_names, start_index
from generator.load.markdown import CachedMarkdown
from generator.load.reuse import Reuse
from generator.load.site import load_site
from generator.model import Edition, OutputFile, Site
from generator.pictures import describe_pictures, picture_sizes
from generator.render.calendars import render_calendar_feeds
from generator.render.contents import Kept
from generator.render.feeds import render_feeds
from generator.render.intranet import (
    PageContents,
    PagePlan,
    PageRenderer,
    fixed_files,
    link_problems,
    plan_site,
    render_intranet,
    shape_again,
    site_links,
    site_shape,
)
from generator.render.links import LinkQuestions, LinkState
from generator.render.newsletter import render_newsletters
from generator.render.search import record_counts, record_paths, search_records
from generator.render.templates import Templates
from generator.rules.agenda import Agenda, calendar_window, full_agenda
from generator.rules.issue import Issues
from generator.rules.media import published_media
from generator.rules.views import compose_views
from generator.rules.weeks import IsoWeek
from generator.urls import MESSAGE, SITE


@dataclass(frozen=True)
class Sources:
    """A project read once, with what every output is composed from."""

    project: Path
    config: Config
    today: date
    site: Site
    templates: Templates
    agenda: Agenda  # holidays, pay dates, events and audits, restricted ones included
    issues: Issues  # each newsletter issue, composed on first use and shared
    warnings: tuple[GeneratorError, ...]
    known: tuple[tuple[object, str], ...] = ()  # loaded items with the digest of their inputs
    cache: Store | None = None  # what earlier builds kept, when the project's cache is used
    memo: Memo | None = None  # the live preview's: what earlier rebuilds worked out (cache.Memo)

    @property
    def content(self) -> Path:
        return self.project / "content"


def today_in(config: Config) -> date:
    """Today in the site's time zone: the default for --today."""
    return datetime.now(config.tz).date()


def load_sources(
    project: Path,
    *,
    today: date | None = None,
    config: Config | None = None,
    cache: Store | None = None,
    memo: Memo | None = None,
    touched: frozenset[str] | None = None,
) -> Sources:
    """Read settings (unless given), content and templates; raise every content problem at
    once. With a `cache`, items and bodies loaded by an earlier build are taken from it
    (without one, the loading is still spread over the cores). With a `memo` (the live
    preview's, with its `cache`), what the last rebuild worked out from the files that have
    not changed is found again instead of worked out; `touched`, the paths its watcher saw
    written, made, moved or removed since the last rebuild (None: not known), says which
    files may have (see load/reuse.py)."""
    store = cache if cache is not None else Store(None, remember=False)
    content = project / "content"
    config = config or load_config(content / "site.toml")
    today = today or today_in(config)
    warnings: list[GeneratorError] = []
    settings = _settings_digest(config)
    # The files' record is kept by the settings the files are read with: after a change of
    # the settings, the one found may be older than the last rebuild (settings changed,
    # then back), and not know of what was saved since. Every file is then looked at, as
    # when it is not known what was touched. What the memo holds may depend on any setting.
    if memo is None or not memo.next_round(settings):
        touched = None
    reuse = Reuse(store, _content_digest(config), memo=memo, touched=touched)
    site = load_site(
        content,
        config,
        calendar_window(today, config.calendar),
        warnings,
        markdown=CachedMarkdown(store),
        reuse=reuse,
    )
    reuse.remember()
    if memo is None:  # kept in the cache: the public holidays import every country's module
        read = Fingerprints().of((site.window, site.occurrences, site.programmes))
        agenda = reuse.stored(
            digest("agenda", today.isoformat(), read, settings), lambda: full_agenda(config, site, today)
        )
    else:  # what it is composed from: the calendars' entries and the programmes (audits)
        made_from = (*site.occurrences, *site.programmes)
        agenda = memo.recall(
            ("agenda", today, site.window), made_from, lambda: full_agenda(config, site, today)
        )
    issues = Issues(config, site, agenda, today, memo)
    templates = Templates(project / "templates", store.path.parent if store.path else None)
    return Sources(
        project,
        config,
        today,
        site,
        templates,
        agenda,
        issues,
        tuple(warnings),
        tuple(reuse.known),
        cache,
        memo,
    )


def _settings_digest(config: Config) -> str:
    """The code, the libraries and all the settings."""
    return digest(code_digest(), library_versions(), Fingerprints().of(config))


def _content_digest(config: Config) -> str:
    """What every loader reads besides its file: the code, the libraries, and the settings
    the content is read with (`Config.content_settings`)."""
    return digest(code_digest(), library_versions(), Fingerprints().of(config.content_settings()))


def files_changed(project: Path, cache: Store, memo: Memo) -> tuple[frozenset[str], frozenset[str]] | None:
    """The live preview's, once its watcher runs: the files of content/ changed since its
    last rebuild read them, and those read too soon after a change to tell (Reuse.changed);
    None when files were made or removed (or it is not known)."""
    content = project / "content"
    try:
        config = load_config(content / "site.toml")
    except (GeneratorError, ExceptionGroup):
        return None
    return Reuse(cache, _content_digest(config), memo=memo).changed(content)


@dataclass(frozen=True)
class BuildResult:
    files: list[OutputFile]
    sources: Sources
    warnings: list[GeneratorError]
    week: IsoWeek | None = None  # the newsletter week built, if any

    @property
    def config(self) -> Config:
        return self.sources.config

    @property
    def today(self) -> date:
        return self.sources.today

    @property
    def announcements(self) -> int:
        return len(self.sources.site.announcements)

    @property
    def pages(self) -> int:
        return len(self.sources.site.pages)

    @property
    def html_pages(self) -> int:
        return sum(1 for f in self.files if f.path.startswith(f"{SITE}/") and f.path.endswith(".html"))

    @property
    def messages(self) -> int:
        return sum(1 for f in self.files if f.path.endswith(MESSAGE))


def check_scope(config: Config, scope: str) -> None:
    """--audience must name a restricted audience: open ones are on the main site."""
    audience = config.audiences.get(scope)
    if audience is None or not audience.restricted:
        restricted = sorted(a for a, aud in config.audiences.items() if aud.restricted)
        raise GeneratorError(
            f'--audience "{scope}" is not a restricted audience',
            path=config.source,
            hint=f"{did_you_mean(scope, restricted)}restricted audiences: {known_list(restricted)}",
        )


def default_boards(today: date, size: str = "A4") -> list[tuple[IsoWeek, str]]:
    """The notice-board sheets every build makes: this week's and the next's (a sheet is
    often printed on Friday for the Monday after)."""
    this_week = IsoWeek.of(today)
    return [(this_week, size), (IsoWeek.of(this_week.monday + timedelta(days=7)), size)]


def build_site(
    sources: Sources,
    *,
    drafts: bool = False,
    scope: str | None = None,
    previous: Previous | None = None,
    spool: Spool | None = None,
    boards: Sequence[tuple[IsoWeek, str]] | None = None,
) -> BuildResult:
    """Every page, feed and calendar of the site (or of one restricted audience's tree), and,
    for the main site, this week's newsletter in every language and edition. A page made
    from the same inputs as in `previous` keeps its bytes there instead of being rendered.
    `boards`: the notice-board sheets' weeks and paper sizes (default: this week's and the
    next's, A4; a restricted tree has none: a sheet hangs on a wall)."""
    config, today, site, templates = sources.config, sources.today, sources.site, sources.templates
    if scope is not None:
        check_scope(config, scope)
    views = compose_views(
        config, site, today, drafts=drafts, scope=scope, agenda=sources.agenda, issues=sources.issues
    )
    fingerprints = Fingerprints(sources.known)
    records = search_records(config, views, fingerprints)
    indexing = start_index(records, previous=previous, spool=spool)  # Pagefind runs while pages render
    bundles = indexing.names
    del records  # Pagefind has its pages: the texts are not held while the site renders
    try:
        if boards is None:
            boards = default_boards(today)
        plans = plan_site(config, views, bundles, boards if scope is None else ())
        media = published_media(config, site, scope)  # a restricted item's files stay in its trees
        pictures, sized = picture_sizes(media, cache=sources.cache, previous=previous)
        shape = site_shape(plans, sources.content)
        links = site_links(config, views, plans, templates, media, sources.content, pictures, shape)
        tree = tree_name(scope, drafts)
        questions = _questions(sources.cache, tree)
        asked_before = LinkQuestions(
            questions.links, dict(questions.pages)
        )  # not the state: let go once read
        link_warnings = link_problems(
            views, links, fingerprints, sources.cache, tree, lambda: questions.state
        )
        contents = PageContents(partial(_contents, sources.cache, tree))
        files = render_intranet(
            config,
            views,
            plans,
            templates,
            media,
            links,
            today=today,
            previous=previous,
            fingerprints=fingerprints,
            spool=spool,
            shape=shape,
            questions=questions,
            contents=contents,
        )
        _keep_questions(sources.cache, tree, questions, asked_before)
        if contents.found is not None and sources.cache is not None:
            sources.cache.put(_contents_key(tree), code_digest().encode() + b"\n" + _packed(contents.found))
        del fingerprints  # every page's digests: let go before the feeds (the e-mails key their own)
        files += [*render_feeds(config, views, plans, links, today, previous), *sized]
        del plans  # every page is made: its plan's memory is the newsletters' to use
        files += render_calendar_feeds(config, views[config.default_language].agenda, today, previous)
        week = None
        if scope is None:  # every edition's e-mail, restricted ones included, comes from the main build
            week = IsoWeek.of(today)
            files += render_newsletters(
                sources.issues.of_week(week),
                config,
                templates,
                today,
                sources.cache,
                Fingerprints(sources.known),
                pictures,
            )
        files += indexing.files()  # last: Pagefind had the time all the rest took
    finally:
        indexing.cancel()
    return BuildResult(files, sources, [*sources.warnings, *link_warnings], week)


def _questions(cache: Store | None, tree: str) -> LinkQuestions:
    """What each page asked the links when it was last rendered (see render_intranet), as
    the last build of the same tree (`tree_name`) kept it in the cache; without one, or
    kept by other code, nothing. The links' state then is read when first asked for."""
    found = _kept_by_this_code(cache, _questions_key(tree))
    if not isinstance(found, LinkQuestions):  # none, other code's, or damaged: pages that asked render again
        return LinkQuestions()
    found.load_state = partial(_link_state, cache, tree, found.links)
    return found


def _link_state(cache: Store | None, tree: str, fingerprint: str) -> LinkState | None:
    """The links' state the questions kept for `tree` were answered from (None: anything
    may have changed, every page's answers are looked up again)."""
    found = _kept_by_this_code(cache, _link_state_key(tree))
    return found if isinstance(found, LinkState) and found.fingerprint == fingerprint else None


def _kept_by_this_code(cache: Store | None, key: str) -> object:
    """The value `_packed` kept under `key` with this code's digest; None without one, or
    kept by other code (not even read: the pages' questions at 10,000 announcements take
    25 MB once read, 35 MB while they are), or damaged."""
    saved = cache.get(key) if cache is not None else None
    code = code_digest().encode()
    if saved is None or saved[: len(code) + 1] != code + b"\n":
        return None
    try:
        return pickle.load(io.BufferedReader(_Unpacked(memoryview(saved)[len(code) + 1 :]), 1 << 16))
    except Exception:
        return None


def _keep_questions(cache: Store | None, tree: str, questions: LinkQuestions, before: LinkQuestions) -> None:
    if cache is None:
        return
    if questions == before:  # the usual edit: kept as it is
        cache.touch(_questions_key(tree))
    else:
        kept = LinkQuestions(questions.links, questions.pages)  # the state apart, below
        cache.put(_questions_key(tree), code_digest().encode() + b"\n" + _packed(kept))
    state = questions.state if questions.links != before.links else None
    if state is None:  # the same links as the state kept (or none to keep)
        cache.touch(_link_state_key(tree))
    else:
        cache.put(_link_state_key(tree), code_digest().encode() + b"\n" + _packed(state))


def _packed(value: object) -> bytes:
    """`value` pickled and compressed as it is written, without the whole pickle in memory
    at once nor a memo of every object (the pages' questions at 10,000 announcements:
    6 MB pickled, 1.3 MB compressed; they repeat the same few links and words)."""
    out = io.BytesIO()
    packer = zlib.compressobj(1)

    class Sink:
        def write(self, data: bytes) -> int:
            out.write(packer.compress(data))
            return len(data)

    pickler = pickle.Pickler(Sink(), protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no object is shared: the memo would only hold every one of them
    pickler.dump(value)
    out.write(packer.flush())
    return out.getvalue()


class _Unpacked(io.RawIOBase):
    """What `_packed` wrote, read back as it is decompressed: a pickle is read from it
    without the whole of it in memory at once."""

    def __init__(self, packed: memoryview) -> None:
        self._packed = packed
        self._unpacker = zlib.decompressobj()
        self._left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._left:
            if self._unpacker.unconsumed_tail:
                self._left = self._unpacker.decompress(self._unpacker.unconsumed_tail, 1 << 16)
            elif self._packed:
                part, self._packed = self._packed[: 1 << 16], self._packed[1 << 16 :]
                self._left = self._unpacker.decompress(part, 1 << 16)
            else:
                self._left = self._unpacker.flush()
                if not self._left:
                    return 0
        size = min(len(buffer), len(self._left))
        buffer[:size] = self._left[:size]
        self._left = self._left[size:]
        return size


def _contents(cache: Store | None, tree: str) -> Mapping[str, Kept]:
    """Where each page's block was (render/contents.py), as the last build of the same tree
    that rendered its pages in number found it; without one, or kept by other code, nothing
    (every page is rendered whole)."""
    found = _kept_by_this_code(cache, _contents_key(tree))
    return found if isinstance(found, dict) else {}


def _contents_key(tree: str) -> str:
    return tree_key(tree, "where each page's block is")


def _questions_key(tree: str) -> str:
    return tree_key(tree, "pages' questions to the links")


def _link_state_key(tree: str) -> str:
    return tree_key(tree, "the links the pages' questions were answered from")


class PlannedPages(Mapping[str, Callable[[], bytes]]):
    """Each planned page's path in the site → its rendering, bound when asked for: a dict of
    28,600 bound renderings took some 50 ms of every preview rebuild at 10,000."""

    __slots__ = ("_plans", "_render")

    def __init__(self, plans: Iterable[PagePlan], render: Callable[[PagePlan], bytes]) -> None:
        self._plans = {plan.path: plan for plan in plans}
        self._render = render

    def __getitem__(self, path: str) -> Callable[[], bytes]:
        return partial(self._render, self._plans[path])

    def __iter__(self) -> Iterator[str]:
        return iter(self._plans)

    def __len__(self) -> int:
        return len(self._plans)


@dataclass(frozen=True)
class OnDemand:
    """The site of one preview build (`intranet serve`), made as it is read: each page
    renders when it is asked for, and what no page needs first (the feeds and calendar
    feeds: `later`; the search index: `index`) is made after the pages can be served."""

    pages: PlannedPages  # a planned page's path in the site → its rendering
    files: list[OutputFile]  # made already: the root pages, styles, media and picture sizes
    later: tuple[Callable[[], list[OutputFile]], ...]  # each makes a group of files
    # the search index's files, keeping the bundles of an earlier index made from the same
    # records (given when it is made, not when the site is: see serve.py)
    index: Callable[[Previous | None], list[OutputFile]]
    link_warnings: Callable[[], list[GeneratorError]]  # body links that reach nothing
    probes: tuple[Callable[[], bytes], ...]  # one page of each template in each language
    sources: Sources


def preview_site(sources: Sources, *, previous: Previous | None = None) -> OnDemand:
    """The main site with drafts, as build_site makes it, page by page on demand. No
    newsletter: the preview shows the site. `previous`: an earlier preview's picture
    sizes, kept. What the sources' `memo` kept from the last rebuild is found again."""
    config, today, site, templates = sources.config, sources.today, sources.site, sources.templates
    memo = sources.memo
    views = compose_views(
        config, site, today, drafts=True, agenda=sources.agenda, issues=sources.issues, memo=memo
    )
    bundles = bundle_names(record_counts(views), record_paths(views))
    plans = plan_site(config, views, bundles, default_boards(today), memo)
    media = published_media(config, site, None, memo)
    pictures, sized = picture_sizes(media, cache=sources.cache, previous=previous)
    # An edit that moves no page leaves the site's shape as it was: found again, not
    # worked out from the 28,600 plans at 10,000 announcements (some 50 ms a rebuild)
    again = partial(shape_again, plans, sources.content)
    _, shape, first = again(None) if memo is None else memo.carry(("shape", sources.content), again)
    links = site_links(config, views, plans, templates, media, sources.content, pictures, shape)
    renderer = PageRenderer.of(config, views, plans, templates, links, today, shape)
    # the index's records carry their items' digests, as a build's: its bundles keep the
    # published ones made from the same records (serve.py)
    known = Fingerprints(sources.known)

    return OnDemand(
        PlannedPages(plans, renderer.render),
        [*fixed_files(config, templates, media, today), *sized],
        (
            lambda: render_feeds(config, views, plans, links, today),
            lambda: render_calendar_feeds(config, views[config.default_language].agenda, today),
        ),
        lambda earlier: start_index(search_records(config, views, known), previous=earlier).files(),
        lambda: link_problems(views, links, Fingerprints(sources.known), sources.cache),
        tuple(partial(renderer.render, plans[index]) for index in first),
        sources,
    )


def build_newsletter(sources: Sources, week: IsoWeek | None = None) -> BuildResult:
    """One week's newsletter, every language and edition, into newsletter/{week}/."""
    week = week or IsoWeek.of(sources.today)
    issues = sources.issues.of_week(week)
    pictures = describe_pictures(sources.site.media)
    files = render_newsletters(issues, sources.config, sources.templates, sources.today, pictures=pictures)
    return BuildResult(files, sources, list(sources.warnings), week)


def compose_messages(sources: Sources, week: IsoWeek, editions: Iterable[Edition]) -> dict[Edition, bytes]:
    """The message.eml of each edition asked for (e.g. a recipient in two audiences, which no
    build publishes), through the same compose and render steps as the build."""
    messages = {}
    pictures = describe_pictures(sources.site.media)
    for lang, audiences in sorted(set(editions)):
        issue = sources.issues.get(week, lang, audiences)
        files = render_newsletters(
            [issue], sources.config, sources.templates, sources.today, pictures=pictures
        )
        messages[(lang, audiences)] = next(f.data for f in files if f.path.endswith(MESSAGE))
    return messages


def build(
    project: Path,
    *,
    today: date | None = None,
    drafts: bool = False,
    scope: str | None = None,
    cache: Store | None = None,
    previous: Previous | None = None,
    spool: Spool | None = None,
    boards: Sequence[tuple[IsoWeek, str]] | None = None,
    config: Config | None = None,
) -> BuildResult:
    """`intranet build`: read the project, then render the site (and this week's newsletter).
    With a `spool`, the rendered pages wait in its files (see cache.Spool) until published.
    `boards`: the notice-board sheets to make (see build_site); `config`: the project's
    settings, when already read."""
    config = config or load_config(project / "content" / "site.toml")
    if scope is not None:
        check_scope(config, scope)  # before reading any content
    sources = load_sources(project, today=today, config=config, cache=cache)
    # What is loaded lives as long as the build: kept out of the collector's passes, which
    # otherwise walk the whole site again (one such pass: 0.15 s of an edit at 10,000)
    gc.freeze()
    try:
        return build_site(sources, drafts=drafts, scope=scope, previous=previous, spool=spool, boards=boards)
    finally:
        gc.unfreeze()


def content_cache(project: Path) -> Store:
    """The project's cache of rendered bodies, PROJECT/.intranet/cache/ (git-ignored)."""
    return Store(project / FOLDER / STORE_FILE)
