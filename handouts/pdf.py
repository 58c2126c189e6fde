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

import copy
import hashlib
import io
import os
import tempfile
import time
import zlib
from dataclasses import dataclass
from typing import BinaryIO

from reportlab import rl_config
from reportlab.lib import pagesizes, utils
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfdoc import (PDFArray, PDFDictionary, PDFName, PDFObjectReference,
                                     PDFPage, PDFStream, xObjectName)
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageTemplate

from .text import register_family
from .text.fonts import load, manifest
from .text.pdffont import use_glyphs, used_glyphs
from .layout import BAND_HEIGHT, FOOTER_HEIGHT, MARGIN, HandoutLayout
from .sample_mark import STRIP_HEIGHT


def _ignore_environment() -> None:
    """Undo what ReportLab reads from the environment: RL_<setting> variables at import
    (each such setting back to its default; font search paths aside, the fonts are
    vendored files), and SOURCE_DATE_EPOCH, which it prefers to the invariant timestamp
    for every document's dates and id: always 2000-01-01 00:00 UTC here."""
    for name, default in rl_config._SAVED.items():
        if f"RL_{name}" in os.environ and not name.endswith("SearchPath"):
            value = getattr(pagesizes, default) if name == "defaultPageSize" else default
            setattr(rl_config, name, copy.copy(value))
    stamp = object.__new__(utils.TimeStamp)     # what TimeStamp(invariant=1) makes
    stamp.t, stamp.dhh, stamp.dmm, stamp.tzname = 946684800.0, 0, 0, "UTC"
    stamp.lt = time.gmtime(stamp.t)
    stamp.YMDhms = tuple(stamp.lt)[:6]
    pdfdoc.TimeStamp = lambda invariant=None: stamp


_ignore_environment()
# ReportLab 5.1 reads these from rl_config wherever it writes (a document's invariant
# flag does not stop the per-object comments rl_config.invariant=0 adds; ASCII85 has no
# per-document switch), so they are the process's, set once and never changed.
rl_config.invariant = 1
rl_config.useA85 = 0        # plain Flate streams: a fifth smaller than ASCII85, and faster


@dataclass(frozen=True)
class Metadata:
    title: str
    lang: str
    author: str
    subject: str = ""
    keywords: str = ""


class _Placed(str):
    """A paragraph's drawing operators (q ... Q), with the page coordinates it was drawn
    in (`matrix`): the print file may draw it as a shared form."""


class _Letterhead(str):
    """The operators of a first page's letterhead: the print file draws its shared form."""


@dataclass(frozen=True)
class PageRecord:
    """One page's operators as plain strings (quick to send between processes), with
    where the letterhead and the paragraphs the print file may share are among them."""
    size: tuple[float, float]
    chunks: tuple[str, ...]
    letterhead: int                      # index of the letterhead's chunk, or -1
    placed: tuple[tuple[int, tuple], ...]   # (index of a paragraph's chunk, its matrix)
    links: tuple[tuple[str, tuple[float, float, float, float]], ...]   # url, page rect

    @classmethod
    def of(cls, size, code: list, links) -> PageRecord:
        letterhead, placed = -1, []
        for index, chunk in enumerate(code):
            kind = type(chunk)
            if kind is _Placed:
                placed.append((index, chunk.matrix))
            elif kind is _Letterhead:
                letterhead = index
        chunks = tuple(str.__str__(c) if type(c) is not str else c for c in code)
        return cls(tuple(size), chunks, letterhead, tuple(placed), tuple(links))


@dataclass(frozen=True)
class HandoutPages:
    """One handout laid out, as the print file takes it: each page's operators, footer
    included, and the glyphs it draws, per face (its manifest position)."""
    pages: tuple[PageRecord, ...]
    glyphs: tuple[tuple[int, frozenset[int]], ...]


class _HoldingCanvas(Canvas):
    """A canvas that holds pages back instead of writing them, so that the footers can be
    drawn once the page count is known (ReportLab's usual "page X of Y" recipe). When
    `record` is set it also keeps each finished page's operators (`recorded`)."""

    def __init__(self, *args, record: bool = False, **kwargs):
        # The initial font is written into every page's resources: make it a vendored
        # face, never the non-embedded Helvetica.
        kwargs["initialFontName"] = kwargs.get("initialFontName") or register_family()
        super().__init__(*args, **kwargs)
        self._held_pages = []
        self._page_links: list = []
        self.recorded: list[PageRecord] | None = [] if record else None

    def showPage(self):
        self._held_pages.append(dict(self.__dict__))
        self._page_links = []
        self._startPage()

    def share_drawing(self, code: str) -> str:
        """Mark a paragraph's operators with where they are drawn, for the print file."""
        if self.recorded is None or len(code) < _SHARE_FROM:
            return code
        placed = _Placed(code)
        placed.matrix = self._currentMatrix
        return placed

    def linkURL(self, url, rect, relative=0, *args, **kwargs):
        if self.recorded is not None:
            self._page_links.append((url, tuple(self._absRect(rect, relative))))
        return super().linkURL(url, rect, relative, *args, **kwargs)

    @property
    def held(self) -> int:
        return len(self._held_pages)

    def _write_held(self, draw_footer, write: bool = True) -> None:
        """Finish the held pages; draw_footer(canvas, number, total) draws each footer.
        Without `write` the pages are only recorded, no PDF page is made."""
        held = self._held_pages
        for number, state in enumerate(held, start=1):
            self.__dict__.update(state)
            self._held_pages = []
            draw_footer(self, number, len(held))
            if self.recorded is not None:
                self.recorded.append(PageRecord.of(self._pagesize, self._code,
                                                   self._page_links))
            if write:
                Canvas.showPage(self)
                page = self._doc.Pages.pages[-1]
                if page.stream and self._pageCompression:
                    data = zlib.compress(page.stream.encode("utf8"), HANDOUT_COMPRESSION)
                    page.Contents, page.stream = _Compressed(data), None


# zlib level of a handout's page streams: 3 compresses 3 times as fast as ReportLab's 6
# and makes a handout's PDF about 5 % bigger (its fonts are most of it). The print file,
# where size counts, keeps level 6.
HANDOUT_COMPRESSION = 3


class _Compressed(PDFStream):
    """A page stream compressed already."""

    def __init__(self, data: bytes):
        super().__init__(content=data, filters=[])
        self.dictionary["Filter"] = PDFArray([PDFName("FlateDecode")])
        self.__Comment__ = "page stream"


def _canvas_with_footer(draw_footer, record: bool, write: bool):
    """A canvas class for one handout: every page gets its footer when the PDF is saved."""

    class FooterCanvas(_HoldingCanvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, record=record, **kwargs)

        def save(self):
            self.page_total = self.held
            self._write_held(draw_footer, write)
            if write:
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


FRAME_BOTTOM = FOOTER_HEIGHT + 3


def _later_box(page_size: tuple[float, float]) -> tuple[float, float, float, float]:
    """x, y, width and height of the text frame of a handout's later pages."""
    width, height = page_size
    return MARGIN, FRAME_BOTTOM, width - 2 * MARGIN, height - MARGIN - FRAME_BOTTOM


def _frames(page_size: tuple[float, float], sample: bool) -> tuple[Frame, Frame]:
    """The frame of a handout's first page (under the letterhead, which a sample's strip
    moves down) and of later pages."""
    x, bottom, frame_width, later_height = _later_box(page_size)
    band = BAND_HEIGHT + STRIP_HEIGHT if sample else BAND_HEIGHT
    first = _Frame(x, bottom, frame_width, page_size[1] - band - 6 - bottom,
                   id="first", leftPadding=0, rightPadding=0, topPadding=6, bottomPadding=0)
    later = _Frame(x, bottom, frame_width, later_height, id="later",
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
        start = len(canv._code)
        layout.draw_letterhead(canv)
        if record:      # one chunk; the page's bytes stay the same ("\n"-joined)
            canv._code[start:] = [_Letterhead("\n".join(canv._code[start:]))]

    def later_page(canv, _doc) -> None:
        layout.draw_under_content(canv)

    doc.addPageTemplates([PageTemplate(id="first", frames=[first], onPage=letterhead),
                          PageTemplate(id="later", frames=[later], onPage=later_page)])
    canvasmaker = _canvas_with_footer(
        lambda canv, page, pages: layout.draw_footer(canv, footer, page, pages), record, pdf)
    doc.build([NextPageTemplate("later")] + flowables, canvasmaker=canvasmaker)
    canv = doc.canv
    pages = HandoutPages(tuple(canv.recorded), used_glyphs(canv._doc)) if record else None
    return (buffer.getvalue() if pdf else None), canv.page_total, pages


# -- the print file: many handouts built as one document --------------------------------

class _PrintCanvas(Canvas):
    """The print file's canvas: pages come whole (recorded by each handout's layout) and
    are written at once, their streams compressed into a temporary file, so memory holds
    the shared forms and a small object per page (ReportLab writes the objects at the end).

    Most of a handout's text is the same for every patient of a language: a paragraph
    drawn a second time at the same place becomes a shared form, written once, which
    later pages draw by name (`share`). That keeps the print file small whatever the
    script (right-to-left lines carry their text three times: glyphs and two ActualText
    spans)."""

    def __init__(self, *args, **kwargs):
        kwargs["initialFontName"] = register_family()
        super().__init__(*args, **kwargs)
        self._drawn_once: set[bytes] = set()
        self._shared_forms: dict[bytes, str] = {}
        self._spill_file = None
        self._page_xobjects: PDFDictionary | None = None

    def share_drawing(self, code: str) -> str:
        """For text drawn on this canvas itself (the padding pages)."""
        return self.share(code, self._currentMatrix) if len(code) >= _SHARE_FROM else code

    def share(self, code: str, matrix: tuple) -> str:
        """The operators that draw `code` (self-contained: q ... Q) in the page coordinates
        `matrix`: the code itself the first time it is seen there, a shared form from then on.

        The form holds the drawing at its place on the page and is drawn with the page's
        own coordinates restored: pdfium reads text inside a form drawn through moved
        coordinates as if it stood where the form's own coordinates put it, which runs a
        page's right-to-left lines together."""
        placed = f"{fp_str(*matrix)} cm\n{code}"
        key = hashlib.blake2b(placed.encode("utf8"), digest_size=16).digest()
        name = self._shared_forms.get(key)
        if name is None:
            if key not in self._drawn_once:
                self._drawn_once.add(key)
                return code
            name = self._shared_forms[key] = f"Shared{len(self._shared_forms)}"
            self.define_form(name, lambda: self._code.append(placed))
        self._formsinuse.append(name)
        return f"q {fp_str(*_inverse(matrix))} cm /{self._doc.getXObjectName(name)} Do Q"

    def define_form(self, name: str, draw) -> None:
        """A form of what draw() draws, defined in the middle of a page. ReportLab's
        beginForm saves the page's forms in use, colours and code only when the page has
        code yet; saved here always, or the forms it uses so far would be lost."""
        if not (self._code or self._formData):
            self._pushAccumulators()
        self.beginForm(name)
        draw()
        self.endForm()

    def _setXObjects(self, thing):
        """Pages take their forms from ONE XObject dictionary that every page shares, not
        one of their own: a print page draws dozens of shared forms, and thousands of
        pages' own dictionaries were most of the memory a long print file took."""
        if not isinstance(thing, PDFPage) or not self._formsinuse:
            return super()._setXObjects(thing)
        if self._page_xobjects is None:
            self._page_xobjects = PDFDictionary({})
            self._page_xobjects_ref = self._doc.Reference(self._page_xobjects)
        known = self._page_xobjects.dict
        for name in self._formsinuse:
            internal = xObjectName(name)
            if internal not in known:
                known[internal] = PDFObjectReference(internal)
        thing.XObjects = self._page_xobjects_ref

    def use_form(self, name: str) -> str:
        self._formsinuse.append(name)
        return f"/{self._doc.getXObjectName(name)} Do"

    def end_page(self) -> None:
        """Write the page, its stream compressed into the spill file."""
        Canvas.showPage(self)
        page = self._doc.Pages.pages[-1]
        if page.stream and self._pageCompression:
            data = zlib.compress(page.stream.encode("utf8"))
            page.Contents, page.stream = _SpilledStream(self._spill, data), None

    @property
    def _spill(self):
        """A temporary file holding the compressed page streams until the file is saved."""
        if self._spill_file is None:
            self._spill_file = tempfile.TemporaryFile()
        return self._spill_file


# Drawings shorter than this stay inline: a form's own object costs more than they take
# compressed (measured on en and ar print files of 300 handouts).
_SHARE_FROM = 200


def _inverse(matrix: tuple) -> tuple:
    a, b, c, d, e, f = matrix
    det = a * d - b * c
    return (d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det)


class _SpilledStream(_Compressed):
    """A compressed page stream kept in a temporary file, not in memory, until it is
    written out: a print file of thousands of pages then needs little memory."""

    def __init__(self, spill, data: bytes):
        spill.seek(0, io.SEEK_END)
        self.spill, self.offset, self.length = spill, spill.tell(), len(data)
        spill.write(data)
        super().__init__(None)

    def format(self, document):
        self.spill.seek(self.offset)
        self.content = self.spill.read(self.length)
        try:
            return super().format(document)
        finally:
            self.content = None


class PrintDocument:
    """Handouts one after another in ONE PDF, for double-sided printing.

    Each handout starts on a new page with its letterhead, keeps its own footer and
    "page X of Y" (the same pages as its own PDF), and is padded to an even page count
    with a page that says it is intentionally blank, so every handout starts on a new
    sheet. Fonts are embedded once; the letterhead and text drawn again at the same
    place are shared forms, which keeps the file small.
    """

    def __init__(self, metadata: Metadata):
        self.metadata = metadata
        self._buffer = io.BytesIO()
        self._canvas: _PrintCanvas | None = None
        self._letterheads: dict[tuple, str] = {}
        self.handouts = 0
        self.pages = 0

    def _canvas_for(self, page_size) -> _PrintCanvas:
        if self._canvas is None:
            m = self.metadata
            canv = self._canvas = _PrintCanvas(self._buffer, pagesize=page_size,
                                               invariant=1, lang=m.lang or None)
            canv.setTitle(m.title)
            canv.setAuthor(m.author)
            canv.setSubject(m.subject)
            canv.setKeywords(m.keywords)
            canv.setCreator("handouts")
            canv.setProducer("handouts")
            canv.setViewerPreference("DisplayDocTitle", "true")
        return self._canvas

    def _letterhead(self, canv: _PrintCanvas, layout: HandoutLayout) -> str:
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
            use_glyphs(canv._doc, load(manifest()[index]), gids)
        for page in handout.pages:
            canv.setPageSize(page.size)
            code, chunks, done = canv._code, page.chunks, 0
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
        if stream is not None:
            canv._filename = stream
        try:
            canv.save()
        finally:
            if canv._spill_file is not None:
                canv._spill_file.close()
        return None if stream is not None else self._buffer.getvalue()
