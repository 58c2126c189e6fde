"""Formatting stage: every value a patient reads that is not prose (dates, times, opening
hours, numbers, temperatures, lists of language names), in CLDR's words through Babel.

The formatting locale is the patient's language in the clinic's country (`for_clinic`):
a British clinic's English handout gets en_GB dates and a 24-hour clock, a US clinic's
Spanish one es_US. The catalog is still chosen by language alone.

Where CLDR has no data for a shipped language (Haitian Creole has no month or day names),
the locale folder ships the missing names in `cldr-supplement.toml`, with their sources;
they are used for that language only, never another language's names in their place.
`_Supplemented` is the one place that reaches into Babel's locale data to add them.
"""
from __future__ import annotations

import copy
import hashlib
import re
import tomllib
from datetime import date, datetime, time
from pathlib import Path

from babel import Locale, localedata
from babel.dates import (format_date, format_interval, format_time, get_day_names,
                         parse_pattern)
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.units import format_unit
from markupsafe import Markup

from .errors import LocaleError
from . import resources

SUPPLEMENT = "cldr-supplement.toml"

#: Where the clinic's country measures body temperature in Fahrenheit first (CLDR's
#: unit preferences for temperature, which Babel does not expose).
FAHRENHEIT_FIRST = frozenset({"US", "PR", "LR", "BZ", "BS", "KY", "PW", "FM", "MH"})

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_QUOTED = re.compile(r"'[^']*'")


def for_clinic(locale_id: str, country: str, locales_dir: Path | None = None, *,
               formats_as: str = "") -> Locale:
    """The Babel locale for a catalog's language in the clinic's country: the regional
    locale where CLDR has one in the same script, else the catalog's own. `locale_id` is
    the catalog's folder (where a supplement would be); `formats_as` the Babel locale
    of a catalog whose folder name is not one (the pseudo-locales). The supplement is
    read at each call: the Library keeps what this makes by the supplement's content.

    >>> [str(for_clinic(l, c)) for l, c in (("en", "GB"), ("pt_BR", "PT"), ("zh_Hans", "TW"))]
    ['en_GB', 'pt_PT', 'zh_Hans']
    """
    locales_dir = locales_dir or resources.LOCALES_DIR
    own = Locale.parse(formats_as or locale_id)
    chosen = own
    if country:
        for tag in (f"{own.language}_{own.script}_{country}" if own.script else "",
                    f"{own.language}_{country}"):
            if tag and localedata.exists(tag):
                regional = Locale.parse(tag)
                if _script(regional) == _script(own):
                    chosen = regional
                    break
    supplement = supplement_path(locale_id, locales_dir)
    try:
        content = supplement.read_bytes()
    except FileNotFoundError:
        return chosen
    return _Supplemented(chosen, _read_supplement(supplement, locales_dir, content),
                         f"{supplement}@{hashlib.sha256(content).hexdigest()}")


def supplement_path(locale_id: str, locales_dir: Path) -> Path:
    return locales_dir / locale_id / SUPPLEMENT


def _script(locale: Locale) -> str:
    likely = Locale.parse(str(locale), resolve_likely_subtags=True)
    return locale.script or likely.script or ""


# -- values -----------------------------------------------------------------------------

def long_date(value: date, locale: Locale, *, weekday: bool = True) -> str:
    """A date as patients read it; with the weekday for days they must act on.

    >>> long_date(date(2026, 12, 4), Locale.parse("en_GB"))
    'Friday, 4 December 2026'
    """
    return format_date(value, "full" if weekday else "long", locale=locale)


def short_date(value: date, locale: Locale) -> str:
    """A date in the locale's short form, for the footer.

    >>> short_date(date(2026, 11, 20), Locale.parse("en_GB"))
    '20/11/2026'
    """
    return format_date(value, "short", locale=locale)


def short_time(value: datetime | time, locale: Locale) -> str:
    """A time on the locale's own clock.

    >>> short_time(time(14, 30), Locale.parse("en")), short_time(time(14, 30), Locale.parse("ru"))
    ('2:30\u202fPM', '14:30')
    """
    return format_time(value if isinstance(value, time) else value.time(), "short",
                       locale=locale)


def hour_cycle(locale: Locale) -> str:
    """'H' (0-23) or 'h' (1-12): the hour symbol of the locale's own short time pattern,
    which CLDR derives from the region's preferred hour cycle.

    >>> hour_cycle(Locale.parse("en")), hour_cycle(Locale.parse("en_GB"))
    ('h', 'H')
    """
    pattern = _QUOTED.sub("", locale.time_formats["short"].pattern)
    return "H" if ("H" in pattern or "k" in pattern) else "h"


def time_range(start: time, end: time, locale: Locale) -> str:
    """Two times as one range, with the locale's interval pattern and clock.

    >>> time_range(time(9), time(17), Locale.parse("ru"))
    '09:00—17:00'
    """
    return format_interval(start, end, hour_cycle(locale) + "m", locale=locale)


def opening_hours(hours: str, locale: Locale) -> str:
    """Opening hours from data ('mon-fri 09:00-17:00'): CLDR's abbreviated day names,
    joined by its interval pattern, then the time range, joined to the days as CLDR
    joins a date and a time.

    >>> opening_hours("mon-fri 09:00-17:00", Locale.parse("en_GB"))
    'Mon\u2009–\u2009Fri, 09:00–17:00'
    """
    days, times, glue = opening_hours_parts(hours, locale)
    return glue.replace("{1}", days).replace("{0}", times)


def opening_hours_parts(hours: str, locale: Locale) -> tuple[str, str, str]:
    """(days, times, pattern joining them: {1} the days, {0} the times)."""
    days, _, times = hours.partition(" ")
    first, _, last = days.partition("-")
    names = get_day_names("abbreviated", locale=locale)
    day_text = names[_DAYS.index(first)]
    if last:   # CLDR's intervalFormatFallback: every locale has one (root's included)
        day_text = locale.interval_formats[None].replace("{0}", day_text).replace(
            "{1}", names[_DAYS.index(last)])
    start, _, end = times.partition("-")
    time_text = time_range(datetime.strptime(start, "%H:%M").time(),
                           datetime.strptime(end, "%H:%M").time(), locale)
    return day_text, time_text, locale.datetime_formats["short"]


def number(value: int | float, locale: Locale) -> str:
    """A number as Babel writes it for the locale.

    >>> number(2, Locale.parse("fa")), number(1234, Locale.parse("fr"))
    ('2', '1\u202f234')
    """
    return format_decimal(value, locale=locale)


def fever_threshold(locale: Locale, country: str) -> tuple[str, str]:
    """The fever threshold in the unit the clinic's country uses first, then the other.

    >>> fever_threshold(Locale.parse("en"), "US")
    ('100.4°F', '38°C')
    """
    celsius = format_unit(38, "temperature-celsius", length="short", locale=locale)
    fahrenheit = format_unit(format_decimal(100.4, locale=locale), "temperature-fahrenheit",
                             length="short", locale=locale)
    return (fahrenheit, celsius) if country in FAHRENHEIT_FIRST else (celsius, fahrenheit)


def language_list(codes: tuple[str, ...] | list[str], locale: Locale) -> str:
    """Language names in the locale's language, as CLDR lists them ('A, B and C').
    A code without a name in CLDR (or the supplement) is an error, never the bare code.

    >>> language_list(["en", "fr"], Locale.parse("es"))
    'inglés y francés'
    """
    names = []
    for code in codes:
        name = _language_name(code, locale)
        if not name:
            raise LocaleError(f"has no name for the language {code!r} in {locale}",
                              field="languages",
                              hint=f"add {code} = \"...\" under [languages] in "
                                   f"locales/<language>/{SUPPLEMENT}, with its source")
        names.append(name)
    return format_list(names, style="standard", locale=locale)


def _language_name(code: str, locale: Locale) -> str:
    """CLDR's name for a language code: its own entry (zh_Hant: "Traditional Chinese"),
    else the language with its script and region as Babel writes them, or "" when any
    part has no name in the locale."""
    whole = locale.languages.get(code)
    if whole:
        return whole
    parsed = Locale.parse(code)
    if (parsed.script and not locale.scripts.get(parsed.script)) or \
            (parsed.territory and not locale.territories.get(parsed.territory)):
        return ""
    return parsed.get_display_name(locale) if locale.languages.get(parsed.language) else ""


def source_list(sources: tuple[str, ...], locale: Locale) -> str:
    """The handout's sources (English short forms) joined as the locale joins a list.

    >>> source_list(("NICHD 2017", "ACOG 2020"), Locale.parse("ja"))
    'NICHD 2017、ACOG 2020'
    """
    return format_list(list(sources), style="standard", locale=locale)


# -- names CLDR lacks -------------------------------------------------------------------

class _Supplemented(Locale):
    """A Babel locale with the names of a supplement file filled in where its CLDR data
    has none. Babel formats from `Locale._data`; this adapter gives it the merged data."""

    def __init__(self, base: Locale, additions: dict, source: Path):
        super().__init__(base.language, base.territory, base.script, base.variant)
        data = copy.deepcopy(dict(localedata.load(str(base))))
        for key, value in additions.items():
            _merge(data, key, value)
        self._merged = localedata.LocaleDataDict(data)
        self._source = str(source)

    @property
    def _data(self):
        return self._merged

    # Never equal to the plain locale: a cache keyed on the locale must not serve the
    # names CLDR lacks in place of the supplement's.
    def __eq__(self, other):
        return isinstance(other, _Supplemented) and str(self) == str(other) and \
            self._source == other._source

    def __hash__(self):
        return hash((str(self), self._source))


def _merge(data: dict, key, value) -> None:
    if isinstance(value, dict) and isinstance(data.get(key), dict):
        for inner_key, inner in value.items():
            _merge(data[key], inner_key, inner)
    else:
        data[key] = value


def _read_supplement(path: Path, locales_dir: Path, content: bytes) -> dict:
    """A supplement file as Babel's data shapes: months 1-12, days 0 (Monday)-6,
    date patterns parsed."""
    where = resources.relative(path, locales_dir.parent)
    try:
        raw = tomllib.loads(content.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LocaleError(f"cannot be read: {exc}", source=where,
                          hint="fix the file; it must be UTF-8 TOML") from None
    known = {"months", "days", "date_formats", "list_patterns", "languages"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise LocaleError(f"unknown table {unknown[0]!r}", source=where, field=unknown[0],
                          hint="the tables are: " + ", ".join(sorted(known)))
    data: dict = {}
    for table, count, first in (("months", 12, 1), ("days", 7, 0)):
        for width, names in raw.get(table, {}).items():
            if not isinstance(names, list) or len(names) != count:
                raise LocaleError(f"needs {count} names", source=where,
                                  field=f"{table}.{width}",
                                  hint=f"list the {count} {table} in order"
                                       + (", Monday first" if table == "days" else ""))
            data.setdefault(table, {}).setdefault("format", {})[width] = {
                first + i: name for i, name in enumerate(names)}
    if "date_formats" in raw:
        data["date_formats"] = {k: parse_pattern(v) for k, v in raw["date_formats"].items()}
    for table in ("list_patterns", "languages"):
        if table in raw:
            data[table] = raw[table]
    return data


def isolated(value: str) -> Markup:
    """A formatted value as a bidi isolate (<bdi>), so it reads in order inside
    right-to-left text and never takes its neighbours along: markup the template passes
    through as is (the value is escaped)."""
    return Markup("<bdi>%s</bdi>") % value


__all__ = ["isolated", "for_clinic", "long_date", "short_date", "short_time", "hour_cycle",
           "time_range", "opening_hours", "opening_hours_parts", "number", "fever_threshold", "language_list", "source_list"]
