"""The company's look from site.toml [brand]: a colour that reads well in light and dark
(WCAG AA), a logo and a favicon on every page and in the e-mail."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import build, compose_messages, load_sources
from generator.config.brand import contrast, dark_contrast, light_contrast
from generator.config.settings import parse_config
from generator.errors import GeneratorError
from generator.rules.weeks import IsoWeek
from tests.conftest import SITE_TOML, TODAY, MakeProject, announcement

PICTURE = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def settings(brand: str) -> str:
    return SITE_TOML + "\n[brand]\n" + brand


def problems(toml: str) -> list[str]:
    with pytest.raises(ExceptionGroup) as info:
        parse_config(toml, Path("content/site.toml"))
    return [str(e) for e in info.value.exceptions]


def test_contrast_is_wcags() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_a_colour_that_reads_badly_is_refused_with_a_shade_that_reads_well() -> None:
    (found,) = problems(settings('color = "#ff6600"'))
    assert found.startswith(
        "content/site.toml:30: color #ff6600 has a contrast of 2.7:1 with the light pages or with white text "
        'on it; WCAG AA asks for 4.5:1; a darker shade reads well: color = "#'
    )
    shade = found.rsplit('"', 2)[1]
    assert light_contrast(shade) >= 4.5
    assert parse_config(settings(f'color = "{shade}"'), Path("site.toml")).brand.color == shade


def test_the_dark_schemes_colour_is_derived_or_checked() -> None:
    brand = parse_config(settings('color = "#c8102e"'), Path("site.toml")).brand
    assert brand.color == "#c8102e" and brand.color_dark != "#c8102e"
    assert dark_contrast(brand.color_dark) >= 4.5
    (found,) = problems(settings('color = "#c8102e"\ncolor_dark = "#5a0000"'))
    assert "color_dark #5a0000 has a contrast of" in found and 'color_dark = "#' in found
    assert problems(settings('color = "red"')) == [
        'content/site.toml:30: color must be a colour written #rrggbb; for example color = "#0b5cad"'
    ]


def test_logo_favicon_and_colour_reach_every_page_every_tree_and_the_e_mail(
    make_project: MakeProject,
) -> None:
    brand = 'color = "#c8102e"\nlogo = "marca/logo.png"\nfavicon = "favicon.png"\n'
    project = make_project(
        {
            "content/site.toml": settings(brand),
            "content/media/marca/logo.png": PICTURE,
            "content/media/favicon.png": PICTURE,
            "content/announcements/hola.md": announcement("Hola"),
            # a restricted item that shows the logo too: it stays public, being the brand's
            "content/announcements/rrhh.md": announcement("Solo RR. HH.", audience="[rrhh]")
            + "\n![Logo](../media/marca/logo.png)\n",
        }
    )
    files = {f.path: f for f in build(project, today=TODAY).files}
    page = files["site/es/news/hola/index.html"].data.decode()
    assert '<link rel="icon" href="../../../media/favicon.png">' in page
    assert '<img class="brand-logo" src="../../../media/marca/logo.png" alt="" height="32">' in page
    assert ":root { --accent: #c8102e; }" in page
    assert (
        '<link rel="icon" href="https://intranet.example.com/media/favicon.png">'
        in files["site/404.html"].data.decode()
    )
    assert {"site/media/marca/logo.png", "site/media/favicon.png"} <= set(files)
    restricted = {f.path for f in build(project, today=TODAY, scope="rrhh").files}
    assert "site/media/marca/logo.png" in restricted

    sources = load_sources(project, today=TODAY)
    message = compose_messages(sources, IsoWeek.of(TODAY), [("es", ())])[("es", ())].decode()
    assert "https://intranet.example.com/media/marca/logo.png" in message
    assert "#c8102e" in message


def test_a_logo_that_is_not_in_media_is_an_error_at_its_line(make_project: MakeProject) -> None:
    project = make_project({"content/site.toml": settings('logo = "logo.svg"\n')})
    with pytest.raises(ExceptionGroup) as info:
        build(project, today=TODAY)
    (error,) = info.value.exceptions
    assert isinstance(error, GeneratorError)
    assert (error.line, error.message) == (30, 'logo "logo.svg" is not a file of content/media/')
