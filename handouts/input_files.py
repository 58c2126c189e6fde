"""Edge module: a user's input file (brand, logo, patient list, settings) read as bytes,
and where in a TOML file a problem lies.

Only regular files, and at most a bound: a path that names a device, a pipe or a folder
(`--brand /dev/zero`), or a file far larger than such a file can be, is refused before
it is read, rather than read until memory runs out.
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path


class UnusableFile(Exception):
    """Why the file cannot be read, and the fix, for the caller's own error class."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


def read_toml(path: Path, where: str, limit: int, error) -> tuple[str, dict]:
    """A project TOML file's text and data; any problem but a missing file is `error`
    (an error class of handouts.errors) naming `where`. FileNotFoundError is left to the
    caller, which knows what the file is for."""
    import tomllib
    try:
        text = read_bounded(path, limit).decode("utf-8")
        return text, tomllib.loads(text)
    except UnusableFile as exc:
        raise error(exc.message, source=where, hint=exc.hint) from None
    except UnicodeDecodeError:
        raise error("is not UTF-8 text", source=where, hint="save the file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"is not valid TOML: {exc}", source=where, line=toml_error_line(exc),
                    hint="see https://toml.io for the syntax") from None
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise error(f"cannot be read: {exc.strerror or exc}", source=where,
                    hint="make it a readable file") from None


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


def toml_error_line(error: Exception) -> int | None:
    """The line a tomllib syntax error names ("... (at line 3, column 9)"), if any."""
    found = re.search(r"at line (\d+)", str(error))
    return int(found.group(1)) if found else None


# tomllib reports no positions, so the line of a field is found again in the raw text:
# the header of its table (the n-th for [[support_lines]]), then `key =` below it. It
# covers files written like the example; anything else (dotted keys, inline tables)
# gives no line, never a wrong one.

_HEADER = re.compile(r"\s*(\[\[?)\s*([A-Za-z0-9_\-.\"' ]+?)\s*(\]\]?)\s*(#.*)?")
_FIELD = re.compile(r"([A-Za-z0-9_\-]+)(?:\[(\d+)\])?")


def key_line(source_text: str, field: str | None) -> int | None:
    """The 1-based line of `field` ("clinic.phone", "support_lines[2].hours", "colour").

    >>> key_line('[clinic]\\nname = "A"\\n[[x]]\\n[[x]]\\nname = 1\\n', "x[2].name")
    5
    >>> key_line('[clinic]\\nname = "A"\\n', "clinic.phone") is None
    True
    """
    if not field:
        return None
    segments = [_FIELD.fullmatch(part) for part in field.split(".")]
    if not all(segments):
        return None
    table, index = segments[0].group(1), int(segments[0].group(2) or 1)
    key = segments[1].group(1) if len(segments) > 1 else None
    section, seen, in_string = None, {}, False
    for number, line in enumerate(source_text.splitlines(), start=1):
        quotes = line.count('"""') + line.count("'''")
        if in_string:
            in_string = quotes % 2 == 0
            continue
        header = _HEADER.fullmatch(line)
        if header and len(header.group(1)) == len(header.group(3)):
            name = header.group(2).replace('"', "").replace("'", "").replace(" ", "")
            seen[name] = seen.get(name, 0) + 1
            section = (name, seen[name])
            if key is None and section == (table, index):
                return number
            continue
        if quotes % 2 == 1:
            in_string = True
        target = (table, index) if key is not None else None
        wanted = key if key is not None else table
        if section == target and re.match(
                rf"\s*(?:{re.escape(wanted)}|\"{re.escape(wanted)}\"|'{re.escape(wanted)}')"
                r"\s*=", line):
            return number
    return None
