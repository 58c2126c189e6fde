"""Fonts for the text engine: the vendored faces in fonts/, read through the manifest.

Only files listed in fonts/manifest.toml are ever used, never a system font. A
`FontLibrary` (one per resource library, like WeasyPrint's FontConfiguration) knows, for a
locale and a character's script, the order in which faces are tried (the fallback chain),
and loads each face once for shaping (HarfBuzz), measuring and embedding (pdffont.py),
keeping the subsets made from it.
"""
from __future__ import annotations

from types import MappingProxyType
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from ..caches import ForkSafeLock, pure_memo
from ..resources import FONTS_DIR

BODY_FAMILY = "Noto Sans"

# Writing systems that are written right to left (ISO 15924).
RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg", "Mand",
                         "Samr"})
# A locale's writing system that stands for several character scripts.
COMPOSITE_SCRIPTS = MappingProxyType({
    "Jpan": frozenset({"Hani", "Hira", "Kana"}),
    "Kore": frozenset({"Hang", "Hani"}),
    "Hans": frozenset({"Hani", "Bopo"}),
    "Hant": frozenset({"Hani", "Bopo"}),
})


@dataclass(frozen=True)
class FontFace:
    file: str
    family: str
    style: str            # regular, bold, italic
    scripts: tuple[str, ...]
    sha256: str
    source: str
    version: str
    licence: str
    licence_file: str
    subfont_index: int = 0
    folder: Path = FONTS_DIR

    @property
    def path(self) -> Path:
        return self.folder / self.file

    @property
    def pdf_name(self) -> str:
        """The name the face is registered under in ReportLab."""
        return self.family.replace(" ", "") + "-" + self.style.capitalize()


# -- loaded faces ------------------------------------------------------------------------

class Font:
    """One face, loaded: HarfBuzz font for shaping, cmap and metrics, the PDF embedding.

    Loaded once per FontLibrary and shared; everything derived from it is cached on it,
    and `subsets` is its library's cache of embedded subsets.
    """

    def __init__(self, face: FontFace, index: int, subsets=None):
        import uharfbuzz as hb
        from reportlab.pdfbase.ttfonts import TTFontFace

        from ..rl_adapter import font_file_data

        self.face = face
        self.index = index                  # position in the manifest: a stable id
        self.rl_face = TTFontFace(str(face.path), subfontIndex=face.subfont_index)
        data = font_file_data(self.rl_face)
        self.hb_face = hb.Face(hb.Blob(data), face.subfont_index)
        self.hb_font = hb.Font(self.hb_face)
        self.upem = self.hb_face.upem
        self.cmap: dict[int, int] = self.rl_face.charToGlyph
        # Advance widths in PDF glyph space (1/1000 em), as written to /W.
        scale = 1000 / self.upem
        self.widths = [round(aw * scale, 3) for aw, _ in self.rl_face.hmetrics]
        self.ascent = self.rl_face.ascent / 1000      # em (hhea/OS2 as ReportLab reads it)
        self.descent = -abs(self.rl_face.descent) / 1000
        self.resource_name = f"FH{index}"             # /FH3 in every page's font dict
        self.subsets = subsets

    def __repr__(self) -> str:
        return f"<Font {self.face.pdf_name}>"

    def covers(self, char: str) -> bool:
        return ord(char) in self.cmap

    @cached_property
    def glyph_text(self) -> dict[int, str]:
        """The text each glyph stands for, for the PDF's ToUnicode map: a glyph of the cmap
        stands for its lowest code point (presentation forms folded to the letter), and a
        glyph made by substitution (ligature, contextual form) for the text of the glyphs
        it was made from. Fixed per font, so every PDF maps a glyph the same way."""
        from .glyphtext import glyph_texts
        return glyph_texts(self)


def manifest(fonts_dir: Path = FONTS_DIR) -> tuple[FontFace, ...]:
    """The faces fonts/manifest.toml lists, in its order (a face's position is its id)."""
    data = tomllib.loads((fonts_dir / "manifest.toml").read_text("utf-8"))
    return tuple(FontFace(file=row["file"], family=row["family"], style=row["style"],
                          scripts=tuple(row.get("scripts", ())), sha256=row["sha256"],
                          source=row["source"], version=row["version"],
                          licence=row["licence"], licence_file=row["licence_file"],
                          subfont_index=int(row.get("subfont_index", 0)),
                          folder=fonts_dir)
                 for row in data["font"])


class FontLibrary:
    """The faces of one fonts folder, loaded when first used, once each; their fallback
    chains; and the subsets made of them. Safe to share between threads.

    One `Font` per face: documents key their glyphs by Font and name it by its resource
    name, so two Font objects for one face (two threads loading it at once) would embed
    one name twice; loading happens under a lock. Lookups that run per character
    (`font_for`) are bounded memos of this library's own, never the process's (they
    hold the library in a reference cycle: a discarded library goes at the next
    collection of the cyclic garbage collector, not at once).
    """

    def __init__(self, fonts_dir: Path = FONTS_DIR, *, subset_budget: int = 48 << 20):
        from .pdffont import SubsetCache
        self.fonts_dir = Path(fonts_dir)
        self.faces = manifest(self.fonts_dir)
        self.subsets = SubsetCache(budget=subset_budget)
        self._loaded: dict[FontFace, Font] = {}
        self._loading = ForkSafeLock()
        self.chain = lru_cache(maxsize=1024)(self._chain)
        self.font_for = lru_cache(maxsize=65536)(self._font_for)
        self._styled = lru_cache(maxsize=1024)(self._styled_face)

    def __repr__(self) -> str:
        return f"<FontLibrary {self.fonts_dir}>"

    def face(self, family: str, style: str) -> FontFace:
        for candidate in self.faces:
            if candidate.family == family and candidate.style == style:
                return candidate
        raise KeyError(f"{family} {style} is not in fonts/manifest.toml")

    def load(self, face: FontFace) -> Font:
        font = self._loaded.get(face)
        if font is None:
            with self._loading:
                font = self._loaded.get(face)
                if font is None:
                    font = self._loaded[face] = Font(face, self.faces.index(face),
                                                     self.subsets)
        return font

    def by_index(self, index: int) -> Font:
        """The face at a manifest position (how recorded pages name their fonts)."""
        return self.load(self.faces[index])

    def loaded_faces(self) -> tuple[FontFace, ...]:
        """The faces loaded so far (a handout loads only those it draws with)."""
        with self._loading:
            return tuple(self._loaded)

    def styled(self, font: Font, bold: bool, italic: bool) -> Font:
        """The face of the font's family for a style, or the font itself if there is none."""
        return self._styled(font.face, bold, italic)

    def _styled_face(self, base: FontFace, bold: bool, italic: bool) -> Font:
        wanted = "bold" if bold else ("italic" if italic else "regular")
        for candidate in self.faces:
            if candidate.family == base.family and candidate.style == wanted:
                return self.load(candidate)
        return self.load(base)

    def _chain(self, locale: str, script: str) -> Sequence[Font]:
        """Regular faces in the order they are tried for a character of `script` in text
        of `locale`: the locale's own faces for its scripts, then faces made for the
        script, then Noto Sans (digits, punctuation, Latin), then every other face as a
        last resort. Faces are loaded as the chain is walked (see `_Chain`)."""
        system = writing_system(locale)
        regular = [f for f in self.faces if f.style == "regular"]
        order: list[FontFace] = []

        def add(faces):
            for f in faces:
                if f not in order:
                    order.append(f)

        if script == system or script in COMPOSITE_SCRIPTS.get(system, ()):
            add(f for f in regular if system in f.scripts)
        add(f for f in regular if script in f.scripts)
        add(f for f in regular
            if any(script in COMPOSITE_SCRIPTS.get(s, ()) for s in f.scripts))
        add(f for f in regular if f.family == BODY_FAMILY)
        add(regular)
        return _Chain(order, self.load)

    def _font_for(self, char: str, locale: str, script: str) -> Font | None:
        """The first face of the chain that has the character, or None."""
        code = ord(char)
        for font in self.chain(locale, script):
            if code in font.cmap:
                return font
        return None


# -- fallback chains ---------------------------------------------------------------------

@pure_memo(maxsize=256)
def writing_system(locale: str) -> str:
    """ISO 15924 code of a locale's writing system: zh_Hant -> Hant, ja -> Jpan, ar -> Arab."""
    from babel.core import get_global
    parts = locale.replace("-", "_").split("_")
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            return part.title()
    likely = get_global("likely_subtags")
    for key in ("_".join(parts), parts[0].lower()):
        found = likely.get(key)
        if found:
            for part in found.split("_")[1:]:
                if len(part) == 4 and part.isalpha():
                    return part.title()
    return "Latn"


def is_rtl_locale(locale: str) -> bool:
    return writing_system(locale) in RTL_SCRIPTS


class _Chain(Sequence):
    """A fallback chain whose faces are loaded only when first reached.

    Loading a face (reading the TrueType file, HarfBuzz) costs tens of milliseconds; a
    chain ends with every face of the manifest, but English text rarely goes past Noto
    Sans, so loading them all up front would make each batch worker's start slow for
    nothing. Output cannot depend on which faces happen to be loaded: a face's resource
    name and the order fonts are written in come from its manifest position (`Font.index`),
    and `load` gives one shared `Font` per face whenever it is called.
    """

    __slots__ = ("_faces", "_fonts", "_load")

    def __init__(self, faces, load):
        self._faces = tuple(faces)
        self._fonts: list[Font | None] = [None] * len(self._faces)
        self._load = load

    def __len__(self) -> int:
        return len(self._faces)

    def _font(self, at: int) -> Font:
        font = self._fonts[at]
        if font is None:
            font = self._fonts[at] = self._load(self._faces[at])
        return font

    def __getitem__(self, at):
        if isinstance(at, slice):
            return tuple(self._font(i) for i in range(len(self._faces))[at])
        return self._font(range(len(self._faces))[at])

    def __iter__(self):
        for at in range(len(self._faces)):
            yield self._font(at)

    def __repr__(self) -> str:
        return f"<chain {', '.join(f.pdf_name for f in self._faces)}>"


def needs_no_glyph(char: str) -> bool:
    """Characters that need no glyph of their own: controls, format characters (joiners,
    bidi marks, soft hyphen), variation selectors; white space is drawn as space."""
    return unicodedata.category(char) in ("Cc", "Cf") or 0xFE00 <= ord(char) <= 0xFE0F \
        or 0xE0100 <= ord(char) <= 0xE01EF
