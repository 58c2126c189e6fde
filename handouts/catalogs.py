"""Translator tooling: extract, create, update, check and list the gettext catalogs.

Edge module (it reads and writes files under locales/), used by `generate.py locales ...`.
The check stops a translator's mistake before it reaches a patient; each problem names
the file, the line, the rule and the fix. Where a well-kept checker exists it is used:
Babel reads and validates the catalogs, translate-toolkit's pofilter checks compare
placeholders, numbers and markup, and CLDR (through Babel) gives the plural forms.
"""
from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from translate.filters import checks

from . import i18n
from .errors import HandoutError, LocaleError
from .resources import LOCALES_DIR, PROJECT_DIR

POT = LOCALES_DIR / "messages.pot"
EXTRACT_ARGS = ["extract", "-F", "pyproject.toml", "-c", "Translators:", "--no-location",
                "--sort-output", "--project", "handouts", "--version", "1.0"]
MAX_LENGTH = re.compile(r"Max (\d+) characters")
TAG = re.compile(r"</?[\w-]+/?>")
PLACEHOLDER = re.compile(r"%\(\w+\)s")

# Script and region must be explicit where a language is written more than one way.
AMBIGUOUS = {"zh": "zh_Hans or zh_Hant", "pt": "pt_BR or pt_PT", "sr": "sr_Cyrl or sr_Latn",
             "uz": "uz_Latn or uz_Cyrl"}


@dataclass(frozen=True)
class Problem:
    """One broken rule in one catalog entry."""
    file: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.rule}: {self.message}"


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "--quiet", *args])


def po_path(locale_id: str, locales_dir: Path = LOCALES_DIR) -> Path:
    return locales_dir / locale_id / "LC_MESSAGES" / "messages.po"


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(PROJECT_DIR))
    except ValueError:
        return str(path)


# -- the workflow ----------------------------------------------------------------------

def extract(pot: Path = POT) -> Path:
    """Re-read the templates' strings into the catalog template (messages.pot)."""
    import os
    cwd = os.getcwd()
    try:
        os.chdir(PROJECT_DIR)   # the mapping in pyproject.toml is relative to the project
        _pybabel(*EXTRACT_ARGS, "-o", str(pot), ".")
    finally:
        os.chdir(cwd)
    return pot


def new(locale_id: str, locales_dir: Path = LOCALES_DIR) -> Path:
    """Start a catalog for a new language from the catalog template."""
    validate_locale_id(locale_id)
    target = po_path(locale_id, locales_dir)
    if target.exists():
        raise LocaleError(f"{_relative(target)} already exists", field="locale",
                          hint=f"to refresh it use: python generate.py locales update {locale_id}")
    _pybabel("init", "-i", str(locales_dir / "messages.pot"), "-d", str(locales_dir),
             "-l", locale_id)
    review = locales_dir / locale_id / "review.toml"
    review.write_text('reviewed = false\n# reviewer = "Name, credential"\n'
                      '# date = "YYYY-MM-DD"\n', "utf-8")
    return target


def update(locale_ids: list[str], locales_dir: Path = LOCALES_DIR) -> list[Path]:
    """Bring catalogs up to date with messages.pot; changed strings become fuzzy and keep
    their previous English (#| msgid) so translators see what changed."""
    done = []
    for locale_id in locale_ids:
        target = po_path(locale_id, locales_dir)
        if not target.exists():
            raise LocaleError(f"no catalog for {locale_id!r}", source=_relative(target),
                              hint=f"start it with: python generate.py locales new {locale_id}")
        _pybabel("update", "-i", str(locales_dir / "messages.pot"), "-d", str(locales_dir),
                 "-l", locale_id, "--previous", "--ignore-obsolete")
        done.append(target)
    return done


def validate_locale_id(locale_id: str) -> Locale:
    """A catalog folder name must be a CLDR locale, with script or region where needed."""
    if locale_id in i18n.PSEUDO_LOCALES:
        raise LocaleError(f"{locale_id} is a pseudo-locale made on the fly", field="locale",
                          hint="it needs no catalog")
    try:
        locale = Locale.parse(locale_id)
    except (ValueError, UnknownLocaleError):
        raise LocaleError(f"{locale_id!r} is not a CLDR locale", field="locale",
                          hint="use a code such as fr, pt_BR, zh_Hant (underscore, "
                               "script or region where the language needs one)") from None
    if locale_id in AMBIGUOUS:
        raise LocaleError(f"{locale_id!r} does not say which script or region",
                          field="locale", hint=f"use {AMBIGUOUS[locale_id]}")
    return locale


# -- the check ---------------------------------------------------------------------------

def check(locale_id: str, locales_dir: Path = LOCALES_DIR, *,
          fresh_template: Catalog | None = None) -> list[Problem]:
    """Every rule a catalog breaks, in file order. An empty list means ready to print."""
    path = po_path(locale_id, locales_dir)
    where = _relative(path)
    if not path.exists():
        return [Problem(where, 0, "missing", f"no catalog for {locale_id!r} (start it with: "
                                             f"python generate.py locales new {locale_id})")]
    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale_id, abort_invalid=True)
    except Exception as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 0
        return [Problem(where, line, "syntax", f"{exc} (fix the PO syntax)")]
    with (locales_dir / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    problems = _stale(where, catalog, template, fresh_template, locale_id)
    problems += _plural_header(where, catalog, locale_id)
    checker = checks.StandardChecker()
    for message in catalog:
        if not message.id:
            continue
        source = template.get(message.id)
        comments = source.auto_comments if source is not None else message.auto_comments
        problems += _check_message(where, message, catalog, checker, locale_id, comments)
    return sorted(problems, key=lambda p: (p.line, p.rule))


def fresh_catalog_template() -> Catalog:
    """The strings the templates hold right now (not what messages.pot says)."""
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        pot = extract(Path(folder) / "fresh.pot")
        with pot.open("rb") as handle:
            return read_po(handle)


def _ids(catalog: Catalog) -> set:
    return {m.id for m in catalog if m.id}


def _stale(where: str, catalog: Catalog, template: Catalog, fresh: Catalog | None,
           locale_id: str) -> list[Problem]:
    problems = []
    if fresh is not None and _ids(fresh) != _ids(template):
        problems.append(Problem("locales/messages.pot", 0, "stale",
                                "the templates changed since messages.pot was extracted "
                                "(run: python generate.py locales extract)"))
    missing = _ids(template) - _ids(catalog)
    extra = _ids(catalog) - _ids(template)
    if missing or extra:
        sample = next(iter(missing or extra))
        sample = sample[0] if isinstance(sample, tuple) else sample
        problems.append(Problem(where, 0, "stale",
                                f"{len(missing)} new and {len(extra)} removed source strings, "
                                f"e.g. {sample[:50]!r} (run: python generate.py locales "
                                f"update {locale_id})"))
    return problems


PLURAL_SAMPLES = range(1200)


def _plural_header(where: str, catalog: Catalog, locale_id: str) -> list[Problem]:
    """The Plural-Forms header must choose the same form as CLDR for every count (compared
    by evaluating both formulas, so equivalent ways of writing one are accepted)."""
    expected = Catalog(locale=locale_id)
    said = f"the header says nplurals={catalog.num_plurals}; plural={catalog.plural_expr}"
    fix = f"(set the header to: {expected.plural_forms})"
    if catalog.num_plurals != expected.num_plurals:
        return [Problem(where, 1, "plural-forms", f"{said}, but CLDR has "
                                                  f"{expected.num_plurals} forms for "
                                                  f"{locale_id} {fix}")]
    ours, cldr = gettext.c2py(catalog.plural_expr), gettext.c2py(expected.plural_expr)
    wrong = [n for n in PLURAL_SAMPLES if ours(n) != cldr(n)]
    if wrong:
        return [Problem(where, 1, "plural-forms",
                        f"{said}; forms {PLURAL_SAMPLES.start}..{PLURAL_SAMPLES.stop - 1} "
                        f"differ from CLDR at n={wrong[0]} {fix}")]
    return []


def _check_message(where, message, catalog, checker, locale_id, comments) -> list[Problem]:
    line = message.lineno
    source_forms = message.id if isinstance(message.id, tuple) else (message.id,)
    target_forms = message.string if isinstance(message.string, tuple) else (message.string,)
    short = source_forms[0][:50]
    if message.fuzzy:
        return [Problem(where, line, "fuzzy", f"{short!r} is marked fuzzy: the English "
                                              "changed; check the translation against it, "
                                              "then remove the fuzzy flag")]
    filled = sum(1 for form in target_forms if form)
    if len(source_forms) > 1 and 0 < filled < catalog.num_plurals:
        # Babel pads missing msgstr[N] with empty strings, so count the filled ones.
        return [Problem(where, line, "plural-forms",
                        f"{short!r} has {filled} plural forms; {locale_id} needs "
                        f"{catalog.num_plurals} (add the missing msgstr[N])")]
    if not filled or filled < len(target_forms):
        return [Problem(where, line, "untranslated", f"{short!r} has no translation")]
    problems = []
    limit = next((int(m.group(1)) for comment in comments
                  if (m := MAX_LENGTH.search(comment))), None)
    for index, target in enumerate(target_forms):
        # Singular forms compare with msgid, the others with msgid_plural.
        source = source_forms[min(index, len(source_forms) - 1)] if index == 0 else \
            source_forms[-1]
        label = f" (form {index})" if len(target_forms) > 1 else ""
        problems += _pofilter(where, line, checker, source, target, short + label)
        if limit is not None and len(TAG.sub("", target)) > limit:
            problems.append(Problem(where, line, "length",
                                    f"{short!r}{label} is {len(TAG.sub('', target))} characters; "
                                    f"the space allows {limit} (shorten it)"))
        try:
            from .text import check_coverage
            check_coverage(TAG.sub("", PLACEHOLDER.sub("", target)), locale=locale_id)
        except HandoutError as error:
            problems.append(Problem(where, line, "font", f"{short!r}{label}: {error.message} "
                                                         "(use another character, or add a "
                                                         "font that covers it)"))
    return problems


# pofilter checks that matter for medical text, with the fix to suggest.
POFILTER_CHECKS = {
    "printf": "keep every %(name)s placeholder exactly as in the English",
    "numbers": "keep every number and phone digit exactly as in the English",
    "xmltags": "keep the markup tags (<b>, </b>, <phone>, <page-number/>) as in the English",
    "urls": "keep web addresses unchanged",
    "emails": "keep e-mail addresses unchanged",
}


def _pofilter(where, line, checker, source, target, short) -> list[Problem]:
    problems = []
    for name, fix in POFILTER_CHECKS.items():
        try:
            getattr(checker, name)(source, target)
        except (checks.FilterFailure, checks.SeriousFilterFailure) as failure:
            problems.append(Problem(where, line, name, f"{short!r}: {failure} ({fix})"))
    if not _balanced(target):
        problems.append(Problem(where, line, "xmltags", f"{short!r}: tags are not balanced "
                                                        f"({POFILTER_CHECKS['xmltags']})"))
    return problems


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


# -- the list ------------------------------------------------------------------------------

@dataclass(frozen=True)
class CatalogStatus:
    locale_id: str
    name: str
    translated: int
    total: int
    reviewed: bool
    reviewer: str
    date: str

    @property
    def percent(self) -> int:
        return round(100 * self.translated / self.total) if self.total else 100


def status(locale_id: str, locales_dir: Path = LOCALES_DIR) -> CatalogStatus:
    with (locales_dir / "messages.pot").open("rb") as handle:
        total = len(_ids(read_po(handle)))
    locale = Locale.parse(locale_id)
    name = locale.get_display_name(locale) or locale_id
    if locale_id == i18n.SOURCE_LOCALE:
        return CatalogStatus(locale_id, name, total, total, True, "source text", "")
    with po_path(locale_id, locales_dir).open("rb") as handle:
        catalog = read_po(handle, locale=locale_id)
    translated = sum(1 for m in catalog if m.id and not m.fuzzy and
                     all(m.string if isinstance(m.string, tuple) else (m.string,)))
    review = i18n.read_review(locales_dir / locale_id / "review.toml")
    return CatalogStatus(locale_id, name, translated, total, review.reviewed,
                         review.reviewer, review.date)

