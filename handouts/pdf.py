"""PDF stage: flowables + page furniture -> PDF bytes.

Output is byte-identical for identical input: ReportLab's invariant mode fixes the
creation date and document id. The metadata carry the title and /Lang, never the
patient's name unless the caller asks for it.
"""
from __future__ import annotations

import copy
import hashlib
import io
import tempfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO

from reportlab import rl_config
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfdoc import PDFArray, PDFName, PDFStream
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, NextPageTemplate, PageTemplate
from reportlab.platypus.doctemplate import PageBegin

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


class _HoldingCanvas(Canvas):
    """A canvas that holds pages back instead of writing them, so that the footers can be
    drawn once the page count is known (ReportLab's usual "page X of Y" recipe)."""

    def __init__(self, *args, **kwargs):
        # The initial font is written into every page's resources: make it a vendored
        # face, never the non-embedded Helvetica.
        kwargs["initialFontName"] = kwargs.get("initialFontName") or register_family()
        super().__init__(*args, **kwargs)
        self._held_pages = []

    def showPage(self):
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    @property
    def held(self) -> int:
        return len(self._held_pages)

    def _write_held(self, draw_footer, after_page=None) -> None:
        """Write the held pages; draw_footer(canvas, number, total) draws each footer."""
        held = self._held_pages
        for number, state in enumerate(held, start=1):
            self.__dict__.update(state)
            self._held_pages = []
            draw_footer(self, number, len(held))
            Canvas.showPage(self)
            if after_page:
                after_page()


def _canvas_with_footer(draw_footer):
    """A canvas class for one handout: every page gets its footer when the PDF is saved."""

    class FooterCanvas(_HoldingCanvas):
        def save(self):
            self.page_total = self.held
            self._write_held(draw_footer)
            super().save()

    return FooterCanvas


_SCALARS = (str, int, float, type(None))


class _Frame(Frame):
    """A Frame that deep-copies quickly. Platypus deep-copies the current frame every
    time a KeepTogether is measured (a handout's sections are), and the generic
    deepcopy of its two dozen numbers was a few per cent of a render. The copy is the
    same: scalars are shared as deepcopy shares them, anything else is deep-copied."""

    def __deepcopy__(self, memo):
        new = object.__new__(type(self))
        memo[id(self)] = new
        new.__dict__ = {key: value if type(value) in _SCALARS else copy.deepcopy(value, memo)
                        for key, value in self.__dict__.items()}
        return new


def _frames(page_size: tuple[float, float]) -> tuple[Frame, Frame]:
    """The frame of a handout's first page (under the letterhead) and of later pages."""
    width, height = page_size
    frame_width = width - 2 * MARGIN
    bottom = FOOTER_HEIGHT + 3
    first = _Frame(MARGIN, bottom, frame_width, height - BAND_HEIGHT - 6 - bottom,
                   id="first", leftPadding=0, rightPadding=0, topPadding=6, bottomPadding=0)
    later = _Frame(MARGIN, bottom, frame_width, height - MARGIN - bottom, id="later",
                   leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    return first, later


def build_pdf(layout: HandoutLayout, flowables: list, footer, metadata: Metadata) -> bytes:
    return build_pdf_counted(layout, flowables, footer, metadata)[0]


def build_pdf_counted(layout: HandoutLayout, flowables: list, footer,
                      metadata: Metadata) -> tuple[bytes, int]:
    """The PDF bytes and its page count."""
    first, later = _frames(layout.page_size)
    bottom = FOOTER_HEIGHT + 3
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
    return buffer.getvalue(), doc.canv.page_total


# -- the print file: many handouts built as one document --------------------------------

class _PrintCanvas(_HoldingCanvas):
    """Holds back the pages of the handout being laid out until it is complete, so that
    each footer knows its handout's page count; then writes them with their page streams
    compressed at once, so memory holds compressed pages only.

    Most of a handout's text is the same for every patient of a language: a paragraph
    drawn a second time at the same place becomes a shared form, written once, which
    later pages draw by name (`share_drawing`). That keeps the print file small whatever
    the script (right-to-left lines carry their text three times: glyphs and two
    ActualText spans)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._drawn_once: set[bytes] = set()
        self._shared_forms: dict[bytes, str] = {}

    def share_drawing(self, code: str) -> str:
        """The operators that draw `code` (self-contained: q ... Q) here on the page: the
        code itself the first time it is seen at this place, a shared form from then on.

        The form holds the drawing at its place on the page and is drawn with the page's
        own coordinates restored: pdfium reads text inside a form drawn through moved
        coordinates as if it stood where the form's own coordinates put it, which runs a
        page's right-to-left lines together."""
        if len(code) < _SHARE_FROM:
            return code
        placed = f"{fp_str(*self._currentMatrix)} cm\n{code}"
        key = hashlib.blake2b(placed.encode("utf8"), digest_size=16).digest()
        name = self._shared_forms.get(key)
        if name is None:
            if key not in self._drawn_once:
                self._drawn_once.add(key)
                return code
            name = self._shared_forms[key] = f"Shared{len(self._shared_forms)}"
            self.beginForm(name)
            self._code.append(placed)
            self.endForm()
        self._formsinuse.append(name)
        undo = fp_str(*_inverse(self._currentMatrix))
        return f"q {undo} cm /{self._doc.getXObjectName(name)} Do Q"

    def release(self, draw_footer) -> None:
        """Write the held pages; draw_footer(canvas, index) draws page `index` (1-based)."""
        self._write_held(lambda canvas, number, _total: draw_footer(canvas, number),
                         after_page=self._spill_last_page)

    def _spill_last_page(self) -> None:
        page = self._doc.Pages.pages[-1]
        if page.stream and self._pageCompression:
            data = zlib.compress(page.stream.encode("utf8"))
            page.Contents, page.stream = _SpilledStream(self._spill, data), None

    @property
    def _spill(self):
        """A temporary file holding the compressed page streams until the file is saved."""
        if getattr(self, "_spill_file", None) is None:
            self._spill_file = tempfile.TemporaryFile()
        return self._spill_file


# Drawings shorter than this stay inline: a form's own object costs more than they take
# compressed (measured on en and ar print files of 300 handouts).
_SHARE_FROM = 200


def _inverse(matrix: tuple) -> tuple:
    a, b, c, d, e, f = matrix
    det = a * d - b * c
    return (d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det)


class _SpilledStream(PDFStream):
    """A compressed page stream kept in a temporary file, not in memory, until it is
    written out: a print file of thousands of pages then needs little memory."""

    def __init__(self, spill, data: bytes):
        spill.seek(0, io.SEEK_END)
        self.spill, self.offset, self.length = spill, spill.tell(), len(data)
        spill.write(data)
        super().__init__(content=None, filters=[])
        self.dictionary["Filter"] = PDFArray([PDFName("FlateDecode")])
        self.__Comment__ = "page stream"

    def format(self, document):
        self.spill.seek(self.offset)
        self.content = self.spill.read(self.length)
        try:
            return super().format(document)
        finally:
            self.content = None


class _Centred(Flowable):
    """A flowable drawn in the middle of the frame: the text of a padding page."""

    def __init__(self, inner: Flowable):
        super().__init__()
        self.inner = inner

    def wrap(self, available_width, available_height):
        self.inner_size = self.inner.wrap(available_width, available_height)
        self.width, self.height = available_width, max(0.0, available_height - 1)
        return self.width, self.height

    def draw(self):
        _, inner_height = self.inner_size
        self.inner.drawOn(self.canv, 0, (self.height - inner_height) / 2)


class PrintDocument:
    """Handouts laid out one after another in ONE PDF, for double-sided printing.

    Each handout starts on a new page with its letterhead, keeps its own footer and
    "page X of Y" (the same pages as its own PDF), and is padded to an even page count
    with a page that says it is intentionally blank, so every handout starts on a new
    sheet. Fonts are embedded once and the letterhead is one shared form, which keeps
    the file small. Handouts are added one at a time, so memory holds one handout's
    layout plus the compressed pages so far.
    """

    def __init__(self, metadata: Metadata):
        self.metadata = metadata
        self._buffer = io.BytesIO()
        self._doc: BaseDocTemplate | None = None
        self._templates: dict[tuple, tuple[PageTemplate, PageTemplate]] = {}
        self._letterheads: dict[tuple, str] = {}
        self._current: HandoutLayout | None = None
        self.handouts = 0
        self.pages = 0

    def _templates_for(self, page_size) -> tuple[PageTemplate, PageTemplate]:
        key = tuple(page_size)
        if key not in self._templates:
            first, later = _frames(page_size)
            number = len(self._templates)
            pair = (PageTemplate(id=f"first{number}", frames=[first], pagesize=page_size,
                                 onPage=self._draw_letterhead),
                    PageTemplate(id=f"later{number}", frames=[later], pagesize=page_size))
            self._templates[key] = pair
            if self._doc is not None:
                self._doc.addPageTemplates(list(pair))
        return self._templates[key]

    def _draw_letterhead(self, canv, _doc) -> None:
        layout = self._current
        key = (layout.brand, layout.locale, layout.rtl, tuple(layout.page_size))
        name = self._letterheads.get(key)
        if name is None:
            name = self._letterheads[key] = f"Letterhead{len(self._letterheads)}"
            canv.beginForm(name)
            layout.draw_letterhead(canv)
            canv.endForm()
        canv.doForm(name)

    def _start(self, page_size) -> BaseDocTemplate:
        first, later = self._templates_for(page_size)
        m = self.metadata
        doc = BaseDocTemplate(self._buffer, pagesize=page_size, title=m.title, author=m.author,
                              subject=m.subject, keywords=m.keywords, creator="handouts",
                              producer="handouts", lang=m.lang or None, displayDocTitle=1,
                              pageTemplates=[first, later])
        doc._startBuild(self._buffer, canvasmaker=_PrintCanvas)
        doc.canv._doctemplate = doc
        self._doc = doc
        return doc

    def _run(self, story: list) -> None:
        doc = self._doc
        while story:
            doc.clean_hanging()
            doc.handle_flowable(story)

    def _end_page(self) -> None:
        doc = self._doc
        if doc._hanging and doc._hanging[-1] is PageBegin:
            del doc._hanging[-1]
            doc.clean_hanging()
            doc._hanging.append(PageBegin)
        else:
            doc.clean_hanging()
            doc.handle_pageBreak()

    def add(self, layout: HandoutLayout, flowables: list, footer, blank_page: Flowable) -> int:
        """Lay out one handout (and its padding page); returns the pages it took."""
        first, later = self._templates_for(layout.page_size)
        doc = self._doc or self._start(layout.page_size)
        self._current = layout
        doc.pageTemplate = first
        self._run([NextPageTemplate(later.id)] + list(flowables))
        self._end_page()
        canv = doc.canv
        content_pages = canv.held
        if content_pages % 2:
            doc.pageTemplate = later
            self._run([_Centred(blank_page)])
            self._end_page()
        blank_footer = tuple(() if any(s.field for s in cell) else cell for cell in footer)

        def draw(canvas, number):
            if number <= content_pages:
                layout.draw_footer(canvas, footer, number, content_pages)
            else:
                layout.draw_footer(canvas, blank_footer, number, content_pages)

        pages = canv.held
        canv.release(draw)
        self.handouts += 1
        self.pages += pages
        return pages

    def finish(self, stream: BinaryIO | None = None) -> bytes | None:
        """The whole print file, as bytes or written to `stream` (which saves holding a
        second copy in memory); at least one handout must have been added."""
        if self._doc is None:
            raise ValueError("a print file needs at least one handout")
        doc = self._doc
        if stream is not None:
            doc.canv._filename = stream
        if doc._hanging and doc._hanging[-1] is PageBegin:
            del doc._hanging[-1]
        doc.clean_hanging()
        del doc.canv._doctemplate
        saved = rl_config.useA85
        rl_config.useA85 = 0        # plain Flate streams: a fifth smaller than ASCII85
        try:
            doc.canv.save()
        finally:
            rl_config.useA85 = saved
            spill = getattr(doc.canv, "_spill_file", None)
            if spill is not None:
                spill.close()
        return None if stream is not None else self._buffer.getvalue()
