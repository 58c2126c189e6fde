"""The pure core: `render(job, library) -> bytes`.

It reads only the job and what the explicit resource Library holds (templates, catalogs,
fonts, handout definitions); no clock, no environment, no working directory, no process
locale, no module-level cache. Each resource is taken from the library once per render,
so one handout never mixes two versions of a file.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from types import MappingProxyType

from markupsafe import Markup, escape

from . import formats, i18n
from .content import Document, parse_markup, private_form
from .errors import HandoutError, MissingGlyphError
from .formats import isolated
from .i18n import LocaleBundle
from .layout import HandoutLayout
from .pdf import HandoutPages, Metadata, PrintDocument, lay_out
from .records import Job
from .templating import FORMATTING_LOCALE, render_markup
from .text import LAYOUT_CHARACTERS, TextStyle


def render(job: Job, library) -> bytes:
    """The handout PDF for one job, as bytes."""
    return render_counted(job, library)[0]


def render_counted(job: Job, library) -> tuple[bytes, int]:
    """The handout PDF for one job and its page count."""
    return render_document(job, library)[:2]


def render_document(job: Job, library) -> tuple[bytes, int, Document]:
    """The handout PDF for one job, its page count and its content."""
    prepared = prepare(job, library)
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


def render_for_print(job: Job, library) -> tuple[bytes, int, ForPrint]:
    """render_counted, plus the handout laid out for the print file (one layout for both;
    the PDF is the same bytes as render's)."""
    prepared = prepare(job, library)
    pdf, count, pages = _lay_out(prepared, record=True)
    return pdf, count, ForPrint(replace(prepared.document, blocks=()), pages)


@dataclass(frozen=True)
class Prepared:
    """One job, ready to lay out: its checked content, layout and PDF metadata."""
    document: Document
    layout: HandoutLayout
    metadata: Metadata


def prepare(job: Job, library, document: Document | None = None) -> Prepared:
    """The job's content, layout and metadata; `document`, when given, must be
    build_document's result for this same job (a worker made it already)."""
    if job.allow_fallback and not job.brand.sample:
        raise HandoutError("English in place of a translation is for a translator's preview "
                           "only, never a patient's handout", field="allow_fallback",
                           hint="use python generate.py locales preview LOCALE")
    handout = library.handout(job.handout)     # read once: text and metadata agree
    declared = tuple(spec.name for spec in handout.fields.specs)
    if tuple(name for name, _ in job.visit) != declared:
        raise HandoutError("the handout's fields changed since this job was made",
                           field="handout", hint="check the values again and make the "
                                                 "handout again (its fields.toml was edited)")
    locale_id = handout.catalogs.negotiate(job.locale)
    if locale_id in i18n.PSEUDO_LOCALES and not job.brand.sample:
        raise HandoutError(f"{job.locale} is a pseudo-locale for testing layouts, never a "
                           "patient's handout", field="locale",
                           hint=f"use python generate.py sample --locale {job.locale}")
    bundle = handout.catalogs.load(locale_id, allow_fallback=job.allow_fallback)
    numbers = library.formatting_locale(bundle, job.brand.country)
    if document is None:
        check_patient_text(job, bundle.id, library, handout.fields)
        document = build_document(job, bundle, handout, library, numbers)
    layout = HandoutLayout(job.brand, bundle.id, bundle.direction == "rtl", job.page_size_name,
                           numbers=numbers, text=library.text, drawings=library.drawings,
                           private=private_text(job, handout.fields))
    check_covered(LAYOUT_CHARACTERS + job.brand.name + "".join(job.brand.address), bundle.id,
                  "the clinic's name or address", library)
    layout.check_letterhead()
    title = document.title
    if job.name_in_metadata and job.patient_name:
        title = f"{title} – {job.patient_name}"
    metadata = Metadata(title=title, lang=bundle.bcp47, author=job.brand.name,
                        subject=f"{job.handout} {handout.meta.version}")
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

    def __init__(self, library, *, title: str, author: str, lang: str = "",
                 subject: str = ""):
        self._library = library
        self._document = PrintDocument(Metadata(title=title, lang=lang, author=author,
                                                subject=subject), library.fonts)

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
        prepared = prepare(job, self._library, made.document if made else None)
        layout, document = prepared.layout, prepared.document
        pages = made.pages if made else _lay_out(prepared, pdf=False, record=True)[2]
        blank = layout.para(document.blank_page, BLANK_PAGE_STYLE)
        return self._document.add(layout, pages, document.footer, blank)

    def finish(self, stream=None) -> bytes | None:
        """The print file's bytes, or None when written to `stream` (a binary file)."""
        return self._document.finish(stream)


def build_document(job: Job, bundle: LocaleBundle, handout, library, locale) -> Document:
    """The handout's content for one job: templated, parsed and checked against the
    fonts. `locale` is the render's formatting locale (library.formatting_locale)."""
    context = {**shared_context(handout, bundle, job.brand, locale, library),
               **template_context(job, bundle, handout.fields, locale)}
    markup, source = render_markup(library.environment(bundle), job.handout, context)
    document = parse_markup(markup, source=source, blocks_seen=library.blocks,
                            private=private_text(job, handout.fields))
    furniture = [s.text for cell in document.footer + (document.blank_page,) for s in cell]
    check_covered(document.text() + "".join(furniture), bundle.id,
                  "the handout's text (the template, its translation or a formatted value)",
                  library)
    return document


def private_text(job: Job, handout_fields) -> tuple[str, ...]:
    """What identifies the patient (name, clinician, note, the handout's free-text fields,
    the record id and the label printed on every page), in the form the markup stage
    writes text: no cache keeps a block or paragraph that holds one of them."""
    typed = [getattr(job, name) for name in PATIENT_TEXT_FIELDS]
    typed += [job.visit_value(spec.name) or "" for spec in handout_fields.specs
              if spec.kind == "text"]
    typed += [job.record_id, job.patient_label]
    return tuple(dict.fromkeys(private_form(value) for value in typed if value.strip()))


def check_patient_text(job: Job, locale: str, library, handout_fields) -> None:
    """The patient's own values (the generic ones and the handout's free-text fields),
    checked against the fonts one field at a time, so the error names the field and
    never quotes the value."""
    check = library.text.check_coverage
    typed = [(name, getattr(job, name)) for name in PATIENT_TEXT_FIELDS]
    typed += [(spec.column, job.visit_value(spec.name) or "")
              for spec in handout_fields.specs if spec.kind == "text"]
    for name, value in typed:
        if set(value) <= library.covered(locale):
            continue
        try:
            check(value, locale=locale, context=name)
            continue
        except MissingGlyphError:
            pass
        for char in dict.fromkeys(value):
            try:
                check(char, locale=locale, context=name)
            except MissingGlyphError:
                raise MissingGlyphError(f"no font covers U+{ord(char):04X} (character "
                                 f"{value.index(char) + 1})", field=name,
                                 hint="replace or remove that character, or add a font that "
                                      "covers it to fonts/manifest.toml") from None
        raise MissingGlyphError("has text that no font can draw", field=name,
                         hint="replace or remove unusual characters")


def check_covered(text: str, locale: str, what: str, library) -> None:
    """library.text.check_coverage(text, locale=locale), skipped when every character of
    the text passed it before (whether a font covers a character depends only on the
    character and the locale, and nearly all of a handout's text is the same for every
    patient). The error names the character and `what` the text is, never the text
    around it: a handout's text holds the patient's values."""
    characters = set(text)
    if characters <= library.covered(locale):
        return
    try:
        library.text.check_coverage(text, locale=locale)
    except MissingGlyphError as error:
        char = next(c for c in dict.fromkeys(text) if not _covers(c, locale, library))
        raise MissingGlyphError(f"no font covers U+{ord(char):04X} in {what}", field="text",
                                hint=error.hint) from None
    library.add_covered(locale, characters)


def _covers(char: str, locale: str, library) -> bool:
    try:
        library.text.check_coverage(char, locale=locale)
    except MissingGlyphError:
        return False
    return True


def template_context(job: Job, bundle: LocaleBundle, handout_fields, locale) -> dict:
    """Every value of this patient's the template prints, already formatted for the
    patient's language in the clinic's country (`locale`, the formatting locale). Dates,
    times and temperatures are bidi isolates (<bdi>), so they read in order inside
    right-to-left text and never take their neighbours along. Under `visit`, the
    handout's own fields (its fields.toml) are `handout_fields.template_values`; the
    generic ones come after them, so no handout field can stand in for one."""
    return {
        FORMATTING_LOCALE: locale,
        "today": isolated(formats.long_date(job.today, locale, weekday=False)),
        "patient": {"name": job.patient_name, "label": job.patient_label},
        "visit": {
            **handout_fields.template_values(job.visit, locale),
            "discharge_date": isolated(formats.long_date(job.discharge_date, locale)),
            "clinician": job.clinician,
            "note": job.note,
        },
    }


def shared_context(handout, bundle: LocaleBundle, brand, locale, library) -> dict:
    """The template values that are the same for every patient of a handout, locale,
    brand and version of its files, kept by the library (formatting them was a few per
    cent of a render). Shared between renders, so read-only: a template cannot change
    what the next patient's handout says."""
    return library.shared_contexts.get_or_make(
        (handout, bundle, brand, locale),
        lambda _: _shared_context(handout, bundle, brand, locale))


def _shared_context(handout, bundle: LocaleBundle, brand, locale) -> dict:
    meta = handout.meta
    review_date = date.fromisoformat(meta.review_date)
    lines = [line for line in handout.support_lines + brand.support_lines
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
