"""Locale stage: negotiate a requested language to a shipped catalog, load that catalog
(compiled in memory, so a fresh checkout needs no build step), report its review status,
and give the language's Babel locale (formats.py writes the values for it).

No process locale and no global state: every function takes the locale it works for.
"""
from __future__ import annotations

import gettext
import io
import re
import time
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.messages.pofile import read_po

from .caches import LRUCache, by_content, pure_memo
from .errors import LANGUAGE_SHAPE, LocaleError, shown
from .review import ReviewStatus, read_review, review_path
from . import resources

SOURCE_LOCALE = "en"
#: The catalog domain of the project's own handouts (locales/<locale>/LC_MESSAGES/messages.po);
#: a handout folder with its own locales/ folder has a domain named after it.
DOMAIN = "messages"


@dataclass(frozen=True)
class LocaleBundle:
    """A loaded language: its Babel locale (for formatting), translations, review status,
    text direction and its name in its own language."""
    id: str
    locale: Locale
    translations: object       # gettext/ngettext, as Jinja's i18n extension calls them
    review: ReviewStatus
    direction: str = "ltr"
    native_name: str = ""

    @property
    def bcp47(self) -> str:
        """The tag for PDF /Lang, e.g. es, pt-BR, zh-Hans."""
        return self.id.replace("_", "-")


@dataclass(frozen=True)
class PseudoLocale:
    """A test language made from the English source: every English string that escapes
    translation shows as plain ASCII, and the longer text shows where layout breaks."""
    formats_as: str         # the Babel locale used for dates and numbers
    direction: str
    rewrite: str            # translate-toolkit podebug rewrite style
    name: str


PSEUDO_LOCALES = MappingProxyType({
    "en_XA": PseudoLocale("en", "ltr", "unicode", "Pseudo-accented (en-XA)"),
    "ar_XB": PseudoLocale("en", "rtl", "unicode", "Pseudo-RTL (ar-XB)"),
})


def _own_name(locale: Locale) -> str:
    name = locale.get_display_name(locale) or str(locale)
    return name[:1].upper() + name[1:]


def shipped_locales(locales_dir: Path | None = None, domain: str = DOMAIN) -> tuple[str, ...]:
    """The source language plus every locale folder with a catalog, sorted."""
    locales_dir = locales_dir or resources.LOCALES_DIR
    found = {p.parent.parent.name for p in locales_dir.glob(f"*/LC_MESSAGES/{domain}.po")}
    return tuple(sorted(found | {SOURCE_LOCALE}))


def _maximize(tag: str) -> tuple[str, str, str]:
    """(language, script, territory) with CLDR likely subtags filled in."""
    try:
        parsed = Locale.parse(tag.replace("-", "_"))
    except UnknownLocaleError:
        return tag.split("-")[0].split("_")[0].lower(), "", ""
    except (ValueError, TypeError):
        raise ValueError(tag) from None
    likely = get_global("likely_subtags")
    filled = None
    for key in (str(parsed), f"{parsed.language}_{parsed.territory}" if parsed.territory else "",
                parsed.language):
        if key and key in likely:
            filled = Locale.parse(likely[key])
            break
    script = parsed.script or (filled.script if filled else "") or ""
    territory = parsed.territory or (filled.territory if filled else "") or ""
    return parsed.language, script, territory


@pure_memo(maxsize=256)
def _maximize_shipped(tag: str) -> tuple[str, str, str]:
    """_maximize for the shipped locales' own tags, remembered; never for a requested tag
    (a name typed in the wrong column must not be kept anywhere)."""
    return _maximize(tag)


def negotiate(requested: str, available: tuple[str, ...] | None = None) -> str:
    """The shipped locale that best serves a requested language tag.

    Language and script must match (zh-TW gets zh_Hant, never zh_Hans); a region
    match is preferred among those.

    >>> negotiate("es-MX", ("en", "es")), negotiate("iw", ("en", "he")), negotiate("EN_us", ("en",))
    ('es', 'he', 'en')
    """
    available = available if available is not None else shipped_locales()
    pseudo = requested.replace("-", "_")
    if pseudo in PSEUDO_LOCALES:
        return pseudo
    try:
        want = _maximize(requested)
    except ValueError:
        raise LocaleError(f"{shown(requested, LANGUAGE_SHAPE)} is not a language tag", field="locale",
                          hint="use a tag such as en, es, zh-Hant or pt-BR") from None
    best, best_score = None, 0
    for candidate in available:
        have = _maximize_shipped(candidate)
        if have[:2] != want[:2]:
            continue
        score = 2 + (have[2] == want[2])
        if score > best_score:
            best, best_score = candidate, score
    if best is None:
        raise LocaleError(f"{shown(requested, LANGUAGE_SHAPE)} is not a shipped language", field="locale",
                          hint="use one of: " + ", ".join(available))
    return best


class Catalogs:
    """The catalogs of one domain in one locales folder, loaded through the gate and
    kept by content: a catalog that breaks any rule of `locales check` is refused
    (CatalogRefused, one problem a line), and a string the template prints without an
    entry is an error, never English.

    Bundles and check results are kept by the content fingerprints of the files they
    come from (catalog, template, settings and review files): an edited file
    is read again at the next load, in a process that runs for days as in one that
    prints one handout; with `watch` off (a batch) what was loaded first stays.
    `text` is the Typesetter whose fonts the font rule checks against."""

    def __init__(self, locales_dir: Path, domain: str = DOMAIN, *, text, fingerprints,
                 watch: bool = True):
        self.locales_dir = Path(locales_dir)
        self.domain = domain
        self.text = text
        self.fingerprints = fingerprints
        self.watch = watch
        self._bundles = LRUCache(maxsize=128)
        self._checks = LRUCache(maxsize=64)
        self._shipped = LRUCache(maxsize=2)
        self._negotiated = LRUCache(maxsize=1024)

    def __repr__(self) -> str:
        return f"<Catalogs {self.domain} in {self.locales_dir}>"

    def check_command(self, locale_id: str) -> str:
        """The command that checks this domain's catalog of a locale, for hints."""
        if self.domain == DOMAIN:
            return f"python generate.py locales check {locale_id}"
        folder = self.locales_dir.parent          # <templates>/<handout>/locales
        return (f"python generate.py locales check --handout {folder.name} --templates "
                f"{resources.relative(folder.parent)}")

    def po_path(self, locale_id: str) -> Path:
        return self.locales_dir / locale_id / "LC_MESSAGES" / f"{self.domain}.po"

    @property
    def pot_path(self) -> Path:
        return self.locales_dir / f"{self.domain}.pot"

    def files(self, locale_id: str) -> tuple[Path, ...]:
        """Every file a locale's bundle is made from (its formats are the Library's)."""
        folder = self.locales_dir / locale_id
        return (self.po_path(locale_id), self.pot_path, folder / "settings.toml",
                review_path(locale_id, self.locales_dir))

    def shipped(self) -> tuple[str, ...]:
        """The source language plus every locale with a catalog in this domain: looked
        for again at most once a second while watching (a catalog added or removed is
        seen within a second; the listing is some fifty file-system calls, too many for
        every render), once when not."""
        moment = int(time.monotonic()) if self.watch else 0
        return self._shipped.get_or_make(
            moment, lambda _: shipped_locales(self.locales_dir, self.domain))

    def negotiate(self, tag: str) -> str:
        """The locale of this domain that best serves a language tag (see negotiate),
        remembered per tag and list of locales."""
        shipped = self.shipped()
        found = self._negotiated.get((tag, shipped))
        if found is None:
            found = self._negotiated.put((tag, shipped), negotiate(tag, shipped))
        return found

    def load(self, locale_id: str, *, allow_fallback: bool = False) -> LocaleBundle:
        """A locale's bundle, through the gate. `allow_fallback` is for a translator's
        preview only: entries that would break the page print in English."""
        key = (locale_id, allow_fallback)
        make = lambda: self._load(locale_id, allow_fallback=allow_fallback)  # noqa: E731
        if not self.watch:
            return self._bundles.get_or_make(key, lambda _: make())
        return by_content(self._bundles, key, self.files(locale_id), make, self.fingerprints)

    def problems(self, locale_id: str) -> tuple:
        """Every rule the locale's catalog breaks (the `locales check` rules)."""
        return self._checked(locale_id)[1]

    def _load(self, locale_id: str, *, allow_fallback: bool) -> LocaleBundle:
        if locale_id in PSEUDO_LOCALES:
            return self._pseudo_bundle(locale_id)
        try:
            babel_locale = Locale.parse(locale_id)
        except (ValueError, UnknownLocaleError):
            raise LocaleError(f"{locale_id!r} is not a language CLDR knows",
                              source=_rel(self.locales_dir / locale_id), field="locale",
                              hint="name the folder with a CLDR code such as fr, pt_BR or "
                                   "zh_Hant") from None
        if locale_id == SOURCE_LOCALE:
            return LocaleBundle(locale_id, babel_locale, gettext.NullTranslations(),
                                ReviewStatus(reviewed=True), babel_locale.text_direction,
                                _own_name(babel_locale))
        po_path = self.po_path(locale_id)
        if not po_path.exists():
            raise LocaleError(f"no catalog for {locale_id!r}", source=_rel(po_path),
                              hint="create it with: python generate.py locales new "
                                   + locale_id)
        catalog, problems = self._checked(locale_id)
        header_broken = any(p.rule == "plural-forms" and p.line == 1 for p in problems)
        if catalog is None or header_broken or (problems and not allow_fallback):
            raise CatalogRefused(problems, locale_id, self.check_command(locale_id))
        english = ({p.line for p in problems if p.rule in BREAKS_THE_PAGE}
                   if allow_fallback else set())
        return LocaleBundle(locale_id, babel_locale,
                            CatalogTranslations(catalog, source=_rel(po_path),
                                                fallback=allow_fallback,
                                                english_lines=english),
                            read_review(review_path(locale_id, self.locales_dir), catalog),
                            babel_locale.text_direction, _own_name(babel_locale))

    def _checked(self, locale_id: str):
        """(catalog or None when unreadable, problems), kept by the content of the
        catalog, its template and its settings, so a catalog is checked once however
        many handouts print from it, and again when it changes."""
        import hashlib
        from .catalog_rules import Problem, check_catalog, read_settings
        po_path, pot_path = self.po_path(locale_id), self.pot_path
        settings_path = self.locales_dir / locale_id / "settings.toml"
        where = _rel(po_path)
        if not po_path.exists():
            return None, (Problem(where, 0, "missing", f"no catalog for {locale_id!r} (start "
                                                       f"it with: python generate.py locales "
                                                       f"new {locale_id})"),)
        # Checked from the very bytes that were hashed: a file saved between reading it
        # for the key and parsing it must not be kept under the old content's key.
        contents = []
        digest = hashlib.sha256(locale_id.encode() + b"\0")
        for path in (po_path, pot_path, settings_path):
            try:
                content = path.read_bytes() if path.exists() else None
            except OSError as exc:
                return None, (Problem(_rel(path), 0, "unreadable",
                                      f"cannot be read: {exc.strerror or exc} (make it a "
                                      "readable file, or remove it if it is not needed)"),)
            contents.append(content)
            digest.update((b"-" if content is None else content) + b"\0")
        key = digest.hexdigest()
        found = self._checks.get(key)
        if found is not None:
            return found
        po_bytes, pot_bytes, settings_bytes = contents
        settings, problems = read_settings(settings_path, _rel(settings_path),
                                           settings_bytes)
        if pot_bytes is None:
            return None, (Problem(_rel(pot_path), 0, "missing",
                                  "the catalog template is missing (run: python generate.py "
                                  "locales extract)"),)
        template = read_po(io.BytesIO(pot_bytes))
        try:
            catalog = read_po(io.BytesIO(po_bytes), locale=locale_id, abort_invalid=True)
        except Exception as exc:  # babel raises PoFileError with the line in its text
            line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 0
            result = None, (Problem(where, line, "syntax", f"{exc} (fix the PO syntax)"),)
        else:
            problems += check_catalog(catalog, template, where=where,
                                      template_where=_rel(pot_path), locale_id=locale_id,
                                      settings=settings, text=self.text)
            result = catalog, tuple(problems)
        return self._checks.put(key, result)

    def _pseudo_bundle(self, locale_id: str) -> LocaleBundle:
        from .pseudo import pseudo_catalog
        spec = PSEUDO_LOCALES[locale_id]
        with self.pot_path.open("rb") as handle:
            template = read_po(handle)
        catalog = pseudo_catalog(template, spec.rewrite)
        translations = CatalogTranslations(catalog, source=locale_id, fallback=True)
        return LocaleBundle(locale_id, Locale.parse(spec.formats_as), translations,
                            ReviewStatus(reviewed=False), spec.direction, spec.name)


#: Rules whose broken entry cannot be printed at all, even in a preview.
BREAKS_THE_PAGE = frozenset({"fuzzy", "untranslated", "plural-forms", "printf", "xmltags",
                             "markup", "bidi", "font"})


class CatalogRefused(LocaleError):
    """A catalog that breaks rules of `locales check`: nothing is printed from it."""

    def __init__(self, problems, locale_id: str, check: str = ""):
        self.problems = tuple(problems)
        self.locale_id = locale_id
        check = check or f"python generate.py locales check {locale_id}"
        self.check = check
        first = self.problems[0] if self.problems else None
        more = len(self.problems) - 1
        super().__init__(
            (first.message if first else "cannot be read")
            + (f"; and {more} more problem{'s' * (more > 1)}" if more > 0 else ""),
            source=first.file if first else None, line=first.line if first else None,
            field=first.rule if first else None,
            hint=f"fix the catalog, then run: {check}")

    def located(self, source=None, line=None):
        return self

    def __reduce__(self):
        # Sent from a render process to the server (pickled): rebuilt from its problems.
        return (type(self), (self.problems, self.locale_id, self.check))

    def lines(self) -> list[str]:
        """One line per problem, as `locales check` prints them."""
        return [str(problem) for problem in self.problems] or [str(self)]


class CatalogTranslations:
    """The translations a template prints, straight from the checked catalog. Unlike
    gettext's, a string without an entry is an error: the template printing a string the
    catalog does not have would otherwise print English silently. With `fallback` (a
    translator's preview, the pseudo-locales) such strings, and the entries on
    `english_lines`, print in English."""

    def __init__(self, catalog, *, source: str, fallback: bool = False,
                 english_lines: frozenset | set = frozenset()):
        self.source = source
        self.fallback = fallback
        self._plural = gettext.c2py(catalog.plural_expr)
        self._entries = {}
        for message in catalog:
            if not message.id or message.lineno in english_lines:
                continue
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy or not all(forms):
                continue
            self._entries[key] = forms

    def _forms(self, message: str):
        forms = self._entries.get(message)
        if forms is None and not self.fallback:
            raise LocaleError(f"the template prints {message[:50]!r}, which has no entry",
                              source=self.source, field="missing",
                              hint="run: python generate.py locales extract, then locales "
                                   "update, and translate it")
        return forms

    def gettext(self, message: str) -> str:
        forms = self._forms(message)
        return forms[0] if forms else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        forms = self._forms(singular)
        if not forms:
            return singular if n == 1 else plural
        return forms[min(self._plural(n), len(forms) - 1)]


def _rel(path: Path) -> str:
    # The folder is read at each call, not import: tests point it at a copy.
    return resources.relative(path, resources.LOCALES_DIR.parent)
