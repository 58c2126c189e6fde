"""Grids (handouts/grid.py): measured as ReportLab's Table measures, split between rows
with the header repeated, drawn so that a page looks the same as with Table."""
from __future__ import annotations

import io

import pypdfium2
import pytest
from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from handouts.grid import Grid, GridStyle, Line, Padding

RED, GREY = colors.HexColor("#C0392B"), colors.HexColor("#BFBFBF")


def cells(rows: int, heights=(10, 20)) -> list:
    return [[[Spacer(0, heights[0])], [Spacer(0, heights[1]), Spacer(0, 5)]]
            for _ in range(rows)]


def grid_style(**overrides) -> GridStyle:
    values = dict(col_widths=(100.0, 200.0), paddings=(Padding(4, 4, 2, 3),),
                  backgrounds=(RED,), lines=(Line("below", 0.4, GREY),), valign="top",
                  header_rows=1)
    values.update(overrides)
    return GridStyle(**values)


def test_rows_are_as_tall_as_their_tallest_cell_plus_padding():
    grid = Grid(cells(3), grid_style())
    width, height = grid.wrap(300, 1000)
    assert width == 300
    assert height == pytest.approx(3 * (20 + 5 + 2 + 3))


def test_a_split_repeats_the_header_and_keeps_its_background():
    grid = Grid(cells(5), grid_style())
    grid.wrap(300, 1000)
    first, rest = grid.split(300, 3 * 30 + 1)
    assert len(first.rows) == 3 and len(rest.rows) == 1 + 2
    assert rest.rows[0] is grid.rows[0]
    assert rest.style.background(0) == RED and rest.style.background(1) is None


def test_no_split_that_leaves_the_header_alone_or_moves_nothing():
    grid = Grid(cells(5), grid_style())
    grid.wrap(300, 1000)
    assert grid.split(300, 35) == []          # room for the header row only
    assert grid.split(300, 1000) == []        # everything fits: nothing to split


class Block(Flowable):
    """A filled rectangle of a given size: shows where a cell puts its content."""

    def __init__(self, width: float, height: float):
        super().__init__()
        self.block = (width, height)

    def wrap(self, available_width, available_height):
        return self.block

    def draw(self):
        self.canv.setFillColor(colors.black)
        self.canv.rect(0, 0, *self.block, stroke=0, fill=1)


def _pixels(draw) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(340, 200))
    draw(canvas)
    canvas.showPage()
    canvas.save()
    document = pypdfium2.PdfDocument(buffer.getvalue())
    try:
        return document[0].render(scale=2).to_pil().convert("L").tobytes()
    finally:
        document.close()


@pytest.mark.parametrize("valign", ["top", "bottom"])
def test_a_grid_looks_like_the_table_it_replaces(valign):
    rows = [[[Block(30, 10)], [Block(50, 12), Block(20, 12)]],
            [[Block(40, 16)], [Block(60, 8)]]]
    grid = Grid(rows, GridStyle(col_widths=(120.0, 180.0),
                                paddings=(Padding(6, 5, 4, 3), Padding(8, 2, 1, 6)),
                                backgrounds=(RED, GREY), valign=valign,
                                lines=(Line("box", 2, RED), Line("before", 3, GREY))))
    table = Table([[r[0], r[1]] for r in rows], colWidths=[120, 180])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), valign.upper()),
        ("LEFTPADDING", (0, 0), (-1, 0), 6), ("RIGHTPADDING", (0, 0), (-1, 0), 5),
        ("TOPPADDING", (0, 0), (-1, 0), 4), ("BOTTOMPADDING", (0, 0), (-1, 0), 3),
        ("LEFTPADDING", (0, 1), (-1, 1), 8), ("RIGHTPADDING", (0, 1), (-1, 1), 2),
        ("TOPPADDING", (0, 1), (-1, 1), 1), ("BOTTOMPADDING", (0, 1), (-1, 1), 6),
        ("BACKGROUND", (0, 0), (-1, 0), RED), ("BACKGROUND", (0, 1), (-1, 1), GREY),
        ("BOX", (0, 0), (-1, -1), 2, RED), ("LINEBEFORE", (0, 0), (0, -1), 3, GREY),
    ]))

    def draw(flowable):
        def on(canvas):
            flowable.wrapOn(canvas, 300, 200)
            flowable.drawOn(canvas, 20, 40)
        return on
    assert grid.wrap(300, 200) == table.wrap(300, 200)
    assert _pixels(draw(grid)) == _pixels(draw(table))
