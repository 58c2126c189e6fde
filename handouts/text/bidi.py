"""Bidirectional text: embedding levels (UAX #9, by python-bidi) and visual order (L2).

`levels` gives one embedding level per character of a paragraph, with the paragraph's
base direction from the locale. Ranges given as isolates are wrapped for the algorithm
in LRI ... PDI (phone numbers: always left to right) or FSI ... PDI (formatted dates and
times: the direction of their first strong letter), so they never take their neighbours
along, and the marks are removed again from the result.
"""
from __future__ import annotations

import re
import unicodedata

from bidi import get_display

LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"

# Characters that can make a paragraph bidirectional: strong right-to-left letters (Hebrew,
# Arabic and the other RTL blocks), Arabic numbers and the explicit RTL controls.
_RTL_CHARS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\u200f\u202b\u202e\u2067"
                        "\U00010800-\U00010fff\U0001e800-\U0001efff]")
_LEVEL = re.compile(r"Level\(\s*(\d+)")


def has_rtl(text: str) -> bool:
    return _RTL_CHARS.search(text) is not None


def first_strong(text: str) -> str:
    """'L' or 'R' for the first strong character (rules P2/P3), '' if there is none."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "L"
        if kind in ("R", "AL"):
            return "R"
    return ""


def levels(text: str, rtl: bool, isolates: tuple[tuple[int, int, str], ...] = ()) -> list[int]:
    """Resolved embedding level of every character (even: left to right)."""
    base = 1 if rtl else 0
    if not rtl and not has_rtl(text):
        return [0] * len(text)
    marked, keep = _with_isolates(text, isolates)
    per_char = uax9_levels(marked, rtl)
    out = [per_char[i] for i in keep]
    # L1: trailing white space of the paragraph takes the paragraph level.
    end = len(text)
    while end and text[end - 1] in " \t":
        end -= 1
        out[end] = base
    return out


def uax9_levels(text: str, rtl: bool) -> list[int]:
    """python-bidi's resolved level of every character (read from its debug output, the
    only place it gives them; tests/text/test_bidi_conformance.py holds it to Unicode's
    BidiCharacterTest, so a change of that output fails a test, not a page)."""
    marked = text
    debug = get_display(marked, base_dir="R" if rtl else "L", debug=True)
    at = debug.index("\n    levels: [")
    per_byte = [int(v) for v in _LEVEL.findall(debug, at, debug.index("\n    ],", at))]
    encoded = marked.encode("utf-8")
    starts = [i for i, b in enumerate(encoded) if b & 0xC0 != 0x80]
    if len(per_byte) != len(encoded) or len(starts) != len(marked):
        raise RuntimeError("python-bidi returned levels that do not match the text")
    return [per_byte[i] for i in starts]


def _with_isolates(text: str, isolates) -> tuple[str, list[int]]:
    """The text with its opener (LRI or FSI) and PDI around each (start, end, opener)
    range, and where each original character went."""
    if not isolates:
        return text, list(range(len(text)))
    parts, keep, last, shift = [], [], 0, 0
    for start, end, opener in sorted(isolates):
        parts.append(text[last:start])
        keep.extend(range(last + shift, start + shift))
        parts.append(opener)
        shift += 1
        parts.append(text[start:end])
        keep.extend(range(start + shift, end + shift))
        parts.append(PDI)
        shift += 1
        last = end
    parts.append(text[last:])
    keep.extend(range(last + shift, len(text) + shift))
    return "".join(parts), keep


def visual_order(item_levels: list[int]) -> list[int]:
    """Rule L2: indices of items (runs of one level, in logical order) in visual order,
    left to right."""
    order = list(range(len(item_levels)))
    if not item_levels:
        return order
    highest = max(item_levels)
    lowest_odd = min((lv for lv in item_levels if lv % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        i, n = 0, len(order)
        while i < n:
            if item_levels[order[i]] >= level:
                j = i
                while j < n and item_levels[order[j]] >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return order
