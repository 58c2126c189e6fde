"""PDF stage: flowables + page furniture -> PDF bytes.

Output is byte-identical for identical input: ReportLab's invariant mode fixes the
creation date and document id. The metadata carry the title and /Lang, never the
patient's name unless the caller asks for it.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageTemplate

from .text import register_family
from .layout import BAND_HEIGHT, FOOTER_HEIGHT, MARGIN, HandoutLayout

rl_config.invariant = 1


@dataclass(frozen=True)
class Metadata:
    title: str
    lang: str
    author: str
    subject: str = ""
    keywords: str = ""


def _canvas_with_footer(draw_footer):
    """A canvas that holds pages back until the end, so each footer knows the page count."""

    class FooterCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            # The initial font is written into every page's resources: make it a vendored
            # face, never the non-embedded Helvetica.
            kwargs["initialFontName"] = kwargs.get("initialFontName") or register_family()
            super().__init__(*args, **kwargs)
            self._held_pages = []

        def showPage(self):
            self._held_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._held_pages)
            for number, state in enumerate(self._held_pages, start=1):
                self.__dict__.update(state)
                draw_footer(self, number, total)
                super().showPage()
            super().save()

    return FooterCanvas


def build_pdf(layout: HandoutLayout, flowables: list, footer, metadata: Metadata) -> bytes:
    width, height = layout.page_size
    frame_width = width - 2 * MARGIN
    bottom = FOOTER_HEIGHT + 3
    first = Frame(MARGIN, bottom, frame_width, height - BAND_HEIGHT - 6 - bottom,
                  id="first", leftPadding=0, rightPadding=0, topPadding=6, bottomPadding=0)
    later = Frame(MARGIN, bottom, frame_width, height - MARGIN - bottom, id="later",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=layout.page_size, title=metadata.title,
                          author=metadata.author, subject=metadata.subject,
                          keywords=metadata.keywords, creator="handouts", producer="handouts",
                          lang=metadata.lang, displayDocTitle=1,
                          leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                          bottomMargin=bottom)
    doc.addPageTemplates([
        PageTemplate(id="first", frames=[first], onPage=lambda canv, _: layout.draw_letterhead(canv)),
        PageTemplate(id="later", frames=[later]),
    ])
    canvasmaker = _canvas_with_footer(
        lambda canv, page, pages: layout.draw_footer(canv, footer, page, pages))
    doc.build([NextPageTemplate("later")] + flowables, canvasmaker=canvasmaker)
    return buffer.getvalue()
