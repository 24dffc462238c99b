"""The agenda: public holidays per office, merged company days, and the views of it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config import parse_config
from generator.model import Occurrence
from generator.rules.agenda import (
    FILTERS,
    Agenda,
    add_months,
    calendar_window,
    compose_agenda,
    month_grid,
    upcoming_weeks,
)
from generator.rules.calendar_view import compose_calendars, compose_home_dates
from generator.rules.holidays import package_language, public_holidays
from tests.conftest import SITE_TOML

OFFICES = '\n[offices.paris]\nname = "Paris"\ncountry = "FR"\ntimezone = "Europe/Paris"\n'
CONFIG = parse_config(SITE_TOML + OFFICES, Path("site.toml"))
TODAY = dt.date(2026, 11, 23)
WINDOW = calendar_window(TODAY, CONFIG.calendar)
YEAR = (dt.date(2026, 1, 1), dt.date(2027, 1, 1))


def company(uid: str, day: dt.date, kind: str = "holiday", offices: tuple[str, ...] = ()) -> Occurrence:
    return Occurrence(uid, kind, {"": uid}, day, day + dt.timedelta(days=1), offices=offices)


def test_2026_public_holidays_match_the_holidays_package() -> None:
    found = public_holidays(CONFIG, YEAR)
    for office, country, subdivision in (("madrid", "ES", "MD"), ("paris", "FR", None), ("cdmx", "MX", None)):
        expected = set(holidays.country_holidays(country, subdiv=subdivision, years=2026))
        assert {o.day for o in found if o.offices == (office,)} == expected


def test_holiday_names_are_in_the_readers_language_where_the_package_has_them() -> None:
    christmas = {o.offices[0]: o for o in public_holidays(CONFIG, YEAR) if o.day == dt.date(2026, 12, 25)}
    assert christmas["paris"].title("fr") == "Noël"
    assert christmas["paris"].title("es") == "Noël"  # no Spanish names for France: French, not English
    assert christmas["madrid"].title("es") == "Natividad del Señor"
    assert christmas["madrid"].title("en") == "Christmas Day"
    assert package_language("ES", "en") == "en_US"
    assert package_language("FR", "es") is None


def test_a_company_day_off_already_public_appears_once() -> None:
    immaculate = company("inmaculada", dt.date(2026, 12, 8))  # every office; public in Madrid only
    agenda = compose_agenda(CONFIG, [immaculate], WINDOW)
    on_the_day = [o for o in agenda.entries if o.day == dt.date(2026, 12, 8)]
    assert [(o.uid, o.offices) for o in on_the_day] == [
        ("holiday-madrid-20261208@intranet.example.com", ("madrid",)),
        ("inmaculada", ("cdmx", "paris")),
    ]


def test_pay_dates_move_off_company_days_off_too() -> None:
    payroll = '\n[payroll.es]\nname = "Nómina"\noffices = ["madrid"]\nschedule = "monthly"\nday = "last-business-day"\n'
    config = parse_config(SITE_TOML + payroll, Path("site.toml"))
    closed = company("nochevieja", dt.date(2026, 12, 31), offices=("madrid",))
    agenda = compose_agenda(config, [closed], WINDOW)
    december = agenda.between(dt.date(2026, 12, 1), dt.date(2026, 12, 31), "madrid", ("payday",))
    assert [o.day for o in december] == [dt.date(2026, 12, 30)]
    upcoming = agenda.next("payday", "madrid", TODAY)
    assert upcoming is not None and upcoming.day == dt.date(2026, 11, 30)
    assert agenda.next("payday", "cdmx", TODAY) is None


def test_restricted_events_stay_out_of_the_main_agenda() -> None:
    secret = Occurrence("hr", "meeting", {"": "Comité RR. HH."}, TODAY, TODAY, audience=("rrhh",))
    assert "hr" not in {o.uid for o in compose_agenda(CONFIG, [secret], WINDOW).entries}
    assert "hr" in {o.uid for o in compose_agenda(CONFIG, [secret], WINDOW, scope="rrhh").entries}


def test_the_window_runs_from_a_year_back_to_two_years_ahead() -> None:
    assert calendar_window(TODAY, CONFIG.calendar) == (dt.date(2025, 11, 23), dt.date(2028, 11, 23))
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)


def test_upcoming_weeks_group_entries_by_week_from_today() -> None:
    entries = [company("a", dt.date(2026, 11, 20), "event"), company("b", dt.date(2026, 11, 25), "event"),
               company("c", dt.date(2026, 12, 9), "event")]  # fmt: skip
    agenda = compose_agenda(CONFIG, entries, WINDOW)
    weeks = upcoming_weeks(agenda, TODAY, 3, kinds=("event",))
    assert [(w.start, [e.uid for e in w.entries]) for w in weeks] == [
        (dt.date(2026, 11, 23), ["b"]),
        (dt.date(2026, 12, 7), ["c"]),
    ]


def test_a_month_grid_has_full_weeks_starting_on_the_locale_first_day() -> None:
    agenda = compose_agenda(CONFIG, [company("audit", dt.date(2026, 2, 27), "event")], WINDOW)
    month = month_grid(agenda, 2026, 2, 0, kinds=("event",))
    assert all(len(week) == 7 for week in month.weeks)
    assert month.weeks[0][6].day == dt.date(2026, 2, 1)  # 1 February 2026 is a Sunday
    assert month.weeks[0][0].day is None
    busy = [cell for week in month.weeks for cell in week if cell.entries]
    assert [cell.day for cell in busy] == [dt.date(2026, 2, 27)]
    sunday_first = month_grid(agenda, 2026, 2, 6)
    assert sunday_first.weeks[0][0].day == dt.date(2026, 2, 1)


def test_calendar_views_cover_every_office_and_filter_each_in_its_readers_zone() -> None:
    mexico = dt.datetime(2026, 12, 17, 18, 0, tzinfo=ZoneInfo("America/Mexico_City"))
    call = Occurrence("call", "meeting", {"": "Llamada"}, mexico, mexico + dt.timedelta(hours=1))
    pay = company("pay", dt.date(2026, 12, 18), "payday", ("madrid",))
    agenda = Agenda((call, pay), calendar_window(TODAY, CONFIG.calendar))
    views = {(v.office, v.kind_filter): v for v in compose_calendars(CONFIG, agenda, TODAY, 0)}
    assert len(views) == (1 + len(CONFIG.offices)) * (1 + len(FILTERS))

    def days(office: str | None, kind_filter: str | None) -> list[tuple[dt.date, str]]:
        return [(e.day, e.uid) for w in views[(office, kind_filter)].weeks for e in w.entries]

    assert days(None, None) == [(dt.date(2026, 12, 17), "call"), (dt.date(2026, 12, 18), "pay")]
    assert days("madrid", None) == [(dt.date(2026, 12, 18), "pay"), (dt.date(2026, 12, 18), "call")]
    assert days("cdmx", "paydays") == []
    assert days("madrid", "meetings") == [(dt.date(2026, 12, 18), "call")]
    december = views[("cdmx", None)].months[1]
    assert [e.uid for e in december.entries] == ["call"]


def test_the_home_page_dates_are_each_offices_next_holiday_and_pay_date() -> None:
    agenda = Agenda(
        (
            company("navidad", dt.date(2026, 12, 25)),
            company("pay", dt.date(2026, 11, 30), "payday", ("madrid",)),
        ),
        calendar_window(TODAY, CONFIG.calendar),
    )
    home = compose_home_dates(CONFIG, agenda, TODAY)
    madrid = next(o for o in home.offices if o.office == "madrid")
    paris = next(o for o in home.offices if o.office == "paris")
    assert (madrid.holiday and madrid.holiday.uid, madrid.payday and madrid.payday.uid) == ("navidad", "pay")
    assert (paris.holiday and paris.holiday.uid, paris.payday) == ("navidad", None)


@settings(max_examples=200, deadline=None)
@given(
    spans=st.lists(
        st.tuples(
            st.integers(0, 120),  # first day, from 2026-10-01
            st.integers(1, 40),  # days it lasts
            st.sampled_from(["holiday", "event", "training", "payday"]),
            st.sampled_from([(), ("madrid",), ("cdmx", "paris")]),
            st.booleans(),  # timed, in Mexico City
        ),
        max_size=40,
    ),
    first=st.integers(-10, 130),
    length=st.integers(0, 45),
    office=st.sampled_from([None, "madrid", "cdmx", "paris"]),
    kinds=st.sampled_from([None, ("holiday",), FILTERS["events"]]),
)
def test_a_search_between_two_days_finds_what_reading_every_entry_finds(
    spans: list[tuple[int, int, str, tuple[str, ...], bool]],
    first: int,
    length: int,
    office: str | None,
    kinds: tuple[str, ...] | None,
) -> None:
    base = dt.date(2026, 10, 1)
    zone = ZoneInfo("America/Mexico_City")
    entries = []
    for number, (start, days, kind, offices, timed) in enumerate(spans):
        day = base + dt.timedelta(days=start)
        begin: dt.date | dt.datetime = dt.datetime.combine(day, dt.time(22), zone) if timed else day
        end = begin + dt.timedelta(days=days)
        entries.append(Occurrence(f"u{number}", kind, {"": f"e{number}"}, begin, end, offices=offices))
    agenda = compose_agenda(CONFIG, entries, (base, base + dt.timedelta(days=200)), everything=True)
    low, high = base + dt.timedelta(days=first), base + dt.timedelta(days=first + length)
    every = tuple(e for e in agenda.select(office, kinds) if e.day <= high and e.last_day >= low)
    assert agenda.between(low, high, office, kinds) == every
    for zoned in (agenda.in_zone(ZoneInfo("Europe/Madrid")), agenda.in_zone(zone)):
        assert zoned.between(low, high, office, kinds) == tuple(
            e for e in zoned.select(office, kinds) if e.day <= high and e.last_day >= low
        )
    assert agenda.next("holiday", office, low) == next(
        (e for e in agenda.select(office, ("holiday",)) if e.day >= low), None
    )
