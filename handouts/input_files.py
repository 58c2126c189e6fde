"""Edge module: a user's input file (brand, logo, patient list, settings) read as bytes.

Only regular files, and at most a bound: a path that names a device, a pipe or a folder
(`--brand /dev/zero`), or a file far larger than such a file can be, is refused before
it is read, rather than read until memory runs out.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path


class UnusableFile(Exception):
    """Why the file cannot be read, and the fix, for the caller's own error class."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


def read_bounded(path: Path, limit: int) -> bytes:
    """The file's bytes; UnusableFile when it is not a regular file of at most `limit`
    bytes. FileNotFoundError and other OSErrors are left to the caller, which names
    the file."""
    try:
        handle = open(path, "rb")
    except IsADirectoryError:
        raise UnusableFile("is a folder, not a file", "give the path of the file") from None
    with handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UnusableFile("is not a regular file", "give the path of the file itself")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UnusableFile(f"is larger than {_size(limit)}", "check that the path names "
                                                             "the right file")
    return data


def _size(count: int) -> str:
    return f"{count / 1_000_000:g} MB" if count >= 1_000_000 else f"{count:,} bytes"
