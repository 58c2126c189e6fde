"""Input checks shared by every stage that takes text from outside: which characters may
reach a page at all.

A patient's name, a clinician's note or a clinic's address is printed as given, so a
character that is invisible, reorders the text around it (a bidi override), or means
nothing (a private-use or unassigned code point, a lone surrogate left by bytes that
were not UTF-8) is refused where it enters, naming the field and the code point, never
quoting the text around it.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Bidi embeddings, overrides and isolates: they can make text read in another order
#: than it was typed (a dose, a date). Marks (LRM, RLM, ALM) are allowed: they only nudge.
BIDI_CONTROLS = frozenset(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
#: White space that a field may hold and that is folded to one space.
FOLDED_SPACE = frozenset("\t\n\r")
_ASCII_REFUSED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class BadCharacter:
    """A character refused in a field: where (1-based), which, and why."""
    position: int
    character: str
    reason: str

    @property
    def code_point(self) -> str:
        return f"U+{ord(self.character):04X}"

    def describe(self) -> str:
        """'U+202E RIGHT-TO-LEFT OVERRIDE (a bidi control) at character 5'; no text
        around it, so a message built from it never quotes a patient's value."""
        try:
            name = " " + unicodedata.name(self.character)
        except ValueError:
            name = ""
        return f"{self.code_point}{name} ({self.reason}) at character {self.position}"


def reason_refused(character: str) -> str | None:
    r"""Why a character may not be printed, or None when it may.

    >>> reason_refused("a"), reason_refused(chr(0x202E)), reason_refused(chr(0xFEFF))
    (None, 'a bidi control', 'a byte order mark')
    >>> reason_refused("\ue000"), reason_refused(chr(0xD800)), reason_refused("\x07")
    ('a private-use character', 'a lone surrogate, left by input that was not UTF-8', 'a control character')
    """
    if character in FOLDED_SPACE:
        return None
    if character in BIDI_CONTROLS:
        return "a bidi control"
    if character == "\ufeff":
        return "a byte order mark"
    if "\U000e0000" <= character <= "\U000e007f":
        return "an invisible tag character"
    code = ord(character)
    if 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE:
        return "a noncharacter"
    category = unicodedata.category(character)
    if category == "Cc":
        return "a control character"
    if category == "Cs":
        return "a lone surrogate, left by input that was not UTF-8"
    if category == "Co":
        return "a private-use character"
    if category == "Cn":
        return "an unassigned code point"
    return None


def first_refused(text: str) -> BadCharacter | None:
    r"""The first character of `text` that may not be printed, or None.

    >>> first_refused("Ana\u202eP").describe()
    'U+202E RIGHT-TO-LEFT OVERRIDE (a bidi control) at character 4'
    >>> first_refused("María José, 李小龙, محمد") is None
    True
    """
    if text.isascii() and not _ASCII_REFUSED.search(text):
        return None                 # nearly every value: one scan instead of one call a letter
    for position, character in enumerate(text, start=1):
        reason = reason_refused(character)
        if reason is not None:
            return BadCharacter(position, character, reason)
    return None
