"""A time of day is never shown in a zone its reader does not expect.

An office's pages and newsletter edition show times, and the days they fall on, in
the office's zone; company-wide pages and editions show each event in its own zone
and name it; feeds keep every event's TZID.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import re
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from markupsafe import escape

from generator.build import build
from generator.config import load_config
from generator.load.ics import calendar_zone, own_zone
from generator.model import Occurrence
from generator.render.clock import time_span, zone_place
from generator.render.templates import Templates
from tests.conftest import REPO, SITE_TOML, MakeProject, prop

MADRID, MEXICO = ZoneInfo("Europe/Madrid"), ZoneInfo("America/Mexico_City")

POSADA = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//ES
BEGIN:VEVENT
UID:posada@example.com
SUMMARY:Posada
DTSTART;TZID=America/Mexico_City:20261217T180000
DTEND;TZID=America/Mexico_City:20261217T220000
CATEGORIES:EVENT
END:VEVENT
END:VCALENDAR
"""
# Company-wide: one meeting in Madrid's zone, one weekly call in Mexico City's that
# crosses Europe's change to summer time (28 March 2027; Mexico keeps its time).
COMPANY = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//ES
BEGIN:VEVENT
UID:comite@example.com
SUMMARY:Comité de calidad
DTSTART;TZID=Europe/Madrid:20261215T160000
DTEND;TZID=Europe/Madrid:20261215T170000
CATEGORIES:MEETING
END:VEVENT
BEGIN:VEVENT
UID:llamada@example.com
SUMMARY:Llamada semanal
DTSTART;TZID=America/Mexico_City:20270318T180000
DTEND;TZID=America/Mexico_City:20270318T190000
RRULE:FREQ=WEEKLY;COUNT=3
CATEGORIES:MEETING
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def project(make_project: MakeProject) -> Path:
    return make_project(
        {
            "content/site.toml": SITE_TOML,
            "content/calendar/cdmx/posada.ics": POSADA,
            "content/calendar/empresa.ics": COMPANY,
        }
    )


def built(project: Path, today: dt.date) -> dict[str, str]:
    files = build(project, today=today).files
    return {
        f.path: f.data.decode() for f in files if not f.copy_from and not f.path.startswith("site/media/")
    }


def agenda_lines(page: str) -> list[str]:
    """Each entry of a calendar page's upcoming list, as the reader reads it."""
    items = re.findall(r'<li class="agenda-entry.*?</li>', page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def line_of(lines: list[str], title: str) -> list[str]:
    return [line for line in lines if title in line]


def test_an_offices_event_is_on_its_own_day_and_clock_on_that_offices_page(project: Path) -> None:
    files = built(project, dt.date(2026, 12, 14))
    assert line_of(agenda_lines(files["site/es/calendar/cdmx/index.html"]), "Posada") == [
        "jue, 17 dic Evento Posada 18:00–22:00"
    ]
    assert "Todas las horas son de Ciudad de México." in files["site/es/calendar/cdmx/index.html"]
    grid = files["site/es/calendar/cdmx/events/index.html"].split('id="months-title"')[1]
    cell = re.search(r'<span class="day-number">17</span>(.*?)</td>', grid, re.S)
    assert cell is not None and "Posada" in cell.group(1)


def test_company_wide_pages_show_the_events_own_zone_and_name_it(project: Path) -> None:
    files = built(project, dt.date(2026, 12, 14))
    lines = agenda_lines(files["site/es/calendar/index.html"])
    assert line_of(lines, "Posada") == [
        "jue, 17 dic Evento Posada 18:00–22:00, hora de Ciudad de México Ciudad de México"
    ]
    assert line_of(lines, "Comité") == ["mar, 15 dic Reunión Comité de calidad 16:00–17:00, hora de Madrid"]
    english = agenda_lines(files["site/en/calendar/index.html"])
    assert line_of(english, "Comité") == ["Tue, Dec 15 Meeting Comité de calidad 4:00 – 5:00 PM, Madrid time"]
    french = agenda_lines(files["site/fr/calendar/index.html"])
    assert line_of(french, "Posada") == [
        "jeu. 17 déc. Événement Posada 18:00 – 22:00, heure de Mexico Mexico"
    ]


def test_another_offices_page_moves_the_time_and_the_day_into_its_zone(project: Path) -> None:
    files = built(project, dt.date(2026, 12, 14))
    # 16:00 in Madrid is 9:00 in Mexico City (7 hours behind in December).
    assert line_of(agenda_lines(files["site/es/calendar/cdmx/index.html"]), "Comité") == [
        "mar, 15 dic Reunión Comité de calidad 9:00–10:00"
    ]


def test_a_weekly_call_keeps_its_clock_across_europes_summer_time_change(project: Path) -> None:
    files = built(project, dt.date(2027, 3, 15))
    mexico = line_of(agenda_lines(files["site/es/calendar/cdmx/index.html"]), "Llamada")
    assert mexico == [
        "jue, 18 mar Reunión Llamada semanal 18:00–19:00",
        "jue, 25 mar Reunión Llamada semanal 18:00–19:00",
        "jue, 1 abr Reunión Llamada semanal 18:00–19:00",
    ]
    madrid = line_of(agenda_lines(files["site/es/calendar/madrid/index.html"]), "Llamada")
    assert madrid == [  # the next day in Madrid, and an hour later once Europe is on summer time
        "vie, 19 mar Reunión Llamada semanal 1:00–2:00",
        "vie, 26 mar Reunión Llamada semanal 1:00–2:00",
        "vie, 2 abr Reunión Llamada semanal 2:00–3:00",
    ]
    feed = icalendar.Calendar.from_ical(files["site/es/calendar/madrid/all.ics"].encode())
    calls = [e for e in feed.walk("VEVENT") if str(e["SUMMARY"]) == "Llamada semanal"]
    assert {(prop(e, "DTSTART").params["TZID"], prop(e, "DTSTART").dt.time()) for e in calls} == {
        ("America/Mexico_City", dt.time(18, 0))
    }
    assert {str(tz["TZID"]) for tz in feed.walk("VTIMEZONE")} == {"America/Mexico_City", "Europe/Madrid"}


def test_each_newsletter_edition_shows_times_where_its_readers_are(project: Path) -> None:
    files = built(project, dt.date(2026, 12, 14))
    week = "newsletter/2026-W51"
    mexico = files[f"{week}/es/cdmx/email.txt"]
    assert "jue, 17 dic · Evento: Posada (Ciudad de México) · 18:00–22:00" in mexico
    assert "mar, 15 dic · Reunión: Comité de calidad · 9:00–10:00" in mexico
    company = files[f"{week}/en/all/email.txt"]
    assert "Tue, Dec 15 · Meeting: Comité de calidad · 4:00 – 5:00 PM, Madrid time" in company
    html = files[f"{week}/es/all/email.html"]
    assert "16:00–17:00, hora de Madrid" in html
    assert "9:00–10:00" in files[f"{week}/es/cdmx/email.html"]
    web = agenda_lines(files["site/es/newsletter/2026-W51/cdmx/index.html"])
    assert any("Comité de calidad 9:00–10:00" in line for line in web)


def test_the_newsletters_calendar_attachment_holds_each_event_at_its_instant(project: Path) -> None:
    files = {f.path: f.data for f in build(project, today=dt.date(2026, 12, 14)).files}
    message = email.message_from_bytes(files["newsletter/2026-W51/es/cdmx/message.eml"], policy=policy.SMTP)
    [attachment] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    payload = attachment.get_payload(decode=True)
    assert isinstance(payload, bytes)
    calendar = icalendar.Calendar.from_ical(payload)
    starts = {str(e["SUMMARY"]).split(" (")[0]: prop(e, "DTSTART") for e in calendar.walk("VEVENT")}
    assert starts["Posada"].params["TZID"] == "America/Mexico_City"
    assert starts["Posada"].dt == dt.datetime(2026, 12, 17, 18, 0, tzinfo=MEXICO)
    # The edition's readers are in Mexico City: the meeting is written at their clock, same instant.
    assert starts["Comité de calidad"].dt == dt.datetime(2026, 12, 15, 16, 0, tzinfo=MADRID)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (dt.datetime(2026, 12, 17, 18, 0), dt.datetime(2026, 12, 17, 18, 0, tzinfo=MEXICO)),  # floating
        (dt.datetime(2026, 12, 18, 0, 0, tzinfo=dt.UTC), dt.datetime(2026, 12, 17, 18, 0, tzinfo=MEXICO)),
        (dt.datetime(2026, 12, 17, 18, 0, tzinfo=MADRID), dt.datetime(2026, 12, 17, 18, 0, tzinfo=MADRID)),
    ],
)
def test_a_time_stays_in_the_zone_it_was_written_in(moment: dt.datetime, expected: dt.datetime) -> None:
    found = own_zone(moment, MEXICO)
    assert found == expected and str(found.tzinfo) == str(expected.tzinfo)


def test_outlooks_windows_zone_names_become_iana_zones() -> None:
    text = b"""BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VTIMEZONE
TZID:Eastern Standard Time
BEGIN:STANDARD
DTSTART:16010101T020000
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:x
DTSTART;TZID=Eastern Standard Time:20261028T170000
END:VEVENT
END:VCALENDAR
"""
    calendar = icalendar.Calendar.from_ical(text)
    start = prop(calendar.walk("VEVENT")[0], "DTSTART").dt
    found = own_zone(start, MADRID)
    assert str(found.tzinfo) == "America/New_York" and found.hour == 17


def test_a_google_calendar_zone_is_where_its_utc_times_are_shown() -> None:
    google = icalendar.Calendar.from_ical(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-TIMEZONE:America/Mexico_City\r\nEND:VCALENDAR\r\n"
    )
    assert calendar_zone(google, MADRID) == MEXICO
    bare = icalendar.Calendar.from_ical(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
    assert calendar_zone(bare, MADRID) == MADRID


def test_outlooks_romance_time_for_a_madrid_event_is_called_madrid_time(make_project: MakeProject) -> None:
    outlook = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:Microsoft Exchange Server 2010
BEGIN:VTIMEZONE
TZID:Romance Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:taller@example.com
SUMMARY:Taller
DTSTART;TZID=Romance Standard Time:20261209T090000
DTEND;TZID=Romance Standard Time:20261209T130000
CATEGORIES:TRAINING
END:VEVENT
END:VCALENDAR
"""
    project = make_project({"content/calendar/madrid/taller.ics": outlook})
    lines = agenda_lines(built(project, dt.date(2026, 12, 7))["site/es/calendar/index.html"])
    assert line_of(lines, "Taller") == ["mié, 9 dic Formación Taller 9:00–13:00, hora de Madrid Madrid"]


@pytest.mark.parametrize(
    ("start", "end", "lang", "named", "expected"),
    [
        ((18, 0), (18, 0), "es", False, "18:00"),
        ((22, 0), (24, 0), "es", False, "22:00–0:00"),
        ((22, 0), (26, 30), "es", False, "22:00 – vie, 18 dic 2:30"),
        ((9, 0), (10, 0), "en", True, "9:00 – 10:00 AM, Mexico City time"),
        ((9, 0), (10, 0), "fr", True, "09:00 – 10:00, heure de Mexico"),
    ],
)
def test_a_time_reads_naturally_in_each_language(
    start: tuple[int, int], end: tuple[int, int], lang: str, named: bool, expected: str
) -> None:
    config = load_config(REPO / "content/site.toml")
    day = dt.datetime(2026, 12, 17, tzinfo=MEXICO)
    entry = Occurrence(
        uid="x",
        kind="event",
        titles={"": "x"},
        start=day + dt.timedelta(hours=start[0], minutes=start[1]),
        end=day + dt.timedelta(hours=end[0], minutes=end[1]),
    )
    assert " ".join(time_span(entry, lang, config, named=named).split()) == expected  # thin spaces
    all_day = Occurrence(uid="y", kind="holiday", titles={"": "y"}, start=day.date(), end=day.date())
    assert time_span(all_day, lang, config, named=named) == ""


def test_a_zone_without_an_office_is_named_after_its_city() -> None:
    config = load_config(REPO / "content/site.toml")
    assert zone_place("America/New_York", "es", config) == "Nueva York"
    assert zone_place("Europe/Paris", "es", config) == "Paris"  # the office's own name


def test_the_templates_when_is_time_span_for_each_entry_and_settings_it_is_asked_with() -> None:
    """`when()` keeps each entry's text (a calendar page shows a year of them), but never
    gives an entry the text worked out under other settings (the preview's next rebuild)."""
    config = load_config(REPO / "content/site.toml")
    office = config.offices["cdmx"]
    renamed = dataclasses.replace(
        config, offices={**config.offices, "cdmx": dataclasses.replace(office, names={"": "CDMX-Centro"})}
    )
    day = dt.datetime(2026, 12, 17, 9, tzinfo=MEXICO)
    entries = [
        Occurrence(
            uid=f"e{hours}", kind="event", titles={"": "x"}, start=day, end=day + dt.timedelta(hours=hours)
        )
        for hours in (1, 2)
    ]
    page = Templates(REPO / "templates").env("es").from_string("{{ when(entry, named) }}")
    for settings in (config, renamed, config):
        for entry in entries:
            for named in (True, False):
                shown = page.render(entry=entry, config=settings, named=named)
                assert shown == str(escape(time_span(entry, "es", settings, named=named)))
    assert "CDMX-Centro" in page.render(entry=entries[0], config=renamed, named=True)
    assert "Ciudad de México" in page.render(entry=entries[0], config=config, named=True)
