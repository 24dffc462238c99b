"""The `intranet` command: parses arguments, prints, picks exit codes. Nothing else prints.

Exit codes: 0 success, 1 content problems (each as `path:line: message`),
2 bad usage. An unexpected bug prints one line and where its traceback was saved.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from generator import __version__
from generator.build import build, build_newsletter, today_in
from generator.config import load_config
from generator.errors import GeneratorError
from generator.rules.weeks import IsoWeek
from generator.scaffold import KINDS, new_file
from generator.write import publish


def _week(text: str) -> IsoWeek:
    try:
        return IsoWeek.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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

    b = commands.add_parser("build", parents=[common], help="build the intranet site into output/")
    b.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: PROJECT/output)")
    b.add_argument("--drafts", action="store_true", help="include announcements marked draft: true")
    b.add_argument(
        "--strict", action="store_true", help="treat warnings (e.g. skipped calendar events) as errors"
    )
    b.add_argument(
        "--audience",
        metavar="ID",
        help="build the separate tree of a restricted audience (default out: output/audiences/ID)",
    )
    w = commands.add_parser(
        "newsletter", parents=[common], help="build one week's newsletter, every language and edition"
    )
    w.add_argument(
        "--week", type=_week, metavar="YYYY-Www", help="the ISO week (default: the week of --today)"
    )
    w.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: PROJECT/output)")

    n = commands.add_parser(
        "new", parents=[common], help="start a new announcement, kudos or calendar event (never overwrites)"
    )
    n.add_argument("kind", choices=KINDS, help="what to create")
    n.add_argument("title", help="its title (for kudos: the first line of the message)")
    n.add_argument("--lang", help="its language (default: the site's first language)")
    n.add_argument("--audience", metavar="ID", help="an office or audience from site.toml")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    project: Path = args.project.resolve()
    try:
        if args.command == "new":
            return _new(args, project)
        if args.command == "newsletter":
            return _newsletter(args, project)
        return _build(args, project)
    except ExceptionGroup as group:
        problems, rest = group.split(GeneratorError)
        if rest is not None:
            return _bug(rest, project, args.debug)
        return _report(_flatten(problems), project, args.command)
    except GeneratorError as error:
        return _report([error], project, args.command)
    except KeyboardInterrupt:
        print("intranet: interrupted; the previous output is unchanged", file=sys.stderr)
        return 130
    except Exception as exc:
        return _bug(exc, project, args.debug)


def _build(args: argparse.Namespace, project: Path) -> int:
    if not (project / "content").is_dir():
        print(
            f"intranet: no content/ folder in {project}; run the command in the project "
            "folder or pass --project DIR",
            file=sys.stderr,
        )
        return 2
    started = time.perf_counter()
    result = build(project, today=args.today, drafts=args.drafts, scope=args.audience)
    for warning in sorted(result.warnings, key=GeneratorError.sort_key):
        print(f"warning: {warning.format(project)}", file=sys.stderr)
    if args.strict and result.warnings:
        count = len(result.warnings)
        print(
            f"{count} warning{'s' if count != 1 else ''} with --strict; nothing was published",
            file=sys.stderr,
        )
        return 1
    default_out = project / "output"
    if args.audience:
        default_out = default_out / "audiences" / args.audience
    out: Path = args.out or default_out
    publish(result.files, out)
    elapsed = time.perf_counter() - started
    languages = len(result.config.languages)
    print(
        f"Built {result.html_pages} pages in {languages} languages from {result.announcements} "
        f"announcements and {result.pages} pages into {_shown(out / 'site', project)}, "
        f"and {result.messages} newsletter editions, "
        f"in {elapsed:.2f} s (today: {result.today.isoformat()})"
        + (f", {len(result.warnings)} warnings" if result.warnings else "")
    )
    return 0


def _newsletter(args: argparse.Namespace, project: Path) -> int:
    started = time.perf_counter()
    result = build_newsletter(project, week=args.week, today=args.today)
    out: Path = args.out or project / "output"
    publish(result.files, out)
    week = result.files[0].path.split("/")[1] if result.files else "?"
    print(
        f"Built {result.messages} newsletter editions for week {week} into "
        f"{_shown(out / 'newsletter' / week, project)} in {time.perf_counter() - started:.2f} s"
    )
    return 0


def _new(args: argparse.Namespace, project: Path) -> int:
    config = load_config(project / "content" / "site.toml")
    today = args.today or today_in(config)
    path = new_file(
        project, config, args.kind, args.title, lang=args.lang, audience=args.audience, today=today
    )
    print(f"Created {_shown(path, project)}; edit it, then run `intranet build`")
    return 0


def _flatten(group: BaseExceptionGroup[GeneratorError] | None) -> list[GeneratorError]:
    if group is None:
        return []
    found: list[GeneratorError] = []
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            found += _flatten(exc)
        else:
            found.append(exc)
    return found


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
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return path.as_posix()
