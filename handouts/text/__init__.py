"""Text stage: styled spans -> flowables that ReportLab can paginate and draw.

This package is the one seam through which every paragraph, heading, list item, table
cell and callout of a handout is made (`paragraph`), and where text is checked against
the fonts (`check_coverage`). Layout never builds a ReportLab Paragraph itself, so the
text engine behind this seam can change without touching layout.

The engine (DESIGN.md, "The text engine"):
  fonts.py      the manifest's faces (FontLibrary), loaded once; fallback chains
  itemize.py    spans -> runs of one bidi level, script, font and style
  bidi.py       embedding levels (python-bidi), phone numbers isolated; visual order (L2)
  shaping.py    one run -> glyphs (HarfBuzz: kern, liga)
  linebreak.py  break opportunities (ICU) and greedy line filling on shaped advances
  engine.py     a paragraph through all of the above into lines (the Typesetter keeps them)
  operators.py  shaped glyphs as PDF text operators
  glyphtext.py  which text each glyph stands for (ToUnicode)
  pdffont.py    the faces embedded as subset Type 0 fonts
  flowable.py   the Platypus flowable (wrap, split, draw)
"align" start/end are the start/end of the locale's direction (right-aligned for ar,
fa, ur, he); a paragraph's own base direction is the locale's unless all its text is of
the other direction.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .fonts import BODY_FAMILY, FontLibrary, is_rtl_locale


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


class Typesetter:
    """The text engine over one FontLibrary, with its own bounded cache of laid-out
    paragraphs: a static paragraph (same spans, style and locale, as most of a handout
    is for every patient) is itemized and shaped once, and every later handout reuses
    the same operator strings, so the output is the same bytes either way."""

    def __init__(self, fonts: FontLibrary, *, paragraphs: int = 2048):
        from ..caches import LRUCache
        self.fonts = fonts
        self.paragraphs = LRUCache(maxsize=paragraphs)

    def lay_out(self, spans: tuple, style: TextStyle, locale: str, *, keep: bool = True):
        """The itemized and shaped paragraph, kept by (spans, style, locale) unless
        `keep` is off (text a patient typed is never kept)."""
        from .engine import Paragraph
        if not keep:
            return Paragraph(spans, style, locale, self.fonts)
        return self.paragraphs.get_or_make((spans, style, locale),
                                           lambda key: Paragraph(*key, self.fonts))

    def paragraph(self, spans, style: TextStyle, *, locale: str = "en",
                  fields: dict | None = None, keep: bool = True):
        """One paragraph of styled spans as a flowable; `fields` fills page-number and
        page-count spans; `keep` as for lay_out. Raises MissingGlyphError for a
        character no font covers."""
        from .flowable import TextBlock
        spans = tuple(spans)
        if any(s.field for s in spans):
            spans = tuple(replace(s, text=str((fields or {}).get(s.field, "")), field="")
                          if s.field else s for s in spans)
        return TextBlock(self.lay_out(spans, style, locale, keep=keep))

    def check_coverage(self, text: str, *, locale: str, context: str = "") -> None:
        """Raise MissingGlyphError for the first character no font in the locale's
        fallback chains covers (the same choice the engine makes when it lays it out)."""
        from .itemize import char_script, missing_glyph
        from .fonts import needs_no_glyph, writing_system
        fallback = writing_system(locale)
        font_for = self.fonts.font_for
        for char in dict.fromkeys(text):
            if char.isspace() or needs_no_glyph(char):
                continue
            script = char_script(char)
            if script in ("Zyyy", "Zinh"):
                script = fallback
            if font_for(char, locale, script) is None:
                raise missing_glyph(char, locale, context or text)


__all__ = ["TextStyle", "Typesetter", "FontLibrary", "is_rtl_locale", "BODY_FAMILY",
           "LAYOUT_CHARACTERS"]
