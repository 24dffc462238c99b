"""`intranet check`: everything a build would refuse or warn about, and what a reader
would notice that a build lets through, in one report; nothing is written to output/.

The report lists problems, each with a severity:
- error: the build would refuse the content, a link or picture in a body reaches
  nothing or a picture has no alt text (warnings to `build`), or a recipients file
  would not send;
- warning: the build goes on, but a reader meets it (a calendar event skipped, a
  pinned item past its expiry, a translation older than its source, an external link
  that fails with --external);
- notice: worth knowing, never a failure (a language an item has no version in).

`as_json` gives the machine-readable form, with `next_change` (see rules/schedule.py).
"""

from __future__ import annotations

import json
import pickle
import posixpath
import re
import subprocess
import time
import urllib.error
import urllib.request
import zlib
from array import array
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import unquote

from generator.build import build_site, content_cache, load_sources
from generator.cache import (
    Previous,
    Spool,
    Store,
    code_digest,
    spool_folder,
    spooled_bytes,
    tree_key,
    tree_name,
)
from generator.config import load_config
from generator.errors import GeneratorError, flatten
from generator.model import DRAFT_EVENT, Announcement, Kudos, OutputFile, Page, Programme, Site
from generator.rules.review import NOTICE, WARNING, review
from generator.rules.schedule import describe, upcoming_changes
from generator.send.recipients import read_recipients
from generator.urls import SITE

ERROR = "error"
SEVERITIES = (ERROR, WARNING, NOTICE)
SCHEMA_VERSION = 1
EXTERNAL_WORKERS = 8  # external links checked at once
EXTERNAL_TIMEOUT = 10.0  # seconds per link
EXTERNAL_LIMIT = 2000  # distinct external links checked at most


@dataclass(frozen=True)
class Problem:
    path: Path | None
    line: int | None
    severity: str
    kind: str
    message: str
    hint: str | None = None


@dataclass(frozen=True)
class Report:
    problems: tuple[Problem, ...]
    next_change: dict[str, object] | None
    files: int  # content files checked
    seconds: float
    notes: tuple[str, ...] = field(default_factory=tuple)

    def count(self, severity: str) -> int:
        return sum(1 for p in self.problems if p.severity == severity)

    def failed(self, strict: bool) -> bool:
        return self.count(ERROR) > 0 or (strict and self.count(WARNING) > 0)


def _problem(error: GeneratorError, severity: str, kind: str) -> Problem:
    return Problem(error.path, error.line, severity, kind, error.message, error.hint)


def _refused(group: ExceptionGroup[Exception], kind: str) -> list[Problem]:
    """The content problems of a group, as errors; anything else goes on (a bug)."""
    errors, rest = group.split(GeneratorError)
    if rest is not None:
        raise rest from None
    return [_problem(e, ERROR, kind) for e in flatten(errors)]


def _kind(error: GeneratorError) -> str:
    """What a build warning is about, from its file and message."""
    path = error.path.as_posix() if error.path else ""
    if "/calendar/" in path or path.endswith(".ics"):
        return "calendar"
    if "link" in error.message or "picture" in error.message or "alt" in error.message:
        return "link"
    return "content"


def run_check(
    project: Path,
    *,
    today: date | None = None,
    external: bool = False,
    recipients: Path | None = None,
    published: Callable[[Path], Previous] | None = None,
) -> Report:
    """Check the project as of `today`; every problem found, none raised. `published`:
    what a build published in an output folder (each tree's), whose pages made from the
    same inputs are read there instead of rendered, as a build does (None: all rendered)."""
    started = time.perf_counter()
    problems: list[Problem] = []
    content = project / "content"
    try:
        config = load_config(content / "site.toml")
    except ExceptionGroup as group:
        problems += _refused(group, "settings")
        return Report(tuple(_sorted(problems)), None, 0, time.perf_counter() - started)
    try:
        sources = load_sources(project, today=today, config=config, cache=content_cache(project))
    except ExceptionGroup as group:
        problems += _refused(group, "content")
        return Report(tuple(_sorted(problems)), None, 0, time.perf_counter() - started)
    site = sources.site
    seen: set[tuple[object, ...]] = set()
    scopes = [None, *sorted(a for a, aud in config.audiences.items() if aud.restricted)]
    for scope in scopes:  # restricted items' links are resolved in their own trees
        tree = Path("output") / ("audiences/" + scope if scope else "")
        # As `intranet build` does: a page made from the inputs of one published in output/
        # is read there instead of rendered (the same bytes), one rendered waits in a spool
        previous = published(project / tree) if published is not None else None
        targets = _page_targets(sources.cache, scope)
        never = previous is not None and not previous.record  # a tree never published
        if never:  # what the last check made of it stands in for the published files
            previous = _made_before(sources.cache, scope, targets) or previous
        spool = Spool(spool_folder(project))
        try:
            built = build_site(sources, scope=scope, previous=previous, spool=spool)
            for warning in built.warnings:
                key = (warning.path, warning.line, warning.message)
                if key not in seen:
                    seen.add(key)
                    kind = _kind(warning)  # a body link that reaches nothing is an error to check
                    problems.append(_problem(warning, ERROR if kind == "link" else WARNING, kind))
            explained = {str(p.path) for p in problems if p.kind == "link"}
            found = page_links(built.files, explained, tree, targets)
            _keep_page_targets(sources.cache, scope, targets)
            if never:
                _keep_made(sources.cache, scope, built.files, targets)
            for problem in found:  # a template's slip, told once
                key = (problem.path.relative_to(tree) if problem.path else None, None, problem.message)
                if key not in seen:
                    seen.add(key)
                    problems.append(problem)
        finally:
            spool.remove()
    if sources.cache is not None:
        sources.cache.save(prune=False)  # what was read and made is kept; nothing is dropped
    sources_of = [
        *(a.source for a in site.announcements), *(p.source for p in site.pages),
        *(p.source for p in site.programmes),
    ]  # fmt: skip
    changed = last_changes(project, sources_of)
    for finding in review(config, site, sources.today, changed):
        problems.append(
            Problem(finding.path, finding.line, finding.severity, finding.kind, finding.message, finding.hint)
        )
    problems += draft_events(content / "calendar")
    if recipients is not None:
        try:
            read_recipients(recipients, config)
        except GeneratorError as error:
            problems.append(_problem(error, ERROR, "recipients"))
        except ExceptionGroup as group:
            problems += _refused(group, "recipients")
    notes: list[str] = []
    if external:
        links = external_links(site)
        if len({url for url, _, _ in links}) > EXTERNAL_LIMIT:
            notes.append(f"only the first {EXTERNAL_LIMIT:,} external links were checked")
        problems += check_external(links)
    changes = upcoming_changes(config, site, sources.today)
    next_change: dict[str, object] | None = None
    if changes:
        next_change = {
            "date": changes[0].day.isoformat(),
            "text": describe(changes),
            "changes": [
                {"date": c.day.isoformat(), "what": c.what, "title": c.title, "path": _rel(c.source, project)}
                for c in changes
                if c.day == changes[0].day
            ],
        }
    files = len(sources_of) + len(site.kudos) + len(site.metrics) + len({o.source for o in site.occurrences})
    return Report(tuple(_sorted(problems)), next_change, files, time.perf_counter() - started, tuple(notes))


_HREF = re.compile(r'\s(?:href|src)="([^"]*)"')


def _made_key(scope: str | None) -> str:
    return tree_key(tree_name(scope), "what the last check made")


def _made_before(cache: Store | None, scope: str | None, targets: PageTargets) -> Previous | None:
    """For a tree no build published (a restricted audience's, often): the files the last
    check made of it, as if published, so that a file made from the same inputs is not
    made again (at 10,000 announcements, rendering such a tree whole took 40 s of every
    check). Their bytes are never read, so none are kept: a file stands for itself by
    its key, and a page only while what it links to is kept by that key (`targets`)."""
    saved = cache.get(_made_key(scope)) if cache is not None else None
    try:
        code, made = pickle.loads(zlib.decompress(saved)) if saved is not None else ("", [])
    except Exception:  # damaged: every file is made again
        code, made = "", []
    if code != code_digest():
        return None
    known = targets.pages
    kept = {path: (key, "") for path, key in made if not path.endswith(".html") or key in known}
    return Previous(kept, dict.fromkeys(kept, b"")) if kept else None


def _keep_made(
    cache: Store | None, scope: str | None, files: Sequence[OutputFile], targets: PageTargets
) -> None:
    """What this check made of a tree never published (see `_made_before`): each file with
    a key, a page only if what it links to was kept (a page whose body has a link
    problem is not read, so it is made again)."""
    if cache is None:
        return
    made = [
        (f.path, f.key) for f in files if f.key and (not f.path.endswith(".html") or f.key in targets.used)
    ]
    cache.put(
        _made_key(scope), zlib.compress(pickle.dumps((code_digest(), made), pickle.HIGHEST_PROTOCOL), 1)
    )


def _page_targets_key(scope: str | None) -> str:
    return tree_key(tree_name(scope), "what each page links to")


def _page_targets(cache: Store | None, scope: str | None) -> PageTargets:
    """What the pages of the tree linked to when it was last checked (none: a new one)."""
    saved = cache.get(_page_targets_key(scope)) if cache is not None else None
    try:
        code, table, pages = pickle.loads(zlib.decompress(saved)) if saved is not None else ("", [], {})
    except Exception:  # damaged: every page is read again
        code, table, pages = "", [], {}
    return PageTargets(table, pages) if code == code_digest() else PageTargets()


def _keep_page_targets(cache: Store | None, scope: str | None, targets: PageTargets) -> None:
    if cache is not None and not targets.changed:
        cache.touch(_page_targets_key(scope))
        return
    kept = targets.kept()
    if cache is not None and kept is not None:
        data = (code_digest(), kept.table, kept.pages)
        cache.put(_page_targets_key(scope), zlib.compress(pickle.dumps(data, pickle.HIGHEST_PROTOCOL), 1))


class PageTargets:
    """What each page links to (site paths), by the page's key: a page made from the same
    inputs has the same bytes, so its links are not looked for again. The targets are
    numbers in one table of them, each page's an array: at 10,000 announcements, some
    5 MB for the 28,000 pages of a tree, where reading and searching them took 4 s."""

    def __init__(self, table: list[str] | None = None, pages: dict[str, bytes] | None = None) -> None:
        self.table = table or []
        self.pages = pages or {}
        self._number = {target: number for number, target in enumerate(self.table)}
        self._known = len(self.table)  # targets in the table given
        self.used: dict[str, bytes] = {}  # the pages of this check

    @property
    def changed(self) -> bool:
        """Whether this check's pages or targets are not the ones given."""
        return len(self.table) != self._known or self.used != self.pages

    def of(self, f: OutputFile) -> array[int]:
        """The numbers of what the page `f` links to."""
        found = array("I")
        kept = self.pages.get(f.key) if f.key else None
        if kept is not None:
            found.frombytes(kept)
        else:
            html = (f.data if f.copy_from is None else spooled_bytes(f.copy_from, f.span)).decode("utf-8")
            found.extend(self._numbered(target) for target in _targets(html, posixpath.dirname(f.path)))
        if f.key:
            self.used[f.key] = kept if kept is not None else found.tobytes()
        return found

    def _numbered(self, target: str) -> int:
        number = self._number.get(target)
        if number is None:
            number = self._number[target] = len(self.table)
            self.table.append(target)
        return number

    def kept(self) -> PageTargets | None:
        """What to keep for the next check: this one's pages; None when most of the table
        is of pages gone (the next check then starts a new one)."""
        numbers = array("I")
        for data in self.used.values():
            numbers.frombytes(data)
        if len(set(numbers)) < len(self.table) // 2:
            return None
        return PageTargets(self.table, self.used)


def _targets(html: str, folder: str) -> set[str]:
    """The site paths the relative links and pictures of a page in `folder` lead to."""
    found = set()
    for url in set(_HREF.findall(html)):
        if not url or url.startswith(("#", "//")) or _SCHEME.match(url):
            continue
        path = unquote(url.split("#", 1)[0].split("?", 1)[0])
        if path:
            found.add(posixpath.normpath(posixpath.join(folder, path)))
    return found


def page_links(
    files: Sequence[OutputFile], explained: set[str], tree: Path, targets: PageTargets | None = None
) -> list[Problem]:
    """Every relative link and picture of every built HTML page reaches a file of the
    site: what the templates write (menus, switchers, lists) as well as the bodies. A
    page whose body already has a link problem is left to that problem's message. One
    problem per missing target, naming the first page and how many more link to it.
    `targets`: what pages checked before link to (a new PageTargets: none)."""
    targets = targets or PageTargets()
    site = [f for f in files if f.path.startswith(f"{SITE}/")]
    present = {f.path for f in site}
    reaches: list[bool] = []  # by target number: whether a file of the site is there
    missing: dict[str, list[str]] = {}
    for f in site:
        if not f.path.endswith(".html") or f.source in explained:
            continue
        for number in targets.of(f):
            if number >= len(reaches):
                reaches += [
                    target in present or f"{target}/index.html" in present
                    for target in targets.table[len(reaches) :]
                ]
            if not reaches[number]:
                missing.setdefault(targets.table[number], []).append(f.path)
    found = []
    for target, pages in sorted(missing.items()):
        others = len(pages) - 1
        more = f" (and {others:,} more page{'s' if others > 1 else ''})" if others else ""
        found.append(
            Problem(
                tree / pages[0],
                None,
                ERROR,
                "page-link",
                f'a link to "{target.removeprefix(SITE + "/")}" reaches nothing{more}',
                "a template writes it: check the templates in templates/",
            )
        )
    return found


_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def draft_events(folder: Path) -> list[Problem]:
    """A notice for each event `intranet new event` wrote and nobody confirmed yet."""
    found = []
    for path in sorted(folder.rglob("*.ics")) if folder.is_dir() else []:
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        begin, shown = 1, path.relative_to(folder.parent.parent).as_posix()
        for number, line in enumerate(lines, start=1):
            if line.strip().upper() == "BEGIN:VEVENT":
                begin = number
            elif line.strip().upper() == f"{DRAFT_EVENT}:TRUE":
                found.append(
                    Problem(
                        path,
                        begin,
                        NOTICE,
                        "draft",
                        "a draft event: the build leaves it out",
                        f"publish it with `intranet confirm {shown}`",
                    )
                )
    return found


def _sorted(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (str(p.path or ""), p.line or 0, SEVERITIES.index(p.severity)))


def last_changes(project: Path, paths: Sequence[Path]) -> dict[Path, datetime]:
    """Each file's last change: its last commit when the project is kept in git (a fresh
    clone gives every file the same modification time) and the file is unchanged since,
    else its modification time."""
    committed: dict[Path, datetime] = {}
    try:
        log = subprocess.run(
            ["git", "-C", str(project), "log", "--format=@%ct", "--name-only", "--", "content"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        top = subprocess.run(
            ["git", "-C", str(project), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(project), "status", "--porcelain", "--", "content"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        when = None
        for line in log.splitlines():
            if line.startswith("@"):
                when = datetime.fromtimestamp(int(line[1:]), UTC)
            elif line and when is not None:
                committed.setdefault((Path(top) / line).resolve(), when)
        for line in dirty.splitlines():
            committed.pop((Path(top) / line[3:].strip().strip('"')).resolve(), None)
    except (OSError, subprocess.SubprocessError, ValueError):
        committed = {}
    found = {}
    for path in paths:
        resolved = path.resolve()
        if resolved in committed:
            found[path] = committed[resolved]
        else:
            try:
                found[path] = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            except OSError:
                continue
    return found


def external_links(site: Site) -> list[tuple[str, Path, int]]:
    """Every http(s) link written in a body: (url, file, line)."""
    found = []
    items: list[Announcement | Page | Kudos | Programme] = [
        *site.announcements, *site.pages, *site.kudos, *site.programmes
    ]  # fmt: skip
    for item in items:
        for link in item.links:
            if link.written.lower().startswith(("http://", "https://")):
                found.append((link.written, item.source, link.line))
    return found


def check_external(links: Sequence[tuple[str, Path, int]]) -> list[Problem]:
    """Fetch each distinct URL once, a few at a time, each within EXTERNAL_TIMEOUT; a
    failure is a warning at every place the link is written."""
    urls = sorted({url for url, _, _ in links})[:EXTERNAL_LIMIT]
    with ThreadPoolExecutor(max_workers=EXTERNAL_WORKERS) as pool:
        outcome = dict(zip(urls, pool.map(_probe, urls), strict=True))
    return [
        Problem(path, line, WARNING, "external", f"the link {url} {outcome[url]}", "fix or remove the link")
        for url, path, line in links
        if outcome.get(url)
    ]


def _probe(url: str) -> str | None:
    """What is wrong with `url`, or None when it answers. HEAD first; GET where a server
    refuses HEAD."""
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": "intranet-check"})
        try:
            with urllib.request.urlopen(request, timeout=EXTERNAL_TIMEOUT) as answer:
                answer.read(0)
            return None
        except urllib.error.HTTPError as exc:
            if method == "HEAD" and exc.code in (403, 405, 501):
                continue
            return f"answers {exc.code} {exc.reason}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            return f"cannot be reached ({reason})"
    return None


def _rel(path: Path | None, project: Path) -> str | None:
    if path is None:
        return None
    try:
        return path.resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def as_json(report: Report, project: Path) -> str:
    """The report for programs; `SCHEMA_VERSION` changes when a field changes meaning."""
    return json.dumps(
        {
            "version": SCHEMA_VERSION,
            "ok": report.count(ERROR) == 0,
            "counts": {severity: report.count(severity) for severity in SEVERITIES},
            "files": report.files,
            "problems": [
                {
                    "path": _rel(p.path, project),
                    "line": p.line,
                    "severity": p.severity,
                    "kind": p.kind,
                    "message": p.message,
                    "hint": p.hint,
                }
                for p in report.problems
            ],
            "next_change": report.next_change,
            "notes": list(report.notes),
        },
        ensure_ascii=False,
        indent=2,
    )


def as_text(report: Report, project: Path) -> str:
    """The report for people: problems grouped by file, then one summary line."""
    lines: list[str] = []
    current: object = object()
    for p in report.problems:
        where = _rel(p.path, project) or "(settings)"
        if where != current:
            if lines:
                lines.append("")
            lines.append(where)
            current = where
        text = f"{p.message}; {p.hint}" if p.hint else p.message
        lines.append(f"  {p.line or '-':>5}  {p.severity:<7}  {text}")
    counts = ", ".join(f"{report.count(s)} {s}{'s' if report.count(s) != 1 else ''}" for s in SEVERITIES)
    if lines:
        lines.append("")
    lines.append(f"{counts} in {report.files:,} content files, checked in {report.seconds:.2f} s")
    lines += list(report.notes)
    if report.next_change:
        lines.append(f"Next change: {report.next_change['text']}")
    return "\n".join(lines)
