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
from .characters import first_refused, reason_refused
from .errors import HandoutError, InputError, LocaleError, shown

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
    """Build a Job from text fields as typed by a user (command line, CSV, form, JSON).

    Fails closed: every value is first checked for characters that may not be printed
    (see `handouts.characters`), and no error quotes a patient's name, a note or a
    clinician's name.
    """
    unknown = sorted(k for k in values if k not in JOB_FIELDS)
    if unknown:
        raise _unknown_field(unknown[0])
    for name in JOB_FIELDS:
        check_characters(values.get(name) or "", name)
    clean = {k: (values.get(k) or "").strip() for k in JOB_FIELDS}
    for name in REQUIRED_FIELDS:
        if not clean[name]:
            raise InputError("is required", field=name, hint=_HINTS[name])
    if not _LANGUAGE_TAG.fullmatch(clean["locale"]):
        # Checked here for its shape only (i18n picks the catalog), so that what is
        # plainly not a tag, e.g. a name in the wrong column, is never quoted back.
        raise LocaleError(f"{shown(clean['locale'])} is not a language tag", field="locale",
                          hint="use a tag such as en, es, zh-Hant or pt-BR")

    discharge = parse_date(clean["discharge_date"], "discharge_date")
    wait = parse_wait(clean["wait"], discharge)
    follow_up = parse_follow_up(clean["follow_up"], discharge)
    contraception = _choice(clean["contraception"], "contraception", CONTRACEPTION_PLANS)
    rh = _choice(clean["rh"], "rh", RH_STATUSES)
    paper = clean["paper"].lower()
    if paper and paper not in ("letter", "a4"):
        raise InputError(f"{shown(clean['paper'])} is not a paper size", field="paper",
                         hint="use letter or a4, or leave it empty to follow the clinic's country")
    name = _bounded_text(clean["patient_name"], "patient_name", MAX_NAME)
    note = _bounded_text(clean["note"], "note", MAX_NOTE)
    clinician = _bounded_text(clean["clinician"], "clinician", MAX_NAME)
    record_id = clean["record_id"]
    if record_id and not RECORD_ID.fullmatch(record_id):
        raise InputError(f"{shown(record_id)} is not a record id", field="record_id",
                         hint=f"use up to {MAX_RECORD_ID} letters, digits, '.', '_' or '-'")
    return Job(brand=brand, locale=clean["locale"], today=today, discharge_date=discharge,
               wait=wait, contraception=contraception, follow_up=follow_up, rh=rh,
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
    "a lone surrogate (the input was not UTF-8)": "remove it, or retype the value as UTF-8 "
                                                  "text",
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
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")


def _unknown_field(key: str) -> InputError:
    hint = "known fields: " + ", ".join(JOB_FIELDS)
    if isinstance(key, str) and _FIELD_NAME.fullmatch(key):
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
        raise InputError(f"{shown(text)} is not a date", field=field_name,
                         hint="use YYYY-MM-DD, e.g. 2026-11-20") from None


def parse_wait(text: str, discharge: date) -> Wait:
    """`until-bleeding-stops`, a number of weeks (`2w`) or a date (`2026-12-18`)."""
    if text == WAIT_UNTIL_BLEEDING_STOPS:
        return Wait(until_bleeding_stops=True)
    weeks = re.fullmatch(r"(\d{1,2})w", text)
    if weeks:
        count = int(weeks.group(1))
        if not 1 <= count <= 26:
            raise InputError(f"{shown(text)} is out of range", field="wait",
                             hint="use between 1w and 26w")
        return Wait(weeks=count, until=discharge + timedelta(weeks=count))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        until = parse_date(text, "wait")
        if until <= discharge:
            raise InputError(f"{text} is not after the discharge date {discharge.isoformat()}",
                             field="wait", hint="give a date after discharge")
        return Wait(until=until)
    raise InputError(f"{shown(text)} is not a wait", field="wait", hint=_HINTS["wait"])


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
        raise InputError(f"{shown(text)} is not a follow-up", field="follow_up",
                         hint=_HINTS["follow_up"]) from None
    if at.date() < discharge:
        raise InputError(f"{text} is before the discharge date {discharge.isoformat()}",
                         field="follow_up", hint="give the date of the follow-up visit")
    return FollowUp(at=at)


def _choice(text: str, field_name: str, choices: tuple[str, ...]) -> str:
    if text not in choices:
        raise InputError(f"{shown(text)} is not one of {', '.join(choices)}", field=field_name,
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
    "follow_up": "use a date and time YYYY-MM-DD HH:MM, or call",
    "rh": "use given, not-given or not-needed",
}


# -- patient lists: CSV and JSON Lines -> numbered rows ----------------------------------

#: The columns a patient list must have; the other JOB_FIELDS may be left out.
REQUIRED_COLUMNS = REQUIRED_FIELDS
LIST_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


@dataclass(frozen=True)
class Row:
    """One record of a patient list, placed at the line where it starts in the file.

    `fields` are the raw text values by column; `error` is set when the record itself
    could not be read (a CSV row with the wrong number of values, a line that is not a
    JSON object), so that the row fails on its own and the others are still made.
    """
    line: int
    fields: Mapping[str, str]
    error: HandoutError | None = None

    @property
    def record_id(self) -> str:
        """The row's record id for reports (the manifest), or '' when the cell holds
        something that is not a record id (it might be a name in the wrong column; the
        row then fails with a record_id error).

        >>> Row(2, {"record_id": " MRN-1 "}).record_id, Row(2, {"record_id": "Ana P"}).record_id
        ('MRN-1', '')
        """
        value = (self.fields.get("record_id") or "").strip()
        return value if RECORD_ID.fullmatch(value) else ""


@dataclass(frozen=True)
class PatientList:
    source: str
    format: str               # "csv" or "jsonl"
    columns: tuple[str, ...]  # CSV header, normalised; for JSON Lines every key seen
    rows: tuple[Row, ...]


def read_patient_list(path, *, source: str | None = None) -> PatientList:
    """Read a patient list (.csv, or .jsonl / .ndjson) into numbered rows.

    Raises InputError, naming the file and line, when the file as a whole cannot be
    used: it is missing, not UTF-8, not a known format, has no rows, or its columns are
    wrong. A bad record only marks its own row (see `Row.error`).
    """
    from pathlib import Path
    path = Path(path)
    source = source or str(path)
    kind = LIST_FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InputError(f"{path.suffix or 'a file without an extension'!r} is not a "
                         "patient list format", source=source,
                         hint="give a .csv file or a JSON Lines file (.jsonl)")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", source=source,
                         hint="check the path of the patient list") from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", source=source,
                         hint="give the path of a .csv or .jsonl file") from None
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror}", source=source) from None
    text = decode_text(data, source)
    if kind == "csv":
        return parse_csv(text, source)
    return parse_jsonl(text, source)


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 text, with or without a byte order mark; anything else is a clear error.

    >>> decode_text(b"\\xef\\xbb\\xbfa,b", "x.csv")
    'a,b'
    >>> try:
    ...     decode_text(b"a\\nb\\xe9", "x.csv")
    ... except InputError as error:
    ...     print(error.line, error.message)
    2 is not UTF-8 text: byte 0xE9 cannot be read
    """
    hint = "save the file as UTF-8, e.g. in Excel: Save As > CSV UTF-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("is UTF-16 text, not UTF-8", source=source, hint=hint)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(f"is not UTF-8 text: byte 0x{data[exc.start]:02X} cannot be read",
                         source=source, line=line, hint=hint) from None


def normalise_column(name: str) -> str:
    """Header spelling is forgiving: ' Discharge Date ' and 'discharge-date' both work.

    >>> normalise_column(" Discharge Date "), normalise_column("record-id")
    ('discharge_date', 'record_id')
    """
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def _trim(value: str) -> str:
    """The value without the white space around it, except characters that may not be
    printed (a vertical tab, U+0085): those stay, so the value is refused, not cleaned.

    >>> _trim("  Ana \\t"), _trim("\\x0bAna ")
    ('Ana', '\\x0bAna')
    """
    start, end = 0, len(value)
    while start < end and value[start].isspace() and reason_refused(value[start]) is None:
        start += 1
    while end > start and value[end - 1].isspace() and reason_refused(value[end - 1]) is None:
        end -= 1
    return value[start:end]


def check_columns(columns: list[str], source: str, line: int | None) -> None:
    """Unusable input unless every required column is there and every column is known."""
    import difflib
    names = [normalise_column(c) for c in columns]
    if not any(n in JOB_FIELDS for n in names):
        # No column is known: most likely a list without its header, whose first line
        # is a patient's row. Its values are not quoted back.
        raise InputError("is not a header: none of its values is a column name (the line "
                         "is not shown)", source=source, line=line,
                         hint="the first line names the columns: " + ", ".join(JOB_FIELDS)
                              + f"; required: {', '.join(REQUIRED_COLUMNS)}")
    problems = []
    missing = [f for f in REQUIRED_COLUMNS if f not in names]
    unknown = [c for c, n in zip(columns, names) if n and n not in JOB_FIELDS]
    unnamed = [str(i) for i, n in enumerate(names, start=1) if not n]
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if missing:
        problems.append("missing column" + "s" * (len(missing) > 1) + " " + ", ".join(missing))
    if unknown:
        described = []
        for column in unknown:
            close = difflib.get_close_matches(normalise_column(column), JOB_FIELDS, n=1)
            described.append(repr(column.strip())
                             + (f" (did you mean {close[0]}?)" if close else ""))
        problems.append("unknown column" + "s" * (len(unknown) > 1) + " " + ", ".join(described))
    if unnamed:
        problems.append("column" + "s" * (len(unnamed) > 1) + " " + ", ".join(unnamed)
                        + " ha" + ("ve" if len(unnamed) > 1 else "s") + " no name")
    if repeated:
        problems.append("repeated column" + "s" * (len(repeated) > 1) + " "
                        + ", ".join(n if _FIELD_NAME.fullmatch(n) else repr(n)
                                    for n in repeated))
    if problems:
        raise InputError("; ".join(problems), source=source, line=line,
                         hint="the columns are: " + ", ".join(JOB_FIELDS)
                              + f"; required: {', '.join(REQUIRED_COLUMNS)}")


def parse_csv(text: str, source: str) -> PatientList:
    """CSV text -> rows, each numbered by the line where it starts.

    Quoted values may hold commas and line breaks; CRLF or LF; blank lines are skipped;
    spaces around values and column names are ignored.
    """
    import csv
    import io
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, skipinitialspace=True)
    header: list[str] | None = None
    header_line = 0
    rows: list[Row] = []
    start = 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(value.strip() for value in record):
                continue
            if header is None:
                header, header_line = record, line
                check_columns(header, source, line)
                columns = [normalise_column(c) for c in header]
                continue
            if len(record) != len(columns):
                error = InputError(
                    f"has {len(record)} values but the header has {len(columns)} columns",
                    source=source, line=line,
                    hint="put values that contain commas in double quotes, and give every "
                         "column a value (it may be empty)")
                rows.append(Row(line, {}, error))
                continue
            rows.append(Row(line, {c: _trim(v) for c, v in zip(columns, record)}))
    except csv.Error as exc:
        what = str(exc)
        if "unexpected end of data" in what:
            what = "a double quote opened here is never closed"
        raise InputError(f"is not valid CSV: {what}", source=source, line=start,
                         hint='a value with a double quote in it must be quoted and the '
                              'quote doubled, e.g. "say ""hello"""') from None
    if header is None:
        raise InputError("is empty", source=source,
                         hint="the first line names the columns: " + ", ".join(JOB_FIELDS))
    if not rows:
        raise InputError("has no patient rows, only the header", source=source,
                         line=header_line, hint="add one line per patient under the header")
    return PatientList(source, "csv", tuple(columns), tuple(rows))


def parse_jsonl(text: str, source: str) -> PatientList:
    """JSON Lines text -> rows: one JSON object a line; blank lines are skipped.

    Keys are the column names; values are text (numbers are taken as written, null as
    empty). A line that is not a JSON object fails on its own. Lines end at LF (or CRLF)
    only: U+2028 or U+0085 inside a string is part of the value, as JSON says.
    """
    import json
    rows: list[Row] = []
    seen: dict[str, None] = {}
    for line, raw in enumerate(text.split("\n"), start=1):
        raw = raw.removesuffix("\r")
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            rows.append(Row(line, {}, InputError(
                f"is not valid JSON: {exc.msg} at column {exc.colno}", source=source,
                line=line, hint='write one object a line, e.g. {"locale": "en", ...}')))
            continue
        except (ValueError, RecursionError) as exc:
            # A number of thousands of digits, or arrays nested thousands deep.
            what = ("a number is too long" if isinstance(exc, ValueError)
                    else "it is nested too deeply")
            rows.append(Row(line, {}, InputError(
                f"is not valid JSON: {what}", source=source, line=line,
                hint='write one object a line, e.g. {"locale": "en", ...}')))
            continue
        if not isinstance(value, dict):
            rows.append(Row(line, {}, InputError(
                f"is a JSON {type(value).__name__}, not an object", source=source, line=line,
                hint='write one object a line, e.g. {"locale": "en", ...}')))
            continue
        fields: dict[str, str] = {}
        error = None
        for key, item in value.items():
            name = normalise_column(str(key))
            seen.setdefault(name)
            if name not in JOB_FIELDS:
                # Judged on the key as written, so 'Maria Lopez' is not shown as maria_lopez.
                error = error or _unknown_field(str(key)).located(source, line)
                continue
            if item is None:
                item = ""
            elif isinstance(item, bool) or not isinstance(item, (str, int, float)):
                error = error or InputError(
                    f"is a JSON {type(item).__name__}, not text", source=source, line=line,
                    field=name, hint='write the value as text in quotes')
                continue
            fields[name] = _trim(str(item))
        rows.append(Row(line, fields, error))
    if not rows:
        raise InputError("has no patient rows", source=source,
                         hint='write one JSON object a line, e.g. {"locale": "en", ...}')
    return PatientList(source, "jsonl", tuple(seen), tuple(rows))


def job_from_row(row: Row, *, brand: Brand, today: date, source: str,
                 handout: str = DEFAULT_HANDOUT) -> Job:
    """The Job for one row; every error is placed at the row's line in the list."""
    if row.error is not None:
        raise row.error
    try:
        return job_from_fields(row.fields, brand=brand, today=today, handout=handout)
    except HandoutError as error:
        raise error.located(source, row.line) from None
