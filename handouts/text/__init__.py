"""Text stage: styled spans -> flowables that ReportLab can paginate and draw.

This package is the one seam through which every paragraph, heading, list item, table
cell and callout of a handout is made (`paragraph`), and where text is checked against
the fonts (`check_coverage`). Layout never builds a ReportLab Paragraph itself, so the
text engine behind this seam can change without touching layout.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import MissingGlyphError
from .fonts import BODY_FAMILY, coverage, register_family


@dataclass(frozen=True)
class TextStyle:
    """How a block of text looks; colours are '#RRGGBB'."""
    size: float = 10.0
    leading: float = 13.0
    colour: str = "#1A1A1A"
    bold: bool = False
    align: str = "start"        # start, centre or end of the line, for the text direction
    space_after: float = 0.0


# Characters the layout itself adds (bullets, separators) that must be covered too.
LAYOUT_CHARACTERS = "•·"


def check_coverage(text: str, *, locale: str, context: str = "") -> None:
    """Raise MissingGlyphError for the first character no font in the chain covers."""
    covered = coverage(BODY_FAMILY)
    for char in text:
        if ord(char) not in covered and not char.isspace():
            shown = context or text
            if len(shown) > 60:
                at = max(0, shown.find(char) - 20)
                shown = "…" + shown[at:at + 50] + "…"
            raise MissingGlyphError(
                f"no font covers {char!r} (U+{ord(char):04X}) in {shown!r}", field="text",
                hint=f"locale {locale}: add a font that covers it to fonts/manifest.toml, "
                     "or change the text")


from .basic import paragraph  # noqa: E402  (the engine behind the seam)

__all__ = ["TextStyle", "paragraph", "check_coverage", "register_family"]
