"""Batch printing: every good row made, every bad row named, pages that cannot be mixed
up, and a run that survives a crash.

The batches here are small and use --workers 1 or 2 (or 0: in this process) so that the
file runs in seconds; speed is measured in benchmarks/bench_batch.py, never here.
"""
from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import multiprocessing
import os
import re
import signal
from pathlib import Path

import pytest
from pypdf import PdfReader

from handouts import batch, output
from handouts.caches import LRUCache
from handouts.batch import BatchOptions, run_batch
from handouts.cli import main
from handouts.errors import HandoutError, OutputError
from handouts.i18n import shipped_locales
from tests.conftest import load_locale
from handouts.records import job_from_fields
from handouts.render import prepare
from handouts.render import PrintFile as PrintFileClass
from tests.conftest import LIBRARY, print_file as PrintFile, render, render_counted, render_for_print
from handouts.resources import PROJECT_DIR
from conftest import TEST_BRAND
from tests.conftest import HANDOUT_FIELDS, PATIENT, TODAY

TODAY_ARG = TODAY.isoformat()
NAME = PATIENT["patient_name"]


def es_available() -> bool:
    try:
        load_locale("es")
        return True
    except HandoutError:
        return False


needs_es = pytest.mark.skipif(not es_available(), reason="the es catalog does not load yet")
needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="the test's fault injection reaches workers by fork")


def _quote(value: str) -> str:
    if any(c in value for c in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


def write_csv(path: Path, rows: list[dict], columns=tuple(PATIENT) + ("paper",),
              newline: str = "\n") -> Path:
    lines = [",".join(columns)] + [",".join(_quote(r.get(c, "")) for c in columns) for r in rows]
    path.write_text(newline.join(lines) + newline, encoding="utf-8", newline="")
    return path


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def read_manifest_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def footer_labels(pdf_path: Path) -> list[str]:
    """The patient identifier in each page's footer, page by page."""
    labels = []
    for page in PdfReader(pdf_path).pages:
        found = re.findall(r"(?:Patient|Paciente): (\S+)", page.extract_text() or "")
        labels.append(found[-1] if found else "")
    return labels


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- the 30-row list with 5 bad rows -------------------------------------------------------

def thirty_rows() -> list[dict]:
    rows = []
    for i in range(1, 31):
        row = {**PATIENT, "record_id": f"R-{i:02d}"}
        if i % 4 == 0:
            row.update(follow_up="call", rh="not-needed", wait="until-bleeding-stops")
        if i % 7 == 0:
            row["paper"] = "a4"
        rows.append(row)
    rows[2]["note"] = "Rest today.\nCall us with any question, day or night."   # 2 lines
    rows[7]["record_id"] = ""                     # named by its line; footer shows initials
    rows[4]["discharge_date"] = "2026-02-30"      # an invalid date
    rows[9]["locale"] = "xx"                      # an unknown locale
    rows[14]["rh"] = ""                           # a missing required field
    rows[19]["contraception"] = "maybe"           # an unknown option value
    rows[24]["patient_name"] = "Maria \ue000"      # a private-use character
    return rows


def line_of(index: int) -> int:
    """The line where row `index` (0-based) starts: after the header, and one more after
    the two-line note of row 3."""
    return index + 2 + (index > 2)


BAD = {4, 9, 14, 19, 24}


def expected_errors() -> list[str]:
    return [
        f"patients.csv:{line_of(4)}: discharge_date: '2026-02-30' is not a date "
        "(use YYYY-MM-DD, e.g. 2026-11-20)",
        f"patients.csv:{line_of(9)}: locale: 'xx' is not a shipped language "
        f"(use one of: {', '.join(shipped_locales())})",
        f"patients.csv:{line_of(14)}: rh: is required (use given, not-given or not-needed)",
        f"patients.csv:{line_of(19)}: contraception: the value is not one of avoid, trying, "
        "undecided (avoid = no pregnancy for now, trying = try again when ready, "
        "undecided = talk at follow-up)",
        f"patients.csv:{line_of(24)}: patient_name: contains U+E000 (a private-use "
        "character) at character 7 (remove it: it has no agreed meaning and may print as "
        "something else)",
    ]


@pytest.fixture(scope="module")
def thirty(tmp_path_factory):
    folder = tmp_path_factory.mktemp("thirty")
    write_csv(folder / "patients.csv", thirty_rows())
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        code, out, err = run_cli("batch", "patients.csv", "--out-dir", "out",
                                 "--today", TODAY_ARG, "--workers", "2")
    finally:
        os.chdir(cwd)
    return folder, code, out, err


def test_thirty_rows_make_25_handouts_and_name_5_errors(thirty):
    folder, code, out, err = thirty
    assert code == 1
    rows = thirty_rows()
    good = [i for i in range(30) if i not in BAD]
    expected_files = sorted(f"{rows[i]['record_id'] or f'row-{line_of(i)}'}.pdf" for i in good)
    assert sorted(p.name for p in (folder / "out" / "handouts").iterdir()) == expected_files
    errors = [line for line in err.splitlines() if line.startswith("patients.csv:")]
    assert errors == expected_errors()
    assert "made 25, failed 5, skipped 0 in " in out
    assert "out/print.pdf (25 handouts, " in out


def test_the_manifest_says_so(thirty):
    folder, *_ = thirty
    manifest = read_manifest_csv(folder / "out" / "manifest.csv")
    assert [m["row"] for m in manifest] == [str(line_of(i)) for i in range(30)]
    assert [m["status"] for m in manifest] == ["failed" if i in BAD else "made"
                                               for i in range(30)]
    assert [m["error"] for m in manifest if m["status"] == "failed"] == expected_errors()
    # A locale that is not a shipped language is left out: it may be a name in the wrong column.
    assert manifest[9]["locale"] == "" and manifest[0]["locale"] == "en"
    for m in manifest:
        if m["status"] == "made":
            path = folder / "out" / m["file"]
            assert sha256(path) == m["sha256"]
            assert len(PdfReader(path).pages) == int(m["pages"])
        else:
            assert m["file"] == m["sha256"] == m["pages"] == ""


def test_the_print_file_pads_each_handout_and_keeps_the_order(thirty):
    folder, *_ = thirty
    manifest = read_manifest_csv(folder / "out" / "manifest.csv")
    made = [m for m in manifest if m["status"] == "made"]
    padded = [int(m["pages"]) + int(m["pages"]) % 2 for m in made]
    print_pdf = folder / "out" / "print.pdf"
    labels = footer_labels(print_pdf)
    assert len(labels) == sum(padded)
    initials = "".join(part[0] + "." for part in NAME.split())
    expected = [m["record_id"] or initials for m, n in zip(made, padded) for _ in range(n)]
    assert labels == expected
    # Each handout keeps its own paper size (a4 rows among letter ones), padding included.
    sizes = [tuple(round(float(v)) for v in page.mediabox[2:])
             for page in PdfReader(print_pdf).pages]
    first_pages = [PdfReader(folder / "out" / m["file"]).pages[0] for m in made]
    own = [tuple(round(float(v)) for v in page.mediabox[2:])
           for page, n in zip(first_pages, padded) for _ in range(n)]
    assert sizes == own and (595, 842) in sizes and (612, 792) in sizes
    # Built as one document: fonts and letterhead once, not once per handout.
    singles = sum((folder / "out" / m["file"]).stat().st_size for m in made)
    assert print_pdf.stat().st_size < singles / 2


def test_no_patient_name_in_file_names_or_output(thirty):
    folder, code, out, err = thirty
    for path in (folder / "out").rglob("*"):
        assert "Maria" not in path.name and "Lopez" not in path.name
    assert "Maria" not in out and "Lopez" not in err and "Maria" not in err


def test_each_handout_is_the_same_as_render_makes_it(thirty, brand):
    folder, *_ = thirty
    row = thirty_rows()[0]
    job = job_from_fields({k: v for k, v in row.items()}, handout=HANDOUT_FIELDS, brand=brand,
                          today=TODAY)
    assert (folder / "out" / "handouts" / "R-01.pdf").read_bytes() == render(job)


# -- resume ---------------------------------------------------------------------------------

class _KillAfter:
    """A progress display that 'kills' the batch (Ctrl-C) after n rows were made."""

    def __init__(self, n: int):
        self.n, self.made = n, 0

    def start(self, total, done): pass
    def note(self, text): pass
    def close(self): pass

    def row(self, outcome):
        self.made += outcome.status == "made"
        if self.made >= self.n:
            raise KeyboardInterrupt


def options_for(folder: Path, **overrides) -> BatchOptions:
    values = dict(source=folder / "patients.csv", out_dir=folder / "out",
                  brand_path=TEST_BRAND, today=TODAY, workers=2,
                  source_name="patients.csv")
    values.update(overrides)
    return BatchOptions(**values)


def statuses(folder: Path) -> dict[str, str]:
    return {m["record_id"]: m["status"]
            for m in read_manifest_csv(folder / "out" / "manifest.csv")}


@pytest.mark.parametrize("workers", [0, 2])
def test_a_killed_batch_resumes_with_exactly_the_missing_rows(tmp_path, workers):
    rows = [{**PATIENT, "record_id": f"K-{i}"} for i in range(8)]
    rows[5]["wait"] = "forever"                                # one bad row
    write_csv(tmp_path / "patients.csv", rows)
    first = run_batch(options_for(tmp_path, workers=workers), _KillAfter(3))
    assert first.interrupted
    after_kill = statuses(tmp_path)
    made_first = {r for r, s in after_kill.items() if s == "made"}
    assert len(made_first) >= 3 and after_kill["K-5"] == "failed"
    assert "pending" in after_kill.values()
    assert not (tmp_path / "out" / "print.pdf").exists()
    code, out, err = run_cli("batch", str(tmp_path / "patients.csv"), "--out-dir",
                             str(tmp_path / "out"), "--today", TODAY_ARG, "--workers", "2")
    assert code == 1
    second = statuses(tmp_path)
    good = {r["record_id"] for r in rows} - {"K-5"}
    assert {r for r, s in second.items() if s == "skipped"} == made_first
    assert {r for r, s in second.items() if s == "made"} == good - made_first
    assert f"made {len(good - made_first)}, failed 1, skipped {len(made_first)}" in out
    assert footer_labels(tmp_path / "out" / "print.pdf") == [
        r["record_id"] for r in rows if r["record_id"] != "K-5" for _ in range(2)]


def test_resume_remakes_deleted_damaged_and_changed_rows_only(tmp_path):
    rows = [{**PATIENT, "record_id": f"D-{i}"} for i in range(6)]
    write_csv(tmp_path / "patients.csv", rows)
    assert run_batch(options_for(tmp_path, workers=0)).made == 6
    handouts = tmp_path / "out" / "handouts"
    (handouts / "D-1.pdf").unlink()                                          # lost
    (handouts / "D-2.pdf").write_bytes((handouts / "D-2.pdf").read_bytes()[:1000])  # torn
    rows[3]["note"] = "A different note."                                    # edited row
    write_csv(tmp_path / "patients.csv", rows)
    result = run_batch(options_for(tmp_path, workers=0))
    assert (result.made, result.skipped, result.failed) == (3, 3, 0)
    assert statuses(tmp_path) == {"D-0": "skipped", "D-1": "made", "D-2": "made",
                                  "D-3": "made", "D-4": "skipped", "D-5": "skipped"}
    assert sha256(handouts / "D-2.pdf") == read_manifest_csv(
        tmp_path / "out" / "manifest.csv")[2]["sha256"]


def test_a_lost_manifest_means_everything_is_made_again(tmp_path):
    write_csv(tmp_path / "patients.csv", [{**PATIENT, "record_id": "M-1"}])
    run_batch(options_for(tmp_path, workers=0, manifest_format="json"))
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["rows"][0][
        "status"] == "made"
    (tmp_path / "out" / "manifest.json").write_text("{ torn")
    assert run_batch(options_for(tmp_path, workers=0, manifest_format="json")).made == 1


# -- atomic writes and faults ---------------------------------------------------------------

def test_a_failed_rename_leaves_no_file_under_the_final_name(tmp_path, monkeypatch):
    def refuse(*_):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(output.os, "replace", refuse)
    with pytest.raises(OutputError):
        output.write_atomic(tmp_path / "a.pdf", b"%PDF-1.4 ...")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_keeps_the_old_file_whole(tmp_path, monkeypatch):
    target = output.write_atomic(tmp_path / "a.pdf", b"old and complete")
    def fail(*_):
        raise OSError(5, "Input/output error")
    monkeypatch.setattr(output.os, "fsync", fail)
    with pytest.raises(OutputError):
        output.write_atomic(target, b"new but never finished")
    assert target.read_bytes() == b"old and complete"
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]


def test_a_row_whose_file_cannot_be_written_fails_alone(tmp_path, monkeypatch):
    rows = [{**PATIENT, "record_id": f"W-{i}"} for i in range(3)]
    write_csv(tmp_path / "patients.csv", rows)
    real_replace = os.replace

    def replace_unless_w1(source, target):
        if Path(target).name == "W-1.pdf":
            raise OSError(28, "No space left on device")
        return real_replace(source, target)
    monkeypatch.setattr(output.os, "replace", replace_unless_w1)
    result = run_batch(options_for(tmp_path, workers=0))
    assert (result.made, result.failed) == (2, 1)
    assert result.errors == [
        "patients.csv:3: handouts/W-1.pdf: cannot be written: the disk is full (free some "
        "space on the disk, or choose a folder on another disk, then run the batch again)"]
    assert sorted(p.name for p in (tmp_path / "out" / "handouts").iterdir()) == [
        "W-0.pdf", "W-2.pdf"]
    assert footer_labels(tmp_path / "out" / "print.pdf") == ["W-0", "W-0", "W-2", "W-2"]


def test_a_print_file_torn_while_writing_never_appears(tmp_path, monkeypatch):
    write_csv(tmp_path / "patients.csv", [{**PATIENT, "record_id": f"P-{i}"} for i in range(2)])

    def torn(self, stream=None):
        stream.write(b"%PDF-1.4 the first pages")
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(PrintFileClass, "finish", torn)
    result = run_batch(options_for(tmp_path, workers=0))
    assert result.made == 2 and result.print_path is None
    assert result.print_error == (
        f"{tmp_path / 'out' / 'print.pdf'}: cannot be written: the disk is full (free some "
        "space on the disk, or choose a folder on another disk, then run the batch again: "
        "the handouts made are kept)")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        ".handouts-key", ".handouts.lock", "handouts", "manifest.csv"]


def test_temporaries_left_by_a_killed_run_are_cleaned_up(tmp_path):
    write_csv(tmp_path / "patients.csv", [{**PATIENT, "record_id": "T-1"}])
    stale = tmp_path / "out" / "handouts" / ".T-1.pdf.abc123.part"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"%PDF-1.4 torn")
    run_batch(options_for(tmp_path, workers=0))
    assert [p.name for p in stale.parent.iterdir()] == ["T-1.pdf"]


@needs_fork
@pytest.mark.parametrize("window", [batch.PRINT_WINDOW, 1])
def test_a_worker_that_dies_fails_its_row_not_the_batch(tmp_path, monkeypatch, window):
    monkeypatch.setattr(batch, "PRINT_WINDOW", window)   # 1: rows wait for the print file
    rows = [{**PATIENT, "record_id": f"X-{i}"} for i in range(5)]
    write_csv(tmp_path / "patients.csv", rows)
    from handouts.library import Library
    real = Library.render_for_print    # what workers call when there is a print file

    def crash_on_x2(library, job):
        if job.record_id == "X-2":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(library, job)
    monkeypatch.setattr(Library, "render_for_print", crash_on_x2)
    result = run_batch(options_for(tmp_path, workers=2))
    assert (result.made, result.failed) == (4, 1)
    assert result.errors == [
        "patients.csv:4: the worker process stopped (killed by SIGKILL) while making this "
        "handout (run the batch again to retry this row)"]
    assert footer_labels(tmp_path / "out" / "print.pdf") == [
        f"X-{i}" for i in (0, 1, 3, 4) for _ in range(2)]


# -- CSV quirks and unusable input, end to end ------------------------------------------------

def test_a_quirky_spreadsheet_export_is_read_in_full(tmp_path):
    rows = [{**PATIENT, "record_id": "Q-1", "note": "Rest, and drink water."},
            {**PATIENT, "record_id": "Q-2", "note": "Two\r\nlines."},
            {**PATIENT, "record_id": "Q-3", "clinician": "  Dr. Ana Rivera  "}]
    columns = ("record_id",) + tuple(c for c in PATIENT if c != "record_id")
    path = write_csv(tmp_path / "patients.csv", rows, columns=columns, newline="\r\n")
    data = path.read_bytes().replace(b"\r\nQ-2", b"\r\n\r\n   \r\nQ-2")
    path.write_bytes(b"\xef\xbb\xbf" + data.replace(b"record_id,", b" Record ID ,"))
    result = run_batch(options_for(tmp_path, workers=0))
    assert (result.made, result.failed) == (3, 0)
    assert [o.line for o in result.outcomes] == [2, 5, 7]


def test_a_file_in_another_encoding_is_refused(tmp_path):
    path = write_csv(tmp_path / "patients.csv", [{**PATIENT, "patient_name": "José"}])
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    code, out, err = run_cli("batch", str(path), "--out-dir", str(tmp_path / "out"))
    assert code == 2
    assert err == (f"error: {path}:2: is not UTF-8 text: byte 0xE9 cannot be read (save the "
                   "file as UTF-8, e.g. in Excel: Save As > CSV UTF-8)\n")
    assert not (tmp_path / "out").exists()


def test_wrong_columns_are_named_and_nothing_is_written(tmp_path):
    path = tmp_path / "patients.csv"
    path.write_text("record_id,locale,discharge,wait,contraception,follow_up,rh\n"
                    "A,en,2026-11-20,2w,avoid,call,given\n")
    code, out, err = run_cli("batch", str(path), "--out-dir", str(tmp_path / "out"))
    assert code == 2
    assert err.startswith(f"error: {path}:1: missing column discharge_date; unknown column "
                          "'discharge' (did you mean discharge_date?) (the columns are: ")
    assert not (tmp_path / "out").exists()


def test_a_missing_file_is_unusable_input(tmp_path):
    code, out, err = run_cli("batch", str(tmp_path / "nope.csv"), "--out-dir",
                             str(tmp_path / "out"))
    assert (code, err) == (2, f"error: {tmp_path / 'nope.csv'}: file not found (check the "
                              "path of the patient list)\n")


def test_the_same_record_id_twice_fails_the_second_row(tmp_path):
    rows = [{**PATIENT, "record_id": "Same-1"}, {**PATIENT, "record_id": "same-1"}]
    write_csv(tmp_path / "patients.csv", rows)
    result = run_batch(options_for(tmp_path, workers=0))
    assert result.errors == [
        "patients.csv:3: record_id: 'same-1' gives the same file name as the row on line 2 "
        "(give each row its own record id)"]


# -- print order, formats, samples -------------------------------------------------------------

@needs_es
def test_group_by_language_orders_the_print_file(tmp_path):
    rows = [{**PATIENT, "record_id": f"G-{i}", "locale": "es" if i % 2 else "en"}
            for i in range(4)]
    write_csv(tmp_path / "patients.csv", rows)
    result = run_batch(options_for(tmp_path, workers=0, group_by_language=True))
    assert result.made == 4
    labels = footer_labels(tmp_path / "out" / "print.pdf")
    order = [label for i, label in enumerate(labels) if i == 0 or labels[i - 1] != label]
    assert order == ["G-0", "G-2", "G-1", "G-3"]
    assert all(labels.count(label) % 2 == 0 for label in order)    # whole sheets each
    assert [o.locale for o in result.outcomes] == ["en", "es", "en", "es"]


@needs_es
def test_the_sample_lists_make_the_same_handouts(tmp_path):
    results = {}
    for name in ("patients.csv", "patients.jsonl"):
        code, out, err = run_cli("batch", str(PROJECT_DIR / "samples" / name), "--out-dir",
                                 str(tmp_path / name), "--today", TODAY_ARG, "--workers", "1",
                                 "--manifest", "json")
        assert code == 0, err
        manifest = json.loads((tmp_path / name / "manifest.json").read_text())
        results[name] = {r["record_id"]: r["sha256"] for r in manifest["rows"]}
    assert results["patients.csv"] == results["patients.jsonl"]
    assert len(results["patients.csv"]) == 5


def test_the_progress_is_plain_lines_of_counts_off_a_terminal(tmp_path):
    write_csv(tmp_path / "patients.csv", [{**PATIENT, "record_id": "P-1"}])
    code, out, err = run_cli("batch", str(tmp_path / "patients.csv"), "--out-dir",
                             str(tmp_path / "out"), "--workers", "0", "--today", TODAY_ARG)
    assert code == 0
    assert "progress: 1/1 rows (1 made, 0 failed, 0 skipped)" in err
    assert re.search(r"^made 1, failed 0, skipped 0 in \d+\.\d s "
                     r"\(\d+\.\d handouts per second\)$", out, re.M)


# -- the print file and caching keep single handouts byte-identical ---------------------------

def test_recorded_drawings_do_not_change_a_single_byte(make_job, monkeypatch):
    job = make_job()
    cached_twice = render(job), render(job)
    monkeypatch.setattr(LIBRARY.drawings, "_recorded", LRUCache(maxsize=1))   # afresh
    uncached = render(job)
    assert cached_twice[0] == cached_twice[1] == uncached


def test_render_counted_is_render_plus_the_page_count(make_job):
    job = make_job()
    pdf, pages = render_counted(job)
    assert pdf == render(job) and pages == len(PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_laying_out_for_the_print_file_keeps_the_pdf_the_same(make_job, locale):
    job = make_job(locale=locale)
    pdf, pages, made = render_for_print(job)
    assert (pdf, pages) == render_counted(job)
    assert len(made.pages.pages) == pages


def test_links_keep_their_place_in_the_print_file(make_job):
    """A clinic's template may link text; the print file's page has the same link where
    the handout's own PDF has it."""
    import dataclasses

    from handouts.content import Para, Span
    from handouts.pdf import lay_out
    from handouts.render import ForPrint
    job = make_job()
    document = prepare(job, LIBRARY).document
    link = Para((Span("Our website", href="https://riverside-health.example/help"),))
    document = dataclasses.replace(document, blocks=(link,) + document.blocks)
    prepared = prepare(job, LIBRARY, document)
    flowables = prepared.layout.flowables(document)
    own, _, pages = lay_out(prepared.layout, flowables, document.footer, prepared.metadata,
                            record=True)
    print_file = PrintFile(title="t", author="a", lang="en")
    print_file.add(job, ForPrint(document, pages))

    def links(data: bytes) -> list:
        page = PdfReader(io.BytesIO(data)).pages[0]
        annotations = [a.get_object() for a in page.get("/Annots", [])]
        return [(a["/A"]["/URI"], [round(float(v), 2) for v in a["/Rect"]]) for a in annotations]
    assert links(own) == links(print_file.finish())
    assert [uri for uri, _ in links(own)] == ["https://riverside-health.example/help"]


def test_an_odd_handout_is_padded_with_the_blank_page(make_job, monkeypatch):
    from reportlab.platypus import Spacer

    from handouts import render as render_module
    long_job = make_job(record_id="ODD-1")
    prepared = prepare(long_job, LIBRARY)
    standard = prepared.layout.flowables
    prepared.layout.flowables = lambda document: standard(document) + [Spacer(0, 500)]
    real_prepare = render_module.prepare
    monkeypatch.setattr(render_module, "prepare",
                        lambda job, library, document=None: prepared if job is long_job
                        else real_prepare(job, library, document))
    print_file = PrintFile(title="t", author="a", lang="en")
    assert print_file.add(long_job) == 4
    assert print_file.add(make_job(record_id="EVEN-2")) == 2
    texts = [page.extract_text() for page in PdfReader(io.BytesIO(print_file.finish())).pages]
    assert len(texts) == 6
    assert "Page 3 of 3" in texts[2]
    assert "This page is intentionally blank." in texts[3] and "Patient: ODD-1" in texts[3]
    assert "Page" not in texts[3]
    assert "Patient: EVEN-2" in texts[4] and "Page 1 of 2" in texts[4]


def _pages(data: bytes) -> list[tuple[str, bytes]]:
    """Each page's text as pdfium reads it, and its pixels at 40 dpi."""
    import pypdfium2
    document = pypdfium2.PdfDocument(data)
    try:
        return [(page.get_textpage().get_text_range(),
                 page.render(scale=40 / 72).to_pil().convert("L").tobytes())
                for page in document]
    finally:
        document.close()


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_print_file_pages_read_and_look_like_each_handouts_own(make_job, locale):
    """Text drawn again in the print file is one shared form; its pages must still read
    (pdfium's copy text, right-to-left lines included) and look exactly as each
    handout's own PDF."""
    jobs = [make_job(locale=locale, record_id=f"P-{i}", wait=wait, note=note)
            for i, (wait, note) in enumerate([("2w", ""), ("6w", "Rest."), ("2w", ""),
                                              ("6w", "Rest.")])]
    print_file = PrintFile(title="t", author="a", lang=locale)
    for job in jobs:
        print_file.add(job)
    data = print_file.finish()
    printed = _pages(data)
    expected = []
    for job in jobs:
        own = _pages(render(job))
        expected.extend(own)
        if len(own) % 2:
            expected.append(printed[len(expected)])      # the padding page
    assert [text for text, _ in printed] == [text for text, _ in expected]
    assert [pixels for _, pixels in printed] == [pixels for _, pixels in expected]
    reader = PdfReader(io.BytesIO(data))
    shared = {name for page in reader.pages
              for name in page["/Resources"].get("/XObject", {}) if "Shared" in name}
    assert shared
    first, last = (sum(len(reader.pages[i].get_contents().get_data()) for i in pages)
                   for pages in ((0, 1), (len(reader.pages) - 2, len(reader.pages) - 1)))
    assert last < first / 2


def test_written_files_follow_the_umask(tmp_path):
    import os
    from handouts.output import write_atomic
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "a.pdf", b"%PDF-")
    finally:
        os.umask(old)
    assert (tmp_path / "a.pdf").stat().st_mode & 0o777 == 0o640
