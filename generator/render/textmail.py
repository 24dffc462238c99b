"""The newsletter's plain-text version, from templates/newsletter/email.txt: 72-column
lines, underlined headings, links as numbered references listed at the end.

The template is rendered without HTML escaping. Its empty lines are layout; a line holding
only `gap` becomes one blank line of the message (several in a row count as one).
"""

from __future__ import annotations

import textwrap
from typing import Any

WIDTH = 72
GAP = "\x1e"  # a line holding only this becomes a blank line


class References:
    """ref(url) → " [n]": each URL numbered once, in order of first use; `urls` lists them."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: str | None) -> str:
        if not url:
            return ""
        if url not in self.urls:
            self.urls.append(url)
        return f" [{self.urls.index(url) + 1}]"


def para(text: str, indent: str = "") -> str:
    """A paragraph wrapped at WIDTH, its first line after `indent`, the next aligned under it."""
    return "\n".join(
        textwrap.wrap(
            " ".join(str(text).split()),
            WIDTH,
            initial_indent=indent,
            subsequent_indent=" " * len(indent),
            break_long_words=False,
            break_on_hyphens=False,
        )
    )


def underlined(text: str, underline: str = "-") -> str:
    """A heading: a blank line, the text, a line of `underline` as long, a blank line."""
    return f"{GAP}\n{text}\n{underline * min(len(text), WIDTH)}\n{GAP}"


def text_helpers() -> dict[str, Any]:
    """What templates/newsletter/email.txt calls besides the shared e-mail helpers."""
    return {"para": para, "underlined": underlined, "gap": GAP, "ref": References()}


def tidy(rendered: str) -> str:
    """Drop the template's layout lines, turn gaps into single blank lines, end with one newline."""
    lines: list[str] = []
    for line in rendered.split("\n"):
        if line == GAP:
            if lines and lines[-1] != "":
                lines.append("")
        elif line:
            lines.append(line)
    return "\n".join(lines).rstrip() + "\n"
