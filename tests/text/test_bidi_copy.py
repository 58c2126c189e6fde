"""Copy and search of right-to-left and mixed lines beyond the corpus.

Lines holding right-to-left text carry ActualText written for pdfium's reading of it
(engine._reader_text) under an invisible anchor glyph; pdfium must give back each line
exactly, its character boxes must stay on the line (selection, search hits), and poppler,
which reads its own /Span ActualText, must not see the anchor.
"""
from __future__ import annotations

import os
import shutil
import subprocess

import pypdfium2
import pytest

from tests.text.support import Case, case_pdf, flowable, lines_text, nfc, pdfium_text

TEXTS = [
    ("he", "rtl", "המרפאה [Riverside] פתוחה 50% מהזמן, «בדרך כלל» בין 08:00 ל-17:00 "
                  "(ראשון עד חמישי); טלפון 1-800-555-0199 או 03-555-1234."),
    ("ar", "rtl", "Riverside Clinic على الرقم 400 mg «مرتين» يومياً [صباحاً ومساءً] حتى "
                  "2026-12-01، ثم 50% من الجرعة (إذا لزم الأمر)."),
    ("fa", "rtl", "نوبت شما ۱۴ آذر (2026-12-01) ساعت 09:30 در Riverside Clinic است؛ "
                  "لطفاً «کارت بیمه» و 2 عکس همراه داشته باشید."),
    ("en", "ltr", "Ask for Dr. Cohen (ד\"ר כהן) or Dr. Haddad (د. حداد) at desk 3B; "
                  "say «שלום» or «مرحبا», then wait 10-15 minutes."),
]
CASES = [Case(id=f"{locale}-{i}", locale=locale, direction=direction, text=text)
         for i, (locale, direction, text) in enumerate(TEXTS)]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_pdfium_copies_mixed_lines_exactly(case):
    block = flowable(case)
    extracted = nfc(pdfium_text(case_pdf(case)).replace("\r\n", "\n").strip())
    assert extracted == "\n".join(lines_text(block))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_character_boxes_stay_on_the_page(case):
    document = pypdfium2.PdfDocument(case_pdf(case))
    try:
        page = document[0]
        textpage = page.get_textpage()
        width = page.get_width()
        for i in range(textpage.count_chars()):
            left, bottom, right, top = textpage.get_charbox(i)
            if right > left:
                assert 0 <= left and right <= width
    finally:
        document.close()


@pytest.mark.skipif(not shutil.which("pdftotext") and not os.environ.get("HANDOUTS_CI"),
                    reason="poppler not installed (.ci/run installs it)")
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_poppler_does_not_read_the_anchor(case, tmp_path):
    path = tmp_path / "case.pdf"
    path.write_bytes(case_pdf(case))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    drop = dict.fromkeys(map(ord, "\u202a\u202b\u202c\f \n"))
    # poppler may order words differently, but reads no letter more than drawn.
    assert sorted(nfc(text).translate(drop)) == sorted(nfc(case.text).translate(drop))
