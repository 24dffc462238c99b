"""Pay dates: schedules, and moves off weekends and holidays, on real 2026 calendars."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.config import parse_config
from generator.config.payroll import PaySchedule
from generator.errors import GeneratorError
from generator.render.calendars import moved_note
from generator.rules.holidays import office_holidays
from generator.rules.paydays import adjust, nominal_dates, pay_dates
from tests.conftest import SITE_TOML

CONFIG = parse_config(SITE_TOML + '\n[offices.paris]\nname = "Paris"\ncountry = "FR"\n', Path("site.toml"))
YEAR = (dt.date(2026, 1, 1), dt.date(2027, 1, 1))


def days_off(office: str) -> dict[dt.date, dict[str, str]]:
    return office_holidays(CONFIG.offices[office], CONFIG.languages, range(2026, 2027))


def schedule(kind: str, **keys: object) -> PaySchedule:
    return PaySchedule("s", {"es": "Nómina", "en": "Salary"}, ("madrid",), kind, **keys)  # type: ignore[arg-type]


def paid(
    sched: PaySchedule, office: str = "madrid", window: tuple[dt.date, dt.date] = YEAR
) -> list[tuple[str, str]]:
    return [
        (o.day.isoformat(), o.moved_from.isoformat() if o.moved_from else "")
        for o in pay_dates(sched, office, window, days_off(office), host="intranet.example.com")
    ]


def test_the_31st_on_a_saturday_moves_to_friday_the_30th() -> None:
    found = dict(paid(schedule("monthly", days=(31,))))
    assert found["2026-10-30"] == "2026-10-31"
    assert found["2026-04-30"] == ""  # a 30-day month pays on its last day
    (october,) = [
        o
        for o in pay_dates(schedule("monthly", days=(31,)), "madrid", YEAR, {}, host="h")
        if o.day.month == 10
    ]
    assert october.moved_because == {}  # empty: a weekend


def test_a_friday_holiday_before_a_weekend_moves_to_thursday() -> None:
    paris = days_off("paris")
    assert paris[dt.date(2026, 5, 1)]["fr"] == "Fête du Travail"
    (may,) = [
        o
        for o in pay_dates(schedule("monthly", days=(1,)), "paris", YEAR, paris, host="h")
        if o.moved_from == dt.date(2026, 5, 1)
    ]
    assert may.day == dt.date(2026, 4, 30)
    assert may.moved_because is not None and may.moved_because["fr"] == "Fête du Travail"


def test_the_aguinaldo_due_on_sunday_20_december_is_paid_on_friday_the_18th() -> None:
    aguinaldo = schedule("yearly", dates=((12, 20),), payment="bonus")
    assert paid(aguinaldo, "cdmx") == [("2026-12-18", "2026-12-20")]


def test_easter_week_in_madrid_moves_a_pay_day_back_before_holy_thursday() -> None:
    found = dict(paid(schedule("yearly", dates=((4, 3),))))  # Good Friday 2026
    assert found == {"2026-04-01": "2026-04-03"}  # Thursday 2 and Friday 3 April are holidays in Madrid


def test_last_business_day_is_the_rule_not_a_move() -> None:
    found = paid(schedule("monthly", days=("last-business-day",)))
    assert ("2026-10-30", "") in found
    assert ("2026-12-31", "") in found
    assert len(found) == 12


def test_semi_monthly_pays_twice_a_month() -> None:
    found = paid(
        schedule("semi-monthly", days=(15, "last")), "cdmx", (dt.date(2026, 11, 1), dt.date(2026, 12, 1))
    )
    assert found == [("2026-11-13", "2026-11-15"), ("2026-11-30", "")]


def test_bi_weekly_pays_every_other_friday_from_its_anchor() -> None:
    found = paid(
        schedule("bi-weekly", anchor=dt.date(2026, 1, 9)), window=(dt.date(2026, 3, 1), dt.date(2026, 4, 15))
    )
    # Friday 3 April is Good Friday in Madrid, and the Thursday before is a holiday too.
    assert found == [("2026-03-06", ""), ("2026-03-20", ""), ("2026-04-01", "2026-04-03")]


def test_adjustment_can_go_forward_or_nowhere() -> None:
    saturday = dt.date(2026, 10, 31)
    assert adjust(saturday, "next", {}) == dt.date(2026, 11, 2)
    assert adjust(saturday, "none", {}) == saturday
    assert adjust(saturday, "previous", {}) == dt.date(2026, 10, 30)


def test_february_29_pays_on_the_28th_in_other_years() -> None:
    assert nominal_dates(
        schedule("yearly", dates=((2, 29),)), (dt.date(2027, 1, 1), dt.date(2029, 1, 1)), {}
    ) == [
        dt.date(2027, 2, 28),
        dt.date(2028, 2, 29),
    ]


def test_uids_follow_the_nominal_date_so_a_new_holiday_does_not_duplicate_a_pay_day() -> None:
    sched = schedule("yearly", dates=((6, 30),))
    before = pay_dates(sched, "madrid", YEAR, {}, host="h")
    after = pay_dates(sched, "madrid", YEAR, {dt.date(2026, 6, 30): {"es": "Cierre"}}, host="h")
    assert [o.uid for o in before] == [o.uid for o in after] == ["payday-s-madrid-20260630@h"]
    assert before[0].day != after[0].day


PAYROLL = """
[payroll.mx]
name = "Quincena"
offices = ["cdmx"]
schedule = "semi-monthly"
days = [15, "last"]
"""


def test_payroll_settings_are_read_and_checked() -> None:
    config = parse_config(SITE_TOML + PAYROLL, Path("site.toml"))
    assert config.payroll["mx"].days == (15, "last")
    bad = PAYROLL.replace('days = [15, "last"]', "days = [15, 32]").replace(
        'offices = ["cdmx"]', 'offices = ["cdmx", "lima"]'
    )
    with pytest.raises(ExceptionGroup) as info:
        parse_config(
            SITE_TOML + bad + '\n[payroll.b]\nschedule = "weekly"\noffices = ["madrid"]\n', Path("site.toml")
        )
    messages = sorted(e.message for e in info.value.exceptions if isinstance(e, GeneratorError))
    assert messages == [
        "32 is not a pay day",
        "schedule must be one of monthly, semi-monthly, bi-weekly, yearly, not 'weekly'",
        'unknown office "lima"',
    ]


EXCEPTIONS = (
    PAYROLL
    + """
[[payroll.mx.exceptions]]
date = 2026-12-31
moved_to = 2026-12-22
reason = { es = "Cierre de fin de año", fr = "Clôture de fin d'année", en = "Year-end closing" }

[[payroll.mx.exceptions]]
date = 2026-11-15
moved_to = 2026-11-18
reason = "Cambio de banco"
"""
)


def test_a_pay_day_the_company_moved_goes_where_it_says_with_its_reason() -> None:
    config = parse_config(SITE_TOML + EXCEPTIONS, Path("site.toml"))
    sched = config.payroll["mx"]
    found = {o.moved_from: o for o in pay_dates(sched, "cdmx", YEAR, {}, host="h") if o.moved_from}
    december = found[dt.date(2026, 12, 31)]
    assert december.day == dt.date(2026, 12, 22)
    assert december.moved_because == {
        "es": "Cierre de fin de año",
        "fr": "Clôture de fin d'année",
        "en": "Year-end closing",
    }
    assert december.uid == "payday-mx-cdmx-20261231@h"  # the same pay day, only moved
    november = found[dt.date(2026, 11, 15)]  # a Sunday: the exception wins over the usual move
    assert november.day == dt.date(2026, 11, 18) and november.moved_because == {
        lang: "Cambio de banco" for lang in ("es", "fr", "en")
    }
    assert moved_note(december, "en") == "Moved from Thu 31 Dec: Year-end closing"


def test_pay_day_exceptions_are_checked_each_at_its_line() -> None:
    bad = (
        EXCEPTIONS.replace("date = 2026-11-15", "date = 2026-11-16")  # not a pay day of this schedule
        .replace('reason = "Cambio de banco"', 'reason = "Cambio de banco"\nwhen = "now"')
        .replace("moved_to = 2026-12-22", 'moved_to = "2026-12-22"')
    )
    text = SITE_TOML + bad
    with pytest.raises(ExceptionGroup) as info:
        parse_config(text, Path("site.toml"))
    found = sorted((e.line or 0, e.message) for e in info.value.exceptions if isinstance(e, GeneratorError))
    lines = text.splitlines()
    assert found == [
        (
            lines.index('moved_to = "2026-12-22"') + 1,
            "moved_to must be a date such as 2026-12-31 (no quotes)",
        ),
        (lines.index("date = 2026-11-16") + 1, "2026-11-16 is not a pay day of this schedule"),
        (lines.index('when = "now"') + 1, 'unknown key "when" in [payroll.mx.exceptions]'),
    ]
