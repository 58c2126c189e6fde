"""Output stage: the only module that writes files.

Every file is written atomically: to a temporary file in the same folder, flushed to
disk, then renamed over the final name. A crash at any moment leaves either the old
file or the complete new one, never a truncated file under the final name.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Write bytes to path atomically; the temporary file is removed on any failure."""
    with atomic_file(path) as stream:
        stream.write(data)
    return Path(path)


@contextmanager
def atomic_file(path: str | Path) -> Iterator[BinaryIO]:
    """A binary file to write that appears under `path` only when the block completes:
    written to a temporary file in the same folder, flushed to disk, then renamed. On any
    failure the temporary file is removed and `path` is untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part",
                                         dir=path.parent)
    try:
        # mkstemp makes the file private (0600); give it the permissions any new file of
        # the user's gets, so a print room's other accounts can read what its umask allows.
        os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# -- safe file names ---------------------------------------------------------------------

_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}
MAX_STEM = 64


def safe_stem(text: str) -> str:
    """A file name stem that is safe on every common file system, or '' if none is left.

    Only letters, digits, '.', '_' and '-' are kept (anything else becomes '_'), no
    leading dots, dashes or underscores, no Windows device names, at most 64 characters.

    >>> safe_stem("MRN-0042"), safe_stem("../../etc/passwd"), safe_stem("con"), safe_stem("é")
    ('MRN-0042', 'etc_passwd', '_con', '')
    """
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", text.strip())
    stem = re.sub(r"\.{2,}", ".", stem).lstrip("._-").rstrip(".")[:MAX_STEM]
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    return stem


def handout_file_name(record_id: str, line: int) -> str:
    """A row's PDF name: from its record id, else its line number; never the patient's name.

    >>> handout_file_name("MRN-0042", 17), handout_file_name("", 17)
    ('MRN-0042.pdf', 'row-17.pdf')
    """
    stem = safe_stem(record_id) if record_id else ""
    return f"{stem or f'row-{line}'}.pdf"


def sha256_file(path: str | Path) -> str | None:
    """The file's SHA-256 in hex, or None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def remove_temporaries(folder: str | Path) -> int:
    """Delete the temporary files a killed run left behind (`.NAME.XXXX.part`)."""
    removed = 0
    for path in Path(folder).glob(".*.part"):
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass
    return removed


# -- the batch manifest ------------------------------------------------------------------

MANIFEST_COLUMNS = ("row", "record_id", "locale", "status", "file", "pages", "sha256",
                    "error", "input_sha256")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def manifest_bytes(entries: list[dict], fmt: str, *, source: str = "") -> bytes:
    """The manifest as CSV or JSON; one entry per input row, in input order."""
    rows = [{column: entry.get(column, "") for column in MANIFEST_COLUMNS} for entry in entries]
    if fmt == "json":
        for row in rows:
            row["pages"] = row["pages"] if row["pages"] != "" else None
        return (json.dumps({"source": source, "rows": rows}, ensure_ascii=False, indent=1)
                + "\n").encode("utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MANIFEST_COLUMNS)
    for row in rows:
        # A cell that starts like a formula is shown as text by spreadsheets.
        writer.writerow(["'" + value if isinstance(value, str) and value.startswith(_FORMULA_START)
                         else ("" if value is None else value) for value in row.values()])
    return buffer.getvalue().encode("utf-8")


def write_manifest(path: str | Path, entries: list[dict], fmt: str, *, source: str = "") -> Path:
    return write_atomic(path, manifest_bytes(entries, fmt, source=source))


def read_manifest(path: str | Path) -> list[dict]:
    """The entries of an earlier run's manifest; [] when there is none or it is unreadable
    (then nothing is skipped and every row is made again)."""
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    try:
        if path.suffix == ".json":
            rows = json.loads(text).get("rows", [])
            return [row for row in rows if isinstance(row, dict)]
        return list(csv.DictReader(io.StringIO(text)))
    except (ValueError, AttributeError, csv.Error):
        return []
