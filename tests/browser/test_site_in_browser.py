"""The sample site in a real browser: from a sub-path and from file://, on a phone,
in dark mode, printed, and with JavaScript off."""

from __future__ import annotations

import functools
import http.server
import itertools
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Request, Response, expect

from tests.browser.conftest import ARTIFACTS
from tests.conftest import MakeProject

pytestmark = pytest.mark.browser

PAGES = [
    "es/index.html",
    "fr/news/index.html",
    "en/news/auditoria-iso-9001/index.html",
    "es/news/aguinaldo-2026/index.html",
    "fr/pages/contactos/index.html",
    "en/tags/index.html",
    "es/calendar/madrid/index.html",
    "fr/calendar/index.html",
    "es/kudos/index.html",
    "en/indicators/index.html",
    "fr/certification/iso-9001/index.html",
]


def no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_readers_reach_every_section_from_a_server_sub_path_without_javascript(
    browser: Browser, served: str
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served + "index.html")
    page.wait_for_url("**/intranet/site/es/index.html")
    assert page.locator("h1").first.inner_text() == "Intranet Alcora"
    page.get_by_role("link", name="Français").first.click()
    page.wait_for_url("**/intranet/site/fr/index.html")
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Actualités").click()
    page.wait_for_url("**/intranet/site/fr/news/index.html")
    page.get_by_role("link", name="Plus anciennes").click()
    page.wait_for_url("**/intranet/site/fr/news/page/1/index.html")
    page.get_by_role("link", name="ISO 9001 : l'audit de certification aura lieu en février").click()
    assert page.locator("h1").inner_text() == "ISO 9001 : l'audit de certification aura lieu en février"
    page.get_by_role("link", name="#qualité").click()
    assert page.url.endswith("/intranet/site/fr/tags/qualite/index.html")
    response = page.goto(served + "es/news/politica-teletrabajo/index.html")
    assert response is not None and response.ok
    page.get_by_role("link", name="Responsabilidades y contactos").click()
    assert page.url.endswith("/intranet/site/es/pages/contactos/index.html")
    context.close()


def test_the_site_opens_from_the_file_system(browser: Browser, sample_site: Path) -> None:
    page = browser.new_page()
    page.goto((sample_site / "intranet/site/index.html").as_uri())
    page.wait_for_url("**/site/es/index.html")
    page.get_by_role("link", name="Todas las noticias").click()
    assert page.url.endswith("/site/es/news/index.html")
    # The stylesheet loaded through its relative link: the page has the theme's background.
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(247, 247, 245)"
    page.close()


@pytest.mark.parametrize("path", PAGES)
def test_pages_fit_a_phone_screen(browser: Browser, served: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=1)
    page = context.new_page()
    page.goto(served + path)
    assert no_horizontal_scroll(page), f"{path} scrolls sideways at 375 px"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"phone-{path.replace('/', '_')}.png", full_page=True)
    context.close()


def test_on_a_phone_the_header_takes_two_rows_and_the_content_starts_at_once(
    browser: Browser, served: str
) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=1)
    page = context.new_page()
    page.goto(served + "fr/index.html")
    tops = sorted(
        page.evaluate(
            "[...document.querySelectorAll('.site-header a')].map(a => a.getBoundingClientRect().top)"
        )
    )
    rows = 1 + sum(1 for above, below in itertools.pairwise(tops) if below - above > 10)
    assert rows == 2
    assert page.evaluate("document.querySelector('main h1').getBoundingClientRect().top") < 160
    # Every section is still one swipe away, and each language is named for screen readers.
    page.get_by_role("link", name="Indicateurs").scroll_into_view_if_needed()
    assert page.get_by_role("link", name="Indicateurs").is_visible()
    assert page.get_by_role("link", name="English").count() == 1
    context.close()


def test_a_wide_table_scrolls_in_its_own_box_and_the_keyboard_reaches_it(
    browser: Browser, served: str
) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=1)
    page = context.new_page()
    page.goto(served + "es/pages/contactos/index.html")
    box = page.locator(".prose .table-scroll").first
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # there is more to the side
    assert no_horizontal_scroll(page)  # the page itself does not move
    page.keyboard.press("Tab")
    for _ in range(40):
        if page.evaluate("document.activeElement.classList.contains('table-scroll')"):
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('table-scroll')")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.activeElement.scrollLeft > 0")
    context.close()


def test_a_reader_filters_the_calendar_and_finds_the_feed_to_subscribe(browser: Browser, served: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served + "en/index.html")
    page.get_by_role("link", name="Calendar for Madrid").click()
    page.wait_for_url("**/en/calendar/madrid/index.html")
    page.get_by_role("navigation", name="Filter the calendar").get_by_role("link", name="Pay dates").click()
    page.wait_for_url("**/en/calendar/madrid/paydays/index.html")
    assert page.get_by_role("heading", level=1).inner_text() == "Calendar · Madrid · Pay dates"
    assert page.locator("td[aria-current=date]").count() == 1
    subscribe = page.get_by_role("link", name="Subscribe").first
    assert (
        subscribe.get_attribute("href") == "webcal://intranet.alcora.example/en/calendar/madrid/holidays.ics"
    )
    response = page.request.get(served + "en/calendar/madrid/paydays.ics")
    assert response.ok and response.body().startswith(b"BEGIN:VCALENDAR\r\n")
    context.close()


def test_dark_mode_follows_the_system_setting(browser: Browser, served: str) -> None:
    colours = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(served + "es/index.html")
        colours[scheme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
        context.close()
    assert colours["light"] == "rgb(247, 247, 245)"
    assert colours["dark"] == "rgb(17, 20, 23)"


def test_printing_hides_navigation(browser: Browser, served: str) -> None:
    page = browser.new_page()
    page.goto(served + "es/news/aguinaldo-2026/index.html")
    assert page.locator(".site-nav").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".site-nav").is_visible()
    assert page.locator(".prose").is_visible()
    page.close()


def test_the_skip_link_is_the_first_stop_and_is_visible_on_focus(browser: Browser, served: str) -> None:
    page = browser.new_page()
    page.goto(served + "en/index.html")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.close()


@pytest.mark.parametrize("width", [600, 375])
def test_the_newsletter_email_fits_desktop_and_phone_widths(
    browser: Browser, sample_site: Path, width: int
) -> None:
    email_html = sample_site / "intranet/newsletter/2026-W48/es/madrid/email.html"
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.goto(email_html.as_uri())
    assert no_horizontal_scroll(page), f"the e-mail scrolls sideways at {width} px"
    container = page.locator("table.container").bounding_box()
    assert container is not None and container["width"] <= 600
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"newsletter-es-madrid-{width}.png", full_page=True)
    context.close()


def test_a_reader_searches_finds_the_announcement_filters_and_opens_it(browser: Browser, served: str) -> None:
    page = browser.new_page()
    # what the page could not load, told with a failure (a filter missing once, under load)
    unloaded: list[str] = []

    def answered(response: Response) -> None:
        if not response.ok:
            unloaded.append(f"{response.url}: {response.status}")

    def failed(request: Request) -> None:
        unloaded.append(f"{request.url}: {request.failure}")

    page.on("response", answered)
    page.on("requestfailed", failed)
    page.goto(served + "es/search/")
    page.locator(".pagefind-ui__search-input").fill("aguinaldo")
    first = page.locator(".pagefind-ui__result-link").first
    # each result's link appears once its fragment has loaded, not necessarily in order:
    # the first link is waited for until it is the first result's
    expect(first).to_have_text("Aguinaldo 2026: se paga el viernes 18 de diciembre", timeout=15_000)
    # the filters come after the first results (Pagefind loads them apart): waited for
    try:
        expect(page.locator(".pagefind-ui__filter-panel")).to_contain_text("Categoría", timeout=15_000)
    except AssertionError as missing:
        raise AssertionError(f"{missing}\nnot loaded: {unloaded or 'none'}") from None
    first.click()
    page.wait_for_url("**/intranet/site/es/news/aguinaldo-2026/")
    assert page.locator("h1").first.inner_text().startswith("Aguinaldo 2026")
    page.goto(served + "fr/search/")  # each language searches its own index
    page.locator(".pagefind-ui__search-input").fill("prime")
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=15_000)
    assert all(
        "/fr/" in (link.get_attribute("href") or "")
        for link in page.locator(".pagefind-ui__result-link").all()
    )
    page.close()


def test_search_from_the_file_system_says_to_use_the_archive(browser: Browser, sample_site: Path) -> None:
    page = browser.new_page()
    page.goto((sample_site / "intranet/site/es/search/index.html").as_uri())
    note = page.locator(".search-offline")
    assert note.is_visible() and "servidor web" in note.inner_text()
    page.close()


def test_a_search_finds_records_in_every_bundle_of_the_index(
    browser: Browser, make_project: MakeProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large site's index comes in bundles of each language (an edit indexes one again); a
    search merges its language's, with the search interface from another language's."""
    from generator import indexer
    from generator.build import build
    from generator.write import publish
    from tests.browser.conftest import _Quiet
    from tests.conftest import TODAY, announcement

    monkeypatch.setattr(indexer, "PER_SHARD", 3)
    project = make_project(
        {f"content/announcements/n{i}.md": announcement(f"Turno {i} zqxsemana") for i in range(12)}
    )
    files = build(project, today=TODAY).files
    bundles = sorted(
        {f.path.split("/")[2] for f in files if f.path.startswith("site/pagefind/")},
        key=lambda b: (b.split("-")[0], int(b.split("-")[1])),
    )
    assert len([b for b in bundles if b.startswith("es-")]) >= 3
    paths = {f.path for f in files}
    for (
        bundle
    ) in bundles:  # the search interface is in the index's first (English); the rest hold their index
        assert (f"site/pagefind/{bundle}/pagefind-ui.js" in paths) == (bundle == bundles[0] == "en-0")
        assert f"site/pagefind/{bundle}/pagefind-entry.json" in paths
    publish(files, tmp_path / "out")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp_path / "out"))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/site/es/search/")
        page.locator(".pagefind-ui__search-input").fill("zqxsemana")
        page.locator(".pagefind-ui__message").filter(has_text="12").wait_for(timeout=15_000)
        page.close()
    finally:
        server.shutdown()
        server.server_close()
