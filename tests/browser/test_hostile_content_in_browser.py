"""XSS vectors written into content run nowhere: every page that shows them, and the
newsletter, opened in Chromium with scripts on, never opens a dialog."""

from __future__ import annotations

import email
import functools
import http.server
import json
import re
import threading
from email import policy
from email.message import EmailMessage
from pathlib import Path
from xml.etree import ElementTree

from playwright.sync_api import Browser, Dialog

from generator.build import build
from generator.write import publish
from tests.browser.conftest import _Quiet
from tests.conftest import SEARCH, TODAY, MakeProject, search_index
from tests.test_fuzz import XSS, safe

MARKER = "zxq-hostile"


ATTACK = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


def hostile_project(make_project: MakeProject) -> Path:
    attack, body = ATTACK, "\n\n".join(XSS) + "\n"
    return make_project(
        {
            "content/announcements/ataque.md": (
                f"---\ntitle: {json.dumps(MARKER + attack)}\ndate: 2026-11-20\n"
                f"summary: {json.dumps(attack)}\nauthor: {json.dumps(attack)}\ntags: [{json.dumps(attack)}]\n"
                f"---\n{body}"
            ),
            "content/pages/ataque.md": f"---\ntitle: {json.dumps(MARKER + attack)}\n---\n{body}",
        }
    )


def test_xss_vectors_in_feeds_and_e_mail_are_text_or_harmless_markup(make_project: MakeProject) -> None:
    """Feeds carry bodies as escaped HTML that a feed reader will render, and the e-mail
    is HTML a mail client renders: read as those would, nothing in them can run."""
    files = {
        f.path: f.data for f in build(hostile_project(make_project), today=TODAY).files if not f.copy_from
    }
    feeds = [path for path in files if path.endswith("feed.xml") and MARKER.encode() in files[path]]
    assert feeds
    for path in feeds:
        html = [e.text or "" for e in ElementTree.fromstring(files[path]).iter() if e.get("type") == "html"]
        assert any(MARKER in text for text in html) or any("<p>" in text for text in html)
        for text in html:  # HTML carried as text (Atom type="html"): what a feed reader renders
            safe(text)
    index = json.loads(search_index({p: d for p, d in files.items() if p.startswith(SEARCH)}))
    assert any(MARKER in r["meta"]["title"] for r in index["records"])  # as text: see the search test
    messages = [path for path in files if path.endswith("message.eml") and MARKER.encode() in files[path]]
    assert messages
    for path in messages:
        parsed = email.message_from_bytes(files[path], policy=policy.SMTP)
        assert isinstance(parsed, EmailMessage)
        parts = [part for part in parsed.walk() if part.get_content_type() == "text/html"]
        assert parts
        for part in parts:  # the template's own <meta> and <style> (media queries) are in its head
            safe(part.get_content(), allowed=frozenset({"meta", "style"}))


def test_xss_vectors_in_front_matter_and_bodies_open_no_dialog(
    browser: Browser, make_project: MakeProject, tmp_path: Path
) -> None:
    project = hostile_project(make_project)
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


def test_searching_the_xss_vectors_shows_them_as_text_and_opens_no_dialog(
    browser: Browser, make_project: MakeProject, tmp_path: Path
) -> None:
    out = tmp_path / "output"
    publish(build(hostile_project(make_project), today=TODAY).files, out)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    dialogs: list[str] = []
    page = browser.new_page()

    def seen(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", seen)
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/site/es/search/")
        for query in (MARKER, "onerror", "script", "javascript", "svg"):
            page.locator(".pagefind-ui__search-input").fill(query)
            page.locator(".pagefind-ui__result-link").first.wait_for(timeout=15_000)
            for shown in page.locator(".pagefind-ui__result-excerpt, .pagefind-ui__result-link").all():
                tags = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9-]*)", shown.inner_html()))
                assert tags <= {"mark"}, (query, shown.inner_html())  # the attacks are text
    finally:
        page.close()
        server.shutdown()
        server.server_close()
    assert dialogs == []
