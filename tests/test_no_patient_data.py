"""No patient data outside the page: every error path a user can reach, fed a name, a note
and a clinician that are easy to recognise, and searched for them everywhere the program
writes besides the handout itself: exception text, stdout and stderr, log records, the
batch manifest and progress lines, file names, and the PDF's metadata.

The README promises it: "The patient's name ... never goes into file names, logs or PDF
metadata (unless --name-in-metadata)", and "Errors are one line ... and never contain
patient data" (handouts/cli.py).
"""
from __future__ import annotations

import csv
import io
import json
import logging
import os
import traceback
from pathlib import Path

import pytest

from handouts.cli import main
from handouts.errors import HandoutError
from handouts.patient_lists import job_from_row, parse_csv, parse_jsonl
from handouts.records import job_from_fields
from tests.conftest import render
from conftest import HANDOUT_FIELDS, PATIENT, TODAY, pdf_reader

NAME = "Zyxwquv Qqplorth"
NOTE = "Secretnote Plmokn"
CLINICIAN = "Dr. Wvutsrq Mnbvcx"
#: Each word alone, so that a value cut, case-folded or re-spaced is still caught.
SECRETS = ("Zyxwquv", "Qqplorth", "Secretnote", "Plmokn", "Wvutsrq", "Mnbvcx", "李小龙",
           "محمد")
TODAY_ARG = TODAY.isoformat()

FIELDS = {**PATIENT, "patient_name": NAME, "note": NOTE, "clinician": CLINICIAN,
          "record_id": "MRN-1"}


def leaks(*texts) -> list[str]:
    """The secrets found in any of the texts (str or bytes), case-insensitively."""
    found = []
    for text in texts:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        text = str(text).casefold()
        found += [s for s in SECRETS if s.casefold() in text]
    return found


def log_text(caplog) -> str:
    return "\n".join(f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''}"
                     for r in caplog.records)


def paths_under(folder: Path) -> list[str]:
    return [str(p.relative_to(folder)) for p in folder.rglob("*")] if folder.exists() else []


# -- the cases: one bad value each, among the recognisable ones ---------------------------

#: (case id, the fields changed). Each must be refused with one line and exit code 2.
BAD_CASES = [
    ("name-too-long", {"patient_name": NAME + " " + "Zyxwquv" * 12}),
    ("note-too-long", {"note": (NOTE + " ") * 20}),
    ("bidi-override-in-name", {"patient_name": "Zyxwquv\u202eQqplorth"}),
    ("bidi-isolate-in-clinician", {"clinician": "Dr. Wvutsrq \u2067Mnbvcx"}),
    ("private-use-in-note", {"note": "Secretnote \ue000 Plmokn"}),
    ("control-character-in-note", {"note": "Secretnote\x1b[31m Plmokn"}),
    ("byte-order-mark-in-name", {"patient_name": "Zyxwquv\ufeff Qqplorth"}),
    ("invalid-utf8-in-name", {"patient_name": os.fsdecode(b"Zyxwquv \xff Qqplorth")}),
    ("no-font-covers-name", {"patient_name": "Zyxwquv \U00013000 Qqplorth"}),
    ("no-font-covers-note", {"note": "Secretnote \U00013000 Plmokn"}),
    ("unknown-locale", {"locale": "xx"}),
    ("malformed-locale", {"locale": "not a locale"}),
    ("bad-date", {"discharge_date": "31/02/2026"}),
    ("bad-wait", {"wait": "soon"}),
    ("wait-before-discharge", {"wait": "2026-11-01"}),
    ("bad-follow-up", {"follow_up": "tomorrow"}),
    ("follow-up-before-discharge", {"follow_up": "2026-11-01 10:00"}),
    ("bad-contraception", {"contraception": "maybe"}),
    ("bad-rh", {"rh": "positive"}),
    ("bad-paper", {"paper": "legal"}),
    ("bad-record-id", {"record_id": "../etc/passwd"}),
    ("name-in-the-wait-column", {"wait": NAME}),
    ("name-in-the-locale-column", {"locale": NAME}),
    ("one-word-name-in-the-locale-column", {"locale": "Zyxwquv"}),
    ("note-in-the-date-column", {"discharge_date": NOTE}),
    ("lower-case-name-in-the-wait-column", {"wait": "zyxwquv qqplorth"}),
    ("chinese-name-in-the-locale-column", {"locale": "李小龙"}),
    ("arabic-name-in-the-contraception-column", {"contraception": "محمد علي"}),
    ("lower-case-name-in-the-follow-up-column", {"follow_up": "zyxwquv qqplorth"}),
    ("one-lower-case-word-in-the-locale-column", {"locale": "zyxwquv"}),
    ("one-lower-case-word-in-the-rh-column", {"rh": "qqplorth"}),
    ("a-name-in-the-method-column", {"contraception_method": "Zyxwquv Qqplorth"}),
    ("one-lower-case-word-in-the-paper-column", {"paper": "zyxwquv"}),
    ("name-and-number-in-the-wait-column", {"wait": "Zyxwquv 2"}),
    ("name-and-number-in-the-date-column", {"discharge_date": "Room 12 Zyxwquv"}),
]
CASE_IDS = [case for case, _ in BAD_CASES]

OPTIONS = {"locale": "--locale", "patient_name": "--patient-name", "record_id": "--record-id",
           "discharge_date": "--discharge-date", "wait": "--wait",
           "contraception": "--contraception",
           "contraception_method": "--contraception-method", "follow_up": "--follow-up",
           "rh": "--rh",
           "clinician": "--clinician", "note": "--note", "paper": "--paper"}


def render_args(fields: dict, out: Path, *extra: str) -> list[str]:
    args = ["render"]
    for field, option in OPTIONS.items():
        if fields.get(field):
            args += [option, fields[field]]
    return args + ["--today", TODAY_ARG, "--out", str(out), *extra]


def run_main(args, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- the core: the exception itself --------------------------------------------------------

@pytest.mark.parametrize("change", [c for _, c in BAD_CASES], ids=CASE_IDS)
def test_the_exception_names_the_field_never_the_patient(brand, change):
    with pytest.raises(HandoutError) as caught:
        render(job_from_fields({**FIELDS, **change}, handout=HANDOUT_FIELDS, brand=brand,
                               today=TODAY))
    error = caught.value
    text = "".join(traceback.format_exception(error))
    assert leaks(str(error), repr(error), error.message, error.hint, error.field, text) == []
    assert "\n" not in str(error)


# -- one patient's handout from the command line -----------------------------------------

@pytest.mark.parametrize("change", [c for _, c in BAD_CASES], ids=CASE_IDS)
def test_render_errors_are_one_line_without_patient_data(tmp_path, capsys, caplog, change):
    out = tmp_path / "out" / "handout.pdf"
    code, stdout, stderr = run_main(render_args({**FIELDS, **change}, out), capsys, caplog)
    assert code == 2
    assert stdout == "" and stderr.startswith("error: ") and stderr.count("\n") == 1
    assert leaks(stdout, stderr, log_text(caplog)) == []
    assert paths_under(tmp_path / "out") == []


def _unwritable(tmp_path: Path) -> Path:
    (tmp_path / "a-file").write_text("not a folder")
    return tmp_path / "a-file" / "missing" / "handout.pdf"


def test_an_output_that_cannot_be_written_leaks_nothing(tmp_path, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    raised, code = "", None
    try:
        code = main(render_args(FIELDS, _unwritable(tmp_path)))
    except BaseException as exc:      # noqa: BLE001 - whatever escapes, it must not leak
        raised = "".join(traceback.format_exception(exc))
    captured = capsys.readouterr()
    assert leaks(raised, captured.out, captured.err, log_text(caplog)) == []
    assert leaks(*paths_under(tmp_path)) == []
    assert code == 2 and raised == ""


def test_an_output_that_cannot_be_written_is_one_line_and_exit_2(tmp_path, capsys, caplog):
    code, stdout, stderr = run_main(render_args(FIELDS, _unwritable(tmp_path)), capsys, caplog)
    assert code == 2 and stderr.startswith("error: ") and stderr.count("\n") == 1
    assert stdout == "" and leaks(stderr, log_text(caplog)) == []


def test_invalid_utf8_on_the_command_line_is_named_by_code_point(tmp_path, capsys, caplog):
    fields = {**FIELDS, "patient_name": os.fsdecode(b"Zyxwquv \xff")}
    code, _, stderr = run_main(render_args(fields, tmp_path / "h.pdf"), capsys, caplog)
    assert (code, stderr) == (2, "error: patient_name: contains U+DCFF (a lone surrogate, left by "
                                 "input that was not UTF-8) at character 9 (remove it, or retype "
                                 "the value as UTF-8 text)\n")


# -- PDF metadata ------------------------------------------------------------------------

def metadata_text(data: bytes) -> str:
    """Everything a PDF viewer, a file browser or a search index shows besides the pages:
    the document information, XMP, outline titles, page labels and annotations."""
    reader = pdf_reader(data)
    parts = [repr(dict(reader.metadata or {}))]
    root = reader.trailer["/Root"]
    if "/Metadata" in root:
        parts.append(root["/Metadata"].get_object().get_data().decode("utf-8", "replace"))
    parts.append(repr(reader.outline))
    parts.append(repr(root.get("/PageLabels")))
    parts.append(repr(root.get("/Names")))
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            parts.append(repr(annotation.get_object()))
    return "\n".join(parts)


def test_a_made_handout_keeps_the_patient_out_of_its_metadata(tmp_path, capsys, caplog):
    out = tmp_path / "handout.pdf"
    code, stdout, stderr = run_main(render_args(FIELDS, out), capsys, caplog)
    assert (code, stdout, stderr) == (0, f"wrote {out}\n", "")
    assert leaks(metadata_text(out.read_bytes()), log_text(caplog), *paths_under(tmp_path)) == []


def test_name_in_metadata_puts_only_the_name_there(tmp_path, capsys, caplog):
    out = tmp_path / "handout.pdf"
    code, _, _ = run_main(render_args(FIELDS, out, "--name-in-metadata"), capsys, caplog)
    assert code == 0
    metadata = metadata_text(out.read_bytes())
    assert NAME in pdf_reader(out.read_bytes()).metadata.title          # the check sees it
    assert set(leaks(metadata)) == {"Zyxwquv", "Qqplorth"}              # not note, clinician


# -- a day's list: manifest, progress, file names ----------------------------------------

def csv_text(rows: list[dict | list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = list(OPTIONS)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(row if isinstance(row, list) else [row.get(c, "") for c in columns])
    return buffer.getvalue()


def _utf8(change: dict) -> bool:
    """Whether the values can be in a UTF-8 file (a lone surrogate cannot)."""
    try:
        json.dumps(change, ensure_ascii=False).encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def run_batch_cli(path: Path, out: Path, capsys, caplog):
    return run_main(["batch", str(path), "--out-dir", str(out), "--workers", "0",
                     "--today", TODAY_ARG], capsys, caplog)


def check_batch_output(out: Path, stdout: str, stderr: str, caplog) -> str:
    manifest = (out / "manifest.csv").read_text("utf-8")
    assert leaks(stdout, stderr, manifest, log_text(caplog), *paths_under(out)) == []
    for pdf in out.rglob("*.pdf"):
        assert leaks(metadata_text(pdf.read_bytes())) == [], pdf
    return manifest


def test_a_csv_batch_reports_every_bad_row_without_patient_data(tmp_path, capsys, caplog):
    rows: list = [{**FIELDS, "record_id": "GOOD-1"}]
    rows += [{**FIELDS, "record_id": f"BAD-{i}", **change}
             for i, (_, change) in enumerate(BAD_CASES)
             if "record_id" not in change and "locale" not in change and _utf8(change)]
    rows += [{**FIELDS, "record_id": "BAD-LOCALE", "locale": "xx"},
             {**FIELDS, "record_id": NAME}]                       # a name as the record id
    rows += [{**FIELDS, "record_id": ""}]                        # made, named by its line
    rows.append(["MRN-9", "en", NAME, "2026-11-20", "2w", NOTE, CLINICIAN])   # too few values
    rows.append(["MRN-10", "en", NAME, NOTE, CLINICIAN, "2w", "avoid", "call", "given", NAME,
                 NOTE, CLINICIAN])                                           # too many
    path = tmp_path / "patients.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, stderr = run_batch_cli(path, out, capsys, caplog)
    assert code == 1
    manifest = check_batch_output(out, stdout, stderr, caplog)
    statuses = [r["status"] for r in csv.DictReader(io.StringIO(manifest))]
    assert statuses.count("made") == 2 and statuses.count("failed") == len(rows) - 2
    assert "progress: " in stderr
    blank_id_line = len(rows) - 2 + 1            # the header is line 1
    assert sorted(p.name for p in (out / "handouts").iterdir()) == [
        "GOOD-1.pdf", f"row-{blank_id_line}.pdf"]


def test_a_name_in_the_locale_column_stays_out_of_the_manifest(tmp_path, capsys, caplog):
    path = tmp_path / "patients.csv"
    path.write_text(csv_text([FIELDS, {**FIELDS, "record_id": "B-1", "locale": NAME}]),
                    encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, stderr = run_batch_cli(path, out, capsys, caplog)
    assert code == 1
    assert leaks(stdout, stderr, log_text(caplog)) == []           # these pass today
    check_batch_output(out, stdout, stderr, caplog)                # the manifest does not


def test_a_json_lines_batch_reports_bad_rows_without_patient_data(tmp_path, capsys, caplog):
    lines = [json.dumps({**FIELDS, "record_id": "GOOD-1"}),
             json.dumps([NAME, NOTE, CLINICIAN]),                      # not an object
             json.dumps(f"{NAME} {NOTE}"),
             json.dumps({"Zyxwquv Qqplorth": NOTE, **PATIENT}),        # the name as a key
             json.dumps({**FIELDS, "record_id": "J-5", "note": [NOTE]}),
             json.dumps({**FIELDS, "record_id": "J-6", "patient_name": "Zyxwquv \ud800"}),
             json.dumps({**FIELDS, "record_id": "J-7", "patient_name": "Zyxwquv\u202e"}),
             '{"patient_name": "Zyxwquv Qqplorth", "note": "Secretnote Plmokn"',
             json.dumps({**FIELDS, "record_id": "J-9", "locale": "xx"})]
    path = tmp_path / "patients.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, stderr = run_batch_cli(path, out, capsys, caplog)
    assert code == 1
    manifest = check_batch_output(out, stdout, stderr, caplog)
    statuses = [r["status"] for r in csv.DictReader(io.StringIO(manifest))]
    assert statuses == ["made"] + ["failed"] * (len(lines) - 1)


def test_a_list_without_its_header_is_refused_without_quoting_it(tmp_path, capsys, caplog):
    path = tmp_path / "patients.csv"
    path.write_text(csv_text([FIELDS]).split("\n", 1)[1], encoding="utf-8")
    code, stdout, stderr = run_batch_cli(path, tmp_path / "out", capsys, caplog)
    assert code == 2 and stderr.startswith(f"error: {path}:1: is not a header")
    assert leaks(stdout, stderr, log_text(caplog)) == []
    assert not (tmp_path / "out").exists()


def test_a_batch_whose_out_dir_cannot_be_written_leaks_nothing(tmp_path, capsys, caplog):
    path = tmp_path / "patients.csv"
    path.write_text(csv_text([FIELDS]), encoding="utf-8")
    (tmp_path / "a-file").write_text("not a folder")
    caplog.set_level(logging.DEBUG)
    raised = ""
    code = None
    try:
        code = main(["batch", str(path), "--out-dir", str(tmp_path / "a-file" / "out"),
                     "--workers", "0", "--today", TODAY_ARG])
    except BaseException as exc:      # noqa: BLE001 - whatever escapes, it must not leak
        raised = "".join(traceback.format_exception(exc))
    captured = capsys.readouterr()
    assert leaks(raised, captured.out, captured.err, log_text(caplog)) == []
    assert code == 2 and captured.err.startswith("error: ") and captured.err.count("\n") == 1


# -- rows parsed on their own ------------------------------------------------------------

def test_row_errors_from_the_parsers_leak_nothing(brand):
    text = csv_text([["A", "en", NAME, NOTE], {**FIELDS, "patient_name": NAME + "\u2066"}])
    errors = []
    for row in parse_csv(text, "p.csv", handout=HANDOUT_FIELDS).rows + parse_jsonl(
            json.dumps([NAME]) + "\n" + json.dumps({NAME: NOTE}), "p.jsonl",
            handout=HANDOUT_FIELDS).rows:
        with pytest.raises(HandoutError) as caught:
            job_from_row(row, handout=HANDOUT_FIELDS, brand=brand, today=TODAY, source="p")
        errors.append(str(caught.value))
    assert len(errors) == 4 and leaks(*errors) == []
