"""Every corpus paragraph (tests/text/corpus/), set in a 60 mm column.

Checks per paragraph: it wraps over several lines; the lines are the source text in order
(logical, NFC), broken only where ICU allows a line break; copied text (pdfium, the engine
of Chrome's and Android's PDF viewers) is the source; right-to-left lines sit against the
right edge with the first word of the sentence on the right.
"""
from __future__ import annotations

import pytest
from icu4py.breakers import LineBreaker

from handouts.text import bidi
from tests.text.support import (COLUMN, case_pdf, corpus, flowable, lines_text, nfc,
                                pdfium_text)

CASES = corpus()
IDS = [case.id for case in CASES]
NO_SPACES = {"th", "km", "my", "ja", "zh_Hans", "zh_Hant"}   # words not split by spaces


def icu_breaks(text: str, locale: str) -> set[int]:
    out, at = set(), 0
    for segment in LineBreaker(text, locale):
        at += len(segment)
        out.add(at)
    return out


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_paragraph_wraps_into_the_column_in_logical_order(case):
    block = flowable(case)
    lines = block.lines
    assert len(lines) >= 3, "the corpus paragraphs must wrap in a 60 mm column"
    assert all(line.width <= COLUMN + 0.01 for line in lines)
    # The lines, with the spaces dropped at the breaks, are the whole source text.
    text = block.paragraph.text
    assert text == nfc(case.text)
    rebuilt = ""
    for line in lines:
        gap = text[len(rebuilt):line.start]
        assert gap.strip() == "", f"text lost between lines: {gap!r}"
        rebuilt += gap + text[line.start:line.end]
    assert rebuilt == text.rstrip()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_lines_break_only_where_icu_allows(case):
    block = flowable(case)
    allowed = icu_breaks(block.paragraph.text, case.locale)
    for line in block.lines[1:]:
        assert line.start in allowed, (
            f"line starts at {line.start}: "
            f"{block.paragraph.text[max(0, line.start - 8):line.start + 8]!r}")


@pytest.mark.parametrize("case", [c for c in CASES if c.locale in NO_SPACES],
                         ids=[c.id for c in CASES if c.locale in NO_SPACES])
def test_no_word_is_cut_and_no_line_starts_with_closing_punctuation(case):
    block = flowable(case)
    text = block.paragraph.text
    for line in block.lines[1:]:
        assert text[line.start] not in "。、，）」』：；！？ๆ", text[line.start:line.start + 6]
    if case.locale == "th":
        # Thai words of the corpus that must never be split across lines.
        for word in ("ชั่วโมง", "พยาบาล", "รับประทาน", "โปรด", "ทันที", "อาหาร"):
            at = text.find(word)
            while at >= 0:
                inside = range(at + 1, at + len(word))
                assert not any(line.start in inside for line in block.lines), word
                at = text.find(word, at + 1)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_copied_text_is_the_source(case):
    """pdfium gives back exactly the source, line by line, in logical order, right-to-left
    and mixed lines included (ActualText where glyphs are reordered or merged and on
    every line holding right-to-left text, ToUnicode elsewhere). The guarantee is
    pdfium's (Chrome, Android); poppler's pdftotext applies its own reordering."""
    block = flowable(case)
    extracted = pdfium_text(case_pdf(case)).replace("\r\n", "\n").strip()
    assert nfc(extracted) == "\n".join(lines_text(block))
    joined = " ".join(extracted.split()) if case.locale not in NO_SPACES else None
    if joined is not None:
        assert joined == " ".join(case.text.split())


@pytest.mark.parametrize("case", [c for c in CASES if c.rtl], ids=[c.id for c in CASES if c.rtl])
def test_rtl_lines_are_right_aligned_and_start_on_the_right(case):
    block = flowable(case)
    text = block.paragraph.text
    for line in block.lines:
        assert line.x + line.width == pytest.approx(COLUMN, abs=0.01)
    # The piece holding the sentence's first character is the rightmost of line 1, and
    # the first word's glyphs run right to left.
    first_line = block.lines[0]
    rightmost = first_line.pieces[-1]
    assert rightmost.start == 0
    first_word = text.split()[0]
    if bidi.has_rtl(first_word):
        assert rightmost.run.rtl
        clusters = rightmost.glyphs.clusters
        assert list(clusters) == sorted(clusters, reverse=True)
    # The last line is short, so it ends well before the left edge.
    assert block.lines[-1].x > 1


@pytest.mark.parametrize("case", [c for c in CASES if not c.rtl],
                         ids=[c.id for c in CASES if not c.rtl])
def test_ltr_lines_start_at_the_left(case):
    block = flowable(case)
    assert all(line.x == 0 for line in block.lines)
