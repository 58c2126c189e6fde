"""Output stage: the only module that writes files (besides the batch's lock, batch_lock).

Every file is written atomically: to a temporary file in the same folder, flushed to
disk, then renamed over the final name. A crash at any moment leaves either the old
file or the complete new one, never a truncated file under the final name.

Every operating-system error on the way (permission denied, a read-only or full disk, a
folder where the file should be, a file where a folder should be, a name too long)
becomes one OutputError naming the path and the fix, and leaves no temporary behind:
fail closed, never a traceback and never half a file.
"""
from __future__ import annotations

from types import MappingProxyType
import csv
import errno
import hashlib
import io
import json
import os
import re
import secrets
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

from .caches import ForkSafeLock
from .errors import OutputError

#: errno -> (what is wrong, the fix), worded for a print room, not for a programmer.
_REASONS = MappingProxyType({
    errno.EACCES: ("permission denied", "choose a folder you can write to, or ask for write access"),
    errno.EPERM: ("permission denied", "choose a folder you can write to, or ask for write access"),
    errno.EROFS: ("the disk is read-only", "choose a folder on a disk that can be written to"),
    errno.ENOSPC: ("the disk is full", "free some space on the disk, or choose a folder on another disk"),
    errno.EDQUOT: ("your disk quota is used up",
                   "free some of your space, or ask for a larger quota"),
    errno.EFBIG: ("the file is too large for this disk", "choose a folder on another disk"),
    errno.ENAMETOOLONG: ("the name is too long",
                         "choose a shorter file name, or a folder with a shorter path"),
    errno.EISDIR: ("there is a folder with that name",
                   "remove or rename that folder, or choose another file name"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder",
                    "rename or move that file, or choose another folder"),
    errno.EEXIST: ("a file is in the way of a folder to make",
                   "rename or move that file, or choose another folder"),
    errno.ELOOP: ("the path has too many symbolic links", "choose another folder"),
    errno.EIO: ("the disk reported an input/output error",
                "check the disk, or choose a folder on another disk, then try again"),
})
_DEFAULT_HINT = "check the folder and the disk, then try again"
_NAME_MAX = 255


def output_error(error: OSError, path: str | Path, *, name: str | None = None,
                 verb: str = "written") -> OutputError:
    """One line for an OS error on `path`: `out/a.pdf: cannot be written: the disk is full
    (free some space ...)`. `name` is how the message shows the path (default: as given)."""
    reason, hint = _REASONS.get(error.errno, (None, _DEFAULT_HINT))
    if reason is None:
        reason = (error.strerror or type(error).__name__).lower()
    return OutputError(f"cannot be {verb}: {reason}", source=name or str(path), hint=hint)


def _file_in_the_way(component: Path, shown: str) -> OutputError:
    return OutputError(f"cannot be written: {component} is a file, not a folder",
                       source=shown, hint="rename or move that file, or choose another folder")


def make_folder(folder: str | Path, *, name: str | None = None) -> Path:
    """Make `folder` and its missing parents, as today; a regular file where a folder is
    wanted (the folder itself or any parent) is an OutputError, like every OS error."""
    folder = Path(folder)
    shown = name or str(folder)
    try:
        for component in (folder, *folder.parents):
            if component.exists():
                if not component.is_dir():
                    if component == folder:
                        raise OutputError("cannot be written: it is a file, not a folder",
                                          source=shown, hint="rename or move that file, or "
                                                             "choose another folder")
                    raise _file_in_the_way(component, shown)
                break
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise output_error(error, folder, name=shown) from None
    return folder


def check_target(path: str | Path, *, name: str | None = None) -> Path:
    """Refuse early, before any work, a file that could not be written: a folder at its
    name, or a file where one of its folders should be. Writes nothing."""
    path = Path(path)
    shown = name or str(path)
    try:
        if path.is_dir():
            raise output_error(OSError(errno.EISDIR, "Is a directory"), path, name=shown)
        for component in path.parents:
            if component.exists():
                if not component.is_dir():
                    raise _file_in_the_way(component, shown)
                break
    except OSError as error:
        raise output_error(error, path, name=shown) from None
    return path


def write_atomic(path: str | Path, data: bytes, *, name: str | None = None) -> Path:
    """Write bytes to path atomically; the temporary file is removed on any failure, and an
    OS error is raised as an OutputError (see atomic_file)."""
    with atomic_file(path, name=name) as stream:
        stream.write(data)
    return Path(path)


@contextmanager
def atomic_file(path: str | Path, *, name: str | None = None) -> Iterator[BinaryIO]:
    """A binary file to write that appears under `path` only when the block completes:
    written to a temporary file in the same folder, flushed to disk, then renamed. On any
    failure the temporary file is removed and `path` is untouched; an OSError (in here or
    in the block, which writes to the disk through the stream) becomes an OutputError
    naming the path (`name`, default: the path as given) and the fix."""
    path = Path(path)
    shown = name or str(path)
    check_target(path, name=shown)
    if len(os.fsencode(path.name)) > _NAME_MAX:     # refused before any folder is made
        raise output_error(OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG)),
                           path, name=shown)
    make_folder(path.parent, name=shown)
    temporary = None
    try:
        _check_name_length(path)
        handle, temporary = tempfile.mkstemp(prefix=_temporary_prefix(path.name),
                                             suffix=".part", dir=path.parent)
        try:
            # mkstemp makes the file private (0600); give it the permissions any new file
            # of the user's gets, so a print room's other accounts can read what its umask
            # allows.
            os.fchmod(handle, 0o666 & ~_umask())
            stream = os.fdopen(handle, "wb")
        except BaseException:
            os.close(handle)
            raise
        with stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        if temporary is not None:
            _unlink_quietly(temporary)
        if isinstance(error, OSError):
            raise output_error(error, path, name=shown) from None
        raise


def _check_name_length(path: Path) -> None:
    """A name the folder cannot hold fails before anything is written (not after the
    whole file was written under its temporary name)."""
    try:
        limit = os.pathconf(path.parent, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        limit = _NAME_MAX
    if len(os.fsencode(path.name)) > limit:
        raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), str(path))


def _temporary_prefix(name: str) -> str:
    """`.NAME.`, shortened so the temporary's name (8 random characters and `.part`
    added) fits where the final name fits."""
    shortened = name.encode("utf-8", "surrogateescape")[:_NAME_MAX - 24]
    return "." + shortened.decode("utf-8", "ignore") + "."


def _unlink_quietly(path: str | Path) -> None:
    try:
        os.unlink(path)
    except OSError:       # already gone, or the folder lost its permissions meanwhile
        pass


def remove_file(path: str | Path, *, name: str | None = None) -> None:
    """Delete a file if it is there; an OS error (a folder at its name, a read-only disk)
    becomes an OutputError."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as error:
        if error.errno == errno.EPERM and Path(path).is_dir():   # macOS says EPERM here
            error = OSError(errno.EISDIR, "Is a directory")
        raise output_error(error, path, name=name) from None


def _umask() -> int:
    """The process's umask. Linux says it in /proc without changing it; elsewhere it is
    read by setting it and back (to the most private mask meanwhile, so a file another
    thread makes in between is, at worst, more private than asked)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _UMASK_LOCK:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask


_UMASK_LOCK = ForkSafeLock()


def folder_secret(path: str | Path, size: int = 32) -> bytes:
    """A random key kept in `path` (mode 0600), made the first time and read back on
    every later run. Created under a temporary name and linked into place, so a crash
    leaves either no key or a whole one; a damaged key (wrong length) is replaced, which
    only means that nothing an earlier run made is trusted."""
    path = Path(path)
    try:
        key = path.read_bytes()
        if len(key) == size:
            return key
    except FileNotFoundError:
        pass
    except OSError as error:
        raise output_error(error, path, verb="read") from None
    key = secrets.token_bytes(size)
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part",
                                             dir=path.parent)     # 0600: for us only
        with os.fdopen(handle, "wb") as stream:
            stream.write(key)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.link(temporary, path)            # never over a key another run just made
        except FileExistsError:
            existing = path.read_bytes()
            if len(existing) == size:
                return existing
            os.replace(temporary, path)         # the damaged key
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                raise
            os.replace(temporary, path)         # a file system without hard links
    except OSError as error:
        raise output_error(error, path) from None
    finally:
        if temporary is not None:
            _unlink_quietly(temporary)
    return key


# -- safe file names ---------------------------------------------------------------------

_WINDOWS_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))})
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
    """Raises OutputError when the manifest cannot be written (the earlier one stays)."""
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
        else:
            rows = list(csv.DictReader(io.StringIO(text)))
    except (ValueError, AttributeError, RecursionError, csv.Error):
        return []
    if not isinstance(rows, list):
        return []
    # Only entries of text values (a hand-edited or damaged file may hold anything).
    return [{str(k): v if isinstance(v, str) else "" if v is None else str(v)
             for k, v in row.items() if isinstance(v, (str, int, type(None)))}
            for row in rows if isinstance(row, dict)]
