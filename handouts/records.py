"""Records stage: command-line options, CSV rows or JSON objects -> a validated, frozen `Job`.

Every value is checked here, once, so that later stages can trust a `Job`. Errors name
the field and say how to fix it; the caller places them in a file and row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Mapping

from .brand import Brand
from .characters import first_refused
from .errors import (DATE_SHAPE, FOLLOW_UP_SHAPE, LANGUAGE_SHAPE, NO_SHAPE, WAIT_SHAPE,
                     InputError, LocaleError, shown)

DEFAULT_HANDOUT = "miscarriage-recovery"
CONTRACEPTION_PLANS = ("avoid", "trying", "undecided")
#: The birth control a patient chose, printed in the plan (brief sections 3 and 6).
CONTRACEPTION_METHODS = ("pill", "patch", "shot", "implant", "iud", "condoms", "other")
RH_STATUSES = ("given", "not-given", "not-needed")
WAIT_UNTIL_BLEEDING_STOPS = "until-bleeding-stops"
MAX_NAME = 80
MAX_NOTE = 300
MAX_RECORD_ID = 32

#: The fields a row or the command line may give; the rest are rejected as unknown.
JOB_FIELDS = ("record_id", "locale", "patient_name", "discharge_date", "wait",
              "contraception", "contraception_method", "follow_up", "rh", "clinician",
              "note", "paper")
REQUIRED_FIELDS = ("locale", "discharge_date", "wait", "contraception", "follow_up", "rh")
RECORD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,%d}" % (MAX_RECORD_ID - 1))


@dataclass(frozen=True)
class Wait:
    """How long to keep anything out of the vagina: until bleeding stops, or until a date."""
    until_bleeding_stops: bool = False
    weeks: int | None = None
    until: date | None = None


@dataclass(frozen=True)
class FollowUp:
    """A booked follow-up visit, or None for 'call us to book'."""
    at: datetime | None = None


@dataclass(frozen=True)
class Job:
    """Everything one handout depends on; `render(job)` is a pure function of it."""
    brand: Brand
    locale: str
    today: date
    discharge_date: date
    wait: Wait
    contraception: str
    follow_up: FollowUp
    rh: str
    patient_name: str = ""
    contraception_method: str = ""
    record_id: str = ""
    clinician: str = ""
    note: str = ""
    paper: str = ""
    handout: str = DEFAULT_HANDOUT
    name_in_metadata: bool = False
    allow_fallback: bool = False      # print English for untranslated strings (previews)

    @property
    def page_size_name(self) -> str:
        return self.paper or self.brand.paper

    @property
    def patient_label(self) -> str:
        """The short identifier printed on every page: record id, else initials."""
        if self.record_id:
            return self.record_id
        return initials(self.patient_name)


def initials(name: str) -> str:
    """Initials that tell pages apart without printing the whole name. The period marks
    an abbreviation in scripts with capital letters; other scripts write none.

    >>> initials("María José García"), initials(""), initials("李 小龙"), initials("Олена Коваль")
    ('M.J.G.', '', '李小', 'О.К.')
    """
    letters = [part[0].upper() for part in name.split()[:4]]
    return "".join(letter + ("." if letter != letter.lower() else "") for letter in letters)


def job_from_fields(values: Mapping[str, str | None], *, brand: Brand, today: date,
                    handout: str = DEFAULT_HANDOUT, name_in_metadata: bool = False,
                    allow_fallback: bool = False) -> Job:
    """Build a Job from text fields as typed by a user (command line, CSV, form, JSON).

    Fails closed: every value is first checked for characters that may not be printed
    (see `handouts.characters`), and no error quotes a patient's name, a note or a
    clinician's name.
    """
    unknown = sorted(k for k in values if k not in JOB_FIELDS)
    if unknown:
        raise unknown_field(unknown[0])
    for name in JOB_FIELDS:
        check_characters(values.get(name) or "", name)
    clean = {k: (values.get(k) or "").strip() for k in JOB_FIELDS}
    for name in REQUIRED_FIELDS:
        if not clean[name]:
            raise InputError("is required", field=name, hint=_HINTS[name])
    if not _LANGUAGE_TAG.fullmatch(clean["locale"]):
        # Checked here for its shape only (i18n picks the catalog), so that what is
        # plainly not a tag, e.g. a name in the wrong column, is never quoted back.
        raise LocaleError(f"{shown(clean['locale'], LANGUAGE_SHAPE)} is not a language tag",
                          field="locale",
                          hint="use a tag such as en, es, zh-Hant or pt-BR")

    discharge = parse_date(clean["discharge_date"], "discharge_date")
    wait = parse_wait(clean["wait"], discharge)
    follow_up = parse_follow_up(clean["follow_up"], discharge)
    contraception = _choice(clean["contraception"], "contraception", CONTRACEPTION_PLANS)
    method = clean["contraception_method"]
    if method:
        method = _choice(method, "contraception_method", CONTRACEPTION_METHODS)
        if contraception == "trying":
            raise InputError("is given with the plan trying, which uses no birth control",
                             field="contraception_method",
                             hint="leave it empty, or set contraception to avoid or undecided")
    rh = _choice(clean["rh"], "rh", RH_STATUSES)
    paper = clean["paper"].lower()
    if paper and paper not in ("letter", "a4"):
        raise InputError(f"{shown(clean['paper'], NO_SHAPE)} is not a paper size",
                         field="paper",
                         hint="use letter or a4, or leave it empty to follow the clinic's country")
    name = _bounded_text(clean["patient_name"], "patient_name", MAX_NAME)
    note = _bounded_text(clean["note"], "note", MAX_NOTE)
    clinician = _bounded_text(clean["clinician"], "clinician", MAX_NAME)
    record_id = clean["record_id"]
    if record_id and not RECORD_ID.fullmatch(record_id):
        raise InputError(f"{shown(record_id, NO_SHAPE)} is not a record id", field="record_id",
                         hint=f"use up to {MAX_RECORD_ID} letters, digits, '.', '_' or '-'")
    return Job(brand=brand, locale=clean["locale"], today=today, discharge_date=discharge,
               wait=wait, contraception=contraception, contraception_method=method,
               follow_up=follow_up, rh=rh,
               patient_name=name, record_id=record_id, clinician=clinician, note=note,
               paper=paper, handout=handout, name_in_metadata=name_in_metadata,
               allow_fallback=allow_fallback)


#: Why each kind of refused character matters, for the fix in the error message.
_CHARACTER_HINTS = {
    "a bidi control": "remove it: it can make the text read in another order than it was "
                      "typed",
    "a byte order mark": "remove it: it is invisible and means nothing inside a value",
    "a noncharacter": "remove it: it is not a character that can be printed",
    "a control character": "remove it: only letters, digits, punctuation and spaces can be "
                           "printed",
    "a lone surrogate, left by input that was not UTF-8":
        "remove it, or retype the value as UTF-8 text",
    "an invisible tag character": "remove it: it is invisible and means nothing in a value",
    "a private-use character": "remove it: it has no agreed meaning and may print as "
                               "something else",
    "an unassigned code point": "remove it: it is not a character yet and cannot be printed",
}


def check_characters(text: str, field_name: str) -> None:
    r"""Refuse a value holding a character that may not be printed, naming the field and
    the code point and never quoting the value. Tab, line feed and carriage return are
    allowed (they are folded to a space).

    >>> try:
    ...     check_characters("Ana\u202eP", "patient_name")
    ... except InputError as error:
    ...     print(error.field, error.message)
    patient_name contains U+202E RIGHT-TO-LEFT OVERRIDE (a bidi control) at character 4
    """
    bad = first_refused(text)
    if bad is not None:
        raise InputError(f"contains {bad.describe()}", field=field_name,
                         hint=_CHARACTER_HINTS.get(bad.reason, "remove it"))


#: How a field name may look to be quoted in an error (a key of a JSON object could be
#: anything a user pasted, even a patient's name).
FIELD_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")


def unknown_field(key: str) -> InputError:
    hint = "known fields: " + ", ".join(JOB_FIELDS)
    if isinstance(key, str) and FIELD_NAME.fullmatch(key):
        return InputError(f"unknown field {key!r}", field=key, hint=hint)
    return InputError("has a field whose name is not a known field (the name is not shown)",
                      hint=hint)


#: The shape of a language tag (en, es-419, zh_Hant, en-XA); which one is shipped is
#: i18n's business.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")

def parse_date(text: str, field_name: str) -> date:
    """A calendar date written YYYY-MM-DD.

    >>> parse_date("2026-11-20", "discharge_date")
    datetime.date(2026, 11, 20)
    """
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{shown(text, DATE_SHAPE)} is not a date", field=field_name,
                         hint="use YYYY-MM-DD, e.g. 2026-11-20") from None


def parse_wait(text: str, discharge: date) -> Wait:
    """`until-bleeding-stops`, a number of weeks (`2w`) or a date (`2026-12-18`)."""
    if text == WAIT_UNTIL_BLEEDING_STOPS:
        return Wait(until_bleeding_stops=True)
    weeks = re.fullmatch(r"(\d{1,2})w", text)
    if weeks:
        count = int(weeks.group(1))
        if not 1 <= count <= 26:
            raise InputError(f"{shown(text, WAIT_SHAPE)} is out of range", field="wait",
                             hint="use between 1w and 26w")
        return Wait(weeks=count, until=discharge + timedelta(weeks=count))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        until = parse_date(text, "wait")
        if until <= discharge:
            raise InputError(f"{text} is not after the discharge date {discharge.isoformat()}",
                             field="wait", hint="give a date after discharge")
        return Wait(until=until)
    raise InputError(f"{shown(text, WAIT_SHAPE)} is not a wait", field="wait",
                     hint=_HINTS["wait"])


def parse_follow_up(text: str, discharge: date) -> FollowUp:
    """`YYYY-MM-DD HH:MM` for a booked visit, or `call` for 'call us to book'."""
    if text == "call":
        return FollowUp()
    found = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})", text)
    try:
        if not found:
            raise ValueError
        at = datetime.fromisoformat(f"{found.group(1)}T{found.group(2)}")
    except ValueError:
        raise InputError(f"{shown(text, FOLLOW_UP_SHAPE)} is not a follow-up",
                         field="follow_up",
                         hint=_HINTS["follow_up"]) from None
    if at.date() < discharge:
        raise InputError(f"{text} is before the discharge date {discharge.isoformat()}",
                         field="follow_up", hint="give the date of the follow-up visit")
    return FollowUp(at=at)


def _choice(text: str, field_name: str, choices: tuple[str, ...]) -> str:
    if text not in choices:
        raise InputError(f"{shown(text, NO_SHAPE)} is not one of {', '.join(choices)}",
                         field=field_name,
                         hint=_HINTS[field_name])
    return text


def _bounded_text(text: str, field_name: str, limit: int) -> str:
    """Free text (a name, a note), its white space folded to single spaces; its
    characters were checked already (check_characters)."""
    text = " ".join(text.split())
    if len(text) > limit:
        raise InputError(f"is {len(text)} characters long", field=field_name,
                         hint=f"shorten it to {limit} characters or fewer")
    return text


_HINTS = {
    "locale": "give a language tag such as en, es or pt-BR",
    "discharge_date": "use YYYY-MM-DD, e.g. 2026-11-20",
    "wait": f"use {WAIT_UNTIL_BLEEDING_STOPS}, a number of weeks such as 2w or 6w, "
            "or a date YYYY-MM-DD",
    "contraception": "avoid = no pregnancy for now, trying = try again when ready, "
                     "undecided = talk at follow-up",
    "contraception_method": "the birth control chosen, printed in the plan: "
                            + ", ".join(CONTRACEPTION_METHODS) + " (iud = either kind; "
                            "other = one not listed), or leave it empty",
    "follow_up": "use a date and time YYYY-MM-DD HH:MM, or call",
    "rh": "use given, not-given or not-needed",
}
