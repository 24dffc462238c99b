"""Issue → email.html (CSS inlined), email.txt and message.eml, per language and edition.

The HTML is rendered from templates/newsletter/email.html, then css-inline moves
every style onto its element, keeping only the media queries (phone width, dark
mode) in a <style> block. The message is built with `email.message.EmailMessage`
and `policy.SMTP`; its Date, Message-ID and MIME boundaries depend only on the
week, the language and the edition, so a rebuild gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
from collections.abc import Callable, Sequence
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import css_inline
from babel.dates import format_date

from generator.cache import Fingerprints, Store, code_digest, digest
from generator.config import Config
from generator.errors import GeneratorError
from generator.i18n import load_translations
from generator.model import (
    PLACEHOLDER_RECIPIENT,
    SITE_ROOT,
    Announcement,
    MetricPoint,
    Occurrence,
    OutputFile,
    Pictures,
)
from generator.parallel import advance
from generator.render.calendars import calendar_document
from generator.render.labels import category_name, kind_name
from generator.render.templates import Templates
from generator.render.textmail import text_helpers, tidy
from generator.rules.audience import is_visible
from generator.rules.indicators import Indicator
from generator.rules.issue import Issue
from generator.rules.localize import Localized
from generator.urls import EVERYONE, MESSAGE, news_page, newsletter_folder, newsletter_page, pretty

SIZE_BUDGET = 100_000  # bytes: Gmail clips longer messages
BAR_POINTS = 6
EMAIL_TEMPLATES = ("newsletter/email.html", "newsletter/email.txt")  # an edition is made from these alone
_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def subject(issue: Issue, config: Config) -> str:
    pattern = config.newsletter.subject(issue.lang)
    day = format_date(issue.day, "long", locale=issue.lang)
    return pattern.format(week=issue.week.number, year=issue.week.year, date=day)


def web_url(issue: Issue, config: Config) -> str | None:
    """The edition's web version, where one is published: the main site has the company-wide
    one and one per open audience; a restricted audience's tree (at its own `base_url`) has
    its own. A reader in several audiences is sent to the company-wide one, which links to
    each audience's. None when a restricted audience's tree has no address in site.toml."""
    restricted = [a for a in issue.audiences if config.audiences[a].restricted]
    if restricted:
        tree = config.audiences[restricted[0]].base_url
        return tree + pretty(newsletter_page(issue.lang, issue.week, restricted[0])) if tree else None
    key = issue.key if len(issue.audiences) == 1 else EVERYONE
    return config.base_url + pretty(newsletter_page(issue.lang, issue.week, key))


def tree_url(item: Announcement, config: Config) -> str | None:
    """The address of the tree that publishes the announcement: the main site, else its
    restricted audience's tree; None when that tree has no address."""
    if is_visible(item.audience, config):
        return config.base_url
    for audience in item.audience:
        if config.audiences[audience].restricted and config.audiences[audience].base_url:
            return config.audiences[audience].base_url
    return None


def item_url(localized: Localized[Announcement], config: Config) -> str | None:
    """The announcement's page, where its tree is published."""
    tree = tree_url(localized.item, config)
    return tree + pretty(news_page(localized.lang, localized.item.slug)) if tree else None


def image_url(
    localized: Localized[Announcement], config: Config, pictures: Pictures, width: int = 600
) -> str | None:
    """The announcement's picture, from the tree that publishes it (a restricted item's
    picture is not on the main site), at its size `width` pixels wide where there is one
    (pictures.py; in its own format, never WebP, which Outlook does not show); None
    without one, or for SVG, which mail clients do not show."""
    image, tree = localized.item.image, tree_url(localized.item, config)
    if not image or not tree or image.lower().endswith(".svg"):
        return None
    path = image.removeprefix(SITE_ROOT)
    found = pictures.get(path)
    return tree + (found.for_email(width) if found is not None else path)


def bars(indicator: Indicator) -> list[tuple[MetricPoint, int]]:
    """The last points with bar widths in percent of the longest, each bar starting at zero so
    its length is proportional to its value (88 % is not a sliver beside 91 %): an HTML-table
    chart that every mail client draws. A percentage is measured against 100 %."""
    points = indicator.points[-BAR_POINTS:]
    if not points:
        return []
    target = indicator.definition.target or 0.0
    longest = max(*(p.value for p in points), target, 100.0 if indicator.definition.unit == "%" else 0.0)
    if longest <= 0:
        return [(p, 0) for p in points]
    return [(p, max(0, round(100 * p.value / longest))) for p in points]


def preheader(issue: Issue, config: Config) -> str:
    """The hidden first line that mail clients show after the subject."""
    _ = load_translations(issue.lang).gettext
    titles = [e.item.title for e in (*issue.must_read, *issue.news)][:3]
    if not titles:
        titles = [_("Holidays, pay dates and events of the coming weeks")]
    text = " · ".join(titles)
    return text if len(text) <= 140 else text[:139].rsplit(" ", 1)[0] + "…"


def helpers(issue: Issue, config: Config, pictures: Pictures | None = None) -> dict[str, Callable[..., Any]]:
    """Functions the e-mail template and the text version share, in the issue's language."""
    lang = issue.lang
    shown = pictures or {}
    return {
        "item_url": lambda localized: item_url(localized, config),
        "image_url": lambda localized, width=600: image_url(localized, config, shown, width),
        "category_name": lambda category: category_name(category, lang),
        "kind_name": lambda kind: kind_name(kind, lang),
        "audience_names": lambda ids: ", ".join(config.audiences[a].name(lang) for a in ids),
        "office_names": lambda ids: ", ".join(config.offices[o].name(lang) for o in ids),
        "bars": bars,
    }


def render_html(
    issue: Issue,
    config: Config,
    templates: Templates,
    title: str,
    pictures: Pictures | None = None,
) -> str:
    raw = templates.render(
        EMAIL_TEMPLATES[0],
        issue.lang,
        "newsletter.html",
        config=config,
        issue=issue,
        subject=title,
        heading=heading(issue),
        preheader=preheader(issue, config),
        web_url=web_url(issue, config),
        base_url=config.base_url,
        site_root=SITE_ROOT,
        **helpers(issue, config, pictures),
    )
    html: str = _INLINER.inline(raw)
    # css-inline puts the kept media queries first in <head>; the charset must stay within
    # the first 1024 bytes, so it goes back to the top.
    charset = '<meta charset="utf-8">'
    if charset in html and html.index(charset) > html.index("<head>"):
        html = html.replace(charset + "\n", "", 1).replace("<head>", "<head>" + charset, 1)
    return html


def render_text(issue: Issue, config: Config, templates: Templates, pictures: Pictures | None = None) -> str:
    raw = templates.render(
        EMAIL_TEMPLATES[1],
        issue.lang,
        "newsletter.txt",
        config=config,
        issue=issue,
        heading=heading(issue),
        web_url=web_url(issue, config),
        base_url=config.base_url,
        **helpers(issue, config, pictures),
        **text_helpers(),
    )
    return tidy(raw)


def heading(issue: Issue) -> str:
    _ = load_translations(issue.lang).gettext
    return _("Week %(week)s · %(date)s") % {
        "week": issue.week.number,
        "date": format_date(issue.day, "long", locale=issue.lang),
    }


def _address(value: Address | None, fallback_name: str, config: Config) -> Address:
    return value or Address(display_name=fallback_name, username="newsletter", domain=config.host)


def render_message(
    issue: Issue, config: Config, title: str, html: str, text: str, ics: bytes | None
) -> bytes:
    """The MIME message: text then HTML as alternatives, and the period's dates as an .ics."""
    settings = config.newsletter
    message = EmailMessage(policy=policy.SMTP)
    try:
        message["From"] = _address(settings.sender, config.title(issue.lang), config)
        message["Reply-To"] = _address(settings.reply_to or settings.sender, config.title(issue.lang), config)
        message["To"] = PLACEHOLDER_RECIPIENT
        message["Subject"] = title
    except ValueError as exc:  # a line break in a header value
        raise GeneratorError(f"cannot write the newsletter headers: {exc}", path=config.source) from None
    sent = dt.datetime.combine(issue.day, dt.time(8, 0), tzinfo=config.tz)
    message["Date"] = format_datetime(sent)
    message["Message-ID"] = f"<newsletter.{issue.week}.{issue.lang}.{issue.key}@{config.host}>"
    message["List-Id"] = f"{config.title(issue.lang)} <{settings.list_id}>"
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message["Precedence"] = "bulk"
    message["Content-Language"] = issue.lang
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    if ics is not None:
        message.make_mixed()
        message.add_attachment(
            ics,
            maintype="text",
            subtype="calendar",
            filename=f"{issue.week}.ics",
            params={"method": "PUBLISH", "charset": "utf-8"},
        )
    seed = hashlib.sha1(f"{issue.week}/{issue.lang}/{issue.key}".encode()).hexdigest()[:16]
    for index, part in enumerate(p for p in message.walk() if p.is_multipart()):
        part.set_boundary(f"=_intranet_{seed}_{index}")
    return message.as_bytes(policy=policy.SMTP)


def render_newsletters(
    issues: list[Issue],
    config: Config,
    templates: Templates,
    today: dt.date,
    cache: Store | None = None,
    fingerprints: Fingerprints | None = None,
    pictures: Pictures | None = None,
) -> list[OutputFile]:
    """Every edition's files; with a `cache`, an edition whose issue, settings, templates,
    code, today and pictures (their sizes, pictures.py) digest as before takes its files
    from it instead of being rendered."""
    files = []
    sizes = digest(repr(sorted((pictures or {}).items())))
    for done, issue in enumerate(issues, 1):
        advance("Writing newsletters", done, len(issues))
        if cache is None:
            files += render_issue(issue, config, templates, today, pictures)
            continue
        fingerprints = fingerprints or Fingerprints()
        key = digest(
            "newsletter",
            code_digest(),
            templates.digest_of(*EMAIL_TEMPLATES),
            fingerprints.of(config),
            today.isoformat(),
            fingerprints.of(issue),
            sizes,
        )
        saved = cache.get(key)
        if saved is not None:
            files += [OutputFile(path, data, "content") for path, data in pickle.loads(saved)]
            continue
        made = render_issue(issue, config, templates, today, pictures, cache, fingerprints)
        cache.put(key, pickle.dumps([(f.path, f.data) for f in made]))
        files += made
    for file in files:
        if file.path.endswith("email.html") and len(file.data) > SIZE_BUDGET:
            raise GeneratorError(
                f"{file.path} is {len(file.data) // 1000} KB; "
                f"Gmail clips e-mails over {SIZE_BUDGET // 1000} KB",
                path=config.source,
                hint="publish fewer items in one week, or shorten their summaries",
            )
    return files


def attachment(
    config: Config,
    entries: Sequence[Occurrence],
    lang: str,
    title: str,
    today: dt.date,
    cache: Store | None = None,
    fingerprints: Fingerprints | None = None,
) -> bytes:
    """The week's dates as the edition's iCalendar attachment. With a `cache`, kept until
    the dates, the edition's language and title, the settings, today or the code change:
    an edited story renders the e-mail again, not its calendar."""
    if cache is None:
        return calendar_document(config, entries, lang, title, today)
    fingerprints = fingerprints or Fingerprints()
    key = digest(
        "newsletter calendar",
        code_digest(),
        fingerprints.of(config),
        fingerprints.of(tuple(entries)),
        lang,
        title,
        today.isoformat(),
    )
    saved = cache.get(key)
    if saved is not None:
        return saved
    made = calendar_document(config, entries, lang, title, today)
    cache.put(key, made)
    return made


def render_issue(
    issue: Issue,
    config: Config,
    templates: Templates,
    today: dt.date,
    pictures: Pictures | None = None,
    cache: Store | None = None,
    fingerprints: Fingerprints | None = None,
) -> list[OutputFile]:
    """email.html, email.txt and message.eml of one edition."""
    title = subject(issue, config)
    html = render_html(issue, config, templates, title, pictures)
    text = render_text(issue, config, templates, pictures)
    entries = issue.calendar_entries
    ics = attachment(config, entries, issue.lang, title, today, cache, fingerprints) if entries else None
    folder = newsletter_folder(issue.week, issue.lang, issue.key)
    source = "content"
    return [
        OutputFile(f"{folder}/email.html", html.encode(), source),
        OutputFile(f"{folder}/email.txt", text.encode(), source),
        OutputFile(f"{folder}/{MESSAGE}", render_message(issue, config, title, html, text, ics), source),
    ]
