"""Locale stage, the numbers rule of `locales check`: a translation writes the numbers of
the English, compared by value (2 -> 12 and 2 -> 2.5 fail, as do an added or a dropped
number), in Latin digits unless the locale's settings.toml declares native ones.
"""
from __future__ import annotations

import unicodedata
from collections import Counter

from .catalog_rules import NUMBER, PLACEHOLDER, TAG, LocaleSettings, _unescaped


def _digit_value(token: str, settings: LocaleSettings) -> str | None:
    """The number a token writes, as Latin digits; None for native digits the locale has
    not declared."""
    digits = []
    for char in token:
        if char in ".,":
            digits.append(".")
        elif "0" <= char <= "9":
            digits.append(char)
        elif settings.digits == "native":
            digits.append(str(unicodedata.decimal(char)))
        else:
            return None
    return "".join(digits)


def _number_tokens(text: str, settings: LocaleSettings) -> tuple[Counter, list[str]]:
    text = TAG.sub(" ", PLACEHOLDER.sub(" ", _unescaped(text)))
    values, undeclared = Counter(), []
    # Fractions, superscripts, circled and Roman numbers write a number the comparison
    # cannot read by value: refused unless the English has the same character.
    values.update(c for c in text if unicodedata.category(c) in ("No", "Nl"))
    for token in NUMBER.findall(text):
        value = _digit_value(token, settings)
        if value is None:
            undeclared.append(token)
        else:
            values[value] += 1
    return values, undeclared


def numbers(source: str, target: str, settings: LocaleSettings) -> list[tuple[str, str]]:
    """Numbers compared as whole tokens by value: 2 -> 12, 2 -> 2.5, an added or a dropped
    number all fail (a substring test would pass the first two)."""
    wanted, _ = _number_tokens(source, settings)
    given, undeclared = _number_tokens(target, settings)
    if undeclared:
        return [("numbers", f"{undeclared[0]!r} is written in native digits, which this "
                            "locale has not declared (write Latin digits, or set digits = "
                            "\"native\" in the locale's settings.toml)")]
    keep = ", ".join(sorted(wanted.elements(), key=_numeric)) or "no numbers"
    other = [c for c in (given - wanted) if not "0" <= c[0] <= "9"]
    if other:
        return [("numbers", f"{other[0]!r} ({unicodedata.name(other[0], 'a number sign')}) "
                            f"writes a number the check cannot compare (write it in digits; "
                            f"keep {keep})")]
    problems = [("numbers", f"{value!r} is not in the English (keep {keep})")
                for value in sorted((given - wanted).elements(), key=_numeric)]
    problems += [("numbers", f"{value!r} of the English is missing (keep {keep})")
                 for value in sorted((wanted - given).elements(), key=_numeric)]
    return problems


def _numeric(value: str) -> tuple:
    if not "0" <= value[0] <= "9":
        return (float(unicodedata.numeric(value, 0)),)
    return tuple(int(part) for part in value.split("."))


__all__ = ["numbers"]
