"""The weekly newsletter: MIME structure, headers, HTML that mail clients render, the
text version, and editions that never mix audiences."""

from __future__ import annotations

import email
import html.parser
import re
import shutil
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import icalendar
import pytest

from generator.build import build_newsletter, load_sources
from generator.cli import main
from generator.config import parse_config
from generator.render import calendars, newsletter
from generator.rules.weeks import IsoWeek
from tests.conftest import REPO, SITE_TOML, TODAY, MakeProject, sample_files

ISSUES = {f.path: f.data for f in sample_files() if f.path.startswith("newsletter/")}
WEEK = "2026-W48"


def edition(lang: str, key: str, name: str) -> bytes:
    return ISSUES[f"newsletter/{WEEK}/{lang}/{key}/{name}"]


def message(lang: str = "es", key: str = "madrid") -> EmailMessage:
    parsed = email.message_from_bytes(edition(lang, key, "message.eml"), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


class Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(data: bytes) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(data.decode())
    return parser.tags


def test_every_language_and_edition_is_built() -> None:
    keys = {"all", "madrid", "paris", "cdmx", "managers", "agents", "rrhh"}
    for lang in ("es", "fr", "en"):
        for key in keys:
            for name in ("email.html", "email.txt", "message.eml"):
                assert f"newsletter/{WEEK}/{lang}/{key}/{name}" in ISSUES
    assert len(ISSUES) == 3 * len(keys) * 3


def test_the_message_is_text_then_html_with_the_dates_attached() -> None:
    msg = message()
    assert msg.get_content_type() == "multipart/mixed"
    alternative, attachment = msg.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_filename() == f"{WEEK}.ics"
    payload = attachment.get_payload(decode=True)
    assert isinstance(payload, bytes)
    calendar = icalendar.Calendar.from_ical(payload)
    uids = {str(e.get("UID")) for e in calendar.walk("VEVENT")}
    feed = icalendar.Calendar.from_ical(
        next(f.data for f in sample_files() if f.path == "site/es/calendar/madrid/all.ics")
    )
    assert uids and uids <= {str(e.get("UID")) for e in feed.walk("VEVENT")}  # the feeds' stable UIDs


def test_headers_are_complete_encoded_and_stable() -> None:
    msg = message()
    assert msg["Subject"] == "Boletín semanal Alcora — semana 48"
    assert msg["From"].addresses[0].display_name == "Comunicación Interna Alcora"
    assert msg["From"].addresses[0].addr_spec == "comunicacion@alcora.example"
    assert msg["Reply-To"].addresses[0].addr_spec == "comunicacion@alcora.example"
    assert msg["To"] == "recipient@example.invalid"
    assert msg["Date"] == "Mon, 23 Nov 2026 08:00:00 +0100"
    assert msg["Message-ID"] == "<newsletter.2026-W48.es.madrid@intranet.alcora.example>"
    assert msg["List-Id"] == "Intranet Alcora <boletin.alcora.example>"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["X-Auto-Response-Suppress"] == "All"
    assert msg["Precedence"] == "bulk"
    raw = edition("es", "madrid", "message.eml")
    assert raw.isascii() and b"\r\n" in raw  # 7-bit safe, CRLF on the wire
    assert message("fr", "all")["Subject"] == "Lettre hebdomadaire Alcora — semaine 48"


@pytest.mark.parametrize(
    "value", ["Comms\\nBcc: everyone@example.com <c@example.com>", "Comms\\u0000 <c@example.com>"]
)
def test_a_line_break_or_control_character_in_a_header_setting_is_refused(value: str) -> None:
    toml = SITE_TOML.replace("[newsletter]\n", f'[newsletter]\nfrom = "{value}"\nreply_to = "{value}"\n')
    with pytest.raises(ExceptionGroup) as info:
        parse_config(toml, Path("content/site.toml"))
    assert [str(e) for e in info.value.exceptions] == [
        f"content/site.toml:{line}: {key} must be on one line, without control characters "
        "(a mail header cannot hold them)"
        for line, key in ((27, "from"), (28, "reply_to"))
    ]


@pytest.mark.parametrize("path", sorted(p for p in ISSUES if p.endswith("email.html")))
def test_the_html_is_built_for_mail_clients(path: str) -> None:
    data = ISSUES[path]
    assert len(data) < 100_000  # Gmail clips longer messages
    text = data.decode()
    for forbidden in ("<script", "<svg", "<form", "<link", "@import", "@font-face", "javascript:"):
        assert forbidden not in text.lower(), forbidden
    tags = tags_of(data)
    html_tag = next(attrs for tag, attrs in tags if tag == "html")
    assert html_tag["lang"] in ("es", "fr", "en") and html_tag["dir"] == "ltr"
    for tag, attrs in tags:
        for name in ("href", "src"):
            url = attrs.get(name)
            if url is not None:
                assert url.startswith(("https://", "mailto:")), f"{tag} {name}={url}"
        if tag == "img":
            assert attrs.get("alt"), "every image needs alt text"
            assert not (attrs.get("src") or "").endswith(".svg")
        if attrs.get("class") and tag not in ("html", "body"):
            assert attrs.get("style"), f"<{tag} class={attrs['class']}> was not inlined"
    style = re.search(r"<style>(.*?)</style>", text, re.S)
    assert (
        style is not None
        and re.sub(r"@media[^{]+\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", style.group(1)).strip() == ""
    )
    assert 'class="preheader"' in text and "display: none" in text.split('class="preheader"')[1][:200]


def test_the_view_in_browser_link_points_at_the_web_version_on_the_site() -> None:
    text = edition("fr", "paris", "email.html").decode()
    assert 'href="https://intranet.alcora.example/fr/newsletter/2026-W48/paris/"' in text
    site = {f.path for f in sample_files()}
    assert "site/fr/newsletter/2026-W48/paris/index.html" in site
    assert "site/fr/newsletter/2026-W48/rrhh/index.html" not in site  # restricted: its own tree only


def test_each_edition_holds_company_news_and_its_own_audience_only() -> None:
    def content(key: str) -> str:
        return edition("es", key, "email.html").decode() + edition("es", key, "email.txt").decode()

    assert "Cena de Navidad de Madrid" in content("madrid")
    assert "Posada de fin de año" not in content("madrid")
    assert "Aguinaldo" not in content("madrid")
    assert "Posada de fin de año" in content("cdmx") and "Cena de Navidad de Madrid" not in content("cdmx")
    everyone = content("all")
    for targeted in (
        "Cena de Navidad",
        "Posada",
        "Aguinaldo",
        "Paga extra",
        "Nómina",
        "Calendario de cierres",
    ):
        assert targeted not in everyone, targeted
    assert "Nueva intranet" in everyone  # company-wide must-read
    previous = {
        f.path: f.data.decode()
        for f in build_newsletter(load_sources(REPO, today=TODAY), IsoWeek.parse("2026-W47")).files
    }
    restricted = "Calendario de cierres de nómina 2027"  # published on 13 November, for rrhh only
    for key in ("all", "madrid", "managers", "agents", "paris", "cdmx"):
        assert restricted not in previous[f"newsletter/2026-W47/es/{key}/email.html"], key
    assert restricted in previous["newsletter/2026-W47/es/rrhh/email.html"]
    assert "Nómina (Madrid)" in content("madrid") and "Quincena" not in content("madrid")


def test_the_text_version_wraps_at_72_and_lists_its_links() -> None:
    text = edition("en", "madrid", "email.txt").decode()
    lines = text.splitlines()
    body, links = lines[: lines.index("Links:")], lines[lines.index("Links:") + 1 :]
    assert all(len(line) <= 72 for line in body)
    assert lines[0] == "Alcora Intranet" and lines[1] == "=" * len("Alcora Intranet")
    assert "This week's news" in lines and "-" * len("This week's news") in lines
    assert links[0] == "[1] https://intranet.alcora.example/en/newsletter/2026-W48/madrid/"
    assert all(re.match(r"^\[\d+\] https://", line) for line in links)
    assert "Week 48 · November 23, 2026" in text
    assert "Mon, Nov 30 · Pay date: Salary (Madrid)" in text


def test_an_empty_week_still_makes_a_short_valid_issue_with_the_dates(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    payroll = '\n[payroll.es]\nname = "Nómina"\noffices = ["madrid"]\nschedule = "monthly"\nday = 30\n'
    project = make_project({"content/site.toml": SITE_TOML + payroll})
    assert main(["newsletter", "--project", str(project), "--today", "2026-11-23", "--week", "2026-W48"]) == 0
    assert "Built 15 newsletter editions for week 2026-W48" in capsys.readouterr().out
    folder = project / "output/newsletter/2026-W48/es"
    quiet = (folder / "all/email.txt").read_text(encoding="utf-8")
    assert "Una semana tranquila" in quiet
    madrid = email.message_from_bytes((folder / "madrid/message.eml").read_bytes(), policy=policy.default)
    assert "Nómina" in (folder / "madrid/email.txt").read_text(encoding="utf-8")
    assert madrid.get_content_type() == "multipart/mixed"  # the pay date travels as .ics
    no_dates = email.message_from_bytes((folder / "all/message.eml").read_bytes(), policy=policy.default)
    assert no_dates.get_content_type() == "multipart/alternative"


def test_the_newsletter_command_publishes_one_week_and_leaves_the_rest(make_project: MakeProject) -> None:
    project = make_project({})
    args = ["--project", str(project), "--today", "2026-11-23"]
    assert main(["build", *args]) == 0
    assert main(["newsletter", "--week", "2026-W47", *args]) == 0
    output = project / "output"
    assert sorted(p.name for p in (output / "newsletter").iterdir()) == ["2026-W47", "2026-W48"]
    assert (output / "site/es/index.html").is_file()
    assert sorted(p.name for p in output.iterdir()) == [".current", ".releases", "newsletter", "site"]


def test_bonus_payments_are_labelled_as_such_in_both_versions() -> None:
    text = edition("es", "cdmx", "email.txt").decode()
    html = edition("es", "cdmx", "email.html").decode()
    assert "Pago: Aguinaldo (paga extraordinaria) (Ciudad de México)" in text
    assert "Aguinaldo (paga extraordinaria) (Ciudad de México)" in html
    assert "Adelantado del dom 20 dic: fin de semana" in text


def test_an_edited_story_renders_the_editions_again_and_keeps_their_calendar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The editions' calendar attachment is kept until the week's dates, the edition's
    title, the settings or today change; the messages equal those of a build without it."""
    project = tmp_path / "project"
    shutil.copytree(REPO / "content", project / "content")
    args = ["build", "--project", str(project), "--today", "2026-11-23"]
    made: list[str] = []
    real = calendars.calendar_document

    def counted(config: Any, entries: Any, lang: str, name: str, today: Any) -> bytes:
        made.append(lang)
        return real(config, entries, lang, name, today)

    monkeypatch.setattr(newsletter, "calendar_document", counted)
    week = project / "output" / "newsletter" / WEEK

    def messages(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("message.eml"))}

    assert main(args) == 0
    assert made  # each edition with dates made its attachment
    story = project / "content/announcements/aguinaldo-2026.md"
    before = "se deposita el 18 de diciembre"
    assert any(before.encode() in p.read_bytes() for p in week.rglob("email.html"))
    story.write_text(story.read_text(encoding="utf-8").replace(before, "llega el 18 de diciembre"))

    made.clear()
    assert main(args) == 0
    assert made == []  # the e-mails are rendered again; their calendars are the kept ones
    assert any(b"llega el 18 de diciembre" in p.read_bytes() for p in week.rglob("email.html"))
    edited = messages(week)
    assert main([*args, "--no-cache", "--out", str(tmp_path / "clean")]) == 0
    assert edited == messages(tmp_path / "clean" / "newsletter" / WEEK)

    made.clear()  # a new date this week: every edition that shows it gets a new calendar
    event = project / "content/calendar/eventos-empresa.ics"
    text = event.read_text(encoding="utf-8")
    extra = (
        "BEGIN:VEVENT\r\nUID:sesion-extra@example.com\r\nDTSTAMP:20261101T000000Z\r\n"
        "DTSTART;VALUE=DATE:20261126\r\nSUMMARY:Sesión extra de bienvenida\r\nEND:VEVENT\r\n"
    )
    event.write_text(text.replace("END:VCALENDAR", extra + "END:VCALENDAR", 1), encoding="utf-8")
    assert main(args) == 0
    assert made
    attachments = [
        part.get_content()
        for p in week.rglob("message.eml")
        for part in email.message_from_bytes(p.read_bytes(), policy=policy.default).walk()
        if part.get_content_type() == "text/calendar"
    ]
    assert any("Sesión extra de bienvenida" in str(a) for a in attachments)


def test_the_issues_of_one_build_share_what_they_compose_alike_and_each_equals_one_composed_alone() -> None:
    """The indicators, each survey's result and each programme's news for a week are
    composed once per build and shared by every language and edition (so pages keyed by
    them digest them once); each issue still equals the one composed on its own."""
    from generator.rules.issue import compose_issue, editions_to_build

    sources = load_sources(REPO, today=TODAY)
    config = sources.config
    weeks = [IsoWeek.parse(WEEK), IsoWeek.parse("2026-W45")]
    issues = [
        sources.issues.get(week, lang, audiences)
        for week in weeks
        for lang in config.languages
        for audiences in editions_to_build(config)
    ]
    assert all(issue.indicators for issue in issues)
    assert len({id(issue.indicators) for issue in issues}) == 1
    for week in weeks:
        for lang in config.languages:  # every edition of a week and language: the same objects
            shown = {tuple(map(id, i.programmes)) for i in issues if i.week == week and i.lang == lang}
            assert len(shown) == 1 and next(iter(shown))
    surveys = {id(s) for issue in issues for s in issue.surveys}
    assert len(surveys) == len({s.survey.slug for issue in issues for s in issue.surveys})
    for issue in issues:
        alone = compose_issue(
            config, sources.site, sources.agenda, issue.week, issue.lang, issue.audiences, TODAY
        )
        assert alone == issue
