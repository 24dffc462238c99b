"""Every URL in every message `intranet send` can produce reaches a published file."""

from __future__ import annotations

import email
import re
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from generator.build import build, compose_messages, load_sources
from generator.config import load_config
from generator.rules.weeks import IsoWeek
from generator.send.recipients import parse_recipients
from tests.conftest import REPO, TODAY, sample_files

RECIPIENTS = """email,name,lang,audiences
ana@example.com,Ana,es,
pierre@example.com,Pierre,fr,paris;managers
lucia@example.com,Lucía,es,rrhh
marta@example.com,Marta,es,madrid;rrhh
john@example.com,John,en,cdmx
claire@example.com,Claire,fr,agents;managers;paris
"""


def urls_of(message: bytes) -> set[str]:
    parsed = email.message_from_bytes(message, policy=policy.SMTP)
    assert isinstance(parsed, EmailMessage)
    found: set[str] = set()
    for part in parsed.walk():
        if part.get_content_type() == "text/html":
            found |= set(re.findall(r'(?:href|src)="([^"]+)"', part.get_content()))
        elif part.get_content_type() == "text/plain":
            found |= set(re.findall(r"^\[\d+\] (\S+)$", part.get_content(), re.M))
    return {url for url in found if not url.startswith("mailto:")}


@pytest.fixture(scope="module")
def published() -> dict[str, set[str]]:
    """The sample company's published files, by the base URL that serves them."""
    config = load_config(REPO / "content/site.toml")
    trees = {config.base_url: list(sample_files())}
    for ident, audience in config.audiences.items():
        if audience.restricted and audience.base_url:
            trees[audience.base_url] = build(REPO, today=TODAY, scope=ident).files
    return {
        base: {f.path.removeprefix("site/") for f in files if f.path.startswith("site/")}
        for base, files in trees.items()
    }


def test_every_url_of_every_edition_a_recipients_file_produces_is_published(
    published: dict[str, set[str]],
) -> None:
    config = load_config(REPO / "content/site.toml")
    recipients = parse_recipients(RECIPIENTS, Path("recipients.csv"), config)
    editions = {(r.lang, r.audiences) for r in recipients}
    messages = compose_messages(load_sources(REPO, today=TODAY), IsoWeek.of(TODAY), editions)
    assert set(messages) == editions
    checked = 0
    for edition, message in sorted(messages.items()):
        urls = urls_of(message)
        assert urls, edition
        for url in urls:
            base = next((b for b in published if url.startswith(b)), None)
            assert base is not None, f"{edition}: {url} is on no published site"
            path = url.removeprefix(base).split("#")[0]
            path = path + "index.html" if path.endswith("/") or not path else path
            assert path in published[base], f"{edition}: {url} reaches nothing"
            checked += 1
    assert checked > 30


def test_a_reader_in_two_audiences_is_sent_to_a_web_version_that_exists(
    published: dict[str, set[str]],
) -> None:
    messages = compose_messages(
        load_sources(REPO, today=TODAY), IsoWeek.of(TODAY), {("fr", ("managers", "paris"))}
    )
    urls = urls_of(messages[("fr", ("managers", "paris"))])
    assert "https://intranet.alcora.example/fr/newsletter/2026-W48/" in urls
    assert not any("managers+paris" in url for url in urls)


def test_a_restricted_edition_links_to_its_own_tree_never_to_the_main_site(
    published: dict[str, set[str]],
) -> None:
    messages = compose_messages(load_sources(REPO, today=TODAY), IsoWeek.of(TODAY), {("es", ("rrhh",))})
    urls = urls_of(messages[("es", ("rrhh",))])
    assert "https://rrhh.intranet.alcora.example/es/newsletter/2026-W48/rrhh/" in urls
    assert not any(
        "intranet.alcora.example/es/newsletter/2026-W48/rrhh" in u and "rrhh." not in u for u in urls
    )
