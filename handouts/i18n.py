"""Locale stage: negotiate a requested language to a shipped catalog, load that catalog
(compiled in memory, so a fresh checkout needs no build step), report its review status,
and format dates, times and units with Babel and an explicit locale.

No process locale and no global state: every function takes the locale it works for.
"""
from __future__ import annotations

import gettext
import io
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.units import format_unit
from babel.numbers import format_decimal

from .errors import LocaleError
from .resources import LOCALES_DIR

SOURCE_LOCALE = "en"


@dataclass(frozen=True)
class ReviewStatus:
    """Whether a qualified medical translator has reviewed a catalog, who and when."""
    reviewed: bool
    reviewer: str = ""
    date: str = ""


@dataclass(frozen=True)
class LocaleBundle:
    """A loaded language: its Babel locale (for formatting), translations, review status,
    text direction and its name in its own language."""
    id: str
    locale: Locale
    translations: gettext.NullTranslations
    review: ReviewStatus
    direction: str = "ltr"
    native_name: str = ""

    @property
    def bcp47(self) -> str:
        """The tag for PDF /Lang, e.g. es, pt-BR, zh-Hans."""
        return self.id.replace("_", "-")


@dataclass(frozen=True)
class PseudoLocale:
    """A test language made from the English source: every English string that escapes
    translation shows as plain ASCII, and the longer text shows where layout breaks."""
    formats_as: str         # the Babel locale used for dates and numbers
    direction: str
    rewrite: str            # translate-toolkit podebug rewrite style
    name: str


PSEUDO_LOCALES = {
    "en_XA": PseudoLocale("en", "ltr", "unicode", "Pseudo-accented (en-XA)"),
    "ar_XB": PseudoLocale("en", "rtl", "unicode", "Pseudo-RTL (ar-XB)"),
}


# CLDR has no month or day names for these languages (Babel prints "2026 M12 4, Fri");
# dates, times and language names are written with the closest locale that has them.
FORMATS_FROM = {"ht": "fr_HT"}


def _own_name(locale: Locale) -> str:
    name = locale.get_display_name(locale) or str(locale)
    return name[:1].upper() + name[1:]


def shipped_locales(locales_dir: Path = LOCALES_DIR) -> tuple[str, ...]:
    """The source language plus every locale folder with a catalog, sorted."""
    found = {p.parent.parent.name for p in locales_dir.glob("*/LC_MESSAGES/messages.po")}
    return tuple(sorted(found | {SOURCE_LOCALE}))


def _maximize(tag: str) -> tuple[str, str, str]:
    """(language, script, territory) with CLDR likely subtags filled in."""
    try:
        parsed = Locale.parse(tag.replace("-", "_"))
    except UnknownLocaleError:
        return tag.split("-")[0].split("_")[0].lower(), "", ""
    except (ValueError, TypeError):
        raise ValueError(tag) from None
    likely = get_global("likely_subtags")
    filled = None
    for key in (str(parsed), f"{parsed.language}_{parsed.territory}" if parsed.territory else "",
                parsed.language):
        if key and key in likely:
            filled = Locale.parse(likely[key])
            break
    script = parsed.script or (filled.script if filled else "") or ""
    territory = parsed.territory or (filled.territory if filled else "") or ""
    return parsed.language, script, territory


def negotiate(requested: str, available: tuple[str, ...] | None = None) -> str:
    """The shipped locale that best serves a requested language tag.

    Language and script must match (zh-TW gets zh_Hant, never zh_Hans); a region
    match is preferred among those.

    >>> negotiate("es-MX", ("en", "es")), negotiate("iw", ("en", "he")), negotiate("EN_us", ("en",))
    ('es', 'he', 'en')
    """
    available = available if available is not None else shipped_locales()
    pseudo = requested.replace("-", "_")
    if pseudo in PSEUDO_LOCALES:
        return pseudo
    try:
        want = _maximize(requested)
    except ValueError:
        raise LocaleError(f"{requested!r} is not a language tag", field="locale",
                          hint="use a tag such as en, es, zh-Hant or pt-BR") from None
    best, best_score = None, 0
    for candidate in available:
        have = _maximize(candidate)
        if have[:2] != want[:2]:
            continue
        score = 2 + (have[2] == want[2])
        if score > best_score:
            best, best_score = candidate, score
    if best is None:
        raise LocaleError(f"{requested!r} is not a shipped language", field="locale",
                          hint="use one of: " + ", ".join(available))
    return best


@lru_cache(maxsize=None)
def load_locale(locale_id: str, locales_dir: Path = LOCALES_DIR, *,
                allow_fallback: bool = False) -> LocaleBundle:
    """Load a shipped locale; an untranslated or fuzzy entry is an error, never English,
    unless the caller explicitly allows English for those entries (a translator's preview)."""
    if locale_id in PSEUDO_LOCALES:
        return _pseudo_bundle(locale_id, locales_dir)
    babel_locale = Locale.parse(locale_id)
    if locale_id == SOURCE_LOCALE:
        return LocaleBundle(locale_id, babel_locale, gettext.NullTranslations(),
                            ReviewStatus(reviewed=True), babel_locale.text_direction,
                            _own_name(babel_locale))
    po_path = locales_dir / locale_id / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        raise LocaleError(f"no catalog for {locale_id!r}", source=str(po_path),
                          hint="create it with: python generate.py locales new " + locale_id)
    catalog = read_catalog(po_path, locale_id)
    problems = incomplete_entries(catalog)
    if problems and not allow_fallback:
        lineno, msgid, what = problems[0]
        more = f" and {len(problems) - 1} more" if len(problems) > 1 else ""
        raise LocaleError(f"{msgid[:60]!r} is {what}{more}", source=_rel(po_path), line=lineno,
                          hint="translate every entry and remove 'fuzzy' flags, then run "
                               "python generate.py locales check " + locale_id)
    formats = Locale.parse(FORMATS_FROM.get(locale_id, locale_id))
    return LocaleBundle(locale_id, formats, _compiled(catalog),
                        read_review(locales_dir / locale_id / "review.toml"),
                        babel_locale.text_direction, _own_name(babel_locale))


def _compiled(catalog) -> gettext.GNUTranslations:
    """Compile in memory: a fresh checkout needs no build step and has no .mo to forget."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _pseudo_bundle(locale_id: str, locales_dir: Path) -> LocaleBundle:
    from .pseudo import pseudo_catalog
    spec = PSEUDO_LOCALES[locale_id]
    with (locales_dir / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    catalog = pseudo_catalog(template, spec.rewrite)
    return LocaleBundle(locale_id, Locale.parse(spec.formats_as), _compiled(catalog),
                        ReviewStatus(reviewed=False), spec.direction, spec.name)


def read_catalog(po_path: Path, locale_id: str):
    with po_path.open("rb") as handle:
        try:
            return read_po(handle, locale=locale_id, abort_invalid=True)
        except Exception as exc:  # babel raises PoFileError with the line in its text
            raise LocaleError(f"cannot be read: {exc}", source=_rel(po_path),
                              hint="fix the PO syntax at that line") from None


def incomplete_entries(catalog) -> list[tuple[int, str, str]]:
    """(line, msgid, 'untranslated' | 'fuzzy') for every entry a patient must not see."""
    found = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            found.append((message.lineno, msgid, "fuzzy (marked for review)"))
        elif not all(strings):
            found.append((message.lineno, msgid, "untranslated"))
    return found


def read_review(path: Path) -> ReviewStatus:
    if not path.exists():
        return ReviewStatus(reviewed=False)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LocaleError(f"is not valid TOML: {exc}", source=_rel(path),
                          hint='write reviewed = false, or reviewed = true with reviewer '
                               'and date') from None
    reviewed = data.get("reviewed", False)
    if reviewed is True and not (data.get("reviewer") and data.get("date")):
        raise LocaleError("reviewed = true needs reviewer and date", source=_rel(path),
                          field="reviewed", hint='add reviewer = "Name, credential" and '
                                                 'date = "YYYY-MM-DD"')
    return ReviewStatus(reviewed=reviewed is True, reviewer=str(data.get("reviewer", "")),
                        date=str(data.get("date", "")))


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(LOCALES_DIR.parent))
    except ValueError:
        return str(path)


# -- formatting with an explicit locale ------------------------------------------------

def long_date(value: date, locale: Locale, *, weekday: bool = True) -> str:
    """A date as patients read it; with the weekday for days they must act on.

    >>> long_date(date(2026, 12, 4), Locale.parse("es"))
    'viernes, 4 de diciembre de 2026'
    >>> long_date(date(2026, 12, 4), Locale.parse("en"), weekday=False)
    'December 4, 2026'
    """
    return format_date(value, "full" if weekday else "long", locale=locale)


def short_time(value: datetime, locale: Locale) -> str:
    """
    >>> short_time(datetime(2026, 12, 1, 14, 30), Locale.parse("en"))
    '2:30\u202fPM'
    """
    return format_time(value.time(), "short", locale=locale)


def fever_threshold(locale: Locale, country: str) -> tuple[str, str]:
    """The fever threshold in the unit the clinic's country uses first, then the other.

    >>> fever_threshold(Locale.parse("en"), "US")
    ('100.4°F', '38°C')
    """
    celsius = format_unit(38, "temperature-celsius", length="short", locale=locale)
    fahrenheit = format_unit(format_decimal(100.4, locale=locale), "temperature-fahrenheit",
                             length="short", locale=locale)
    if country in ("US", "PR", "LR", "BZ", "KY", "PW", "FM", "MH"):
        return fahrenheit, celsius
    return celsius, fahrenheit


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def opening_hours(hours: str, locale: Locale) -> str:
    """Opening hours from data ('mon-fri 09:00-16:00') written for the locale.

    >>> opening_hours("mon-fri 09:00-16:00", Locale.parse("en"))
    'Mon–Fri, 9:00\u202fAM\u2009–\u20094:00\u202fPM'
    """
    from babel.dates import format_interval, get_day_names
    days, _, times = hours.partition(" ")
    first, _, last = days.partition("-")
    names = get_day_names("abbreviated", locale=locale)
    day_text = names[_DAYS.index(first)] + (("–" + names[_DAYS.index(last)]) if last else "")
    start, _, end = times.partition("-")
    time_text = format_interval(datetime.strptime(start, "%H:%M").time(),
                                datetime.strptime(end, "%H:%M").time(), "hm", locale=locale)
    return f"{day_text}, {time_text}"


def support_line_values(line, locale: Locale) -> dict:
    """A support line's printable values: numbers as written, names of days and languages
    in the handout's language."""
    codes = line.languages.split()
    return {
        "name": line.name,
        "how": line.how,
        "number": line.number,
        "always_open": line.hours == "24/7",
        "hours": "" if line.hours in ("", "24/7") else opening_hours(line.hours, locale),
        "many_languages": codes == ["many"],
        "languages": ", ".join(Locale.parse(code).get_language_name(locale) or code
                               for code in codes if code != "many"),
    }
