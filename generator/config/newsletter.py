"""[newsletter] of site.toml: sender, subject pattern and how far the issue looks ahead."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Any

from generator.config.reader import Reader

SUBJECT_FIELDS = {"week", "year", "date"}
_DEFAULT_SUBJECT = {"es": "Boletín semanal — semana {week}", "fr": "Lettre hebdomadaire — semaine {week}"}


@dataclass(frozen=True)
class NewsletterSettings:
    sender: Address | None = None  # From
    reply_to: Address | None = None
    subjects: Mapping[str, str] = field(default_factory=dict)  # by language, with {week}, {year}, {date}
    list_id: str = ""  # List-Id, e.g. "boletin.alcora.example"; default: newsletter.<site host>
    look_ahead_weeks: int = 4  # holidays and pay dates
    event_weeks: int = 2  # events and trainings
    archive_weeks: int = 12  # web versions kept on the site

    def subject(self, lang: str) -> str:
        return self.subjects.get(lang) or _DEFAULT_SUBJECT.get(lang) or "Weekly newsletter — week {week}"


def has_line_break(text: str) -> bool:
    """A line break, or another control character (NUL…), which no mail header may hold."""
    return bool(re.search(r"[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]", text))


SUBJECT_LIMIT = 200  # characters, before the fields are filled in
HEADER_LIMIT = 200  # characters of a From or Reply-To setting


def subject_problem(pattern: str) -> str | None:
    """What is wrong with a subject pattern, if anything: fields are {week}, {year} and
    {date} with nothing after the name (a width such as {week:>99999999} would fill a
    header with spaces), and the subject is one line of reasonable length."""
    if has_line_break(pattern):
        return "must be on one line"
    if len(pattern) > SUBJECT_LIMIT:
        return f"is longer than {SUBJECT_LIMIT} characters"
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as exc:  # "{week" or "week}"
        return f"has a brace out of place ({exc})"
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in SUBJECT_FIELDS:
            return f"uses {{{name}}}"
        if spec or conversion:
            return f"writes {{{name}}} with more after the name"
    return None


def parse_address(r: Reader, value: Any, key: str) -> Address | None:
    where = "newsletter"
    if not isinstance(value, str) or not value.strip():
        r.error(
            f"{key} must be an e-mail address",
            where,
            key,
            hint=f'for example {key} = "Comms <comms@example.com>"',
        )
        return None
    if has_line_break(value):
        r.error(
            f"{key} must be on one line, without control characters (a mail header cannot hold them)",
            where,
            key,
        )
        return None
    if len(value) > HEADER_LIMIT:
        r.error(f"{key} is longer than {HEADER_LIMIT} characters", where, key)
        return None
    name, address = parseaddr(value)
    if "@" not in address or " " in address:
        r.error(
            f"{key} {value!r} is not an e-mail address",
            where,
            key,
            hint='for example "Comms <comms@example.com>"',
        )
        return None
    user, domain = address.rsplit("@", 1)
    return Address(display_name=name, username=user, domain=domain)


def parse_newsletter(r: Reader, value: Any, languages: tuple[str, ...], host: str) -> NewsletterSettings:
    table = r.table(value, "newsletter")
    keys = {"from", "reply_to", "subject", "list_id", "look_ahead_weeks", "event_weeks", "archive_weeks"}
    r.unknown_keys(table, keys, "newsletter")
    sender = parse_address(r, table["from"], "from") if "from" in table else None
    reply_to = parse_address(r, table["reply_to"], "reply_to") if "reply_to" in table else None
    subjects: dict[str, str] = {}
    if "subject" in table:
        subjects = r.localized(table["subject"], languages, "newsletter", "subject") or {}
        for lang, pattern in subjects.items():
            problem = subject_problem(pattern)
            if problem:
                r.error(
                    f"subject.{lang} {problem}",
                    "newsletter",
                    "subject",
                    hint="subjects may use {week}, {year} and {date} as they are; {{ and }} write braces",
                )
    list_id = table.get("list_id", f"newsletter.{host}")
    if not isinstance(list_id, str) or not re.fullmatch(r"[A-Za-z0-9.-]{1,200}", list_id):
        r.error("list_id must be a dotted name such as newsletter.example.com", "newsletter", "list_id")
        list_id = f"newsletter.{host}"
    numbers = {
        key: r.positive_int(table.get(key, default), "newsletter", key, default, largest)
        for key, default, largest in (
            ("look_ahead_weeks", 4, 52),
            ("event_weeks", 2, 52),
            ("archive_weeks", 12, 520),
        )
    }
    return NewsletterSettings(sender, reply_to, subjects, list_id, **numbers)
