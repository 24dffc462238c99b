"""Public holidays per office from the `holidays` package, named in every site language
the package has (else in the country's own language)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from generator.config import Config, Office
from generator.model import Occurrence


def package_language(country: str, lang: str) -> str | None:
    """The holidays package's code for `lang` in `country` ("en" → "en_US"), or None."""
    import holidays  # here: asking for one country imports every country's module (0.1 s)

    available = holidays.list_localized_countries().get(country, [])
    if lang in available:
        return lang
    return next((code for code in available if code.split("_")[0] == lang), None)


def office_holidays(
    office: Office, languages: tuple[str, ...], years: range
) -> dict[dt.date, dict[str, str]]:
    """date → {language: name} for one office's public holidays."""
    import holidays

    names: dict[dt.date, dict[str, str]] = defaultdict(dict)
    # Always name the language: without one, the package follows the machine's locale.
    own = holidays.country_holidays(office.country).default_language
    for lang in languages:
        code = package_language(office.country, lang) or own
        table = holidays.country_holidays(
            office.country, subdiv=office.subdivision, years=years, language=code
        )
        for day, name in table.items():
            names[day][lang] = name
    return dict(names)


def public_holidays(config: Config, window: tuple[dt.date, dt.date]) -> list[Occurrence]:
    """Every office's public holidays within `window` (start inclusive, end exclusive)."""
    years = range(window[0].year, window[1].year + 1)
    found = []
    for office in config.offices.values():
        for day, titles in sorted(office_holidays(office, config.languages, years).items()):
            if window[0] <= day < window[1]:
                found.append(
                    Occurrence(
                        uid=f"holiday-{office.id}-{day:%Y%m%d}@{config.host}",
                        kind="holiday",
                        titles=titles,
                        start=day,
                        end=day + dt.timedelta(days=1),
                        offices=(office.id,),
                    )
                )
    return found
