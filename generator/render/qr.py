"""QR codes as inline SVG (segno; no network): the notice-board sheet's link to the week."""

from __future__ import annotations

import functools
import io

from markupsafe import Markup


@functools.lru_cache(maxsize=256)  # the same few addresses on every build of a process (serve)
def qr_code(url: str) -> Markup:
    """An inline SVG QR code of `url`, sized by its container."""
    import segno  # here: a build that keeps every notice-board sheet does without it

    out = io.BytesIO()
    segno.make(url, error="m").save(
        out, kind="svg", xmldecl=False, svgns=True, omitsize=True, border=2, svgclass="qr", lineclass=None
    )
    return Markup(out.getvalue().decode("utf-8"))
