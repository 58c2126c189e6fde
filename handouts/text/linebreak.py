"""Break: where a line may end (ICU, through icu4py) and which breaks fill each line.

ICU's line breaker implements UAX #14 with CLDR tailorings: dictionary word breaks for
Thai, Lao, Khmer and Burmese, and the CJK rules that keep "。", "、", closing brackets and
small kana off the start of a line. Lines are filled greedily, measured with the shaped
advances; a word wider than the line is broken between clusters, except a phone number.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from icu4py.breakers import LineBreaker

from .fonts import writing_system


def icu_locale(locale: str) -> str:
    """Our locale id (zh_Hans, pt_BR) as an ICU locale id (zh_Hans, pt_BR)."""
    return locale.replace("-", "_")


def opportunities(text: str, locale: str) -> list[int]:
    """Positions (0 < p < len) where a line may start, in ascending order.

    Korean is broken at spaces only (CSS word-break: keep-all), as Korean readers expect
    of running text; ICU would break between any two Hangul syllables and its keep-all
    option is not available through icu4py."""
    if not text:
        return []
    out, at = [], 0
    for segment in LineBreaker(text, icu_locale(locale)):
        at += len(segment)
        out.append(at)
    if out and out[-1] == len(text):
        out.pop()
    if writing_system(locale) == "Kore":
        out = [p for p in out if text[p - 1].isspace() or not (
            _word_char(text[p - 1]) or _word_char(text[p]))]
    return out


def _word_char(char: str) -> bool:
    return char.isalnum() or char in "([{（「『"


def fill(prefix: list[float], text: str, breaks: list[int], clusters: list[int],
         width: float, start: int = 0) -> list[tuple[int, int]]:
    """Greedy line filling.

    prefix[i] is the advance of text[:i]; breaks are the allowed line starts; clusters are
    the positions a word may be cut at when it is wider than the line. Returns (start,
    end) per line, end excluding the spaces the line ends with."""
    n = len(text)
    lines: list[tuple[int, int]] = []
    stops = breaks + [n]
    while start < n:
        # The last stop whose line (without its trailing spaces) still fits.
        limit = prefix[start] + width + 1e-6
        k = bisect_right(stops, start)
        best = -1
        while k < len(stops):
            stop = stops[k]
            end = _trim(text, start, stop)
            if prefix[end] > limit:
                break
            best = stop
            k += 1
        if best < 0:
            stop = stops[bisect_right(stops, start)]
            best = _cut(prefix, clusters, start, stop, limit)
        end = _trim(text, start, best)
        lines.append((start, end))
        start = best
    return lines


def _trim(text: str, start: int, stop: int) -> int:
    end = stop
    while end > start and text[end - 1] in " \t\u3000":
        end -= 1
    return end


def _cut(prefix: list[float], clusters: list[int], start: int, stop: int,
         limit: float) -> int:
    """Where to cut a word wider than the line: after the last cluster that fits, and
    after the first one if none does; `stop` if the word may not be cut at all."""
    candidates = clusters[bisect_right(clusters, start):bisect_left(clusters, stop)]
    if not candidates:
        return stop
    best = candidates[0]
    for position in candidates[1:]:
        if prefix[position] > limit:
            break
        best = position
    return best
