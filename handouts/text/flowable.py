"""The engine's paragraphs as Platypus flowables: wrap, split across frames, draw.

A `TextBlock` is a laid-out paragraph (or the part of one left after a page break) from a
start character on. `wrap` breaks it for the width it is given, `split` keeps whole lines
(never one line alone at the foot or the head of a frame), `draw` appends the cached
operators to the page and tells the document which glyphs of which faces it used.
`first_line_height` lets a list item put its bullet on the first line.
A canvas with a `share_drawing(code) -> code` method sees each paragraph's operators
first: the one a handout is laid out on marks them for the print file, where a paragraph
drawn again at the same place becomes one shared form.
"""
from __future__ import annotations

from reportlab.platypus import Flowable

from .engine import Line, Paragraph
from .operators import number as _num
from ..rl_adapter import document_of, draw_in_place, page_code
from .pdffont import use_glyphs


class TextBlock(Flowable):
    #: Whether the canvas may draw it as a shared form. Not for text that shares a
    #: baseline with text drawn apart from it (the footer's cells): pdfium reads a form's
    #: text as a line of its own.
    shareable = True

    def __init__(self, paragraph: Paragraph, start: int = 0, count: int | None = None):
        super().__init__()
        self.paragraph = paragraph
        self.start = start
        self.count = count              # lines kept (the first part of a split), or all
        self.spaceAfter = paragraph.style.space_after
        self.width = 0.0
        self.height = 0.0
        self.first_line_height = paragraph.line_height
        self._lines: tuple[Line, ...] = ()

    def __repr__(self) -> str:
        return f"<TextBlock {self.paragraph.text[self.start:self.start + 40]!r}>"

    @property
    def text(self) -> str:
        return self.paragraph.text[self.start:]

    @property
    def lines(self) -> tuple[Line, ...]:
        return self._lines

    def wrap(self, available_width, available_height):
        self.width = available_width
        self._lines = self.paragraph.lines(available_width, self.start)[:self.count]
        self.height = sum(line.height for line in self._lines)
        if self._lines:
            self.first_line_height = self._lines[0].height
        return available_width, self.height

    def split(self, available_width, available_height):
        lines = self.paragraph.lines(available_width, self.start)[:self.count]
        fit, used = 0, 0.0
        for line in lines:
            if used + line.height > available_height + 1e-6:
                break
            used += line.height
            fit += 1
        if fit >= len(lines):
            return [self]
        if len(lines) - fit == 1 and fit > 1:
            fit -= 1                                 # no widow
        if fit < 2:
            return []                                # no orphan
        first = TextBlock(self.paragraph, self.start, fit)
        first.spaceAfter = 0
        rest = TextBlock(self.paragraph, lines[fit].start,
                         None if self.count is None else self.count - fit)
        return [first, rest]

    def drawOn(self, canvas, x, y, _sW=0):
        """Flowable.drawOn without the canvas's state stack: the block changes no canvas
        state (its operators are its own q ... Q), so saving and restoring the whole state
        for each of a handout's hundreds of blocks was wasted (see rl_adapter)."""
        draw_in_place(self, canvas, x, y, _sW)

    def draw(self):
        canvas = self.canv
        lines = self._lines
        if not lines:
            return
        doc = document_of(canvas)
        parts = ["q", self.paragraph.colour_ops]
        y = self.height
        previous = 0.0
        for line in lines:
            baseline = y - line.ascent
            parts.append(f"1 0 0 1 0 {_num(baseline - previous)} cm")
            parts.append(line.ops)
            previous = baseline
            y -= line.height
            for font, gids in line.glyphs:
                use_glyphs(doc, font, gids)
            for href, x0, x1 in line.links:
                canvas.linkURL(href, (x0, baseline - 0.25 * line.height, x1,
                                      baseline + line.ascent), relative=1, thickness=0)
        parts.append("Q")
        code = "\n".join(parts)
        share = getattr(canvas, "share_drawing", None) if self.shareable else None
        page_code(canvas).append(share(code) if share else code)
