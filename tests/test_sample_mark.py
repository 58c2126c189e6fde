"""The example clinic is made up: every page it prints says it is not for patients, read
back by pdfium and by pypdf, in its own PDF and in the print file (blank pages too).
A real clinic's pages never say so."""
from __future__ import annotations

import pypdfium2
import pytest

from handouts.brand import load_brand
from tests.conftest import print_file as PrintFile, render, render_counted
from handouts.resources import EXAMPLE_BRAND
from tests.conftest import pdf_reader

MARKS = ("SAMPLE", "not for patients")


@pytest.fixture(scope="module")
def example():
    brand = load_brand(EXAMPLE_BRAND)
    assert brand.sample
    return brand


def page_texts(pdf: bytes) -> list[tuple[str, str]]:
    """Each page's text as (pdfium, pypdf) extract it, white space folded."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        pdfium = [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()
    pypdf = [page.extract_text() for page in pdf_reader(pdf).pages]
    assert len(pdfium) == len(pypdf)
    fold = lambda text: " ".join(text.replace("\r", " ").split())     # noqa: E731
    return [(fold(a), fold(b)) for a, b in zip(pdfium, pypdf)]


def assert_every_page_marked(pdf: bytes) -> int:
    pages = page_texts(pdf)
    for number, texts in enumerate(pages, start=1):
        for reader, text in zip(("pdfium", "pypdf"), texts):
            for mark in MARKS:
                assert mark in text, f"page {number}: {reader} does not read {mark!r}"
    return len(pages)


def assert_no_page_marked(pdf: bytes) -> None:
    for number, texts in enumerate(page_texts(pdf), start=1):
        for reader, text in zip(("pdfium", "pypdf"), texts):
            for mark in MARKS:
                assert mark not in text, f"page {number}: {reader} reads {mark!r}"


def odd_job(make_job, brand):
    """A job whose handout has an odd page count, so the print file pads it."""
    for locale in ("my", "km"):
        job = make_job(locale=locale, brand=brand)
        if render_counted(job)[1] % 2:
            return job
    raise AssertionError("no candidate handout has an odd page count: pick another")


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_every_page_of_the_example_clinic_says_sample(make_job, example, locale):
    pdf, pages = render_counted(make_job(locale=locale, brand=example))
    assert pages >= 2                   # later pages are marked, not only the first
    assert assert_every_page_marked(pdf) == pages


def test_every_page_of_the_print_file_says_sample_blank_pages_too(make_job, example):
    even, odd = make_job(locale="ar", brand=example), odd_job(make_job, example)
    even_pages, odd_pages = render_counted(even)[1], render_counted(odd)[1]
    assert even_pages % 2 == 0 and odd_pages % 2 == 1
    print_file = PrintFile(title="Print run", author="Riverside Women's Health")
    for job in (even, odd):
        print_file.add(job)
    pdf = print_file.finish()
    # ar's pages, the odd handout's pages, and its padding page, which is the last.
    assert assert_every_page_marked(pdf) == even_pages + odd_pages + 1
    blank_page = pdf_reader(pdf).pages[-1]
    assert "MRN-20417" in page_texts(pdf)[-1][0]            # its footer: the patient's id
    assert len(blank_page.extract_text()) < 300                 # and little else


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_marks_use_only_embedded_fonts(make_job, example, locale):
    for page in pdf_reader(render(make_job(locale=locale, brand=example))).pages:
        for name, font in page["/Resources"]["/Font"].items():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"] \
                if "/DescendantFonts" in font else font.get("/FontDescriptor", {})
            assert "/FontFile2" in descriptor, (name, font["/BaseFont"])


def test_a_real_clinic_pages_say_nothing_of_a_sample(make_job, brand):
    assert not brand.sample
    for locale in ("en", "ar"):
        assert_no_page_marked(render(make_job(locale=locale)))
    print_file = PrintFile(title="Print run", author="Riverside Women's Health")
    print_file.add(make_job(locale="en"))
    print_file.add(odd_job(make_job, brand))
    assert_no_page_marked(print_file.finish())
