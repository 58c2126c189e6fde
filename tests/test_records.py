"""Records stage: every bad value gets a message naming the field and the fix."""
from datetime import date

import pytest

from handouts.errors import InputError
from handouts.fields import Until
from handouts.records import initials, job_from_fields
from tests.conftest import HANDOUT_FIELDS, PATIENT, TODAY


@pytest.mark.parametrize("field, value, message", [
    ("discharge_date", "31/02/2026",
     "discharge_date: '31/02/2026' is not a date (use YYYY-MM-DD, e.g. 2026-11-20)"),
    ("discharge_date", "2026-02-31",
     "discharge_date: '2026-02-31' is not a date (use YYYY-MM-DD, e.g. 2026-11-20)"),
    ("wait", "3 weeks",
     "wait: '3 weeks' is not a wait (use until-bleeding-stops, a number of weeks such as "
     "2w or 6w, or a date YYYY-MM-DD)"),
    ("wait", "2026-11-01",
     "wait: 2026-11-01 is not after the discharge date 2026-11-20 (give a date after discharge)"),
    ("wait", "40w", "wait: '40w' is out of range (use between 1w and 26w)"),
    ("contraception", "maybe",
     "contraception: the value is not one of avoid, trying, undecided (avoid = no pregnancy "
     "for now, trying = try again when ready, undecided = talk at follow-up)"),
    ("follow_up", "tomorrow",
     "follow_up: the value is not a follow-up (use a date and time YYYY-MM-DD HH:MM, or call)"),
    ("follow_up", "2026-11-01 10:00",
     "follow_up: 2026-11-01 10:00 is before the discharge date 2026-11-20 "
     "(give the date of the follow-up visit)"),
    ("contraception_method", "ring",
     "contraception_method: the value is not one of pill, patch, shot, implant, iud, condoms, "
     "other (the birth control chosen, printed in the plan: pill, patch, shot, implant, iud, "
     "condoms, other (iud = either kind; other = one not listed), or leave it empty)"),
    ("rh", "yes", "rh: the value is not one of given, not-given, not-needed "
                  "(use given, not-given or not-needed)"),
    ("record_id", "../etc/passwd", "record_id: the value is not a record id "
                                   "(use up to 32 letters, digits, '.', '_' or '-')"),
    ("paper", "legal", "paper: the value is not a paper size (use letter or a4, or leave it "
                       "empty to follow the clinic's country)"),
])
def test_bad_values_are_named_with_their_fix(brand, field, value, message):
    with pytest.raises(InputError) as caught:
        job_from_fields({**PATIENT, field: value},
                        handout=HANDOUT_FIELDS, brand=brand, today=TODAY)
    assert str(caught.value) == message


def test_missing_required_field(brand):
    fields = {**PATIENT, "discharge_date": ""}
    with pytest.raises(InputError, match=r"^discharge_date: is required \(use YYYY-MM-DD"):
        job_from_fields(fields, handout=HANDOUT_FIELDS, brand=brand, today=TODAY)


def test_unknown_field(brand):
    with pytest.raises(InputError, match=r"^shoe_size: unknown field 'shoe_size'"):
        job_from_fields({**PATIENT, "shoe_size": "7"},
                        handout=HANDOUT_FIELDS, brand=brand, today=TODAY)


def test_note_too_long(brand):
    with pytest.raises(InputError, match=r"^note: is 301 characters long \(shorten it to 300"):
        job_from_fields({**PATIENT, "note": "x" * 301},
                        handout=HANDOUT_FIELDS, brand=brand, today=TODAY)


def test_wait_in_weeks_counts_from_discharge(brand):
    job = job_from_fields({**PATIENT, "wait": "6w"},
                          handout=HANDOUT_FIELDS, brand=brand, today=TODAY)
    assert job.visit_value("wait") == Until(weeks=6, date=date(2027, 1, 1))


def test_patient_label_prefers_record_id_then_initials(brand):
    job = job_from_fields({**PATIENT, "record_id": ""},
                          handout=HANDOUT_FIELDS, brand=brand, today=TODAY)
    assert job.patient_label == "M.L."
    assert initials("") == ""


def test_name_is_optional(brand):
    job = job_from_fields({**PATIENT, "patient_name": "", "record_id": ""},
                          handout=HANDOUT_FIELDS, brand=brand, today=TODAY)
    assert job.patient_name == "" and job.patient_label == ""


# -- fail closed: characters that may not be printed ------------------------------------

SECRET = "Zyxwquv"


@pytest.mark.parametrize("character, described", [
    ("\x07", "U+0007 (a control character)"),
    ("\x00", "U+0000 (a control character)"),
    ("\x0b", "U+000B (a control character)"),           # white space to str.split()
    ("\x1c", "U+001C (a control character)"),           # white space to str.split()
    ("\x85", "U+0085 (a control character)"),           # NEL, white space to str.split()
    ("\x7f", "U+007F (a control character)"),
    ("\u202a", "U+202A LEFT-TO-RIGHT EMBEDDING (a bidi control)"),
    ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE (a bidi control)"),
    ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE (a bidi control)"),
    ("\u2069", "U+2069 POP DIRECTIONAL ISOLATE (a bidi control)"),
    ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE (a byte order mark)"),
    ("\ufdd0", "U+FDD0 (a noncharacter)"),
    ("\ufffe", "U+FFFE (a noncharacter)"),
    ("\U0001ffff", "U+1FFFF (a noncharacter)"),
    ("\ue000", "U+E000 (a private-use character)"),
    ("\U000f0000", "U+F0000 (a private-use character)"),
    ("\u0378", "U+0378 (an unassigned code point)"),
    ("\ud800", "U+D800 (a lone surrogate, left by input that was not UTF-8)"),
    ("\udcff", "U+DCFF (a lone surrogate, left by input that was not UTF-8)"),   # surrogateescape
])
@pytest.mark.parametrize("field", ["patient_name", "clinician", "note"])
def test_refused_characters_name_field_and_code_point_never_the_value(brand, field,
                                                                     character, described):
    value = f"{SECRET}{character} Qqplorth"
    with pytest.raises(InputError) as caught:
        job_from_fields({**PATIENT, field: value},
                        handout=HANDOUT_FIELDS, brand=brand, today=TODAY)
    message = str(caught.value)
    assert message.startswith(f"{field}: contains {described} at character 8 (remove it")
    assert caught.value.field == field
    assert SECRET not in message and "Qqplorth" not in message
    assert "\n" not in message and character not in message


@pytest.mark.parametrize("field, value", [
    ("record_id", "MRN\u202e-1"), ("locale", "e\u200e\u202en"),
    ("discharge_date", "2026-11-2\ufeff0"),
    ("wait", "2w\x00"), ("contraception", "avoid\ue000"), ("follow_up", "call\ud800"),
    ("rh", "\u2066given"), ("paper", "a4\x1b"),
])
def test_every_field_is_checked_before_it_is_parsed(brand, field, value):
    with pytest.raises(InputError, match=rf"^{field}: contains U\+[0-9A-F]{{4}}"):
        job_from_fields({**PATIENT, field: value},
                        handout=HANDOUT_FIELDS, brand=brand, today=TODAY)


def test_position_counts_from_the_value_as_given(brand):
    with pytest.raises(InputError, match=r"^note: contains U\+202E .* at character 3 "):
        job_from_fields({**PATIENT, "note": "  \u202eRest"},
                        handout=HANDOUT_FIELDS, brand=brand, today=TODAY)


def test_tab_newline_and_carriage_return_are_folded_to_a_space(brand):
    job = job_from_fields({**PATIENT, "patient_name": "Maria\tLopez\r\nGarcia",
                           "note": "one\ntwo\r\n\tthree"},
                           handout=HANDOUT_FIELDS, brand=brand, today=TODAY)
    assert job.patient_name == "Maria Lopez Garcia" and job.note == "one two three"


def test_marks_and_other_scripts_are_printed_as_given(brand):
    name = "\u0645\u062d\u0645\u062f\u200f Ana Pérez 李小龙"          # with an RLM
    job = job_from_fields({**PATIENT, "patient_name": name},
                          handout=HANDOUT_FIELDS, brand=brand, today=TODAY)
    assert job.patient_name == name


def test_a_value_in_the_wrong_column_is_described_not_quoted(brand):
    note = "Secretnote Plmokn, call us if the bleeding gets heavier"
    for field in ("wait", "discharge_date", "follow_up", "rh", "contraception", "paper",
                  "record_id"):
        with pytest.raises(InputError) as caught:
            job_from_fields({**PATIENT, field: note},
                            handout=HANDOUT_FIELDS, brand=brand, today=TODAY)
        assert str(caught.value).startswith(
            f"{field}: the value is not ")
        assert "Secretnote" not in str(caught.value)


def test_an_unknown_field_name_that_is_not_a_name_is_not_quoted(brand):
    with pytest.raises(InputError) as caught:
        job_from_fields({**PATIENT, "Zyxwquv Qqplorth": "x"},
                        handout=HANDOUT_FIELDS, brand=brand, today=TODAY)
    assert str(caught.value).startswith(
        "has a field whose name is not a known field (the name is not shown) (known fields: ")
    assert SECRET not in str(caught.value)


def test_a_method_needs_a_plan_that_uses_birth_control(brand):
    with pytest.raises(InputError) as caught:
        job_from_fields({**PATIENT, "contraception": "trying", "contraception_method": "pill"},
                        handout=HANDOUT_FIELDS, brand=brand, today=TODAY)
    assert str(caught.value) == (
        "contraception_method: is given with the plan trying, which uses no birth control "
        "(leave it empty, or set contraception to avoid or undecided)")
    job = job_from_fields({**PATIENT, "contraception": "undecided",
                           "contraception_method": "condoms"}, handout=HANDOUT_FIELDS,
                          brand=brand, today=TODAY)
    assert job.visit_value("contraception_method") == "condoms"
