"""Embedding: the engine's faces as subset Type 0 fonts (CIDFontType2, Identity-H).

Text is drawn by glyph id: the content stream holds each glyph's id as two bytes, so the
drawing operators of a laid-out paragraph do not depend on the document and are cached
with its layout. Per document only the set of glyphs used per face is kept; when
ReportLab writes the PDF (its "delayed fonts" step) each face used is subset with
ReportLab's TrueType subsetter and written with its widths (/W, exactly HarfBuzz's
advances), a CIDToGIDMap and a ToUnicode map (glyphtext.py) so text can be copied and
searched. Fonts go into the document's shared font dictionary as /HX<n>, beside
ReportLab's own /F<n>.
"""
from __future__ import annotations

import copy
import hashlib
import zlib
from functools import lru_cache
from weakref import WeakKeyDictionary

from reportlab.pdfbase import pdfdoc

from .fonts import Font

_documents: WeakKeyDictionary = WeakKeyDictionary()


class _UsedFonts:
    """The glyphs one document uses, per face; written when the document is saved."""

    def __init__(self):
        self.glyphs: dict[Font, set[int]] = {}

    def addObjects(self, doc) -> None:          # ReportLab's delayed-font protocol
        fonts = doc.idToObject["BasicFonts"].dict
        for font in sorted(self.glyphs, key=lambda f: f.index):
            fonts[font.resource_name] = _font_objects(doc, font, self.glyphs[font])


def use_glyphs(doc, font: Font, gids) -> None:
    """Record that a document draws these glyphs of a face."""
    used = _documents.get(doc)
    if used is None:
        used = _documents[doc] = _UsedFonts()
        doc.delayedFonts.append(used)
    glyphs = used.glyphs.get(font)
    if glyphs is None:
        glyphs = used.glyphs[font] = set()
    glyphs |= gids


def _number(value: float) -> str:
    if value == int(value):
        return str(int(value))
    return f"{value:.3f}".rstrip("0").rstrip(".")


@lru_cache(maxsize=128)
def _subset(font: Font, gids: tuple[int, ...]) -> tuple:
    """Subset name, font program, CIDToGIDMap, /W array and ToUnicode map of a set of
    glyphs: the same for every document that uses the same glyphs (most of a locale's
    handouts), so made once."""
    face = font.rl_face
    base_name = (f"{_subset_tag(font, gids)}+{face.name.decode('latin-1')}"
                 f"{face.subfontNameX.decode('latin-1')}")
    # ReportLab's subsetter keeps glyph 0 and then the glyphs in the order given
    # (composite parts after), so a glyph's new index is its position + 1.
    subsetter = copy.copy(face)
    subsetter.charToGlyph = {gid: gid for gid in gids}
    program = subsetter.makeSubset(list(gids))
    cid_to_gid = bytearray(2 * ((gids[-1] if gids else 0) + 1))
    for new, gid in enumerate(gids, start=1):
        cid_to_gid[2 * gid] = new >> 8
        cid_to_gid[2 * gid + 1] = new & 0xFF
    widths = font.widths
    w_array: list = []
    run_start, run = 0, []
    for gid in gids:
        if run and gid == run_start + len(run):
            run.append(_number(widths[gid]))
            continue
        if run:
            w_array.extend([run_start, pdfdoc.PDFArray(run)])
        run_start, run = gid, [_number(widths[gid])]
    if run:
        w_array.extend([run_start, pdfdoc.PDFArray(run)])
    return (base_name, zlib.compress(program), len(program), zlib.compress(bytes(cid_to_gid)),
            w_array, zlib.compress(_to_unicode_cmap(font, gids).encode("latin-1")))


def _flate_stream(compressed: bytes) -> pdfdoc.PDFStream:
    """A stream whose content is already Flate-compressed (ReportLab adds no filter)."""
    stream = pdfdoc.PDFStream(content=compressed)
    stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
    return stream


def _font_objects(doc, font: Font, used: set[int]):
    base_name, program, length, cid_to_gid, w_array, to_unicode_map = _subset(
        font, tuple(sorted(used - {0})))
    face = font.rl_face
    font_file = _flate_stream(program)
    font_file.dictionary["Length1"] = length
    cid_map = _flate_stream(cid_to_gid)
    to_unicode = _flate_stream(to_unicode_map)
    flags = (face.flags & ~(1 << 5)) | (1 << 2)       # symbolic, not non-symbolic
    descriptor = pdfdoc.PDFDictionary({
        "Type": pdfdoc.PDFName("FontDescriptor"),
        "FontName": pdfdoc.PDFName(base_name),
        "Flags": flags,
        "FontBBox": pdfdoc.PDFArray(face.bbox),
        "ItalicAngle": face.italicAngle,
        "Ascent": face.ascent,
        "Descent": face.descent,
        "CapHeight": face.capHeight,
        "StemV": face.stemV,
        "FontFile2": doc.Reference(font_file, f"hxFontFile:{base_name}"),
    })
    cid_font = pdfdoc.PDFDictionary({
        "Type": pdfdoc.PDFName("Font"),
        "Subtype": pdfdoc.PDFName("CIDFontType2"),
        "BaseFont": pdfdoc.PDFName(base_name),
        "CIDSystemInfo": pdfdoc.PDFDictionary({
            "Registry": pdfdoc.PDFString("Adobe"), "Ordering": pdfdoc.PDFString("Identity"),
            "Supplement": 0}),
        "FontDescriptor": doc.Reference(descriptor, f"hxFontDescriptor:{base_name}"),
        "W": pdfdoc.PDFArray(w_array),
        "CIDToGIDMap": doc.Reference(cid_map, f"hxCIDToGIDMap:{base_name}"),
    })
    type0 = pdfdoc.PDFDictionary({
        "Type": pdfdoc.PDFName("Font"),
        "Subtype": pdfdoc.PDFName("Type0"),
        "BaseFont": pdfdoc.PDFName(base_name),
        "Encoding": pdfdoc.PDFName("Identity-H"),
        "DescendantFonts": pdfdoc.PDFArray([doc.Reference(cid_font, f"hxCIDFont:{base_name}")]),
        "ToUnicode": doc.Reference(to_unicode, f"hxToUnicode:{base_name}"),
    })
    return doc.Reference(type0, f"hxFont:{font.resource_name}")


def _subset_tag(font: Font, gids: list[int]) -> str:
    """Six capital letters naming the subset, the same for the same glyphs."""
    digest = hashlib.sha1(f"{font.face.file}:{gids}".encode()).digest()
    return "".join(chr(65 + b % 26) for b in digest[:6])


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def _to_unicode_cmap(font: Font, gids: list[int]) -> str:
    texts = font.glyph_text
    entries = [f"<{gid:04X}> <{_utf16_hex(texts[gid])}>" for gid in gids if texts.get(gid)]
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    for at in range(0, len(entries), 100):
        block = entries[at:at + 100]
        lines.append(f"{len(block)} beginbfchar")
        lines.extend(block)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)
