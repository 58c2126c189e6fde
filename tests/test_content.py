"""Content stage: markup -> Document; patient values are always data, never markup."""
import pytest

from handouts import content as c
from handouts.errors import TemplateError
from handouts.i18n import load_locale
from handouts.render import build_document

HOSTILE = ["<b>Eve</b>", "Tom & Jerry", "{{ 7*7 }}", "</para><para>", "{% if x %}", "]]>"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_patient_values_are_printed_literally(make_job, value):
    job = make_job(patient_name=value, note=value, clinician=value)
    document = build_document(job, load_locale("en"))
    box = next(b for b in document.blocks if isinstance(b, c.PatientBox))
    values = {label: c.spans_text(spans) for label, spans in box.fields}
    assert values["Name"] == value and values["Note"] == value
    assert values["Your clinician"] == value
    assert all(not span.bold for _, spans in box.fields[:1] for span in spans)


def test_spans_keep_style_and_fold_white_space():
    document = c.parse_markup("<handout><p>Call  <b>us\n now</b> at <phone>555 0100</phone>."
                              "</p></handout>")
    spans = document.blocks[0].spans
    assert spans == (c.Span("Call "), c.Span("us now", bold=True), c.Span(" at "),
                     c.Span("555 0100", phone=True), c.Span("."))


def test_text_is_nfc_normalised():
    decomposed = "Vie\u0302\u0323t"          # Việt with combining marks
    document = c.parse_markup(f"<handout><p>{decomposed}</p></handout>")
    assert document.blocks[0].spans[0].text == "Vi\u1ec7t"


def test_footer_fields_and_blank_page():
    document = c.parse_markup("<handout><footer><cell>Page <page-number/> of <page-count/>"
                              "</cell></footer><blank-page>Blank.</blank-page></handout>")
    cell = document.footer[0]
    assert [s.field for s in cell] == ["", "page-number", "", "page-count"]
    assert c.spans_text(document.blank_page) == "Blank."


def test_unknown_element_is_an_error():
    with pytest.raises(TemplateError, match=r"unknown element <blink>"):
        c.parse_markup("<handout><p><blink>x</blink></p></handout>")


def test_broken_markup_names_the_line():
    with pytest.raises(TemplateError, match=r"^handout:2: the handout markup is not well-formed"):
        c.parse_markup("<handout>\n<p><b>x</p></handout>")


def test_every_section_has_content(make_job):
    document = build_document(make_job(), load_locale("en"))
    headings = [c.spans_text(b.heading) for b in document.blocks
                if isinstance(b, (c.Section, c.Callout))]
    assert headings == ["Get help right away if you have:", "Your body after a miscarriage",
                        "When sex and tampons are safe again",
                        "Birth control and getting pregnant again",
                        "Your feelings, your partner and sex", "Support"]
    text = document.text()
    assert "not for an ectopic pregnancy or a molar pregnancy" in text
    assert "does not replace advice from your care team" in text


@pytest.mark.parametrize("plan, expected", [
    ("avoid", "Your plan: not to get pregnant for now."),
    ("trying", "Your plan: try again when you feel ready."),
    ("undecided", "Your plan: we will talk about it at your next visit."),
])
def test_contraception_plan(make_job, plan, expected):
    assert expected in build_document(make_job(contraception=plan), load_locale("en")).text()


@pytest.mark.parametrize("wait, expected", [
    ("until-bleeding-stops", "Your wait: until your bleeding has stopped."),
    ("1w", "Your wait: at least 1 week, until Friday, November 27, 2026."),
    ("6w", "Your wait: at least 6 weeks, until Friday, January 1, 2027."),
    ("2026-12-18", "Your wait: until Friday, December 18, 2026."),
])
def test_wait(make_job, wait, expected):
    assert expected in build_document(make_job(wait=wait), load_locale("en")).text()


def test_support_lines_only_for_the_clinics_country(make_job, brand):
    from dataclasses import replace
    text = build_document(make_job(brand=replace(brand, country="GB", support_lines=())),
                          load_locale("en")).text()
    assert "Samaritans | Call 116 123 | Day and night, every day" in text
    assert "988" not in text
    text = build_document(make_job(brand=replace(brand, country="FR", support_lines=())),
                          load_locale("en")).text()
    assert "Ask us about support services near you." in text
