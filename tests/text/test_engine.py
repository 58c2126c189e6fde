"""The engine's parts: font chains, bold faces, bidi order, caching, the flowable."""
from __future__ import annotations

import io

import pytest
from reportlab.lib.units import mm
from reportlab.platypus import Table

from handouts.content import Span
from handouts.text import TextStyle, bidi
from tests.conftest import paragraph
from handouts.text.fonts import writing_system
from tests.conftest import LIBRARY

chain, font_for = LIBRARY.fonts.chain, LIBRARY.fonts.font_for
from tests.text.support import corpus, pdf_of, pdfium_text, spans


@pytest.mark.parametrize("locale, char, script, face", [
    ("he", "5", "Hebr", "NotoSans-Regular"),            # Hebrew face has no digits
    ("he", "א", "Hebr", "NotoSansHebrew-Regular"),
    ("th", "4", "Thai", "NotoSans-Regular"),
    ("th", "๔", "Thai", "NotoSansThai-Regular"),
    ("ar", "(", "Arab", "NotoSans-Regular"),            # Arabic face lacks ( )
    ("ar", "4", "Arab", "NotoSansArabic-Regular"),
    ("ja", "日", "Hani", "IPAexGothic-Regular"),
    ("zh_Hans", "日", "Hani", "WenQuanYiMicroHei-Regular"),
    ("zh_Hant", "醫", "Hani", "WenQuanYiMicroHei-Regular"),
    ("ko", "한", "Hang", "NanumGothic-Regular"),
    ("en", "李", "Hani", "WenQuanYiMicroHei-Regular"),
    ("en", "あ", "Hira", "IPAexGothic-Regular"),
    ("en", "ሀ", "Ethi", "NotoSansEthiopic-Regular"),
])
def test_fallback_chain_per_locale_and_script(locale, char, script, face):
    assert font_for(char, locale, script).face.pdf_name == face


def test_chains_come_from_the_manifest_only():
    from handouts.text.fonts import manifest
    files = {f.file for f in manifest()}
    assert all(font.face.file in files for font in chain("en", "Latn"))
    assert chain("ar", "Arab")[0].face.family == "Noto Sans Arabic"
    assert writing_system("zh_Hant") == "Hant" and writing_system("ja") == "Jpan"


def test_bold_uses_the_family_bold_face_or_emboldens():
    style = TextStyle()
    arabic = paragraph((Span("مرحبا "), Span("فوراً", bold=True)), style, locale="ar")
    faces = {r.font.face.pdf_name for r in arabic.paragraph.runs}
    assert faces == {"NotoSansArabic-Regular", "NotoSansArabic-Bold"}
    chinese = paragraph((Span("请"), Span("立即", bold=True)), style, locale="zh_Hans")
    bold_run = chinese.paragraph.runs[-1]
    assert bold_run.font.face.pdf_name == "WenQuanYiMicroHei-Regular" and bold_run.embolden
    chinese.wrap(200, 100)
    assert " 2 Tr" in chinese.lines[0].ops                 # drawn stroked (synthetic bold)


def test_combining_marks_stay_with_their_base():
    # Vietnamese decomposed on input: NFC first; a mark never gets another face.
    block = paragraph((Span("Nguye\u0302\u0303n 400 mg"),), TextStyle(), locale="vi")
    assert block.paragraph.text.startswith("Nguyễn")
    hindi = paragraph((Span("कि क्ष 400"),), TextStyle(), locale="hi")
    assert {r.font.face.family for r in hindi.paragraph.runs
            if "क" in hindi.paragraph.text[r.start:r.end]} == {"Noto Sans Devanagari"}


@pytest.mark.parametrize("item_levels, order", [
    ([0, 0, 0], [0, 1, 2]), ([1, 1, 1], [2, 1, 0]), ([0, 1, 1, 0], [0, 2, 1, 3]),
    ([1, 2, 2, 1], [3, 1, 2, 0]), ([1, 2, 1, 2], [3, 2, 1, 0])])
def test_visual_order_rule_l2(item_levels, order):
    assert bidi.visual_order(item_levels) == order


def test_isolates_keep_a_number_together():
    text = "اتصل (555) 010-0100 الآن"
    plain = bidi.levels(text, True)
    isolated = bidi.levels(text, True, ((5, 19, bidi.LRI),))
    assert set(isolated[5:19]) == {2}
    assert plain[5:19] != isolated[5:19]


def test_a_time_range_isolate_takes_its_own_direction():
    # "open 9:00–17:00 every day" in Hebrew: the range reads left to right as one unit.
    text = "פתוח 9:00–17:00 כל יום"
    levels = bidi.levels(text, True, ((5, 15, bidi.FSI),))
    assert set(levels[5:15]) == {2}
    # An isolate whose first letter is right to left stays right to left (Arabic "9:00 ص").
    text = "من 9:00 ص"
    levels = bidi.levels(text, True, ((3, 9, bidi.FSI),))
    assert (levels[3], levels[8]) == (4, 3)     # an RTL isolate inside RTL: level 3


def test_cached_and_uncached_output_are_the_same_bytes(make_job):
    from handouts.library import Library
    job = make_job(locale="ar")
    warm = Library()
    first = warm.render(job)
    warm.render(make_job(locale="ar", patient_name="فاطمة الزهراء"))
    second = warm.render(job)
    third = Library().render(job)        # nothing laid out, subset or recorded before
    assert first == second == third


def test_paragraph_splits_across_pages_keeping_whole_lines():
    case = next(c for c in corpus() if c.id == "ru-2")
    long = tuple(spans(case)) * 3
    pdf = pdf_of([paragraph(long, TextStyle(size=10, leading=13.2), locale="ru")],
                 height=60 * mm)
    import pypdfium2
    document = pypdfium2.PdfDocument(pdf)
    pages = [page.get_textpage().get_text_range() for page in document]
    assert len(pages) >= 3
    assert all(len(p.splitlines()) >= 2 for p in pages)   # no orphan, no widow
    assert " ".join(" ".join(pages).split()) == " ".join(
        "".join(s.text for s in long).split())


def test_first_line_height_and_table_cells():
    block = paragraph((Span("ကိုယ်ဝန်ပျက်ကျပြီးနောက်"),), TextStyle(size=10, leading=13.2),
                      locale="my")
    block.wrap(100, 100)
    assert block.first_line_height == block.lines[0].height > 13.2   # taller script
    cells = [[paragraph((Span("Call"),), TextStyle(), locale="en"),
              paragraph((Span("電話 1-800-555-0199 までご連絡ください"),), TextStyle(),
                        locale="ja")]]
    pdf = pdf_of([Table(cells, colWidths=[20 * mm, 45 * mm])])
    assert "1-800-555-0199" in pdfium_text(pdf)


def test_page_number_fields_are_filled():
    block = paragraph((Span("Page "), Span("", field="page-number"), Span(" of "),
                       Span("", field="page-count")), TextStyle(), locale="en",
                      fields={"page-number": "1", "page-count": "2"})
    assert block.paragraph.text == "Page 1 of 2"


def test_fonts_are_embedded_subsets_with_tounicode():
    from pypdf import PdfReader
    case = next(c for c in corpus() if c.id == "en-both-names")
    pdf = pdf_of([paragraph(spans(case), TextStyle(), locale=case.locale)])
    fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    ours = [fonts[name].get_object() for name in fonts if name.startswith("/FH")]
    assert {str(f["/BaseFont"]).split("+")[1] for f in ours} == {
        "NotoSans-Regular", "NotoSans-Bold", "WenQuanYiMicroHei", "NotoSansArabic-Regular"}
    for font in ours:
        assert font["/Subtype"] == "/Type0" and "/ToUnicode" in font
        descendant = font["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"]


def test_links_become_link_annotations():
    from pypdf import PdfReader
    block = paragraph((Span("See "), Span("riverside-health.example",
                                          href="https://riverside-health.example")),
                      TextStyle(), locale="en")
    pdf = pdf_of([block])
    annots = [a.get_object() for a in PdfReader(io.BytesIO(pdf)).pages[0]["/Annots"]]
    assert [a["/A"]["/URI"] for a in annots] == ["https://riverside-health.example"]


def test_empty_paragraph_and_control_characters():
    empty = paragraph((), TextStyle(), locale="en")
    assert empty.wrap(100, 100) == (100, 0)
    tabbed = paragraph((Span("a\tb\nc"),), TextStyle(), locale="en")
    assert tabbed.paragraph.text == "a b c"
