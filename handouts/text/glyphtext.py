"""Which text each glyph of a font stands for: the PDF's ToUnicode map.

A glyph in the font's cmap stands for its lowest code point; Arabic presentation forms are
folded to the letter they present (U+FE91 -> U+0628), so copied Arabic is plain letters. A
glyph that only substitution makes (a ligature, a contextual or conjunct form) stands for
the text of the glyphs it is made from, found by walking the GSUB lookups to a fixed point.

The map depends on the font alone, never on the order text was drawn in, so a PDF maps
every glyph the same way whatever else the process rendered before (render stays pure).
Where a run's glyphs read back differently from its text (Indic vowel signs drawn before
their consonant, a glyph shared by two letters), the run carries ActualText instead.

A ligature of right-to-left letters (Arabic lam-alef) maps to its letters in reverse:
readers put right-to-left text back into logical order by reversing it character by
character, ligature expansions included (pdfium and poppler both do), so "لا" must be
written "ال" to be read as "لا".
"""
from __future__ import annotations

import unicodedata

from .bidi import has_rtl

_PRESENTATION_FORMS = ((0xFB00, 0xFDFF), (0xFE70, 0xFEFF))


def _fold(code: int) -> str:
    char = chr(code)
    if any(lo <= code <= hi for lo, hi in _PRESENTATION_FORMS):
        return unicodedata.normalize("NFKC", char)
    return char


def glyph_texts(font) -> dict[int, str]:
    """{glyph id: text} for a loaded `fonts.Font`."""
    texts: dict[int, str] = {}
    # Controls last: some fonts map U+0000 to their space glyph too.
    for code in sorted(font.cmap, key=lambda c: (unicodedata.category(chr(c)) == "Cc", c)):
        gid = font.cmap[code]
        if gid not in texts:
            texts[gid] = _fold(code)
    _add_substitutions(font, texts)
    for gid, text in texts.items():
        if len(text) > 1 and has_rtl(text):
            texts[gid] = text[::-1]
    return texts


def _add_substitutions(font, texts: dict[int, str]) -> None:
    from fontTools.ttLib import TTFont
    tt = TTFont(str(font.face.path), fontNumber=font.face.subfont_index, lazy=True)
    order = {name: gid for gid, name in enumerate(tt.getGlyphOrder())}
    # The font file's own cmap, which HarfBuzz shapes with: ReportLab's (font.cmap)
    # maps U+00A0 to the space glyph, HarfBuzz to the font's no-break space glyph,
    # which would otherwise have no text (measured: Noto Sans, "100.4\u00a0°F").
    own_cmap = tt.getBestCmap() or {}
    for code in sorted(own_cmap, key=lambda c: (unicodedata.category(chr(c)) == "Cc", c)):
        gid = order.get(own_cmap[code])
        if gid is not None and gid not in texts:
            texts[gid] = _fold(code)
    if "GSUB" not in tt or tt["GSUB"].table.LookupList is None:
        return
    singles: list[tuple[int, int]] = []            # (from, to)
    ligatures: list[tuple[tuple[int, ...], int]] = []
    for lookup in tt["GSUB"].table.LookupList.Lookup:
        for sub in lookup.SubTable:
            kind = lookup.LookupType
            if kind == 7:
                kind, sub = sub.ExtSubTable.LookupType, sub.ExtSubTable
            if kind == 1:
                singles.extend((order[a], order[b]) for a, b in sub.mapping.items())
            elif kind == 3:
                singles.extend((order[a], order[b]) for a, alts in sub.alternates.items()
                               for b in alts)
            elif kind == 2:
                # One glyph into several: the first carries the text, the rest none.
                singles.extend((order[a], order[seq[0]]) for a, seq in sub.mapping.items()
                               if seq)
            elif kind == 4:
                for first, ligs in sub.ligatures.items():
                    for lig in ligs:
                        parts = (order[first],) + tuple(order[c] for c in lig.Component)
                        ligatures.append((parts, order[lig.LigGlyph]))
            elif kind == 8:
                cover = sub.Coverage.glyphs
                singles.extend((order[a], order[b]) for a, b in zip(cover, sub.Substitute))
    for _ in range(8):                               # chains of substitutions are short
        changed = False
        for source, target in singles:
            if target not in texts and source in texts:
                texts[target] = texts[source]
                changed = True
        for parts, target in ligatures:
            if target not in texts and all(p in texts for p in parts):
                texts[target] = "".join(texts[p] for p in parts)
                changed = True
        if not changed:
            break
