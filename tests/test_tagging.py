"""The structure tree machinery (handouts/tagging.py) on small documents: a heading,
paragraphs (one split over two pages), a list and a figure, each as marked content of
its element, a rule as an artifact; checked by an independent PDF/UA-1 validator
(page-validation, offline) and read back with pypdf. The handouts do not use it yet."""
from __future__ import annotations

import io

import pytest
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate
from reportlab.platypus.flowables import Flowable

from handouts.archival import add_archival_entries, xmp_packet
from handouts.content import Span
from handouts.pdf import Metadata
from handouts.rl_adapter import PDF_VERSION, page_code
from handouts.tagging import Element, Structure, Tagged
from handouts.text import TextStyle
from tests.conftest import paragraph, pdf_reader

page = pytest.importorskip("page", reason="the test extra installs page-validation")

BODY = TextStyle(size=11, leading=15)
HEADING = TextStyle(size=16, leading=20, bold=True)
LONG = ("Bleeding like a period is normal for one to two weeks. " * 30).strip()


class Rule(Flowable):
    """A line under the heading: decoration, so an artifact."""

    def wrap(self, width, height):
        self.width = width
        return width, 4

    def draw(self):
        self.canv.line(0, 2, self.width, 2)


class Artifact(Flowable):
    def __init__(self, inner, structure):
        super().__init__()
        self.inner, self.structure = inner, structure

    def wrap(self, width, height):
        return self.inner.wrap(width, height)

    def drawOn(self, canvas, x, y, _sW=0):
        page_code(canvas).append(self.structure.artifact())
        self.inner.drawOn(canvas, x, y, _sW)
        page_code(canvas).append(self.structure.close())


def tagged_pdf(*, write_structure: bool = True, with_alt: bool = True) -> bytes:
    structure = Structure(lang="en")
    root = structure.root
    metadata = Metadata(title="Recovering after a miscarriage", lang="en",
                        author="Riverside Women's Health")
    flowables = [Tagged(paragraph((Span("Recovering after a miscarriage"),), HEADING),
                        root.add("H1"), structure),
                 Artifact(Rule(), structure)]
    for text in ("What to expect and how to care for yourself.", LONG):
        flowables.append(Tagged(paragraph((Span(text),), BODY), root.add("P"), structure))
    items = root.add("L")
    for text in ("Rest today.", "Drink water."):
        item = items.add("LI")
        flowables.append(Tagged(paragraph((Span(f"• {text}"),), BODY), item.add("LBody"),
                                structure))
    figure = root.add("Figure", alt="Riverside Women's Health logo" if with_alt else "")
    flowables.append(Tagged(paragraph((Span("[logo]"),), BODY), figure, structure))

    class Canvas(__import__("reportlab.pdfgen.canvas", fromlist=["Canvas"]).Canvas):
        def __init__(self, *args, **kwargs):
            kwargs["pdfVersion"] = PDF_VERSION
            super().__init__(*args, **kwargs)

        def save(self):
            if write_structure:
                structure.write(self)
            add_archival_entries(self, metadata, pdfua=True)
            super().save()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=(120 * mm, 150 * mm), title=metadata.title,
                            author=metadata.author, lang="en", displayDocTitle=1,
                            invariant=1, leftMargin=10 * mm, rightMargin=10 * mm,
                            topMargin=10 * mm, bottomMargin=10 * mm)
    doc.build(flowables, canvasmaker=Canvas)
    return buffer.getvalue()


def failures(pdf: bytes) -> list[str]:
    report = page.validate_pdf_bytes(pdf, profile="ua1")
    return sorted({f"{f.rule_id}: {f.message}" for f in report.failures})


def test_a_tagged_document_passes_pdf_ua_1():
    pdf = tagged_pdf()
    assert pdf_reader(pdf).get_num_pages() == 2        # the long paragraph splits
    assert failures(pdf) == []


def test_without_its_structure_tree_it_fails():
    assert any("STRUCT-TREE-ROOT" in f for f in failures(tagged_pdf(write_structure=False)))


def test_a_figure_without_alternative_text_fails():
    assert any("Figure" in f or "ALT" in f.upper()
               for f in failures(tagged_pdf(with_alt=False)))


def test_the_tree_is_in_reading_order_and_a_split_paragraph_marks_both_pages():
    reader = pdf_reader(tagged_pdf())
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    document = root["/StructTreeRoot"]["/K"][0].get_object()
    assert document["/S"] == "/Document"
    roles = [kid.get_object()["/S"] for kid in document["/K"]]
    assert roles == ["/H1", "/P", "/P", "/L", "/Figure"]
    long = document["/K"][2].get_object()
    pages = {mark["/Pg"].get_object().indirect_reference.idnum for mark in long["/K"]}
    assert len(pages) == 2
    for number, pdf_page in enumerate(reader.pages):
        assert pdf_page["/StructParents"] == number and pdf_page["/Tabs"] == "/S"


def test_an_element_knows_its_scope_and_refuses_a_wrong_one():
    table = Element("Table")
    header = table.add("TR").add("TH", scope="Column")
    assert header.scope == "Column" and header.parent.parent is table
    with pytest.raises(ValueError):
        table.add("TR").add("TH", scope="Sideways")


def test_the_xmp_declares_pdf_ua_only_when_asked():
    kwargs = dict(title="T", author="A", subject="", keywords="", lang="en")
    assert b"pdfuaid" not in xmp_packet(**kwargs)
    assert b"<pdfuaid:part>1</pdfuaid:part>" in xmp_packet(**kwargs, pdfua=True)
