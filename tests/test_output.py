"""Output fails closed: every OS error on a write is one line naming the path and the fix,
and leaves neither a half-written file nor a temporary behind.

Tests run as root in CI containers, where a folder's mode does not stop writes; there
the permission errors are simulated by making the open, the write or the rename fail
with the errno the kernel would give.
"""
from __future__ import annotations

import contextlib
import errno
import io
import os
from pathlib import Path

import pytest

from handouts import output
from handouts.cli import main
from handouts.errors import HandoutError, OutputError
from tests.conftest import PATIENT, TODAY

DATA = b"%PDF-1.4 a whole handout"

MESSAGES = {
    errno.EACCES: "permission denied (choose a folder you can write to, or ask for write "
                  "access)",
    errno.EPERM: "permission denied (choose a folder you can write to, or ask for write "
                 "access)",
    errno.EROFS: "the disk is read-only (choose a folder on a disk that can be written to)",
    errno.ENOSPC: "the disk is full (free some space on the disk, or choose a folder on "
                  "another disk)",
    errno.EDQUOT: "your disk quota is used up (free some of your space, or ask for a larger "
                  "quota)",
    errno.ENAMETOOLONG: "the name is too long (choose a shorter file name, or a folder with "
                        "a shorter path)",
}


def left_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*"))


class _FailingStream(io.RawIOBase):
    """A file whose writes fail as a full (or read-only, or forbidden) disk makes them."""

    def __init__(self, handle: int, code: int):
        self.handle, self.code = handle, code

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        raise OSError(self.code, os.strerror(self.code))

    def close(self) -> None:
        if not self.closed:
            os.close(self.handle)
        super().close()


def _fail_at(monkeypatch, step: str, code: int) -> None:
    def fail(*_args, **_kwargs):
        raise OSError(code, os.strerror(code))
    if step == "open":
        monkeypatch.setattr(output.tempfile, "mkstemp", fail)
    elif step == "write":
        monkeypatch.setattr(output.os, "fdopen", lambda handle, mode: _FailingStream(handle, code))
    elif step == "replace":
        monkeypatch.setattr(output.os, "replace", fail)


@pytest.mark.parametrize("step", ["open", "write", "replace"])
@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_each_os_error_is_one_line_and_leaves_nothing(tmp_path, monkeypatch, step, code):
    target = tmp_path / "out" / "handout.pdf"
    _fail_at(monkeypatch, step, code)
    with pytest.raises(OutputError) as caught:
        output.write_atomic(target, DATA)
    assert isinstance(caught.value, HandoutError)
    assert str(caught.value) == f"{target}: cannot be written: {MESSAGES[code]}"
    assert "\n" not in str(caught.value)
    assert left_in(tmp_path) == ["out"]                    # no file, no .part temporary


@pytest.mark.parametrize("step", ["open", "write", "replace"])
def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch, step):
    target = output.write_atomic(tmp_path / "handout.pdf", b"old and whole")
    _fail_at(monkeypatch, step, errno.ENOSPC)
    with pytest.raises(OutputError):
        output.write_atomic(target, DATA)
    assert target.read_bytes() == b"old and whole"
    assert left_in(tmp_path) == ["handout.pdf"]


def test_a_folder_without_write_permission(tmp_path, monkeypatch):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.geteuid() == 0:        # root writes anyway: give the kernel's answer instead
            _fail_at(monkeypatch, "open", errno.EACCES)
        with pytest.raises(OutputError) as caught:
            output.write_atomic(folder / "handout.pdf", DATA)
    finally:
        folder.chmod(0o700)
    assert str(caught.value) == (f"{folder / 'handout.pdf'}: cannot be written: "
                                 f"{MESSAGES[errno.EACCES]}")
    assert left_in(folder) == []


def test_a_folder_at_the_file_name(tmp_path):
    target = tmp_path / "handout.pdf"
    (target / "inside").mkdir(parents=True)
    with pytest.raises(OutputError) as caught:
        output.write_atomic(target, DATA)
    assert str(caught.value) == (f"{target}: cannot be written: there is a folder with that "
                                 "name (remove or rename that folder, or choose another file "
                                 "name)")
    assert left_in(tmp_path) == ["handout.pdf", "inside"]


@pytest.mark.parametrize("parent", ["out", "out/sub"])
def test_a_file_where_a_folder_should_be(tmp_path, parent):
    (tmp_path / "out").write_bytes(b"a file, not a folder")
    target = tmp_path / parent / "handout.pdf"
    with pytest.raises(OutputError) as caught:
        output.write_atomic(target, DATA)
    assert str(caught.value) == (f"{target}: cannot be written: {tmp_path / 'out'} is a "
                                 "file, not a folder (rename or move that file, or choose "
                                 "another folder)")
    assert left_in(tmp_path) == ["out"]
    assert (tmp_path / "out").read_bytes() == b"a file, not a folder"


def test_missing_folders_are_made(tmp_path):
    target = output.write_atomic(tmp_path / "a" / "b" / "handout.pdf", DATA)
    assert target.read_bytes() == DATA


def test_a_name_too_long_is_refused_before_writing(tmp_path):
    target = tmp_path / ("x" * 300 + ".pdf")
    with pytest.raises(OutputError) as caught:
        output.write_atomic(target, DATA)
    assert str(caught.value) == f"{target}: cannot be written: {MESSAGES[errno.ENAMETOOLONG]}"
    assert left_in(tmp_path) == []


def test_a_long_name_that_fits_is_written(tmp_path):
    """The temporary's name is longer than the file's; it must not make a name that fits
    fail."""
    target = output.write_atomic(tmp_path / ("x" * 246 + ".pdf"), DATA)
    assert left_in(tmp_path) == [target.name]


def test_an_error_in_the_writer_removes_the_temporary(tmp_path):
    with pytest.raises(ValueError):
        with output.atomic_file(tmp_path / "handout.pdf") as stream:
            stream.write(b"half")
            raise ValueError("the writer's own bug")
    assert left_in(tmp_path) == []


def test_removing_a_folder_in_place_of_a_file_is_refused(tmp_path):
    (tmp_path / "print.pdf").mkdir()
    with pytest.raises(OutputError, match="print.pdf: cannot be written: there is a folder"):
        output.remove_file(tmp_path / "print.pdf")
    output.remove_file(tmp_path / "missing.pdf")            # nothing there: nothing to do


def test_the_folder_secret_is_private_made_once_and_reused(tmp_path):
    path = tmp_path / ".key"
    key = output.folder_secret(path)
    assert len(key) == 32 and path.read_bytes() == key
    assert path.stat().st_mode & 0o777 == 0o600
    assert output.folder_secret(path) == key
    assert output.folder_secret(tmp_path / ".other") != key
    path.write_bytes(b"torn")                                 # damaged: a new key
    assert len(output.folder_secret(path)) == 32 and left_in(tmp_path) == [".key", ".other"]


# -- the render command: one line, exit 2 -------------------------------------------------

def run_render(out: Path) -> tuple[int, str, str]:
    args = ["render", "--locale", "en", "--record-id", PATIENT["record_id"],
            "--discharge-date", PATIENT["discharge_date"], "--wait", PATIENT["wait"],
            "--contraception", PATIENT["contraception"], "--follow-up", PATIENT["follow_up"],
            "--rh", PATIENT["rh"], "--today", TODAY.isoformat(), "--out", str(out)]
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(args)
    return code, stdout.getvalue(), stderr.getvalue()


def test_render_into_a_full_disk_says_so_in_one_line(tmp_path, monkeypatch):
    _fail_at(monkeypatch, "write", errno.ENOSPC)
    out = tmp_path / "out" / "handout.pdf"
    code, stdout, stderr = run_render(out)
    assert (code, stdout) == (2, "")
    assert stderr == f"error: {out}: cannot be written: {MESSAGES[errno.ENOSPC]}\n"
    assert left_in(tmp_path) == ["out"]


def test_render_onto_a_folder_says_so_in_one_line(tmp_path):
    (tmp_path / "handout.pdf").mkdir()
    code, stdout, stderr = run_render(tmp_path / "handout.pdf")
    assert code == 2 and stderr.count("\n") == 1
    assert stderr.startswith(f"error: {tmp_path / 'handout.pdf'}: cannot be written: there "
                             "is a folder with that name")


@pytest.mark.parametrize("text", ['{"rows": 5}', '{"rows": [{"file": ["x"]}]}',
                                  '{"rows": ' + "[" * 100000 + "]" * 100000 + "}", "[1, 2]",
                                  '{"rows": [{"file": "handouts/A.pdf", "pages": 2}]}'])
def test_a_damaged_json_manifest_is_read_as_what_it_can_say(tmp_path, text):
    from handouts.output import read_manifest
    path = tmp_path / "manifest.json"
    path.write_text(text, "utf-8")
    entries = read_manifest(path)
    assert all(isinstance(v, str) for entry in entries for v in entry.values())


def test_a_name_too_long_leaves_no_folder_behind(tmp_path):
    from handouts.errors import OutputError
    from handouts.output import write_atomic
    target = tmp_path / "new" / "deeper" / ("a" * 300 + ".pdf")
    with pytest.raises(OutputError, match="cannot be written"):
        write_atomic(target, b"%PDF-")
    assert list(tmp_path.iterdir()) == []
