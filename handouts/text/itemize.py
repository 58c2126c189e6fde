"""Itemize: a paragraph's text -> runs of one bidi level, one script, one font, one style.

Scripts come from fontTools.unicodedata. Common characters (spaces, digits, punctuation)
take the script of the text around them (a closing bracket that of its opening bracket),
inherited ones (combining marks) that of their base; phone numbers count as Latin. A font
is chosen per character cluster (a base with its combining marks and joiners) as the first
face of the locale's chain for that script that has every character of the cluster.
"""
from __future__ import annotations

from types import MappingProxyType
import unicodedata
from dataclasses import dataclass

from fontTools import unicodedata as ftu

from ..caches import pure_memo
from ..errors import MissingGlyphError
from . import bidi
from .fonts import Font, FontLibrary, needs_no_glyph, writing_system

COMMON, INHERITED, UNKNOWN = "Zyyy", "Zinh", "Zzzz"
# HarfBuzz wants a character script; a locale's writing system may name several.
HB_SCRIPT = MappingProxyType({"Jpan": "Hani", "Kore": "Hang", "Hans": "Hani", "Hant": "Hani"})


@dataclass(frozen=True)
class Run:
    start: int
    end: int
    level: int
    script: str          # ISO 15924, as given to HarfBuzz
    font: Font
    style: int           # index into the paragraph's styles
    embolden: bool       # bold asked for, but the family has no bold face

    @property
    def rtl(self) -> bool:
        return bool(self.level & 1)


@pure_memo(maxsize=8192)
def char_script(char: str) -> str:
    script = ftu.script(char)
    return COMMON if script == UNKNOWN else script


@pure_memo(maxsize=8192)
def _joins_previous(char: str) -> bool:
    """Combining marks, joiners and variation selectors belong to the previous cluster."""
    cat = unicodedata.category(char)
    return cat in ("Mn", "Mc", "Me") or needs_no_glyph(char)


def resolve_scripts(text: str, locale: str, latin: list[bool]) -> list[str]:
    """One script per character, Common and Inherited resolved from context."""
    n = len(text)
    out = [char_script(c) for c in text]
    stack: list[tuple[str, str]] = []               # (closing bracket, script)
    previous = ""
    pending: list[int] = []                          # Common before the first strong one
    for i, char in enumerate(text):
        script = out[i]
        if latin[i] and script in (COMMON, INHERITED):
            out[i] = "Latn"
            continue
        if script == INHERITED:
            if i and not (pending and pending[-1] == i - 1):
                out[i] = out[i - 1]
            else:
                pending.append(i)
            continue
        if script != COMMON:
            previous = script
            if pending:
                for j in pending:
                    out[j] = script
                pending.clear()
            continue
        closing = _closing_bracket(char)
        if closing:
            stack.append((closing, previous))
        elif stack and any(close == char for close, _ in stack):
            while stack:
                close, opened = stack.pop()
                if close == char:
                    break
            if opened:
                out[i] = opened
                continue
        if previous:
            out[i] = previous
        else:
            pending.append(i)
    if pending:
        fallback = writing_system(locale)
        for j in pending:
            out[j] = fallback
    assert len(out) == n
    return out


@pure_memo(maxsize=512)
def _closing_bracket(char: str) -> str:
    if unicodedata.category(char) != "Ps":
        return ""
    return _PAIRS.get(char, "")


_PAIRS = MappingProxyType({"(": ")", "[": "]", "{": "}", "（": "）", "［": "］", "｛": "｝", "「": "」",
          "『": "』", "【": "】", "〔": "〕", "〈": "〉", "《": "》", "«": "»", "‹": "›",
          "⁅": "⁆", "〖": "〗", "〘": "〙", "〚": "〛", "⟨": "⟩"})


def cluster_starts(text: str) -> list[bool]:
    return [i == 0 or not _joins_previous(c) for i, c in enumerate(text)]


def choose_fonts(text: str, scripts: list[str], starts: list[bool], locale: str,
                 context: str, fonts: FontLibrary) -> list[Font]:
    """The regular face for every character, chosen per cluster."""
    n = len(text)
    chosen: list[Font] = [None] * n  # type: ignore[list-item]
    i = 0
    while i < n:
        j = i + 1
        while j < n and not starts[j]:
            j += 1
        font = _cluster_font(text, i, j, scripts[i], locale, context, fonts)
        for k in range(i, j):
            chosen[k] = font
        i = j
    return chosen


def _cluster_font(text: str, i: int, j: int, script: str, locale: str,
                  context: str, fonts: FontLibrary) -> Font:
    font_for, chain = fonts.font_for, fonts.chain
    base = text[i]
    if j == i + 1:
        font = font_for(base, locale, script)
        if font is None:
            if needs_no_glyph(base) or base.isspace():
                return chain(locale, script)[0]
            raise missing_glyph(base, locale, context or text)
        return font
    wanted = [c for c in text[i:j] if not needs_no_glyph(c)]
    for font in chain(locale, script):
        if all(ord(c) in font.cmap for c in wanted):
            return font
    for c in wanted:
        if font_for(c, locale, script) is None:
            raise missing_glyph(c, locale, context or text)
    # Every character is somewhere, but no face has the whole cluster: draw it with the
    # face of its base and let the marks fall back one by one (rare: unusual mark stacks).
    return font_for(base, locale, script) or chain(locale, script)[0]


def missing_glyph(char: str, locale: str, text: str) -> MissingGlyphError:
    shown = text
    if len(shown) > 60:
        at = max(0, shown.find(char) - 20)
        shown = "…" + shown[at:at + 50] + "…"
    return MissingGlyphError(
        f"no font covers {char!r} (U+{ord(char):04X}) in {shown!r}", field="text",
        hint=f"locale {locale}: add a font that covers it to fonts/manifest.toml, "
             "or change the text")


def itemize(text: str, char_styles: list[int], bold: list[bool], italic: list[bool],
            latin: list[bool], isolates: tuple[tuple[int, int], ...], locale: str,
            rtl: bool, fonts: FontLibrary) -> list[Run]:
    """Runs in logical order covering the whole text."""
    n = len(text)
    if not n:
        return []
    scripts = resolve_scripts(text, locale, latin)
    starts = cluster_starts(text)
    faces = choose_fonts(text, scripts, starts, locale, text, fonts)
    levels = bidi.levels(text, rtl, isolates)
    runs: list[Run] = []
    i = 0
    while i < n:
        key = (levels[i], scripts[i], faces[i], char_styles[i])
        j = i + 1
        while j < n and (levels[j], scripts[j], faces[j], char_styles[j]) == key:
            j += 1
        font = fonts.styled(faces[i], bold[i], italic[i])
        if font is not faces[i] and not all(ord(c) in font.cmap for c in text[i:j]
                                            if not needs_no_glyph(c)):
            font = faces[i]
        embolden = bold[i] and font.face.style != "bold"
        runs.append(Run(i, j, levels[i], HB_SCRIPT.get(scripts[i], scripts[i]), font,
                        char_styles[i], embolden))
        i = j
    return runs
