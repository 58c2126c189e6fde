"""PDF stage: flowables + page furniture -> PDF bytes, one handout or a print file.

Output is byte-identical for identical input, whatever the environment: ReportLab's
invariant mode fixes the creation date and document id, and what it would read from the
environment is ignored. The metadata carry the title and /Lang, never the patient's name
unless the caller asks for it.

A handout is laid out once. The layout gives its own PDF and, when asked, its pages
recorded as operators (`HandoutPages`), which the print file assembles without laying
anything out again: a batch's workers lay out, the print file only writes.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import BinaryIO

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageTemplate

from .archival import add_archival_entries
from .caches import ForkSafeLock
from .rl_adapter import (FastCopyFrame, HandoutPages, PrintCanvas,
                         canvas_with_footer, document_of, mark_letterhead, page_code)
from .text.fonts import BODY_FAMILY
from .text.pdffont import use_glyphs, used_glyphs
from .layout import BAND_HEIGHT, FOOTER_HEIGHT, MARGIN, HandoutLayout
from .sample_mark import STRIP_HEIGHT




@dataclass(frozen=True)
class Metadata:
    title: str
    lang: str
    author: str
    subject: str = ""
    keywords: str = ""


FRAME_BOTTOM = FOOTER_HEIGHT + 3


#: ReportLab's font registry is the process's (pdfmetrics keeps it in a module): the
#: one lock around the one place that writes to it.
_REGISTERING = ForkSafeLock()


def initial_font(fonts) -> str:
    """The body family of a FontLibrary registered with ReportLab, for ReportLab's own
    text (the canvas's initial font, written into every page's resources: a vendored
    face, never the non-embedded Helvetica); returns its base name. Handout text is
    drawn by the engine. Registering the same faces again changes nothing."""
    faces = {f.style: f for f in fonts.faces if f.family == BODY_FAMILY}
    regular = faces["regular"]
    base = regular.pdf_name
    with _REGISTERING:
        if base in pdfmetrics.getRegisteredFontNames():
            return base
        for f in faces.values():
            pdfmetrics.registerFont(TTFont(f.pdf_name, str(f.path),
                                           subfontIndex=f.subfont_index))
        bold = faces.get("bold", regular).pdf_name
        italic = faces.get("italic", regular).pdf_name
        addMapping(base, 0, 0, base)
        addMapping(base, 1, 0, bold)
        addMapping(base, 0, 1, italic)
        addMapping(base, 1, 1, bold)
    return base


def _later_box(page_size: tuple[float, float]) -> tuple[float, float, float, float]:
    """x, y, width and height of the text frame of a handout's later pages."""
    width, height = page_size
    return MARGIN, FRAME_BOTTOM, width - 2 * MARGIN, height - MARGIN - FRAME_BOTTOM


def _frames(page_size: tuple[float, float], sample: bool) -> tuple[Frame, Frame]:
    """The frame of a handout's first page (under the letterhead, which a sample's strip
    moves down) and of later pages."""
    x, bottom, frame_width, later_height = _later_box(page_size)
    band = BAND_HEIGHT + STRIP_HEIGHT if sample else BAND_HEIGHT
    first = FastCopyFrame(x, bottom, frame_width, page_size[1] - band - 6 - bottom,
                   id="first", leftPadding=0, rightPadding=0, topPadding=6, bottomPadding=0)
    later = FastCopyFrame(x, bottom, frame_width, later_height, id="later",
                   leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    return first, later


def lay_out(layout: HandoutLayout, flowables: list, footer, metadata: Metadata, *,
            pdf: bool = True, record: bool = False
            ) -> tuple[bytes | None, int, HandoutPages | None]:
    """Lay out one handout: its PDF bytes (if `pdf`), its page count, and its pages for
    the print file (if `record`; the PDF's bytes are the same either way)."""
    first, later = _frames(layout.page_size, layout.brand.sample)
    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=layout.page_size, title=metadata.title,
                          author=metadata.author, subject=metadata.subject,
                          keywords=metadata.keywords, creator="handouts", producer="handouts",
                          lang=metadata.lang, displayDocTitle=1,
                          leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                          bottomMargin=FRAME_BOTTOM)

    def letterhead(canv, _doc) -> None:
        layout.draw_under_content(canv)
        start = len(page_code(canv))
        layout.draw_letterhead(canv)
        if record:      # one chunk; the page's bytes stay the same ("\n"-joined)
            mark_letterhead(canv, start)

    def later_page(canv, _doc) -> None:
        layout.draw_under_content(canv)

    doc.addPageTemplates([PageTemplate(id="first", frames=[first], onPage=letterhead),
                          PageTemplate(id="later", frames=[later], onPage=later_page)])
    canvasmaker = canvas_with_footer(
        lambda canv, page, pages: layout.draw_footer(canv, footer, page, pages), record, pdf,
        initial_font(layout.fonts),
        before_save=lambda canv: add_archival_entries(canv, metadata))
    doc.build([NextPageTemplate("later")] + flowables, canvasmaker=canvasmaker)
    canv = doc.canv
    pages = HandoutPages(tuple(canv.recorded), used_glyphs(document_of(canv))) if record else None
    return (buffer.getvalue() if pdf else None), canv.page_total, pages



class PrintDocument:
    """Handouts one after another in ONE PDF, for double-sided printing.

    Each handout starts on a new page with its letterhead, keeps its own footer and
    "page X of Y" (the same pages as its own PDF), and is padded to an even page count
    with a page that says it is intentionally blank, so every handout starts on a new
    sheet. Fonts are embedded once; the letterhead and text drawn again at the same
    place are shared forms, which keeps the file small.
    """

    def __init__(self, metadata: Metadata, fonts):
        self.metadata = metadata
        self.fonts = fonts
        self._buffer = io.BytesIO()
        self._canvas: PrintCanvas | None = None
        self._letterheads: dict[tuple, str] = {}
        self.handouts = 0
        self.pages = 0

    def _canvas_for(self, page_size) -> PrintCanvas:
        if self._canvas is None:
            m = self.metadata
            canv = self._canvas = PrintCanvas(self._buffer, pagesize=page_size,
                                               invariant=1, lang=m.lang or None,
                                               initialFontName=initial_font(self.fonts))
            canv.setTitle(m.title)
            canv.setAuthor(m.author)
            canv.setSubject(m.subject)
            canv.setKeywords(m.keywords)
            canv.setCreator("handouts")
            canv.setProducer("handouts")
            canv.setViewerPreference("DisplayDocTitle", "true")
        return self._canvas

    def _letterhead(self, canv: PrintCanvas, layout: HandoutLayout) -> str:
        key = (layout.brand, layout.locale, layout.rtl, tuple(layout.page_size))
        name = self._letterheads.get(key)
        if name is None:
            name = self._letterheads[key] = f"Letterhead{len(self._letterheads)}"
            canv.define_form(name, lambda: layout.draw_letterhead(canv))
        return canv.use_form(name)

    def add(self, layout: HandoutLayout, handout: HandoutPages, footer,
            blank_page) -> int:
        """Add one laid-out handout (and its padding page); returns the pages it took."""
        canv = self._canvas_for(layout.page_size)
        for index, gids in handout.glyphs:
            use_glyphs(document_of(canv), self.fonts.by_index(index), gids)
        for page in handout.pages:
            canv.setPageSize(page.size)
            code, chunks, done = page_code(canv), page.chunks, 0
            marks = list(page.placed)
            if page.letterhead >= 0:
                marks.append((page.letterhead, None))
            for index, matrix in sorted(marks, key=lambda mark: mark[0]):
                code.extend(chunks[done:index])
                code.append(self._letterhead(canv, layout) if matrix is None
                            else canv.share(chunks[index], matrix))
                done = index + 1
            code.extend(chunks[done:])
            for url, rect in page.links:
                canv.linkURL(url, rect, thickness=0)
            canv.end_page()
        content_pages = len(handout.pages)
        pages = content_pages
        if content_pages % 2:
            canv.setPageSize(layout.page_size)
            layout.draw_under_content(canv)
            x, bottom, frame_width, frame_height = _later_box(layout.page_size)
            _, text_height = blank_page.wrap(frame_width, frame_height)
            blank_page.drawOn(canv, x, bottom + (frame_height - text_height) / 2)
            blank_footer = tuple(() if any(s.field for s in cell) else cell for cell in footer)
            layout.draw_footer(canv, blank_footer, content_pages + 1, content_pages)
            canv.end_page()
            pages += 1
        self.handouts += 1
        self.pages += pages
        return pages

    def finish(self, stream: BinaryIO | None = None) -> bytes | None:
        """The whole print file, as bytes or written to `stream` (which saves holding a
        second copy in memory); at least one handout must have been added."""
        canv = self._canvas
        if canv is None:
            raise ValueError("a print file needs at least one handout")
        canv.save_into(stream)
        return None if stream is not None else self._buffer.getvalue()
