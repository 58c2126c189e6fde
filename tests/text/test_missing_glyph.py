"""A character no vendored font covers is an error naming it, the locale and the text:
raised before any file is written, never a box or a gap on the page."""
from __future__ import annotations

import pytest

from handouts.content import Span
from handouts.errors import MissingGlyphError
from tests.conftest import render
from handouts.text import TextStyle
from tests.conftest import check_coverage, paragraph

HIEROGLYPH = "\U00013000"          # EGYPTIAN HIEROGLYPH A001: in no vendored font


def test_paragraph_raises_with_the_character_locale_and_text():
    with pytest.raises(MissingGlyphError) as caught:
        paragraph((Span(f"Patient: Ana {HIEROGLYPH} López"),), TextStyle(), locale="es")
    message = str(caught.value)
    assert message == (f"text: no font covers '{HIEROGLYPH}' (U+13000) in "
                       f"'Patient: Ana {HIEROGLYPH} López' (locale es: add a font that "
                       "covers it to fonts/manifest.toml, or change the text)")


def test_check_coverage_uses_the_same_chains():
    check_coverage("נא להגיע 15 דקות, 09:30 (2026-12-01)", locale="he")   # digits: Noto Sans
    check_coverage("Patient: 李小龙 / فاطمة / 김민수 / ひらがな", locale="en")
    with pytest.raises(MissingGlyphError, match=r"U\+13000.*locale ar"):
        check_coverage(f"اسم {HIEROGLYPH}", locale="ar")


def test_long_text_is_shortened_around_the_character():
    text = "x" * 100 + HIEROGLYPH + "y" * 100
    with pytest.raises(MissingGlyphError) as caught:
        check_coverage(text, locale="en")
    assert "U+13000" in str(caught.value)
    assert len(str(caught.value)) < 200


def test_render_fails_before_writing(make_job, tmp_path):
    from handouts.cli import main
    out = tmp_path / "h.pdf"
    with pytest.raises(MissingGlyphError, match=r"U\+13000"):
        render(make_job(patient_name=f"Ana {HIEROGLYPH}"))
    code = main(["render", "--locale", "en", "--patient-name", f"Ana {HIEROGLYPH}",
                 "--discharge-date", "2026-11-20", "--wait", "2w", "--contraception",
                 "avoid", "--follow-up", "call", "--rh", "not-needed", "--today",
                 "2026-11-20", "--out", str(out)])
    assert code == 2 and not out.exists()


def test_marks_and_joiners_need_no_glyph_of_their_own():
    # ZWNJ in Persian, a variation selector, a soft hyphen: no error.
    paragraph((Span("می\u200cبینید"),), TextStyle(), locale="fa")
    paragraph((Span("a\ufe0fb\u00adc"),), TextStyle(), locale="en")
