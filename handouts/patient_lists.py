"""Records stage, for print rooms: a patient list (CSV or JSON Lines) -> numbered rows,
each made into a Job by records.job_from_fields and placed at its line in the file. The
columns are the generic fields and the handout's own (its fields.toml, as HandoutFields).

A file that cannot be used as a whole (missing, not UTF-8, wrong columns) is one error
naming the file and line; a bad record fails only its own row, so the others are made.
"""
from __future__ import annotations

from types import MappingProxyType
import re
from dataclasses import dataclass
from datetime import date
from typing import Mapping

from .brand import Brand
from .characters import reason_refused
from .errors import HandoutError, InputError
from .fields import HandoutFields
from .input_files import UnusableFile, read_bounded
from .records import FIELD_NAME, RECORD_ID, Job, field_problems, job_from_fields, unknown_field

LIST_FORMATS = MappingProxyType({".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"})
#: A day's list is a few hundred rows; a million rows of a full record each is ~1 GB.
MAX_LIST_BYTES = 500_000_000


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


def read_patient_list(path, *, handout: HandoutFields, source: str | None = None
                      ) -> PatientList:
    """Read a patient list (.csv, or .jsonl / .ndjson) for `handout` into numbered rows.

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
        data = read_bounded(path, MAX_LIST_BYTES)
    except UnusableFile as exc:
        raise InputError(exc.message, source=source, hint=exc.hint) from None
    except ValueError:          # a NUL in the path
        raise InputError("is not a usable path", source=repr(source),
                         hint="give the path of a .csv or .jsonl file") from None
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
        return parse_csv(text, source, handout=handout)
    return parse_jsonl(text, source, handout=handout)


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


def check_columns(columns: list[str], source: str, line: int | None,
                  handout: HandoutFields) -> None:
    """Unusable input unless every column the handout requires is there and every column
    is one of its known fields."""
    import difflib
    known, required = handout.known_fields, handout.required_fields
    names = [normalise_column(c) for c in columns]
    if not any(n in known for n in names):
        # No column is known: most likely a list without its header, whose first line
        # is a patient's row. Its values are not quoted back.
        raise InputError("is not a header: none of its values is a column name (the line "
                         "is not shown)", source=source, line=line,
                         hint="the first line names the columns: " + ", ".join(known)
                              + f"; required: {', '.join(required)}")
    problems = []
    missing = [f for f in required if f not in names]
    unknown = [c for c, n in zip(columns, names) if n and n not in known]
    unnamed = [str(i) for i, n in enumerate(names, start=1) if not n]
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if missing:
        problems.append("missing column" + "s" * (len(missing) > 1) + " " + ", ".join(missing))
    if unknown:
        described = []
        for column in unknown:
            close = difflib.get_close_matches(normalise_column(column), known, n=1)
            described.append(repr(column.strip())
                             + (f" (did you mean {close[0]}?)" if close else ""))
        problems.append("unknown column" + "s" * (len(unknown) > 1) + " " + ", ".join(described))
    if unnamed:
        problems.append("column" + "s" * (len(unnamed) > 1) + " " + ", ".join(unnamed)
                        + " ha" + ("ve" if len(unnamed) > 1 else "s") + " no name")
    if repeated:
        problems.append("repeated column" + "s" * (len(repeated) > 1) + " "
                        + ", ".join(n if FIELD_NAME.fullmatch(n) else repr(n)
                                    for n in repeated))
    if problems:
        raise InputError("; ".join(problems), source=source, line=line,
                         hint="the columns are: " + ", ".join(known)
                              + f"; required: {', '.join(required)}")


def parse_csv(text: str, source: str, *, handout: HandoutFields) -> PatientList:
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
                check_columns(header, source, line, handout)
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
                         hint="the first line names the columns: "
                              + ", ".join(handout.known_fields))
    if not rows:
        raise InputError("has no patient rows, only the header", source=source,
                         line=header_line, hint="add one line per patient under the header")
    return PatientList(source, "csv", tuple(columns), tuple(rows))


def parse_jsonl(text: str, source: str, *, handout: HandoutFields) -> PatientList:
    """JSON Lines text -> rows: one JSON object a line; blank lines are skipped.

    Keys are the column names; values are text (numbers are taken as written, null as
    empty). A line that is not a JSON object fails on its own. Lines end at LF (or CRLF)
    only: U+2028 or U+0085 inside a string is part of the value, as JSON says.
    """
    import json
    known = handout.known_fields
    rows: list[Row] = []
    seen: dict[str, None] = {}
    for line, raw in enumerate(text.split("\n"), start=1):
        raw = raw.removesuffix("\r")
        if not raw.strip():
            continue
        try:
            value = json.loads(raw, object_pairs_hook=_Pairs)
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
        if not isinstance(value, _Pairs):
            rows.append(Row(line, {}, InputError(
                f"is a JSON {_kind(value)}, not an object", source=source, line=line,
                hint='write one object a line, e.g. {"locale": "en", ...}')))
            continue
        fields: dict[str, str] = {}
        error = None
        for key, item in value:
            name = normalise_column(str(key))
            if name in known:
                seen.setdefault(name)
            if name in fields:
                error = error or InputError(
                    "repeats a field (two keys that name the same column)", source=source,
                    line=line, field=name, hint="give each field once")
                continue
            if name not in known:
                # Judged on the key as written, so 'Maria Lopez' is not shown as maria_lopez.
                error = error or unknown_field(str(key), known).located(source, line)
                continue
            if item is None:
                item = ""
            elif isinstance(item, bool) or not isinstance(item, (str, int, float)):
                error = error or InputError(
                    f"is a JSON {_kind(item)}, not text", source=source, line=line,
                    field=name, hint='write the value as text in quotes')
                continue
            fields[name] = _trim(str(item))
        rows.append(Row(line, fields, error))
    if not rows:
        raise InputError("has no patient rows", source=source,
                         hint='write one JSON object a line, e.g. {"locale": "en", ...}')
    return PatientList(source, "jsonl", tuple(seen), tuple(rows))


class _Pairs(list):
    """A JSON object as its (key, value) pairs, in order and with repeated keys kept: a
    repeated field is an error, never the last value silently winning."""


def _kind(value: object) -> str:
    return "dict" if isinstance(value, _Pairs) else type(value).__name__


def job_from_row(row: Row, *, handout: HandoutFields, brand: Brand, today: date,
                 source: str) -> Job:
    """The Job for one row of a list for `handout`; every error is placed at the row's
    line in the list."""
    if row.error is not None:
        raise row.error
    try:
        return job_from_fields(row.fields, handout=handout, brand=brand, today=today)
    except HandoutError as error:
        raise _naming_the_others(error.located(source, row.line), row.fields,
                                 handout) from None


def _naming_the_others(error: HandoutError, fields, handout: HandoutFields) -> HandoutError:
    """The row's first problem, its hint naming the other fields refused too, so a
    print room fixes the row once, not once per run (still one line a row)."""
    others = [problem.field for problem in field_problems(fields, handout=handout)
              if problem.field and problem.field != error.field]
    if not others or type(error).located is not HandoutError.located:
        return error
    also = "this row also has problems in " + ", ".join(dict.fromkeys(others))
    return type(error)(error.message, source=error.source, line=error.line,
                       field=error.field, hint=f"{error.hint}; {also}" if error.hint else also)
