"""ReportLab adapter: the one module that uses ReportLab's private attributes and
methods (canvas._code, _doc, _currentMatrix, _pagesize, _formsinuse, _startPage,
_setXObjects, rl_config._SAVED, TTFontFace._ttf_data, ...). Everything else calls the
functions and classes here; tests/test_rl_adapter.py checks every touch point against
the installed ReportLab, so an upgrade that moves one fails there, loudly.

It holds the canvases that hold a handout's pages back until its page count is known
and record them for the print file (HoldingCanvas), the print file's canvas that shares
repeated drawings as forms and spills page streams to a temporary file (PrintCanvas),
and the process settings ReportLab reads from rl_config and the environment.
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

from reportlab import rl_config
from reportlab.lib import pagesizes, utils
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfdoc import (PDFArray, PDFDictionary, PDFName, PDFObjectReference,
                                     PDFPage, PDFStream, xObjectName)
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame


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


def _end_streams_with_eol() -> None:
    """PDF/A (ISO 19005-2, 6.1.7.1) wants an end-of-line marker before `endstream`, not
    counted in /Length; ReportLab 5.1 writes the data straight against it and has no
    setting for it. Every stream this process writes gets one (a reader skips it)."""
    write = PDFStream.format
    if getattr(write, "writes_eol", False):
        return                      # already (a reload of this module)

    def format_with_eol(self, document):
        formatted = write(self, document)
        if not formatted.endswith(b"endstream\n"):
            return formatted
        return formatted[:-len(b"endstream\n")] + b"\nendstream\n"
    format_with_eol.writes_eol = True
    PDFStream.format = format_with_eol


_end_streams_with_eol()
# ReportLab 5.1 reads these two from rl_config at the moment it writes, with no setting
# per document: renderPDF sorts a drawing's graphics-state changes only while
# rl_config.invariant is on (renderPDF.py, `sorted(delta.items()) if rl_config.invariant`;
# measured: a document made with invariant=1 but the process's flag off draws the logo's
# "0 J 0 j [] 0 d" in another order), and every page stream takes its filters from
# rl_config.useA85. So they are the process's, set once here, never changed afterwards:
# every document this process makes is then made the same way, from any thread.
rl_config.invariant = 1
rl_config.useA85 = 0        # plain Flate streams: a fifth smaller than ASCII85, and faster


class _Placed(str):
    """A paragraph's drawing operators (q ... Q), with the page coordinates it was drawn
    in (`matrix`): the print file may draw it as a shared form."""


class LetterheadCode(str):
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
            elif kind is LetterheadCode:
                letterhead = index
        chunks = tuple(str.__str__(c) if type(c) is not str else c for c in code)
        return cls(tuple(size), chunks, letterhead, tuple(placed), tuple(links))


@dataclass(frozen=True)
class HandoutPages:
    """One handout laid out, as the print file takes it: each page's operators, footer
    included, and the glyphs it draws, per face (its manifest position)."""
    pages: tuple[PageRecord, ...]
    glyphs: tuple[tuple[int, frozenset[int]], ...]


class HoldingCanvas(Canvas):
    """A canvas that holds pages back instead of writing them, so that the footers can be
    drawn once the page count is known (ReportLab's usual "page X of Y" recipe). When
    `record` is set it also keeps each finished page's operators (`recorded`)."""

    def __init__(self, *args, record: bool = False, **kwargs):
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


#: A handout declares PDF 1.7 (ISO 32000-1), which PDF/A-2 and PDF/UA-1 are based on.
PDF_VERSION = (1, 7)

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


def canvas_with_footer(draw_footer, record: bool, write: bool, initial_font_name: str,
                       before_save=None):
    """A canvas class for one handout: every page gets its footer when the PDF is saved;
    `initial_font_name` is initial_font()'s; before_save(canvas), if given, runs just
    before a PDF is written (catalog entries)."""

    class FooterCanvas(HoldingCanvas):
        def __init__(self, *args, **kwargs):
            kwargs["initialFontName"] = initial_font_name
            kwargs["pdfVersion"] = PDF_VERSION
            super().__init__(*args, record=record, **kwargs)

        def save(self):
            self.page_total = self.held
            self._write_held(draw_footer, write)
            if write:
                if before_save is not None:
                    before_save(self)
                super().save()

    return FooterCanvas


_SCALARS = (str, int, float, type(None))


class FastCopyFrame(Frame):
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



class PrintCanvas(Canvas):
    """The print file's canvas: pages come whole (recorded by each handout's layout) and
    are written at once, their streams compressed into a temporary file, so memory holds
    the shared forms and a small object per page (ReportLab writes the objects at the end).

    Most of a handout's text is the same for every patient of a language: a paragraph
    drawn a second time at the same place becomes a shared form, written once, which
    later pages draw by name (`share`). That keeps the print file small whatever the
    script (right-to-left lines carry their text three times: glyphs and two ActualText
    spans)."""

    def __init__(self, *args, **kwargs):
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

    def save_into(self, stream) -> None:
        """Write the file: to `stream` when given (a binary file), else to the buffer
        the canvas was made with; the spill file is closed either way."""
        if stream is not None:
            self._filename = stream
        try:
            self.save()
        finally:
            if self._spill_file is not None:
                self._spill_file.close()

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


class UnfilteredStream(PDFStream):
    """A stream written as it is, with no /Filter entry at all (ReportLab writes an
    empty one for filters=[]): PDF/A wants the XMP metadata readable without a decoder."""

    def __init__(self, dictionary: dict, content: bytes):
        super().__init__(dictionary=PDFDictionary(dict(dictionary)), content=content,
                         filters=[])

    def format(self, document):
        content = document.encrypt.encode(self.content)
        dictionary = PDFDictionary({**self.dictionary.dict, "Length": len(content)})
        return pdfdoc.format(dictionary, document) + b"\nstream\n" + content + \
            b"\nendstream\n"


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


# -- touch points for the other modules ---------------------------------------------------

def page_code(canvas) -> list:
    """The operators of the canvas's current page (or form), in order: appended to
    directly, as ReportLab's own drawing methods do."""
    return canvas._code


def document_of(canvas):
    """The PDFDocument a canvas writes into."""
    return canvas._doc


def set_catalog_entry(canvas, key: str, value) -> None:
    """An entry of the document catalog, also one ReportLab's PDFCatalog does not list
    (OutputIntents): its list of keys is extended for this document only."""
    set_dictionary_entry(canvas._doc.Catalog, key, value)


def set_dictionary_entry(obj, key: str, value) -> None:
    """An entry of a ReportLab catalog or page object, also one its class does not list
    (a page's /StructParents): the object's own list of keys is extended."""
    known = obj.__NoDefault__
    if key not in known:
        obj.__NoDefault__ = [*known, key]          # on this object, not its class
    setattr(obj, key, value)


class _Keyword(pdfdoc.PDFObject):
    """A PDF keyword written as it is (ReportLab writes Python's True as "True")."""

    def __init__(self, word: bytes):
        self.word = word

    def format(self, document):
        return self.word


def pdf_true() -> _Keyword:
    """The PDF keyword true (for /MarkInfo's /Marked)."""
    return _Keyword(b"true")


def page_size(canvas) -> tuple[float, float]:
    return canvas._pagesize


def current_matrix(canvas) -> tuple:
    """The canvas's transformation matrix (page coordinates of its origin)."""
    return canvas._currentMatrix


def set_current_matrix(canvas, matrix: tuple) -> None:
    canvas._currentMatrix = matrix


def page_resources(canvas) -> tuple:
    """What a drawing could add to a page or document besides operators and fonts."""
    return (dict(canvas._extgstate._c), dict(canvas._colorsUsed), dict(canvas._shadingUsed),
            tuple(canvas._formsinuse), len(canvas._annotationrefs))


def draw_in_place(flowable, canvas, x: float, y: float, sW: float = 0) -> None:
    """Flowable.drawOn for a flowable that changes no canvas state (its operators are its
    own q ... Q): the same operators, without saving and restoring the whole canvas
    state around it; the canvas's matrix is moved while it draws (links and shared
    drawings use it)."""
    x = flowable._hAlignAdjust(x, sW)
    saved = canvas._currentMatrix
    a, b, c, d, e, f = saved
    code = canvas._code
    code.append("q")
    code.append(f"{fp_str(1, 0, 0, 1, x, y)} cm")
    canvas._currentMatrix = (a, b, c, d, a * x + c * y + e, b * x + d * y + f)
    try:
        flowable._drawOn(canvas)
    finally:
        canvas._currentMatrix = saved
    code.append("Q")


def mark_letterhead(canvas, start: int) -> None:
    """Make the operators drawn since `start` one chunk, marked as the letterhead (the
    page's bytes stay the same: chunks are joined with newlines)."""
    code = canvas._code
    code[start:] = [LetterheadCode("\n".join(code[start:]))]


def font_file_data(face) -> bytes:
    """The bytes of a TrueType face as ReportLab read them (TTFontFace)."""
    return face._ttf_data
