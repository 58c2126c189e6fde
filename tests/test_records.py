"""Records stage: every bad value gets a message naming the field and the fix."""
from datetime import date

import pytest

from handouts.errors import InputError
from handouts.records import initials, job_from_fields
from tests.conftest import PATIENT, TODAY


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
     "contraception: 'maybe' is not one of avoid, trying, undecided (avoid = no pregnancy "
     "for now, trying = try again when ready, undecided = talk at follow-up)"),
    ("follow_up", "tomorrow",
     "follow_up: 'tomorrow' is not a follow-up (use a date and time YYYY-MM-DD HH:MM, or call)"),
    ("follow_up", "2026-11-01 10:00",
     "follow_up: 2026-11-01 10:00 is before the discharge date 2026-11-20 "
     "(give the date of the follow-up visit)"),
    ("rh", "yes", "rh: 'yes' is not one of given, not-given, not-needed "
                  "(use given, not-given or not-needed)"),
    ("record_id", "../etc/passwd", "record_id: '../etc/passwd' is not a record id "
                                   "(use up to 32 letters, digits, '.', '_' or '-')"),
    ("paper", "legal", "paper: 'legal' is not a paper size (use letter or a4, or leave it "
                       "empty to follow the clinic's country)"),
])
def test_bad_values_are_named_with_their_fix(brand, field, value, message):
    with pytest.raises(InputError) as caught:
        job_from_fields({**PATIENT, field: value}, brand=brand, today=TODAY)
    assert str(caught.value) == message


def test_missing_required_field(brand):
    fields = {**PATIENT, "discharge_date": ""}
    with pytest.raises(InputError, match=r"^discharge_date: is required \(use YYYY-MM-DD"):
        job_from_fields(fields, brand=brand, today=TODAY)


def test_unknown_field(brand):
    with pytest.raises(InputError, match=r"^shoe_size: unknown field 'shoe_size'"):
        job_from_fields({**PATIENT, "shoe_size": "7"}, brand=brand, today=TODAY)


def test_note_too_long(brand):
    with pytest.raises(InputError, match=r"^note: is 301 characters long \(shorten it to 300"):
        job_from_fields({**PATIENT, "note": "x" * 301}, brand=brand, today=TODAY)


def test_wait_in_weeks_counts_from_discharge(brand):
    job = job_from_fields({**PATIENT, "wait": "6w"}, brand=brand, today=TODAY)
    assert job.wait.weeks == 6 and job.wait.until == date(2027, 1, 1)


def test_patient_label_prefers_record_id_then_initials(brand):
    job = job_from_fields({**PATIENT, "record_id": ""}, brand=brand, today=TODAY)
    assert job.patient_label == "M.L."
    assert initials("") == ""


def test_name_is_optional(brand):
    job = job_from_fields({**PATIENT, "patient_name": "", "record_id": ""}, brand=brand,
                          today=TODAY)
    assert job.patient_name == "" and job.patient_label == ""
