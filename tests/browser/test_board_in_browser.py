"""Notice-board sheets printed to PDF by Chromium: exactly one page each, and no text
under 14 pt (read at arm's length), for the sample company and for a crowded week."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from generator.build import build
from generator.rules.weeks import IsoWeek
from generator.write import publish
from tests.conftest import SITE_TOML, TODAY, MakeProject, announcement

SMALLEST = 14 * 96 / 72  # 14 pt in CSS pixels

# every visible element that holds text of its own, and its computed font size in px
SIZES = """() => [...document.querySelectorAll("body *")]
  .filter(e => e.getClientRects().length && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
  .map(e => [e.tagName + "." + e.className, parseFloat(getComputedStyle(e).fontSize)])"""


def printed(page: Page, sheet: Path) -> tuple[int, list[tuple[str, float]]]:
    """The PDF's page count and each text's font size, as printed; and nothing of the
    sheet is cut off at its bottom edge."""
    page.emulate_media(media="print")  # as page.pdf() renders it (it follows an emulated "screen")
    page.goto(sheet.as_uri())
    page.wait_for_load_state("load")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    sizes = [(str(name), float(size)) for name, size in page.evaluate(SIZES)]
    room, used = page.evaluate(
        "() => [document.querySelector('.sheet').clientHeight, document.querySelector('.sheet').scrollHeight]"
    )
    assert used <= room, f"{sheet}: the content is {used - room} px taller than the sheet"
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf)), sizes


def test_every_sheet_of_the_sample_prints_on_one_page_in_large_type(
    browser: Browser, sample_site: Path
) -> None:
    sheets = sorted((sample_site / "intranet/site").glob("*/board/*/*/index.html"))
    assert len(sheets) == 3 * 2 * 3  # languages × weeks × offices
    page = browser.new_page()
    for sheet in sheets:
        pages, sizes = printed(page, sheet)
        assert pages == 1, sheet
        assert sizes and min(size for _, size in sizes) >= SMALLEST - 0.01, (
            sheet,
            min(sizes, key=lambda s: s[1]),
        )
    page.close()


@pytest.mark.parametrize("size", ["A4", "A3"])
def test_a_crowded_week_still_prints_on_one_page(
    browser: Browser, make_project: MakeProject, tmp_path: Path, size: str
) -> None:
    long = "Una explicación larga del cambio que afecta a todos los turnos de la oficina. " * 6
    values = '\n[values.equipo]\nname = { es = "Juntos", fr = "Ensemble", en = "Together" }\n'
    files: dict[str, str | bytes] = {"content/site.toml": SITE_TOML + values}
    for i in range(8):
        files[f"content/announcements/aviso-{i}.md"] = announcement(
            f"Aviso importante número {i} con un título bastante largo para una hoja",
            pinned="true",
            summary=f'"{long}"',
        )
        files[f"content/kudos/k{i}.md"] = (
            f"---\ndate: 2026-11-{16 + i}\nfrom: Persona {i}\nto: [Alguien con nombre largo {i}, Otra persona {i}]\n"
            f"value: equipo\n---\n{long}\n"
        )
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:cierre-{day}@example.com\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:202611{day}\r\n"
        f"SUMMARY:Cierre de la oficina por inventario anual, día {day}\r\nCATEGORIES:Festivo\r\nEND:VEVENT\r\n"
        for day in range(23, 31)
    )
    files["content/calendar/madrid/cierres.ics"] = (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ejemplo//ES\r\n{events}END:VCALENDAR\r\n"
    )
    project = make_project(files)
    out = tmp_path / "output"
    week = IsoWeek.of(TODAY)
    publish(build(project, today=TODAY, boards=[(week, size)]).files, out)
    page = browser.new_page()
    pages, sizes = printed(page, out / f"site/es/board/{week}/madrid/index.html")
    page.close()
    assert pages == 1
    text = (out / f"site/es/board/{week}/madrid/index.html").read_text(encoding="utf-8")
    assert re.search(r"y [2-5] más en la intranet", text)  # the dates left out are counted
    assert text.count("Cierre de la oficina por inventario") >= 3 and "Aviso importante" in text
    assert min(size for _, size in sizes) >= SMALLEST * (1.41 if size == "A3" else 1) - 0.01
