"""PDF stage, logical structure: the structure tree of a tagged PDF (PDF/UA-1, ISO
14289-1), built while a document is drawn and written when it is saved.

Not yet used by the handouts (issue 13 goes on): this is the PDF machinery, checked
against an independent PDF/UA validator on small documents (tests/test_tagging.py).

- A `Structure` belongs to one document. Its elements (Document, H1, P, L, LI, Table,
  Figure, ...) are made in reading order, whatever order the page draws them in.
- What a page draws for an element is marked content, `/P <</MCID n>> BDC ... EMC`, on
  that page (`open`/`close`); an element split over pages has marked content on each.
  Laid-out paragraphs are cached and shared between documents, so the marks are drawn
  around them (`Tagged`), never stored in them.
- What is not content (rules, fills, running footers) is an Artifact (`artifact`).
- `write` makes the PDF objects: the elements with /P, /K (marked-content references
  with their page) and /Alt, /Lang, /A; the StructTreeRoot with its ParentTree (per page,
  the element of each MCID); /StructParents and /Tabs /S on every page; /MarkInfo.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFString
from reportlab.platypus.flowables import Flowable

#: Roles a Table's cells may have and the scope a header cell applies to.
HEADER_SCOPES = frozenset({"Row", "Column", "Both"})


@dataclass(eq=False)
class Element:
    """One structure element; `kids` are Elements and (page index, MCID) marks."""
    role: str
    parent: "Element | None" = None
    alt: str = ""
    lang: str = ""
    scope: str = ""                     # a TH's /Scope: Row, Column or Both
    kids: list = field(default_factory=list)

    def add(self, role: str, *, alt: str = "", lang: str = "", scope: str = "") -> "Element":
        if scope and scope not in HEADER_SCOPES:
            raise ValueError(f"scope {scope!r} is not one of {sorted(HEADER_SCOPES)}")
        child = Element(role, self, alt=alt, lang=lang, scope=scope)
        self.kids.append(child)
        return child


class Structure:
    """The structure of one document while it is drawn."""

    def __init__(self, lang: str = ""):
        self.root = Element("Document", lang=lang)
        self._marks: dict[int, list[Element]] = {}      # page index -> element by MCID

    def open(self, page_index: int, element: Element) -> str:
        """The operator opening `element`'s marked content on a page."""
        marks = self._marks.setdefault(page_index, [])
        mcid = len(marks)
        marks.append(element)
        element.kids.append((page_index, mcid))
        return f"/{element.role} <</MCID {mcid}>> BDC"

    @staticmethod
    def close() -> str:
        return "EMC"

    @staticmethod
    def artifact(kind: str = "Layout") -> str:
        """The operator opening an artifact (Layout: rules, fills; Pagination: running
        headers and footers); close it with close()."""
        return f"/Artifact <</Type /{kind}>> BDC"

    def write(self, canvas) -> None:
        """The structure's PDF objects, into the canvas's document, before it saves."""
        from .rl_adapter import document_of, pdf_true, set_dictionary_entry
        document = document_of(canvas)
        pages = [document.Reference(page) for page in document.Pages.pages]
        root_ref = document.Reference(PDFDictionary({}), "hxStructTreeRoot")
        refs: dict[int, object] = {}
        order: list[Element] = []

        def number(element: Element) -> None:
            order.append(element)
            for kid in element.kids:
                if isinstance(kid, Element):
                    number(kid)
        number(self.root)
        objects = {}
        for index, element in enumerate(order):
            objects[id(element)] = PDFDictionary({"Type": PDFName("StructElem"),
                                                  "S": PDFName(element.role)})
            refs[id(element)] = document.Reference(objects[id(element)], f"hxStruct{index}")
        for element in order:
            entries = objects[id(element)]
            entries["P"] = refs[id(element.parent)] if element.parent else root_ref
            kids = []
            for kid in element.kids:
                if isinstance(kid, Element):
                    kids.append(refs[id(kid)])
                else:
                    page_index, mcid = kid
                    kids.append(PDFDictionary({"Type": PDFName("MCR"),
                                               "Pg": pages[page_index], "MCID": mcid}))
            entries["K"] = PDFArray(kids)
            if element.alt:
                entries["Alt"] = PDFString(element.alt)
            if element.lang:
                entries["Lang"] = PDFString(element.lang)
            if element.scope:
                entries["A"] = PDFDictionary({"O": PDFName("Table"),
                                              "Scope": PDFName(element.scope)})
        numbers = []
        for page_index in sorted(self._marks):
            numbers += [page_index, PDFArray([refs[id(e)] for e in self._marks[page_index]])]
        parent_tree = document.Reference(PDFDictionary({"Nums": PDFArray(numbers)}),
                                         "hxParentTree")
        tree = document.idToObject["hxStructTreeRoot"]
        tree.dict.update({"Type": PDFName("StructTreeRoot"), "K": PDFArray([refs[id(self.root)]]),
                          "ParentTree": parent_tree, "ParentTreeNextKey": len(pages)})
        for page_index, page in enumerate(document.Pages.pages):
            set_dictionary_entry(page, "StructParents", page_index)
            set_dictionary_entry(page, "Tabs", PDFName("S"))
        set_dictionary_entry(document.Catalog, "StructTreeRoot", root_ref)
        set_dictionary_entry(document.Catalog, "MarkInfo", PDFDictionary({"Marked": pdf_true()}))


class Tagged(Flowable):
    """A flowable drawn as one structure element's marked content: what it draws on
    each page is marked, so a paragraph split over two pages has marks on both."""

    def __init__(self, inner: Flowable, element: Element, structure: Structure):
        super().__init__()
        self.inner, self.element, self.structure = inner, element, structure

    def wrap(self, available_width, available_height):
        self.width, self.height = self.inner.wrap(available_width, available_height)
        return self.width, self.height

    def split(self, available_width, available_height):
        return [Tagged(part, self.element, self.structure)
                for part in self.inner.split(available_width, available_height)]

    def getSpaceBefore(self):
        return self.inner.getSpaceBefore()

    def getSpaceAfter(self):
        return self.inner.getSpaceAfter()

    def drawOn(self, canvas, x, y, _sW=0):
        from .rl_adapter import page_code
        code = page_code(canvas)
        code.append(self.structure.open(canvas.getPageNumber() - 1, self.element))
        self.inner.drawOn(canvas, x, y, _sW)
        page_code(canvas).append(self.structure.close())
