"""A paragraph through the whole engine: spans -> runs -> glyphs -> lines -> PDF operators.

`lay_out(spans, style, locale)` itemizes and shapes a paragraph once; `Paragraph.lines(width)`
breaks it into lines for a width, orders each line visually, aligns it and renders its
drawing operators. Both are cached: a static paragraph (same spans, style, width and locale,
as most of a handout is for every patient) is laid out once per process and every later
handout reuses the same operator strings, so the output is the same bytes either way.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from . import bidi, linebreak
from .fonts import Font, is_rtl_locale, needs_no_glyph
from .itemize import Run, cluster_starts, itemize, missing_glyph
from .shaping import Glyphs, shape

CACHE_SIZE = 2048          # laid-out paragraphs kept per process
_CONTROLS = {c: " " for c in (0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029)}
GAP = 100                  # a forward jump (1/1000 em) that text extractors read as a space
EMBOLDEN = 0.03            # stroke width, in em, for bold in a family without a bold face

# Line spacing per script, relative to the style's leading (set for Latin): scripts with
# stacked marks or tall clusters need more room between lines to keep clear of each
# other. Measured as the ink extent of the test corpus (tests/text/corpus) in the
# vendored fonts, so that each keeps Latin's clearance between lines. A paragraph uses
# the largest factor of its runs, so its lines stay evenly spaced.
LEADING = {"Mymr": 1.3, "Khmr": 1.25, "Arab": 1.1, "Thai": 1.15, "Deva": 1.1,
           "Beng": 1.1, "Guru": 1.1, "Hani": 1.1, "Hira": 1.1, "Kana": 1.1,
           "Hang": 1.05, "Ethi": 1.05}


@dataclass(frozen=True)
class RunStyle:
    bold: bool = False
    italic: bool = False
    href: str = ""
    phone: bool = False


@dataclass(frozen=True)
class Piece:
    """The part of one run on one line: glyphs in visual order and its width in points."""
    run: Run
    start: int
    end: int
    glyphs: Glyphs
    width: float


@dataclass(frozen=True)
class Line:
    start: int                 # character range in the paragraph text (logical)
    end: int
    x: float                   # left edge of the line after alignment
    width: float
    ascent: float              # top of the line box to the baseline
    height: float              # line box height (the distance to the next line's top)
    ops: str                   # PDF operators drawing the line, baseline at y = 0
    glyphs: tuple[tuple[Font, frozenset[int]], ...]
    links: tuple[tuple[str, float, float], ...]
    pieces: tuple[Piece, ...]  # in visual order, left to right


class Paragraph:
    """A paragraph itemized and shaped; lines are made per width on demand."""

    def __init__(self, spans, style, locale: str):
        self.style = style
        self.locale = locale
        self.rtl = is_rtl_locale(locale)         # the document's direction: alignment
        self.colour_ops = _colour_ops(style.colour)
        styles: list[RunStyle] = []
        parts, char_styles, bold, italic, latin, isolates = [], [], [], [], [], []
        at = 0
        for span in spans:
            text = unicodedata.normalize("NFC", span.text).translate(_CONTROLS)
            if not text:
                continue
            run_style = RunStyle(span.bold or style.bold, span.italic, span.href, span.phone)
            if run_style not in styles:
                styles.append(run_style)
            index = styles.index(run_style)
            parts.append(text)
            n = len(text)
            char_styles += [index] * n
            bold += [run_style.bold] * n
            italic += [run_style.italic] * n
            latin += [span.phone] * n
            # Phone numbers, and links written in Latin (addresses), read left to right
            # as one unit whatever surrounds them.
            if span.phone or (span.href and bidi.first_strong(text) != "R"):
                isolates.append((at, at + n))
            at += n
        self.text = text = "".join(parts)
        self.styles = tuple(styles)
        self.isolates = tuple(isolates)
        # The text's own direction: the locale's, unless the text is all of the other
        # direction (an English note in an Arabic handout, an Arabic name alone in an
        # English one), as HTML's dir=auto would; alignment still follows the locale.
        strong = bidi.first_strong(text)
        self.base_rtl = self.rtl
        if self.rtl and strong == "L" and not bidi.has_rtl(text):
            self.base_rtl = False
        elif not self.rtl and strong == "R":
            self.base_rtl = True
        self.runs = itemize(text, char_styles, bold, italic, latin, self.isolates, locale,
                            self.base_rtl)
        factor = max((LEADING.get(run.script, 1.0) for run in self.runs), default=1.0)
        self.line_height = style.leading * factor
        self.ascent = style.size + (self.line_height - style.leading) / 2
        language = locale.replace("_", "-")
        self.glyphs = [shape(r.font, text, r.start, r.end, r.rtl, r.script, language)
                       for r in self.runs]
        for run, glyphs in zip(self.runs, self.glyphs):
            if 0 in glyphs.gids:                       # never a box on the page
                cluster = glyphs.clusters[glyphs.gids.index(0)]
                raise missing_glyph(text[cluster], locale, text)
        advance = [0.0] * (len(text) + 1)
        size = style.size
        for run, glyphs in zip(self.runs, self.glyphs):
            scale = size / run.font.upem
            for cluster, adv in zip(glyphs.clusters, glyphs.advances):
                advance[cluster] += adv * scale
        self.prefix = [0.0] + list(accumulate(advance[:-1]))
        starts = cluster_starts(text)
        inside = set()
        for a, b in self.isolates:
            inside.update(range(a + 1, b))
        self.cuts = [i for i in range(1, len(text)) if starts[i] and i not in inside]
        allowed = set(self.cuts)
        self.breaks = [p for p in linebreak.opportunities(text, locale) if p in allowed]
        self._lines: dict[tuple[float, int], tuple[Line, ...]] = {}

    def lines(self, width: float, start: int = 0) -> tuple[Line, ...]:
        """The lines of the text from `start` (a line start) on, for a width."""
        key = (round(width, 3), start)
        lines = self._lines.get(key)
        if lines is None:
            ranges = linebreak.fill(self.prefix, self.text, self.breaks, self.cuts, width,
                                    start)
            lines = self._lines[key] = tuple(self._line(a, b, width) for a, b in ranges)
        return lines

    # -- one line ------------------------------------------------------------------------

    def _line(self, start: int, end: int, width: float) -> Line:
        style = self.style
        pieces = []
        for run, glyphs in zip(self.runs, self.glyphs):
            if run.end <= start or run.start >= end:
                continue
            a, b = max(run.start, start), min(run.end, end)
            if (a, b) != (run.start, run.end):
                glyphs = self._piece_glyphs(run, glyphs, a, b)
            pieces.append(Piece(run, a, b, glyphs,
                                sum(glyphs.advances) * style.size / run.font.upem))
        order = bidi.visual_order([p.run.level for p in pieces])
        pieces = [pieces[i] for i in order]
        line_width = sum(p.width for p in pieces)
        x = _align(style.align, self.rtl, width, line_width)
        ops, used, links = self._ops(pieces, x)
        return Line(start, end, x, line_width, self.ascent, self.line_height, ops, used,
                    links, tuple(pieces))

    def _piece_glyphs(self, run: Run, glyphs: Glyphs, a: int, b: int) -> Glyphs:
        if (a > run.start and a in glyphs.unsafe) or (b < run.end and b in glyphs.unsafe):
            return shape(run.font, self.text, a, b, run.rtl, run.script,
                         self.locale.replace("_", "-"))
        keep = [i for i, c in enumerate(glyphs.clusters) if a <= c < b]
        if not keep:
            return Glyphs((), (), (), (), (), frozenset())
        i, j = keep[0], keep[-1] + 1
        return Glyphs(glyphs.gids[i:j], glyphs.clusters[i:j], glyphs.advances[i:j],
                      glyphs.x_offsets[i:j], glyphs.y_offsets[i:j], glyphs.unsafe)

    def _ops(self, pieces, x: float):
        """PDF operators for a line's pieces (in visual order) from x, baseline y = 0.

        Copy and search read ToUnicode where the glyphs read back as the text, and
        ActualText where they do not: for a left-to-right line, one span for the whole
        line (readers add spaces between the text objects of separate spans), else one
        per left-to-right piece that needs it."""
        size = self.style.size
        shown = []
        all_rtl = all(p.run.rtl for p in pieces if p.glyphs.gids)
        for piece in pieces:
            glyphs = piece.glyphs
            if not glyphs.gids:
                shown.append(None)
                continue
            ops, jumps = _show(piece.run.font, glyphs, size)
            actual = _needs_actual_text(self.text[piece.start:piece.end], piece.run.font,
                                        glyphs, piece.run.rtl, jumps, all_rtl)
            shown.append((ops, actual))
        whole_line = not any(p.run.rtl for p in pieces) and \
            any(item and item[1] for item in shown)
        out = ["BT"]
        if whole_line:
            start = min(p.start for p in pieces)
            end = max(p.end for p in pieces)
            out.append(_span(self.text[start:end]))
        current_font = None
        render_mode = 0
        used: dict[Font, set[int]] = {}
        links: list[tuple[str, float, float]] = []
        for piece, item in zip(pieces, shown):
            run = piece.run
            if item is not None:
                ops, actual = item
                font = run.font
                if font is not current_font:
                    out.append(f"/{font.resource_name} {_num(size)} Tf")
                    current_font = font
                if run.embolden != bool(render_mode):
                    render_mode = 2 if run.embolden else 0
                    out.append(f"{_num(size * EMBOLDEN)} w 2 Tr" if render_mode else "0 Tr")
                out.append(f"1 0 0 1 {_num(x)} 0 Tm")
                own_span = actual and not whole_line
                if own_span:
                    piece_text = self.text[piece.start:piece.end]
                    out.append(_span(_actual_text_for_rtl(piece_text) if run.rtl
                                      else piece_text))
                out.extend(ops)
                if own_span:
                    out.append("EMC")
                used.setdefault(font, set()).update(piece.glyphs.gids)
            href = self.styles[run.style].href
            if href:
                links.append((href, x, x + piece.width))
            x += piece.width
        if render_mode:
            out.append("0 Tr")
        if whole_line:
            out.append("EMC")
        out.append("ET")
        glyph_sets = tuple((f, frozenset(g)) for f, g in used.items())
        return "\n".join(out), glyph_sets, tuple(links)


def _actual_text_for_rtl(text: str) -> str:
    """ActualText for a right-to-left piece, written so that copy and search give the
    logical text. Readers treat the ActualText of right-to-left glyphs as visual order and
    reverse each run of right-to-left letters (marks and punctuation stay where they are;
    measured with pdfium), so the runs are reversed here first and the reader's reversal
    restores them.

    >>> _actual_text_for_rtl("abc שלום, עולם")
    'abc םולש, םלוע'
    """
    out, run = [], []
    for char in text:
        if unicodedata.bidirectional(char) in ("R", "AL"):
            run.append(char)
        else:
            out.extend(reversed(run))
            run = []
            out.append(char)
    out.extend(reversed(run))
    return "".join(out)


def _span(text: str) -> str:
    return f"/Span <</ActualText <FEFF{text.encode('utf-16-be').hex().upper()}>>> BDC"


def _colour_ops(colour: str) -> str:
    """Fill and stroke colour operators (stroke for emboldened text)."""
    value = colour.lstrip("#")
    rgb = " ".join(_num(int(value[i:i + 2], 16) / 255) for i in (0, 2, 4))
    return f"{rgb} rg {rgb} RG"


def _align(align: str, rtl: bool, width: float, line_width: float) -> float:
    if align == "centre":
        return (width - line_width) / 2
    at_right = (align == "end") != rtl
    return width - line_width if at_right else 0.0


def _num(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _show(font: Font, glyphs: Glyphs, size: float) -> tuple[list[str], bool]:
    """TJ operators drawing glyphs at HarfBuzz's positions; y offsets as text rise.
    Positions are in thousandths of an em from the run's start. Also tells
    whether the pen jumps forward between glyphs by more than readers take for a word gap
    (a mark placed left of its own origin, then the next letter)."""
    k = 1000 / font.upem
    widths = font.widths
    gids, advances = glyphs.gids, glyphs.advances
    xoffs, yoffs = glyphs.x_offsets, glyphs.y_offsets
    pen = [0] * len(gids)
    at = 0
    for i, adv in enumerate(advances):
        pen[i] = at
        at += adv
    out: list[str] = []
    items: list[str] = []
    hexes: list[str] = []
    rise = 0
    jumps = False
    position = 0.0              # where the PDF's text position is now, in 1/1000 em
    for i, gid in enumerate(gids):
        if yoffs[i] != rise:
            if hexes:
                items.append("<" + "".join(hexes) + ">")
                hexes = []
            if items:
                out.append("[" + " ".join(items) + "] TJ")
                items = []
            rise = yoffs[i]
            out.append(f"{_num(rise * size / font.upem)} Ts")
        target = (pen[i] + xoffs[i]) * k
        adjust = position - target
        if adjust < -GAP:
            jumps = True
        if abs(adjust) >= 0.005:
            if hexes:
                items.append("<" + "".join(hexes) + ">")
                hexes = []
            items.append(_num(round(adjust, 2)))
        hexes.append(f"{gid:04X}")
        position = target + widths[gid]
    if hexes:
        items.append("<" + "".join(hexes) + ">")
    if items:
        out.append("[" + " ".join(items) + "] TJ")
    if rise:
        out.append("0 Ts")
    return out, jumps


def _needs_actual_text(source: str, font: Font, glyphs: Glyphs, rtl: bool,
                       jumps: bool, all_rtl: bool) -> bool:
    """Whether a piece needs ActualText: not when its glyphs' ToUnicode text reads back
    as the source, no glyph is raised or lowered (text rise makes a separate text object
    that readers place apart) and none is far ahead of the previous one (read as a
    space). Right-to-left pieces only when they carry combining marks and the whole line
    is right to left: readers put marks drawn as separate glyphs out of order, while plain
    right-to-left letters read back better from ToUnicode, and in lines that mix
    directions readers guess the order of ActualText differently (measured with pdfium
    over the corpus's 74 right-to-left lines)."""
    if rtl:
        return all_rtl and any(unicodedata.category(char) == "Mn" for char in source)
    texts = font.glyph_text
    return jumps or any(glyphs.y_offsets) or \
        "".join(texts.get(g, "\ufffd") for g in glyphs.gids) != source


@lru_cache(maxsize=CACHE_SIZE)
def lay_out(spans: tuple, style, locale: str) -> Paragraph:
    """The itemized and shaped paragraph, cached on (spans, style, locale)."""
    return Paragraph(spans, style, locale)


__all__ = ["lay_out", "Paragraph", "Line", "needs_no_glyph"]
