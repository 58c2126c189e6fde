"""Brand stage, the schema: which tables and keys a brand file may have, and the check of
each value, so that a mistake in a clinic's file stops the print run with one line saying
where it is and how to fix it instead of printing a wrong number or an unreadable colour.

Every check raises `BrandError` with the field (``clinic.phone``, ``support_lines[2].hours``);
`key_line` turns that field back into a line of the file, because tomllib keeps none.
"""
from __future__ import annotations

from types import MappingProxyType
import difflib
import re
from datetime import date
from urllib.parse import urlsplit

from .characters import first_refused
from .errors import BrandError

CLINIC_KEYS = ("name", "country", "phone", "after_hours_phone", "emergency_number",
               "address", "website", "qr_url", "logo", "paper", "avoid_baths", "sample")
COLOUR_KEYS = ("primary", "accent")
SUPPORT_LINE_KEYS = ("country", "name", "how", "number", "hours", "languages", "cost",
                     "crisis", "last_verified")
#: What a call or text to a support line costs, when the data says: printed only if set.
COSTS = ("free",)
TABLES = ("clinic", "colors", "colours", "support_lines")
HOW = ("call", "text", "call or text")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# CLDR territories that are groupings, placeholders or pseudo-locales, not a country a
# clinic can be in (and for which no paper size or support line is known).
NOT_COUNTRIES = frozenset("EU EZ UN QO ZZ XA XB".split())
# Codes people write that ISO 3166 spells otherwise.
COUNTRY_ALIASES = MappingProxyType({"UK": "GB", "EL": "GR"})

# WCAG 2.1 AA for normal-size text: the colours carry headings on white and white text.
MIN_CONTRAST = 4.5
# The QR code's address is printed under it for a patient without a phone camera to type
# (and a 2 cm code holds a short link best): at most this many characters after https://.
MAX_QR_TEXT = 60
# E.164 numbers have at most 15 digits; short codes (112, 988, 15) have 2 or more.
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 2, 15

HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
PHONE_CHARACTERS = re.compile(r"[0-9 +().\-]*")
HOST_LABEL = re.compile(r"(?!-)[^\W_](?:[^\W_]|-){0,62}(?<!-)")
TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
KEYPAD = MappingProxyType(dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "22233344455566677778889999")))


def fail(message: str, where: str, field: str | None, hint: str | None = None):
    raise BrandError(message, source=where, field=field, hint=hint)


def did_you_mean(word: str, choices) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]}?" if close else None


def check_keys(table: dict, known: tuple[str, ...], *, where: str, prefix: str,
               label: str) -> None:
    """Refuse a key the schema does not know: a misspelt key must not fall back quietly."""
    for key in table:
        if key not in known:
            fail("unknown key", where, f"{prefix}.{key}", did_you_mean(key, known) or
                 f"the keys of {label} are " + ", ".join(known))


def type_name(value: object) -> str:
    """How a TOML value reads to someone who wrote it (not Python's type names)."""
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, date):   # datetime.datetime too
        return "a date"
    return {"list": "a list", "dict": "a table"}.get(type(value).__name__, "a time")


def text(value: object, *, where: str, field: str) -> str:
    """A TOML string, free of characters that hide or reorder text, stripped."""
    if not isinstance(value, str):
        key = field.rsplit(".", 1)[-1].split("[")[0]
        hint = "write it in double quotes"
        if isinstance(value, (int, float, date)) and not isinstance(value, bool):
            shown = value.isoformat() if isinstance(value, date) else str(value)
            hint = f'write {key} = "{shown}"'
        fail(f"must be text in quotes, not {type_name(value)}", where, field, hint)
    bad = first_refused(value)
    if bad is not None:
        fail(f"contains {bad.describe()}", where, field, "delete it and type the text again")
    # characters.py lets tabs and line breaks through to be folded to one space.
    return re.sub(r"[\t\n\r]+", " ", value).strip()


def country(value: str, *, where: str, field: str) -> str:
    from babel import Locale
    code = value.upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        fail(f"{value!r} is not a two-letter country code", where, field,
             "use ISO 3166-1 alpha-2, e.g. US, GB, MX")
    if code in NOT_COUNTRIES or code not in Locale("en").territories:
        alias = COUNTRY_ALIASES.get(code)
        fail(f"{value!r} is not a country code", where, field,
             f"did you mean {alias}?" if alias else "use ISO 3166-1 alpha-2, e.g. US, GB, MX")
    return code


def phone(value: str, *, where: str, field: str) -> str:
    """A number as clinics write it: "(555) 010-0100", "+44 20 7946 0000", "112"."""
    if not value:
        fail("is required", where, field, "write the number in digits, e.g. (555) 010-0100")
    if re.search(r"[^\W\d_]", value):
        letters = value.upper()
        if sum(c.isdigit() for c in value) >= 3 and re.fullmatch(r"[0-9A-Z +().\-]+", letters):
            hint = "write the digits: " + "".join(KEYPAD.get(c, c) for c in letters)
        else:
            hint = "write the number in digits, e.g. (555) 010-0100"
        fail(f"{value!r} has letters", where, field, hint)
    if PHONE_CHARACTERS.fullmatch(value) is None:
        character = next(c for c in value if not PHONE_CHARACTERS.fullmatch(c))
        fail(f"{value!r} has {character!r}, which a phone number cannot have", where, field,
             "use only digits, spaces and + ( ) - .")
    if "+" in value[1:]:
        fail(f"{value!r} has + after the start", where, field,
             "+ may only begin an international number, e.g. +44 20 7946 0000")
    if not re.fullmatch(r"[^()]*(\([^()]*\)[^()]*)*", value):
        fail(f"{value!r} has unbalanced parentheses", where, field, "e.g. (555) 010-0100")
    digits = sum(c.isdigit() for c in value)
    if digits < MIN_PHONE_DIGITS:
        fail(f"{value!r} has too few digits", where, field,
             f"a phone number has at least {MIN_PHONE_DIGITS} digits")
    if digits > MAX_PHONE_DIGITS:
        fail(f"{value!r} has {digits} digits", where, field,
             f"write one number of at most {MAX_PHONE_DIGITS} digits")
    return value


def _host_is_valid(host: str | None) -> bool:
    labels = (host or "").rstrip(".").split(".")
    return len(labels) >= 2 and all(HOST_LABEL.fullmatch(label) for label in labels)


def _split(value: str):
    try:
        parts = urlsplit(value)
        parts.port   # raises ValueError for a port that is not a number
    except ValueError:
        return None
    return parts


def qr_url(value: str, *, where: str, field: str) -> str:
    """The link a patient's phone opens from paper: https only (no http downgrade, no
    javascript:, data: or file:), with a real host and nothing hidden before it."""
    if not value:
        return value
    if re.search(r"\s", value):
        fail(f"{value!r} contains a space", where, field, "remove it, or write it as %20")
    parts = _split(value)
    if parts is None:
        fail(f"{value!r} is not a valid link", where, field,
             "e.g. https://your-clinic.example/after-miscarriage")
    if parts.scheme.lower() != "https":
        fail(f"{value!r} is not an https:// link", where, field,
             "a QR code must open a secure page: write https://...")
    if "@" in parts.netloc:
        fail(f"{value!r} has a user name before the host", where, field,
             "remove the part up to @")
    if not _host_is_valid(parts.hostname):
        fail(f"{value!r} has no valid host name", where, field,
             "e.g. https://your-clinic.example/after-miscarriage")
    shown = short_address(value)
    if len(shown) > MAX_QR_TEXT:
        fail(f"is {len(shown)} characters long without https://", where, field,
             f"the address is printed under the QR code for patients to type: use a "
             f"short link of at most {MAX_QR_TEXT} characters")
    return value


def short_address(url: str) -> str:
    """A link as a patient types it: without https:// and a final slash.

    >>> short_address("https://riverside-health.example/after-miscarriage/")
    'riverside-health.example/after-miscarriage'
    """
    return re.sub(r"^https://", "", url, flags=re.IGNORECASE).rstrip("/")


def website(value: str, *, where: str, field: str) -> str:
    """Printed, not linked: a bare host ("riverside-health.example") or an https:// URL."""
    if not value:
        return value
    hint = "write the host, e.g. riverside-health.example, or an https:// address"
    if re.search(r"\s", value):
        fail(f"{value!r} contains a space", where, field, hint)
    # "host:8080/path" has a colon too, but no scheme is digits only.
    has_scheme = "://" in value or re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:(?![0-9]+(/|$))", value)
    parts = _split(value if has_scheme else "https://" + value)
    if parts is None or parts.scheme.lower() != "https" or "@" in parts.netloc \
            or not _host_is_valid(parts.hostname):
        fail(f"{value!r} is not a web address", where, field, hint)
    return value


def colour(value: object, *, where: str, field: str) -> str:
    if not isinstance(value, str) or not HEX_COLOUR.fullmatch(value):
        fail(f"{value!r} is not a colour", where, field, 'use a hex colour such as "#1F4E79"')
    ratio = contrast_with_white(value)
    if ratio < MIN_CONTRAST:
        shown = int(ratio * 10) / 10     # rounded down: 4.46 must not read as 4.5
        fail(f"{value!r} has a contrast of {shown}:1 with white; text needs at least "
             f"{MIN_CONTRAST}:1", where, field, "use a darker colour")
    return value.upper()


def contrast_with_white(hex_colour: str) -> float:
    """WCAG 2.1 contrast ratio of a "#RRGGBB" colour with white.

    >>> round(contrast_with_white("#1F5F8B"), 2), round(contrast_with_white("#767676"), 2)
    (6.84, 4.54)
    """
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    return 1.05 / (luminance + 0.05)


def flag(value: object, *, where: str, field: str) -> bool:
    """A TOML boolean: true or false without quotes (a quoted "false" is not false)."""
    if not isinstance(value, bool):
        key = field.rsplit(".", 1)[-1]
        fail(f"must be true or false, not {type_name(value)}", where, field,
             f"write {key} = true or {key} = false, without quotes")
    return value


def cost(value: str, *, where: str, field: str) -> str:
    if value and value not in COSTS:
        fail(f"{value!r} is not a known cost", where, field,
             'write cost = "free" for a line that costs nothing to call, or leave it out '
             "when calls cost the usual rate or it is not known")
    return value


def how(value: str, *, where: str, field: str) -> str:
    if value not in HOW:
        fail(f"{value!r} is not how to reach the line", where, field,
             'use "call", "text" or "call or text"')
    return value


def hours(value: str, *, where: str, field: str) -> str:
    """"", "24/7", or one day range and one time range: what i18n.opening_hours prints."""
    if value in ("", "24/7"):
        return value
    hint = 'use "24/7", "" or days and times such as "mon-fri 09:00-16:00"'
    days, space, times = value.partition(" ")
    if not space or " " in times:
        fail(f"{value!r} is not opening hours", where, field, hint)
    first, dash, last = days.partition("-")
    for day in (first, last) if dash else (first,):
        if day not in DAYS:
            fail(f"{value!r} has an unknown day {day!r}", where, field,
                 did_you_mean(day, DAYS) or "use mon, tue, wed, thu, fri, sat, sun")
    if dash and first == last:
        fail(f"{value!r} starts and ends on the same day", where, field, f"write {first}")
    start, dash, end = times.partition("-")
    for moment in (start, end):
        if not dash or not TIME.fullmatch(moment):
            fail(f"{value!r} has {moment or times!r}, which is not a time", where, field,
                 "write HH:MM-HH:MM on a 24-hour clock, e.g. 09:00-16:00")
    if end <= start:
        fail(f"{value!r} ends at {end}, not after it starts at {start}", where, field,
             "the end time must be after the start time, e.g. 09:00-17:00")
    return value


def languages(value: str, *, where: str, field: str) -> str:
    codes = value.split()
    if "many" in codes and len(codes) > 1:
        fail(f"{value!r} mixes many with language codes", where, field,
             'write "many" alone, or list the codes')
    for code in codes:
        if code == "many":
            continue
        if not _language_known(code):
            underscored = code.replace("-", "_")
            fail(f"{code!r} is not a language code", where, field,
                 f"did you mean {underscored}?" if _language_known(underscored) else
                 'use codes such as en, es, zh_Hant separated by spaces, or "many"')
    return " ".join(codes)


def _language_known(code: str) -> bool:
    from babel import Locale
    try:   # the parse formats.language_list makes when it prints the name
        return code != "und" and Locale.parse(code) is not None
    except Exception:     # babel's UnknownLocaleError subclasses Exception only
        return False


def iso_date(value: str, *, where: str, field: str) -> str:
    try:
        if not ISO_DATE.fullmatch(value):
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        fail(f"{value!r} is not a date", where, field, "use YYYY-MM-DD, e.g. 2026-11-01")
    return value
