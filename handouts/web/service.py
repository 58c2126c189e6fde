"""Web stage, rendering: typed values -> Job -> PDF through the one shared Library, the
languages a form offers, and the bound on how many renders run and wait at once.

The job is built exactly as `generate.py render` builds it (every known column, "" when
not given; the brand file read and checked by content; today unless given), so the
bytes are the command line's. Errors come back as the core raised them (HandoutError):
their wording is the CLI's, and the core never quotes a patient's name, note or
clinician; `error_entries` adds a last check that no free text typed for a patient is
in what is sent back.
"""
from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from datetime import date

import anyio
from babel import Locale, UnknownLocaleError

from ..errors import HandoutError, LocaleError
from ..fields import parse_date
from ..i18n import CatalogRefused
from ..library import Library
from ..output import handout_file_name
from ..records import field_problems, job_from_fields
from .config import WebSettings
from .interface import InterfaceCatalogs

#: Columns whose text is the patient's or the clinician's own words: never sent back.
FREE_TEXT = ("patient_name", "clinician", "note")
#: Shorter than this, a value is too common to tell it from the words of a message.
ECHO_MIN_LENGTH = 4


class Busy(Exception):
    """Too many renders running and waiting: the client should try again shortly."""


@dataclass(frozen=True)
class Language:
    """One shipped language as a form and the API list it."""
    id: str
    native_name: str
    english_name: str
    direction: str
    reviewed: bool
    available: bool
    reason: str = ""        # why it is unavailable: the first problem of its catalog

    def as_json(self) -> dict:
        return {"id": self.id, "native_name": self.native_name,
                "english_name": self.english_name, "direction": self.direction,
                "reviewed": self.reviewed, "available": self.available,
                "reason": self.reason}


class RenderGate:
    """At most `threads` renders at once in worker threads, at most `waiting` more in
    line; beyond that Busy (HTTP 503), never an unbounded pile of threads or memory."""

    def __init__(self, threads: int, waiting: int):
        self._limiter = anyio.CapacityLimiter(max(1, threads))
        self._admitted = 0
        self._most = max(1, threads) + max(0, waiting)
        self._lock = threading.Lock()

    @property
    def admitted(self) -> int:
        return self._admitted

    async def run(self, function, *args):
        with self._lock:
            if self._admitted >= self._most:
                raise Busy()
            self._admitted += 1
        try:
            return await anyio.to_thread.run_sync(function, *args, limiter=self._limiter)
        finally:
            with self._lock:
                self._admitted -= 1


class HandoutService:
    """The one Library of a server process, the clinic's brand and the render gate."""

    def __init__(self, settings: WebSettings, library: Library | None = None):
        self.settings = settings
        self.library = library or Library(template_dirs=settings.template_dirs)
        self.gate = RenderGate(settings.render_threads, settings.max_waiting)
        self.processes = None           # RenderProcesses, once started
        self.raster_lock = threading.Lock()     # pdfium (previews) is not thread-safe
        self.interface = InterfaceCatalogs(self.library.locales_dir,
                                           fingerprints=self.library.fingerprints)

    # -- what can be made ----------------------------------------------------------------

    def handout_names(self) -> list[str]:
        """Every handout folder the library finds, the server's own first."""
        return list(dict.fromkeys((self.settings.handout, *self.library.handout_names())))

    def fields(self, handout: str | None = None):
        return self.library.handout_fields(handout or self.settings.handout)

    def languages(self, handout: str | None = None) -> list[Language]:
        """Each shipped language of a handout, loaded through the catalog gate (kept by
        content, so an edited catalog is checked again and a broken one shows here)."""
        catalogs = self.library.handout(handout or self.settings.handout).catalogs
        found = []
        for locale_id in catalogs.shipped():
            try:
                babel_locale = Locale.parse(locale_id)
            except (UnknownLocaleError, ValueError):
                # A folder named for a code CLDR does not know (tlh): no names, no
                # direction, no formats to print with; listed as unavailable, so one odd
                # folder never takes the form or the listing down.
                found.append(Language(locale_id, locale_id, locale_id, "ltr", False, False,
                                      f"'{locale_id}' is not a language code CLDR knows "
                                      "(rename its folder to one, e.g. es or zh_Hant)"))
                continue
            english = babel_locale.get_display_name("en") or locale_id
            try:
                bundle = catalogs.load(locale_id)
            except HandoutError as error:
                reason = error.lines()[0] if isinstance(error, CatalogRefused) else str(error)
                native = babel_locale.get_display_name(babel_locale) or locale_id
                found.append(Language(locale_id, native[:1].upper() + native[1:], english,
                                      babel_locale.text_direction, False, False, reason))
                continue
            found.append(Language(locale_id, bundle.native_name, english, bundle.direction,
                                  bundle.review.reviewed, True))
        return found

    def handouts(self) -> tuple[list[str], dict[str, str]]:
        """(the handouts that load, {name: reason} for those that do not): one broken
        folder in --templates is reported, never the end of the listing."""
        usable, broken = [], {}
        for name in self.handout_names():
            try:
                self.library.handout(name)
                usable.append(name)
            except HandoutError as error:
                broken[name] = str(error)
        return usable, broken

    # -- making one ----------------------------------------------------------------------

    def job(self, values: dict, *, today: str = "", handout: str | None = None):
        """The Job `generate.py render` builds from the same values (HandoutError if
        any is refused)."""
        day = parse_date(today, "today") if today else date.today()
        handout_fields = self.fields(handout)
        brand = self.library.brand(self.settings.brand_path)
        with _unknown_locale_refused():
            return job_from_fields(values, handout=handout_fields, brand=brand, today=day)

    def render(self, values: dict, *, today: str = "", handout: str | None = None) -> bytes:
        """The PDF bytes (HandoutError for a refused value, catalog or brand), made by a
        render process when they are started, else here."""
        if self.processes is not None:
            from .render_pool import WorkerGone
            try:
                return self.processes.render(values, today, handout or self.settings.handout)
            except WorkerGone:      # none free in time: try again (RenderFailed is a 500)
                raise Busy() from None
        job = self.job(values, today=today, handout=handout)
        with _unknown_locale_refused():
            return self.library.render(job)

    def start_processes(self) -> None:
        """Start the render processes the settings ask for (before any thread of this
        process: a forked worker copies only the thread that forks). Each render waits
        in a thread for one worker, so the gate lets as many through as there are."""
        count = self.settings.render_processes
        if count > 0 and self.processes is None:
            from .render_pool import RenderProcesses
            self.processes = RenderProcesses(self.settings, count)
            self.gate = RenderGate(count, self.settings.max_waiting)

    def stop_processes(self) -> None:
        if self.processes is not None:
            self.processes.close()
            self.processes = None

    def warm_up(self) -> None:
        """Load fonts, catalogs and templates once before the first patient waits for
        them: the handout's sample values in English, never kept. With render processes,
        each warms its own; this process then needs only the form's languages."""
        from ..cli import sample_fields
        values = sample_fields(self.fields())
        try:
            if self.processes is None:
                self.render(values, today="2026-11-20")
            self.languages()
        except HandoutError:
            pass            # a broken brand or catalog is reported at the first request


@contextlib.contextmanager
def _unknown_locale_refused():
    """A shipped folder CLDR does not know (tlh) reaches Babel when chosen: the core
    raises UnknownLocaleError, which would be a 500; here it is the locale's refusal,
    as the form and the listing already show it unavailable."""
    try:
        yield
    except UnknownLocaleError as error:
        raise LocaleError(f"'{error.identifier}' is not a language code CLDR knows",
                          field="locale", hint="choose a language the list shows as "
                          "available") from None


def download_name(record_id: str) -> str:
    """The PDF's file name: from the record id, never the patient's name.

    >>> download_name("MRN-1234"), download_name("")
    ('MRN-1234.pdf', 'handout.pdf')
    """
    return handout_file_name(record_id, 0) if record_id.strip() else "handout.pdf"


def error_entries(errors, values: dict) -> list[dict]:
    """{"field", "message", "hint"} for each error, a refused catalog as the field
    `locale`; any entry in which a patient's free text appears (it should not: the core
    never quotes it) loses its message rather than send the text back."""
    typed = [str(values.get(name) or "").strip() for name in FREE_TEXT]
    typed = [text for text in typed if len(text) >= ECHO_MIN_LENGTH]
    entries = []
    for error in errors:
        field = "locale" if isinstance(error, CatalogRefused) else error.field
        message = (str(error) if isinstance(error, CatalogRefused) else error.message) or ""
        hint = error.hint or ""
        if any(text in message or text in hint or text in (field or "") for text in typed):
            message, hint = "has a value that cannot be used", "check what was typed"
        entries.append({"field": field, "message": message, "hint": hint})
    return entries


def all_errors(service: HandoutService, values: dict, *, today: str = "",
               handout: str | None = None) -> list:
    """Every refused field of a form (records.field_problems: one per field, in the CLI's
    words); when every field passes, what building the job still refuses (the brand,
    an unknown language)."""
    problems = field_problems(values, handout=service.fields(handout))
    if problems:
        return problems
    try:
        service.job(values, today=today, handout=handout)
    except HandoutError as error:
        return [error]
    return []
