"""Patient lists: CSV and JSON Lines -> rows numbered by the line where each starts.

Every CSV quirk a spreadsheet or a hand-edited file brings is read the same way, and a
file that cannot be used as a whole gets one clear error naming the file, line and fix.
"""
from __future__ import annotations

import json
from functools import partial

import pytest

from handouts import patient_lists
from handouts.errors import InputError
from handouts.patient_lists import Row
from tests.conftest import HANDOUT_FIELDS, PATIENT, TODAY

#: The lists here are the first handout's: its fields are the columns.
job_from_row = partial(patient_lists.job_from_row, handout=HANDOUT_FIELDS)
parse_csv = partial(patient_lists.parse_csv, handout=HANDOUT_FIELDS)
parse_jsonl = partial(patient_lists.parse_jsonl, handout=HANDOUT_FIELDS)
read_patient_list = partial(patient_lists.read_patient_list, handout=HANDOUT_FIELDS)
JOB_FIELDS = HANDOUT_FIELDS.known_fields

HEADER = ",".join(PATIENT)


def csv_line(**overrides) -> str:
    values = {**PATIENT, **overrides}
    return ",".join(_quote(values[k]) for k in PATIENT)


def _quote(value: str) -> str:
    if any(c in value for c in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


def write(tmp_path, name: str, data: bytes | str):
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# -- the quirks, one by one -------------------------------------------------------------

def test_plain_csv_rows_are_numbered_by_line(tmp_path):
    path = write(tmp_path, "p.csv", "\n".join([HEADER, csv_line(), csv_line(record_id="B")]))
    patients = read_patient_list(path)
    assert [r.line for r in patients.rows] == [2, 3]
    assert patients.rows[0].fields == PATIENT
    assert patients.columns == tuple(PATIENT)


def test_utf8_with_a_byte_order_mark(tmp_path):
    path = write(tmp_path, "p.csv", b"\xef\xbb\xbf" + (HEADER + "\n" + csv_line(
        patient_name="Lucía Fernández") + "\n").encode("utf-8"))
    row = read_patient_list(path).rows[0]
    assert row.fields["record_id"] == PATIENT["record_id"]       # not '\ufeffrecord_id'
    assert row.fields["patient_name"] == "Lucía Fernández"


def test_crlf_line_ends(tmp_path):
    path = write(tmp_path, "p.csv", "\r\n".join([HEADER, csv_line(), csv_line(record_id="B"), ""]))
    rows = read_patient_list(path).rows
    assert [r.line for r in rows] == [2, 3]
    assert rows[1].fields["note"] == PATIENT["note"]             # no stray '\r'


def test_quoted_values_with_commas_and_line_breaks_count_physical_lines(tmp_path):
    text = "\r\n".join([
        HEADER,
        csv_line(record_id="A", note="Rest, drink water,\r\nand call us."),
        csv_line(record_id="B", clinician='Rivera, Ana "Dr."'),
        csv_line(record_id="C", note="one\ntwo\nthree"),
        csv_line(record_id="D"),
    ])
    rows = read_patient_list(write(tmp_path, "p.csv", text)).rows
    assert [(r.fields["record_id"], r.line) for r in rows] == [
        ("A", 2), ("B", 4), ("C", 5), ("D", 8)]
    assert rows[0].fields["note"] == "Rest, drink water,\r\nand call us."
    assert rows[1].fields["clinician"] == 'Rivera, Ana "Dr."'


def test_blank_lines_are_skipped_but_counted(tmp_path):
    text = "\n".join(["", HEADER, "", csv_line(), "   ", ",,,,,,,,,", csv_line(record_id="B"),
                      "", ""])
    rows = read_patient_list(write(tmp_path, "p.csv", text)).rows
    assert [r.line for r in rows] == [4, 7]


def test_extra_white_space_around_values_and_names(tmp_path):
    header = " , ".join(f"  {name.replace('_', ' ').title()} " for name in PATIENT)
    line = ", ".join(f"  {_quote(value)}  " for value in PATIENT.values())
    rows = read_patient_list(write(tmp_path, "p.csv", header + "\n" + line)).rows
    assert rows[0].fields == PATIENT


def test_columns_in_any_order_and_optional_ones_left_out(tmp_path):
    required = ["rh", "locale", "wait", "follow_up", "contraception", "discharge_date"]
    text = ",".join(required) + "\n" + ",".join(PATIENT[k] for k in required)
    row = read_patient_list(write(tmp_path, "p.csv", text)).rows[0]
    job = job_from_row(row, brand=None, today=TODAY, source="p.csv")
    assert job.record_id == "" and job.visit_value("rh") == PATIENT["rh"]


# -- rows that fail on their own ------------------------------------------------------

def test_a_row_with_the_wrong_number_of_values_fails_alone():
    text = "\n".join([HEADER, csv_line(), "A,en,Maria Lopez, Jr.,2026-11-20", csv_line()])
    patients = parse_csv(text, "patients.csv")
    assert [r.error is None for r in patients.rows] == [True, False, True]
    assert str(patients.rows[1].error) == (
        "patients.csv:3: has 5 values but the header has 10 columns (put values that "
        "contain commas in double quotes, and give every column a value (it may be empty))")


def test_row_errors_carry_the_line_where_the_row_starts(brand):
    text = "\n".join([HEADER, csv_line(note="two\nlines"), csv_line(discharge_date="2026-02-30")])
    row = parse_csv(text, "patients.csv").rows[1]
    with pytest.raises(InputError) as caught:
        job_from_row(row, brand=brand, today=TODAY, source="patients.csv")
    assert str(caught.value) == ("patients.csv:4: discharge_date: '2026-02-30' is not a date "
                                 "(use YYYY-MM-DD, e.g. 2026-11-20)")


# -- files that cannot be used at all -------------------------------------------------

def test_a_file_in_another_encoding_is_refused_with_its_line(tmp_path):
    data = (HEADER + "\n" + csv_line() + "\n" + csv_line(patient_name="Lucía")).encode("latin-1")
    with pytest.raises(InputError) as caught:
        read_patient_list(write(tmp_path, "patients.csv", data), source="patients.csv")
    assert str(caught.value) == (
        "patients.csv:3: is not UTF-8 text: byte 0xED cannot be read (save the file as "
        "UTF-8, e.g. in Excel: Save As > CSV UTF-8)")


def test_utf16_is_named(tmp_path):
    data = (HEADER + "\n" + csv_line()).encode("utf-16")
    with pytest.raises(InputError, match="is UTF-16 text, not UTF-8"):
        read_patient_list(write(tmp_path, "p.csv", data))


def test_missing_and_unknown_columns_are_named(tmp_path):
    text = ("record_id,locale,dischage_date,wait,contraception,follow_up,date_of_birth\n"
            "A,en,x,x,x,x,x")
    with pytest.raises(InputError) as caught:
        read_patient_list(write(tmp_path, "p.csv", text), source="patients.csv")
    assert str(caught.value) == (
        "patients.csv:1: missing columns discharge_date, rh; unknown columns "
        "'dischage_date' (did you mean discharge_date?), 'date_of_birth' (the columns are: "
        + ", ".join(JOB_FIELDS) + "; required: locale, discharge_date, wait, contraception, "
        "follow_up, rh)")


def test_repeated_and_unnamed_columns(tmp_path):
    with pytest.raises(InputError, match="column 11 has no name; repeated column locale"):
        parse_csv(HEADER.replace("patient_name", "locale") + ",\n", "p.csv")


def test_missing_file_empty_file_and_header_only(tmp_path):
    with pytest.raises(InputError, match=r"nope\.csv: file not found \(check the path"):
        read_patient_list(tmp_path / "nope.csv", source="nope.csv")
    with pytest.raises(InputError, match="p.csv: is empty"):
        read_patient_list(write(tmp_path, "p.csv", "\n\n"), source="p.csv")
    with pytest.raises(InputError, match="p.csv:1: has no patient rows, only the header"):
        read_patient_list(write(tmp_path, "p.csv", HEADER + "\n"), source="p.csv")


def test_an_unclosed_quote_is_unusable_input_at_its_line():
    text = "\n".join([HEADER, csv_line(), 'B,en,"Maria,2026-11-20', csv_line()])
    with pytest.raises(InputError) as caught:
        parse_csv(text, "patients.csv")
    assert str(caught.value).startswith(
        "patients.csv:3: is not valid CSV: a double quote opened here is never closed")


def test_other_extensions_are_refused(tmp_path):
    with pytest.raises(InputError, match="'.xlsx' is not a patient list format"):
        read_patient_list(write(tmp_path, "p.xlsx", "x"))


# -- JSON Lines -------------------------------------------------------------------------

def test_json_lines_rows_and_their_errors():
    text = "\n".join([
        '{"record_id": "A", "locale": "en", "rh": "given"}',
        "",
        '{"record_id": 42, "note": null}',
        "not json",
        '["a list"]',
        '{"record_id": "E", "note": {"nested": 1}}',
    ])
    patients = parse_jsonl(text, "p.jsonl")
    assert [r.line for r in patients.rows] == [1, 3, 4, 5, 6]
    assert patients.rows[1].fields == {"record_id": "42", "note": ""}
    assert str(patients.rows[2].error).startswith("p.jsonl:4: is not valid JSON: Expecting value")
    assert str(patients.rows[3].error) == (
        'p.jsonl:5: is a JSON list, not an object (write one object a line, e.g. '
        '{"locale": "en", ...})')
    assert str(patients.rows[4].error) == (
        "p.jsonl:6: note: is a JSON dict, not text (write the value as text in quotes)")


def test_json_lines_unknown_keys_fail_their_row(brand):
    row = parse_jsonl('{"locale": "en", "dob": "1990-01-01"}', "p.jsonl").rows[0]
    with pytest.raises(InputError, match=r"^p\.jsonl:1: dob: unknown field 'dob'"):
        job_from_row(row, brand=brand, today=TODAY, source="p.jsonl")


def test_row_record_id_property():
    assert Row(3, {"record_id": " A-1 "}).record_id == "A-1"
    assert Row(3, {}).record_id == ""


# -- fail closed: refused characters and no patient text in errors ----------------------

def test_a_list_without_its_header_is_refused_without_quoting_the_first_row():
    text = "\n".join([csv_line(patient_name="Zyxwquv Qqplorth"), csv_line()])
    with pytest.raises(InputError) as caught:
        parse_csv(text, "patients.csv")
    message = str(caught.value)
    assert message.startswith("patients.csv:1: is not a header: none of its values is a "
                              "column name (the line is not shown) (the first line names")
    assert "Zyxwquv" not in message and "ibuprofen" not in message


def test_a_control_character_at_the_end_of_a_cell_is_refused_not_trimmed(brand):
    text = "\n".join([HEADER, csv_line(patient_name="Zyxwquv Qqplorth\x0b"),
                      csv_line(note="\x85Rest")])
    rows = parse_csv(text, "patients.csv").rows
    assert rows[0].fields["patient_name"] == "Zyxwquv Qqplorth\x0b"
    with pytest.raises(InputError) as caught:
        job_from_row(rows[0], brand=brand, today=TODAY, source="patients.csv")
    assert str(caught.value).startswith(
        "patients.csv:2: patient_name: contains U+000B (a control character) at character 17")
    with pytest.raises(InputError, match=r"^patients\.csv:3: note: contains U\+0085 .* at "
                                         r"character 1 "):
        job_from_row(rows[1], brand=brand, today=TODAY, source="patients.csv")


def test_ordinary_white_space_around_cells_is_still_trimmed():
    rows = parse_csv(HEADER + "\n" + csv_line(patient_name="\u00a0 Ana\u3000 "), "p.csv").rows
    assert rows[0].fields["patient_name"] == "Ana"


def test_a_json_escape_for_a_lone_surrogate_is_refused(brand):
    line = json.dumps({**PATIENT, "patient_name": "Zyxwquv \ud800Qqplorth"})
    assert "\\ud800" in line
    row = parse_jsonl(line, "p.jsonl").rows[0]
    with pytest.raises(InputError) as caught:
        job_from_row(row, brand=brand, today=TODAY, source="p.jsonl")
    assert str(caught.value).startswith(
        "p.jsonl:1: patient_name: contains U+D800 (a lone surrogate, left by input that was "
        "not UTF-8) at character 9 (remove it")
    assert "Zyxwquv" not in str(caught.value)


def test_json_rows_that_are_not_objects_or_have_odd_keys_do_not_quote_them():
    text = "\n".join([
        json.dumps(["Zyxwquv Qqplorth", "Secretnote Plmokn"]),
        json.dumps("Zyxwquv Qqplorth"),
        json.dumps({**PATIENT, "Zyxwquv Qqplorth": "x"}),
        '{"patient_name": "Zyxwquv Qqplorth", ',
        json.dumps({**PATIENT, "note": ["Secretnote Plmokn"]}),
    ])
    rows = parse_jsonl(text, "p.jsonl").rows
    messages = [str(r.error) for r in rows]
    assert messages[:3] == [
        'p.jsonl:1: is a JSON list, not an object (write one object a line, e.g. '
        '{"locale": "en", ...})',
        'p.jsonl:2: is a JSON str, not an object (write one object a line, e.g. '
        '{"locale": "en", ...})',
        "p.jsonl:3: has a field whose name is not a known field (the name is not shown) "
        "(known fields: " + ", ".join(JOB_FIELDS) + ")"]
    assert messages[3].startswith("p.jsonl:4: is not valid JSON: ")
    assert messages[4] == ("p.jsonl:5: note: is a JSON list, not text (write the value as "
                           "text in quotes)")
    assert not any("Zyxwquv" in m or "Secretnote" in m for m in messages)


def test_json_lines_end_at_line_feeds_only(brand):
    text = "\r\n".join([json.dumps({**PATIENT, "note": "Rest\u2028then walk\x85"},
                                   ensure_ascii=False),
                        json.dumps({**PATIENT, "patient_name": "Ana\u2029P\u00e9rez"},
                                   ensure_ascii=False)])
    rows = parse_jsonl(text, "p.jsonl").rows
    assert [(r.line, r.error) for r in rows] == [(1, None), (2, None)]
    job = job_from_row(rows[1], brand=brand, today=TODAY, source="p.jsonl")
    assert job.patient_name == "Ana P\u00e9rez"
    with pytest.raises(InputError, match=r"^p\.jsonl:1: note: contains U\+0085 "):
        job_from_row(rows[0], brand=brand, today=TODAY, source="p.jsonl")


def test_json_numbers_too_long_and_nesting_too_deep_fail_their_row():
    text = "\n".join(['{"record_id": ' + "9" * 5000 + "}", "[" * 100_000 + "]" * 100_000])
    rows = parse_jsonl(text, "p.jsonl").rows
    assert [str(r.error).split(" (")[0] for r in rows] == [
        "p.jsonl:1: is not valid JSON: a number is too long",
        "p.jsonl:2: is not valid JSON: it is nested too deeply"]


def test_a_row_record_id_that_is_not_one_is_not_reported():
    assert Row(3, {"record_id": "Zyxwquv Qqplorth"}).record_id == ""
    assert Row(3, {"record_id": "MRN\u202e1"}).record_id == ""
    assert Row(3, {"record_id": "x" * 33}).record_id == ""


def test_a_json_lines_row_that_repeats_a_field_fails_alone():
    rows = parse_jsonl('{"locale": "en", "wait": "2w", "Wait": "6w"}\n{"locale": "en"}\n',
                       "p.jsonl").rows
    assert str(rows[0].error) == ("p.jsonl:1: wait: repeats a field (two keys that name the "
                                  "same column) (give each field once)")
    assert rows[1].error is None


def test_a_row_with_several_problems_names_them_all_in_one_line(brand):
    row = Row(7, {**PATIENT, "discharge_date": "2026-02-30", "wait": "soon", "rh": "yes"})
    with pytest.raises(InputError) as raised:
        job_from_row(row, brand=brand, today=TODAY, source="patients.csv")
    line = str(raised.value)
    assert line.startswith("patients.csv:7: discharge_date: '2026-02-30' is not a date")
    assert line.endswith("this row also has problems in wait, rh)"), line
    assert len(line.splitlines()) == 1
    alone = Row(8, {**PATIENT, "rh": "yes"})
    with pytest.raises(InputError) as raised:
        job_from_row(alone, brand=brand, today=TODAY, source="patients.csv")
    assert "also has problems" not in str(raised.value)
