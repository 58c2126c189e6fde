"""Locale stage, the gate: the rules a translated catalog must pass before any patient's
handout is printed from it.

The same rules run for `locales check` (a translator's question) and whenever a catalog
is loaded to print (the answer for a patient), so a catalog that fails the check can
never print. Each broken rule is one `Problem` at the .po line it concerns, with the fix.

What is checked here is what a machine can check: every entry translated and not fuzzy;
placeholders, numbers (whole tokens, by value), markup tags and characters that would
break the markup kept as in the English; no bidi override or isolate characters; no long
English left unchanged by accident; the plural formula well formed and the same as
CLDR's; every character printable. A swapped sentence or a dropped "not" reads as fluent
text: that is what the medical review is for.
"""
from __future__ import annotations

from types import MappingProxyType
import gettext
import re
import tomllib
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog

from .characters import BIDI_CONTROLS
from .errors import HandoutError
from .input_files import key_line, toml_error_line

MAX_LENGTH = re.compile(r"Max (\d+) characters")
TAG = re.compile(r"</?[\w-]+/?>")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
#: A '%' and what follows it: a literal '%%', a placeholder, or anything else (an error:
#: every string goes through %-formatting, so a bare '%' breaks or garbles it).
PERCENT = re.compile(r"%(%|\((\w+)\)s|\(?[\w ]{0,3})")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
ENTITY = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9A-Fa-f]+);)")
#: English of at least this many letters left word for word is an oversight, unless the
#: translator says it is kept on purpose (`# kept: why`): shorter ones are codes ("OK").
ENGLISH_LETTERS = 4
KEPT_COMMENT = re.compile(r"^\s*kept\b", re.IGNORECASE)
PLURAL_SAMPLES = range(1200)
SETTINGS_KEYS = MappingProxyType({"digits": ("latin", "native")})


@dataclass(frozen=True)
class Problem:
    """One broken rule in one catalog entry."""
    file: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.rule}: {self.message}"


@dataclass(frozen=True)
class LocaleSettings:
    """locales/<id>/settings.toml: how the rules read this language. `digits = "native"`
    lets the catalog write numbers in its own digits (٢, २, ၂), compared by value."""
    digits: str = "latin"


def read_settings(path: Path, where: str, content: bytes | None
                  ) -> tuple[LocaleSettings, list[Problem]]:
    """The locale's settings from the file's bytes as already read (None: there is no
    file), and the problems of a settings file that cannot be used."""
    if content is None:
        return LocaleSettings(), []
    try:
        data = tomllib.loads(content.decode("utf-8"))
    except OSError as exc:
        return LocaleSettings(), [Problem(where, 0, "settings", f"cannot be read: "
                                                               f"{exc.strerror or exc} (make it "
                                                               "a readable file)")]
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return LocaleSettings(), [Problem(where, toml_error_line(exc) or 0, "settings",
                                          f"is not valid TOML: {exc} "
                                          '(write e.g. digits = "native")')]
    problems = []
    for key, value in data.items():
        allowed = SETTINGS_KEYS.get(key)
        if allowed is None:
            problems.append(Problem(where, _line(path, key), "settings",
                                    f"unknown setting {key!r} (the settings are: "
                                    f"{', '.join(SETTINGS_KEYS)})"))
        elif value not in allowed:
            problems.append(Problem(where, _line(path, key), "settings",
                                    f"{key} = {value!r} (use one of: {', '.join(allowed)})"))
    return LocaleSettings(**{k: v for k, v in data.items() if k in SETTINGS_KEYS}), problems


def _line(path: Path, key: str) -> int:
    return key_line(path.read_text("utf-8"), key) or 0


def check_catalog(catalog: Catalog, template: Catalog, *, where: str, template_where: str,
                  locale_id: str, settings: LocaleSettings = LocaleSettings(),
                  text=None) -> list[Problem]:
    """Every rule the catalog breaks, in file order; empty means it may print. `text`
    is the Typesetter whose fonts must draw every translation (None: not checked)."""
    problems = _entries_match(catalog, template, where, template_where, locale_id)
    problems += _plural_header(where, catalog, locale_id)
    num_plurals = _safe_num_plurals(catalog)
    from translate.filters import checks
    checker = checks.StandardChecker()
    for message in catalog:
        if not message.id:
            continue
        source = template.get(message.id)
        comments = source.auto_comments if source is not None else message.auto_comments
        problems += _check_message(where, message, num_plurals, checker, locale_id,
                                   comments, settings, text)
    return sorted(problems, key=lambda p: (p.file != where, p.line, p.rule))


def _ids(catalog: Catalog) -> dict:
    return {m.id: m for m in catalog if m.id}


def _short(message_id) -> str:
    text = message_id[0] if isinstance(message_id, tuple) else message_id
    return repr(text[:50])


def _entries_match(catalog, template, where, template_where, locale_id) -> list[Problem]:
    """Every English string the template prints has its entry (a missing one would print
    in English), and the catalog holds no entry the template no longer has."""
    ours, theirs = _ids(catalog), _ids(template)
    update = f"run: python generate.py locales update {locale_id}"
    problems = [Problem(template_where, message.lineno, "missing",
                        f"{_short(key)} has no entry in {where} ({update}, then translate it)")
                for key, message in theirs.items() if key not in ours]
    problems += [Problem(where, message.lineno, "stale",
                         f"{_short(key)} is no longer in the English ({update})")
                 for key, message in ours.items() if key not in theirs]
    return problems


def _safe_num_plurals(catalog: Catalog) -> int:
    try:
        return catalog.num_plurals
    except Exception:  # a garbled header: reported by _plural_header
        return 2


def _plural_header(where: str, catalog: Catalog, locale_id: str) -> list[Problem]:
    """The Plural-Forms header must be a well-formed formula that picks the same form as
    CLDR for every count (compared by value, so equivalent formulas are accepted)."""
    try:
        expected = Catalog(locale=locale_id)
        fix = f"(set the header to: {expected.plural_forms})"
    except Exception:
        return []
    try:
        said = f"the header says nplurals={catalog.num_plurals}; plural={catalog.plural_expr}"
        ours = gettext.c2py(catalog.plural_expr)
        if catalog.num_plurals != expected.num_plurals:
            return [Problem(where, 1, "plural-forms",
                            f"{said}, but CLDR has {expected.num_plurals} forms for "
                            f"{locale_id} {fix}")]
        cldr = gettext.c2py(expected.plural_expr)
        wrong = [n for n in PLURAL_SAMPLES if ours(n) != cldr(n)]
        outside = [n for n in PLURAL_SAMPLES if not 0 <= ours(n) < catalog.num_plurals]
    except Exception as exc:   # garbage in the header: a problem line, never a traceback
        return [Problem(where, 1, "plural-forms", f"the Plural-Forms header cannot be read "
                                                  f"({type(exc).__name__}) {fix}")]
    if outside:
        return [Problem(where, 1, "plural-forms", f"{said}; n={outside[0]} picks a form that "
                                                  f"does not exist {fix}")]
    if wrong:
        return [Problem(where, 1, "plural-forms",
                        f"{said}; forms {PLURAL_SAMPLES.start}..{PLURAL_SAMPLES.stop - 1} "
                        f"differ from CLDR at n={wrong[0]} {fix}")]
    return []


def _check_message(where, message, num_plurals, checker, locale_id, comments, settings,
                   text) -> list[Problem]:
    from .catalog_numbers import numbers
    line = message.lineno
    source_forms = message.id if isinstance(message.id, tuple) else (message.id,)
    target_forms = message.string if isinstance(message.string, tuple) else (message.string,)
    short = repr(source_forms[0][:50])
    if message.fuzzy:
        return [Problem(where, line, "fuzzy", f"{short} is marked fuzzy: the English "
                                              "changed; check the translation against it, "
                                              "then remove the fuzzy flag")]
    filled = sum(1 for form in target_forms if form)
    if len(source_forms) > 1 and 0 < filled < num_plurals:
        # Babel pads missing msgstr[N] with empty strings, so count the filled ones.
        return [Problem(where, line, "plural-forms",
                        f"{short} has {filled} plural forms; {locale_id} needs "
                        f"{num_plurals} (add the missing msgstr[N])")]
    if not filled or filled < len(target_forms):
        return [Problem(where, line, "untranslated", f"{short} has no translation")]
    problems = []
    limit = next((int(m.group(1)) for comment in comments
                  if (m := MAX_LENGTH.search(comment))), None)
    kept = any(KEPT_COMMENT.match(comment) for comment in message.user_comments)
    for index, target in enumerate(target_forms):
        # The first form compares with msgid, the others with msgid_plural.
        source = source_forms[0] if index == 0 else source_forms[-1]
        label = f" (form {index})" if len(target_forms) > 1 else ""
        found = []
        found += _placeholders(source, target)
        found += numbers(source, target, settings)
        found += _tags(source, target)
        found += _markup(source, target)
        found += _bidi(target)
        found += _pofilter(checker, source, target)
        if not kept and _same_words(target, source) and _is_words(source):
            found.append(("untranslated", "is the English (translate it; if it is "
                                          "kept on purpose, a name or a code, add the "
                                          "translator comment '# kept: why' to the entry)"))
        if limit is not None and len(TAG.sub("", target)) > limit:
            found.append(("length", f"is {len(TAG.sub('', target))} characters; the space "
                                    f"allows {limit} (shorten it)"))
        if text is not None:
            found += _font(target, locale_id, text)
        problems += [Problem(where, line, rule, f"{short}{label}: {text}")
                     if rule not in ("numbers",) else Problem(where, line, rule, text + label)
                     for rule, text in found]
    return problems


def _words(text: str) -> str:
    """The words of a string, as a reader compares them: no tags, placeholders, case,
    punctuation or spacing."""
    text = PLACEHOLDER.sub(" ", TAG.sub(" ", text)).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def _same_words(target: str, source: str) -> bool:
    return _words(target) == _words(source)


def _is_words(source: str) -> bool:
    return sum(char.isalpha() for char in _words(source)) >= ENGLISH_LETTERS


def _unescaped(text: str) -> str:
    """The text with literal '%%' removed: '%%(date)s' prints as text, not a date."""
    return text.replace("%%", "")


def _placeholders(source: str, target: str) -> list[tuple[str, str]]:
    problems = []
    for match in PERCENT.finditer(target):
        if match.group(1) != "%" and match.group(2) is None:
            problems.append(("printf", "a '%' must be written '%%' (every string is filled "
                                       "in with %(name)s values, where a single % breaks it)"))
            break
    wanted = Counter(PLACEHOLDER.findall(_unescaped(source)))
    given = Counter(PLACEHOLDER.findall(_unescaped(target)))
    for name in sorted(wanted - given):
        close = sorted(given - wanted)
        renamed = f" (it was renamed %({close[0]})s?)" if close else ""
        problems.append(("printf", f"%({name})s of the English is missing{renamed} (keep every "
                                   "%(name)s placeholder exactly as in the English)"))
    for name in sorted(given - wanted):
        if not (wanted - given):
            problems.append(("printf", f"%({name})s is not in the English (use only: "
                                       + (", ".join(f"%({n})s" for n in sorted(wanted))
                                          or "no placeholders") + ")"))
    return problems


def _tags(source: str, target: str) -> list[tuple[str, str]]:
    wanted, given = Counter(TAG.findall(source)), Counter(TAG.findall(target))
    keep = f"keep the tags of the English: {' '.join(TAG.findall(source)) or 'none'}"
    problems = [("xmltags", f"{tag} is not in the English ({keep})")
                for tag in sorted(given - wanted)]
    problems += [("xmltags", f"{tag} of the English is missing ({keep})")
                 for tag in sorted(wanted - given)]
    if not problems and not _balanced(target):
        problems.append(("xmltags", f"the tags are not closed in order ({keep})"))
    if not problems:
        wanted, given = _enclosing(source), _enclosing(target)
        present = {name for name, _ in given}
        for name, tags in sorted(set(wanted) - set(given)):
            if name not in present:
                continue        # a missing placeholder is the printf rule's
            inside = " ".join(f"<{t}>" for t in tags) or "no tag"
            problems.append(("xmltags", f"%({name})s must be inside {inside} as in the English "
                                        "(keep each placeholder inside the same tags)"))
    return problems


def _enclosing(text: str) -> Counter:
    """Each placeholder with the tags around it: <phone>%(number)s</phone> keeps a number
    whole and left to right, so the placeholder must stay inside its tags."""
    found, stack = Counter(), []
    for token in re.finditer(rf"{TAG.pattern}|{PLACEHOLDER.pattern}", _unescaped(text)):
        tag = token.group(0)
        if token.group(1):
            found[(token.group(1), tuple(stack))] += 1
        elif tag.startswith("</"):
            if stack:
                stack.pop()
        elif not tag.endswith("/>"):
            stack.append(tag[1:-1])
    return found


def _balanced(text: str) -> bool:
    stack = []
    for tag in TAG.findall(text):
        if tag.endswith("/>"):
            continue
        if tag.startswith("</"):
            if not stack or stack.pop() != tag[2:-1]:
                return False
        else:
            stack.append(tag[1:-1])
    return not stack


def _markup(source: str, target: str) -> list[tuple[str, str]]:
    """Characters that would break the handout's markup where the string is printed, so the
    translator hears about it here, at the .po line, not from a line of generated XML."""
    problems = []
    if ENTITY.search(target):
        problems.append(("markup", "a bare '&' breaks the handout's markup (write the word "
                                   "for 'and', or &amp;)"))
    if "<" in TAG.sub("", target):
        problems.append(("markup", "a '<' that is not one of the English tags breaks the "
                                   "handout's markup (write the word, or &lt;)"))
    if '"' in target and '"' not in source:
        problems.append(("markup", "a straight double quote (\") breaks the markup where this "
                                   "text is a label (use your language's quotation marks, "
                                   "e.g. “ ”, « », „ “)"))
    return problems


def _bidi(target: str) -> list[tuple[str, str]]:
    for char in target:
        if char in BIDI_CONTROLS:
            return [("bidi", f"U+{ord(char):04X} {unicodedata.name(char)} can make the text "
                             "read in another order than written (remove it: the layout sets "
                             "the direction of every line)")]
    return []


# pofilter checks that matter for medical text, with the fix to suggest.
POFILTER_CHECKS = MappingProxyType({
    "urls": "keep web addresses unchanged",
    "emails": "keep e-mail addresses unchanged",
})


def _pofilter(checker, source: str, target: str) -> list[tuple[str, str]]:
    from translate.filters import checks
    problems = []
    for name, fix in POFILTER_CHECKS.items():
        try:
            getattr(checker, name)(source, target)
        except (checks.FilterFailure, checks.SeriousFilterFailure) as failure:
            problems.append((name, f"{failure} ({fix})"))
    return problems


def _font(target: str, locale_id: str, text) -> list[tuple[str, str]]:
    try:
        text.check_coverage(TAG.sub("", PLACEHOLDER.sub("", target)), locale=locale_id)
    except HandoutError as error:
        return [("font", f"{error.message} (use another character, or add a font that "
                         "covers it)")]
    return []
