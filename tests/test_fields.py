from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from generator.load.fields import parse_day
from generator.urls import slugify

MADRID = ZoneInfo("Europe/Madrid")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 11, 23), date(2026, 11, 23)),
        ("2026-11-23", date(2026, 11, 23)),
        ("2016-04-09T16:50:16+02:00", date(2016, 4, 9)),
        ("2017-04-05 16:16:01 -0800", date(2017, 4, 6)),  # 01:16 next day in Madrid
        (datetime(2026, 11, 23, 23, 30, tzinfo=UTC), date(2026, 11, 24)),
        (datetime(2026, 11, 23, 23, 30), date(2026, 11, 23)),  # naive: already local
        (datetime(2026, 6, 30, 23, 30, tzinfo=timezone(timedelta(hours=-6))), date(2026, 7, 1)),
        ("next tuesday", None),
        (20261123, None),
        (True, None),
    ],
)
def test_dates_are_read_in_the_site_time_zone(value: object, expected: date | None) -> None:
    assert parse_day(value, MADRID) == expected


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Comunicación Interna", "comunicacion-interna"),
        ("ISO 9001", "iso-9001"),
        ("../../etc/passwd", "etc-passwd"),
        ("%2e%2e/secret", "2e-2e-secret"),
        ("¿Qué es?", "que-es"),
        ("日本", ""),
    ],
)
def test_slugs_hold_only_safe_characters(text: str, slug: str) -> None:
    assert slugify(text) == slug
