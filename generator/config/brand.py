"""[brand] of site.toml: the company's colour, logo and favicon, and the contrast rule.

The colour is the site's accent (links, buttons, the e-mail's header): it must read
well as text on the pages and under white text, in the light and the dark scheme —
WCAG AA, a contrast of 4.5:1 at least. A colour that does not is refused with a shade
that does; the dark scheme's colour is derived (lightened until it passes) unless
given. The logo and favicon are files of content/media/ (checked when content is read).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from generator.config.reader import Reader

AA = 4.5  # WCAG 2 AA contrast for normal text
# The page colours the accent is read against (templates/site/assets/style.css)
LIGHT_BACKGROUNDS = ("#ffffff", "#f7f7f5")  # surface, page
LIGHT_TEXT_ON_ACCENT = "#ffffff"
DARK_BACKGROUNDS = ("#1b1f24", "#111417")
DARK_TEXT_ON_ACCENT = "#0b1320"
DEFAULT_DEEP = "#0a3d73"
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Brand:
    color: str = "#0b5cad"
    color_dark: str = "#7cb7ff"
    logo: str | None = None  # a path in content/media/
    favicon: str | None = None
    logo_line: int | None = None  # where site.toml names them, for a missing file's message
    favicon_line: int | None = None

    @property
    def custom(self) -> bool:
        return (self.color, self.color_dark) != (Brand.color, Brand.color_dark)

    @property
    def deep(self) -> str:
        """The colour darkened, for the e-mail's header in a dark-mode mail client."""
        return DEFAULT_DEEP if self.color == Brand.color else mix(self.color, "#000000", 0.35)


def _channels(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def luminance(color: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _channels(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def mix(color: str, toward: str, share: float) -> str:
    """`color` moved `share` (0–1) of the way to `toward`."""
    mixed = (round(a + (b - a) * share) for a, b in zip(_channels(color), _channels(toward), strict=True))
    return "#" + "".join(f"{c:02x}" for c in mixed)


def light_contrast(color: str) -> float:
    """The worst contrast of the accent in the light scheme: as text on the pages, and
    under the white text of a button or the e-mail's header."""
    return min(*(contrast(color, bg) for bg in LIGHT_BACKGROUNDS), contrast(color, LIGHT_TEXT_ON_ACCENT))


def dark_contrast(color: str) -> float:
    return min(*(contrast(color, bg) for bg in DARK_BACKGROUNDS), contrast(color, DARK_TEXT_ON_ACCENT))


def _shade(color: str, toward: str, passes: Any) -> str | None:
    """The first shade of `color` toward `toward` (in twentieths) that passes."""
    for step in range(21):
        shade = mix(color, toward, step / 20)
        if passes(shade) >= AA:
            return shade
    return None


# How each colour is read: (its scheme, what it is read against, which way a better shade lies)
_SCHEMES = {
    "color": ("light", "the light pages or with white text on it", "#000000", "a darker"),
    "color_dark": ("dark", "the dark pages or with dark text on it", "#ffffff", "a lighter"),
}


def _colour(r: Reader, table: dict[str, Any], key: str, default: str) -> str:
    """The colour `key` of [brand], checked as #rrggbb and against WCAG AA in its scheme."""
    given = table.get(key, default)
    if not isinstance(given, str) or not HEX.match(given):
        r.error(
            f"{key} must be a colour written #rrggbb", "brand", key, hint=f'for example {key} = "{default}"'
        )
        return default
    colour = given.lower()
    scheme, against, toward, shade = _SCHEMES[key]
    measure = light_contrast if scheme == "light" else dark_contrast
    worst = measure(colour)
    if worst < AA:
        better = _shade(colour, toward, measure)
        r.error(
            f"{key} {colour} has a contrast of {worst:.1f}:1 with {against}; WCAG AA asks for {AA}:1",
            "brand",
            key,
            hint=f'{shade} shade reads well: {key} = "{better}"' if better else f"choose {shade} colour",
        )
    return colour


def parse_brand(r: Reader, value: Any) -> Brand:
    table = r.table(value, "brand")
    r.unknown_keys(table, {"color", "color_dark", "logo", "favicon"}, "brand")
    color = _colour(r, table, "color", Brand.color)
    color_dark = Brand.color_dark
    if "color_dark" in table:
        color_dark = _colour(r, table, "color_dark", Brand.color_dark)
    elif "color" in table:
        derived = _shade(color, "#ffffff", dark_contrast)
        if derived is None:
            r.error(
                "no lighter shade of color reads well in the dark scheme",
                "brand",
                "color",
                hint='give color_dark too, for example color_dark = "#7cb7ff"',
            )
        else:
            color_dark = derived
    files: dict[str, str | None] = {}
    for key in ("logo", "favicon"):
        name = table.get(key)
        if name is not None and (not isinstance(name, str) or not name.strip() or ".." in name.split("/")):
            r.error(f"{key} must name a file of content/media/", "brand", key, hint=f'{key} = "logo.svg"')
            name = None
        files[key] = name.strip().removeprefix("/").removeprefix("media/") if isinstance(name, str) else None
    return Brand(
        color,
        color_dark,
        files["logo"],
        files["favicon"],
        r.line_of("brand", "logo") if files["logo"] else None,
        r.line_of("brand", "favicon") if files["favicon"] else None,
    )
