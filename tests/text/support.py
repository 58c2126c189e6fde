"""Helpers for the text-engine tests: the corpus, a narrow test column, PDF text."""
from __future__ import annotations

import io
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pypdfium2
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

from handouts.content import Span
from handouts.text import TextStyle
from tests.conftest import paragraph

CORPUS = Path(__file__).parent / "corpus"
COLUMN = 60 * mm                   # the narrow column every corpus paragraph is set in
STYLE = TextStyle(size=10, leading=13.2)
PHONE = re.compile(r"1-800-555-0199")


@dataclass(frozen=True)
class Case:
    id: str
    locale: str
    direction: str
    text: str
    bold: str = ""

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"


@cache
def corpus() -> tuple[Case, ...]:
    cases = []
    for path in sorted(CORPUS.glob("*.toml")):
        data = tomllib.loads(path.read_text("utf-8"))
        for index, para in enumerate(data.get("paragraph", ())):
            locale = para.get("locale", data.get("locale"))
            cases.append(Case(id=para.get("id", f"{path.stem}-{index + 1}"), locale=locale,
                              direction=para.get("direction", data.get("direction", "ltr")),
                              text=para["text"], bold=para.get("bold", "")))
    return tuple(cases)


def spans(case: Case) -> tuple[Span, ...]:
    """The paragraph as the handout markup would give it: the bold word bold, the phone
    number marked as a phone number."""
    marks = []
    if case.bold:
        at = case.text.index(case.bold)
        marks.append((at, at + len(case.bold), "bold"))
    for match in PHONE.finditer(case.text):
        marks.append((match.start(), match.end(), "phone"))
    marks.sort()
    out, last = [], 0
    for start, end, kind in marks:
        if start < last:
            continue
        if start > last:
            out.append(Span(case.text[last:start]))
        out.append(Span(case.text[start:end], bold=kind == "bold", phone=kind == "phone"))
        last = end
    if last < len(case.text):
        out.append(Span(case.text[last:]))
    return tuple(out)


def flowable(case: Case, width: float = COLUMN):
    block = paragraph(spans(case), STYLE, locale=case.locale)
    block.wrap(width, 10_000)
    return block


def pdf_of(blocks, width: float = COLUMN, height: float = 200 * mm) -> bytes:
    """A page exactly one column wide (5 mm margins) holding the flowables."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=(width + 10 * mm, height), leftMargin=5 * mm,
                            rightMargin=5 * mm, topMargin=5 * mm, bottomMargin=5 * mm,
                            invariant=1)
    doc.build(list(blocks))
    return buffer.getvalue()


def case_pdf(case: Case) -> bytes:
    # SimpleDocTemplate's frame has 6 pt padding each side.
    return pdf_of([paragraph(spans(case), STYLE, locale=case.locale)], width=COLUMN + 12)


def pdfium_text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def lines_text(block) -> list[str]:
    """The logical text of each laid-out line."""
    text = block.paragraph.text
    return [text[line.start:line.end] for line in block.lines]


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s()\[\]（）.,;:،؛。、-]+", nfc(text)) if w]
