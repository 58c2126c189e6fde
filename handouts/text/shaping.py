"""Shape: one run of text -> glyphs, with HarfBuzz (uharfbuzz).

Each run is shaped whole, with its script, the locale's language and the run's direction
given explicitly, the rest of the paragraph as context (so Arabic joins across a change of
style), and only the kern and liga features on top of the script's required ones (never
dlig: it joins letters Hebrew readers expect apart).
"""
from __future__ import annotations

from types import MappingProxyType
from dataclasses import dataclass

import uharfbuzz as hb

FEATURES = MappingProxyType({"kern": True, "liga": True, "dlig": False})
_UNSAFE = int(hb.GlyphFlags.UNSAFE_TO_BREAK)
_REMOVE_IGNORABLES = hb.BufferFlags.REMOVE_DEFAULT_IGNORABLES


@dataclass(frozen=True)
class Glyphs:
    """Shaped glyphs in visual order (left to right), positions in font units."""
    gids: tuple[int, ...]
    clusters: tuple[int, ...]        # index in the paragraph text of each glyph's cluster
    advances: tuple[int, ...]
    x_offsets: tuple[int, ...]
    y_offsets: tuple[int, ...]
    unsafe: frozenset[int]           # clusters it is unsafe to break before


def shape(font, text: str, start: int, end: int, rtl: bool, script: str,
          language: str) -> Glyphs:
    buf = hb.Buffer()
    buf.add_str(text, start, end - start)
    buf.direction = "rtl" if rtl else "ltr"
    buf.script = script
    buf.language = language
    buf.flags = _REMOVE_IGNORABLES
    hb.shape(font.hb_font, buf, dict(FEATURES))
    infos = buf.glyph_infos
    positions = buf.glyph_positions
    return Glyphs(
        gids=tuple(i.codepoint for i in infos),
        clusters=tuple(i.cluster for i in infos),
        advances=tuple(p.x_advance for p in positions),
        x_offsets=tuple(p.x_offset for p in positions),
        y_offsets=tuple(p.y_offset for p in positions),
        unsafe=frozenset(i.cluster for i in infos if i.flags & _UNSAFE),
    )
