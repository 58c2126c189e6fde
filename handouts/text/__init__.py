"""Text stage: styled spans -> flowables that ReportLab can paginate and draw.

This package is the one seam through which every paragraph, heading, list item, table
cell and callout of a handout is made (`paragraph`), and where text is checked against
the fonts (`check_coverage`). Layout never builds a ReportLab Paragraph itself, so the
text engine behind this seam can change without touching layout.

The engine (DESIGN.md, "The text engine"):
  fonts.py      the manifest's faces, loaded once; fallback chains per locale and script
  itemize.py    spans -> runs of one bidi level, script, font and style
  bidi.py       embedding levels (python-bidi), phone numbers isolated; visual order (L2)
  shaping.py    one run -> glyphs (HarfBuzz: kern, liga)
  linebreak.py  break opportunities (ICU) and greedy line filling on shaped advances
  engine.py     a paragraph through all of the above into lines of PDF operators; cached
  glyphtext.py  which text each glyph stands for (ToUnicode)
  pdffont.py    the faces embedded as subset Type 0 fonts
  flowable.py   the Platypus flowable (wrap, split, draw)
"align" start/end are the start/end of the locale's direction (right-aligned for ar,
fa, ur, he); a paragraph's own base direction is the locale's unless all its text is of
the other direction.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .fonts import BODY_FAMILY, coverage, is_rtl_locale, register_family


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
    """Raise MissingGlyphError for the first character no font in the locale's fallback
    chains covers (the same choice the engine makes when it lays the text out)."""
    from .itemize import char_script, missing_glyph
    from .fonts import font_for, needs_no_glyph, writing_system
    fallback = writing_system(locale)
    for char in dict.fromkeys(text):
        if char.isspace() or needs_no_glyph(char):
            continue
        script = char_script(char)
        if script in ("Zyyy", "Zinh"):
            script = fallback
        if font_for(char, locale, script) is None:
            raise missing_glyph(char, locale, context or text)


def paragraph(spans, style: TextStyle, *, locale: str = "en", fields: dict | None = None):
    """One paragraph of styled spans as a flowable; `fields` fills page-number/page-count
    spans. Raises MissingGlyphError for a character no font covers."""
    from .flowable import TextBlock
    from .engine import lay_out
    spans = tuple(spans)
    if any(s.field for s in spans):
        spans = tuple(replace(s, text=str((fields or {}).get(s.field, "")), field="")
                      if s.field else s for s in spans)
    return TextBlock(lay_out(spans, style, locale))


__all__ = ["TextStyle", "paragraph", "check_coverage", "register_family", "coverage",
           "is_rtl_locale", "BODY_FAMILY", "LAYOUT_CHARACTERS"]
