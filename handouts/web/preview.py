"""Web stage, preview: a handout's pages as PNG images for the preview screen.

Images rather than the PDF inline: a tablet's browser shows them without a PDF viewer,
they need no plugin or frame, and they can be read by a screen reader with their
alternative text. Made in memory with pdfium (the engine Chrome prints with) and sent
as data: URLs, so nothing about the patient is kept on the server between requests.
"""
from __future__ import annotations

import base64
import io

#: Wide enough to read on a tablet, small enough to send four pages quickly.
PREVIEW_WIDTH_PX = 900


def page_images(pdf: bytes, lock, width: int = PREVIEW_WIDTH_PX) -> list[str]:
    """Each page of `pdf` as a data: URL of a PNG `width` pixels wide. pdfium is not
    thread-safe: `lock` (the service's) keeps one thread in it at a time."""
    with lock:
        return _page_images(pdf, width)


def _page_images(pdf: bytes, width: int) -> list[str]:
    import pypdfium2
    document = pypdfium2.PdfDocument(pdf)
    try:
        urls = []
        for page in document:
            scale = width / page.get_width()
            image = page.render(scale=scale).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", optimize=False, compress_level=3)
            urls.append("data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode())
            page.close()
        return urls
    finally:
        document.close()
