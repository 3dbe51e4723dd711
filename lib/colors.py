"""A conference's colour made legible: text on it, and a shade of it for text on white.

Organizers pick any colour; WCAG AA asks 4.5:1 between text and its background. Links
and buttons use ``ink`` (the colour, darkened just enough for white), a bar filled with
the colour takes ``text_on`` (white or near-black, whichever reads better).
"""

WHITE = "#ffffff"
DARK = "#212529"  # Bootstrap's body text
AA = 4.5


def _rgb(color: str) -> tuple[int, int, int]:
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(rgb) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in rgb)


def luminance(color: str) -> float:
    """Relative luminance (WCAG 2)."""

    def linear(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_on(color: str) -> str:
    return WHITE if contrast(color, WHITE) >= contrast(color, DARK) else DARK


def ink(color: str) -> str:
    """``color``, darkened in small steps until it reads on white at 4.5:1."""
    rgb: tuple[float, ...] = _rgb(color)
    shade = color.lower()
    while contrast(shade, WHITE) < AA:
        rgb = tuple(c * 0.92 for c in rgb)
        shade = _hex(rgb)
    return shade


def brand_css(color: str) -> str:
    """CSS custom properties for ``color`` (a checked #rrggbb), used by embed.css."""
    dark = ink(color)
    rgb = ", ".join(str(c) for c in _rgb(dark))
    return (
        f":root{{--brand:{color.lower()};--brand-on:{text_on(color)};"
        f"--brand-ink:{dark};--brand-ink-rgb:{rgb}}}"
    )
