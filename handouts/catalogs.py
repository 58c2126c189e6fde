"""Translator tooling: extract, create, update, check and list the gettext catalogs.

Edge module (it reads and writes files under locales/), used by `generate.py locales ...`.
The check stops a translator's mistake before it reaches a patient; each problem names
the file, the line, the rule and the fix. Where a well-kept checker exists it is used:
Babel reads and validates the catalogs, translate-toolkit's pofilter checks compare
placeholders, numbers and markup, and CLDR (through Babel) gives the plural forms.
"""
from __future__ import annotations

from types import MappingProxyType
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from . import i18n
from .catalog_rules import Problem
from .review import read_review, review_path
from .errors import LocaleError
from .resources import LOCALES_DIR, PROJECT_DIR, relative

POT = LOCALES_DIR / "messages.pot"
EXTRACT_ARGS = ("extract", "-F", str(PROJECT_DIR / "pyproject.toml"), "-c", "Translators:",
                "--no-location", "--sort-output", "--project", "handouts", "--version", "1.0")

# Script and region must be explicit where a language is written more than one way.
AMBIGUOUS = MappingProxyType({"zh": "zh_Hans or zh_Hant", "pt": "pt_BR or pt_PT", "sr": "sr_Cyrl or sr_Latn",
             "uz": "uz_Latn or uz_Cyrl"})


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "--quiet", *args])


def po_path(locale_id: str, locales_dir: Path = LOCALES_DIR) -> Path:
    return locales_dir / locale_id / "LC_MESSAGES" / "messages.po"


# -- the workflow ----------------------------------------------------------------------

def extract(pot: Path = POT) -> Path:
    """Re-read the templates' strings into the catalog template (messages.pot). The
    mapping's patterns in pyproject.toml are relative to the folder given, the project
    (no change of working directory: that is the whole process's)."""
    _pybabel(*EXTRACT_ARGS, "-o", str(pot), str(PROJECT_DIR))
    return pot


def new(locale_id: str, locales_dir: Path = LOCALES_DIR) -> Path:
    """Start a catalog for a new language from the catalog template."""
    validate_locale_id(locale_id)
    target = po_path(locale_id, locales_dir)
    if target.exists():
        raise LocaleError(f"{relative(target)} already exists", field="locale",
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
            raise LocaleError(f"no catalog for {locale_id!r}", source=relative(target),
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
          fresh_template: Catalog | None = None, library=None) -> list[Problem]:
    """Every rule a catalog breaks, in file order. An empty list means ready to print: the
    same rules gate every patient's handout (i18n.Catalogs.load). `fresh_template`, the
    strings the templates hold now, adds a check that messages.pot is up to date.
    `library` is the Library whose fonts the font rule uses (default: a new one)."""
    problems = []
    if fresh_template is not None:
        with (locales_dir / "messages.pot").open("rb") as handle:
            template = read_po(handle)
        if _ids(fresh_template) != _ids(template):
            problems.append(Problem("locales/messages.pot", 0, "stale",
                                    "the templates changed since messages.pot was extracted "
                                    "(run: python generate.py locales extract)"))
    if library is None:
        from .library import Library
        library = Library(locales_dir=locales_dir)
    return problems + list(library.catalogs(locales_dir).problems(locale_id))


#: How a handout's own template is read for its strings: pyproject.toml's jinja2 mapping
#: for the project's templates, which tests/test_second_handout.py holds this to.
JINJA_EXTRACT_OPTIONS = MappingProxyType({
    "encoding": "utf-8", "silent": "false", "trimmed": "true", "newstyle_gettext": "true",
    "trim_blocks": "false", "lstrip_blocks": "false", "extensions": "jinja2.ext.i18n"})


def check_domain(catalogs, folder: Path, locales: tuple[str, ...] = ()) -> list[Problem]:
    """Every problem of a handout's own catalogs (`catalogs`, an i18n.Catalogs of the
    handout's domain) in `locales` (default: every one it has), and whether its template
    of strings is that of its handout.xml.j2 now."""
    from babel.messages.extract import extract_from_file
    template = folder / "handout.xml.j2"
    try:
        fresh = {message for _, message, _, _ in extract_from_file(
            "jinja2", template, comment_tags=("Translators:",),
            options=dict(JINJA_EXTRACT_OPTIONS))}
    except Exception as exc:  # missing, not UTF-8, broken syntax: one line naming it
        return [Problem(relative(template), getattr(exc, "lineno", None) or 0, "unreadable",
                        f"cannot be read: {exc} (fix the template)")]
    try:
        with catalogs.pot_path.open("rb") as handle:
            held = _ids(read_po(handle, abort_invalid=True))
    except Exception as exc:
        return [Problem(relative(catalogs.pot_path), 0, "unreadable",
                        f"cannot be read: {exc} (extract the strings into it again)")]
    problems = []
    if held != fresh:
        problems.append(Problem(relative(catalogs.pot_path), 0, "stale",
                                "the handout's template changed since its strings were "
                                "extracted (extract them again into this file)"))
    shipped = catalogs.shipped()
    for locale_id in locales or shipped:
        if locale_id not in shipped:
            problems.append(Problem(relative(catalogs.po_path(locale_id)), 0, "missing",
                                    f"the handout has no catalog for {locale_id!r}"))
        elif locale_id != i18n.SOURCE_LOCALE:
            problems += catalogs.problems(locale_id)
    return problems


def fresh_catalog_template() -> Catalog:
    """The strings the templates hold right now (not what messages.pot says)."""
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        pot = extract(Path(folder) / "fresh.pot")
        with pot.open("rb") as handle:
            return read_po(handle)


def _ids(catalog: Catalog) -> set:
    return {m.id for m in catalog if m.id}


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
    review = read_review(review_path(locale_id, locales_dir), catalog)
    return CatalogStatus(locale_id, name, translated, total, review.reviewed,
                         review.reviewer, review.date)

