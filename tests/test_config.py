from pathlib import Path

import pytest

from generator.config import parse_config
from generator.errors import GeneratorError
from tests.conftest import SITE_TOML

P = Path("content/site.toml")


def problems(text: str) -> list[str]:
    with pytest.raises(ExceptionGroup) as info:
        parse_config(text, P)
    errors = info.value.exceptions
    assert all(isinstance(e, GeneratorError) for e in errors)
    return [str(e) for e in errors]


def test_sample_settings_are_read_with_offices_as_audiences() -> None:
    config = parse_config(SITE_TOML, P)
    assert config.languages == ("es", "fr", "en")
    assert config.default_language == "es"
    assert config.base_url == "https://intranet.example.com/"
    assert config.offices["cdmx"].names["en"] == "Mexico City"
    assert config.audiences["madrid"].office
    assert not config.audiences["managers"].restricted
    assert config.audiences["rrhh"].restricted
    assert config.audiences["rrhh"].name("fr") == "RR. HH."
    assert config.title("en") == "Intranet"


def test_an_unknown_key_is_named_with_its_line_and_a_suggestion() -> None:
    text = SITE_TOML.replace("news_per_page = 2", "news_per_pge = 2")
    line = text.splitlines().index("news_per_pge = 2") + 1
    assert problems(text) == [
        f'content/site.toml:{line}: unknown key "news_per_pge" in site.toml; did you mean "news_per_page"? '
        "known keys: audiences, base_url, brand, calendar, communication, feed_entries, languages, list_per_page, metrics, "
        "news_per_page, newsletter, "
        "offices, organisation, payroll, smtp, teams, timezone, title, values"
    ]


def test_invalid_toml_gives_the_line_from_the_parser() -> None:
    (message,) = problems('title = "x"\nlanguages = ["es"\n')
    assert message.startswith("content/site.toml:2: not valid TOML")


def test_every_problem_is_reported_in_one_run() -> None:
    text = SITE_TOML.replace('timezone = "Europe/Madrid"\nlanguages', 'timezone = "Europe/Madird"\nlanguages')
    text = text.replace('country = "MX"', 'country = "Mexico"')
    text = text.replace('base_url = "https://intranet.example.com/"', 'base_url = "intranet"')
    found = problems(text)
    assert len(found) == 3
    assert any("unknown time zone 'Europe/Madird'" in m for m in found)
    assert any(
        "office cdmx needs country, a two-letter ISO code known to the holidays package" in m for m in found
    )
    assert any("base_url must be the absolute address" in m for m in found)


def test_unknown_language_code_and_duplicates_are_refused() -> None:
    found = problems(
        SITE_TOML.replace('languages = ["es", "fr", "en"]', 'languages = ["es", "xx-nope", "es"]')
    )
    assert any('unknown language code "xx-nope"' in m for m in found)
    assert any('language "es" is listed twice' in m for m in found)


def test_an_audience_cannot_reuse_an_office_id() -> None:
    (message,) = problems(SITE_TOML + '\n[audiences.madrid]\nname = "Madrid team"\n')
    assert 'audience "madrid" has the id of an office' in message


def test_audience_ids_are_safe_in_paths() -> None:
    (message,) = problems(SITE_TOML + '\n[audiences."../x"]\nname = "x"\n')
    assert '"../x" cannot be used as an id' in message


def test_a_localized_name_for_a_language_the_site_lacks_is_refused() -> None:
    (message,) = problems(SITE_TOML.replace('name = "RR. HH."', 'name = { es = "RR. HH.", de = "Personal" }'))
    assert 'name has a text for language "de"' in message


def test_restricted_must_be_a_boolean() -> None:
    (message,) = problems(SITE_TOML.replace("restricted = true", 'restricted = "yes"'))
    assert "restricted must be true or false" in message


def test_a_subdivision_the_country_does_not_have_is_refused_with_the_known_ones() -> None:
    text = SITE_TOML.replace('subdivision = "MD"', 'subdivision = "MDX"', 1)
    (message,) = problems(text)
    assert "ES has no subdivision 'MDX'" in message
    assert "did you mean" in message.lower() and "MD" in message


@pytest.mark.parametrize("country", ["es", "Spain", "ESP", "XX", "1"])
def test_a_country_is_a_two_letter_code_the_holidays_package_knows(country: str) -> None:
    (message,) = problems(SITE_TOML.replace('country = "ES"', f'country = "{country}"', 1))
    assert "needs country, a two-letter ISO code known to the holidays package" in message
