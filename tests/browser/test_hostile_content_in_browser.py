"""XSS vectors written into content run nowhere: every page that shows them, and the
newsletter, opened in Chromium with scripts on, never opens a dialog."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Browser, Dialog

from generator.build import build
from generator.write import publish
from tests.conftest import TODAY, MakeProject
from tests.test_fuzz import XSS

MARKER = "zxq-hostile"


def test_xss_vectors_in_front_matter_and_bodies_open_no_dialog(
    browser: Browser, make_project: MakeProject, tmp_path: Path
) -> None:
    attack = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
    body = "\n\n".join(XSS) + "\n"
    project = make_project(
        {
            "content/announcements/ataque.md": (
                f"---\ntitle: {json.dumps(MARKER + attack)}\ndate: 2026-11-20\n"
                f"summary: {json.dumps(attack)}\nauthor: {json.dumps(attack)}\ntags: [{json.dumps(attack)}]\n"
                f"---\n{body}"
            ),
            "content/pages/ataque.md": f"---\ntitle: {json.dumps(MARKER + attack)}\n---\n{body}",
        }
    )
    out = tmp_path / "output"
    publish(build(project, today=TODAY).files, out)
    pages = sorted(
        path
        for path in [*(out / "site").rglob("*.html"), *(out / "newsletter").rglob("*.html")]
        if MARKER in path.read_text(encoding="utf-8")
    )
    assert len(pages) >= 10  # the announcement's and page's own, lists, home, tags, newsletter
    dialogs: list[str] = []
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()

    def seen(dialog: Dialog) -> None:
        dialogs.append(f"{page.url}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", seen)
    for path in pages:
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        assert page.title(), path  # the page did load
    context.close()
    assert dialogs == []
