"""The pure core: `render(job) -> bytes`.

It reads only the project's own inputs (templates, catalogs, fonts), which it caches, and
the job; no clock, no environment, no working directory, no process locale.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from datetime import date
from types import MappingProxyType

from markupsafe import Markup, escape

from . import formats, i18n
from .content import Document, parse_markup
from .errors import HandoutError, MissingGlyphError
from .i18n import LocaleBundle
from .layout import HandoutLayout
from .pdf import HandoutPages, Metadata, PrintDocument, lay_out
from .records import Job
from .templating import (FORMATTING_LOCALE, HandoutMeta, load_meta, load_support_lines,
                         render_markup)
from .text import LAYOUT_CHARACTERS, TextStyle, check_coverage


def render(job: Job) -> bytes:
    """The handout PDF for one job, as bytes."""
    return render_counted(job)[0]


def render_counted(job: Job) -> tuple[bytes, int]:
    """The handout PDF for one job and its page count."""
    return render_document(job)[:2]


def render_document(job: Job) -> tuple[bytes, int, Document]:
    """The handout PDF for one job, its page count and its content."""
    prepared = prepare(job)
    pdf, pages, _ = _lay_out(prepared, record=False)
    return pdf, pages, prepared.document


def _lay_out(prepared: Prepared, *, pdf: bool = True, record: bool):
    layout, document = prepared.layout, prepared.document
    return lay_out(layout, layout.flowables(document), document.footer, prepared.metadata,
                   pdf=pdf, record=record)


@dataclass(frozen=True)
class ForPrint:
    """What the print file needs of a handout already made: its pages, and of its content
    only the furniture (title, footer, blank page), so a worker sends little."""
    document: Document
    pages: HandoutPages


def render_for_print(job: Job) -> tuple[bytes, int, ForPrint]:
    """render_counted, plus the handout laid out for the print file (one layout for both;
    the PDF is the same bytes as render's)."""
    prepared = prepare(job)
    pdf, count, pages = _lay_out(prepared, record=True)
    return pdf, count, ForPrint(replace(prepared.document, blocks=()), pages)


@dataclass(frozen=True)
class Prepared:
    """One job, ready to lay out: its checked content, layout and PDF metadata."""
    document: Document
    layout: HandoutLayout
    metadata: Metadata


@lru_cache(maxsize=1024)
def negotiate(tag: str) -> str:
    """i18n.negotiate against the shipped locales, once per tag and process (it scans the
    locales folder, which does not change while handouts are made)."""
    return i18n.negotiate(tag)


def prepare(job: Job, document: Document | None = None) -> Prepared:
    """The job's content, layout and metadata; `document`, when given, must be
    build_document's result for this same job (a worker made it already)."""
    if job.allow_fallback and not job.brand.sample:
        raise HandoutError("English in place of a translation is for a translator's preview "
                           "only, never a patient's handout", field="allow_fallback",
                           hint="use python generate.py locales preview LOCALE")
    locale_id = negotiate(job.locale)
    if locale_id in i18n.PSEUDO_LOCALES and not job.brand.sample:
        raise HandoutError(f"{job.locale} is a pseudo-locale for testing layouts, never a "
                           "patient's handout", field="locale",
                           hint=f"use python generate.py sample --locale {job.locale}")
    bundle = i18n.load_locale(locale_id, allow_fallback=job.allow_fallback)
    meta = load_meta(job.handout)        # read once: the document and its metadata agree
    if document is None:
        check_patient_text(job, bundle.id)
        document = build_document(job, bundle, meta)
    layout = HandoutLayout(job.brand, bundle.id, bundle.direction == "rtl", job.page_size_name,
                           numbers=formatting_locale(bundle, job.brand.country))
    check_covered(LAYOUT_CHARACTERS + job.brand.name + "".join(job.brand.address), bundle.id,
                  "the clinic's name or address")
    layout.check_letterhead()
    title = document.title
    if job.name_in_metadata and job.patient_name:
        title = f"{title} – {job.patient_name}"
    metadata = Metadata(title=title, lang=bundle.bcp47, author=job.brand.name,
                        subject=f"{job.handout} {meta.version}")
    return Prepared(document, layout, metadata)


#: The values a patient or clinician typed: checked one by one against the fonts, so an
#: error names the field and the position and never quotes the text.
PATIENT_TEXT_FIELDS = ("patient_name", "clinician", "note")

BLANK_PAGE_STYLE = TextStyle(size=11.5, leading=14, colour="#4D4D4D", align="centre")


class PrintFile:
    """Many jobs rendered into ONE PDF for double-sided printing (see pdf.PrintDocument).

    Add jobs in print order; `finish()` returns the bytes. Each handout's pages are the
    same as its own PDF's; odd page counts are padded with the handout's translated
    "This page is intentionally blank." page.
    """

    def __init__(self, *, title: str, author: str, lang: str = "", subject: str = ""):
        self._document = PrintDocument(Metadata(title=title, lang=lang, author=author,
                                                subject=subject))

    @property
    def handouts(self) -> int:
        return self._document.handouts

    @property
    def pages(self) -> int:
        return self._document.pages

    def add(self, job: Job, made: ForPrint | None = None) -> int:
        """Add one handout; returns the pages it takes, padding included. `made` is what
        render_for_print gave for this job, if a worker made it already; otherwise the
        handout is laid out here."""
        prepared = prepare(job, made.document if made else None)
        layout, document = prepared.layout, prepared.document
        pages = made.pages if made else _lay_out(prepared, pdf=False, record=True)[2]
        blank = layout.para(document.blank_page, BLANK_PAGE_STYLE)
        return self._document.add(layout, pages, document.footer, blank)

    def finish(self, stream=None) -> bytes | None:
        """The print file's bytes, or None when written to `stream` (a binary file)."""
        return self._document.finish(stream)


def build_document(job: Job, bundle: LocaleBundle, meta: HandoutMeta | None = None) -> Document:
    """The handout's content for one job: templated, parsed and checked against the fonts."""
    markup = render_markup(job.handout, bundle, template_context(job, bundle, meta))
    document = parse_markup(markup, source=f"templates/{job.handout}/handout.xml.j2")
    furniture = [s.text for cell in document.footer + (document.blank_page,) for s in cell]
    check_covered(document.text() + "".join(furniture), bundle.id,
                  "the handout's text (the template, its translation or a formatted value)")
    return document


#: Per locale, the characters check_coverage has passed. Whether a font covers a
#: character depends only on the character and the locale, and nearly all of a handout's
#: text is the same for every patient, so only characters not seen before are checked.
_covered: dict[str, frozenset[str]] = {}


def check_patient_text(job: Job, locale: str) -> None:
    """The patient's own values, checked against the fonts one field at a time, so the
    error names the field and never quotes the value."""
    for name in PATIENT_TEXT_FIELDS:
        value = getattr(job, name)
        if set(value) <= _covered.get(locale, frozenset()):
            continue
        try:
            check_coverage(value, locale=locale, context=name)
            continue
        except MissingGlyphError:
            pass
        for char in dict.fromkeys(value):
            try:
                check_coverage(char, locale=locale, context=name)
            except MissingGlyphError:
                raise MissingGlyphError(f"no font covers U+{ord(char):04X} (character "
                                 f"{value.index(char) + 1})", field=name,
                                 hint="replace or remove that character, or add a font that "
                                      "covers it to fonts/manifest.toml") from None
        raise MissingGlyphError("has text that no font can draw", field=name,
                         hint="replace or remove unusual characters")


def check_covered(text: str, locale: str, what: str) -> None:
    """check_coverage(text, locale=locale), skipped when every character of the text
    passed it before. The error names the character and `what` the text is, never the
    text around it: a handout's text holds the patient's values."""
    covered = _covered.get(locale, frozenset())
    characters = set(text)
    if characters <= covered:
        return
    try:
        check_coverage(text, locale=locale)
    except MissingGlyphError as error:
        char = next(c for c in dict.fromkeys(text) if not _covers(c, locale))
        raise MissingGlyphError(f"no font covers U+{ord(char):04X} in {what}", field="text",
                                hint=error.hint) from None
    _covered[locale] = covered | characters


def _covers(char: str, locale: str) -> bool:
    try:
        check_coverage(char, locale=locale)
    except MissingGlyphError:
        return False
    return True


def template_context(job: Job, bundle: LocaleBundle, meta: HandoutMeta | None = None) -> dict:
    """Every value the template prints, already formatted for the patient's language in
    the clinic's country. Dates, times and temperatures are bidi isolates (<bdi>), so
    they read in order inside right-to-left text and never take their neighbours along."""
    locale = formatting_locale(bundle, job.brand.country)
    wait = job.wait
    follow_up = job.follow_up.at
    return {
        **_shared_context(job.handout, bundle, job.brand, meta or load_meta(job.handout),
                          load_support_lines(job.handout), locale),
        FORMATTING_LOCALE: locale,
        "today": isolated(formats.long_date(job.today, locale, weekday=False)),
        "patient": {"name": job.patient_name, "label": job.patient_label},
        "visit": {
            "discharge_date": isolated(formats.long_date(job.discharge_date, locale)),
            "wait_kind": "bleeding" if wait.until_bleeding_stops else
                         ("weeks" if wait.weeks else "date"),
            "wait_weeks": wait.weeks or 0,
            "wait_until": isolated(formats.long_date(wait.until, locale)) if wait.until else "",
            "follow_up_date": isolated(formats.long_date(follow_up.date(), locale))
            if follow_up else "",
            "follow_up_time": isolated(formats.short_time(follow_up, locale))
            if follow_up else "",
            "contraception": job.contraception,
            "method": job.contraception_method,
            "rh": job.rh,
            "clinician": job.clinician,
            "note": job.note,
        },
    }


def formatting_locale(bundle: LocaleBundle, country: str):
    """The Babel locale a handout's values are written for: the catalog's language in
    the clinic's country (its supplement found by the catalog's folder)."""
    return formats.for_clinic(bundle.id, country, formats_as=str(bundle.locale))


def isolated(value: str) -> Markup:
    """A formatted value as a bidi isolate: markup the template passes through as is
    (the value is escaped; it comes from CLDR, never from a patient)."""
    return Markup("<bdi>%s</bdi>") % value


@lru_cache(maxsize=64)
def _shared_context(handout: str, bundle: LocaleBundle, brand, meta: HandoutMeta,
                    support_lines: tuple, locale) -> dict:
    """The template values that are the same for every patient of a handout, locale,
    brand and version of its files (formatting them was a few per cent of a render).
    Shared between renders, so read-only: a template cannot change what the next
    patient's handout says. `locale` is the render's formatting_locale, made once."""
    review_date = date.fromisoformat(meta.review_date)
    lines = [line for line in support_lines + brand.support_lines
             if line.country == brand.country]
    verified = min((line.last_verified for line in lines), default="")
    fever_first, fever_second = formats.fever_threshold(locale, brand.country)
    return {
        "draft_notice": not bundle.review.reviewed,
        "show_english_notice": bundle.id != i18n.SOURCE_LOCALE,
        "language_name": bundle.native_name,
        "clinic": MappingProxyType({
            "name": brand.name, "phone": brand.phone,
            "after_hours_phone": brand.after_hours_phone,
            "emergency_number": brand.emergency_number,
            "avoid_baths": brand.avoid_baths,
        }),
        "crisis_line": next((MappingProxyType({"number": line.number, "how": line.how})
                             for line in lines if line.crisis), None),
        "fever_first": isolated(fever_first),
        "fever_second": isolated(fever_second),
        "support_lines": tuple(MappingProxyType(support_line_values(line, locale))
                               for line in lines),
        "support_verified": isolated(formats.long_date(date.fromisoformat(verified), locale,
                                                       weekday=False)) if verified else "",
        "meta": MappingProxyType({
            "version": meta.version,
            "review_date": isolated(formats.long_date(review_date, locale, weekday=False)),
            "review_date_short": isolated(formats.short_date(review_date, locale)),
            "sources": formats.source_list(meta.sources, locale),
        }),
    }


def opening_hours(hours: str, locale) -> Markup:
    """formats.opening_hours with the days and the times each an isolate, so a line may
    break between them but never inside either."""
    days, times, glue = formats.opening_hours_parts(hours, locale)
    return escape(glue).replace("{1}", isolated(days)).replace("{0}", isolated(times))


def support_line_values(line, locale) -> dict:
    """A support line's printable values: name and number as written, days, times and
    language names in the handout's language."""
    codes = line.languages.split()
    return {
        "name": line.name,
        "how": line.how,
        "number": line.number,
        "cost": line.cost,
        "always_open": line.hours == "24/7",
        "hours": "" if line.hours in ("", "24/7") else opening_hours(line.hours, locale),
        "many_languages": codes == ["many"],
        "languages": formats.language_list(codes, locale) if codes != ["many"] else "",
    }


__all__ = ["render", "render_counted", "render_document", "render_for_print", "prepare",
           "PrintFile", "ForPrint",
           "build_document", "HandoutError"]
