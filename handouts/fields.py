"""Records stage, declarations: the per-visit fields a handout asks for, read from
`<handout folder>/fields.toml` (see templates/miscarriage-recovery/fields.toml).

Each field has a kind (a choice, a date, an appointment, an "until", bounded free text),
the values it takes, whether it is required, its command-line option and list column,
a label and help for a form, an example, and rules comparing it with other fields.
records.py parses a row's typed text with them, the command line adds their options,
patient lists take their columns and render.py formats them for the template: a new
handout needs a folder, not code.

Errors quote a typed value only where it has the shape the field expects
(errors.shown): a patient's name typed into the wrong column never comes back.
"""
from __future__ import annotations

from types import MappingProxyType
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from . import formats
from .errors import DATE_SHAPE, FOLLOW_UP_SHAPE, NO_SHAPE, WAIT_SHAPE, InputError, shown

#: The fields every handout's Job has (records.py parses them), in the order rows and
#: hints list them: a handout's own fields come between the leading and trailing ones.
GENERIC_LEADING = ("record_id", "locale", "patient_name", "discharge_date")
GENERIC_TRAILING = ("clinician", "note", "paper")
GENERIC_REQUIRED = ("locale", "discharge_date")
#: The generic dates a handout's rule may compare with ("after discharge_date").
GENERIC_DATES = ("discharge_date",)

KINDS = ("choice", "date", "appointment", "until", "text")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
APPOINTMENT = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})")


@dataclass(frozen=True)
class Word:
    """A value of a choice, or a word an appointment or an "until" takes besides dates;
    with a label and help text for a form."""
    value: str
    label: str = ""
    help: str = ""


@dataclass(frozen=True)
class Until:
    """How long something lasts: until an event a word names (`until-bleeding-stops`),
    a number of weeks (ending on `date`, counted from the date the field follows), or
    until a date."""
    word: str = ""
    weeks: int = 0
    date: date | None = None


@dataclass(frozen=True)
class Appointment:
    """A booked date and time, or a word meaning "not booked" (`call` us to book)."""
    at: datetime | None = None
    word: str = ""


@dataclass(frozen=True)
class Rule:
    """A check against another field, declared in fields.toml: `after` and `not_before`
    compare dates; `refused_if` refuses a value while another field has one of `values`."""
    test: str
    field: str
    values: tuple[str, ...] = ()
    message: str = ""
    hint: str = ""


@dataclass(frozen=True)
class FieldSpec:
    """One per-visit field of a handout, as fields.toml declares it."""
    name: str                       # in the template: visit.<name>
    kind: str                       # one of KINDS
    label: str                      # for a form (English)
    help: str                       # for a form and --help (English)
    hint: str                       # the fix, in errors about this field
    required: bool = False
    option: str = ""                # on the command line, e.g. --wait
    column: str = ""                # in a patient list, e.g. wait
    example: str = ""               # a valid typed value, for samples and warm-up
    noun: str = ""                  # what errors call a value: "is not a <noun>"
    words: tuple[Word, ...] = ()    # a choice's values; an appointment's or until's words
    weeks: tuple[int, int] | None = None   # until: the number of weeks allowed ("2w")
    max_length: int = 0             # text: the longest value
    rules: tuple[Rule, ...] = ()

    @property
    def allowed(self) -> tuple[str, ...]:
        return tuple(word.value for word in self.words)

    @property
    def metavar(self) -> str:
        """What the value looks like, for --help."""
        if self.kind == "choice":
            return "{%s}" % ",".join(self.allowed)
        if self.kind == "until":
            return "{%s}" % ",".join(self.allowed + ("Nw",) * bool(self.weeks)
                                     + ("YYYY-MM-DD",))
        if self.kind == "appointment":
            return '"YYYY-MM-DD HH:MM"' + "".join("|" + word for word in self.allowed)
        return "YYYY-MM-DD" if self.kind == "date" else "TEXT"

    def parse(self, text: str, known: Mapping[str, object]):
        """The checked value of this field's typed text ("" or None when left empty),
        given the values already parsed (`known`, by field name) its rules compare with."""
        text = text.strip()
        if not text:
            if self.required:
                raise InputError("is required", field=self.column, hint=self.hint)
            return "" if self.kind in ("choice", "text") else None
        value = _PARSERS[self.kind](self, text, known)
        for rule in self.rules:
            _check(rule, self, text, value, known)
        return value


def parse_date(text: str, field_name: str) -> date:
    """A calendar date written YYYY-MM-DD.

    >>> parse_date("2026-11-20", "discharge_date")
    datetime.date(2026, 11, 20)
    """
    try:
        if not ISO_DATE.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{shown(text, DATE_SHAPE)} is not a date", field=field_name,
                         hint="use YYYY-MM-DD, e.g. 2026-11-20") from None


def _choice(spec: FieldSpec, text: str, known) -> str:
    if text not in spec.allowed:
        raise InputError(f"{shown(text, NO_SHAPE)} is not one of {', '.join(spec.allowed)}",
                         field=spec.column, hint=spec.hint)
    return text


def _date(spec: FieldSpec, text: str, known) -> date:
    return parse_date(text, spec.column)


def _appointment(spec: FieldSpec, text: str, known) -> Appointment:
    if text in spec.allowed:
        return Appointment(word=text)
    found = APPOINTMENT.fullmatch(text)
    try:
        if not found:
            raise ValueError
        return Appointment(at=datetime.fromisoformat(f"{found.group(1)}T{found.group(2)}"))
    except ValueError:
        raise InputError(f"{shown(text, FOLLOW_UP_SHAPE)} is not {_a(spec.noun)}",
                         field=spec.column, hint=spec.hint) from None


def _until(spec: FieldSpec, text: str, known) -> Until:
    if text in spec.allowed:
        return Until(word=text)
    if spec.weeks:
        low, high = spec.weeks
        # As many digits as the longest wait has: a longer number is not a wait at all.
        found = re.fullmatch(r"(\d{1,%d})w" % len(str(high)), text)
        if found:
            count = int(found.group(1))
            if not low <= count <= high:
                raise InputError(f"{shown(text, WAIT_SHAPE)} is out of range",
                                 field=spec.column, hint=f"use between {low}w and {high}w")
            start = next((known.get(r.field) for r in spec.rules if r.test == "after"), None)
            try:
                return Until(weeks=count, date=start + timedelta(weeks=count) if start else None)
            except OverflowError:       # a start date within weeks of 9999-12-31
                raise InputError(f"{shown(text, WAIT_SHAPE)} ends after 9999-12-31",
                                 field=spec.column, hint="check the date it counts from"
                                 ) from None
    if ISO_DATE.fullmatch(text):
        return Until(date=parse_date(text, spec.column))
    raise InputError(f"{shown(text, WAIT_SHAPE)} is not {_a(spec.noun)}", field=spec.column,
                     hint=spec.hint)


def _text(spec: FieldSpec, text: str, known) -> str:
    """Free text, its white space folded to single spaces (records.py checked its
    characters); never quoted back."""
    text = " ".join(text.split())
    if len(text) > spec.max_length:
        raise InputError(f"is {len(text)} characters long", field=spec.column,
                         hint=f"shorten it to {spec.max_length} characters or fewer")
    return text


_PARSERS = MappingProxyType({"choice": _choice, "date": _date, "appointment": _appointment,
            "until": _until, "text": _text})


def _day(value) -> date | None:
    """The calendar day a parsed value falls on, for the date rules."""
    if isinstance(value, Appointment):
        return value.at.date() if value.at else None
    if isinstance(value, Until):
        return value.date
    return value if isinstance(value, date) else None


def _check(rule: Rule, spec: FieldSpec, text: str, value, known) -> None:
    other = known.get(rule.field)
    if rule.test == "refused_if":
        if other in rule.values:
            raise InputError(rule.message, field=spec.column, hint=rule.hint)
        return
    day, limit = _day(value), _day(other)
    if day is None or limit is None or (isinstance(value, Until) and value.weeks):
        return          # nothing to compare, or weeks counted from that date already
    # The typed text matched a date's shape to get here, so it is safe to quote.
    what = f"the {rule.field.replace('_', ' ')} {limit.isoformat()}"
    if rule.test == "after" and day <= limit:
        raise InputError(f"{text} is not after {what}", field=spec.column, hint=rule.hint)
    if rule.test == "not_before" and day < limit:
        raise InputError(f"{text} is before {what}", field=spec.column, hint=rule.hint)


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


@dataclass(frozen=True)
class HandoutFields:
    """A handout's own per-visit fields, in the order fields.toml declares them."""
    name: str
    specs: tuple[FieldSpec, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(spec.column for spec in self.specs)

    @property
    def known_fields(self) -> tuple[str, ...]:
        """The columns a row for this handout may have, in the order hints list them."""
        return GENERIC_LEADING + self.columns + GENERIC_TRAILING

    @property
    def required_fields(self) -> tuple[str, ...]:
        return GENERIC_REQUIRED + tuple(s.column for s in self.specs if s.required)

    def spec(self, name: str) -> FieldSpec:
        return next(spec for spec in self.specs if spec.name == name)

    def check_required(self, values: Mapping[str, str | None]) -> None:
        """InputError for the first of the handout's required fields left empty."""
        for spec in self.specs:
            if spec.required and not (values.get(spec.column) or "").strip():
                raise InputError("is required", field=spec.column, hint=spec.hint)

    def parse(self, values: Mapping[str, str | None],
              generic: Mapping[str, object] | None = None, *,
              problems=None) -> tuple[tuple[str, object], ...]:
        """The handout's checked values from typed text keyed by column, as (name,
        value) pairs: hashable, for a frozen Job. `generic` holds the parsed generic
        values a rule may compare with (discharge_date). The caller checks the
        characters (records.check_characters); any problem is an InputError naming the
        column, each field checked in declared order. With `problems` (a
        records.Problems collecting), each field's problem is kept there and the rest
        are still checked; a column it already refused is not checked again."""
        if problems is None or not problems.collect:
            self.check_required(values)
        known = dict(generic or {})
        for spec in self.specs:
            text = values.get(spec.column) or ""
            if problems is None:
                known[spec.name] = spec.parse(text, known)
            elif spec.column in problems.refused:
                known[spec.name] = None
            else:
                known[spec.name] = problems.check(spec.parse, text, known)
        return tuple((spec.name, known[spec.name]) for spec in self.specs)

    def example_values(self) -> dict[str, str]:
        """Typed text for every field with an example, keyed by column: with the generic
        values of a sample patient, a complete row (samples, warm-up)."""
        return {spec.column: spec.example for spec in self.specs if spec.example}

    def template_values(self, visit, locale) -> dict:
        """What the template sees of the handout's fields under `visit`, written for the
        Babel `locale` (the patient's language in the clinic's country); dates and times
        are bidi isolates (<bdi>). `visit` is a Job's pairs (Job.visit)."""
        values = dict(visit)
        return {spec.name: _FORMATTERS[spec.kind](values.get(spec.name), locale)
                for spec in self.specs}


def _long_date(day: date | None, locale):
    return formats.isolated(formats.long_date(day, locale)) if day else ""


def _appointment_values(value: Appointment | None, locale) -> dict:
    at = value.at if value else None
    return {"booked": at is not None, "word": value.word if value else "",
            "date": _long_date(at.date(), locale) if at else "",
            "time": formats.isolated(formats.short_time(at, locale)) if at else ""}


def _until_values(value: Until | None, locale) -> dict:
    value = value or Until()
    kind = ("word" if value.word else "weeks" if value.weeks else
            "date" if value.date else "")
    # weeks stays a number: the template's {% trans count=... %} writes it for the locale.
    return {"kind": kind, "word": value.word, "weeks": value.weeks,
            "date": _long_date(value.date, locale)}


_FORMATTERS = MappingProxyType({
    "choice": lambda value, locale: value or "",
    "text": lambda value, locale: value or "",
    "date": _long_date,
    "appointment": _appointment_values,
    "until": _until_values,
})


def load_handout_fields(folder: Path) -> HandoutFields:
    """`folder / "fields.toml"`, checked: any problem is a TemplateError naming the file,
    the line and the key, with the fix."""
    # Reading and checking the file is its own module (fields_file.py), which builds the
    # classes above; imported here, not at the top, as it imports this module.
    from .fields_file import read_fields_file
    return read_fields_file(folder)


__all__ = ["FieldSpec", "HandoutFields", "Word", "Until", "Appointment", "Rule", "KINDS",
           "load_handout_fields", "parse_date", "GENERIC_LEADING", "GENERIC_TRAILING",
           "GENERIC_REQUIRED", "GENERIC_DATES"]
