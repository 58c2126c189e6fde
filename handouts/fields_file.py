"""Records stage, declarations: a handout's fields.toml -> checked `HandoutFields`.

Read once per handout (the Library keeps the result). Every problem is a TemplateError
naming the file, the line and the key, with the fix: a misspelt key, an unknown kind, a
choice without values, a rule naming a field not declared above it, an example that
its own field refuses. Nothing is guessed or silently left out: a field the clinic meant
to declare and did not would be a handout printed without it.
"""
from __future__ import annotations

from types import MappingProxyType
import difflib
import re
from pathlib import Path

from .errors import InputError, TemplateError
from .fields import (GENERIC_DATES, GENERIC_LEADING, GENERIC_TRAILING, KINDS, FieldSpec,
                     HandoutFields, Rule, Word)
from .input_files import key_line, read_toml
from .resources import relative

FIELDS_FILE = "fields.toml"
MAX_FILE_BYTES = 1_000_000
NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
OPTION = re.compile(r"--[a-z][a-z0-9-]{0,39}")
#: A choice's value or a word: lower case, starting with a letter, so that it never looks
#: like a date, a number of weeks or (being quoted in hints) a person's name.
WORD = re.compile(r"[a-z][a-z0-9-]{0,39}")

#: What a field may not be called: the Job's own attributes, the template's other
#: values, and the methods of the dict the template reads it from (`visit.items` would
#: be the method); nor may its option be one the command line has already (cli.py).
_JOB_NAMES = GENERIC_LEADING + GENERIC_TRAILING + (
    "today", "brand", "handout", "visit", "patient", "name_in_metadata", "allow_fallback")
RESERVED_NAMES = _JOB_NAMES + tuple(name for name in dir(dict) if not name.startswith("_"))
RESERVED_OPTIONS = tuple("--" + n.replace("_", "-") for n in _JOB_NAMES) + (
    "--out", "--templates", "--help")

_COMMON = ("kind", "label", "help", "hint", "required", "option", "column", "example")
_DATE_RULES = ("after", "after_hint", "not_before", "not_before_hint")
_REFUSED = ("refused_if", "refused_message", "refused_hint")
KEYS = MappingProxyType({
    "choice": _COMMON + ("values",) + _REFUSED,
    "date": _COMMON + _DATE_RULES + _REFUSED,
    "appointment": _COMMON + ("noun", "words") + _DATE_RULES + _REFUSED,
    "until": _COMMON + ("noun", "words", "weeks") + _DATE_RULES + _REFUSED,
    "text": _COMMON + ("max_length",) + _REFUSED,
})
_NOUNS = MappingProxyType({"appointment": "appointment", "until": "wait"})
#: The keys that say more about a rule, and the rule's own key they need.
_RULE_PARTS = MappingProxyType({"after_hint": "after", "not_before_hint": "not_before",
               "refused_message": "refused_if", "refused_hint": "refused_if"})


def read_fields_file(folder: Path) -> HandoutFields:
    path = Path(folder) / FIELDS_FILE
    where = relative(path)
    try:
        text, data = read_toml(path, where, MAX_FILE_BYTES, TemplateError)
    except FileNotFoundError:
        raise TemplateError("file not found", source=where,
                            hint="a handout declares its per-visit fields in fields.toml "
                                 "(see templates/miscarriage-recovery/fields.toml)") from None
    reader = _FieldsFile(where, text)
    specs: list[FieldSpec] = []
    for name, table in data.items():
        specs.append(reader.field(name, table, specs))
    fields = HandoutFields(Path(folder).name, tuple(specs))
    reader.check_examples(fields)
    return fields


class _FieldsFile:
    """One fields.toml being read: where it is and its text, to place each error."""

    def __init__(self, where: str, text: str):
        self.where, self.text = where, text

    def error(self, message: str, key: str, hint: str, line: int | None = None):
        """The error at `key`'s line; a key that is missing is placed at its table's."""
        place = key
        while line is None and place:
            line = key_line(self.text, place)
            place = place.rpartition(".")[0]
        return TemplateError(message, source=self.where, line=line, field=key, hint=hint)

    # -- one field -------------------------------------------------------------------------

    def field(self, name: str, table, before: list[FieldSpec]) -> FieldSpec:
        if not NAME.fullmatch(name):
            raise self.error("is not a field name", name, "use lower-case letters, digits "
                             "and _ (at most 32), starting with a letter")
        if not isinstance(table, dict):
            raise self.error("is not a field", name, f"each field is a table: write [{name}] "
                             "and its keys (kind, label, help, ...) under it")
        if name in RESERVED_NAMES:
            raise self.error("is a field every handout has already, or a name the template "
                             "uses", name, "give the handout's field another name")
        kind = table.get("kind")
        if kind not in KINDS:
            raise self.error("is required" if kind is None else
                             f"{_quoted(kind)} is not a kind of field", f"{name}.kind",
                             "use one of " + ", ".join(KINDS))
        for key in table:
            if key not in KEYS[kind]:
                close = difflib.get_close_matches(key, KEYS[kind], n=1)
                raise self.error("unknown key", f"{name}.{key}",
                                 f"did you mean {close[0]}?" if close else
                                 f"a {kind} field takes: " + ", ".join(KEYS[kind]))
        words = self.words(name, table, "values" if kind == "choice" else "words",
                           required=kind == "choice")
        option = self.text_value(name, table, "option", "--" + name.replace("_", "-"))
        column = self.text_value(name, table, "column", name)
        self.check_names(name, option, column, before)
        weeks = self.weeks(name, table.get("weeks")) if "weeks" in table else None
        max_length = table.get("max_length")
        if kind == "text" and (not _integer(max_length) or max_length < 1):
            raise self.error("is required, a whole number of characters" if max_length is None
                             else "must be a whole number of characters, 1 or more",
                             f"{name}.max_length", "free text is always bounded: add "
                             "max_length = 300, or what the page has room for")
        spec = FieldSpec(
            name=name, kind=kind, required=self.flag(name, table, "required"),
            label=self.text_value(name, table, "label"),
            help=self.text_value(name, table, "help"),
            hint=self.text_value(name, table, "hint", _default_hint(kind, words, weeks,
                                                                    max_length)),
            option=option, column=column,
            example=self.text_value(name, table, "example", ""),
            noun=self.text_value(name, table, "noun", _NOUNS.get(kind, "")),
            words=words, weeks=weeks, max_length=max_length or 0,
            rules=self.rules(name, kind, table, before))
        if spec.required and not spec.example:
            raise self.error("is required for a required field", f"{name}.example",
                             "give a valid value: it makes the sample and warm-up handouts")
        return spec

    def text_value(self, name: str, table: dict, key: str, default: str | None = None) -> str:
        if key not in table:
            if default is None:
                raise self.error("is required", f"{name}.{key}", f'add {key} = "..." (English)')
            return default
        value = table[key]
        if not isinstance(value, str) or not value.isprintable() or (key != "example"
                                                                    and not value.strip()):
            raise self.error("must be text in quotes, on one line", f"{name}.{key}",
                             f'write {key} = "..."')
        if key == "option" and (not OPTION.fullmatch(value) or value in RESERVED_OPTIONS):
            raise self.error(f"{_quoted(value)} cannot be an option", f"{name}.option",
                             "use -- and lower-case letters, digits and -, not one of "
                             + ", ".join(RESERVED_OPTIONS))
        if key == "column" and (not NAME.fullmatch(value) or value in RESERVED_NAMES):
            raise self.error(f"{_quoted(value)} cannot be a column", f"{name}.column",
                             "use lower-case letters, digits and _, not a generic field")
        return value

    def flag(self, name: str, table: dict, key: str) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            raise self.error("must be true or false", f"{name}.{key}",
                             f"write {key} = true, or leave it out for false")
        return value

    def check_names(self, name: str, option: str, column: str, before) -> None:
        for other in before:
            if option == other.option or column == other.column:
                what = "option" if option == other.option else "column"
                raise self.error(f"is also the {what} of {other.name}", f"{name}.{what}",
                                 f"give each field its own {what}")

    def words(self, name: str, table: dict, key: str, required: bool) -> tuple[Word, ...]:
        items = table.get(key, [])
        base = key_line(self.text, f"{name}.{key}")
        hint = (f'write {key} = [ {{ value = "...", label = "...", help = "..." }}, ... ], '
                "one value a line")
        if not isinstance(items, list) or (required and not items):
            raise self.error("a choice needs its values" if required and key not in table
                             else "must be a list of values", f"{name}.{key}", hint)
        words: list[Word] = []
        for number, item in enumerate(items, start=1):
            where = f"{name}.{key}[{number}]"
            line = _item_line(self.text, base, number)
            if not isinstance(item, dict):
                raise self.error("must be a table { value = ..., label = ..., help = ... }",
                                 where, hint, line)
            for part in item:
                if part not in ("value", "label", "help"):
                    raise self.error("unknown key", f"{where}.{part}",
                                     "a value takes: value, label, help", line)
            value = item.get("value")
            if not isinstance(value, str) or not WORD.fullmatch(value):
                raise self.error("is required" if value is None else
                                 f"{_quoted(value)} cannot be a value", f"{where}.value",
                                 "use lower-case letters, digits and -, starting with a "
                                 "letter", line)
            if value in (word.value for word in words):
                raise self.error(f"repeats the value {value}", f"{where}.value",
                                 "give each value once", line)
            texts = []
            for part in ("label", "help"):
                text = item.get(part)
                if not isinstance(text, str) or not text.strip() or not text.isprintable():
                    raise self.error("is required, as text in quotes" if text is None else
                                     "must be text in quotes", f"{where}.{part}",
                                     "say in plain English what the value means", line)
                texts.append(text)
            words.append(Word(value, *texts))
        return tuple(words)

    def weeks(self, name: str, value) -> tuple[int, int]:
        if not (isinstance(value, list) and len(value) == 2 and all(map(_integer, value))
                and 1 <= value[0] <= value[1] <= 520):
            raise self.error("must be [fewest, most] weeks", f"{name}.weeks",
                             "write weeks = [1, 26]: whole numbers, at most 520")
        return value[0], value[1]

    # -- rules -----------------------------------------------------------------------------

    def rules(self, name: str, kind: str, table: dict, before: list[FieldSpec]):
        rules = []
        for test in ("after", "not_before"):
            if test not in table:
                continue
            target = table[test]
            earlier = {s.name: s for s in before}
            if not (target in GENERIC_DATES or (isinstance(target, str) and target in earlier
                                                and earlier[target].kind == "date")):
                raise self.error(f"{_quoted(target)} is not a date field declared above",
                                 f"{name}.{test}", "name discharge_date, or a date field "
                                 "declared above this one")
            if kind == "until" and target in earlier and not earlier[target].required:
                raise self.error("must be a required date: the weeks count from it",
                                 f"{name}.{test}", "name discharge_date or a required date")
            default = ("give a date after the " if test == "after" else
                       "give a date on or after the ") + target.replace("_", " ")
            rules.append(Rule(test, target, hint=self.text_value(name, table, f"{test}_hint",
                                                                 default)))
        if kind == "until" and not any(rule.test == "after" for rule in rules):
            raise self.error("is required for an until field: its weeks count from it",
                             f"{name}.after", 'add after = "discharge_date"')
        for key, rule_key in _RULE_PARTS.items():
            if key in table and rule_key not in table:
                raise self.error(f"is given without {rule_key}", f"{name}.{key}",
                                 f"add {rule_key}, or leave {key} out")
        if "refused_if" in table:
            rules.append(self.refused_if(name, table, before))
        return tuple(rules)

    def refused_if(self, name: str, table: dict, before: list[FieldSpec]) -> Rule:
        condition = table["refused_if"]
        key = f"{name}.refused_if"
        hint = 'write refused_if = { other_field = "value" } (or a list of values)'
        if not isinstance(condition, dict) or len(condition) != 1:
            raise self.error("must name one field and its values", key, hint)
        (target, values), = condition.items()
        earlier = {s.name: s for s in before if s.kind == "choice"}
        if target not in earlier:
            raise self.error(f"{_quoted(target)} is not a choice field declared above", key,
                             "name a choice field declared above this one")
        values = [values] if isinstance(values, str) else values
        if not isinstance(values, list) or not values or \
                not all(value in earlier[target].allowed for value in values):
            raise self.error(f"must be values of {target}", key,
                             f"use some of: {', '.join(earlier[target].allowed)}")
        values = tuple(values)
        return Rule("refused_if", target, values, message=self.text_value(
            name, table, "refused_message",
            f"is given while {target} is {' or '.join(values)}"), hint=self.text_value(
            name, table, "refused_hint", f"leave it empty, or change {target}"))

    # -- examples --------------------------------------------------------------------------

    def check_examples(self, fields: HandoutFields) -> None:
        """Every example is a value its field takes, all of them together (the rules
        between them included): they make the sample and warm-up handouts."""
        try:
            fields.parse(fields.example_values())
        except InputError as error:
            name = next((s.name for s in fields.specs if s.column == error.field), "")
            raise self.error(f"is not a valid value: {error.message}", f"{name}.example",
                             error.hint or "give a value the field takes") from None


def _default_hint(kind: str, words: tuple[Word, ...], weeks, max_length) -> str:
    """The fix for a bad value, when fields.toml does not give its own."""
    values = [word.value for word in words]
    listed = ", ".join(values[:-1]) + " or " + values[-1] if len(values) > 1 else \
        "".join(values)
    if kind == "choice":
        return f"use {listed}"
    if kind == "appointment":
        return "use a date and time YYYY-MM-DD HH:MM" + (f", or {listed}" if values else "")
    if kind == "until":
        return "use " + "".join(f"{v}, " for v in values) + (
            f"a number of weeks such as {weeks[0]}w, " if weeks else "") + "or a date YYYY-MM-DD"
    if kind == "text":
        return f"use at most {max_length} characters" if _integer(max_length) else ""
    return "use YYYY-MM-DD, e.g. 2026-11-20"


def _item_line(text: str, start: int | None, number: int) -> int | None:
    """The line where the `number`-th { ... } of the list starting on line `start` opens
    (one value a line, as the shipped files are written); None when it cannot be told."""
    if start is None:
        return None
    depth, seen, quote, escaped = 0, 0, "", False
    for offset, line in enumerate(text.splitlines()[start - 1:]):
        if offset == 0:
            line = line.partition("=")[2]          # the list starts after `values =`
        for char in line:
            if quote:                              # inside a string: only its end counts
                if escaped:
                    escaped = False
                elif char == "\\" and quote == '"':
                    escaped = True
                elif char == quote:
                    quote = ""
            elif char in "\"'":
                quote = char
            elif char == "#":
                break
            elif char in "[{":
                depth += 1
                if char == "{" and depth == 2:
                    seen += 1
                    if seen == number:
                        return start + offset
            elif char in "]}":
                depth -= 1
                if depth <= 0:
                    return None
    return None


def _integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _quoted(value) -> str:
    """A value from the file for an error: short, one line."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


__all__ = ["read_fields_file", "FIELDS_FILE", "KEYS", "RESERVED_NAMES", "RESERVED_OPTIONS"]
