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
from .errors import InputError

DEFAULT_HANDOUT = "miscarriage-recovery"
CONTRACEPTION_PLANS = ("avoid", "trying", "undecided")
RH_STATUSES = ("given", "not-given", "not-needed")
WAIT_UNTIL_BLEEDING_STOPS = "until-bleeding-stops"
MAX_NAME = 80
MAX_NOTE = 300
MAX_RECORD_ID = 32

#: The fields a row or the command line may give; the rest are rejected as unknown.
JOB_FIELDS = ("record_id", "locale", "patient_name", "discharge_date", "wait",
              "contraception", "follow_up", "rh", "clinician", "note", "paper")
REQUIRED_FIELDS = ("locale", "discharge_date", "wait", "contraception", "follow_up", "rh")


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
    """Initials that tell pages apart without printing the whole name.

    >>> initials("María José García"), initials(""), initials("李 小龙")
    ('M.J.G.', '', '李.小.')
    """
    return "".join(part[0].upper() + "." for part in name.split()[:4])


def job_from_fields(values: Mapping[str, str | None], *, brand: Brand, today: date,
                    handout: str = DEFAULT_HANDOUT, name_in_metadata: bool = False,
                    allow_fallback: bool = False) -> Job:
    """Build a Job from text fields as typed by a user (command line, CSV, form, JSON)."""
    unknown = sorted(k for k in values if k not in JOB_FIELDS)
    if unknown:
        raise InputError(f"unknown field {unknown[0]!r}", field=unknown[0],
                         hint="known fields: " + ", ".join(JOB_FIELDS))
    clean = {k: (values.get(k) or "").strip() for k in JOB_FIELDS}
    for name in REQUIRED_FIELDS:
        if not clean[name]:
            raise InputError("is required", field=name, hint=_HINTS[name])

    discharge = parse_date(clean["discharge_date"], "discharge_date")
    wait = parse_wait(clean["wait"], discharge)
    follow_up = parse_follow_up(clean["follow_up"], discharge)
    contraception = _choice(clean["contraception"], "contraception", CONTRACEPTION_PLANS)
    rh = _choice(clean["rh"], "rh", RH_STATUSES)
    paper = clean["paper"].lower()
    if paper and paper not in ("letter", "a4"):
        raise InputError(f"{clean['paper']!r} is not a paper size", field="paper",
                         hint="use letter or a4, or leave it empty to follow the clinic's country")
    name = _bounded_text(clean["patient_name"], "patient_name", MAX_NAME)
    note = _bounded_text(clean["note"], "note", MAX_NOTE)
    clinician = _bounded_text(clean["clinician"], "clinician", MAX_NAME)
    record_id = clean["record_id"]
    if record_id and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,%d}" % (MAX_RECORD_ID - 1),
                                      record_id):
        raise InputError(f"{record_id!r} is not a record id", field="record_id",
                         hint=f"use up to {MAX_RECORD_ID} letters, digits, '.', '_' or '-'")
    return Job(brand=brand, locale=clean["locale"], today=today, discharge_date=discharge,
               wait=wait, contraception=contraception, follow_up=follow_up, rh=rh,
               patient_name=name, record_id=record_id, clinician=clinician, note=note,
               paper=paper, handout=handout, name_in_metadata=name_in_metadata,
               allow_fallback=allow_fallback)


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
        raise InputError(f"{text!r} is not a date", field=field_name,
                         hint="use YYYY-MM-DD, e.g. 2026-11-20") from None


def parse_wait(text: str, discharge: date) -> Wait:
    """`until-bleeding-stops`, a number of weeks (`2w`) or a date (`2026-12-18`)."""
    if text == WAIT_UNTIL_BLEEDING_STOPS:
        return Wait(until_bleeding_stops=True)
    weeks = re.fullmatch(r"(\d{1,2})w", text)
    if weeks:
        count = int(weeks.group(1))
        if not 1 <= count <= 26:
            raise InputError(f"{text!r} is out of range", field="wait",
                             hint="use between 1w and 26w")
        return Wait(weeks=count, until=discharge + timedelta(weeks=count))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        until = parse_date(text, "wait")
        if until <= discharge:
            raise InputError(f"{text} is not after the discharge date {discharge.isoformat()}",
                             field="wait", hint="give a date after discharge")
        return Wait(until=until)
    raise InputError(f"{text!r} is not a wait", field="wait", hint=_HINTS["wait"])


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
        raise InputError(f"{text!r} is not a follow-up", field="follow_up",
                         hint=_HINTS["follow_up"]) from None
    if at.date() < discharge:
        raise InputError(f"{text} is before the discharge date {discharge.isoformat()}",
                         field="follow_up", hint="give the date of the follow-up visit")
    return FollowUp(at=at)


def _choice(text: str, field_name: str, choices: tuple[str, ...]) -> str:
    if text not in choices:
        raise InputError(f"{text!r} is not one of {', '.join(choices)}", field=field_name,
                         hint=_HINTS[field_name])
    return text


def _bounded_text(text: str, field_name: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        raise InputError(f"is {len(text)} characters long", field=field_name,
                         hint=f"shorten it to {limit} characters or fewer")
    if any(ord(c) < 32 for c in text):
        raise InputError("contains control characters", field=field_name,
                         hint="remove them")
    return text


_HINTS = {
    "locale": "give a language tag such as en, es or pt-BR",
    "discharge_date": "use YYYY-MM-DD, e.g. 2026-11-20",
    "wait": f"use {WAIT_UNTIL_BLEEDING_STOPS}, a number of weeks such as 2w or 6w, "
            "or a date YYYY-MM-DD",
    "contraception": "avoid = no pregnancy for now, trying = try again when ready, "
                     "undecided = talk at follow-up",
    "follow_up": "use a date and time YYYY-MM-DD HH:MM, or call",
    "rh": "use given, not-given or not-needed",
}
