"""The `intranet` command: parses arguments, prints, picks exit codes. Nothing else prints.

Exit codes: 0 success, 1 content problems (each as `path:line: message`),
2 bad usage. An unexpected bug prints one line and where its traceback was saved.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from datetime import time as dt_time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator import __version__
from generator.cache import (
    FOLDER,
    INPUTS,
    Previous,
    Spool,
    Store,
    code_digest,
    digest,
    forget_record,
    inputs_digest,
    kept,
    library_versions,
    read_record,
    record_file,
    spool_folder,
    write_record,
)
from generator.config import Config, load_config, read_config
from generator.errors import GeneratorError, did_you_mean, flatten, known_list
from generator.model import Edition
from generator.parallel import reporting
from generator.resources import BUILTIN_TEMPLATES
from generator.rules.board import SIZES as BOARD_SIZES
from generator.rules.weeks import IsoWeek
from generator.scaffold import (
    EVENT_CATEGORIES,
    KINDS,
    REPEATS,
    EventDetails,
    confirm_events,
    init_project,
    new_file,
)
from generator.urls import SITE, edition_label

if TYPE_CHECKING:  # imported when a command needs it: an up-to-date build does not
    from generator.build import Sources


def _week(text: str) -> IsoWeek:
    try:
        return IsoWeek.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


EVENT_OPTIONS = (
    "date",
    "time",
    "end",
    "office",
    "category",
    "location",
    "every",
    "until",
    "confirmed",
    "course",
)


def _clock(text: str) -> dt_time:
    try:
        return datetime.strptime(text, "%H:%M").time()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time of day; use HH:MM, e.g. 08:30") from None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="intranet",
        description="Build the employee intranet, newsletter and calendars from content/.",
    )
    parser.add_argument("--version", action="version", version=f"intranet {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--project",
        type=Path,
        default=Path(),
        metavar="DIR",
        help="folder holding content/ and templates/ (default: current folder)",
    )
    common.add_argument(
        "--today",
        type=_day,
        metavar="YYYY-MM-DD",
        help="the date the build treats as today (default: today in the site's time zone)",
    )

    b = commands.add_parser(
        "build", parents=[common], help="build the intranet site and this week's newsletter into output/"
    )
    b.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: PROJECT/output)")
    b.add_argument("--drafts", action="store_true", help="include announcements marked draft: true")
    b.add_argument(
        "--strict", action="store_true", help="treat warnings (e.g. skipped calendar events) as errors"
    )
    b.add_argument(
        "--no-cache",
        action="store_true",
        help="render everything anew, without reading or writing PROJECT/.intranet/cache/",
    )
    b.add_argument(
        "--audience",
        metavar="ID",
        help="build the separate tree of a restricted audience (default out: output/audiences/ID)",
    )
    c = commands.add_parser(
        "check",
        parents=[common],
        help="report every problem a build would refuse or a reader would meet; writes nothing",
    )
    c.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    c.add_argument("--external", action="store_true", help="also fetch each external link (slower)")
    c.add_argument("--strict", action="store_true", help="fail on warnings too (exit code 1)")
    c.add_argument("--recipients", type=Path, metavar="FILE.csv", help="check a recipients file too")
    r = commands.add_parser(
        "rollback", parents=[common], help="put the site published before the last build back in place"
    )
    r.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: PROJECT/output)")
    w = commands.add_parser(
        "newsletter", parents=[common], help="build one week's newsletter, every language and edition"
    )
    w.add_argument(
        "--week", type=_week, metavar="YYYY-Www", help="the ISO week (default: the week of --today)"
    )
    w.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: PROJECT/output)")

    s = commands.add_parser(
        "send", parents=[common], help="mail a week's newsletter to a recipients file, each person once"
    )
    s.add_argument("--week", type=_week, required=True, metavar="YYYY-Www", help="the issue to send")
    s.add_argument(
        "--recipients", type=Path, required=True, metavar="FILE.csv", help="CSV: email,name,lang,audiences"
    )
    s.add_argument("--smtp-host", metavar="H", help="mail server (default: [smtp] host in site.toml)")
    s.add_argument("--smtp-port", type=int, metavar="P", help="port (default: by security, 587/465/25)")
    s.add_argument("--smtp-security", choices=("starttls", "ssl", "none"), help="default: starttls")
    s.add_argument("--rate", type=float, metavar="N", help="messages per second at most (default: 10)")
    s.add_argument(
        "--state", type=Path, metavar="DIR", help="delivery ledger folder (default: PROJECT/.intranet)"
    )
    s.add_argument("--dry-run", action="store_true", help="show who would get which edition; send nothing")
    s.add_argument("--test-to", metavar="ADDR", help="send one copy of each edition to ADDR; record nothing")
    s.add_argument("--retry-unknown", action="store_true", help="resend deliveries whose outcome is unknown")

    v = commands.add_parser(
        "serve",
        parents=[common],
        help="live preview: build, serve, rebuild on every change and reload open pages (drafts shown)",
    )
    v.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    v.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")

    i = commands.add_parser(
        "init", help="start a new company's project: a commented site.toml and one example of each content"
    )
    i.add_argument("folder", type=Path, metavar="DIR", help="a new or empty folder")

    n = commands.add_parser(
        "new", parents=[common], help="start a new announcement, kudos or calendar event (never overwrites)"
    )
    n.add_argument("kind", choices=KINDS, help="what to create")
    n.add_argument("title", help="its title (for kudos: the first line of the message)")
    n.add_argument("--lang", help="its language (default: the site's first language)")
    n.add_argument("--audience", metavar="ID", help="an office or audience from site.toml")
    e = n.add_argument_group("events", "(for `intranet new event`)")
    e.add_argument("--date", type=_day, metavar="YYYY-MM-DD", help="its day (default: a week from today)")
    e.add_argument("--time", type=_clock, metavar="HH:MM", help="its start, in the office's time zone")
    e.add_argument("--end", type=_clock, metavar="HH:MM", help="its end (default: an hour after the start)")
    e.add_argument("--office", metavar="ID", help="the office it is for: its folder and time zone")
    e.add_argument("--category", choices=EVENT_CATEGORIES, default="event", help="default: event")
    e.add_argument("--location", default="", help="where it takes place")
    e.add_argument("--every", choices=tuple(REPEATS), help="repeat it every week or month")
    e.add_argument("--until", type=_day, metavar="YYYY-MM-DD", help="the last day it repeats on")
    e.add_argument("--confirmed", action="store_true", help="publish it with the next build (else a draft)")
    e.add_argument(
        "--course", metavar="SLUG", help="a session of this course of content/trainings/ (a training)"
    )

    f = commands.add_parser(
        "confirm",
        parents=[common],
        help="publish the draft events of a calendar file from `intranet new event`",
    )
    f.add_argument("file", type=Path, metavar="FILE.ics", help="the calendar file")

    m = commands.add_parser(
        "import",
        parents=[common],
        help="turn a Microsoft Forms or Google Forms export into content/kudos/*.md (run it again: "
        "only new responses are added)",
    )
    m.add_argument("kind", choices=("kudos",), help="what the form collects")
    m.add_argument("form", type=Path, metavar="FORM.csv", help="the export (CSV or Unicode text)")
    m.add_argument(
        "--map", type=Path, required=True, metavar="MAP.toml", help="which column holds what ([columns])"
    )
    m.add_argument("--dry-run", action="store_true", help="check and report; write nothing")

    o = commands.add_parser(
        "board",
        parents=[common],
        help="build, with the notice-board sheets of a week, and say where each office's is",
    )
    o.add_argument("--week", type=_week, metavar="YYYY-Www", help="the week (default: this one)")
    o.add_argument("--office", metavar="ID", help="one office's sheets only (default: every office)")
    o.add_argument("--lang", help="one language's sheets only (default: every language)")
    o.add_argument("--size", choices=BOARD_SIZES, default="A4", help="paper size (default: A4)")

    c = commands.add_parser(
        "plan",
        parents=[common],
        help="the communication plan: every recurring communication, when, for whom, how, who is responsible",
    )
    c.add_argument(
        "--format", choices=("text", "csv"), default="text", help="a table, or CSV for a spreadsheet"
    )
    return parser


def run() -> None:
    """The `intranet` command: `main`, then out of the process at once. A build leaves
    millions of objects that the interpreter would free one by one on its way out
    (0.1 s at 1,000 announcements); the functions registered to run at exit still run,
    and the output is flushed first."""
    code = main()
    try:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: the interpreter's own way out
        sys.exit(code)
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    # A build holds the whole site while it makes new objects by the million: at the
    # collector's default pace (a pass every 700 new objects) it walks that site over and
    # over. One edit at 10,000 announcements: 5.4–5.8 s by default, 4.6–4.8 s so (the
    # preview's rebuild: 1.8 s and 1.15 s)
    gc.set_threshold(50_000, 20, 100)
    args = _parser().parse_args(argv)
    project: Path = (Path() if args.command == "init" else args.project).resolve()
    try:
        if args.command == "init":
            return _init(args)
        handlers: dict[str, Callable[[argparse.Namespace, Path], int]] = {
            "new": _new,
            "newsletter": _newsletter,
            "send": _send,
            "serve": _serve,
            "rollback": _rollback,
            "check": _check,
            "confirm": _confirm,
            "import": _import,
            "board": _board,
            "plan": _plan,
        }
        return handlers.get(args.command, _build)(args, project)
    except ExceptionGroup as group:
        problems, rest = group.split(GeneratorError)
        if rest is not None:
            return _bug(rest, project, args.debug)
        return _report(flatten(problems), project, args.command)
    except GeneratorError as error:
        return _report([error], project, args.command)
    except KeyboardInterrupt:
        print("intranet: interrupted; the previous output is unchanged", file=sys.stderr)
        return 130
    except Exception as exc:
        return _bug(exc, project, args.debug)


def _settings(project: Path) -> Config:
    """content/site.toml's settings, kept in the cache folder for the next command while
    the file, the code and the libraries stay: checking each office's country against the
    holidays package imports every country it knows, about 0.1 s of every command."""
    path = project / "content" / "site.toml"
    try:
        raw = path.read_bytes()
    except OSError:
        return load_config(path)  # which says what is wrong
    key = digest("settings", code_digest(), library_versions(), str(path), raw)
    return kept(project / FOLDER / "settings.pickle", key, lambda: read_config(raw, path))


def _read(project: Path, today: date | None, config: Config | None = None) -> Sources:
    """The project's sources, as a build reads them: each file a build read before, from
    the cache (a command that read every file anew took some 19 s at 10,000 announcements
    where a build takes under 1). What it reads anew is kept; nothing is dropped."""
    from generator.build import content_cache, load_sources

    cache = content_cache(project)
    try:
        return load_sources(project, today=today, config=config, cache=cache)
    finally:
        cache.save(prune=False)
        cache.close()


def _build(args: argparse.Namespace, project: Path) -> int:
    if not (project / "content").is_dir():
        print(
            f"intranet: no content/ folder in {project}; run the command in the project "
            "folder or pass --project DIR",
            file=sys.stderr,
        )
        return 2
    started = time.perf_counter()
    default_out = project / "output"
    if args.audience:
        default_out = default_out / "audiences" / args.audience
    out: Path = args.out or default_out
    record = record_file(project, out)
    recorded = {} if args.no_cache else read_record(record)
    config = load_config(project / "content" / "site.toml") if args.no_cache else _settings(project)
    today = args.today or datetime.now(config.tz).date()
    boards = getattr(args, "boards", None)
    inputs = inputs_digest(
        project,
        repr((today, args.drafts, args.audience, args.strict, str(out.resolve()), boards)),
        also=(BUILTIN_TEMPLATES,),  # inside the package once installed, beside it in a checkout
    )
    done, upcoming = recorded.get(INPUTS, ("", ""))
    if done == inputs and (out / SITE).is_dir():
        print(
            f"Up to date: nothing in content/ or templates/ changed since {_shown(out / SITE, project)} "
            f"was built, in {time.perf_counter() - started:.2f} s (today: {today.isoformat()})"
        )
        if upcoming:
            print(upcoming)
        return 0

    from generator.build import content_cache  # here: an up-to-date output needs neither
    from generator.write import brings_up_to_date, still_published

    cache = None if args.no_cache else content_cache(project)
    # what the record says is published, as far as the current release's manifest agrees
    previous = None if args.no_cache else Previous(still_published(out, recorded), out, checked=True)
    spool = Spool(spool_folder(project), packed=brings_up_to_date(out))
    try:
        with _uncollected(), reporting(Progress.for_terminal()):
            return _build_and_publish(
                args, project, config, out, today, inputs, record, previous, cache, spool, started
            )
    finally:
        spool.remove()


@contextmanager
def _uncollected() -> Iterator[None]:
    """The collector off while a build runs in this process (its workers collect their
    own: parallel.py). What a build makes lives until it ends, and it leaves few cycles
    (one edit at 10,000 announcements: 17,000 objects more at the end); each pass only
    walks what is alive: the 53 passes `main` paces took 0.16-0.18 s of one edit at 10,000
    (16 alternating rounds: median 3.39 s without, 3.49 s with; processor time 3.10 s
    against 3.27 s). A process that builds again (the tests) collects again afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _build_and_publish(
    args: argparse.Namespace,
    project: Path,
    config: Config,
    out: Path,
    today: date,
    inputs: str,
    record: Path,
    previous: Previous | None,
    cache: Store | None,
    spool: Spool,
    started: float,
) -> int:
    from generator.build import build  # here: an up-to-date output needs neither
    from generator.rules.schedule import describe, upcoming_changes
    from generator.write import publish

    try:
        result = build(
            project,
            config=config,
            today=today,
            drafts=args.drafts,
            scope=args.audience,
            cache=cache,
            previous=previous,
            spool=spool,
            boards=getattr(args, "boards", None),
        )
    finally:
        if cache is not None:  # what rendered is kept even if a file was refused
            cache.save()
            cache.close()
    for warning in sorted(result.warnings, key=GeneratorError.sort_key):
        print(f"warning: {warning.format(project)}", file=sys.stderr)
    if args.strict and result.warnings:
        count = len(result.warnings)
        print(
            f"{count} warning{'s' if count != 1 else ''} with --strict; nothing was published",
            file=sys.stderr,
        )
        return 1
    changes = upcoming_changes(result.config, result.sources.site, result.today, args.audience)
    upcoming = f"Next change: {describe(changes)}" if changes else "No scheduled change ahead"
    built = (
        f"Built {result.html_pages} pages in {len(result.config.languages)} languages from "
        f"{result.announcements} announcements and {result.pages} pages into {_shown(out / 'site', project)}"
        + (f", and {result.messages} newsletter editions," if result.messages else "")
    )
    said = f" (today: {result.today.isoformat()})" + (
        f", {len(result.warnings)} warnings" if result.warnings else ""
    )
    files = result.files
    del result  # the site it was made from is let go: publishing has that memory to use
    forget_record(record)  # until the new one is written, the output may match neither
    published = publish(files, out, previous, _waiting(out, project))
    if cache is not None:  # the next change is said again by an "Up to date" build
        published[INPUTS] = (inputs, upcoming)
        write_record(record, published)
    print(f"{built} in {time.perf_counter() - started:.2f} s{said}")
    print(upcoming)
    return 0


def _check(args: argparse.Namespace, project: Path) -> int:
    from generator.check import as_json, as_text, run_check

    if not (project / "content").is_dir():
        print(f"intranet: no content/ folder in {project}; pass --project DIR", file=sys.stderr)
        return 2
    from generator.write import still_published

    def published(out: Path) -> Previous:  # what a build published there, as a build reuses it
        return Previous(still_published(out, read_record(record_file(project, out))), out, checked=True)

    with reporting(Progress.for_terminal()):
        report = run_check(
            project, today=args.today, external=args.external, recipients=args.recipients, published=published
        )
    print(as_json(report, project) if args.format == "json" else as_text(report, project))
    return 1 if report.failed(args.strict) else 0


class Progress:
    """How far long work is, on stderr: a bar (rich) on a terminal, plain lines at each
    tenth in a log; shown only once the command has run for `after` seconds, so quick
    builds stay one line. INTRANET_PROGRESS=bar|lines|off chooses (bar and lines at once)."""

    def __init__(self, mode: str, after: float, step_after: float = 0.0) -> None:
        """`after`: seconds the command runs before anything shows; `step_after`: seconds
        a step runs before it shows (a step the cache makes quick never does)."""
        self.mode, self.after, self.step_after, self.started = mode, after, step_after, time.monotonic()
        self.steps: dict[str, float] = {}  # when each step first reported
        self.shown: dict[str, int] = {}  # lines: the last tenth told, by what
        self.bar: Any = None
        self.tasks: dict[str, Any] = {}

    @classmethod
    def for_terminal(cls) -> Progress | None:
        chosen = os.environ.get("INTRANET_PROGRESS", "auto")
        if chosen == "off":
            return None
        if chosen in ("bar", "lines"):
            return cls(chosen, 0.0)
        return cls("bar" if sys.stderr.isatty() else "lines", 2.0, 1.0)

    def __call__(self, what: str, done: int, total: int) -> None:
        now = time.monotonic()
        began = self.steps.setdefault(what, now)
        waiting = now - self.started < self.after or now - began < self.step_after
        if waiting and what not in self.shown and what not in self.tasks:
            return
        if self.mode == "lines":
            tenth = 10 * done // max(total, 1)
            if self.shown.get(what, -1) < tenth:
                self.shown[what] = tenth
                print(f"{what}: {done:,} of {total:,}", file=sys.stderr, flush=True)
            return
        if self.bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            console = Console(stderr=True, force_terminal=True)
            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )
            # no refresh thread: a build forks its workers only while it runs in one thread
            self.bar = Bar(*columns, console=console, transient=True, auto_refresh=False)
            self.bar.start()
        if what not in self.tasks:
            self.tasks[what] = self.bar.add_task(what, total=total)
        self.bar.update(self.tasks[what], completed=done, refresh=True)
        if done >= total:
            self.bar.remove_task(self.tasks.pop(what))
            if not self.tasks:
                self.bar.stop()
                self.bar = None


def _waiting(out: Path, project: Path) -> Callable[[str], None]:
    """What the second of two builds publishing into one folder says while it waits."""

    def say(holder: str) -> None:
        print(
            f"{_shown(out, project)} is being published by {holder}; waiting for it to finish…",
            file=sys.stderr,
            flush=True,
        )

    return say


def _rollback(args: argparse.Namespace, project: Path) -> int:
    from generator.write import rollback

    started = time.perf_counter()
    out: Path = args.out or project / "output"
    forget_record(record_file(project, out))  # the next build must not reuse pages of the other release
    release = rollback(out, _waiting(out, project))
    made = datetime.fromtimestamp(release.with_name(release.name + ".json").stat().st_mtime, UTC)
    print(
        f"Rolled back {_shown(out / SITE, project)} to the release published {made:%Y-%m-%d %H:%M} UTC; "
        "the one it replaces is kept: run rollback again to return to it "
        f"({time.perf_counter() - started:.2f} s)"
    )
    return 0


def _newsletter(args: argparse.Namespace, project: Path) -> int:
    from generator.build import build_newsletter
    from generator.write import publish

    started = time.perf_counter()
    result = build_newsletter(_read(project, args.today), args.week)
    out: Path = args.out or project / "output"
    publish(result.files, out, waiting=_waiting(out, project))
    week = str(result.week)
    print(
        f"Built {result.messages} newsletter editions for week {week} into "
        f"{_shown(out / 'newsletter' / week, project)} in {time.perf_counter() - started:.2f} s"
    )
    return 0


def _send(args: argparse.Namespace, project: Path) -> int:
    from generator.send.campaign import dry_run, envelope_sender, plan, resolve_settings, send, test_send
    from generator.send.recipients import parse_recipients, read_recipients

    started = time.perf_counter()

    config = load_config(project / "content" / "site.toml")
    recipients = read_recipients(args.recipients, config)
    address = None
    if args.test_to:
        row = f"email,name,lang,audiences\n{args.test_to},,{config.default_language},\n"
        try:
            address = parse_recipients(row, Path("--test-to"), config)[0]
        except ExceptionGroup:
            raise GeneratorError(f'--test-to "{args.test_to}" is not an e-mail address') from None
    settings = resolve_settings(
        config,
        args.smtp_host,
        args.smtp_port,
        args.smtp_security,
        args.rate,
        args.state or project / ".intranet",
        project / "output",
    )
    if settings.security == "none":
        print(
            "warning: --smtp-security none: the newsletter and any password travel unencrypted",
            file=sys.stderr,
        )
    week = str(args.week)
    messages = _messages(args, project, config, {(r.lang, r.audiences) for r in recipients})
    deliveries = plan(recipients, messages)
    if args.dry_run:
        dry_run(week, deliveries, settings, print)
        return 0
    if address is not None:
        problems = test_send(week, deliveries, address, settings, config.host, envelope_sender(config))
        for edition, problem in problems:
            print(f"{edition}: {problem}", file=sys.stderr)
        editions = len({d.edition for d in deliveries})
        print(
            f"Sent {editions - len(problems)} of {editions} editions of week {week} "
            f"to {args.test_to} (not recorded), in {time.perf_counter() - started:.1f} s"
        )
        return 1 if problems else 0
    report = send(week, deliveries, settings, config, retry_unknown=args.retry_unknown, progress=_progress)
    for email, reason in report.failed:
        print(f"failed: {email}: {reason}", file=sys.stderr)
    for email, reason in report.unknown:
        print(
            f"unknown: {email}: {reason} (not resent; check, then use --retry-unknown if it never arrived)",
            file=sys.stderr,
        )
    if report.stopped:
        print(f"intranet: {report.stopped}", file=sys.stderr)
    if report.nothing_to_send:
        print(
            f"Week {week}: nothing to send: {report.skipped} of {len(deliveries)} recipients already have it"
            + (f", {len(report.unknown)} unknown (see above)" if report.unknown else "")
            + f", in {time.perf_counter() - started:.1f} s"
        )
        return 0 if not report.unknown else 1
    print(
        f"Week {week}: sent {report.sent}, failed {len(report.failed)}, unknown {len(report.unknown)}, "
        f"skipped {report.skipped} (already sent), in {time.perf_counter() - started:.1f} s"
    )
    return 0 if report.ok else 1


def _messages(
    args: argparse.Namespace, project: Path, config: Config, editions: set[Edition]
) -> dict[Edition, bytes]:
    """The editions the build published for the week; any other composed now, from content/."""
    from generator.build import compose_messages
    from generator.send.published import changed_since, published_messages

    out = project / "output"
    published = published_messages(out, args.week, editions)
    missing = editions - set(published.messages)
    messages = dict(published.messages)
    if missing:
        messages |= compose_messages(_read(project, args.today, config), args.week, missing)
    if published.messages:
        folder = _shown(out / "newsletter" / str(args.week), project)
        composed = ", ".join(edition_label(lang, aud) for lang, aud in sorted(missing))
        print(
            f"Week {args.week}: {len(published.messages)} editions as published in {folder}"
            + (f"; composed now from content/: {composed}" if missing else "")
        )
        changed = changed_since(project / "content", published.built_at or 0.0)
        if changed:
            print(
                f"warning: {_shown(changed[0], project)}"
                + (f" and {len(changed) - 1} other files" if len(changed) > 1 else "")
                + f" changed after week {args.week}'s newsletter was built; the published version "
                f"is mailed. Run `intranet newsletter --week {args.week}` first to include the change",
                file=sys.stderr,
            )
    return messages


def _serve(args: argparse.Namespace, project: Path) -> int:
    from generator.serve import start

    if not (project / "content").is_dir():
        print(f"intranet: no content/ folder in {project}; pass --project DIR", file=sys.stderr)
        return 2
    try:
        preview = start(project, args.host, args.port, args.today, say=_say, serving=_serving)
    except OSError as exc:
        print(f"intranet: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # while it starts: stopped, as later (its threads end with the process)
        print("Stopped.")
        return 0
    try:  # from here on, Ctrl-C stops the preview
        while True:  # Ctrl-C may reach one of the preview's threads, which does not end a
            time.sleep(0.5)  # wait without a time limit: the main thread looks twice a second
    except KeyboardInterrupt:
        print("Stopped.")
    finally:
        preview.stop()
    return 0


def _say(line: str) -> None:
    print(line, flush=True)


def _serving(url: str) -> None:
    """Said once the preview's pages are served (before its watches are set up)."""
    _say(f"Serving {url} (drafts shown); edit content/ or templates/ and open pages reload. Ctrl-C stops.")


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        width = 30
        filled = width * done // max(total, 1)
        end = "\n" if done == total else ""
        print(f"\rSending [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end=end, file=sys.stderr)
    elif done == total or done % max(1, total // 10) == 0:
        print(f"Sending: {done}/{total}", file=sys.stderr)


def _init(args: argparse.Namespace) -> int:
    written = init_project(args.folder.resolve())
    shown = args.folder.as_posix()
    print(
        f"Started a new project in {shown} with {len(written)} example files: "
        f"edit {shown}/content/site.toml, then run `cd {shown} && intranet build`"
    )
    return 0


def _new(args: argparse.Namespace, project: Path) -> int:
    from generator.build import today_in

    config = load_config(project / "content" / "site.toml")
    today = args.today or today_in(config)
    given = [name for name in EVENT_OPTIONS if getattr(args, name) not in (None, False, "", "event")]
    if args.kind != "event" and given:
        raise GeneratorError(f"--{given[0]} is for `intranet new event` only")
    if args.until is not None and args.every is None:
        raise GeneratorError("--until needs --every", hint="--every week or --every month")
    if args.end is not None and args.time is None:
        raise GeneratorError("--end needs --time", hint="an event without --time lasts all day")
    details = EventDetails(
        args.date, args.time, args.end, args.office, args.category, args.location, args.every, args.until,
        args.confirmed, args.course,
    )  # fmt: skip
    path = new_file(
        project,
        config,
        args.kind,
        args.title,
        lang=args.lang,
        audience=args.audience,
        today=today,
        event=details,
    )
    if args.kind == "event" and not args.confirmed:
        print(
            f"Created {_shown(path, project)} as a draft: the build leaves it out until "
            f"`intranet confirm {_shown(path, project)}`"
        )
    else:
        print(f"Created {_shown(path, project)}; edit it, then run `intranet build`")
    return 0


def _plan(args: argparse.Namespace, project: Path) -> int:
    """The communication plan (rules/plan.py), as the site's page shows it, in English."""
    import csv
    import io

    from generator.rules.plan import communication_plan

    sources = _read(project, args.today)
    rows = [
        {
            "what": row.kind,
            "subject": row.subject,
            "when": row.day.isoformat() if row.day else row.when,
            "for whom": " ".join((*row.offices, *row.audiences)) or "all",
            "languages": " ".join(row.languages),
            "channels": " ".join(row.channels),
            "responsible": row.owner or "(not named in site.toml [communication])",
        }
        for row in communication_plan(sources.config, sources.site)
    ]
    names = ["what", "subject", "when", "for whom", "languages", "channels", "responsible"]
    if args.format == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        print(out.getvalue(), end="")
        return 0
    widths = {name: max(len(name), *(len(r[name]) for r in rows)) for name in names}
    for line in [dict(zip(names, names, strict=True)), *rows]:
        print("  ".join(line[name].ljust(widths[name]) for name in names).rstrip())
    return 0


def _board(args: argparse.Namespace, project: Path) -> int:
    """A build that also makes the sheets of `--week` at `--size`, then where they are."""
    from generator.build import default_boards, today_in
    from generator.urls import board_page

    config = load_config(project / "content" / "site.toml")
    today = args.today or today_in(config)
    week = args.week or IsoWeek.of(today)
    for name, known, given in (
        ("office", config.offices, args.office),
        ("language", config.languages, args.lang),
    ):
        if given is not None and given not in known:
            raise GeneratorError(
                f"unknown {name} {given!r}", hint=f"{did_you_mean(given, known)}known: {known_list(known)}"
            )
    args.boards = [(w, s) for w, s in default_boards(today) if w != week] + [(week, args.size)]
    args.today, args.drafts, args.audience, args.strict, args.out, args.no_cache = (
        today, False, None, False, None, False
    )  # fmt: skip
    code = _build(args, project)
    if code != 0:
        return code
    site = project / "output" / "site"
    sheets = [
        site / board_page(lang, week, office)
        for lang in ([args.lang] if args.lang else config.languages)
        for office in ([args.office] if args.office else config.offices)
    ]
    print(f"Notice-board sheets of {week} ({args.size}), to print from a browser:")
    for sheet in sheets:
        print(f"  {sheet.as_uri()}")
    return 0


def _import(args: argparse.Namespace, project: Path) -> int:
    from generator.intake import import_kudos

    started = time.perf_counter()
    config = load_config(project / "content" / "site.toml")
    done = import_kudos(project, config, args.form.resolve(), args.map.resolve(), dry_run=args.dry_run)
    for problem in sorted(done.rejected, key=GeneratorError.sort_key):
        print(f"error: {problem.format(project)}", file=sys.stderr)
    counts = [f"{done.skipped} already imported"] if done.skipped else []
    counts += [f"{len(done.rejected)} rejected"] if done.rejected else []
    more = f" ({', '.join(counts)})" if counts else ""
    verb = "Would import" if args.dry_run else "Imported"
    print(
        f"{verb} {len(done.written)} kudos into content/kudos/{more} from "
        f"{_shown(args.form.resolve(), project)}, in {time.perf_counter() - started:.2f} s"
    )
    return 1 if done.rejected else 0


def _confirm(args: argparse.Namespace, project: Path) -> int:
    path: Path = args.file
    if not path.is_absolute() and not path.exists() and (project / path).exists():
        path = project / path  # as `intranet check` names it: from the project folder
    count = confirm_events(path)
    events = "1 event" if count == 1 else f"{count} events"
    them = "it" if count == 1 else "them"
    print(f"Confirmed {events} in {_shown(path, project)}; the next build publishes {them}")
    return 0


def _report(errors: list[GeneratorError], project: Path, command: str) -> int:
    for error in sorted(errors, key=GeneratorError.sort_key):
        print(error.format(project), file=sys.stderr)
    count = len(errors)
    found = f"{count} problem{'s' if count != 1 else ''} found"
    if command == "build":
        print(f"{found}; nothing was published (the previous output is unchanged)", file=sys.stderr)
    elif count > 1:
        print(found, file=sys.stderr)
    return 1


def _bug(exc: BaseException, project: Path, debug: bool) -> int:
    if debug:
        raise exc
    text = "".join(traceback.format_exception(exc))
    log_dir = project / ".intranet"
    try:
        log_dir.mkdir(exist_ok=True)
        log = log_dir / "last-error.txt"
        log.write_text(text, encoding="utf-8")
    except OSError:
        handle, name = tempfile.mkstemp(prefix="intranet-error-", suffix=".txt")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        log = Path(name)
    print(
        f"intranet: internal error ({type(exc).__name__}: {exc}); this is a bug in intranet, "
        f"not in your content. The details are in {_shown(log, project)}",
        file=sys.stderr,
    )
    return 1


def _shown(path: Path, project: Path) -> str:
    try:
        # its folder resolved, not itself: output/site links to a release; readers use the link
        shown = path.parent.resolve() / path.name
        return shown.relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return path.as_posix()
