"""Web stage, the staff interface's language: the `web` catalog domain
(locales/<id>/LC_MESSAGES/web.po, from locales/web.pot), checked when it is loaded,
chosen per request, and the strings it is extracted from.

The interface language is the member of staff's, not the patient's: a Spanish-speaking
front desk can print a handout in Arabic. It is chosen from `?ui=` (kept in a cookie
that holds only the language id) or the browser's Accept-Language. A catalog that
fails its check is not used: the page is in English and says why, never a mix of
translated and untranslated labels. Messages about refused values keep the command
line's English wording, so staff and the CLI's users read the same fix.

Strings come from the page templates (Jinja `{% trans %}`, `_()`), this package's
Python (`N_()`), and the labels and help of the built-in handouts' fields.toml
(`extract_fields_toml`): `python generate.py locales extract` writes web.pot too.
"""
from __future__ import annotations

import io
import time
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import PYTHON_FORMAT
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import NullTranslations, Translations

from .. import resources
from ..resources import relative
from ..caches import Fingerprints, LRUCache, by_content

UI_DOMAIN = "web"
SOURCE = "en"
#: Interface languages kept loaded (each a few kilobytes).
MOST_LANGUAGES = 64
#: The cookie that remembers the interface language: a language id, nothing else.
UI_COOKIE = "handouts_ui"


def N_(text: str) -> str:
    """Marks a string of this package's Python for extraction; translated where shown."""
    return text


@dataclass(frozen=True)
class InterfaceLanguage:
    """One interface language: its translations, or the reason it cannot be used."""
    id: str
    native_name: str
    direction: str
    translations: NullTranslations
    problems: tuple[str, ...] = ()
    #: The language asked for, when its catalog failed and this is English instead.
    refused: str = ""

    @property
    def tag(self) -> str:
        return self.id.replace("_", "-")

    def gettext(self, text: str) -> str:
        return self.translations.gettext(text)


def source_language() -> InterfaceLanguage:
    return InterfaceLanguage(SOURCE, "English", "ltr", NullTranslations())


class InterfaceCatalogs:
    """The web domain's catalogs of one locales folder, loaded by content (an edited
    web.po is checked again at the next page) and checked against web.pot."""

    def __init__(self, locales_dir: Path | None = None, *,
                 fingerprints: Fingerprints | None = None):
        self.locales_dir = Path(locales_dir or resources.LOCALES_DIR)
        self.template = self.locales_dir / f"{UI_DOMAIN}.pot"
        self.fingerprints = fingerprints or Fingerprints()
        self._loaded = LRUCache(maxsize=MOST_LANGUAGES)
        self._shipped = LRUCache(maxsize=2)

    def path(self, locale_id: str) -> Path:
        return self.locales_dir / locale_id / "LC_MESSAGES" / f"{UI_DOMAIN}.po"

    def shipped(self) -> tuple[str, ...]:
        """English and every locale folder with a web.po, sorted; looked for again at
        most once a second (every page asks)."""
        def listed(_):
            found = {p.parent.parent.name
                     for p in self.locales_dir.glob(f"*/LC_MESSAGES/{UI_DOMAIN}.po")}
            return tuple(sorted(found | {SOURCE}))
        return self._shipped.get_or_make(int(time.monotonic()), listed)

    def load(self, locale_id: str) -> InterfaceLanguage:
        """The language, checked; with `problems` (and English text) when it fails."""
        if locale_id == SOURCE or locale_id not in self.shipped():
            return source_language()
        paths = (self.path(locale_id), self.template)
        return by_content(self._loaded, (locale_id,), paths,
                          lambda: self._read(locale_id), self.fingerprints)

    def problems(self, locale_id: str) -> list[str]:
        return list(self.load(locale_id).problems)

    def choose(self, asked: str = "", cookie: str = "", accept_language: str = ""
               ) -> InterfaceLanguage:
        """The interface language for a request: ?ui=, else the cookie, else the
        browser's preference, else English. An unknown tag is never an error here: the
        interface is then English."""
        shipped = self.shipped()
        for wanted in (asked, cookie, *preferred_languages(accept_language)):
            found = best_match(wanted, shipped)
            if found:
                loaded = self.load(found)
                if loaded.problems:     # the whole page in English, saying why
                    return replace(source_language(), problems=loaded.problems,
                                   refused=loaded.native_name)
                return loaded
        return source_language()

    def languages(self) -> list[InterfaceLanguage]:
        """Every interface language, English first."""
        return [self.load(locale_id) for locale_id in
                sorted(self.shipped(), key=lambda locale_id: locale_id != SOURCE)]

    # -- reading and checking ----------------------------------------------------------

    def _read(self, locale_id: str) -> InterfaceLanguage:
        path = self.path(locale_id)
        shown = relative(path)
        try:
            locale = Locale.parse(locale_id)
        except (UnknownLocaleError, ValueError):
            return InterfaceLanguage(locale_id, locale_id, "ltr", NullTranslations(), (
                f"{shown}: '{locale_id}' is not a language code CLDR knows (rename the "
                "folder to one, e.g. es or zh_Hant)",))
        native = locale.get_display_name(locale) or locale_id
        native = native[:1].upper() + native[1:]
        problems = []
        try:
            with path.open("rb") as source:
                catalog = read_po(source, locale=locale_id, abort_invalid=True)
        except (PoFileError, UnicodeDecodeError, OSError, ValueError) as error:
            problems.append(f"{shown}: cannot be read ({error}) (fix the file, then run: "
                            f"python generate.py locales check {locale_id})")
            return InterfaceLanguage(locale_id, native, locale.text_direction,
                                     NullTranslations(), tuple(problems))
        problems += self._check(catalog, shown, locale_id)
        if problems:
            return InterfaceLanguage(locale_id, native, locale.text_direction,
                                     NullTranslations(), tuple(problems))
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        return InterfaceLanguage(locale_id, native, locale.text_direction,
                                 Translations(compiled, domain=UI_DOMAIN))

    def _check(self, catalog, shown: str, locale_id: str) -> list[str]:
        """Every string of web.pot translated, none fuzzy, placeholders kept (Babel's
        own checkers)."""
        fix = f"(fix it, then run: python generate.py locales check {locale_id})"
        problems = []
        try:
            with self.template.open("rb") as source:
                wanted = [m for m in read_po(source) if m.id]
        except (OSError, PoFileError) as error:
            return [f"{relative(self.template)}: cannot be read ({error}) (run: python "
                    "generate.py locales extract)"]
        for message in wanted:
            found = catalog.get(message.id, message.context)
            where = f"{shown}:{found.lineno}" if found is not None and found.lineno else shown
            name = _first(message.id)
            if found is None:
                problems.append(f"{shown}: msgid {name!r}: missing (run: python generate.py "
                                f"locales update {locale_id}, then translate it)")
            elif found.fuzzy:
                problems.append(f"{where}: msgid {name!r}: marked fuzzy {fix}")
            elif not _translated(found):
                problems.append(f"{where}: msgid {name!r}: not translated {fix}")
        for message, errors in catalog.check():
            for error in errors:
                problems.append(f"{shown}:{message.lineno}: msgid {_first(message.id)!r}: "
                                f"{error} {fix}")
        for message in catalog:
            if not message.id or not _translated(message):
                continue
            strings = message.string if isinstance(message.string, (tuple, list)) \
                else (message.string,)
            where = f"{shown}:{message.lineno}: msgid {_first(message.id)!r}"
            for string in strings:
                if any(mark in string for mark in "<>&"):
                    # The pages show a translation as text: markup would print as such.
                    problems.append(f"{where}: has <, > or & (write the words only) {fix}")
                elif not _fills(string):
                    problems.append(f"{where}: a % that is not a placeholder (write %% "
                                    f"for a percent sign) {fix}")
        return problems


def _fills(string: str) -> bool:
    """Whether every % of a translation starts a named placeholder or is %% (Babel's
    own pattern of a Python format): a stray "100% sure" would otherwise be filled with
    the whole mapping of values, or fail the page.

    >>> _fills("Step %(number)s of %(total)s"), _fills("100%% sure"), _fills("100% sure")
    (True, True, False)
    """
    position = string.find("%")
    while position >= 0:
        found = PYTHON_FORMAT.match(string, position)
        if found is None or (found.group(1) is None and found.group(3) != "%"):
            return False
        position = string.find("%", found.end())
    return True


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    return all(s and s.strip() for s in strings)


def _first(msgid) -> str:
    text = msgid[0] if isinstance(msgid, (tuple, list)) else msgid
    return text if len(text) <= 40 else text[:37] + "..."


def preferred_languages(header: str) -> list[str]:
    """An Accept-Language header's tags, most preferred first (q=0 dropped).

    >>> preferred_languages("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5")
    ['fr-CH', 'fr', 'en', 'de']
    >>> preferred_languages("es;q=0, ar")
    ['ar']
    """
    ranked = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, parameters = part.strip().partition(";")
        quality = 1.0
        if parameters.strip().startswith("q="):
            try:
                quality = float(parameters.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(ranked)]


def best_match(tag: str, shipped: tuple[str, ...]) -> str:
    """The shipped interface language for a tag ('' for none): the same negotiation as
    the handout's languages (zh-TW gets zh_Hant, never zh_Hans).

    >>> best_match("es-MX", ("en", "es")), best_match("zh-TW", ("en", "zh_Hans")), best_match("", ("en",))
    ('es', '', '')
    """
    from .. import i18n
    from ..errors import HandoutError
    tag = tag.strip()[:35]
    if not tag or tag.replace("-", "_") in i18n.PSEUDO_LOCALES:
        return ""
    try:
        return i18n.negotiate(tag, shipped)
    except (HandoutError, ValueError):
        return ""


# -- extraction (pybabel's custom method; see catalogs.extract) ------------------------

def extract_fields_toml(fileobj, keywords, comment_tags, options):
    """Babel extraction method for a handout's fields.toml: what its form shows staff
    (each field's label and help, each value's label and help), as forms.form_fields
    shows them."""
    from ..fields_file import read_fields_file
    from .forms import form_fields
    path = Path(fileobj.name)
    text = path.read_text("utf-8")
    seen = set()
    for field in form_fields(read_fields_file(path.parent), own_only=True):
        strings = [field.label, field.help]
        for option in field.options:
            strings += [option.label, option.help]
        for string in strings:
            if string and string not in seen:
                seen.add(string)
                yield _line_of(text, string), None, string, [f"form field {field.name}"]


def _line_of(text: str, string: str) -> int:
    probe = string[1:40] if len(string) > 1 else string
    offset = text.find(probe)
    return text.count("\n", 0, offset) + 1 if offset >= 0 else 1


#: Where the interface's strings are read from, relative to the project, and how: the
#: Jinja options are page_environment's (trimmed, new-style gettext).
JINJA_OPTIONS = MappingProxyType({
    "extensions": "jinja2.ext.i18n", "newstyle_gettext": "true", "trimmed": "true",
    "trim_blocks": "true", "lstrip_blocks": "true", "encoding": "utf-8", "silent": "false"})
METHOD_MAP = (("handouts/web/templates/**.html", "jinja2"),
              ("handouts/web/**.py", "python"),
              ("templates/*/fields.toml", "handouts.web.interface:extract_fields_toml"))
#: web.pot's header date, fixed so that extracting twice gives the same file.
POT_DATE = "2026-12-02 00:00+0000"


def extract(project_dir: Path | None = None, pot: Path | None = None) -> Path:
    """Re-read the interface's English strings into locales/web.pot."""
    from datetime import datetime

    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import write_po
    project_dir = Path(project_dir or resources.PROJECT_DIR)
    pot = Path(pot or resources.LOCALES_DIR / f"{UI_DOMAIN}.pot")
    catalog = Catalog(domain=UI_DOMAIN, project="handouts", version="1",
                      creation_date=datetime.strptime(POT_DATE, "%Y-%m-%d %H:%M%z"),
                      charset="utf-8")
    keywords = {"N_": None, "_": None, "gettext": None, "ngettext": (1, 2)}
    found = extract_from_dir(str(project_dir), method_map=list(METHOD_MAP),
                             options_map={"handouts/web/templates/**.html": dict(JINJA_OPTIONS)},
                             keywords=keywords, comment_tags=("Translators:",),
                             strip_comment_tags=True)
    for filename, lineno, message, comments, context in found:
        catalog.add(message, None, [(filename.replace("\\", "/"), lineno)],
                    auto_comments=comments, context=context)
    with pot.open("wb") as out:
        write_po(out, catalog, width=88, sort_by_file=True, include_previous=False)
    return pot


def update(locale_ids, locales_dir: Path | None = None, *, create: bool = False) -> list[Path]:
    """Bring each language's web.po up to date with web.pot (changed strings become
    fuzzy, with the previous English); `create` starts a missing one."""
    from babel.messages.pofile import write_po
    catalogs = InterfaceCatalogs(locales_dir)
    with catalogs.template.open("rb") as source:
        template = read_po(source)
    done = []
    for locale_id in locale_ids:
        path = catalogs.path(locale_id)
        if path.exists():
            with path.open("rb") as source:
                catalog = read_po(source, locale=locale_id)
        elif create:
            from babel.messages.catalog import Catalog
            catalog = Catalog(locale=locale_id, domain=UI_DOMAIN, project="handouts",
                              version="1", charset="utf-8")
            path.parent.mkdir(parents=True, exist_ok=True)
        else:
            continue
        catalog.update(template, no_fuzzy_matching=False)
        with path.open("wb") as out:
            write_po(out, catalog, width=88, include_previous=True, ignore_obsolete=True)
        done.append(path)
    return done
