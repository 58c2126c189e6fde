"""Shared fixtures: the example clinic, a job factory and PDF readers."""
from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from handouts.brand import load_brand
from handouts.fields import load_handout_fields
from handouts.library import Library
from handouts.records import DEFAULT_HANDOUT, job_from_fields
from handouts.resources import PROJECT_DIR, TEMPLATES_DIR

#: The example clinic without its sample mark: tests look at pages as patients get them.
TEST_BRAND = PROJECT_DIR / "tests" / "data" / "brands" / "test-clinic.toml"

PATIENT = {
    "locale": "en", "patient_name": "Maria Lopez", "record_id": "MRN-20417",
    "discharge_date": "2026-11-20", "wait": "2w", "contraception": "avoid",
    "follow_up": "2026-12-01 10:30", "rh": "given", "clinician": "Dr. Ana Rivera",
    "note": "Take ibuprofen 400 mg every 6 hours if you need it.",
}
TODAY = date(2026, 11, 20)
#: The first handout's own per-visit fields (its fields.toml), for building its jobs;
#: read directly, so that no test's Library is warmed by it.
HANDOUT_FIELDS = load_handout_fields(TEMPLATES_DIR / DEFAULT_HANDOUT)

#: The Library most tests share, as a long-running process would (tests of loading,
#: reloading and threads build their own).
LIBRARY = Library()


def render(job) -> bytes:
    return LIBRARY.render(job)


def render_counted(job):
    return LIBRARY.render_counted(job)


def render_document(job):
    return LIBRARY.render_document(job)


def render_for_print(job):
    return LIBRARY.render_for_print(job)


def print_file(**metadata):
    return LIBRARY.print_file(**metadata)


def build_document(job, bundle):
    """render.build_document for a job and a loaded catalog, from the shared library."""
    from handouts import render as core
    handout = LIBRARY.handout(job.handout)
    locale = LIBRARY.formatting_locale(bundle, job.brand.country)
    return core.build_document(job, bundle, handout, LIBRARY, locale)


def load_locale(locale_id: str, locales_dir=None, *, allow_fallback: bool = False):
    """A catalog through the gate, from the shared library."""
    return LIBRARY.catalogs(locales_dir).load(locale_id, allow_fallback=allow_fallback)


def catalog_problems(locale_id: str, locales_dir=None):
    return LIBRARY.catalogs(locales_dir).problems(locale_id)


def paragraph(spans, style, *, locale: str = "en", fields=None):
    return LIBRARY.text.paragraph(spans, style, locale=locale, fields=fields)


def check_coverage(text: str, *, locale: str, context: str = "") -> None:
    LIBRARY.text.check_coverage(text, locale=locale, context=context)


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true",
                     help="rewrite golden page images from the current output "
                          "(same as HANDOUTS_UPDATE_GOLDENS=1); look at them before committing")


def pytest_configure(config):
    """Every test runs as a clinic that set its brand once (README: HANDOUTS_BRAND), so
    commands without --brand print for the test clinic; tests of the unset case unset it."""
    import os
    os.environ["HANDOUTS_BRAND"] = str(TEST_BRAND)


@pytest.fixture(scope="session")
def brand():
    return load_brand(TEST_BRAND)


@pytest.fixture
def make_job(brand):
    def make(**overrides):
        fields = {**PATIENT, **{k: v for k, v in overrides.items()
                                if k not in ("brand", "name_in_metadata")}}
        return job_from_fields(fields, handout=HANDOUT_FIELDS,
                               brand=overrides.get("brand", brand), today=TODAY,
                               name_in_metadata=overrides.get("name_in_metadata", False))
    return make


def pdf_reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def pdf_text(data: bytes) -> str:
    """All text of a PDF as pdfium (Chrome's PDF engine) extracts it for copy and search,
    white space folded, for 'contains' checks across line breaks. pdfium honours
    ActualText, which the text engine writes where glyphs do not map back to characters."""
    import pypdfium2
    document = pypdfium2.PdfDocument(data)
    try:
        text = " ".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    return " ".join(text.replace("\r", " ").split())
