"""Loading real iCalendar files: recurrence, time zones, encodings, broken events."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events  # type: ignore[import-untyped]

from generator.config import parse_config
from generator.errors import GeneratorError
from generator.load.files import content_files, gather
from generator.load.ics import load_calendar, parse_calendar
from tests.conftest import CORPUS, SITE_TOML, corpus_dir

CONFIG = parse_config(SITE_TOML, Path("content/site.toml"))
WIDE = (dt.date(2000, 1, 1), dt.date(2031, 1, 1))
ICS_FILES = (
    sorted(p.name for p in (CORPUS / "ics").glob("*.ics")) if (CORPUS / "ics").is_dir() else ["(absent)"]
)
P = Path("content/calendar/x.ics")


def calendar(*events: str, extra: str = "") -> bytes:
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{extra}{body}END:VCALENDAR\n".encode()


def parse(raw: bytes, window: tuple[dt.date, dt.date] = WIDE) -> tuple[list[str], list[str]]:
    warnings: list[GeneratorError] = []
    found = parse_calendar(raw, P, CONFIG.content_settings(), window, (), warnings)
    return [f"{o.day} {o.title('es')}" for o in found], [str(w) for w in warnings]


@pytest.mark.parametrize("name", ICS_FILES)
def test_every_corpus_calendar_loads_or_reports_clearly(name: str) -> None:
    path = corpus_dir("ics") / name
    warnings: list[GeneratorError] = []
    found = parse_calendar(path.read_bytes(), path, CONFIG.content_settings(), WIDE, (), warnings)
    for warning in warnings:
        assert (warning.path == path and warning.line and "(UID " in str(warning)) or "no UID" in str(warning)
    events = sum(1 for line in path.read_bytes().splitlines() if line.strip() == b"BEGIN:VEVENT")
    assert found or warnings or events == 0 or name == "ric-outlook12-germany-allday.ics"


def test_occurrences_agree_with_recurring_ical_events() -> None:
    path = corpus_dir("ics") / "ric-google-dst-machbar.ics"
    window = (dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    ours = parse_calendar(path.read_bytes(), path, CONFIG.content_settings(), window)
    reference = recurring_ical_events.of(icalendar.Calendar.from_ical(path.read_bytes())).between(*window)
    assert len(ours) == len(reference) > 100
    starts = sorted(
        (o.start.astimezone(dt.UTC) if isinstance(o.start, dt.datetime) else o.start).isoformat()
        for o in ours
    )
    expected = sorted(
        (
            e["DTSTART"].dt.astimezone(dt.UTC)
            if isinstance(e["DTSTART"].dt, dt.datetime)
            else e["DTSTART"].dt
        ).isoformat()
        for e in reference
    )
    assert starts == expected


def test_a_weekly_event_keeps_its_local_time_across_the_dst_change() -> None:
    raw = calendar(
        "UID:weekly\nSUMMARY:Comité\nDTSTART;TZID=Europe/Madrid:20260318T100000\n"
        "DTEND;TZID=Europe/Madrid:20260318T110000\nRRULE:FREQ=WEEKLY;COUNT=4"
    )
    found = parse_calendar(raw, P, CONFIG.content_settings(), WIDE)
    assert [o.start.isoformat() for o in found] == [
        "2026-03-18T10:00:00+01:00",
        "2026-03-25T10:00:00+01:00",
        "2026-04-01T10:00:00+02:00",  # summer time from 29 March: still 10:00 in Madrid
        "2026-04-08T10:00:00+02:00",
    ]
    assert len({o.uid for o in found}) == 4


def test_windows_time_zones_become_their_iana_zone_and_keep_the_instant() -> None:
    path = corpus_dir("ics") / "ical-exchange2010-eastern-tz.ics"
    (event,) = parse_calendar(path.read_bytes(), path, CONFIG.content_settings(), WIDE)
    assert isinstance(event.start, dt.datetime)
    assert event.start.tzinfo == ZoneInfo("America/New_York") and event.start.hour == 17
    assert event.start.astimezone(dt.UTC).isoformat() == "2024-10-28T21:00:00+00:00"  # 17:00 New York (EDT)


def test_windows_1252_files_are_read_with_their_accents() -> None:
    path = corpus_dir("ics") / "tb-mexican-holidays-cp1252.ics"
    found = parse_calendar(path.read_bytes(), path, CONFIG.content_settings(), WIDE)
    titles = {o.title("es") for o in found}
    assert "Día de la Constitución Política" in titles
    assert any("promulgación" in o.description for o in found)
    assert not any("\ufffd" in o.title("es") + o.description for o in found)


def test_overrides_move_single_occurrences_of_all_day_holidays() -> None:
    path = corpus_dir("ics") / "tb-uk-holidays-recurrence-overrides.ics"
    found = parse_calendar(
        path.read_bytes(), path, CONFIG.content_settings(), (dt.date(2022, 1, 1), dt.date(2023, 1, 1))
    )
    new_year = [o for o in found if "New Year" in o.title("en")]
    assert [o.day for o in new_year] == [dt.date(2022, 1, 3)]  # Saturday 1 January → substitute Monday
    assert all(o.all_day and o.end == o.start + dt.timedelta(days=1) for o in found)
    assert len({o.uid for o in found}) == len(found)


def test_a_bom_and_an_empty_calendar_are_fine() -> None:
    path = corpus_dir("ics") / "ical-bom-calendar.ics"
    assert parse_calendar(path.read_bytes(), path, CONFIG.content_settings(), WIDE) == []
    assert parse(b"") == ([], [])


def test_a_broken_event_is_skipped_with_its_line_and_the_good_one_beside_it_publishes() -> None:
    path = corpus_dir("ics") / "ical-google-allday-bad-exdate.ics"
    warnings: list[GeneratorError] = []
    found = parse_calendar(path.read_bytes(), path, CONFIG.content_settings(), WIDE, (), warnings)
    assert len(found) == 20  # 3 to 23 March 2008, daily, without the 11th
    assert {o.title("es") for o in found} == {"Perfectly OK event"}
    (warning,) = warnings
    assert warning.line == 19
    assert warning.message.startswith("EXDATE cannot be read")
    assert "(event 2 in the file, which has no UID); this event is skipped" in warning.message


@pytest.mark.parametrize(
    ("event", "line", "message"),
    [
        ("UID:no-start\nSUMMARY:Sin fecha", 9, "the event has no DTSTART (start date) (UID no-start)"),
        (
            "UID:bad-rule\nSUMMARY:Regla\nDTSTART;VALUE=DATE:20260105\nRRULE:FREQ=SOMETIMES",
            13,
            "RRULE cannot be read: Expected frequency, got: SOMETIMES (UID bad-rule)",
        ),
        (
            "UID:mars\nSUMMARY:Marte\nDTSTART;TZID=Mars/Olympus:20260105T100000",
            12,
            'unknown time zone "Mars/Olympus" and no VTIMEZONE describes it (UID mars)',
        ),
    ],
)
def test_broken_events_are_warnings_that_name_line_and_uid(event: str, line: int, message: str) -> None:
    good = "UID:good\nSUMMARY:Bueno\nDTSTART;VALUE=DATE:20260106"
    found, warnings = parse(calendar(good, event))
    assert found == ["2026-01-06 Bueno"]
    assert warnings == [f"content/calendar/x.ics:{line}: {message}; this event is skipped"]


def test_a_file_that_is_not_a_calendar_is_an_error_naming_the_file() -> None:
    with pytest.raises(GeneratorError) as info:
        parse(b"Subject: minutes of the meeting\nHello team,\n")
    assert str(info.value).startswith("content/calendar/x.ics:")
    assert "this is not an iCalendar file" in info.value.message
    with pytest.raises(GeneratorError, match="no BEGIN:VCALENDAR"):
        parse(b"BEGIN:VEVENT\nUID:x\nEND:VEVENT\n")


def test_kinds_offices_and_audiences_come_from_categories() -> None:
    raw = calendar(
        "UID:a\nSUMMARY:Fiesta\nDTSTART;VALUE=DATE:20260106\nCATEGORIES:Jour férié",
        "UID:b\nSUMMARY:Nómina\nDTSTART;VALUE=DATE:20260130\nCATEGORIES:PAYDAY,MADRID",
        "UID:c\nSUMMARY:Curso\nDTSTART;VALUE=DATE:20260202\nCATEGORIES:Formación\nCATEGORIES:managers",
        "UID:d\nSUMMARY:Café\nDTSTART;VALUE=DATE:20260203",
    )
    found = {o.uid: o for o in parse_calendar(raw, P, CONFIG.content_settings(), WIDE)}
    assert found["a"].kind == "holiday" and found["a"].offices == ()
    assert found["b"].kind == "payday" and found["b"].offices == ("madrid",)
    assert found["c"].kind == "training" and found["c"].audience == ("managers",)
    assert found["d"].kind == "event"


def test_an_office_folder_targets_its_events(tmp_path: Path) -> None:
    (tmp_path / "madrid").mkdir()
    (tmp_path / "madrid/cierre.ics").write_bytes(
        calendar("UID:m\nSUMMARY:Cierre\nDTSTART;VALUE=DATE:20261224")
    )
    (tmp_path / "madird").mkdir()
    (tmp_path / "madird/x.ics").write_bytes(calendar("UID:x\nSUMMARY:X\nDTSTART;VALUE=DATE:20261224"))
    errors: list[GeneratorError] = []
    files = content_files(tmp_path, (".ics",))
    found = gather(
        files, lambda path: load_calendar(path, tmp_path, CONFIG.content_settings(), WIDE, []), errors
    )
    assert [[(o.uid, o.offices) for o in calendar] for calendar in found] == [[("m", ("madrid",))]]
    (error,) = errors
    assert error.message == 'the folder "madird" is not an office'
    assert error.hint is not None and error.hint.startswith('did you mean "madrid"?')


def test_an_all_day_event_without_end_lasts_one_day_and_multi_day_events_keep_their_span() -> None:
    raw = calendar(
        "UID:a\nSUMMARY:Uno\nDTSTART;VALUE=DATE:20260106",
        "UID:b\nSUMMARY:Auditoría\nDTSTART;VALUE=DATE:20270208\nDTEND;VALUE=DATE:20270213",
    )
    found = {o.uid: o for o in parse_calendar(raw, P, CONFIG.content_settings(), WIDE)}
    assert found["a"].end == dt.date(2026, 1, 7)
    assert found["b"].last_day == dt.date(2027, 2, 12)
