"""Archivable handouts: every shipped language's handout is a PDF/A-2u file by an
independent validator (page-validation, offline), its XMP saying what the document
information dictionary says and nothing about the patient."""
from __future__ import annotations

import re

import pytest

from handouts.archival import SRGB_CONDITION, srgb_profile
from handouts.i18n import shipped_locales
from tests.conftest import PATIENT, pdf_reader, render

page = pytest.importorskip("page", reason="the test extra installs page-validation")


def _failures(pdf: bytes, profile: str) -> list[str]:
    report = page.validate_pdf_bytes(pdf, profile=profile)
    return sorted({f"{f.rule_id}: {f.message}" for f in report.failures})


@pytest.mark.parametrize("locale", shipped_locales())
def test_every_language_is_pdf_a_2u(make_job, locale):
    pdf = render(make_job(locale=locale))
    assert _failures(pdf, "2u") == []


def test_the_xmp_says_what_the_information_dictionary_says(make_job):
    pdf = render(make_job(locale="ar"))
    reader = pdf_reader(pdf)
    xmp = reader.trailer["/Root"]["/Metadata"].get_object()
    assert xmp["/Subtype"] == "/XML" and "/Filter" not in xmp
    text = xmp.get_data().decode("utf-8")
    info = reader.metadata
    title = re.search(r'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">(.*?)</rdf:li>',
                      text).group(1)
    assert title == info.title and "التعافي" in title
    author = re.search(r"<dc:creator><rdf:Seq><rdf:li>(.*?)</rdf:li>", text).group(1)
    assert author == info.author
    assert re.search(r"<dc:description><rdf:Alt><rdf:li[^>]*>(.*?)</rdf:li>", text).group(1) == info.subject
    assert "<rdf:li>ar</rdf:li>" in text and "<pdf:Producer>handouts<" in text
    assert f"<pdfaid:part>2</pdfaid:part>" in text and "<pdfaid:conformance>U<" in text
    for value in PATIENT.values():
        if len(value) > 3 and value not in ("2026-11-20", "given", "avoid"):
            assert value not in text, value
    intent = reader.trailer["/Root"]["/OutputIntents"][0].get_object()
    assert intent["/OutputConditionIdentifier"] == SRGB_CONDITION
    assert intent["/DestOutputProfile"].get_object().get_data() == srgb_profile()


def test_the_colour_profile_is_the_vendored_file():
    import hashlib
    import io
    from PIL import ImageCms
    profile = srgb_profile()
    assert hashlib.sha256(profile).hexdigest() == \
        "6f6fe5cc53cd24ceeb7997fb24ce2889fdfb88d88ce4fdc5f8e25e0481294953"
    assert profile[36:40] == b"acsp" and profile[16:20] == b"RGB "
    assert ImageCms.ImageCmsProfile(io.BytesIO(profile)).profile.profile_description \
        == "sRGB built-in"


def test_every_stream_ends_with_an_end_of_line_outside_its_length(make_job):
    pdf = render(make_job())
    assert pdf.startswith(b"%PDF-1.7\n")
    streams = list(re.finditer(rb"/Length (\d+)[^>]*>>\nstream\n", pdf))
    assert len(streams) == pdf.count(b"endstream") > 5
    for found in streams:
        start = found.end()
        length = int(found.group(1))
        assert pdf[start + length:start + length + 11] == b"\nendstream\n"
