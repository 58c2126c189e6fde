"""Mixed scripts and directions: what the reader sees, left to right, on each line.

`visual(line)` is the text of a line's glyphs in the order they stand on the page, left
to right (each glyph's ToUnicode text), so right-to-left words appear reversed in it.
"""
from __future__ import annotations

import pytest
from reportlab.lib.units import mm

from handouts.content import Span
from handouts.text import TextStyle
from tests.conftest import paragraph
from tests.text.support import corpus, spans

WIDE = 250 * mm
STYLE = TextStyle(size=10, leading=13.2)


def laid_out(spans, locale, width=WIDE):
    block = paragraph(tuple(spans), STYLE, locale=locale)
    block.wrap(width, 10_000)
    return block


def visual(line) -> str:
    return "".join(piece.run.font.glyph_text.get(g, "?") for piece in line.pieces
                   for g in piece.glyphs.gids)


def case(case_id):
    return next(c for c in corpus() if c.id == case_id)


def face_of(block, substring: str) -> str:
    """The face the first character of a substring is drawn with."""
    at = block.paragraph.text.index(substring)
    run = next(r for r in block.paragraph.runs if r.start <= at < r.end)
    return run.font.face.pdf_name


def test_arabic_with_latin_clinic_name_and_phone_number():
    c = case("ar-latin-clinic")
    block = laid_out(spans(c), c.locale)
    assert len(block.lines) == 1
    line = block.lines[0]
    seen = visual(line)
    assert "Riverside Clinic" in seen                  # Latin reads left to right
    assert "1-800-555-0199" in seen                    # and so does the number
    assert "الرقم"[::-1] in seen                       # Arabic right to left
    # Reading from the right: ... على الرقم 1-800-555-0199 من ...
    assert seen.index("1-800-555-0199") < seen.index("الرقم"[::-1]) \
        < seen.index("Riverside Clinic")
    assert line.x + line.width == pytest.approx(WIDE)
    assert face_of(block, "Riverside Clinic") == "NotoSans-Regular"
    assert face_of(block, "الرقم") == "NotoSansArabic-Regular"


def test_unmarked_number_in_arabic_follows_the_bidi_algorithm():
    """Why phone numbers are marked: after Arabic letters, digits are Arabic numbers and
    '-' separates them, so the bidi algorithm lays the groups out right to left."""
    c = case("ar-latin-clinic")
    seen = visual(laid_out([Span(c.text)], c.locale).lines[0])
    assert "0199-555-800-1" in seen

def test_phone_number_is_isolated_inside_right_to_left_text():
    """(555) 010-0100 alone would be reordered by the bidi algorithm into
    010-0100 (555); as a phone span it always reads left to right."""
    before, number, after = "اتصلي بنا على ", "(555) 010-0100", " في أي وقت."
    marked = laid_out([Span(before), Span(number, phone=True), Span(after)], "ar")
    plain = laid_out([Span(before + number + after)], "ar")
    assert number in visual(marked.lines[0])
    assert number not in visual(plain.lines[0])
    # Never broken: in a column too narrow for the sentence the number stays whole.
    narrow = laid_out([Span(before), Span(number, phone=True), Span(after)], "ar",
                      width=25 * mm)
    assert any(number in visual(line) for line in narrow.lines)


def test_mirrored_brackets_around_arabic_in_right_to_left_text():
    c = case("ar-starts-latin-parens")
    block = laid_out([Span(c.text)], c.locale)
    seen = visual(block.lines[0])
    # Logical "(عيادة ريفرسايد)": read right to left, so on the page, left to right,
    # the closing bracket comes first and is drawn as "(".
    assert "(" + "ريفرسايد"[::-1] + " " + "عيادة"[::-1] + ")" in seen
    # The paragraph starts with Latin, but it is Arabic text: the Latin name is on the
    # right, where the sentence starts.
    assert seen.rstrip().endswith("Riverside Clinic")


def test_persian_with_latin_name_in_brackets():
    c = case("fa-latin-in-parens")
    block = laid_out(spans(c), c.locale)
    seen = "".join(visual(line) for line in block.lines)
    assert "(Riverside Clinic)" in seen
    assert "1-800-555-0199" in seen
    assert "۱۰" in seen


def test_english_with_chinese_and_arabic_names():
    c = case("en-both-names")
    block = laid_out([Span(c.text)], c.locale)
    assert len(block.lines) == 1
    seen = visual(block.lines[0])
    assert seen.startswith("Prepared for 李小龙 and ")
    # The Arabic name reads right to left: its first word is on the right.
    assert "فاطمة الزهراء"[::-1] in seen
    assert face_of(block, "李小龙") == "WenQuanYiMicroHei-Regular"
    assert face_of(block, "فاطمة الزهراء") == "NotoSansArabic-Regular"
    assert block.lines[0].x == 0                       # an English paragraph: left


def test_english_with_chinese_name_uses_the_chinese_face():
    c = case("en-chinese-name")
    block = laid_out([Span(c.text)], c.locale)
    assert face_of(block, "李小龙") == "WenQuanYiMicroHei-Regular"
    assert visual(block.lines[0]).startswith("Patient: 李小龙. Please bring")


def test_english_with_arabic_name():
    c = case("en-arabic-name")
    block = laid_out(spans(c), c.locale)
    seen = visual(block.lines[0])
    assert seen.startswith("Patient: " + "فاطمة الزهراء"[::-1] + ". Your next")
    assert "call 1-800-555-0199 to change it." in seen


def test_hebrew_with_digits():
    c = case("he-digits")
    block = laid_out([Span(c.text)], c.locale)
    assert len(block.lines) == 1
    seen = visual(block.lines[0])
    for number in ("15", "09:30", "2026-12-01", "204"):
        assert number in seen
    assert seen.endswith("נא להגיע"[::-1])              # the first words on the right
    assert seen.startswith(".3 ")                      # the full stop ends on the left
    assert face_of(block, "15") == "NotoSans-Regular"  # the Hebrew face has no digits
    assert face_of(block, "להגיע") == "NotoSansHebrew-Regular"


def test_english_note_in_arabic_handout_keeps_its_direction_but_aligns_right():
    text = "Take ibuprofen 400 mg every 6 hours if you need it."
    block = laid_out([Span(text)], "ar")
    line = block.lines[0]
    assert visual(line) == text
    assert line.x + line.width == pytest.approx(WIDE)


@pytest.mark.parametrize("align, locale, at_right", [
    ("start", "en", False), ("end", "en", True), ("start", "ar", True), ("end", "ar", False),
    ("start", "he", True), ("end", "he", False)])
def test_start_and_end_follow_the_locale(align, locale, at_right):
    style = TextStyle(size=10, leading=13.2, align=align)
    block = paragraph((Span("12345"),), style, locale=locale)
    block.wrap(WIDE, 100)
    line = block.lines[0]
    assert (line.x + line.width == pytest.approx(WIDE)) is at_right
    assert (line.x == 0) is (not at_right)


def test_centre():
    style = TextStyle(size=10, leading=13.2, align="centre")
    block = paragraph((Span("abc"),), style, locale="ar")
    block.wrap(WIDE, 100)
    line = block.lines[0]
    assert line.x == pytest.approx((WIDE - line.width) / 2)
