"""A handout's own fields (fields.toml): loading, every kind, every error in the file
named by file, line and key, and typed input that never crashes the parser nor comes
back quoted where it could be a patient's words."""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from babel import Locale
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from handouts.errors import DATE_SHAPE, FOLLOW_UP_SHAPE, WAIT_SHAPE, InputError, TemplateError
from handouts.fields import Appointment, Until, load_handout_fields
from handouts.resources import PROJECT_DIR, TEMPLATES_DIR

MISCARRIAGE = load_handout_fields(TEMPLATES_DIR / "miscarriage-recovery")
WOUND_CARE = load_handout_fields(PROJECT_DIR / "tests" / "data" / "handouts" / "wound-care")
DISCHARGE = {"discharge_date": date(2026, 11, 20)}
EN_US = Locale.parse("en_US")


def parse(fields, **values):
    """The handout's values as a dict, from typed text."""
    return dict(fields.parse(values, DISCHARGE))


# -- the first handout, as it was before fields.toml -----------------------------------

def test_the_first_handout_declares_its_fields_in_order():
    assert [(s.name, s.kind, s.required) for s in MISCARRIAGE.specs] == [
        ("wait", "until", True), ("contraception", "choice", True),
        ("contraception_method", "choice", False), ("follow_up", "appointment", True),
        ("rh", "choice", True)]
    assert [s.option for s in MISCARRIAGE.specs] == [
        "--wait", "--contraception", "--contraception-method", "--follow-up", "--rh"]
    # The columns and their order, as patient lists and hints have always listed them.
    assert MISCARRIAGE.known_fields == (
        "record_id", "locale", "patient_name", "discharge_date", "wait", "contraception",
        "contraception_method", "follow_up", "rh", "clinician", "note", "paper")
    assert MISCARRIAGE.required_fields == (
        "locale", "discharge_date", "wait", "contraception", "follow_up", "rh")
    assert MISCARRIAGE.spec("contraception_method").allowed == (
        "pill", "patch", "shot", "implant", "iud", "condoms", "other")
    assert MISCARRIAGE.spec("rh").metavar == "{given,not-given,not-needed}"
    assert MISCARRIAGE.spec("wait").metavar == "{until-bleeding-stops,Nw,YYYY-MM-DD}"
    assert MISCARRIAGE.spec("follow_up").metavar == '"YYYY-MM-DD HH:MM"|call'


def test_every_choice_has_a_label_and_help_for_a_form():
    for fields in (MISCARRIAGE, WOUND_CARE):
        for spec in fields.specs:
            assert spec.label and spec.help and spec.hint
            assert all(word.label and word.help for word in spec.words)


def test_the_examples_make_a_valid_visit():
    assert MISCARRIAGE.example_values() == {
        "wait": "2w", "contraception": "avoid", "follow_up": "2026-12-01 10:30",
        "rh": "not-needed"}
    assert parse(MISCARRIAGE, **MISCARRIAGE.example_values())["wait"] == Until(
        weeks=2, date=date(2026, 12, 4))
    assert parse(WOUND_CARE, **WOUND_CARE.example_values())["stitches_out"] == date(2026, 11, 30)


# -- each kind ----------------------------------------------------------------------------

def test_until_takes_a_word_weeks_or_a_date():
    values = dict(contraception="avoid", follow_up="call", rh="given")
    assert parse(MISCARRIAGE, wait="until-bleeding-stops", **values)["wait"] == Until(
        word="until-bleeding-stops")
    assert parse(MISCARRIAGE, wait="26w", **values)["wait"] == Until(
        weeks=26, date=date(2027, 5, 21))
    assert parse(MISCARRIAGE, wait="2026-11-21", **values)["wait"] == Until(
        date=date(2026, 11, 21))


def test_an_appointment_is_a_date_and_time_or_a_word():
    values = dict(wait="2w", contraception="avoid", rh="given")
    assert parse(MISCARRIAGE, follow_up="2026-11-20T08:05", **values)["follow_up"] == \
        Appointment(at=datetime(2026, 11, 20, 8, 5))
    assert parse(MISCARRIAGE, follow_up="call", **values)["follow_up"] == Appointment(word="call")


def test_empty_optional_fields_and_text():
    visit = parse(WOUND_CARE, stitches_out="2026-11-30", dressing="none",
                  wound_site="  left \t forearm ")
    assert visit["check_up"] is None and visit["wound_site"] == "left forearm"
    assert parse(WOUND_CARE, stitches_out="2026-11-30", dressing="none")["wound_site"] == ""


@pytest.mark.parametrize("fields, values, message", [
    (WOUND_CARE, {"stitches_out": "2026-11-20", "dressing": "none"},
     "stitches_out: 2026-11-20 is not after the discharge date 2026-11-20 "
     "(give a date after discharge)"),
    (WOUND_CARE, {"stitches_out": "30/11/2026", "dressing": "none"},
     "stitches_out: '30/11/2026' is not a date (use YYYY-MM-DD, e.g. 2026-11-20)"),
    (WOUND_CARE, {"stitches_out": "2026-11-30", "dressing": "wet"},
     "dressing: the value is not one of keep-dry, change-daily, none "
     "(use keep-dry, change-daily or none)"),
    (WOUND_CARE, {"stitches_out": "2026-11-30", "dressing": "none", "check_up": "soon"},
     "check_up: the value is not a check-up (use a date and time YYYY-MM-DD HH:MM, or call)"),
    (WOUND_CARE, {"stitches_out": "2026-11-30", "dressing": "none",
                  "check_up": "2026-11-19 09:00"},
     "check_up: 2026-11-19 09:00 is before the discharge date 2026-11-20 "
     "(give the date of the wound check)"),
    (WOUND_CARE, {"stitches_out": "2026-11-30", "dressing": "none", "wound_site": "x" * 41},
     "wound_site: is 41 characters long (shorten it to 40 characters or fewer)"),
    (WOUND_CARE, {"dressing": "none"},
     "stitches_out: is required (use YYYY-MM-DD, e.g. 2026-11-20)"),
    (MISCARRIAGE, {"wait": "0w", "contraception": "avoid", "follow_up": "call", "rh": "given"},
     "wait: '0w' is out of range (use between 1w and 26w)"),
    (MISCARRIAGE, {"wait": "100w", "contraception": "avoid", "follow_up": "call",
                   "rh": "given"},
     "wait: '100w' is not a wait (use until-bleeding-stops, a number of weeks such as 2w or "
     "6w, or a date YYYY-MM-DD)"),
])
def test_errors_name_the_field_and_the_fix(fields, values, message):
    with pytest.raises(InputError) as caught:
        fields.parse(values, DISCHARGE)
    assert str(caught.value) == message


def test_a_wait_in_weeks_that_would_end_after_the_calendar_is_refused():
    with pytest.raises(InputError, match=r"^wait: '2w' ends after 9999-12-31"):
        MISCARRIAGE.parse({"wait": "2w", "contraception": "avoid", "follow_up": "call",
                           "rh": "given"}, {"discharge_date": date(9999, 12, 25)})


def test_template_values_are_formatted_for_the_locale_and_isolated():
    visit = MISCARRIAGE.parse({"wait": "6w", "contraception": "undecided",
                               "contraception_method": "iud", "follow_up": "2026-12-01 10:30",
                               "rh": "not-given"}, DISCHARGE)
    values = MISCARRIAGE.template_values(visit, EN_US)
    assert values["wait"] == {"kind": "weeks", "word": "", "weeks": 6,
                              "date": Markup("<bdi>Friday, January 1, 2027</bdi>")}
    assert values["follow_up"] == {"booked": True, "word": "",
                                   "date": Markup("<bdi>Tuesday, December 1, 2026</bdi>"),
                                   "time": Markup("<bdi>10:30\u202fAM</bdi>")}
    assert (values["contraception"], values["contraception_method"], values["rh"]) == (
        "undecided", "iud", "not-given")
    unbooked = MISCARRIAGE.template_values(MISCARRIAGE.parse(
        {"wait": "until-bleeding-stops", "contraception": "trying", "follow_up": "call",
         "rh": "given"}, DISCHARGE), EN_US)
    assert unbooked["follow_up"] == {"booked": False, "word": "call", "date": "", "time": ""}
    assert unbooked["wait"]["kind"] == "word" and unbooked["wait"]["date"] == ""
    assert unbooked["contraception_method"] == ""


# -- errors in fields.toml: file, line, key and fix ---------------------------------------

GOOD = '''# a comment
[dressing]
kind = "choice"
label = "Dressing"
help = "how to care for the dressing"
example = "dry"
values = [
  { value = "dry", label = "Keep dry", help = "Keep it dry." },
  { value = "wet", label = "Wet is fine", help = "It may get wet." },
]
'''


def load(tmp_path: Path, text: str):
    folder = tmp_path / "my-handout"
    folder.mkdir(exist_ok=True)
    (folder / "fields.toml").write_text(text, encoding="utf-8")
    return load_handout_fields(folder)


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(TemplateError) as caught:
        load(tmp_path, text)
    return str(caught.value)


def test_a_good_file_loads(tmp_path):
    fields = load(tmp_path, GOOD)
    assert fields.name == "my-handout" and fields.columns == ("dressing",)
    assert fields.spec("dressing").option == "--dressing"
    assert fields.spec("dressing").hint == "use dry or wet"


@pytest.mark.parametrize("change, line, key, message", [
    (lambda t: t.replace('kind = "choice"', 'kind = "choise"'), 3, "dressing.kind",
     "'choise' is not a kind of field (use one of choice, date, appointment, until, text)"),
    (lambda t: t.replace('kind = "choice"\n', ''), 2, "dressing.kind",
     "is required (use one of choice, date, appointment, until, text)"),
    (lambda t: t.replace('label = ', 'lable = '), 4, "dressing.lable",
     "unknown key (did you mean label?)"),
    (lambda t: t.replace('label = "Dressing"\n', ''), 2, "dressing.label",
     'is required (add label = "..." (English))'),
    (lambda t: t[:t.index("values")], 2, "dressing.values",
     'a choice needs its values (write values = [ { value = "...", label = "...", '
     'help = "..." }, ... ], one value a line)'),
    (lambda t: t.replace('value = "wet"', 'value = "Wet"'), 9, "dressing.values[2].value",
     "'Wet' cannot be a value (use lower-case letters, digits and -, starting with a letter)"),
    (lambda t: t.replace(', help = "It may get wet."', ''), 9, "dressing.values[2].help",
     "is required, as text in quotes (say in plain English what the value means)"),
    (lambda t: t.replace('value = "wet"', 'value = "dry"'), 9, "dressing.values[2].value",
     "repeats the value dry (give each value once)"),
    (lambda t: t.replace('example = "dry"', 'example = "damp"'), 6, "dressing.example",
     "is not a valid value: the value is not one of dry, wet (use dry or wet)"),
    (lambda t: t.replace("[dressing]", "[note]"), 2, "note",
     "is a field every handout has already, or a name the template uses (give the "
     "handout's field another name)"),
    (lambda t: t.replace("[dressing]", "[items]"), 2, "items",
     "is a field every handout has already, or a name the template uses (give the "
     "handout's field another name)"),
    (lambda t: t.replace("[dressing]", "[Dressing]"), 2, "Dressing",
     "is not a field name (use lower-case letters, digits and _ (at most 32), starting "
     "with a letter)"),
    (lambda t: t.replace('example = "dry"', 'example = "dry"\noption = "--brand"'), 7,
     "dressing.option", "'--brand' cannot be an option (use -- and lower-case letters, "
     "digits and -, not one of "),
    (lambda t: t.replace('example = "dry"', 'example = "dry"\nrequired = "yes"'), 7,
     "dressing.required", "must be true or false (write required = true, or leave it out "
     "for false)"),
    (lambda t: "version = 2\n" + t, 1, "version",
     "is not a field (each field is a table: write [version] and its keys (kind, label, "
     "help, ...) under it)"),
    (lambda t: t.replace('kind = "choice"', "kind = choice"), 3, None,
     "is not valid TOML: Invalid value (at line 3, column 8) (see https://toml.io"),
])
def test_each_problem_names_the_file_line_and_key(tmp_path, change, line, key, message):
    where = str(tmp_path / "my-handout" / "fields.toml")
    expected = f"{where}:{line}: " + (f"{key}: " if key else "") + message
    assert error_of(tmp_path, change(GOOD)).startswith(expected)


SECOND = '''
[surgery_date]
kind = "date"
label = "Surgery"
help = "the day of the surgery"
'''


@pytest.mark.parametrize("extra, line, key, message", [
    ('after = "surgery_day"\n', 6, "surgery_date.after",
     "'surgery_day' is not a date field declared above (name discharge_date, or a date "
     "field declared above this one)"),
    ('after_hint = "later"\n', 6, "surgery_date.after_hint",
     "is given without after (add after, or leave after_hint out)"),
    ('refused_if = { dressing = "damp" }\n', 6, "surgery_date.refused_if",
     "must be values of dressing (use some of: dry, wet)"),
    ('refused_if = { shoe = "red" }\n', 6, "surgery_date.refused_if",
     "'shoe' is not a choice field declared above (name a choice field declared above "
     "this one)"),
    ('column = "dressing"\n', 6, "surgery_date.column",
     "is also the column of dressing (give each field its own column)"),
    ('required = true\n', 2, "surgery_date.example",
     "is required for a required field (give a valid value: it makes the sample and "
     "warm-up handouts)"),
])
def test_rules_and_names_are_checked_against_the_fields_above(tmp_path, extra, line, key,
                                                              message):
    where = str(tmp_path / "my-handout" / "fields.toml")
    assert error_of(tmp_path, GOOD + SECOND + extra) == f"{where}:{line + 10}: {key}: {message}"


def test_kind_specific_requirements(tmp_path):
    where = str(tmp_path / "my-handout" / "fields.toml")
    text = GOOD + '\n[site]\nkind = "text"\nlabel = "Site"\nhelp = "where"\n'
    assert error_of(tmp_path, text) == (
        f"{where}:12: site.max_length: is required, a whole number of characters (free text "
        "is always bounded: add max_length = 300, or what the page has room for)")
    text = GOOD + '\n[wait]\nkind = "until"\nlabel = "Wait"\nhelp = "how long"\n'
    assert error_of(tmp_path, text) == (
        f"{where}:12: wait.after: is required for an until field: its weeks count from it "
        '(add after = "discharge_date")')
    text = GOOD + ('\n[wait]\nkind = "until"\nlabel = "Wait"\nhelp = "how long"\n'
                   'after = "discharge_date"\nweeks = [6, 2]\n')
    assert error_of(tmp_path, text) == (
        f"{where}:17: wait.weeks: must be [fewest, most] weeks (write weeks = [1, 26]: whole "
        "numbers, at most 520)")


def test_a_missing_file_is_named(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(TemplateError) as caught:
        load_handout_fields(tmp_path / "empty")
    assert str(caught.value).startswith(f"{tmp_path / 'empty' / 'fields.toml'}: file not found")


def test_a_shipped_file_is_named_relative_to_the_project(tmp_path):
    assert MISCARRIAGE.name == "miscarriage-recovery"
    with pytest.raises(TemplateError) as caught:
        load_handout_fields(PROJECT_DIR / "templates")
    assert str(caught.value).startswith("templates/fields.toml: file not found")


# -- any typed input: a value, or one InputError that never quotes free text ------------

SPECS = [(fields, spec) for fields in (MISCARRIAGE, WOUND_CARE) for spec in fields.specs]
SHAPES = {"date": DATE_SHAPE, "until": WAIT_SHAPE, "appointment": FOLLOW_UP_SHAPE}
near_misses = st.sampled_from([
    "", " ", "2w", "26w", "27w", "0w", "99w", "2026-11-21", "2026-02-30", "2026-11-20 10:30",
    "2026-11-20 25:00", "call", "CALL", "avoid", "trying", "none", "keep-dry", "0000-01-01",
    "9999-12-31", "9999-12-31 23:59", "1w", "until-bleeding-stops ", "Zyxwquv Qqplorth"])
typed = st.one_of(near_misses, st.text(max_size=60),
                  st.builds(lambda a, b: a + b, near_misses, st.text(max_size=8)))


def pieces(text: str, width: int = 6):
    text = text.strip()
    return {text[i:i + width] for i in range(max(0, len(text) - width + 1))} if \
        len(text) >= width else set()


def _reference(spec, known) -> str:
    try:
        spec.parse("?" * (spec.max_length + 1), known)
    except InputError as error:
        return str(error)
    return ""


@settings(max_examples=400, deadline=None)
@given(which=st.sampled_from(SPECS), text=typed,
       discharge=st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_one_field_gives_a_value_or_an_input_error(which, text, discharge):
    _, spec = which
    known = {"discharge_date": discharge}
    try:
        spec.parse(text, known)
    except InputError as error:
        message = str(error)
        assert error.field == spec.column and "\n" not in message
        # What the same error says of any other value (the list of choices, the words of
        # the message) is not a quote.
        reference = _reference(spec, known)
        if spec.kind in ("text", "choice"):
            # Free text and a choice's value are never quoted back: either might be a
            # patient's words typed into the wrong column.
            assert not any(piece in message and piece not in reference
                           for piece in pieces(text) if piece.strip()), message
        elif text.strip() and text.strip() in message and text.strip() not in reference:
            # A date, a wait or an appointment is quoted only in the shape it should have.
            assert re.fullmatch(SHAPES[spec.kind], text.strip()), message


@settings(max_examples=200, deadline=None)
@given(fields=st.sampled_from([MISCARRIAGE, WOUND_CARE]),
       values=st.dictionaries(st.sampled_from(MISCARRIAGE.columns + WOUND_CARE.columns),
                              typed, max_size=6))
def test_a_whole_visit_gives_values_or_an_input_error(fields, values):
    try:
        visit = fields.parse(values, DISCHARGE)
    except InputError as error:
        assert error.field in fields.columns
        return
    assert [name for name, _ in visit] == [spec.name for spec in fields.specs]
    hash(visit)                          # a Job holds it: it must be hashable
    fields.template_values(visit, EN_US)
