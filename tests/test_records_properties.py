"""Properties of the records stage, for any input at all: a value gives a Job or exactly one
HandoutError, one line long, that never quotes the patient's free text (name, clinician,
note); never another exception. And any accepted name prints as given.
"""
from __future__ import annotations

import csv
import io
import json
import re
from functools import partial

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from handouts import patient_lists, records
from handouts.brand import load_brand
from handouts.errors import HandoutError
from handouts.records import MAX_NAME, MAX_NOTE, Job
from tests.conftest import render
from conftest import HANDOUT_FIELDS, PATIENT, TEST_BRAND, TODAY, pdf_text

#: Rows and jobs of the first handout: its fields are the columns.
job_from_fields = partial(records.job_from_fields, handout=HANDOUT_FIELDS)
job_from_row = partial(patient_lists.job_from_row, handout=HANDOUT_FIELDS)
parse_csv = partial(patient_lists.parse_csv, handout=HANDOUT_FIELDS)
parse_jsonl = partial(patient_lists.parse_jsonl, handout=HANDOUT_FIELDS)
JOB_FIELDS = HANDOUT_FIELDS.known_fields

#: The brand fixture is per session; Hypothesis runs a test many times, so load it once here.
BRAND = load_brand(TEST_BRAND)
FREE_FIELDS = ("patient_name", "clinician", "note")
LIMITS = {"patient_name": MAX_NAME, "clinician": MAX_NAME, "note": MAX_NOTE}

#: Characters that every check must know about, mixed into otherwise arbitrary text.
AWKWARD = ["\t", "\n", "\r", "\x00", "\x07", "\x0b", "\x0c", "\x1b", "\x1c", "\x7f",
           "\x85", "\xa0", "\u2028", "\u2029", "\u200e", "\u200f", "\u202a", "\u202e",
           "\u2066", "\u2069", "\ufeff", "\ufdd0", "\ufffe", "\uffff", "\U0001fffe", "\ue000",
           "\U000f0000", "\u0378", "\ud800", "\udcff", "\U00013000", "\u0301", '"', "'", ",",
           "\\", "{", "}", " ", "é", "李", "م"]

characters = st.one_of(st.characters(codec=None, categories=None), st.sampled_from(AWKWARD))
#: Text as people type it: what a leak would show plainly.
plain = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "0123456789 .,'-éñüßøЖжΩω李小龙محمد"), max_size=40)
#: Short texts, and long ones (near and over the limits) made by repeating a short one,
#: which is much cheaper to generate than 300 random characters.
free_text = st.one_of(
    st.text(characters, max_size=30),
    plain,
    st.builds(lambda before, odd, after: before + odd + after,
              plain, st.sampled_from(AWKWARD) | characters, plain),
    st.builds(lambda text, length: (text * length)[:length],
              st.text(characters, min_size=1, max_size=12) | plain.filter(bool),
              st.integers(70, 320)))

#: Values for the other fields: good ones, near misses and arbitrary text.
OTHER_VALUES = {
    "record_id": ["", "MRN-1", "A.b_c-9", "../etc", "x" * 33, "MRN 1"],
    "locale": ["en", "es-MX", "zh_Hant", "", "e s", "en\u202e"],
    "discharge_date": ["2026-11-20", "2026-02-30", "20/11/2026", ""],
    "wait": ["2w", "until-bleeding-stops", "2026-12-18", "40w", "soon", "2026-11-01"],
    "contraception": ["avoid", "trying", "undecided", "maybe"],
    "contraception_method": ["", "pill", "iud", "other", "IUD", "ring"],
    "follow_up": ["call", "2026-12-01 10:30", "2026-11-01 10:00", "tomorrow"],
    "rh": ["given", "not-given", "not-needed", "yes"],
    "paper": ["", "a4", "Letter", "legal"],
}
other_value = {field: st.sampled_from(values) | st.text(characters, max_size=12)
               for field, values in OTHER_VALUES.items()}


def one_line(message: str) -> bool:
    return len(message.splitlines()) == 1 and "\n" not in message and "\r" not in message


def quotes(message: str, text: str, reference: str = "") -> bool:
    """Whether the message holds the free text, or any 8 characters of it in a row (a
    value cut short is still the patient's). Short texts, and pieces the message would
    hold anyway (in `reference`: the same error without the free text, e.g. 'avoid' in a
    list of choices), are not evidence."""
    for form in (text.strip(), " ".join(text.split())):
        if len(form) < 4:
            continue
        width = min(len(form), 8)
        for start in range(len(form) - width + 1):
            piece = form[start:start + width]
            if piece.strip() and piece in message and piece not in reference:
                return True
    return False


def outcome(build):
    """A Job, or the HandoutError raised; any other exception fails the test."""
    try:
        return build()
    except HandoutError as error:
        return error


# -- one free-text field -----------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(FREE_FIELDS), text=free_text)
def test_a_free_text_field_gives_a_job_or_one_clean_error(field, text):
    result = outcome(lambda: job_from_fields({**PATIENT, field: text}, brand=BRAND,
                                             today=TODAY))
    if isinstance(result, Job):
        folded = " ".join(text.split())
        assert getattr(result, field) == folded and len(folded) <= LIMITS[field]
        return
    message = str(result)
    assert one_line(message), message
    assert result.field == field                 # the error is about this field
    assert not quotes(message, text, reference=field), message    # the field is named


@settings(max_examples=100, deadline=None)
@given(values=st.fixed_dictionaries({f: free_text for f in FREE_FIELDS}))
def test_all_free_text_fields_at_once(values):
    result = outcome(lambda: job_from_fields({**PATIENT, **values}, brand=BRAND, today=TODAY))
    if isinstance(result, HandoutError):
        message = str(result)
        assert one_line(message) and result.field in FREE_FIELDS, message
        assert not any(quotes(message, text) for text in values.values()), message


# -- whole rows of a patient list --------------------------------------------------------

rows = st.fixed_dictionaries({
    **{field: free_text for field in FREE_FIELDS},
    **other_value,
})


def _reference_error(fields: dict, parse) -> str:
    """The error of the same row with its free text left out: what is not the patient's."""
    blank = {k: ("" if k in FREE_FIELDS else v) for k, v in fields.items()}
    try:
        row = parse(blank).rows[0]
        job_from_row(row, brand=BRAND, today=TODAY, source="patients")
    except HandoutError as error:
        return str(error)
    return ""


def check_row(fields: dict, parse, allowed: str = "") -> None:
    result = outcome(lambda: [job_from_row(row, brand=BRAND, today=TODAY, source="patients")
                              for row in parse(fields).rows])
    if isinstance(result, HandoutError):
        message = str(result)
        assert one_line(message), message
        reference = _reference_error(fields, parse) + "\n" + allowed
        for field in FREE_FIELDS:
            assert not quotes(message, fields[field], reference), (field, message)
    else:
        assert len(result) == 1 and isinstance(result[0], Job)


def csv_file(fields: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(JOB_FIELDS)
    writer.writerow([fields[f] for f in JOB_FIELDS])
    return buffer.getvalue()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields=rows)
def test_a_csv_row_gives_a_job_or_one_clean_error(fields):
    check_row(fields, lambda f: parse_csv(csv_file(f), "patients.csv"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields=rows, ensure_ascii=st.booleans(),
       shape=st.sampled_from(["object", "list", "string", "nested", "numbers", "key"]))
def test_a_json_lines_row_gives_a_job_or_one_clean_error(fields, ensure_ascii, shape):
    def line(f: dict) -> str:
        value = {"object": f, "list": list(f.values()), "string": f["patient_name"],
                 "nested": {**f, "note": [f["note"]]},
                 "numbers": {**f, "record_id": 42, "paper": None},
                 "key": {**f, f["patient_name"]: f["note"]}}[shape]
        return json.dumps(value, ensure_ascii=ensure_ascii)

    def parse(f: dict):
        return parse_jsonl(line(f), "patients.jsonl")

    # A key that looks like a field name (lower case, '_', '-', digits) is quoted in the
    # unknown-field error, like a record id; a name typed as a key rarely looks like one.
    allowed = fields["patient_name"] if shape == "key" and re.fullmatch(
        r"[a-z][a-z0-9_-]{0,31}", fields["patient_name"]) else ""
    check_row(fields, parse, allowed)


# -- an accepted name prints as given ----------------------------------------------------

#: Letters of scripts the English locale's fonts cover, so the question is the name,
#: not bidi or shaping: Latin, Latin-1 supplement, Latin Extended-A, Greek, Cyrillic.
NAME_LETTERS = st.characters(categories=["Lu", "Ll"], min_codepoint=0x41, max_codepoint=0x17F) \
    | st.characters(categories=["Lu", "Ll"], min_codepoint=0x391, max_codepoint=0x3C9) \
    | st.characters(categories=["Lu", "Ll"], min_codepoint=0x410, max_codepoint=0x44F)
word = st.text(NAME_LETTERS | st.sampled_from("-'"), min_size=1, max_size=24)
names = st.lists(word, min_size=1, max_size=5).map(" ".join).filter(lambda n: len(n) <= MAX_NAME)


def squashed(text: str) -> str:
    """White space folded as pdf_text does, and none after a hyphen (a line may end there).
    pdfium gives a hyphen that ends a line as U+FFFE (its mark for "a word broken here")
    and drops the line break; it is a hyphen."""
    return re.sub(r"- ", "-", " ".join(text.replace("\ufffe", "- ").split()))


@settings(max_examples=25, deadline=None)
@given(name=names, spaces=st.sampled_from(["", " ", "\t", "  \n "]))
def test_an_accepted_name_is_printed_as_given(name, spaces):
    result = outcome(lambda: job_from_fields({**PATIENT, "patient_name": spaces + name + spaces},
                                             brand=BRAND, today=TODAY))
    assume(isinstance(result, Job))
    assert result.patient_name == " ".join(name.split())
    printed = outcome(lambda: render(result))
    if isinstance(printed, HandoutError):
        message = str(printed)
        assert one_line(message) and not quotes(message, name), message
        return
    assert squashed(result.patient_name) in squashed(pdf_text(printed))


# -- every problem at once (a form shows them all) ---------------------------------------

@settings(max_examples=300, deadline=None)
@example(row={**PATIENT, "follow_up": "", "note": "YYYY", "paper": "",
              "contraception_method": ""})
@example(row={**PATIENT, "clinician": "0" * 81, "note": "lini", "paper": "",
              "contraception_method": ""})
@example(row={**PATIENT, "locale": "e s", "wait": "", "paper": "", "contraception_method": ""})
@example(row={**PATIENT, "discharge_date": "2026-02-30", "wait": "", "paper": "",
              "contraception_method": ""})
@given(row=st.fixed_dictionaries({**other_value,
                                  **{field: free_text | plain for field in FREE_FIELDS}}))
def test_every_problem_of_a_row_is_found_and_the_first_is_the_one_raised(row):
    result = outcome(lambda: job_from_fields(row, brand=BRAND, today=TODAY))
    problems = records.field_problems(row, handout=HANDOUT_FIELDS)
    if isinstance(result, Job):
        assert problems == []
        return
    assert problems, "job_from_fields refused a row field_problems accepts"
    first = problems[0]
    assert (first.field, first.message, first.hint) == (result.field, result.message,
                                                         result.hint)
    fields = [p.field for p in problems]
    assert len(fields) == len(set(fields)), "a field reported twice"
    for field in FREE_FIELDS:
        # What the messages say anyway, whatever this field's text: the same row with
        # the text replaced by as many x's ("YYYY" in a hint, "lini" in "clinician").
        reference = " ".join(str(p) for p in records.field_problems(
            {**row, field: "x" * len(row[field])}, handout=HANDOUT_FIELDS))
        for problem in problems:
            assert one_line(str(problem))
            assert not quotes(str(problem), row[field], reference), (field, str(problem))
        # Each reported field is refused on its own: put the patient's good value back
        # for it, and that problem goes away.
        fixed = {**row, problem.field: PATIENT.get(problem.field, "")}
        assert problem.field not in [p.field for p in
                                     records.field_problems(fixed, handout=HANDOUT_FIELDS)
                                     if p.message == problem.message]
