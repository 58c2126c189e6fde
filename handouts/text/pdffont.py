"""Embedding: the engine's faces as subset Type 0 fonts (CIDFontType2, Identity-H).

Text is drawn by glyph id: the content stream holds each glyph's id as two bytes, so the
drawing operators of a laid-out paragraph do not depend on the document and are cached
with its layout. Per document only the set of glyphs used per face is kept; when
ReportLab writes the PDF (its "delayed fonts" step) each face used is subset with
ReportLab's TrueType subsetter and written with its widths (/W, exactly HarfBuzz's
advances), a CIDToGIDMap and a ToUnicode map (glyphtext.py) so text can be copied and
searched. Fonts go into the document's shared font dictionary as /HX<n>, beside
ReportLab's own /F<n>.

Made once and reused, never changing the bytes: a subset per (face, glyph set), and the
formatted bytes of its font dictionaries, into which each document puts its own object
numbers (`_Subset.dictionary`).
"""
from __future__ import annotations

import copy
import hashlib
import re
import zlib

from reportlab import rl_config
from reportlab.pdfbase import pdfdoc

from ..caches import LRUCache


class _UsedFonts:
    """The glyphs one document uses, per face; written when the document is saved.
    It lives in the document's own list of delayed fonts (ReportLab's protocol for
    fonts written at the end), so it goes with the document: one document is made by
    one thread."""

    def __init__(self):
        self.glyphs: dict = {}

    def addObjects(self, doc) -> None:          # ReportLab's delayed-font protocol
        fonts = doc.idToObject["BasicFonts"].dict
        for font in sorted(self.glyphs, key=lambda f: f.index):
            fonts[font.resource_name] = _font_objects(doc, font, self.glyphs[font])


def _used_fonts(doc, make: bool) -> _UsedFonts | None:
    for delayed in doc.delayedFonts:
        if type(delayed) is _UsedFonts:
            return delayed
    if not make:
        return None
    used = _UsedFonts()
    doc.delayedFonts.append(used)
    return used


def use_glyphs(doc, font, gids) -> None:
    """Record that a document draws these glyphs of a face."""
    used = _used_fonts(doc, make=True)
    glyphs = used.glyphs.get(font)
    if glyphs is None:
        glyphs = used.glyphs[font] = set()
    glyphs |= gids


def used_glyphs(doc) -> tuple[tuple[int, frozenset[int]], ...]:
    """The glyphs a document draws: (face's manifest position, glyph ids) per face."""
    used = _used_fonts(doc, make=False)
    if used is None:
        return ()
    return tuple(sorted((font.index, frozenset(gids)) for font, gids in used.glyphs.items()))


def _number(value: float) -> str:
    if value == int(value):
        return str(int(value))
    return f"{value:.3f}".rstrip("0").rstrip(".")


class _Subset:
    """One face's subset for one set of glyphs, ready to write: the same for every
    document that uses the same glyphs (most of a locale's handouts)."""

    __slots__ = ("font", "base_name", "program", "length", "cid_to_gid", "w_array",
                 "to_unicode", "size", "_templates")

    def __init__(self, font, gids: tuple[int, ...]):
        self.font = font
        face = font.rl_face
        self.base_name = (f"{_subset_tag(font, gids)}+{face.name.decode('latin-1')}"
                          f"{face.subfontNameX.decode('latin-1')}")
        # ReportLab's subsetter keeps glyph 0 and then the glyphs in the order given
        # (composite parts after), so a glyph's new index is its position + 1.
        subsetter = copy.copy(face)
        subsetter.charToGlyph = {gid: gid for gid in gids}
        program = subsetter.makeSubset(list(gids))
        self.program = zlib.compress(program)
        self.length = len(program)
        cid_to_gid = bytearray(2 * ((gids[-1] if gids else 0) + 1))
        for new, gid in enumerate(gids, start=1):
            cid_to_gid[2 * gid] = new >> 8
            cid_to_gid[2 * gid + 1] = new & 0xFF
        self.cid_to_gid = zlib.compress(bytes(cid_to_gid))
        self.w_array = _w_array(font, gids)
        self.to_unicode = zlib.compress(_to_unicode_cmap(font, gids).encode("latin-1"))
        self.size = len(self.program) + len(self.cid_to_gid) + len(self.to_unicode) \
            + 40 * len(gids)
        self._templates: dict = {}

    def dictionary(self, doc, make, *refs):
        """The dictionary make(self, *refs) for a document. Formatting a face's three
        dictionaries (the /W array above all: a few hundred numbers) was most of the
        time spent writing it, every document, for the same bytes: so they are formatted
        once, with marks where the references go, and each document fills in its own
        object numbers. The bytes are ReportLab's own; they depend on its line-breaking
        setting, which keys the copy, and on encryption, which encrypts strings per
        object, so an encrypted document gets the plain dictionary."""
        if not isinstance(doc.encrypt, pdfdoc.NoEncryption):
            return make(self, *refs)
        key = (make, rl_config.pdfMultiLine)
        parts = self._templates.get(key)
        if parts is None:
            holes = [_Hole(n) for n in range(len(refs))]
            split = _HOLE.split(pdfdoc.format(make(self, *holes), doc))
            # bytes, then the number of a reference, then bytes, ...
            parts = self._templates[key] = [int(part) if at % 2 else part
                                            for at, part in enumerate(split)]
        return _Template(parts, refs)


class SubsetCache:
    """A FontLibrary's subsets by (face, glyph set), least recently used dropped first, bounded by the
    bytes they hold rather than by count: per-patient text (names, dates, notes) makes
    many slightly different glyph sets, and a count of 128 missed for most rows of a
    batch; an English subset holds about 11 KB."""

    def __init__(self, budget: int):
        self._cache = LRUCache(maxsize=1 << 20, budget=budget, weigh=lambda s: s.size)

    def __call__(self, font, gids: tuple[int, ...]) -> _Subset:
        return self._cache.get_or_make((font, gids), lambda key: _Subset(*key))

    def cache_clear(self) -> None:
        self._cache.clear()


def _flate_stream(compressed: bytes) -> pdfdoc.PDFStream:
    """A stream whose content is already Flate-compressed (ReportLab adds no filter)."""
    stream = pdfdoc.PDFStream(content=compressed)
    stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
    return stream


def _font_objects(doc, font, used: set[int]):
    subset = font.subsets(font, tuple(sorted(used - {0})))
    base_name = subset.base_name
    font_file = _flate_stream(subset.program)
    font_file.dictionary["Length1"] = subset.length
    cid_map = _flate_stream(subset.cid_to_gid)
    to_unicode = _flate_stream(subset.to_unicode)
    # References in the order they were always made: it numbers the objects.
    font_file_ref = doc.Reference(font_file, f"hxFontFile:{base_name}")
    descriptor_ref = doc.Reference(subset.dictionary(doc, _descriptor, font_file_ref),
                                   f"hxFontDescriptor:{base_name}")
    cid_map_ref = doc.Reference(cid_map, f"hxCIDToGIDMap:{base_name}")
    cid_font_ref = doc.Reference(subset.dictionary(doc, _cid_font, descriptor_ref, cid_map_ref),
                                 f"hxCIDFont:{base_name}")
    to_unicode_ref = doc.Reference(to_unicode, f"hxToUnicode:{base_name}")
    type0 = subset.dictionary(doc, _type0, cid_font_ref, to_unicode_ref)
    return doc.Reference(type0, f"hxFont:{font.resource_name}")


def _descriptor(subset: _Subset, font_file) -> pdfdoc.PDFDictionary:
    face = subset.font.rl_face
    return pdfdoc.PDFDictionary({
        "Type": pdfdoc.PDFName("FontDescriptor"),
        "FontName": pdfdoc.PDFName(subset.base_name),
        "Flags": (face.flags & ~(1 << 5)) | (1 << 2),    # symbolic, not non-symbolic
        "FontBBox": pdfdoc.PDFArray(face.bbox),
        "ItalicAngle": face.italicAngle,
        "Ascent": face.ascent,
        "Descent": face.descent,
        "CapHeight": face.capHeight,
        "StemV": face.stemV,
        "FontFile2": font_file,
    })


def _cid_font(subset: _Subset, descriptor, cid_map) -> pdfdoc.PDFDictionary:
    return pdfdoc.PDFDictionary({
        "Type": pdfdoc.PDFName("Font"),
        "Subtype": pdfdoc.PDFName("CIDFontType2"),
        "BaseFont": pdfdoc.PDFName(subset.base_name),
        "CIDSystemInfo": pdfdoc.PDFDictionary({
            "Registry": pdfdoc.PDFString("Adobe"), "Ordering": pdfdoc.PDFString("Identity"),
            "Supplement": 0}),
        "FontDescriptor": descriptor,
        "W": pdfdoc.PDFArray(subset.w_array),
        "CIDToGIDMap": cid_map,
    })


def _type0(subset: _Subset, cid_font, to_unicode) -> pdfdoc.PDFDictionary:
    return pdfdoc.PDFDictionary({
        "Type": pdfdoc.PDFName("Font"),
        "Subtype": pdfdoc.PDFName("Type0"),
        "BaseFont": pdfdoc.PDFName(subset.base_name),
        "Encoding": pdfdoc.PDFName("Identity-H"),
        "DescendantFonts": pdfdoc.PDFArray([cid_font]),
        "ToUnicode": to_unicode,
    })


class _Hole(pdfdoc.PDFObject):
    """Stands for the n-th reference while a dictionary is formatted into a template."""

    def __init__(self, n: int):
        self.mark = b"\0%d\0" % n

    def format(self, document) -> bytes:
        return self.mark


_HOLE = re.compile(rb"\0(\d+)\0")


class _Template(pdfdoc.PDFObject):
    """A dictionary's bytes, formatted once, with this document's references filled in."""

    def __init__(self, parts: list, refs: tuple):
        self.parts = parts
        self.refs = refs

    def format(self, document) -> bytes:
        return b"".join(part if type(part) is bytes else self.refs[part].format(document)
                        for part in self.parts)


def _subset_tag(font, gids: list[int]) -> str:
    """Six capital letters naming the subset, the same for the same glyphs."""
    digest = hashlib.sha1(f"{font.face.file}:{gids}".encode()).digest()
    return "".join(chr(65 + b % 26) for b in digest[:6])


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def _w_array(font, gids: tuple[int, ...]) -> list:
    """/W: runs of consecutive glyph ids, each its first id and its widths."""
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
    return w_array


def _to_unicode_cmap(font, gids) -> str:
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
