"""axe-core (WCAG 2.1 A and AA) finds nothing on any page type or e-mail, in every
language, in light and in dark mode, in the system Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],  # details only for what fails: much faster
}
PAGE_TYPES = [
    "site/{lang}/index.html",
    "site/{lang}/news/index.html",
    "site/{lang}/news/auditoria-iso-9001/index.html",
    "site/{lang}/news/resultados-satisfaccion-octubre/index.html",
    "site/{lang}/news/archive/index.html",
    "site/{lang}/tags/index.html",
    "site/{lang}/tags/iso-9001/index.html",
    "site/{lang}/audiences/cdmx/index.html",
    "site/{lang}/pages/contactos/index.html",
    "site/{lang}/calendar/index.html",
    "site/{lang}/calendar/cdmx/paydays/index.html",
    "site/{lang}/kudos/index.html",
    "site/{lang}/certification/index.html",
    "site/{lang}/certification/iso-9001/index.html",
    "site/{lang}/indicators/index.html",
    "site/{lang}/newsletter/index.html",
    "site/{lang}/newsletter/2026-W48/index.html",
    "site/{lang}/newsletter/2026-W48/cdmx/index.html",
    "site/{lang}/board/2026-W48/madrid/index.html",
    "site/{lang}/surveys/clima-2026/index.html",
    "site/{lang}/trainings/index.html",
    "site/{lang}/pages/communication-plan/index.html",
    "newsletter/2026-W48/{lang}/all/email.html",
    "newsletter/2026-W48/{lang}/madrid/email.html",
]
LANGUAGES = ("es", "fr", "en")


def violations(axe: Axe, page: Page) -> list[str]:
    found: list[dict[str, Any]] = axe.run(page, options=WCAG).response["violations"]
    return [
        f"{v['id']}: {node['target']} {node.get('failureSummary', '')}".replace("\n", " ")
        for v in found
        for node in v["nodes"]
    ]


# by language and scheme: six tests of some twelve seconds, which the test workers share out
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_type_and_email_has_no_wcag_violation(
    browser: Browser, sample_site: Path, scheme: str, lang: str
) -> None:
    axe = Axe()
    context = browser.new_context(color_scheme=scheme)  # type: ignore[arg-type]
    page = context.new_page()
    found: dict[str, list[str]] = {}
    pages = [pattern.format(lang=lang) for pattern in PAGE_TYPES]
    if lang == "es":  # the one not-found page, at the site's root
        pages.append("site/404.html")
    for rel in pages:
        path = sample_site / "intranet" / rel
        assert path.is_file(), rel
        page.goto(path.as_uri())
        problems = violations(axe, page)
        if problems:
            found[rel] = problems
    context.close()
    assert found == {}


def test_axe_does_find_a_violation_where_there_is_one(browser: Browser) -> None:
    """The check above can fail: grey on grey and an image without alt are caught."""
    page = browser.new_page()
    page.set_content(
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><main>'
        '<p style="color:#777;background:#888">faint</p><img src="data:,"></main></body></html>'
    )
    ids = {problem.split(":")[0] for problem in violations(Axe(), page)}
    page.close()
    assert {"color-contrast", "image-alt"} <= ids
