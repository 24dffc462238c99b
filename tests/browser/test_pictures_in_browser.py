"""Chromium picks the size a screen needs: a phone never loads the 2,000-pixel original."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser

from generator.build import build
from generator.write import publish
from tests.conftest import TODAY, MakeProject, announcement


def photo(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, "JPEG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("width", "density", "expected"),
    [
        (375, 1, "equipo.480w.webp"),  # a phone: the column is the screen
        (375, 2, "equipo.800w.webp"),  # a phone with a sharp screen
        (1280, 1, "equipo.800w.webp"),  # a desktop: the column is about 700 px
        (1280, 2, "equipo.1440w.webp"),
    ],
)
def test_the_browser_loads_the_size_the_screen_needs(
    browser: Browser, make_project: MakeProject, tmp_path: Path, width: int, density: int, expected: str
) -> None:
    project = make_project(
        {
            "content/media/equipo.jpg": photo((2000, 1000)),
            "content/announcements/equipo.md": announcement(
                "Equipo", image="media/equipo.jpg", image_alt="El equipo"
            )
            + "\n![La cena](../media/equipo.jpg)\n",
        }
    )
    out = tmp_path / "output"
    publish(build(project, today=TODAY).files, out)
    context = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=density)
    page = context.new_page()
    page.goto((out / "site/es/news/equipo/index.html").as_uri())
    page.wait_for_load_state("load")
    lead = page.locator(".lead-image img")
    lead.evaluate("img => img.decode()")
    source, loaded, shown_width = lead.evaluate("img => [img.currentSrc, img.complete, img.clientWidth]")
    context.close()
    assert source.endswith(f"/media/{expected}") and loaded, (source, shown_width)
    # enough pixels for the screen, and not many more
    assert shown_width * density <= int(expected.split(".")[1].removesuffix("w")) < 2 * shown_width * density
