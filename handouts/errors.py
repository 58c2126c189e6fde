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
            where = self.source + (f":{self.line}" if self.line is not None else "") + ": "
        field = f"{self.field}: " if self.field else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{field}{self.message}{hint}"


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


#: A value typed in the wrong place is quoted back only when it looks like a code.
MAX_SHOWN = 24
_CODE_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "0123456789 ._:/+-")


def shown(value: str) -> str:
    """A user's value quoted for an error message when it looks like a code (a date, a
    choice, a tag), else described: a patient's name typed in a date or language column
    must not come back in an error, a log or a manifest.

    >>> shown("2026-13-01"), shown("maybe"), shown("3 weeks"), shown("es-MX")
    ("'2026-13-01'", "'maybe'", "'3 weeks'", "'es-MX'")
    >>> shown("maria lopez"), shown("李小龙"), shown("Ana Pérez")
    ('the value (11 characters, not shown)', 'the value (3 characters, not shown)', 'the value (9 characters, not shown)')
    """
    looks_like_code = len(value) <= MAX_SHOWN and set(value) <= _CODE_CHARACTERS and (
        any(c.isdigit() for c in value)                  # a date, a time, 3w, MRN 12
        or re.fullmatch(r"[a-z][a-z-]*", value)           # a choice: maybe, not-given
        or re.fullmatch(r"[a-z]{2,3}(?:[-_][A-Za-z]{2,8})+", value))   # a tag: es-MX
    if looks_like_code:
        return repr(value)
    return f"the value ({len(value)} characters, not shown)"

