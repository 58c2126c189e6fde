"""Records stage: command-line options, CSV rows or JSON objects -> a validated, frozen `Job`.

Every value is checked here, once, so that later stages can trust a `Job`. Errors name
the field and say how to fix it; the caller places them in a file and row. The fields
every handout has are parsed here; a handout's own (its fields.toml) by handouts.fields.
"""
from __future__ import annotations

from types import MappingProxyType
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Mapping

from .brand import Brand
from .characters import first_refused
from .errors import LANGUAGE_SHAPE, NO_SHAPE, HandoutError, InputError, LocaleError, shown
from .fields import GENERIC_REQUIRED, parse_date

if TYPE_CHECKING:
    from .fields import HandoutFields

DEFAULT_HANDOUT = "miscarriage-recovery"
MAX_NAME = 80
MAX_NOTE = 300
MAX_RECORD_ID = 32
RECORD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,%d}" % (MAX_RECORD_ID - 1))


@dataclass(frozen=True)
class Job:
    """Everything one handout depends on besides the resources: `library.render(job)` is
    a pure function of the job and the library's files.

    The fields every handout has are attributes; the handout's own (fields.toml) are in
    `visit`, as (name, checked value) pairs in declared order: read them with
    `visit_value`, or all of them formatted with HandoutFields.template_values."""
    brand: Brand
    locale: str
    today: date
    discharge_date: date
    patient_name: str = ""
    record_id: str = ""
    clinician: str = ""
    note: str = ""
    paper: str = ""
    handout: str = DEFAULT_HANDOUT
    name_in_metadata: bool = False
    allow_fallback: bool = False      # print English for untranslated strings (previews)
    visit: tuple[tuple[str, object], ...] = ()

    @property
    def page_size_name(self) -> str:
        return self.paper or self.brand.paper

    @property
    def patient_label(self) -> str:
        """The short identifier printed on every page: record id, else initials."""
        if self.record_id:
            return self.record_id
        return initials(self.patient_name)

    def visit_value(self, name: str):
        """The checked value of the handout's field `name` ("" or None when left empty);
        KeyError for a field the handout does not have."""
        for key, value in self.visit:
            if key == name:
                return value
        raise KeyError(name)


def initials(name: str) -> str:
    """Initials that tell pages apart without printing the whole name. The period marks
    an abbreviation in scripts with capital letters; other scripts write none.

    >>> initials("María José García"), initials(""), initials("李 小龙"), initials("Олена Коваль")
    ('M.J.G.', '', '李小', 'О.К.')
    """
    letters = [part[0].upper() for part in name.split()[:4]]
    return "".join(letter + ("." if letter != letter.lower() else "") for letter in letters)


class Problems:
    """Where the checks of one row report: by default the first problem is raised (a
    job is built from a clean row only); with `collect`, every problem is kept, one per
    field, so a form can show them all at once. `refused` names the columns already
    reported, so that one typo is never also reported as missing."""

    def __init__(self, collect: bool = False):
        self.collect = collect
        self.found: list[HandoutError] = []
        self.refused: set[str] = set()

    def check(self, function, *args):
        """function(*args), or None once its problem is kept (collect mode)."""
        try:
            return function(*args)
        except HandoutError as error:
            if not self.collect:
                raise
            self.found.append(error)
            if error.field:
                self.refused.add(error.field)
            return None


def job_from_fields(values: Mapping[str, str | None], *, handout: HandoutFields,
                    brand: Brand, today: date, name_in_metadata: bool = False,
                    allow_fallback: bool = False) -> Job:
    """Build a Job from text fields as typed by a user (command line, CSV, form, JSON):
    the generic fields and the handout's own (`handout`, from its fields.toml), keyed by
    column.

    Fails closed: every value is first checked for characters that may not be printed
    (see `handouts.characters`), and no error quotes a patient's name, a note or a
    clinician's name. The first problem is raised (see field_problems for all).
    """
    checked = _checked(values, handout, Problems())
    return Job(brand=brand, today=today, handout=handout.name,
               name_in_metadata=name_in_metadata, allow_fallback=allow_fallback, **checked)


def field_problems(values: Mapping[str, str | None], *, handout: HandoutFields
                   ) -> list[HandoutError]:
    """Every problem of a row, at most one per field, in the order job_from_fields
    meets them (its first is the one job_from_fields raises); [] for a row it accepts.

    >>> from handouts.library import Library
    >>> fields = Library().handout_fields("miscarriage-recovery")
    >>> row = {"locale": "en", "discharge_date": "2026-11-31", "wait": "3 weeks",
    ...        "contraception": "avoid", "follow_up": "call", "rh": "given"}
    >>> [(p.field, p.message) for p in field_problems(row, handout=fields)]
    [('discharge_date', "'2026-11-31' is not a date"), ('wait', "'3 weeks' is not a wait")]
    """
    problems = Problems(collect=True)
    _checked(values, handout, problems)
    return problems.found


def _checked(values: Mapping[str, str | None], handout: HandoutFields,
             problems: Problems) -> dict:
    """The Job's values of a row, each check reporting to `problems`."""
    known = handout.known_fields
    for name in sorted(k for k in values if k not in known):
        problems.check(_refuse, unknown_field(name, known))
    for name in known:
        problems.check(check_characters, values.get(name) or "", name)
    clean = {k: (values.get(k) or "").strip() for k in known}
    for name in GENERIC_REQUIRED:
        if not clean[name] and name not in problems.refused:
            problems.check(_refuse, InputError("is required", field=name, hint=_HINTS[name]))
    if problems.collect:
        # Where job_from_fields meets them: a missing field before a bad value.
        for spec in handout.specs:
            if spec.required and not clean.get(spec.column) and spec.column not in problems.refused:
                problems.check(_refuse, InputError("is required", field=spec.column,
                                                   hint=spec.hint))
    else:
        handout.check_required(clean)
    if clean["locale"] and "locale" not in problems.refused \
            and not _LANGUAGE_TAG.fullmatch(clean["locale"]):
        # Checked here for its shape only (i18n picks the catalog), so that what is
        # plainly not a tag, e.g. a name in the wrong column, is never quoted back.
        problems.check(_refuse, LocaleError(
            f"{shown(clean['locale'], LANGUAGE_SHAPE)} is not a language tag",
            field="locale", hint="use a tag such as en, es, zh-Hant or pt-BR"))

    discharge = None
    if clean["discharge_date"] and "discharge_date" not in problems.refused:
        discharge = problems.check(parse_date, clean["discharge_date"], "discharge_date")
    visit = handout.parse(clean, {"discharge_date": discharge}, problems=problems)
    paper = clean["paper"].lower()
    if paper and paper not in ("letter", "a4") and "paper" not in problems.refused:
        problems.check(_refuse, InputError(
            f"{shown(clean['paper'], NO_SHAPE)} is not a paper size", field="paper",
            hint="use letter or a4, or leave it empty to follow the clinic's country"))
    texts = {}
    for name, limit in (("patient_name", MAX_NAME), ("note", MAX_NOTE),
                        ("clinician", MAX_NAME)):
        if name not in problems.refused:
            texts[name] = problems.check(_bounded_text, clean[name], name, limit)
    record_id = clean["record_id"]
    if record_id and not RECORD_ID.fullmatch(record_id) and "record_id" not in problems.refused:
        problems.check(_refuse, InputError(
            f"{shown(record_id, NO_SHAPE)} is not a record id", field="record_id",
            hint=f"use up to {MAX_RECORD_ID} letters, digits, '.', '_' or '-'"))
    return dict(locale=clean["locale"], discharge_date=discharge, visit=visit,
                paper=paper, record_id=record_id, patient_name=texts.get("patient_name"),
                note=texts.get("note"), clinician=texts.get("clinician"))


def _refuse(error: HandoutError):
    raise error


#: Why each kind of refused character matters, for the fix in the error message.
_CHARACTER_HINTS = MappingProxyType({
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
})


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


def unknown_field(key: str, known: tuple[str, ...]) -> InputError:
    """The error for a field the row's handout does not have (`known`: its fields)."""
    hint = "known fields: " + ", ".join(known)
    if isinstance(key, str) and FIELD_NAME.fullmatch(key):
        return InputError(f"unknown field {key!r}", field=key, hint=hint)
    return InputError("has a field whose name is not a known field (the name is not shown)",
                      hint=hint)


#: The shape of a language tag (en, es-419, zh_Hant, en-XA); which one is shipped is
#: i18n's business.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")


def _bounded_text(text: str, field_name: str, limit: int) -> str:
    """Free text (a name, a note), its white space folded to single spaces; its
    characters were checked already (check_characters)."""
    text = " ".join(text.split())
    if len(text) > limit:
        raise InputError(f"is {len(text)} characters long", field=field_name,
                         hint=f"shorten it to {limit} characters or fewer")
    return text


#: The fix for a missing generic field; a handout's own fields bring theirs (fields.toml).
_HINTS = MappingProxyType({
    "locale": "give a language tag such as en, es or pt-BR",
    "discharge_date": "use YYYY-MM-DD, e.g. 2026-11-20",
})
