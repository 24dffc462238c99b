"""`intranet serve`: the live preview. Builds, serves the site from memory over HTTP, watches
content/ and templates/ (watchdog), rebuilds after a change and reloads open pages.

Nothing is written: output/ stays what the last `intranet build` published. A broken edit
keeps the last good site served and shows its `path:line: message` problems over the page
and in the terminal; the next good build clears them. Pages learn of a rebuild through
Server-Sent Events from a small script added to every HTML page, only here.
"""

from __future__ import annotations

import contextlib
import gc
import html
import json
import mimetypes
import os
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from generator.build import OnDemand, content_cache, files_changed, load_sources, preview_site, today_in
from generator.cache import Memo, Previous, Store, digest, read_record, record_file
from generator.config import load_config
from generator.errors import GeneratorError, flatten
from generator.load.files import ignored
from generator.model import OutputFile
from generator.urls import SITE, search_bundle

EVENTS = "/__intranet/events"
REPLY = 0.25  # seconds the work after a rebuild waits for the reloaded page to be served
# Seconds of quiet before rebuilding: after a save is complete (the file closed, moved in
# or deleted); after a change whose file is still open, where the watcher reports a
# file's closing (Linux's inotify: the close comes and shortens the wait); and after any
# change where it does not (other systems).
SETTLED = 0.02
UNTIL_CLOSED = 0.5
DEBOUNCE = 0.05
REWATCHED = "Callback with id .* already exists for watch"  # watchdog's (see start)
_SCRIPT = """<script>(() => {
  const events = new EventSource("/__intranet/events");
  const show = (lines) => {
    let box = document.getElementById("intranet-problems");
    if (!lines.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("pre");
      box.id = "intranet-problems";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:50vh;overflow:auto;" +
        "margin:0;padding:1em;background:#7a1010;color:#fff;font:14px/1.4 monospace;" +
        "z-index:2147483647;white-space:pre-wrap";
      document.body.append(box);
    }
    box.textContent = lines.join("\\n");
  };
  events.addEventListener("reload", () => location.reload());
  events.addEventListener("problems", (e) => show(JSON.parse(e.data)));
})();</script>"""


_NOT_FOUND = b"<!DOCTYPE html><title>Not found</title><body><p>Not found.</p></body>"


def _bytes(found: Served) -> bytes:
    if isinstance(found, bytes):
        return found
    return found.read_bytes() if isinstance(found, Path) else found()


def _failed_page(message: str) -> bytes:
    text = html.escape(message)
    return f"<!DOCTYPE html><title>Problem</title><body><pre role=alert>{text}</pre></body>".encode()


Served = bytes | Path | Callable[[], bytes]  # the bytes, a file to read, or a page to render


def _done() -> threading.Event:
    """Before the first good build, nothing is being made: nothing to wait for."""
    event = threading.Event()
    event.set()
    return event


@dataclass
class ServedSite:
    """What one build serves, path below the site root → what to serve: the files made
    (styles, media, then the feeds and the search index) and the pages, rendered when
    asked for."""

    made: dict[str, Served] = field(default_factory=dict)
    pages: Mapping[str, Callable[[], bytes]] = field(default_factory=dict)

    def get(self, rel: str) -> Served | None:
        found = self.made.get(rel)
        return found if found is not None else self.pages.get(rel)

    def add(self, files: dict[str, Served]) -> None:
        self.made.update(files)


@dataclass
class State:
    """The last good site (path below the site root → what to serve) and the problems of
    the latest build, if it failed; `version` counts the changes pages hear of."""

    files: ServedSite = field(default_factory=ServedSite)
    problems: list[str] = field(default_factory=list)
    version: int = 0
    changed: threading.Condition = field(default_factory=threading.Condition)
    cache: Store = field(default_factory=lambda: Store(None))  # loaded items, kept between rebuilds
    previous: Previous | None = None  # the last build's search index and picture sizes, to keep
    memo: Memo = field(default_factory=Memo)  # what was worked out from unchanged items
    complete: threading.Event = field(default_factory=_done)  # `files` has the feeds and index
    generation: int = 0  # the latest rebuild: work for an earlier one stops
    retired: ServedSite = field(default_factory=ServedSite)  # the site served before the last rebuild
    asked: threading.Event = field(default_factory=threading.Event)  # a page of the new site was served
    indexing: threading.Lock = field(default_factory=threading.Lock)  # one search index made at a time

    def publish(self, files: ServedSite | None, problems: list[str]) -> threading.Event:
        """Serve `files` (None: keep the last good site), or show the `problems`; returns
        the event that says the site is complete."""
        with self.changed:
            if files is not None:
                self.retired = self.files  # let go of after the reload (freeing a site takes a while)
                self.files = files
                self.complete = threading.Event()
                self.asked = threading.Event()
            self.problems = problems
            self.version += 1
            self.changed.notify_all()
            return self.complete

    def find(self, rel: str) -> Served | None:
        """What is served at `rel`; a file the site does not have yet (a feed, the search
        index) is waited for until the rest of the site is made. A page is not: every page
        of a site is there as soon as it is served, so one not there is not found at once
        (it waited for the search index, some 20 s of a first one at 10,000 announcements)."""
        for _ in range(4):  # a rebuild while waiting: look in the newer site
            with self.changed:
                files, complete = self.files, self.complete
            found = files.get(rel)
            if found is None and rel.endswith(".html"):
                return None
            if found is not None or (complete.wait(timeout=300) and files is self.files):
                return found if found is not None else self.files.get(rel)
        return self.files.get(rel)


def rebuild(
    project: Path,
    today: date | None,
    state: State,
    say: Callable[[str], None],
    touched: frozenset[str] | None = None,
) -> bool:
    """Compose the site and serve its pages as they are asked for; on a problem, keep the
    last good site and show why. The feeds, the calendar feeds and the search index are
    made right after, with the link warnings and a trial of every template. `touched`:
    the files the watcher saw change since the last rebuild (None: not known). Whether
    the site was composed: if not, those files are looked at again next time."""
    state.generation += 1
    generation = state.generation
    began = time.perf_counter()
    try:
        state.cache.forget_unused()
        sources = load_sources(project, today=today, cache=state.cache, memo=state.memo, touched=touched)
        site = preview_site(sources, previous=state.previous)
        state.cache.save(prune=False)
    except (GeneratorError, ExceptionGroup) as exc:
        _failed(project, state, say, exc)
        return False
    files = ServedSite(_served(site.files), site.pages)
    complete = state.publish(files, [])
    gc.freeze()  # what the site holds is not walked by the collector again (see _afterwards)
    took = time.perf_counter() - began  # until its pages are served (each renders when asked for)
    say(f"Rebuilt {len(site.pages)} pages in {took:.2f} s (today: {site.sources.today.isoformat()})")
    later = (project, state, site, generation, complete, say)
    threading.Thread(target=_afterwards, args=later, daemon=True).start()
    return True


def _afterwards(
    project: Path,
    state: State,
    site: OnDemand,
    generation: int,
    complete: threading.Event,
    say: Callable[[str], None],
) -> None:
    """The rest of one rebuild, while its pages are served; it stops at a newer rebuild.
    It starts once the first page is served after the reload (or after REPLY seconds),
    so open pages reload without sharing the interpreter with it."""
    state.asked.wait(timeout=REPLY)
    try:
        warnings = sorted([*site.sources.warnings, *site.link_warnings()], key=GeneratorError.sort_key)
        for warning in warnings if state.generation == generation else ():
            say(f"warning: {warning.format(project)}")
        made = list(site.files)
        for group in site.later:
            if state.generation != generation:
                return
            made += group()
        # One index at a time, each keeping the bundles of the last one made (even for a
        # rebuild overtaken by a newer one while it ran): saves while the first index of
        # a large site is made do not each make the whole index again, side by side
        with state.indexing:
            if state.generation != generation:
                return
            index = _index(project, site, state.previous)
            state.previous = _with_index(state.previous, index)
        made += index
        with state.changed:
            if state.generation != generation:
                return
            state.files.add(_served(made))
        state.retired = ServedSite()  # the pages asked for after the reload are served by now
        memory = {f.path: f.data for f in made if f.key and f.copy_from is None}
        state.previous = Previous({path: (f.key, "") for f in made if (path := f.path) in memory}, memory)
        complete.set()
        for probe in site.probes:  # a template that fails shows now, not when its page is read
            if state.generation != generation:
                return
            probe()
        if state.generation == generation:  # what the last site held, in cycles, is freed
            gc.unfreeze()
            gc.collect()
            gc.freeze()
    except (GeneratorError, ExceptionGroup) as exc:
        if state.generation == generation:
            _failed(project, state, say, exc)
    finally:
        complete.set()


def _index(project: Path, site: OnDemand, previous: Previous | None) -> list[OutputFile]:
    """The site's search index, keeping the bundles of `previous` made from the same
    records. Before the preview has made one, those `intranet build` last published into
    output/ are kept instead, read into memory (a later build may replace them): at
    10,000 announcements, 0.5 s against some 20 s of indexing on two cores."""
    earlier = previous if previous is not None else _published_index(project)
    made = site.index(earlier)
    if earlier is None or earlier is previous:
        return made
    try:
        held = []
        for f in made:
            if f.copy_from is not None:
                data = Path(f.copy_from).read_bytes()
                if digest(data) != earlier.record[f.path][1]:
                    raise OSError(f"{f.copy_from} changed")
                f = f._replace(data=data, copy_from=None)
            held.append(f)
        return held
    except OSError:  # a build published meanwhile: made afresh
        return site.index(None)


def _published_index(project: Path) -> Previous | None:
    """The search index of output/ (the project's own), as its last build recorded it."""
    out = project / "output"
    record = read_record(record_file(project, out))
    index = {path: entry for path, entry in record.items() if search_bundle(path) is not None}
    return Previous(index, out) if index else None


def _with_index(previous: Previous | None, index: list[OutputFile]) -> Previous:
    """`previous` (files made in memory, by path), its search index bundles replaced by
    those of `index`."""
    made = {f.path: f for f in index if f.key and f.copy_from is None}
    bundles = {search_bundle(path) for path in made}
    record = dict(previous.record) if previous is not None else {}
    files = dict(previous.files) if previous is not None and not isinstance(previous.files, Path) else {}
    for path in [path for path in record if search_bundle(path) in bundles]:
        del record[path]
        files.pop(path, None)
    record |= {path: (f.key, "") for path, f in made.items()}
    files |= {path: f.data for path, f in made.items()}
    return Previous(record, files)


def _failed(project: Path, state: State, say: Callable[[str], None], exc: Exception) -> None:
    errors = [exc] if isinstance(exc, GeneratorError) else _problems(exc)  # type: ignore[arg-type]
    lines = [e.format(project) for e in sorted(errors, key=GeneratorError.sort_key)]
    for line in lines:
        say(line)
    say(f"{len(lines)} problem{'s' if len(lines) != 1 else ''}; still serving the last good site")
    state.publish(None, lines)


def _rel(path: str) -> str:
    return path.removeprefix(f"{SITE}/")


def _served(files: list[OutputFile]) -> dict[str, Served]:
    return {
        _rel(f.path): (Path(f.copy_from) if f.copy_from is not None else f.data)
        for f in files
        if f.path.startswith(f"{SITE}/")
    }


def _problems(group: BaseExceptionGroup[BaseException]) -> list[GeneratorError]:
    problems, rest = group.split(GeneratorError)
    if rest is not None:
        raise rest
    return flatten(problems)


class _Handler(BaseHTTPRequestHandler):
    state: State
    project: Path
    say: Callable[[str], None]

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == EVENTS:
            self._events()
            return
        rel = PurePosixPath(path.lstrip("/")).as_posix() if path != "/" else ""
        if rel in ("", ".") or path.endswith("/"):
            rel = (rel.rstrip("/") + "/index.html").lstrip("/") if rel not in ("", ".") else "index.html"
        found = self.state.find(rel)
        status = 200
        if found is None:
            found, status, rel = self.state.files.get("404.html") or _NOT_FOUND, 404, "404.html"
        try:
            data = _bytes(found)
        except GeneratorError as exc:  # a template that fails for this page
            message = exc.format(self.project)
            self.say(message)
            data, status, rel = _failed_page(message), 500, "error.html"
        kind = mimetypes.guess_type(rel)[0] or "application/octet-stream"
        if kind == "text/html":
            data = data.replace(b"</body>", _SCRIPT.encode() + b"</body>", 1)
            kind += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)
        if kind.startswith("text/html"):
            self.state.asked.set()  # the work after a rebuild may start (see _afterwards)

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        state = self.state
        with state.changed:
            seen = state.version
            problems = list(state.problems)
        try:
            self._send("problems", json.dumps(problems))
            while True:
                with state.changed:
                    if state.version == seen:  # a change made since the last look is not missed
                        state.changed.wait(timeout=15)
                    changed, seen, problems = state.version != seen, state.version, list(state.problems)
                if not changed:
                    self.wfile.write(b": still here\n\n")  # keeps proxies from closing the stream
                elif problems:
                    self._send("problems", json.dumps(problems))
                else:
                    self._send("reload", str(seen))
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return

    def _send(self, event: str, data: str) -> None:
        self.wfile.write(f"event: {event}\ndata: {data}\n\n".encode())
        self.wfile.flush()


class _Changes(FileSystemEventHandler):
    """Calls `then` once things have been quiet for SETTLED seconds after a relevant save
    (after a change whose file is not closed yet: UNTIL_CLOSED where the watcher reports
    closing, else DEBOUNCE), so one save is one rebuild.
    A watched folder that does not exist yet (a project's first templates/), or that is
    removed and made again, is watched from the moment it is made: the folder holding it
    is watched too, for that.
    It also keeps the files it saw touched until a rebuild `take`s them, named as the
    build names them (`roots` maps each watched folder to that name of it); from when
    `started` says what changed before watching began, that is all that changed."""

    def __init__(self, roots: dict[Path, str], then: Callable[[], None], observer: Observer) -> None:  # type: ignore[valid-type]
        self.roots, self.then, self.observer = list(roots), then, observer
        self._names = roots
        self._open_wait = UNTIL_CLOSED if type(observer).__name__ == "InotifyObserver" else DEBOUNCE
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._watched: dict[Path, ObservedWatch] = {}
        self._parents: set[Path] = set()
        # the files touched since the last `take`; all that changed is known only once
        # `started` says what changed before watching began, and not after a folder's change
        self._touched: set[str] = set()
        self._known = False

    def started(self, found: tuple[frozenset[str], frozenset[str]] | None) -> None:
        """Watching has begun, and `found` is what changed since the last rebuild read the
        files, and what it read too soon after a change to tell (None: not known): the next
        rebuild looks at both, and comes at once if anything changed. Called before any
        rebuild can `take`."""
        with self._lock:
            if found is None:
                return
            changed, fresh = found
            self._touched |= changed | fresh
            self._known = True
            if changed:
                self._timer = threading.Timer(SETTLED, self.then)
                self._timer.daemon = True
                self._timer.start()

    def take(self) -> frozenset[str] | None:
        """The files touched since the last call (None: not known), and start again."""
        with self._lock:
            touched, known = frozenset(self._touched), self._known
            self._touched, self._known = set(), True
        return touched if known else None

    def give_back(self, touched: frozenset[str] | None) -> None:
        """What `take` gave, for the next rebuild: this one did not get through."""
        with self._lock:
            if touched is None:
                self._known = False
            else:
                self._touched |= touched

    def watch(self) -> None:
        for root in self.roots:
            watching = self._watched.get(root)
            if watching is not None and not root.is_dir():  # removed: its watch ends with it
                with contextlib.suppress(KeyError, OSError):
                    self.observer.unschedule(watching)  # type: ignore[attr-defined]
                del self._watched[root]
            if root not in self._watched and root.is_dir():
                self._watched[root] = self.observer.schedule(self, str(root), recursive=True)  # type: ignore[attr-defined]
            if root.parent not in self._parents and root.parent.is_dir():
                self.observer.schedule(self, str(root.parent), recursive=False)  # type: ignore[attr-defined]
                self._parents.add(root.parent)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and Path(str(event.src_path)) in self.roots:
            self.watch()  # a watched folder made (or removed) while the preview runs
        if event.is_directory and event.event_type == "modified":
            return  # a file in it changed, and that file has its own event
        paths = [event.src_path, getattr(event, "dest_path", "")]
        named = [name for p in paths if p and (name := self._named(str(p))) is not None]
        if not named:
            return
        settled = event.event_type in ("closed", "moved", "deleted")
        with self._lock:
            if event.is_directory:  # a folder made, moved or removed
                self._known = False
            self._touched.update(named)
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(SETTLED if settled else self._open_wait, self.then)
            self._timer.daemon = True
            self._timer.start()

    def _named(self, raw: str) -> str | None:
        """The path as the build names it, if it is below a watched folder and not left
        out there (else None: not a change the build sees)."""
        path = Path(raw)
        for root in self.roots:
            try:
                rel = path.relative_to(root)
            except ValueError:
                continue
            return None if ignored(rel) else os.path.join(self._names[root], *rel.parts)  # noqa: PTH118
        return None


@dataclass
class Preview:
    """A running preview: `url`, and `stop()` to end it."""

    server: ThreadingHTTPServer
    observer: Observer  # type: ignore[valid-type]
    state: State
    stop_clock: threading.Event

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def stop(self) -> None:
        gc.unfreeze()
        self.state.generation += 1  # a rebuild's rest still running stops, and says nothing
        self.stop_clock.set()
        self.observer.stop()  # type: ignore[attr-defined]
        self.server.shutdown()
        self.server.server_close()
        self.observer.join(timeout=5)  # type: ignore[attr-defined]


def start(
    project: Path,
    host: str,
    port: int,
    today: date | None,
    say: Callable[[str], None] = print,
    serving: Callable[[str], None] | None = None,
) -> Preview:
    """Build once, then serve and watch in background threads. `serving` is told the
    address as soon as pages are served: setting the watches up and looking for what
    changed during the first build comes after, while the feeds and the search index are
    made (at 10,000 announcements the address showed some 2 s after the pages did)."""
    # watchdog warns when a folder made as its parent's watch begins is reported as made
    # again: the watch's callback is replaced by itself and nothing is lost. Raised as an
    # error (as the tests raise every warning), it would stop the watcher's thread.
    warnings.filterwarnings("ignore", message=REWATCHED, category=RuntimeWarning)
    state = State(cache=content_cache(project))
    lock = threading.Lock()

    changes: _Changes | None = None

    def again() -> None:
        with lock:  # one build at a time; a change during a build triggers the next
            touched = changes.take() if changes is not None else None
            if not rebuild(project, today, state, say, touched) and changes is not None:
                changes.give_back(touched)

    again()
    handler = type("Handler", (_Handler,), {"state": state, "project": project, "say": staticmethod(say)})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if serving is not None:
        host_served, port_served = server.server_address[:2]
        serving(f"http://{host_served!s}:{port_served}/")
    observer = Observer()
    changes = _Changes(
        {(project / name).resolve(): str(project / name) for name in ("content", "templates")},
        again,
        observer,
    )
    changes.watch()
    observer.start()
    with lock:  # what changed while the first build ran is looked at, not every file
        changes.started(files_changed(project, state.cache, state.memo))
    stop_clock = threading.Event()
    if today is None:  # scheduled items appear on their day: rebuild when the date changes
        threading.Thread(target=_midnight, args=(project, stop_clock, again), daemon=True).start()
    return Preview(server, observer, state, stop_clock)


def _midnight(project: Path, stop: threading.Event, then: Callable[[], None]) -> None:
    day = None
    while not stop.wait(60):
        try:
            now = today_in(load_config(project / "content" / "site.toml"))
        except (GeneratorError, ExceptionGroup):
            continue  # the rebuild after the edit shows what is wrong
        if day is not None and now != day:
            then()
        day = now
