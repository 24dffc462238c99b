"""The content model: frozen value objects, no I/O, no imports from other stages.

Every item knows where it came from (`source`, `line`) so any later stage can
point the author at the right place.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from generator.i18n import in_language

CATEGORIES = ("news", "celebration", "policy", "service", "certification", "training", "event")

# Links in Markdown bodies that point into the site are stored with this prefix and
# resolved when a page is rendered, because the same body is shown at different
# depths (site pages) and as absolute links (feeds). After the prefix comes either
# a path from the site root ("/es/pages/contactos/", "media/plan.pdf") or, for a
# link to a content file, "content:" and its path in content/ ("content:pages/x.md").
SITE_ROOT = "intranet-site-root:"
CONTENT_REF = "content:"


class BodyLink(NamedTuple):
    """A link or picture written in a body, as the author wrote it and where.

    A named tuple, not a frozen dataclass: a site has one per link of every body, and
    every build reads them all back with the cached items (60,000 at 10,000
    announcements), which a tuple is made again in two thirds of the time for."""

    written: str  # the URL as written, e.g. "../pages/contactos.md#horarios"
    target: str  # what the body's SITE_ROOT marker holds for it (see load/markdown.py)
    line: int
    image: bool = False
    alt: str | None = None  # images only; None: no alt attribute at all


@dataclass(frozen=True, slots=True)
class Html:
    """A body's sanitized HTML, kept compressed: a build holds every announcement at
    once, and at 10,000 their bodies took 61 MB as text and 16 MB so. The text is made
    again each time it is asked for (25 µs for a body of 6 KB): for the pages, feeds,
    newsletters and search pages that show it, a few times in a build at most."""

    packed: bytes  # the text in UTF-8, compressed with zlib
    length: int  # of the text, in characters

    @classmethod
    def of(cls, text: str) -> Html:
        return cls(zlib.compress(text.encode("utf-8", "surrogatepass"), 1), len(text))

    @property
    def text(self) -> str:
        return zlib.decompress(self.packed).decode("utf-8", "surrogatepass")

    def __reduce__(self) -> tuple[type[Html], tuple[bytes, int]]:
        return (Html, (self.packed, self.length))  # by its fields in order, like BodyLink


@dataclass(frozen=True)
class Announcement:
    source: Path
    line: int
    slug: str
    title: str
    date: dt.date
    lang: str
    translation_key: str
    body: Html  # its body_html, compressed
    summary: str
    category: str = "news"
    expires: dt.date | None = None
    author: str = ""
    tags: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    pinned: bool = False
    image: str | None = None
    image_alt: str = ""
    draft: bool = False
    links: tuple[BodyLink, ...] = ()  # every link and picture in the body
    text_digest: str = ""  # of the title and body (load/markdown.text_digest): what search reads

    @property
    def body_html(self) -> str:
        """The body's sanitized HTML (load/markdown.py)."""
        return self.body.text


@dataclass(frozen=True)
class Page:
    """A standing page: who to contact, responsibilities, the communication plan."""

    source: Path
    line: int
    slug: str
    title: str
    lang: str
    translation_key: str
    body_html: str
    summary: str = ""
    order: int = 100
    audience: tuple[str, ...] = ()
    draft: bool = False
    links: tuple[BodyLink, ...] = ()
    text_digest: str = ""  # of the title and body (load/markdown.text_digest): what search reads


@dataclass(frozen=True)
class MediaFile:
    source: Path
    rel_path: str  # "/"-separated, relative to content/media/
    data: bytes | None = None  # what is published in place of the file (a photo without its location)


@dataclass(frozen=True)
class PictureSize:
    """One smaller size (or another format) of a picture, published next to it."""

    path: str  # in the site, e.g. "media/equipo.800w.webp"
    width: int
    height: int
    mime: str  # "image/webp"
    format: str  # Pillow's name: "JPEG", "PNG", "WEBP"
    key: str  # the digest of the picture's bytes, the width and the format


@dataclass(frozen=True)
class Picture:
    """A picture of content/media/ with the sizes made of it (pictures.py)."""

    path: str  # in the site, e.g. "media/equipo.jpg"
    width: int  # upright, as it is shown
    height: int
    mime: str
    sizes: tuple[PictureSize, ...] = ()

    def srcset(self, mime: str, url: Callable[[str], str]) -> str:
        """The `srcset` of the sizes of one type, each through `url`; the picture itself is
        the largest of its own type."""
        found = [(s.width, s.path) for s in self.sizes if s.mime == mime and s.width in SITE_WIDTHS]
        found += [(s.width, s.path) for s in self.sizes if s.mime == mime and s.width == self.width]
        if mime == self.mime:
            found.append((self.width, self.path))
        return ", ".join(f"{url(path)} {width}w" for width, path in sorted(set(found)))

    def for_email(self, width: int) -> str:
        """The path of the size `width` wide in the picture's own format, or the picture
        itself when it is not wider than that."""
        return next((s.path for s in self.sizes if s.width == width and s.mime == self.mime), self.path)


Pictures = Mapping[str, Picture]  # by path in the site, e.g. "media/equipo.jpg"
SITE_WIDTHS = (480, 800, 1440)  # the text column is at most about 700 px wide: 1440 for 2× screens
EMAIL_WIDTHS = (600, 1200)


class OutputFile(NamedTuple):
    """One file to publish: its path relative to the output folder, its bytes, and
    the source that produced it (named when two outputs collide). A named tuple, like
    BodyLink: every build makes one per file of the site (55,000 at 10,000
    announcements), in 0.04 s as tuples and 0.06 s as frozen dataclasses."""

    path: str  # "/"-separated, e.g. "site/es/news/index.html"
    data: bytes
    source: str
    # large files (media) are copied, not held in memory; a page kept from the published
    # output names its file by a string (a Path for each of 50,000 pages costs 0.3 s)
    copy_from: Path | str | None = None
    key: str = ""  # a page's input digest (cache.py): the same key, the same bytes
    digest: str = ""  # for bytes kept in a file (copy_from) until published: their digest
    span: tuple[int, int] | None = None  # a page spooled in a pack (copy_from): its start and length


KINDS = ("holiday", "payday", "event", "training", "meeting")
# An event written by `intranet new event` carries this property until `intranet confirm`:
# the build leaves it out, `intranet check` lists it.
DRAFT_EVENT = "X-INTRANET-DRAFT"


@dataclass(frozen=True)
class Occurrence:
    """One dated entry on the calendar: a public or company holiday, a pay date, an
    event, a training or a meeting. Recurring events are expanded into one each."""

    uid: str  # stable across rebuilds, so subscribed calendars update instead of duplicating
    kind: str  # one of KINDS
    titles: Mapping[str, str]  # by language; "" for a title in one language only
    # A date when all-day, else aware in the event's own zone (a ZoneInfo: the zone it was
    # written in), so its day is the day there; a reader's view moves it with `in_zone`.
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime  # exclusive
    source: Path | None = None  # the .ics file or site.toml; None for public holidays
    line: int = 0
    offices: tuple[str, ...] = ()  # empty: every office
    audience: tuple[str, ...] = ()
    description: str = ""
    location: str = ""
    stamp: dt.datetime | None = None  # DTSTAMP from the source, when it had one
    payment: str = ""  # paydays: "salary" or "bonus"
    moved_from: dt.date | None = None  # paydays moved off a weekend or holiday
    moved_because: Mapping[str, str] | None = None  # the holiday's names; empty mapping: a weekend
    course: str = ""  # trainings: the course it is a session of (X-INTRANET-COURSE), if it names one

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, dt.datetime)

    @cached_property  # asked for by every calendar cell and list: worked out once
    def day(self) -> dt.date:
        return self.start.date() if isinstance(self.start, dt.datetime) else self.start

    @cached_property
    def last_day(self) -> dt.date:
        """The last day the entry covers (its end is exclusive)."""
        if isinstance(self.end, dt.datetime):
            end = self.end - dt.timedelta(microseconds=1)
            return max(end.date(), self.day)
        return max(self.end - dt.timedelta(days=1), self.day)

    @property
    def zone(self) -> str | None:
        """The IANA name of the zone a timed entry is shown in; None when all-day."""
        tzinfo = self.start.tzinfo if isinstance(self.start, dt.datetime) else None
        return getattr(tzinfo, "key", None) if tzinfo is not None else None

    def in_zone(self, tz: ZoneInfo) -> Occurrence:
        """The same instant as a reader in `tz` sees it (its day may change); all-day entries stay."""
        if not isinstance(self.start, dt.datetime) or not isinstance(self.end, dt.datetime):
            return self
        return replace(self, start=self.start.astimezone(tz), end=self.end.astimezone(tz))

    def title(self, lang: str) -> str:
        return in_language(self.titles, lang)

    def for_office(self, office: str | None) -> bool:
        return office is None or not self.offices or office in self.offices


@dataclass(frozen=True)
class Kudos:
    """A colleague's thanks: who, to whom, for which company value."""

    source: Path
    line: int
    slug: str
    date: dt.date
    sender: str
    recipients: tuple[str, ...]
    value: str  # a company value id from site.toml
    lang: str
    body_html: str
    text: str  # plain text of the message
    team: str | None = None  # the recipients' team, for grouping
    audience: tuple[str, ...] = ()
    links: tuple[BodyLink, ...] = ()
    draft: bool = False


@dataclass(frozen=True)
class Milestone:
    name: str
    due: dt.date
    weight: float = 1.0
    done: dt.date | None = None  # the day it was completed
    percent: float = 0.0  # progress while not done, 0–100
    audit: bool = False  # an audit by the certification body (placed on the calendar)
    line: int = 0

    @property
    def completion(self) -> float:
        """0.0–1.0; a done milestone is complete whatever its percent says."""
        return 1.0 if self.done is not None else max(0.0, min(self.percent, 100.0)) / 100


@dataclass(frozen=True)
class Programme:
    """A certification programme (e.g. ISO 9001:2015) and its milestones."""

    source: Path
    line: int
    slug: str
    title: str
    standard: str
    target_date: dt.date
    lang: str
    translation_key: str
    milestones: tuple[Milestone, ...]
    body_html: str
    summary: str = ""
    audience: tuple[str, ...] = ()
    links: tuple[BodyLink, ...] = ()


@dataclass(frozen=True)
class MetricPoint:
    date: dt.date
    value: float
    line: int = 0


@dataclass(frozen=True)
class MetricSeries:
    """An indicator's measurements, from content/metrics/{id}.csv, oldest first."""

    id: str
    source: Path
    points: tuple[MetricPoint, ...]


SCALES: Mapping[str, tuple[int, ...]] = {
    "agree5": (1, 2, 3, 4, 5),  # strongly disagree … strongly agree
    "enps": tuple(range(11)),  # 0–10: would you recommend working here?
}


@dataclass(frozen=True)
class SurveyQuestion:
    id: str
    column: str  # the column of the responses that holds its answers
    scale: str  # a key of SCALES
    text: Mapping[str, str]  # by language
    answers: tuple[str, ...] = ()  # the scale's answers as the form writes them, lowest first


@dataclass(frozen=True)
class Survey:
    """content/surveys/{id}.toml and its responses. The answers stay in memory only:
    rules/surveys.py publishes aggregates, never a response."""

    source: Path
    slug: str
    title: Mapping[str, str]
    date: dt.date  # when its results are published
    group_by: str | None  # the column that groups the responses (office, team)
    min_group: int
    questions: tuple[SurveyQuestion, ...]
    responses: tuple[tuple[str, tuple[int | None, ...]], ...] = ()  # (group, an answer per question)


@dataclass(frozen=True)
class Course:
    """A course of the training plan: content/trainings/*.md. Its sessions are the
    training events of the calendars that name it (rules/trainings.py)."""

    source: Path
    slug: str
    title: str
    lang: str
    translation_key: str
    body_html: str
    summary: str = ""
    hours: float | None = None
    audience: tuple[str, ...] = ()  # who may take it; () everyone
    mandatory: tuple[str, ...] = ()  # for whom it is mandatory: audiences, offices, or "all"
    draft: bool = False
    links: tuple[BodyLink, ...] = ()
    line: int = 1


@dataclass(frozen=True)
class Site:
    announcements: tuple[Announcement, ...]
    pages: tuple[Page, ...]
    media: tuple[MediaFile, ...]
    occurrences: tuple[Occurrence, ...] = ()  # from content/calendar/*.ics, within the build window
    kudos: tuple[Kudos, ...] = ()
    programmes: tuple[Programme, ...] = ()
    metrics: tuple[MetricSeries, ...] = ()
    window: tuple[dt.date, dt.date] | None = None  # the days calendars were read for (end exclusive)
    surveys: tuple[Survey, ...] = ()
    courses: tuple[Course, ...] = ()


# The To of every built message.eml; `intranet send` replaces it with each recipient.
PLACEHOLDER_RECIPIENT = "recipient@example.invalid"
Edition = tuple[str, tuple[str, ...]]  # a newsletter edition: (language, its audiences)
