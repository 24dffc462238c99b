"""The system Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from generator.write import publish
from tests.conftest import REPO, sample_files

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    found = (
        os.environ.get("INTRANET_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing: .ci/run installs the Debian package chromium")
        pytest.skip("no system Chromium (apt-get install chromium)")
    return found


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    path = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample content published under <root>/intranet/, as IT would serve it from a sub-path."""
    root = tmp_path_factory.mktemp("served")
    publish(sample_files(), root / "intranet")
    return root


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


class _Server(http.server.ThreadingHTTPServer):
    """A page's scripts (Pagefind's: its entry, wasm, filters, index and fragments) ask
    for many files at once; the standard library's queue of 5 waiting connections
    overflows when the test workers keep the machine busy, and the browser then retries
    after seconds (a search's filters once came too late)."""

    request_queue_size = 128


@pytest.fixture(scope="session")
def served(sample_site: Path) -> Iterator[str]:
    """http://127.0.0.1:PORT/intranet/site/ served by a local web server."""
    handler = functools.partial(_Quiet, directory=str(sample_site))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/intranet/site/"
    server.shutdown()
    server.server_close()
