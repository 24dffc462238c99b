"""Calendar pages, home widgets and subscribable feeds, built from inline projects."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import icalendar
import pytest

from generator.build import build
from generator.cli import main
from tests.conftest import TODAY, MakeProject, announcement, prop

PAYROLL = """
[payroll.es-nomina]
name = { es = "Nómina", fr = "Salaire", en = "Salary" }
offices = ["madrid"]
schedule = "monthly"
day = 31
"""
EVENTS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//EN
BEGIN:VEVENT
UID:comite@example.com
SUMMARY:Comité de calidad
DTSTART;TZID=Europe/Madrid:20261201T160000
DTEND;TZID=Europe/Madrid:20261201T170000
RRULE:FREQ=MONTHLY;BYDAY=1TU;COUNT=3
CATEGORIES:MEETING
END:VEVENT
BEGIN:VEVENT
UID:cierre@example.com
SUMMARY:Cierre de oficina
DTSTART;VALUE=DATE:20261224
CATEGORIES:HOLIDAY
END:VEVENT
BEGIN:VEVENT
UID:secreto@example.com
SUMMARY:Comisión salarial
DTSTART;VALUE=DATE:20261202
CATEGORIES:MEETING,RRHH
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def project(make_project: MakeProject) -> Path:
    from tests.conftest import SITE_TOML

    return make_project(
        {
            "content/site.toml": SITE_TOML + PAYROLL,
            "content/calendar/madrid/eventos.ics": EVENTS,
            "content/announcements/a.md": announcement("Hola"),
        }
    )


def files_of(project: Path, today: dt.date = TODAY) -> dict[str, bytes]:
    files = build(project, today=today).files
    return {
        f.path.removeprefix("site/"): f.data for f in files if f.path.startswith("site/") and not f.copy_from
    }


def test_feeds_are_valid_rfc_5545_with_names_refresh_and_time_zones(project: Path) -> None:
    files = files_of(project)
    feed = icalendar.Calendar.from_ical(files["es/calendar/madrid/all.ics"])
    assert prop(feed, "VERSION") == "2.0"
    assert str(prop(feed, "PRODID")) == "-//intranet.example.com//intranet//ES"
    assert (
        str(prop(feed, "NAME")) == str(prop(feed, "X-WR-CALNAME")) == "Intranet · Todas las fechas · Madrid"
    )
    assert prop(feed, "REFRESH-INTERVAL").to_ical() == b"PT12H"
    assert b"X-PUBLISHED-TTL:PT12H" in files["es/calendar/madrid/all.ics"]
    used = {
        str(prop(e, "DTSTART").params["TZID"])
        for e in feed.walk("VEVENT")
        if "TZID" in prop(e, "DTSTART").params
    }
    assert used == {"Europe/Madrid"}
    assert {str(prop(tz, "TZID")) for tz in feed.walk("VTIMEZONE")} == used
    assert isinstance(feed.walk("VTIMEZONE")[0], icalendar.Timezone)
    holidays_only = icalendar.Calendar.from_ical(files["es/calendar/madrid/holidays.ics"])
    assert holidays_only.walk("VTIMEZONE") == []  # all-day entries use no time zone


def test_all_day_entries_end_the_next_day_and_never_block_free_busy(project: Path) -> None:
    feed = icalendar.Calendar.from_ical(files_of(project)["en/calendar/madrid/all.ics"])
    closed = next(e for e in feed.walk("VEVENT") if str(prop(e, "UID")) == "cierre@example.com")
    assert prop(closed, "DTSTART").dt == dt.date(2026, 12, 24)
    assert prop(closed, "DTEND").dt == dt.date(2026, 12, 25)
    for event in feed.walk("VEVENT"):
        kind = str(prop(event, "CATEGORIES").cats[0])
        assert str(prop(event, "TRANSP")) == ("TRANSPARENT" if kind in ("HOLIDAY", "PAYDAY") else "OPAQUE")
    uids = [str(prop(e, "UID")) for e in feed.walk("VEVENT")]
    assert len(uids) == len(set(uids))


def test_a_moved_pay_date_says_why_in_every_language(project: Path) -> None:
    files = files_of(project)
    for lang, note in (
        ("en", "Moved from Sat 31 Oct: weekend"),
        ("es", "Adelantado del sáb 31 oct: fin de semana"),
        ("fr", "Avancé du sam. 31 oct. : week-end"),
    ):
        feed = icalendar.Calendar.from_ical(files[f"{lang}/calendar/madrid/paydays.ics"])
        october = next(e for e in feed.walk("VEVENT") if prop(e, "DTSTART").dt == dt.date(2026, 10, 30))
        assert str(prop(october, "DESCRIPTION")) == note
    page = files_of(project, dt.date(2026, 10, 26))["en/calendar/madrid/paydays/index.html"].decode()
    assert '<span class="entry-moved">Moved from Sat 31 Oct: weekend</span>' in page


def test_uids_and_feeds_stay_the_same_when_an_announcement_is_edited(project: Path) -> None:
    before = files_of(project)
    (project / "content/announcements/a.md").write_text(announcement("Hola, editado"), encoding="utf-8")
    after = files_of(project)
    feeds = sorted(p for p in before if p.endswith(".ics"))
    assert len(feeds) == 3 * 3 * 4  # languages × (all offices + 2 offices) × feeds
    assert all(before[p] == after[p] for p in feeds)
    uids = {
        str(prop(e, "UID")) for e in icalendar.Calendar.from_ical(after["es/calendar/all.ics"]).walk("VEVENT")
    }
    assert "comite@example.com-20261201T150000Z" in uids
    assert "payday-es-nomina-madrid-20261031@intranet.example.com" in uids
    assert "holiday-madrid-20261208@intranet.example.com" in uids


def test_restricted_calendar_entries_never_reach_the_main_feeds_or_pages(project: Path) -> None:
    files = files_of(project)
    assert not [p for p, data in files.items() if "Comisión salarial".encode() in data]
    scoped = {f.path: f.data for f in build(project, today=TODAY, scope="rrhh").files}
    assert "Comisión salarial".encode() in scoped["site/es/calendar/all.ics"]


def test_the_calendar_page_lists_the_coming_weeks_marks_today_and_filters_without_javascript(
    project: Path,
) -> None:
    files = files_of(project, dt.date(2026, 11, 30))
    page = files["es/calendar/index.html"].decode()
    assert "Semana del 30 de noviembre" in page
    assert '<td class="today" aria-current="date">' in page
    assert "<caption>Noviembre 2026</caption>" in page
    assert '<th scope="col"><abbr title="lunes">lun</abbr></th>' in page
    assert 'href="madrid/index.html"' in page
    assert 'href="../madrid/paydays/index.html"' in files["es/calendar/paydays/index.html"].decode()
    madrid_paydays = files["es/calendar/madrid/paydays/index.html"].decode()
    assert "Nómina" in madrid_paydays and "Comité de calidad" not in madrid_paydays
    meetings = files["es/calendar/meetings/index.html"].decode()
    assert "Comité de calidad" in meetings and "16:00–17:00" in meetings


def test_the_calendar_page_offers_webcal_and_https_subscriptions(project: Path) -> None:
    page = files_of(project)["fr/calendar/madrid/index.html"].decode()
    assert 'href="webcal://intranet.example.com/fr/calendar/madrid/holidays.ics"' in page
    assert (
        '<code class="feed-url">https://intranet.example.com/fr/calendar/madrid/holidays.ics</code>' in page
    )
    assert 'href="holidays.ics" download' in page
    assert "Outlook" in page and "Google Calendar" in page and "Apple Calendar" in page


def test_the_home_page_shows_each_offices_next_holiday_and_pay_date(project: Path) -> None:
    home = files_of(project)["en/index.html"].decode()
    widget = re.sub(r"<[^>]+>", "", home.split('id="dates-title"')[1].split("</section>")[0])
    assert "Monday, November 30, 2026: Salary" in widget
    assert "(in 7 days)" in widget
    assert "Monday, December 7, 2026: Monday following Constitution Day" in widget
    assert "Mexico City" in widget


def test_broken_events_are_warnings_and_strict_turns_them_into_failure(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = EVENTS.replace("DTSTART;VALUE=DATE:20261224\n", "")
    (project / "content/calendar/madrid/eventos.ics").write_text(broken, encoding="utf-8")
    args = ["build", "--project", str(project), "--today", "2026-11-23"]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert (
        "warning: content/calendar/madrid/eventos.ics:12: the event has no DTSTART (start date) "
        "(UID cierre@example.com); this event is skipped" in captured.err
    )
    assert captured.out.splitlines()[0].endswith(", 1 warnings")
    assert main([*args, "--strict"]) == 1
    assert "1 warning with --strict; nothing was published" in capsys.readouterr().err


def test_an_unchanged_calendar_is_not_parsed_again_and_still_warns(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line keeps each calendar's entries and warnings in the project's cache
    while the file, the calendar window and the settings stay."""
    import generator.load.ics as ics_module

    real = ics_module.load_calendar

    parsed: list[str] = []

    def counted(path: Path, *rest: Any) -> Any:
        parsed.append(path.name)
        return real(path, *rest)

    monkeypatch.setattr(ics_module, "load_calendar", counted)
    ics = project / "content/calendar/madrid/eventos.ics"
    ics.write_text(EVENTS.replace("DTSTART;VALUE=DATE:20261224\n", ""), encoding="utf-8")
    args = ["build", "--project", str(project), "--today", "2026-11-23"]
    warning = "eventos.ics:12: the event has no DTSTART (start date)"
    page = project / "output/site/es/calendar/meetings/index.html"
    for round, edit in enumerate(("announcement", "announcement", "calendar")):
        if edit == "calendar":
            ics.write_text(ics.read_text(encoding="utf-8").replace("Comité de calidad", "Comité de mejora"))
        else:  # something to build
            (project / "content/announcements/a.md").write_text(announcement(f"Hola {round}"))
        parsed.clear()
        assert main(args) == 0
        assert parsed == ([] if round == 1 else ["eventos.ics"])
        assert warning in capsys.readouterr().err
        shown = page.read_text(encoding="utf-8")
        assert ("Comité de mejora" in shown) == (edit == "calendar") and "Comité de" in shown
    assert main([*args, "--strict"]) == 1  # the kept warning still counts


def test_a_file_that_is_not_a_calendar_fails_the_build(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "content/calendar/notas.ics").write_text(
        "Reunión del lunes: traer el informe\n", encoding="utf-8"
    )
    assert main(["build", "--project", str(project), "--today", "2026-11-23"]) == 1
    assert "content/calendar/notas.ics:1: this is not an iCalendar file" in capsys.readouterr().err
