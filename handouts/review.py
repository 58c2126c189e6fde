"""Translator tooling / review records: `locales approve` and the review status it leaves.

Edge module (it reads and writes locales/<id>/review.toml). A qualified medical
translator's review is tied to exactly what they read: `approve` records the reviewer, the
date and a fingerprint of every msgid/msgstr pair; `read_review` compares those with the
catalog as it is now. Any later change to a translation, or to the English it translates,
makes the locale a draft again, and says how many entries changed.

The fingerprints detect change, not tampering: they are unkeyed hashes anyone can
recompute. What they stop is a reviewed notice surviving an edit nobody reviewed.

The record is generated, never written by hand, so it is read strictly: every mistake is
a LocaleError naming the file and the line. The one hand-written form still accepted is
what `locales new` writes, `reviewed = false` with comments.
"""
from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .errors import LocaleError
from .input_files import key_line
from .output import write_atomic
from .resources import LOCALES_DIR, relative

# i18n and catalogs are imported inside approve(): i18n imports this module (Catalogs.load
# calls read_review), so a module-level import of either would be circular.

KEYS = ("reviewed", "reviewer", "date", "fingerprint", "strings")
HEX16 = re.compile(r"[0-9a-f]{16}")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# TOML forbids these in comments; the English shown next to each fingerprint drops them.
COMMENT_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
APPROVE = "python3 generate.py locales approve"
REDO = f"do not edit it by hand: record the review with {APPROVE}"


@dataclass(frozen=True)
class ReviewStatus:
    """Whether a qualified medical translator reviewed the catalog as it is now.

    `changed` counts entries added, removed, retranslated or left incomplete since the
    approval by `reviewer` on `date`; reviewed is true only when it is 0."""
    reviewed: bool
    reviewer: str = ""
    date: str = ""
    changed: int = 0


class ApprovalRefused(LocaleError):
    """`approve` found reasons not to record a review; each is one line."""

    def __init__(self, reasons: list[str]):
        self.reasons = list(reasons)
        super().__init__("; ".join(self.reasons))

    def __str__(self) -> str:
        return "\n".join(self.reasons)


# -- fingerprints ----------------------------------------------------------------------

def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _forms(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def entry_key(message) -> str:
    """A stable key for one entry: what it translates (context, English, English plural).
    The English is part of the key, so changed English is a removed plus an added entry."""
    return _digest((message.context or "") + "\x04" + "\x00".join(_forms(message.id)))


def entry_value(message) -> str:
    """The fingerprint of one entry's translation, every plural form in order."""
    return _digest("\x00".join(_forms(message.string)))


def fingerprints(catalog) -> dict[str, str]:
    """{entry key: translation fingerprint} of every entry but the header, in file order."""
    return {entry_key(m): entry_value(m) for m in catalog if m.id}


def overall(strings: dict[str, str]) -> str:
    """One fingerprint for the whole table (order-independent), so a hand-edited table is
    noticed even when every value in it is well-formed."""
    return _digest("".join(f"{k}={v}\n" for k, v in sorted(strings.items())))


def _incomplete(catalog) -> set[str]:
    # Fuzzy or empty entries: never reviewed, whatever their fingerprints say.
    return {entry_key(m) for m in catalog
            if m.id and (m.fuzzy or not all(_forms(m.string)))}


def count_changed(approved: dict[str, str], catalog) -> int:
    """Entries added, removed, retranslated or incomplete since the approval."""
    now = fingerprints(catalog)
    differ = {k for k in approved.keys() | now.keys() if approved.get(k) != now.get(k)}
    return len(differ | _incomplete(catalog))


# -- reading ---------------------------------------------------------------------------

def read_review(path: Path, catalog=None) -> ReviewStatus:
    """The review status of a catalog, from its review.toml.

    `catalog` is the babel Catalog read from the locale's messages.po. With None the record
    is only validated: reviewed is then False (nothing was compared), with the recorded
    reviewer and date. A missing file means not reviewed. Raises LocaleError, with file
    and line, for any record `approve` would not have written."""
    if not path.exists():
        return ReviewStatus(reviewed=False)
    record = _parse(path)
    if record is None:
        return ReviewStatus(reviewed=False)
    reviewer, when, strings = record
    if catalog is None:
        return ReviewStatus(False, reviewer, when, 0)
    changed = count_changed(strings, catalog)
    return ReviewStatus(changed == 0, reviewer, when, changed)


def _parse(path: Path) -> tuple[str, str, dict[str, str]] | None:
    """(reviewer, date, strings) of an approval; None for the unreviewed form."""
    where = relative(path.resolve())
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LocaleError(f"cannot be read: {exc.strerror or exc}", source=where,
                          hint="make it a readable file") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LocaleError("is not UTF-8 text", source=where,
                          line=raw[:exc.start].count(b"\n") + 1, hint=REDO) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line = _toml_error(str(exc), text)
        raise LocaleError(f"is not valid TOML: {message}", source=where, line=line,
                          hint=REDO) from None

    def fail(key: str, message: str, hint: str = REDO, table: str = "",
             at: str = "") -> LocaleError:
        # `at`: the key whose line to show when `key` itself is missing from the file.
        field = f"{table}.{key}" if table else key
        return LocaleError(message, source=where, line=_line_of(text, at or key, table),
                           field=field, hint=hint)

    for key in data:
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            raise fail(key, "is not a key of a review record",
                       f"did you mean {close[0]!r}?" if close else
                       "the keys are: " + ", ".join(KEYS))
    if "reviewed" not in data:
        raise LocaleError("has no reviewed = line", source=where, line=1, field="reviewed",
                          hint=f"write reviewed = false, or run {APPROVE}")
    reviewed = data["reviewed"]
    if not isinstance(reviewed, bool):
        raise fail("reviewed", f"{reviewed!r} is not true or false")
    if reviewed is False:
        # Exactly what `locales new` writes: a draft with no approval left half in place.
        extra = next((k for k in data if k != "reviewed"), None)
        if extra is not None:
            raise fail(extra, "is set, but reviewed = false",
                       f"delete it, or record a review with {APPROVE}")
        return None
    strings = data.get("strings")
    if not strings or "fingerprint" not in data:
        # The old hand-written form: it says nothing about what was reviewed.
        raise fail("reviewed", "reviewed = true has no fingerprints of the reviewed "
                               "strings", f"have the reviewer confirm the catalog, then "
                                          f"run: {APPROVE} <locale> --reviewer \"Name, "
                                          f"credential\" --date YYYY-MM-DD")
    reviewer = data.get("reviewer")
    if reviewer is None:
        raise fail("reviewer", "missing: reviewed = true needs the reviewer's name",
                   at="reviewed")
    if not isinstance(reviewer, str) or not reviewer.strip():
        raise fail("reviewer", f"{reviewer!r} is not a reviewer's name")
    when = data.get("date")
    if when is None:
        raise fail("date", "missing: reviewed = true needs the review's date",
                   at="reviewed")
    if isinstance(when, date):
        raise fail("date", f"{when} is a TOML date, not the quoted text approve writes")
    if not isinstance(when, str) or not _is_date(when):
        raise fail("date", f"{when!r} is not a date in the form YYYY-MM-DD")
    if not isinstance(strings, dict):
        raise fail("strings", "is not a table of fingerprints")
    for key, value in strings.items():
        if not HEX16.fullmatch(key):
            raise fail(key, "is not an entry key (16 hex digits)", table="strings")
        if not isinstance(value, str) or not HEX16.fullmatch(value):
            raise fail(key, f"{value!r} is not a fingerprint (16 hex digits)",
                       table="strings")
    total = data["fingerprint"]
    if not isinstance(total, str) or not HEX16.fullmatch(total):
        raise fail("fingerprint", f"{total!r} is not a fingerprint (16 hex digits)")
    if total != overall(strings):
        raise fail("fingerprint", "does not match the [strings] table (it was edited)")
    return reviewer.strip(), when, strings


def _is_date(text: str) -> bool:
    """A real date written YYYY-MM-DD (fromisoformat alone also takes 20261130).

    >>> _is_date("2026-11-30"), _is_date("20261130"), _is_date("2026-02-30")
    (True, False, False)
    """
    try:
        return bool(ISO_DATE.fullmatch(text)) and bool(date.fromisoformat(text))
    except ValueError:
        return False


def _toml_error(message: str, text: str) -> tuple[str, int]:
    """tomllib's message without its position, and the line it names."""
    if m := re.search(r"\s*\(at line (\d+), column (\d+)\)$", message):
        return f"{message[:m.start()]} at column {m.group(2)}", int(m.group(1))
    if m := re.search(r"\s*\(at end of document\)$", message):
        return f"{message[:m.start()]} at the end", max(1, len(text.splitlines()))
    return message, 1


def _line_of(text: str, key: str, table: str = "") -> int | None:
    """The line defining `key` (in `[table]`, or at the top level), else the first line
    that mentions it."""
    found = key_line(text, f"{table}.{key}" if table else key)
    if found is not None:
        return found
    return next((n for n, line in enumerate(text.splitlines(), 1) if key in line), None)


# -- approving -------------------------------------------------------------------------

def review_path(locale_id: str, locales_dir: Path = LOCALES_DIR) -> Path:
    return locales_dir / locale_id / "review.toml"


def approve(locale_id: str, reviewer: str, date_text: str, *, today: date,
            locales_dir: Path = LOCALES_DIR, fresh_template=None) -> Path:
    """Record that `reviewer` reviewed the catalog of `locale_id` as it is now.

    Refuses (ApprovalRefused, one reason per line, nothing written) the source language,
    a pseudo-locale, a missing reviewer, a date that is not YYYY-MM-DD or is after `today`,
    and a catalog with any problem `locales check` reports."""
    from . import catalogs, i18n
    from babel.messages.pofile import read_po
    reasons = []
    if locale_id == i18n.SOURCE_LOCALE:
        reasons.append(f"locale: {locale_id} is the source language: there is no "
                       "translation to review")
    elif locale_id in i18n.PSEUDO_LOCALES:
        reasons.append(f"locale: {locale_id} is a pseudo-locale made by program: there is "
                       "no translation to review")
    reviewer = reviewer.strip()
    if not reviewer:
        reasons.append('--reviewer: missing (give the reviewer\'s name and credential, '
                       'e.g. --reviewer "Ana Ruiz, certified medical interpreter")')
    elif COMMENT_UNSAFE.search(reviewer):
        reasons.append("--reviewer: contains a line break or control character "
                       "(give the name and credential on one line)")
    if not date_text:
        reasons.append("--date: missing (give the day the review was done, YYYY-MM-DD)")
    elif not _is_date(date_text):
        reasons.append(f"--date: {date_text!r} is not a date (use YYYY-MM-DD, the day the "
                       "review was done)")
    elif date.fromisoformat(date_text) > today:
        reasons.append(f"--date: {date_text} is after today, {today.isoformat()} (use the "
                       "day the review was done)")
    if reasons and locale_id in (i18n.SOURCE_LOCALE, *i18n.PSEUDO_LOCALES):
        raise ApprovalRefused(reasons)
    po = catalogs.po_path(locale_id, locales_dir)
    before = po.read_bytes() if po.exists() else None
    reasons += [str(p) for p in catalogs.check(locale_id, locales_dir,
                                               fresh_template=fresh_template)]
    if reasons:
        raise ApprovalRefused(reasons)
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale_id)
    # The fingerprints must be of the file that was checked, not of a later save.
    if po.read_bytes() != before:
        raise ApprovalRefused([f"{relative(po.resolve())}: changed while it was being checked "
                               "(save it, then approve again)"])
    target = review_path(locale_id, locales_dir)
    write_atomic(target, render_record(locale_id, reviewer, date_text, catalog).encode())
    return target


def render_record(locale_id: str, reviewer: str, when: str, catalog) -> str:
    """The review.toml text: generated, but readable, with the English beside each entry
    so a diff shows which strings a new review covered."""
    strings = fingerprints(catalog)
    english = {entry_key(m): _forms(m.id)[0] for m in catalog if m.id}
    lines = [
        f"# Generated by `{APPROVE} {locale_id}`. Do not edit by hand.",
        "# A qualified medical translator reviewed every entry fingerprinted below. Any",
        "# change to a translation, or to the English it translates, makes the locale a",
        "# draft again until the changes are reviewed and approved again.",
        "# [strings]: entry key (context and English) = fingerprint of the translation.",
        "reviewed = true",
        f"reviewer = {_toml_string(reviewer)}",
        f'date = "{when}"',
        f'fingerprint = "{overall(strings)}"',
        "",
        "[strings]",
    ]
    for key, value in strings.items():
        shown = COMMENT_UNSAFE.sub(" ", english[key])
        shown = shown if len(shown) <= 60 else shown[:59] + "…"
        lines.append(f'"{key}" = "{value}"  # {shown}')
    return "\n".join(lines) + "\n"


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + COMMENT_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", escaped) + '"'
