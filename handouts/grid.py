"""Layout stage helper: boxes and grids of flowables, the tables a handout needs.

A handout's notice, patient box, callout and support table are grids of cells, each cell
a list of flowables (the text engine's paragraphs). ReportLab's Table does this and much
more (spans, styles by cell range, string cells, nested splitting); the four tables,
laid out and drawn with it, were over a quarter of a handout's layout time. `Grid` does only what a handout uses:
fixed column widths; per row a background and paddings; cells aligned to their top or
bottom; a border, a bar before or after the columns, a rule below each row; splitting
between rows, with the header row repeated on the next page.

It draws what Table draws for the same settings (backgrounds, then cells, then lines with
round caps and joins), so a page looks the same either way.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from reportlab.lib.colors import Color
from reportlab.platypus import Flowable


@dataclass(frozen=True)
class Padding:
    left: float = 6.0           # ReportLab Table's defaults
    right: float = 6.0
    top: float = 3.0
    bottom: float = 3.0


@dataclass(frozen=True)
class Line:
    """A line along the grid: `where` is "box" (all around), "before" (left of the first
    column), "after" (right of the last) or "below" (under every row)."""
    where: str
    width: float
    colour: Color


@dataclass(frozen=True)
class GridStyle:
    col_widths: tuple[float, ...]
    paddings: tuple[Padding, ...]              # per row; the last one serves later rows
    backgrounds: tuple[Color | None, ...] = ()  # per row; missing ones: none
    lines: tuple[Line, ...] = ()
    valign: str = "bottom"                     # Table's default; "top" for rows of text
    header_rows: int = 0                       # repeated at the top of a split's rest

    def padding(self, row: int) -> Padding:
        return self.paddings[min(row, len(self.paddings) - 1)]

    def background(self, row: int) -> Color | None:
        return self.backgrounds[row] if row < len(self.backgrounds) else None


class Grid(Flowable):
    """Rows of cells; each cell a list of flowables."""

    def __init__(self, rows: list[list[list[Flowable]]], style: GridStyle):
        super().__init__()
        self.rows = rows
        self.style = style
        self.width = sum(style.col_widths)
        self.height = 0.0
        self.hAlign = "CENTER"
        self._heights: list[float] = []
        self._cells: list = []

    def __repr__(self) -> str:
        return f"<Grid {len(self.rows)}x{len(self.style.col_widths)}>"

    # -- measuring --------------------------------------------------------------------

    def _measure_cell(self, cell: list[Flowable], width: float,
                      padding: Padding) -> tuple[float, list[float]]:
        """The content's height as Table measures it (the flowables' heights and the space
        between them, not before the first or after the last) and each one's height."""
        inner = width - padding.left - padding.right
        canvas = getattr(self, "canv", None)
        heights = [flowable.wrapOn(canvas, inner, 72000)[1] for flowable in cell]
        if not cell:
            return 0.0, heights
        total = sum(heights) + sum(f.getSpaceBefore() + f.getSpaceAfter() for f in cell)
        return total - cell[0].getSpaceBefore() - cell[-1].getSpaceAfter(), heights

    def _measure(self) -> list[float]:
        """Row heights; each cell's measures are kept for drawing."""
        self._cells = []
        row_heights = []
        for index, row in enumerate(self.rows):
            padding = self.style.padding(index)
            cells = [self._measure_cell(cell, width, padding)
                     for cell, width in zip(row, self.style.col_widths)]
            self._cells.append(cells)
            content = max((height for height, _ in cells), default=0.0)
            row_heights.append(content + padding.top + padding.bottom)
        return row_heights

    def wrap(self, available_width, available_height):
        self._heights = self._measure()
        self.height = sum(self._heights)
        return self.width, self.height

    def split(self, available_width, available_height):
        heights = self._heights or self._measure()
        header = self.style.header_rows
        used, fit = 0.0, 0
        for height in heights:
            if used + height > available_height + 1e-6:
                break
            used += height
            fit += 1
        if fit <= header or fit >= len(self.rows):
            return []
        style, count = self.style, len(self.rows)
        paddings = [style.padding(i) for i in range(count)]
        backgrounds = [style.background(i) for i in range(count)]
        rest = replace(style, paddings=tuple(paddings[:header] + paddings[fit:]),
                       backgrounds=tuple(backgrounds[:header] + backgrounds[fit:]))
        return [Grid(self.rows[:fit], style), Grid(self.rows[:header] + self.rows[fit:], rest)]

    # -- drawing ----------------------------------------------------------------------

    def draw(self):
        canvas = self.canv
        style = self.style
        heights = self._heights
        tops = [self.height]
        for height in heights:
            tops.append(tops[-1] - height)
        # Rows of one colour are one rectangle, as Table fills a range: no seams between.
        index, count = 0, len(self.rows)
        while index < count:
            colour, end = style.background(index), index + 1
            while end < count and style.background(end) == colour:
                end += 1
            if colour is not None:
                canvas.setFillColor(colour)
                canvas.rect(0, tops[index], self.width, tops[end] - tops[index],
                            stroke=0, fill=1)
            index = end
        for index, row in enumerate(self.rows):
            padding = style.padding(index)
            x = 0.0
            for cell, width, measured in zip(row, style.col_widths, self._cells[index]):
                self._draw_cell(cell, measured, x, tops[index + 1], heights[index], padding)
                x += width
        self._draw_lines(tops)

    def _draw_cell(self, cell, measured, x, bottom, height, padding: Padding) -> None:
        content, heights = measured
        if self.style.valign == "top":
            y = bottom + height - padding.top
        else:
            y = bottom + padding.bottom + content
        if cell:
            y += cell[0].getSpaceBefore()
        for flowable, flowable_height in zip(cell, heights):
            y -= flowable.getSpaceBefore() + flowable_height
            flowable.drawOn(self.canv, x + padding.left, y)
            y -= flowable.getSpaceAfter()

    def _draw_lines(self, tops: list[float]) -> None:
        if not self.style.lines:
            return
        canvas = self.canv
        top, bottom, right = tops[0], tops[-1], self.width
        for line in self.style.lines:
            canvas.saveState()
            canvas.setLineCap(1)
            canvas.setLineJoin(1)
            canvas.setStrokeColor(line.colour)
            canvas.setLineWidth(line.width)
            if line.where == "box":
                segments = [(0, top, right, top), (0, bottom, right, bottom),
                            (0, bottom, 0, top), (right, bottom, right, top)]
            elif line.where == "before":
                segments = [(0, bottom, 0, top)]
            elif line.where == "after":
                segments = [(right, bottom, right, top)]
            elif line.where == "below":
                segments = [(0, y, right, y) for y in tops[1:]]
            else:
                raise ValueError(f"no grid line {line.where!r}")
            for x1, y1, x2, y2 in segments:
                canvas.line(x1, y1, x2, y2)
            canvas.restoreState()


__all__ = ["Grid", "GridStyle", "Line", "Padding"]
