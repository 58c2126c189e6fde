"""A batch fails closed: a file that cannot be written is one line at its row (or stops the
batch when it is the out-dir's own), one batch at a time per out-dir, handouts of another
list are named, workers never outlive the batch, and the manifest cannot confirm a
guessed patient's details.
"""
from __future__ import annotations

import csv
import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from handouts import output
from handouts.batch import KEY_FILE, LOCK_FILE, render_key, run_batch
from handouts.brand import load_brand
from handouts.errors import OutputError
from handouts.records import DEFAULT_HANDOUT
from handouts.resources import PROJECT_DIR
from tests.conftest import PATIENT, TEST_BRAND, TODAY
from tests.test_batch import options_for, read_manifest_csv, run_cli, write_csv

TODAY_ARG = TODAY.isoformat()


def rows(prefix: str, count: int) -> list[dict]:
    return [{**PATIENT, "record_id": f"{prefix}-{i}"} for i in range(count)]


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.part"))


def fail_replace_of(monkeypatch, name: str, code: int) -> None:
    real = os.replace

    def replace(source, target):
        if Path(target).name == name:
            raise OSError(code, os.strerror(code))
        return real(source, target)
    monkeypatch.setattr(output.os, "replace", replace)


# -- a row's file that cannot be written fails that row alone ------------------------------

@pytest.mark.parametrize("code, reason", [
    (errno.EACCES, "permission denied (choose a folder you can write to, or ask for write "
                   "access, then run the batch again)"),
    (errno.EROFS, "the disk is read-only (choose a folder on a disk that can be written to, "
                  "then run the batch again)"),
    (errno.EDQUOT, "your disk quota is used up (free some of your space, or ask for a larger "
                   "quota, then run the batch again)"),
])
def test_a_row_that_cannot_be_written_fails_at_its_line(tmp_path, monkeypatch, code, reason):
    write_csv(tmp_path / "patients.csv", rows("W", 3))
    fail_replace_of(monkeypatch, "W-1.pdf", code)
    result = run_batch(options_for(tmp_path, workers=0))
    assert (result.made, result.failed) == (2, 1)
    assert result.errors == [f"patients.csv:3: handouts/W-1.pdf: cannot be written: {reason}"]
    assert sorted(p.name for p in (tmp_path / "out" / "handouts").iterdir()) == [
        "W-0.pdf", "W-2.pdf"]
    assert temporaries(tmp_path) == []


@pytest.mark.parametrize("workers", [0, 2])
def test_a_folder_at_a_rows_file_name_fails_that_row(tmp_path, workers):
    write_csv(tmp_path / "patients.csv", rows("F", 3))
    (tmp_path / "out" / "handouts" / "F-2.pdf").mkdir(parents=True)
    result = run_batch(options_for(tmp_path, workers=workers))
    assert (result.made, result.failed) == (2, 1)
    assert result.errors == [
        "patients.csv:4: handouts/F-2.pdf: cannot be written: there is a folder with that "
        "name (remove or rename that folder, or choose another file name, then run the batch "
        "again)"]
    assert temporaries(tmp_path) == []


# -- the out-dir's own files: one line, before any work where it can be known ---------------

def test_a_file_in_place_of_the_handouts_folder_stops_the_batch_first(tmp_path):
    write_csv(tmp_path / "patients.csv", rows("H", 2))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "handouts").write_text("not a folder")
    code, out, err = run_cli("batch", str(tmp_path / "patients.csv"), "--out-dir",
                             str(tmp_path / "out"), "--today", TODAY_ARG, "--workers", "0")
    assert code == 2
    assert err == (f"error: {tmp_path / 'out' / 'handouts'}: cannot be written: it is a file, "
                   "not a folder (rename or move that file, or choose another folder)\n")
    assert not (tmp_path / "out" / "manifest.csv").exists()


def test_a_folder_in_place_of_the_print_file_stops_the_batch_first(tmp_path):
    write_csv(tmp_path / "patients.csv", rows("P", 2))
    (tmp_path / "out" / "print.pdf").mkdir(parents=True)
    with pytest.raises(OutputError, match=r"print\.pdf: cannot be written: there is a folder"):
        run_batch(options_for(tmp_path, workers=0))
    assert not (tmp_path / "out" / "manifest.csv").exists()
    assert not (tmp_path / "out" / "handouts").exists()


def test_an_out_dir_under_a_file_is_one_line(tmp_path):
    write_csv(tmp_path / "patients.csv", rows("U", 1))
    (tmp_path / "taken").write_text("a file")
    code, out, err = run_cli("batch", str(tmp_path / "patients.csv"), "--out-dir",
                             str(tmp_path / "taken" / "out"), "--workers", "0")
    assert code == 2
    assert err == (f"error: {tmp_path / 'taken' / 'out'}: cannot be written: "
                   f"{tmp_path / 'taken'} is a file, not a folder (rename or move that file, "
                   "or choose another folder)\n")


def test_a_full_disk_while_writing_the_manifest_is_one_line(tmp_path, monkeypatch):
    write_csv(tmp_path / "patients.csv", rows("M", 2))
    fail_replace_of(monkeypatch, "manifest.csv", errno.ENOSPC)
    code, out, err = run_cli("batch", str(tmp_path / "patients.csv"), "--out-dir",
                             str(tmp_path / "out"), "--today", TODAY_ARG, "--workers", "0")
    assert code == 2
    assert err == (f"error: {tmp_path / 'out' / 'manifest.csv'}: cannot be written: the disk "
                   "is full (free some space on the disk, or choose a folder on another disk, "
                   "then run the batch again: the handouts made so far are kept)\n")
    assert temporaries(tmp_path) == [] and not (tmp_path / "out" / "manifest.csv").exists()


def test_a_full_disk_at_a_later_manifest_write_stops_the_batch_in_one_line(tmp_path,
                                                                           monkeypatch):
    write_csv(tmp_path / "patients.csv", rows("N", 3))
    real, calls = os.replace, []

    def replace(source, target):
        if Path(target).name == "manifest.csv":
            calls.append(target)
            if len(calls) > 1:                    # the first checkpoint goes through
                raise OSError(errno.EDQUOT, os.strerror(errno.EDQUOT))
        return real(source, target)
    monkeypatch.setattr(output.os, "replace", replace)
    with pytest.raises(OutputError) as caught:
        run_batch(options_for(tmp_path, workers=2))
    assert str(caught.value) == (
        f"{tmp_path / 'out' / 'manifest.csv'}: cannot be written: your disk quota is used up "
        "(free some of your space, or ask for a larger quota, then run the batch again: the "
        "handouts made so far are kept)")
    assert temporaries(tmp_path) == []
    assert {m["status"] for m in read_manifest_csv(tmp_path / "out" / "manifest.csv")} == {
        "pending"}                                # the last whole manifest
    monkeypatch.undo()                            # the disk has room again
    assert run_batch(options_for(tmp_path, workers=0)).made == 3      # and the lock is free


def test_a_full_disk_while_writing_the_print_file_is_one_line(tmp_path, monkeypatch):
    write_csv(tmp_path / "patients.csv", rows("Q", 2))
    fail_replace_of(monkeypatch, "print.pdf", errno.ENOSPC)
    code, out, err = run_cli("batch", str(tmp_path / "patients.csv"), "--out-dir",
                             str(tmp_path / "out"), "--today", TODAY_ARG, "--workers", "0")
    assert code == 1
    assert err.splitlines()[-1] == (
        f"error: {tmp_path / 'out' / 'print.pdf'}: cannot be written: the disk is full (free "
        "some space on the disk, or choose a folder on another disk, then run the batch "
        "again: the handouts made are kept)")
    assert temporaries(tmp_path) == [] and not (tmp_path / "out" / "print.pdf").exists()
    assert [m["status"] for m in read_manifest_csv(tmp_path / "out" / "manifest.csv")] == [
        "made", "made"]


# -- one batch at a time per out-dir ----------------------------------------------------------

HOLD_LOCK = ("import sys; from handouts.batch_lock import OutDirLock; "
             "OutDirLock(sys.argv[1]).acquire(); print('locked', flush=True); sys.stdin.read()")


def test_a_second_batch_refuses_while_another_holds_the_out_dir(tmp_path):
    write_csv(tmp_path / "patients.csv", rows("L", 2))
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(out)], cwd=PROJECT_DIR,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        code, stdout, err = run_cli("batch", str(tmp_path / "patients.csv"), "--out-dir",
                                    str(out), "--today", TODAY_ARG, "--workers", "0")
        assert code == 2
        assert err.startswith(f"error: {out}: another batch is writing to this folder "
                              f"(process {holder.pid}, started 20")
        assert err.endswith(") (wait until it has finished, or give another --out-dir)\n")
        assert sorted(p.name for p in out.iterdir()) == [LOCK_FILE]      # nothing written
    finally:
        holder.kill()                                    # dies holding the lock
        holder.wait()
    assert f"process {holder.pid}," in (out / LOCK_FILE).read_text()  # a stale lock file...
    assert run_batch(options_for(tmp_path, workers=0)).made == 2       # ...does not block


def test_the_lock_is_released_after_a_batch(tmp_path):
    write_csv(tmp_path / "patients.csv", rows("R", 1))
    run_batch(options_for(tmp_path, workers=0))
    assert run_batch(options_for(tmp_path, workers=0)).skipped == 1
    assert f"process {os.getpid()}, started " in (tmp_path / "out" / LOCK_FILE).read_text()


# -- handouts of another list ------------------------------------------------------------------

def test_handouts_left_by_an_earlier_list_are_named_not_deleted(tmp_path):
    write_csv(tmp_path / "patients.csv", rows("A", 3))
    first = run_batch(options_for(tmp_path, workers=0))
    assert first.leftover == [] and first.leftover_warning == ""
    write_csv(tmp_path / "patients.csv", rows("A", 1) + rows("B", 1))
    second = run_batch(options_for(tmp_path, workers=0))
    assert second.leftover == ["A-1.pdf", "A-2.pdf"]
    assert second.leftover_warning == (
        f"{tmp_path / 'out' / 'handouts'}: 2 handouts not from this list: A-1.pdf, A-2.pdf "
        "(they are left from an earlier list; move or delete them before printing from this "
        "folder)")
    assert sorted(p.name for p in (tmp_path / "out" / "handouts").iterdir()) == [
        "A-0.pdf", "A-1.pdf", "A-2.pdf", "B-0.pdf"]
    assert "Maria" not in second.leftover_warning and "Lopez" not in second.leftover_warning


# -- workers die with the batch ------------------------------------------------------------------

def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(n) for n in (task / "children").read_text().split())
        except OSError:
            pass
    return found


def alive(pid: int) -> bool:
    """Running, and not a zombie waiting for a reaper (which a container may not have)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_workers_die_when_the_batch_is_killed(tmp_path):
    write_csv(tmp_path / "patients.csv", rows("K", 200))
    out = tmp_path / "out"
    batch = subprocess.Popen([sys.executable, str(PROJECT_DIR / "generate.py"), "batch",
                              "patients.csv", "--out-dir", "out", "--today", TODAY_ARG,
                              "--workers", "2"], cwd=tmp_path,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline and batch.poll() is None:
            workers = {pid for pid in children(batch.pid) if alive(pid)}
            time.sleep(0.05)
        assert len(workers) == 2, "the batch started no workers"
        # While it runs, another batch into the same out-dir is refused, naming it.
        with pytest.raises(OutputError, match=f"another batch is writing to this folder "
                                              f"\\(process {batch.pid}, started "):
            run_batch(options_for(tmp_path, workers=0))
        batch.send_signal(signal.SIGKILL)
        batch.wait()
        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in workers if alive(pid)], "orphaned workers"
    finally:
        if batch.poll() is None:
            batch.kill()
            batch.wait()
        for pid in workers if "workers" in locals() else ():
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
    # The killed batch's lock died with it and its workers: a new run may go on.
    write_csv(tmp_path / "patients.csv", rows("K", 2))
    assert run_batch(options_for(tmp_path, workers=0, print_file=False)).failed == 0
    assert out.is_dir()


SLEEPING_CHILD = """
import os, sys, time
from handouts.batch_workers import die_with_parent
parent = os.getpid()
if os.fork() == 0:
    die_with_parent(parent)
    print(os.getpid(), flush=True)
    time.sleep(60)              # busy, not reading any pipe: only the kernel can stop it
    os._exit(0)
time.sleep(60)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_busy_worker_is_killed_with_its_parent():
    parent = subprocess.Popen([sys.executable, "-c", SLEEPING_CHILD], cwd=PROJECT_DIR,
                              stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    try:
        assert alive(child)
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 5
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not alive(child)
    finally:
        if alive(child):
            os.kill(child, signal.SIGKILL)


# -- the manifest cannot confirm a guess ------------------------------------------------------

def manifest_rows(folder: Path) -> list[dict]:
    return read_manifest_csv(folder / "manifest.csv")


def test_input_sha256_is_keyed_per_out_dir_and_resume_still_works(tmp_path):
    write_csv(tmp_path / "patients.csv", rows("S", 2))
    run_batch(options_for(tmp_path, workers=0, out_dir=tmp_path / "one"))
    run_batch(options_for(tmp_path, workers=0, out_dir=tmp_path / "two"))
    one, two = manifest_rows(tmp_path / "one"), manifest_rows(tmp_path / "two")
    assert [m["sha256"] for m in one] == [m["sha256"] for m in two]         # same PDFs
    assert all(a["input_sha256"] != b["input_sha256"] for a, b in zip(one, two))
    # The unkeyed digest of the row, which anyone could compute from a guess, is not it.
    key = render_key(load_brand(TEST_BRAND), TEST_BRAND, TODAY, DEFAULT_HANDOUT)
    with open(tmp_path / "patients.csv", newline="", encoding="utf-8") as stream:
        fields = next(csv.DictReader(stream))
    plain = hashlib.sha256(f"{key}\n{json.dumps(sorted(fields.items()), ensure_ascii=False)}"
                           .encode()).hexdigest()
    assert plain not in {m["input_sha256"] for m in one + two}
    assert ((tmp_path / "one" / KEY_FILE).stat().st_mode & 0o777) == 0o600
    again = run_batch(options_for(tmp_path, workers=0, out_dir=tmp_path / "one"))
    assert (again.skipped, again.made) == (2, 0)
    assert manifest_rows(tmp_path / "one") == [{**m, "status": "skipped"} for m in one]


def test_the_manifest_and_the_print_file_hold_no_patient_text(tmp_path):
    """The list may be named after a patient: its name does not go in the print file's
    metadata; and no row's patient text goes in the manifest."""
    source = write_csv(tmp_path / "Maria-Lopez.csv", rows("T", 2))
    patient_text = (PATIENT["patient_name"], PATIENT["clinician"], PATIENT["note"], "Maria",
                    "Lopez")
    for fmt in ("csv", "json"):
        out = tmp_path / fmt
        run_batch(options_for(tmp_path, workers=0, source=source, out_dir=out,
                              source_name="", manifest_format=fmt))
        text = (out / f"manifest.{fmt}").read_text("utf-8")
        if fmt == "json":            # the rows; "source" names the list as it was given
            text = json.dumps(json.loads(text)["rows"], ensure_ascii=False)
        assert not [value for value in patient_text if value in text]
    metadata = PdfReader(tmp_path / "csv" / "print.pdf").metadata
    assert metadata.title == f"Print file: {DEFAULT_HANDOUT}"
    assert not [value for value in metadata.values() if "Maria" in str(value)
                or "Lopez" in str(value)]


def test_a_row_that_now_fails_takes_its_old_handout_with_it(tmp_path):
    """Made once, then the row's values change so it fails: the handout from the old values
    must not stay in handouts/ to be printed."""
    patients = rows("A", 2)
    write_csv(tmp_path / "patients.csv", patients)
    options = options_for(tmp_path, workers=0, print_file=False)
    assert run_batch(options).made == 2
    write_csv(tmp_path / "patients.csv", [{**patients[0], "wait": "6x"}, patients[1]])
    result = run_batch(options)
    assert [o.status for o in result.outcomes] == ["failed", "skipped"]
    assert sorted(p.name for p in (tmp_path / "out" / "handouts").iterdir()) == ["A-1.pdf"]
    assert result.outcomes[0].error.endswith(
        "(handouts/A-0.pdf, made by an earlier run from other values, was removed)")
    assert result.leftover == []


def test_a_repeated_record_id_never_removes_the_handout_of_the_first(tmp_path):
    patients = rows("A", 1)
    write_csv(tmp_path / "patients.csv", patients)
    options = options_for(tmp_path, workers=0, print_file=False)
    assert run_batch(options).made == 1
    write_csv(tmp_path / "patients.csv", patients * 2)
    result = run_batch(options)
    assert [o.status for o in result.outcomes] == ["skipped", "failed"]
    assert "removed" not in result.outcomes[1].error
    assert [p.name for p in (tmp_path / "out" / "handouts").iterdir()] == ["A-0.pdf"]
