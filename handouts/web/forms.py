"""Web stage, the form: the inputs a handout's form shows, built from its declared
fields (fields.toml) and the fields every handout has, named by the batch columns.

A second handout gets its form for free: each FieldSpec becomes a FormField (a label,
a one-line explanation for staff, whether it is required, and the widget its kind
calls for). Nothing here knows the first handout's fields by name.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..fields import GENERIC_REQUIRED
from ..records import MAX_NAME, MAX_NOTE, MAX_RECORD_ID
from .interface import N_

#: A choice with this many values or fewer is a row of radio buttons, more a list.
MOST_RADIOS = 4
#: The hidden field carrying the CSRF token: not a column, removed before the job.
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    help: str = ""


@dataclass(frozen=True)
class FormField:
    """One input of the form: `name` is the batch column, `widget` one of text,
    textarea, date, radio, select, language."""
    name: str
    label: str
    help: str
    widget: str
    required: bool = False
    options: tuple[Option, ...] = ()
    max_length: int = 0
    example: str = ""           # shown as "e.g. <example>" in an empty text input
    group: str = "visit"        # patient, visit or print: the form's sections

    @property
    def help_id(self) -> str:
        return f"{self.name}-help"

    @property
    def error_id(self) -> str:
        return f"{self.name}-error"


#: The fields every handout has (records.py), as staff see them.
_LEADING = (
    FormField("locale", N_("Patient's language"),
              N_("The language the handout is printed in."), "language", required=True,
              group="patient"),
    FormField("record_id", N_("Record id"),
              N_("Printed on every page and names the PDF file; letters, digits, '.', '_' "
                 "or '-'. Without it, the initials are printed."),
              "text", max_length=MAX_RECORD_ID, example="MRN-1234", group="patient"),
    FormField("patient_name", N_("Patient's name"),
              N_("Printed in the patient box only; may be left empty. Never in file names."),
              "text", max_length=MAX_NAME, group="patient"),
    FormField("discharge_date", N_("Discharge date"),
              N_("The day the patient leaves; other dates count from it."), "date",
              required=True, group="visit"),
)
_TRAILING = (
    FormField("clinician", N_("Clinician"),
              N_("The clinician's name, printed on the handout."), "text",
              max_length=MAX_NAME, group="visit"),
    FormField("note", N_("Note from the clinician"),
              N_("A short note printed on the handout."), "textarea", max_length=MAX_NOTE,
              group="visit"),
    FormField("paper", N_("Paper size"), N_("Leave as is to follow the clinic's country."),
              "select", options=(Option("", N_("From the clinic's country")),
                                 Option("letter", N_("Letter")), Option("a4", N_("A4"))),
              group="print"),
)
#: The form's sections, in order: (group, heading).
GROUPS = (("patient", N_("Patient")), ("visit", N_("This visit")), ("print", N_("Printing")))


def form_fields(handout_fields, *, own_only: bool = False) -> list[FormField]:
    """The form of a handout (HandoutFields), in the order rows and hints list fields
    (with `own_only`, only the fields its fields.toml declares)."""
    own = [_from_spec(spec) for spec in handout_fields.specs]
    if own_only:
        return own
    fields = list(_LEADING) + own + list(_TRAILING)
    # A column the core gained that this module does not describe yet still gets an
    # input, so the form never lacks a field the command line takes.
    named = {f.name for f in fields}
    fields += [FormField(column, column.replace("_", " ").capitalize(), "", "text")
               for column in handout_fields.known_fields if column not in named]
    required = set(handout_fields.required_fields) | set(GENERIC_REQUIRED)
    return [f if f.required == (f.name in required) else _replace(f, required=f.name in
                                                                  required) for f in fields]


def _replace(field: FormField, **changes) -> FormField:
    from dataclasses import replace
    return replace(field, **changes)


def _from_spec(spec) -> FormField:
    options = tuple(Option(w.value, w.label or w.value, w.help) for w in spec.words)
    help_text = spec.help[:1].upper() + spec.help[1:] if spec.help else spec.hint
    if spec.kind == "choice":
        widget = "radio" if spec.required and len(options) <= MOST_RADIOS else "select"
        if widget == "select":
            options = (Option("", N_("None chosen")),) + options
        return FormField(spec.column, spec.label or spec.column, help_text, widget,
                         spec.required, options)
    if spec.kind == "date":
        return FormField(spec.column, spec.label or spec.column, help_text, "date",
                         spec.required)
    if spec.kind == "text":
        widget = "textarea" if spec.max_length > 120 else "text"
        return FormField(spec.column, spec.label or spec.column, help_text, widget,
                         spec.required, max_length=spec.max_length)
    # until and appointment: typed text (a date, weeks or a word), its words listed.
    return FormField(spec.column, spec.label or spec.column, help_text, "text",
                     spec.required, options, example=spec.example)


def translated(fields: list[FormField], gettext) -> list[FormField]:
    """The form's labels, help and option labels in the interface language."""
    from dataclasses import replace

    def text(string: str) -> str:
        return gettext(string) if string else string
    return [replace(f, label=text(f.label), help=text(f.help),
                    options=tuple(Option(o.value, text(o.label), text(o.help))
                                  for o in f.options)) for f in fields]


def submitted_values(form, known: tuple[str, ...]) -> dict[str, str]:
    """The columns of a submitted form (its other keys, the CSRF token and buttons,
    dropped), as text; what the job and the re-shown form are built from."""
    return {name: str(form.get(name) or "") for name in known}


def errors_by_field(entries: list[dict], known: tuple[str, ...]) -> tuple[dict, list]:
    """The error entries next to their field, and those that belong to no field."""
    by_field, general = {}, []
    for entry in entries:
        if entry["field"] in known and entry["field"] not in by_field:
            by_field[entry["field"]] = entry
        else:
            general.append(entry)
    return by_field, general
