"""A paragraph through the whole engine: spans -> runs -> glyphs -> lines -> PDF operators.

`Paragraph(spans, style, locale, fonts)` itemizes and shapes a paragraph once;
`Paragraph.lines(width)` breaks it into lines for a width, orders each line visually,
aligns it and renders its drawing operators, kept per width. The Typesetter
(text/__init__.py) keeps laid-out paragraphs, so most of a handout is laid out once.
"""
from __future__ import annotations

from types import MappingProxyType
import unicodedata
from dataclasses import dataclass
from itertools import accumulate

from bidi import mirror

from . import bidi, linebreak
from .fonts import Font, is_rtl_locale, needs_no_glyph
from .itemize import Run, cluster_starts, itemize, missing_glyph
from .operators import colour_ops as _colour_ops, needs_actual_text as _needs_actual_text
from .operators import number as _num, show as _show
from .shaping import Glyphs, shape

_CONTROLS = MappingProxyType({c: " " for c in (0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028,
                                                0x2029)})
ANCHOR = 0.5               # how far left of a right-to-left line its anchor glyph is (pt)
PDFIUM_TAG = "Bidi"        # marked-content tag of the ActualText only pdfium reads
EMBOLDEN = 0.03            # stroke width, in em, for bold in a family without a bold face

# Line spacing per script, relative to the style's leading (set for Latin): scripts with
# stacked marks or tall clusters need more room between lines to keep clear of each
# other. Measured as the ink extent of the test corpus (tests/text/corpus) in the
# vendored fonts, so that each keeps Latin's clearance between lines. A paragraph uses
# the largest factor of its runs, so its lines stay evenly spaced.
LEADING = MappingProxyType({"Mymr": 1.3, "Khmr": 1.25, "Arab": 1.1, "Thai": 1.15, "Deva": 1.1,
           "Beng": 1.1, "Guru": 1.1, "Hani": 1.1, "Hira": 1.1, "Kana": 1.1,
           "Hang": 1.05, "Ethi": 1.05})


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

    def __init__(self, spans, style, locale: str, fonts):
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
            # as one unit whatever surrounds them; a formatted date, time or range
            # (Span.isolate) is one unit in the direction of its own first letter.
            if span.phone or (span.href and bidi.first_strong(text) != "R"):
                isolates.append((at, at + n, bidi.LRI))
            elif span.isolate:
                isolates.append((at, at + n, bidi.FSI))
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
                            self.base_rtl, fonts)
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
        for a, b, _ in self.isolates:
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

        Copy and search read ToUnicode where the glyphs read back as the text. A line
        whose glyphs do not (Indic reordering, ligatures, raised marks) gets one
        ActualText span for the whole line (readers add spaces between the text objects
        of separate spans). So does every line holding right-to-left text, since readers
        guess its logical order from the glyphs' positions and get numbers, Latin words,
        punctuation and brackets in it wrong; see _bidi_spans."""
        size = self.style.size
        shown = []
        for piece in pieces:
            glyphs = piece.glyphs
            if not glyphs.gids:
                shown.append(None)
                continue
            ops, jumps = _show(piece.run.font, glyphs, size)
            shown.append((ops, _needs_actual_text(self.text[piece.start:piece.end],
                                                  piece.run.font, glyphs, jumps)))
        line_text = self.text[min(p.start for p in pieces):max(p.end for p in pieces)] \
            if pieces else ""
        bidi_line = bidi.has_rtl(line_text) or any(p.run.rtl for p in pieces)
        anchor = _anchor(pieces) if bidi_line else None
        out = ["BT"]
        current_font = None
        if anchor:
            font = anchor[0]
            out.extend(_bidi_spans(line_text, pieces, anchor, x, size))
            current_font = font
        elif bidi_line or any(item and item[1] for item in shown):
            out.append(_span(line_text))
        else:
            line_text = ""
        render_mode = 0
        used: dict[Font, set[int]] = {}
        links: list[tuple[str, float, float]] = []
        for piece, item in zip(pieces, shown):
            run = piece.run
            if item is not None:
                font = run.font
                if font is not current_font:
                    out.append(f"/{font.resource_name} {_num(size)} Tf")
                    current_font = font
                if run.embolden != bool(render_mode):
                    render_mode = 2 if run.embolden else 0
                    out.append(f"{_num(size * EMBOLDEN)} w 2 Tr" if render_mode else "0 Tr")
                out.append(f"1 0 0 1 {_num(x)} 0 Tm")
                out.extend(item[0])
                used.setdefault(font, set()).update(piece.glyphs.gids)
            href = self.styles[run.style].href
            if href:
                links.append((href, x, x + piece.width))
            x += piece.width
        if render_mode:
            out.append("0 Tr")
        if line_text:
            out.append("EMC")
        if anchor:
            out.append("EMC")
        out.append("ET")
        glyph_sets = tuple((f, frozenset(g)) for f, g in used.items())
        return "\n".join(out), glyph_sets, tuple(links)


def _bidi_spans(text: str, pieces, anchor: tuple[Font, int], x: float,
                size: float) -> list[str]:
    """The opening operators of a line holding right-to-left text: ActualText for
    poppler, ActualText for pdfium and an invisible anchor glyph (see _reader_text).

    The two readers read ActualText differently, so each gets its own: poppler honours
    only /Span and reorders the text as if drawn (the glyphs' text left to right);
    pdfium takes the innermost ActualText of any tag, which the line's every text
    object shares, so it reads it once. pdfium reverses the ActualText when the line's
    leftmost text object is right to left: the anchor, a right-to-left letter of the
    line drawn invisibly (render mode 3) just left of it, makes that always so, and,
    drawn again at the line's right end in the same text object, spreads the boxes
    pdfium gives the ActualText's characters (selection, search hits) over the line.
    Inside poppler's span the anchor is never read."""
    font, gid = anchor
    glyph = f"<{gid:04X}>"
    gap = (sum(p.width for p in pieces) + ANCHOR) * 1000 / size - 2 * font.widths[gid]
    return [_span(_visual_text(pieces)), _span(_reader_text(text), PDFIUM_TAG),
            f"/{font.resource_name} {_num(size)} Tf",
            f"3 Tr 1 0 0 1 {_num(x - ANCHOR)} 0 Tm [{glyph} {_num(-max(gap, 0))} {glyph}] TJ"
            " 0 Tr"]


# pdfium's direction classes (CFX_BidiChar): L, R (R and AL), weak (numbers, their
# separators, marks: read left to right without changing the direction) and neutral.
_WEAK = frozenset({"AN", "EN", "NSM", "CS", "ES", "ET", "BN"})


def _reader_direction(char: str) -> str:
    kind = unicodedata.bidirectional(char)
    if kind == "L":
        return "L"
    if kind in ("R", "AL"):
        return "R"
    return "W" if kind in _WEAK else "N"


def _segments(text: str) -> list[str]:
    """The text cut where pdfium's direction class changes."""
    out: list[str] = []
    last = ""
    for char in text:
        kind = _reader_direction(char)
        if out and kind == last:
            out[-1] += char
        else:
            out.append(char)
        last = kind
    return out


def _reader_text(text: str) -> str:
    """pdfium's ActualText for a line holding right-to-left text (its leftmost text object
    right to left, see _bidi_spans), written so that pdfium gives back `text`.

    pdfium (measured: pdfium 159 in pypdfium2 5.15, over the corpus and random mixes of
    Hebrew, Arabic, Persian, Latin, numbers, dates and brackets) reads such ActualText
    reversed, cut into runs of one direction class; if the runs of right-to-left letters
    outnumber the left-to-right ones it puts the runs in reverse order, and it mirrors
    brackets in neutral runs that follow a right-to-left run (or start a right-to-left
    line). Each step is its own inverse, so they are applied here in the other order.

    >>> _reader_text("abc (שלום) 12")
    '21 (םולש( cba'
    >>> _reader_text("שלום עולם 2026-12-01.")
    'םולש םלוע .10-21-6202'
    """
    segments = _segments(text)
    kinds = [_reader_direction(part[0]) for part in segments]
    rtl = kinds.count("R") > kinds.count("L")
    current = "R" if rtl else "L"
    for i, (kind, part) in enumerate(zip(kinds, segments)):
        if kind == "N" and current == "R":
            segments[i] = "".join(mirror.MIRRORED.get(c, c) for c in part)
        elif kind in ("L", "R"):
            current = kind
    if rtl:
        segments.reverse()
    return "".join(segments)[::-1]


def _visual_text(pieces) -> str:
    """The ToUnicode text of a line's glyphs in drawing order (left to right)."""
    out = []
    for piece in pieces:
        texts = piece.run.font.glyph_text
        out.extend(texts.get(gid, "") for gid in piece.glyphs.gids)
    return "".join(out)


def _anchor(pieces) -> tuple[Font, int] | None:
    """A glyph of the line that reads as a right-to-left letter, and its font."""
    for piece in pieces:
        texts = piece.run.font.glyph_text
        for gid in piece.glyphs.gids:
            text = texts.get(gid, "")
            if text and unicodedata.bidirectional(text[0]) in ("R", "AL"):
                return piece.run.font, gid
    return None


def _span(text: str, tag: str = "Span") -> str:
    return f"/{tag} <</ActualText <FEFF{text.encode('utf-16-be').hex().upper()}>>> BDC"


def _align(align: str, rtl: bool, width: float, line_width: float) -> float:
    if align == "centre":
        return (width - line_width) / 2
    at_right = (align == "end") != rtl
    return width - line_width if at_right else 0.0


__all__ = ["Paragraph", "Line", "needs_no_glyph"]
