"""Errors: every failure a user can fix names where it happened, what is wrong and the fix.

A `HandoutError` renders as one line, e.g.::

    patients.csv:14: discharge_date: '31/02/2026' is not a date (use YYYY-MM-DD)

The message never contains patient data unless the caller put the user's own
input there on purpose (a bad date they typed, never a name).
"""
from __future__ import annotations

import re


class HandoutError(Exception):
    """A problem with the user's input, with its location and a hint on how to fix it."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None,
                 field: str | None = None, hint: str | None = None):
        self.message = message
        self.source = source
        self.line = line
        self.field = field
        self.hint = hint
        super().__init__(str(self))

    def located(self, source: str | None = None, line: int | None = None) -> "HandoutError":
        """The same error, placed in a file and line (a CSV row, a catalog line)."""
        return type(self)(self.message, source=source or self.source,
                          line=line if line is not None else self.line,
                          field=self.field, hint=self.hint)

    def __str__(self) -> str:
        where = ""
        if self.source:
            where = _one_line(self.source) + (f":{self.line}" if self.line is not None
                                              else "") + ": "
        field = f"{_one_line(self.field)}: " if self.field else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{field}{self.message}{hint}"


def _one_line(text: str) -> str:
    """A file or key name as typed, quoted when it holds a line break or other control
    character, so an error stays one line."""
    return text if text.isprintable() else repr(text)


class InputError(HandoutError):
    """A patient or visit value that is missing, malformed or out of range."""


class BrandError(HandoutError):
    """A brand file, or the logo it names, that cannot be used."""


class LocaleError(HandoutError):
    """A language that is not shipped, or whose catalog is incomplete or broken."""


class TemplateError(HandoutError):
    """A handout template or its data that cannot be rendered."""


class MissingGlyphError(HandoutError):
    """A character that no font in the fallback chain covers."""


class OutputError(HandoutError):
    """A file or folder that cannot be written (permissions, a full or read-only disk, a
    folder or a file in the way); the message names the path and the fix."""


#: The shapes of the values an error may quote back: what the field expects, typed wrong
#: (a date with slashes, "3 weeks", a tag). Anything else may be a patient's name or note
#: typed in the wrong column, and is "the value". Choices (avoid, given, a4) never match.
DATE_SHAPE = r"[0-9][0-9/.\-]{0,15}"
WAIT_SHAPE = r"[0-9]{1,3} ?[a-z]{0,6}|" + DATE_SHAPE
FOLLOW_UP_SHAPE = r"[0-9][0-9/.\-: T]{0,20}"
LANGUAGE_SHAPE = r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,3}"
NO_SHAPE = r"(?!)"


def shown(value: str, shape: str) -> str:
    """A user's value quoted for an error message when it has the shape its field
    expects, else "the value": a patient's name typed in a date or language column must
    not come back in an error, a log or a manifest.

    >>> shown("2026-13-01", DATE_SHAPE), shown("3 weeks", WAIT_SHAPE), shown("xx", LANGUAGE_SHAPE)
    ("'2026-13-01'", "'3 weeks'", "'xx'")
    >>> shown("maria", LANGUAGE_SHAPE), shown("Room 12 Ana", DATE_SHAPE), shown("maybe", NO_SHAPE)
    ('the value', 'the value', 'the value')
    """
    return repr(value) if re.fullmatch(shape, value) else "the value"
