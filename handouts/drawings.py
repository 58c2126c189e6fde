"""Layout stage, drawings: the clinic's logo and the QR code on the letterhead, each
recorded once as PDF operators and replayed into every page that shows it.
"""
from __future__ import annotations

import io
import re

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing, Group, Image, LineShape, UserNode
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from .caches import ForkSafeLock, LRUCache
from .rl_adapter import page_code, page_resources, page_size


# -- recorded drawings -----------------------------------------------------------------
# The logo and the QR code are the same on every handout, and drawing them node by node
# (and encoding the QR, trying all 8 masks) was the largest part of a render. A drawing
# made only of vector shapes is recorded once on a scratch canvas and its operators are
# replayed into every page. The recording leaves out the renderer's empty text-state
# blocks (BT /F1 10 Tf 12 TL ET: a shape drawing shows no text), so no page names the
# standard Helvetica, which is never embedded and which print preflight flags. Replayed
# or recorded afresh, a page gets the same bytes (tests/test_batch.py checks it).


class Drawings:
    """The logos and QR codes of a resource library: parsed once and recorded once as
    operators (the largest part of a render, drawn node by node), bounded in number,
    safe to share between threads."""

    def __init__(self, *, recorded: int = 32, parsed: int = 16):
        self._recorded = LRUCache(maxsize=recorded)
        self._parsed = LRUCache(maxsize=parsed)
        # ReportLab's renderer marks a drawing's nodes while it walks them
        # (node._parent), and an image reader decodes its PNG on first use, so a
        # drawing or reader shared between renders is used by one thread at a time;
        # replaying a recording needs no lock.
        self._walking = ForkSafeLock()

    def draw_logo(self, canvas, logo, x: float, y: float, size: float) -> None:
        """Draw a PNG or SVG logo scaled to fit a size x size square."""
        if logo.kind == "png":
            image = self._parsed.get_or_make(("png", logo.data),
                                             lambda key: ImageReader(io.BytesIO(key[1])))
            with self._walking:
                iw, ih = image.getSize()
                scale = size / max(iw, ih)
                canvas.drawImage(image, x + (size - iw * scale) / 2,
                                 y + (size - ih * scale) / 2, iw * scale, ih * scale,
                                 mask="auto")
        else:
            drawing = self.svg_drawing(logo.data)
            scale = size / max(drawing.width, drawing.height)
            canvas.saveState()
            canvas.translate(x + (size - drawing.width * scale) / 2,
                             y + (size - drawing.height * scale) / 2)
            canvas.scale(scale, scale)
            self.draw_recorded(canvas, ("svg", logo.data), drawing, 0, 0)
            canvas.restoreState()

    def svg_drawing(self, data: bytes) -> Drawing:
        """An SVG logo, parsed once; raises ValueError when it is not usable."""
        return self._parsed.get_or_make(("svg", data), lambda key: svg_drawing(key[1]))

    def draw_qr(self, canvas, url: str, x: float, y: float, size: float) -> None:
        drawing = self._parsed.get_or_make(("qr", url, size),
                                           lambda key: _qr_drawing(url, size))
        self.draw_recorded(canvas, ("qr", url, size, x, y), drawing, x, y)

    def draw_recorded(self, canvas, key, drawing: Drawing, x: float, y: float) -> None:
        """renderPDF.draw(drawing, canvas, x, y), from a recording when it is only
        shapes."""
        ops = self._recorded.get(key)
        if ops is None:
            with self._walking:
                ops = _record(drawing, x, y, page_size(canvas))
            if ops is not None:
                ops = self._recorded.put(key, ops)
        if ops is None:
            with self._walking:
                renderPDF.draw(drawing, canvas, x, y)      # images or text: drawn for real
        else:
            page_code(canvas).extend(ops)


def svg_drawing(data: bytes) -> Drawing:
    """Parse an SVG logo; raises ValueError when it is not usable."""
    from svglib.svglib import svg2rlg
    drawing = svg2rlg(io.BytesIO(data))
    if drawing is None or not drawing.width or not drawing.height:
        raise ValueError("the SVG has no size or could not be read")
    return drawing


def _qr_drawing(url: str, size: float) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


_EMPTY_TEXT_STATE = re.compile(r"BT /F\d+ [\d.]+ Tf [\d.]+ TL ET")


def _record(drawing: Drawing, x: float, y: float, page_size) -> tuple[str, ...] | None:
    """The drawing's operators, or None when it needs more than operators on a page."""
    if not _plain_shapes(drawing):
        return None
    scratch = Canvas(io.BytesIO(), pagesize=page_size)
    before, start = page_resources(scratch), len(page_code(scratch))
    renderPDF.draw(drawing, scratch, x, y)
    if page_resources(scratch) != before:
        return None
    ops = tuple(op for op in page_code(scratch)[start:] if not _EMPTY_TEXT_STATE.fullmatch(op))
    if any("BT" in op.split() for op in ops):
        return None
    return ops


def _plain_shapes(node) -> bool:
    """True for a drawing of vector shapes only: no text or images."""
    if isinstance(node, UserNode):
        node = node.provideNode()
    if isinstance(node, Group):
        return all(_plain_shapes(child) for child in node.getContents())
    return isinstance(node, LineShape) and not isinstance(node, Image)
