"""`intranet new` and `intranet init`: start a content file, or a whole project, from
commented examples. Never overwrites."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.config import Config
from generator.errors import GeneratorError, did_you_mean, known_list
from generator.i18n import load_translations
from generator.model import CATEGORIES, DRAFT_EVENT
from generator.resources import SAMPLE_CONTENT
from generator.urls import EVERYONE, slugify

KINDS = ("announcement", "kudos", "event")
EVENT_CATEGORIES = ("event", "training", "meeting")
REPEATS = {"week": "WEEKLY", "month": "MONTHLY"}


@dataclass(frozen=True)
class EventDetails:
    """What `intranet new event` is told; every part optional."""

    day: dt.date | None = None  # default: a week from today
    start: dt.time | None = None  # None: all day
    end: dt.time | None = None  # default: an hour after the start
    office: str | None = None  # its folder and its time zone
    category: str = "event"  # EVENT_CATEGORIES
    location: str = ""
    every: str | None = None  # REPEATS
    until: dt.date | None = None  # the last day it repeats on
    confirmed: bool = False  # else written as a draft
    course: str | None = None  # a training session of this course of content/trainings/


def _yaml_text(text: str) -> str:
    """`text` as one double-quoted YAML scalar: quotes, backslashes and line breaks escaped."""
    import yaml  # here and below: the command line imports this module for every command

    return yaml.safe_dump(text, default_style='"', allow_unicode=True, width=1_000_000).rstrip("\n")


def new_file(project: Path, config: Config, kind: str, title: str, *, lang: str | None, audience: str | None,
             today: dt.date, event: EventDetails | None = None) -> Path:  # fmt: skip
    """Write a new announcement, kudos or calendar event; return its path."""
    lang = lang or config.default_language
    if lang not in config.languages:
        raise GeneratorError(
            f'unknown language "{lang}"',
            hint=f"{did_you_mean(lang, config.languages)}languages: {', '.join(config.languages)}",
        )
    if audience is not None and audience not in config.audiences:
        known = set(config.audiences) | {EVERYONE}
        raise GeneratorError(
            f'unknown audience "{audience}"',
            hint=f"{did_you_mean(audience, known)}known: {known_list(known)}",
        )
    slug = slugify(title)
    if not slug:
        raise GeneratorError(
            "the title gives no usable file name", hint="use some letters or digits in the title"
        )
    suffix = "" if lang == config.default_language else f".{lang}"
    content = project / "content"
    if kind == "announcement":
        path, text = (
            content / "announcements" / f"{today}-{slug}{suffix}.md",
            _announcement(title, lang, audience, today, config.default_language),
        )
    elif kind == "kudos":
        path, text = content / "kudos" / f"{today}-{slug}{suffix}.md", _kudos(title, config, audience, today)
    else:
        details = event or EventDetails()
        office = details.office or (audience if audience and audience in config.offices else None)
        if office is not None and office not in config.offices:
            raise GeneratorError(
                f'unknown office "{office}"',
                hint=f"{did_you_mean(office, config.offices)}offices: {known_list(config.offices)}",
            )
        if details.course is not None:
            courses = {p.name.split(".", 1)[0] for p in (content / "trainings").glob("*.md")}
            if details.course not in courses:
                raise GeneratorError(
                    f'no course "{details.course}" in content/trainings/',
                    hint=f"{did_you_mean(details.course, courses)}courses: {known_list(courses)}",
                )
            details = replace(details, category="training")
        folder = content / "calendar" / (office or "")
        path, text = (
            folder / f"{slug}.ics",
            _event(title, config, audience, today, replace(details, office=office)),
        )
    if path.exists():
        raise GeneratorError(
            "this file already exists; nothing was written", path=path, hint="choose another title"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="" if kind == "event" else None) as handle:
        handle.write(text)
    return path


def _hints(lang: str) -> dict[str, str]:
    """The comments of a new file, in the site's default language."""
    _ = load_translations(lang).gettext
    return {
        "draft": _("a draft: remove this line to publish"),
        "date": _("the day it appears; a later date schedules it"),
        "expires": _("from this day it leaves the home page and the news list"),
        "pinned": _("true: must-read on the home page"),
        "summary": _("one sentence for lists and the newsletter"),
        "consent": _("required for celebrations (births, weddings, anniversaries)"),
        "body": _("Write the announcement here, in Markdown."),
        "from": _("who says thanks"),
        "to": _("the people or the team thanked"),
    }


def _announcement(title: str, lang: str, audience: str | None, today: dt.date, hints: str) -> str:
    """The front matter with a hint on each key, in the site's default language (`hints`)."""
    say = _hints(hints)
    return (
        "---\n"
        f"title: {_yaml_text(title)}\n"
        f"draft: true                 # {say['draft']}\n"
        f"date: {today}              # {say['date']}\n"
        f"# expires: YYYY-MM-DD       # {say['expires']}\n"
        'author: ""\n'
        f"lang: {lang}\n"
        f"category: news              # {' | '.join(CATEGORIES)}\n"
        "tags: []\n"
        f"audience: [{audience or EVERYONE}]\n"
        f"pinned: false               # {say['pinned']}\n"
        f'summary: ""                 # {say["summary"]}\n'
        f"# consent: true             # {say['consent']}\n"
        "---\n"
        f"{say['body']}\n"
    )


def _kudos(title: str, config: Config, audience: str | None, today: dt.date) -> str:
    say = _hints(config.default_language)
    values = list(config.values)
    lines = [
        "---",
        f"draft: true                 # {say['draft']}",
        f"date: {today}",
        f'from: ""                    # {say["from"]}',
        f"to: []                      # {say['to']}",
        f"value: {values[0] if values else '…'}          # {' | '.join(values) or 'see site.toml'}",
    ]
    if config.teams:
        lines.append(f"# team: {next(iter(config.teams))}        # {' | '.join(config.teams)}")
    if audience:
        lines.append(f"audience: [{audience}]")
    return "\n".join([*lines, "---", title, ""])


def _event(title: str, config: Config, audience: str | None, today: dt.date, details: EventDetails) -> str:
    """One event, written by icalendar (escaping, folding, CRLF): all day, or at its
    times in its office's zone (the site's without one), repeating if asked, and a draft
    (X-INTRANET-DRAFT, STATUS:TENTATIVE) until `intranet confirm`."""
    day = details.day or today + dt.timedelta(days=7)
    import icalendar

    zone = ZoneInfo(config.offices[details.office].timezone if details.office else config.timezone)
    calendar = icalendar.Calendar()
    calendar.add("PRODID", f"-//{config.host}//intranet new//EN")
    calendar.add("VERSION", "2.0")
    event = icalendar.Event()
    event.add("UID", f"{hashlib.sha1(f'{title}{day}{today}'.encode()).hexdigest()[:16]}@{config.host}")
    event.add("DTSTAMP", dt.datetime.combine(today, dt.time(0), tzinfo=dt.UTC))
    if details.start is None:
        event.add("DTSTART", day)
        event.add("DTEND", day + dt.timedelta(days=1))
    else:
        start = dt.datetime.combine(day, details.start, tzinfo=zone)
        end = (
            dt.datetime.combine(day, details.end, tzinfo=zone)
            if details.end is not None
            else start + dt.timedelta(hours=1)
        )
        if end <= start:
            raise GeneratorError(
                f"the event ends ({end:%H:%M}) before it starts ({start:%H:%M})",
                hint="give --end a later time than --time",
            )
        event.add("DTSTART", start)
        event.add("DTEND", end)
    event.add("SUMMARY", title)
    if details.location:
        event.add("LOCATION", details.location)
    extra = [audience.upper()] if audience and audience not in config.offices else []
    event.add("CATEGORIES", [details.category.upper(), *extra])
    if details.course is not None:
        event.add("X-INTRANET-COURSE", details.course)  # its course (rules/trainings.py)
    if details.every is not None:
        rule: dict[str, object] = {"FREQ": REPEATS[details.every]}
        if details.until is not None:  # its last day included, in the value type of DTSTART
            rule["UNTIL"] = (
                details.until
                if details.start is None
                else dt.datetime.combine(details.until, dt.time(23, 59, 59), tzinfo=zone).astimezone(dt.UTC)
            )
        event.add("RRULE", rule)
    if details.confirmed:
        event.add("STATUS", "CONFIRMED")
    else:
        event.add("STATUS", "TENTATIVE")
        event.add(DRAFT_EVENT, "TRUE")
    calendar.add_component(event)
    if details.start is not None:
        calendar.add_missing_timezones()
    text: str = calendar.to_ical().decode("utf-8")
    return text


def confirm_events(path: Path) -> int:
    """Publish the draft events of a calendar file written by `intranet new event`: their
    draft mark goes and their status becomes CONFIRMED. Returns how many there were."""
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
    except OSError as exc:
        raise GeneratorError(f"cannot read the file: {exc.strerror or exc}", path=path) from None
    except ValueError as exc:
        raise GeneratorError(f"this is not an iCalendar file ({exc})", path=path) from None
    drafts = [event for event in calendar.walk("VEVENT") if str(event.get(DRAFT_EVENT, "")).upper() == "TRUE"]
    if not drafts:
        raise GeneratorError(
            "this calendar has no draft event to confirm", path=path, hint="its events are published already"
        )
    for event in drafts:
        del event[DRAFT_EVENT]
        event.pop("STATUS", None)
        event.add("STATUS", "CONFIRMED")
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(calendar.to_ical())
    temporary.replace(path)
    return len(drafts)


# One example of each kind of content, from the sample company shipped in the package.
EXAMPLES = (
    "site.toml",
    "announcements/bienvenida-intranet.es.md",
    "media/intranet-bienvenida.png",
    "pages/contactos.es.md",
    "kudos/2026-11-18-laura-guia-escalados.md",
    "certification/iso-9001.es.md",
    "metrics/csat.csv",
    "calendar/eventos-empresa.ics",
)
IGNORED = (
    "# Build results, the build cache and the delivery ledger: made by intranet, never edited.\n"
    "output/\n.intranet/\n"
)


def init_project(target: Path) -> list[Path]:
    """A new company's project in `target`: a commented site.toml and one example of each
    kind of content. Refuses a folder that already holds anything."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise GeneratorError(
            "this folder is not empty; nothing was written",
            path=target,
            hint="choose a new folder name: intranet init acme-intranet",
        )
    written = []
    for rel in EXAMPLES:
        source = SAMPLE_CONTENT / rel
        destination = target / "content" / rel
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(source.read_bytes())
        written.append(destination)
    (target / "templates").mkdir()
    (target / ".gitignore").write_text(IGNORED, encoding="utf-8")
    return written
