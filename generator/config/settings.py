"""content/site.toml → `Config`: every key checked, every problem reported at once.

Reads one file and nothing else. Unknown keys are errors (with "did you mean"),
because a mistyped key would otherwise be ignored in silence.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError

from generator.config.brand import Brand, parse_brand
from generator.config.named import MetricDefinition, Named, parse_metrics, parse_named
from generator.config.newsletter import NewsletterSettings, has_line_break, parse_newsletter
from generator.config.payroll import PaySchedule, parse_payroll
from generator.config.reader import Reader
from generator.config.smtp import SmtpSettings, parse_smtp
from generator.errors import GeneratorError, did_you_mean, known_list, raise_all, toml_problem
from generator.i18n import in_language
from generator.urls import ALL_DATES, EVERYONE

# Calendar filter pages live at {lang}/calendar/{office}/ and {lang}/calendar/{kind}/.
CALENDAR_NAMES = frozenset({"holidays", "paydays", "events", "trainings", "meetings", ALL_DATES})
_TOP_KEYS = {
    "brand",
    "title",
    "organisation",
    "base_url",
    "timezone",
    "languages",
    "news_per_page",
    "list_per_page",
    "feed_entries",
    "audiences",
    "offices",
    "calendar",
    "payroll",
    "values",
    "teams",
    "metrics",
    "newsletter",
    "smtp",
    "communication",
}
# [communication]: who is responsible for each kind of communication (rules/plan.py)
COMMUNICATION_KEYS = {
    "owner", "newsletter", "calendars", "board", "feed",
    "certification", "indicators", "surveys", "trainings",
}  # fmt: skip


@dataclass(frozen=True)
class Audience:
    """A group of readers. Open audiences are labels on the main site; restricted
    ones get their own tree and are never shown to anyone else."""

    id: str
    names: Mapping[str, str]
    restricted: bool = False
    office: bool = False
    base_url: str | None = None  # restricted: where its own tree is served (its e-mail links there)

    def name(self, lang: str) -> str:
        return in_language(self.names, lang) or self.id


@dataclass(frozen=True)
class Office:
    id: str
    names: Mapping[str, str]
    country: str
    subdivision: str | None
    timezone: str

    def name(self, lang: str) -> str:
        return in_language(self.names, lang) or self.id

    @property
    def code(self) -> str:
        """A short marker for tight spaces (month grids): "MAD", "PAR", "CDMX"."""
        return self.id.upper() if len(self.id) <= 4 else self.id[:3].upper()

    @property
    def tz(self) -> ZoneInfo:
        """The zone the office's readers live in: its pages and edition show times there."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class CalendarSettings:
    months_back: int = 12  # the build window starts this long before --today
    months_ahead: int = 24  # … and ends this long after it
    upcoming_weeks: int = 8  # the calendar page's list of upcoming dates
    refresh_hours: int = 12  # how often subscribed clients should refresh the feeds


@dataclass(frozen=True)
class Config:
    source: Path
    titles: Mapping[str, str]
    organisation: str
    base_url: str
    timezone: str
    languages: tuple[str, ...]
    audiences: Mapping[str, Audience]
    offices: Mapping[str, Office]
    news_per_page: int = 10
    list_per_page: int = 50  # a tag's or an audience's announcements, per page
    feed_entries: int = 20
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    payroll: Mapping[str, PaySchedule] = field(default_factory=dict)
    values: Mapping[str, Named] = field(default_factory=dict)  # company values, for kudos
    teams: Mapping[str, Named] = field(default_factory=dict)
    metrics: Mapping[str, MetricDefinition] = field(default_factory=dict)
    newsletter: NewsletterSettings = field(default_factory=NewsletterSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    brand: Brand = field(default_factory=Brand)  # colour, logo and favicon
    communication: Mapping[str, str] = field(default_factory=dict)  # who is responsible, by kind

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def title(self, lang: str) -> str:
        return in_language(self.titles, lang, self.default_language)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def host(self) -> str:
        """The site's host name, used to make calendar UIDs and Message-IDs globally unique."""
        return _host(self.base_url)

    def content_settings(self) -> ContentSettings:
        """What the content's files are read with (see ContentSettings)."""
        return ContentSettings(
            timezone=self.timezone,
            languages=self.languages,
            audiences=tuple(self.audiences),
            offices={ident: office.timezone for ident, office in self.offices.items()},
            values=tuple(self.values),
            teams=tuple(self.teams),
            metrics=tuple(self.metrics),
        )


@dataclass(frozen=True)
class ContentSettings:
    """All that the loaders of content/ read of the settings: the ids they check a file's
    names against and the zones they read its dates in. An item is kept in the cache
    under its file and these, so a change of site.toml that leaves them alone (a title,
    the pay dates, the newsletter's or the brand's settings, an office's name) reads no
    content file again. The loaders are given this, not the Config: one that needed more
    of the settings would have to add it here, where the cache's key sees it."""

    timezone: str
    languages: tuple[str, ...]
    audiences: tuple[str, ...]
    offices: Mapping[str, str]  # id → the name of the office's time zone
    values: tuple[str, ...]  # company values, for kudos
    teams: tuple[str, ...]
    metrics: tuple[str, ...]  # the indicators defined

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def office_tz(self, ident: str) -> ZoneInfo:
        """The zone of the office `ident` (one of `offices`)."""
        return ZoneInfo(self.offices[ident])


def _is_url(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value.startswith(("https://", "http://")) and " " not in value


def _host(base_url: str) -> str:
    return base_url.split("://", 1)[1].split("/", 1)[0]


def load_config(path: Path) -> Config:
    """Read and check site.toml; raise every problem at once as an ExceptionGroup."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ExceptionGroup(
            "config",
            [
                GeneratorError(
                    "no site.toml found", path=path, hint="copy the sample content/site.toml to start"
                )
            ],
        ) from None
    return read_config(raw, path)


def read_config(raw: bytes, path: Path) -> Config:
    """The bytes of site.toml → Config; pure."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        error = GeneratorError("the file is not UTF-8 text", path=path, line=line, hint="save it as UTF-8")
        raise ExceptionGroup("config", [error]) from None
    return parse_config(text, path)


def parse_config(text: str, path: Path) -> Config:
    """site.toml text → Config; pure."""
    try:
        data = tomllib.loads(text.replace("\r\n", "\n"))
    except (ValueError, RecursionError) as exc:  # TOMLDecodeError is a ValueError
        message, line = toml_problem(exc, text)
        error = GeneratorError(
            f"not valid TOML: {message}",
            path=path,
            line=line,
            hint="check quotes, brackets and `key = value` syntax",
        )
        raise ExceptionGroup("config", [error]) from None
    errors: list[GeneratorError] = []
    r = Reader(path, text, errors)
    r.unknown_keys(data, _TOP_KEYS, "")

    languages = _languages(r, data.get("languages"))
    titles = r.localized(data.get("title"), languages, "", "title") or {languages[0]: "Intranet"}
    organisation = data.get("organisation", "")
    if not isinstance(organisation, str):
        r.error("organisation must be a text", "", "organisation")
        organisation = ""
    base_url = data.get("base_url")
    if not _is_url(base_url):
        r.error(
            "base_url must be the absolute address of the published site",
            "",
            "base_url",
            hint='for example base_url = "https://intranet.example.com/"',
        )
        base_url = "https://intranet.invalid/"
    timezone = r.timezone(data.get("timezone", "UTC"), "", "timezone")
    offices = _offices(r, data.get("offices", {}), languages)
    audiences = _audiences(r, data.get("audiences", {}), languages, offices)
    config = Config(
        source=path,
        titles=titles,
        organisation=organisation.strip(),
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        timezone=timezone,
        languages=languages,
        audiences=audiences,
        offices=offices,
        news_per_page=r.positive_int(data.get("news_per_page", 10), "", "news_per_page", 10, 1000),
        list_per_page=r.positive_int(data.get("list_per_page", 50), "", "list_per_page", 50, 1000),
        feed_entries=r.positive_int(data.get("feed_entries", 20), "", "feed_entries", 20, 1000),
        calendar=_calendar(r, data.get("calendar", {})),
        payroll=parse_payroll(r, data.get("payroll", {}), languages, tuple(offices)),
        values=parse_named(r, data.get("values", {}), "values", languages),
        teams=parse_named(r, data.get("teams", {}), "teams", languages),
        metrics=parse_metrics(r, data.get("metrics", {}), languages),
        newsletter=parse_newsletter(r, data.get("newsletter", {}), languages, _host(base_url)),
        smtp=parse_smtp(r, data.get("smtp", {})),
        brand=parse_brand(r, data.get("brand", {})),
        communication=_communication(r, data.get("communication", {})),
    )
    raise_all(errors)
    return config


def _communication(r: Reader, value: Any) -> dict[str, str]:
    """Who is responsible for each kind of communication: a person, team or address."""
    table = r.table(value, "communication")
    r.unknown_keys(table, COMMUNICATION_KEYS, "communication")
    found = {}
    for key, who in table.items():
        if key not in COMMUNICATION_KEYS:
            continue
        if not isinstance(who, str) or not who.strip() or has_line_break(who) or len(who) > 200:
            r.error(
                f"{key} must name who is responsible, on one line of at most 200 characters",
                "communication",
                key,
                hint='for example newsletter = "Comunicación interna <comunicacion@example.com>"',
            )
            continue
        found[key] = who.strip()
    return found


def _languages(r: Reader, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        r.error(
            "languages must be a non-empty list of language codes, the default first",
            "",
            "languages",
            hint='for example languages = ["es", "fr", "en"]',
        )
        return ("en",)
    good: list[str] = []
    for code in value:
        try:
            Locale.parse(code)
        except (UnknownLocaleError, ValueError):
            r.error(f'unknown language code "{code}"', "", "languages", hint="use codes such as es, fr, en")
            continue
        if code in good:
            r.error(f'language "{code}" is listed twice', "", "languages")
            continue
        good.append(code)
    return tuple(good) or ("en",)


LARGEST = {  # the calendar's settings: ten years either way, feeds refreshed at least yearly
    "months_back": 120, "months_ahead": 120, "upcoming_weeks": 520, "refresh_hours": 8760,
}  # fmt: skip


def _calendar(r: Reader, value: Any) -> CalendarSettings:
    table = r.table(value, "calendar")
    defaults = CalendarSettings()
    keys = ("months_back", "months_ahead", "upcoming_weeks", "refresh_hours")
    r.unknown_keys(table, set(keys), "calendar")
    return CalendarSettings(
        **{
            key: r.positive_int(table.get(key, getattr(defaults, key)), "calendar", key, 1, LARGEST[key])
            for key in keys
        }
    )


def _offices(r: Reader, value: Any, languages: tuple[str, ...]) -> dict[str, Office]:
    offices: dict[str, Office] = {}
    for ident, table in sorted(r.table(value, "offices").items()):
        where = f"offices.{ident}"
        if not r.ident("offices", ident, CALENDAR_NAMES) or not isinstance(table, dict):
            continue
        r.unknown_keys(table, {"name", "country", "subdivision", "timezone"}, where)
        names = r.localized(table.get("name", ident), languages, where, "name") or {}
        country = table.get("country")
        known = _subdivisions(country)
        if known is None:
            import holidays  # here: every country's module, only to help

            supported = holidays.list_supported_countries()
            r.error(
                f"office {ident} needs country, a two-letter ISO code known to the holidays package, "
                f"not {country!r}",
                where,
                "country",
                hint=f'{did_you_mean(str(country), supported)}for example country = "ES"',
            )
            continue
        subdivision = table.get("subdivision")
        if subdivision is not None and subdivision not in known:
            r.error(
                f"{country} has no subdivision {subdivision!r}",
                where,
                "subdivision",
                hint=f"{did_you_mean(str(subdivision), known)}known: {known_list(known)}",
            )
            subdivision = None
        tz = r.timezone(table.get("timezone", "UTC"), where, "timezone")
        offices[ident] = Office(ident, names, str(country), subdivision, tz)
    return offices


def _subdivisions(country: object) -> tuple[str, ...] | None:
    """The subdivision codes of a two-letter country code the holidays package knows (only
    that country's module is imported), or None for anything else."""
    if not isinstance(country, str) or len(country) != 2 or not country.isascii() or not country.isupper():
        return None
    import holidays  # here: a command whose settings are kept (cli.py) never needs it

    try:
        return tuple(holidays.country_holidays(country).subdivisions)
    except NotImplementedError:  # no such country
        return None


def _audiences(
    r: Reader, value: Any, languages: tuple[str, ...], offices: Mapping[str, Office]
) -> dict[str, Audience]:
    audiences: dict[str, Audience] = {
        ident: Audience(ident, office.names, restricted=False, office=True)
        for ident, office in offices.items()
    }
    for ident, table in sorted(r.table(value, "audiences").items()):
        where = f"audiences.{ident}"
        if not r.ident("audiences", ident, frozenset({EVERYONE})) or not isinstance(table, dict):
            continue
        if ident in offices:
            r.error(
                f'audience "{ident}" has the id of an office',
                where,
                hint="every office is already an audience; rename one of them",
            )
            continue
        r.unknown_keys(table, {"name", "restricted", "base_url"}, where)
        names = r.localized(table.get("name", ident), languages, where, "name") or {}
        restricted = table.get("restricted", False)
        if not isinstance(restricted, bool):
            r.error("restricted must be true or false", where, "restricted")
            restricted = True
        tree_url = table.get("base_url")
        if tree_url is not None and (not restricted or not _is_url(tree_url)):
            r.error(
                "base_url must be the absolute address of this restricted audience's own tree"
                if restricted
                else "only a restricted audience has a base_url of its own",
                where,
                "base_url",
                hint=f'for example base_url = "https://{ident}.intranet.example.com/"'
                if restricted
                else "open audiences are on the main site; remove base_url",
            )
            tree_url = None
        if isinstance(tree_url, str) and not tree_url.endswith("/"):
            tree_url += "/"
        audiences[ident] = Audience(ident, names, restricted=restricted, base_url=tree_url)
    return audiences
