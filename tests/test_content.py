"""Content stage: markup -> Document; patient values are always data, never markup."""
import pytest

from handouts import content as c
from handouts.errors import TemplateError
from tests.conftest import load_locale
from tests.conftest import build_document

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
    assert text.index("We are so sorry for your loss.") < text.index("This sheet is for after")
    assert "a pregnancy that grows outside the womb (an ectopic pregnancy)" in text
    assert "molar pregnancy (a rare growth in the womb in place of a normal pregnancy)" in text
    assert "no douching (washing inside the vagina)" in text
    assert "an IUD (a small device placed in the womb)" in text
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
    ("1w", "Your wait: at least 1 week. The earliest day is Friday, November 27, 2026."),
    ("6w", "Your wait: at least 6 weeks. The earliest day is Friday, January 1, 2027."),
    ("2026-12-18", "Your wait: the earliest day is Friday, December 18, 2026."),
])
def test_wait(make_job, wait, expected):
    assert expected in build_document(make_job(wait=wait), load_locale("en")).text()


def test_support_lines_only_for_the_clinics_country(make_job, brand):
    from dataclasses import replace
    text = build_document(make_job(brand=replace(brand, country="GB", support_lines=())),
                          load_locale("en")).text()
    assert "Samaritans | Call 116 123 | Open day and night, every day. Free of charge." in text
    assert "988" not in text
    text = build_document(make_job(brand=replace(brand, country="FR", support_lines=())),
                          load_locale("en")).text()
    assert "Ask us about support services near you." in text


def _urgent_box(document) -> str:
    return next(c.Document("", (b,), ()).text() for b in document.blocks
                if isinstance(b, c.Callout))


@pytest.mark.parametrize("country, emergency, expected", [
    ("US", "911", "Thoughts of hurting yourself: call or text the crisis line, 988"),
    ("CA", "911", "Thoughts of hurting yourself: call or text the crisis line, 988"),
    ("GB", "999", "Thoughts of hurting yourself: call the crisis line, 116 123"),
    ("AU", "000", "Thoughts of hurting yourself: call 000"),      # no crisis line in the data
    ("FR", "112", "Thoughts of hurting yourself: call 112"),
])
def test_the_self_harm_sign_carries_the_countrys_crisis_line(make_job, brand, country,
                                                            emergency, expected):
    from dataclasses import replace
    clinic = replace(brand, country=country, emergency_number=emergency, support_lines=())
    document = build_document(make_job(brand=clinic), load_locale("en"))
    box = _urgent_box(document)
    assert expected in box.splitlines()
    # The two actions, each its own line: what to do now, and whom to call.
    assert f"In an emergency, call {emergency} now." in box.splitlines()
    assert ("For any of these signs, call us: (555) 010-0100. At night and on weekends, "
            "call (555) 010-0199.") in box.splitlines()


def test_the_urgent_boxs_numbers_are_bold(make_job):
    document = build_document(make_job(), load_locale("en"))
    box = next(b for b in document.blocks if isinstance(b, c.Callout))
    bold = {s.text for block in box.blocks for spans in
            (block.items if isinstance(block, c.Bullets) else (block.spans,))
            for s in spans if s.bold}
    assert {"988", "(555) 010-0100", "(555) 010-0199"} <= bold
    assert any("911" in text for text in bold)


@pytest.mark.parametrize("avoid_baths, expected", [
    (False, "You can take a shower or a bath. Do not swim until the bleeding stops."),
    (True, "You can take a shower. Do not swim or take a bath until the bleeding stops."),
])
def test_baths_follow_the_clinic(make_job, brand, avoid_baths, expected):
    from dataclasses import replace
    text = build_document(make_job(brand=replace(brand, avoid_baths=avoid_baths)),
                          load_locale("en")).text()
    assert expected in text.splitlines()


@pytest.mark.parametrize("plan, method, expected", [
    ("avoid", "pill", "Your plan: not to get pregnant for now. Your birth control: the pill. "
                      "Use birth control from the first time you have sex again."),
    ("avoid", "iud", "Your birth control: an IUD (a small device placed in the womb)."),
    ("undecided", "condoms", "Your birth control: condoms."),
    ("avoid", "other", "Your birth control: the method you chose with your care team."),
])
def test_the_chosen_method_is_printed_in_the_plan(make_job, plan, method, expected):
    text = build_document(make_job(contraception=plan, contraception_method=method),
                          load_locale("en")).text()
    assert expected in text


def test_no_method_no_method_line(make_job):
    assert "Your birth control:" not in build_document(make_job(), load_locale("en")).text()


def test_cost_is_printed_only_where_the_data_sets_it(make_job):
    text = build_document(make_job(), load_locale("en")).text()
    assert "for free" not in text and "Free of charge" not in text   # no US line sets it
    assert "You do not have to be in crisis to call." in text


@pytest.mark.parametrize("row, message", [
    ("<tr><td>a</td><td>b</td><td>c</td><td>d</td></tr>", r"rows of 4 cells"),
    ("<tr><td>a</td><td>b</td></tr><tr><td>a</td></tr>", r"rows of 1, 2 cells"),
    ("<tr><td>a</td><p>b</p></tr>", r"<p> where <td> or <th> was expected"),
    ("", r"a <table> has no rows"),
])
def test_a_table_the_layout_cannot_hold_is_an_error_not_a_dropped_column(row, message):
    with pytest.raises(TemplateError, match=message):
        c.parse_markup(f"<handout><table>{row}</table></handout>")


def test_every_block_kind_is_declared_once_with_its_parser_text_role_and_layout():
    from handouts.layout import HandoutLayout
    kinds = {c.Title, c.Subtitle, c.Notice, c.Para, c.Bullets, c.PatientBox, c.Table,
             c.Callout, c.Section}
    assert set(HandoutLayout._DRAWN) == kinds
    assert all(isinstance(kind.role, str) and kind.role for kind in kinds)
    assert set(c.BLOCK_TAGS) == {"title", "subtitle", "notice", "p", "small", "ul", "patient",
                                 "table", "section", "callout"}
