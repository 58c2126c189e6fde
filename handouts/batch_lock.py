"""Batch stage, the out-dir lock: one batch at a time writes into an out-dir.

Two batches into the same folder would overwrite each other's manifest and print file
and each trust the other's half-made rows. So a batch takes an exclusive `flock` on
`<out-dir>/.handouts.lock` before it writes anything, and a second one refuses, naming
the process that holds it and when it started (the lock file's text).

The kernel releases a flock when its holder dies, however it dies, so a lock file left
by a killed run never blocks the next one: only a live holder does. The file itself is
left in place; removing it would let a third process lock a new file of the same name
while a second still holds the old one.
"""
from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

from .errors import OutputError
from .output import output_error

try:
    import fcntl
except ImportError:          # Windows: no flock; batches there are not locked
    fcntl = None

LOCK_FILE = ".handouts.lock"
_HOLDER = re.compile(r"process \d+, started [0-9: +-]+")


class OutDirLock:
    """`with OutDirLock(out_dir):` holds the out-dir for this process (and the workers it
    forks, which inherit the lock); raises OutputError if another batch holds it."""

    def __init__(self, out_dir: str | Path):
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / LOCK_FILE
        self.handle: int | None = None

    def acquire(self) -> "OutDirLock":
        if fcntl is None:
            return self
        try:
            handle = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as error:
            raise output_error(error, self.path) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle)
            os.close(handle)
            raise OutputError(f"another batch is writing to this folder ({holder})",
                              source=str(self.out_dir),
                              hint="wait until it has finished, or give another --out-dir"
                              ) from None
        except OSError as error:       # a file system without locks: refuse, fail closed
            os.close(handle)
            raise output_error(error, self.path, verb="locked") from None
        try:
            started = datetime.now().astimezone().isoformat(sep=" ", timespec="seconds")
            text = f"process {os.getpid()}, started {started}\n".encode()
            os.ftruncate(handle, 0)
            os.pwrite(handle, text, 0)
        except OSError as error:
            os.close(handle)
            raise output_error(error, self.path) from None
        self.handle = handle
        return self

    def release(self) -> None:
        if self.handle is not None:
            os.close(self.handle)       # closing releases the flock (when no worker has it)
            self.handle = None

    def __enter__(self) -> "OutDirLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _holder(handle: int) -> str:
    """What the holder wrote: `process 1234, started 2026-11-20 10:31:02+01:00`."""
    try:
        text = os.pread(handle, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    # Only our own line is shown: the file is in a folder others may write to.
    if _HOLDER.fullmatch(text):
        return text
    return "a process that has only just started it"


__all__ = ["LOCK_FILE", "OutDirLock"]
