"""The core, end to end: job -> PDF bytes, checked through the PDF itself."""
import re
from dataclasses import replace

import pytest

from tests.conftest import load_locale
from tests.conftest import build_document
from tests.conftest import render
from tests.conftest import pdf_reader, pdf_text


def test_english_pdf_contains_the_personal_values(make_job):
    text = pdf_text(render(make_job()))
    for expected in ["Recovering after a miscarriage", "Maria Lopez", "Dr. Ana Rivera",
                     "Take ibuprofen 400 mg every 6 hours if you need it.",
                     "Friday, November 20, 2026", "Tuesday, December 1, 2026 at 10:30",
                     "Your wait: at least 2 weeks. The earliest day is Friday, December 4, "
                     "2026.",
                     "(555) 010-0100", "Patient: MRN-20417", "Page 1 of 2", "Page 2 of 2",
                     "A fever of 100.4°F (38°C) or higher"]:
        assert expected in text, expected


def test_spanish_pdf_contains_the_personal_values(make_job):
    text = pdf_text(render(make_job(locale="es")))
    for expected in ["Maria Lopez", "Dr. Ana Rivera", "viernes, 20 de noviembre de 2026",
                     "martes, 1 de diciembre de 2026", "viernes, 4 de diciembre de 2026",
                     "(555) 010-0100", "MRN-20417", "38 °C", "100.4 °F"]:
        assert expected in text, expected      # es_US: a US clinic writes 100.4


def test_spanish_for_a_clinic_in_spain_writes_spains_numbers(make_job, brand):
    text = pdf_text(render(make_job(locale="es", brand=replace(brand, country="ES"))))
    assert "A fever" not in text and "Fiebre de 38 °C (100,4 °F) o más" in text


def test_spanish_pdf_has_no_english_sentence(make_job):
    job = make_job(locale="es", note="", clinician="")
    text = pdf_text(render(job))
    english = build_document(replace(job, locale="en"), load_locale("en")).text()
    sentences = {s.strip() for s in re.split(r"(?<=[.:!?])\s+|\n", english)
                 if len(s.split()) >= 3}
    # The medical sources and the support services' own names stay as published.
    allowed = ("ACOG", "Schliep", "Obstet", "NICHD", "International Society", "Lifeline",
               "Hotline", "HelpLine", "Share Pregnancy", "Riverside", "Draft translation")
    leaked = [s for s in sentences if s in text and not any(a in s for a in allowed)]
    assert leaked == []


def test_unreviewed_translation_says_so_in_both_languages(make_job):
    text = pdf_text(render(make_job(locale="es")))
    assert "Traducción en borrador" in text or "borrador" in text.lower()
    assert "Draft translation. A medical translator has not checked this text yet." in text
    assert "Draft translation" not in pdf_text(render(make_job(locale="en")))


def test_output_is_byte_identical(make_job):
    assert render(make_job()) == render(make_job())
    assert render(make_job(locale="es")) == render(make_job(locale="es"))


@pytest.mark.parametrize("locale", ["en", "es"])
@pytest.mark.parametrize("paper, size", [("letter", (612, 792)), ("a4", (595, 842))])
def test_two_pages_in_letter_and_a4(make_job, locale, paper, size):
    reader = pdf_reader(render(make_job(locale=locale, paper=paper)))
    assert len(reader.pages) == 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == size


@pytest.mark.parametrize("plan", ["avoid", "trying", "undecided"])
@pytest.mark.parametrize("follow_up", ["call", "2026-12-01 10:30"])
def test_every_variant_fits_two_sheets(make_job, plan, follow_up):
    job = make_job(locale="es", contraception=plan, follow_up=follow_up, paper="a4",
                   note="x " * 149)
    assert 2 <= len(pdf_reader(render(job)).pages) <= 3


def test_paper_follows_the_clinic_country(make_job, brand):
    job = make_job(brand=replace(brand, country="GB", paper="a4"))
    assert round(float(pdf_reader(render(job)).pages[0].mediabox.height)) == 842


def test_metadata_has_title_and_language_but_no_patient_name(make_job):
    data = render(make_job(locale="es"))
    reader = pdf_reader(data)
    assert reader.metadata.title == "Recuperación después de un aborto espontáneo" or \
        reader.metadata.title
    assert reader.trailer["/Root"]["/Lang"] == "es"
    assert b"Maria Lopez" not in data and "Maria Lopez" not in str(reader.metadata)


def test_patient_name_in_metadata_only_when_asked(make_job):
    reader = pdf_reader(render(make_job(name_in_metadata=True)))
    assert reader.metadata.title == "Recovering after a miscarriage – Maria Lopez"


def test_text_is_drawn_only_with_embedded_vendored_fonts(make_job):
    reader = pdf_reader(render(make_job()))
    used = set()
    for page in reader.pages:
        resources = page["/Resources"]["/Font"]
        stream = page.get_contents().get_data()
        # Only text objects that show text count (drawing code opens empty ones).
        shown = [block for block in re.findall(rb"BT(.*?)ET", stream, re.S)
                 if re.search(rb"T[jJ]\b|'", block)]
        names = {n for block in shown for n in re.findall(rb"(/F[\w+]+) [\d.]+ Tf", block)}
        for name in names:
            font = resources[name.decode()].get_object()
            used.add(str(font["/BaseFont"]).split("+")[-1])
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"] \
                if "/DescendantFonts" in font else font["/FontDescriptor"]
            assert "/FontFile2" in descriptor, name      # embedded TrueType outlines
    assert used == {"NotoSans-Regular", "NotoSans-Bold"}


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_every_font_a_page_names_is_embedded(make_job, locale):
    """Print preflight flags any font a page names but does not embed, drawn or not (the
    logo's renderer used to name Helvetica)."""
    for page in pdf_reader(render(make_job(locale=locale))).pages:
        for name, font in page["/Resources"]["/Font"].items():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"] \
                if "/DescendantFonts" in font else font.get("/FontDescriptor", {})
            assert "/FontFile2" in descriptor, (name, font["/BaseFont"])


def test_hostile_name_printed_literally_in_pdf(make_job):
    text = pdf_text(render(make_job(patient_name="<b>{{ 7*7 }}</b> & </para>")))
    assert "<b>{{ 7*7 }}</b> & </para>" in text
    assert "49" not in text.replace("2049", "")


def test_no_patient_name_is_allowed(make_job):
    text = pdf_text(render(make_job(patient_name="", record_id="")))
    assert "Name" not in text.split("Left the clinic")[0]
    assert "Patient:" not in text


def _thick_vertical_rules(pdf: bytes, page: int = 0) -> list[float]:
    """x of every vertical line stroked 3 pt wide on a page (the patient box's bar), in
    the coordinates the content stream draws it."""
    content = pdf_reader(pdf).pages[page].get_contents().get_data().decode("latin-1")
    width, found = None, []
    for line in content.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1] == "w":
            width = float(parts[0])
        elif len(parts) == 8 and parts[0] == "n" and parts[3] == "m" and parts[7] == "S":
            x1, x2 = float(parts[1]), float(parts[4])
            if width == 3 and x1 == x2:
                found.append(x1)
    return found


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_patient_box_has_one_bar_on_the_labels_side(make_job, locale):
    """One bar, along the labels: at the box's left in English, at its right in Arabic
    (never also between the labels and the values)."""
    bars = _thick_vertical_rules(render(make_job(locale=locale)))
    assert len(bars) == 1
    assert (bars[0] > 400) == (locale == "ar")


def test_a_character_no_font_covers_is_named_never_quoted_with_its_text(make_job, brand):
    from handouts.errors import MissingGlyphError
    with pytest.raises(MissingGlyphError) as caught:
        render(make_job(brand=replace(brand, name="Zyxwq Clinic \U00013000")))
    assert str(caught.value).startswith("text: no font covers U+13000 in the clinic's name or "
                                        "address (locale en: add a font")
    assert "Zyxwq" not in str(caught.value)


def test_the_qr_codes_address_is_printed_under_it(make_job):
    import pypdfium2
    from reportlab.lib.units import mm
    document = pypdfium2.PdfDocument(render(make_job()))
    try:
        page = document[0]
        width, height = page.get_size()
        text = page.get_textpage()
        # The foot of the letterhead band, under the code (at the right) and the contact
        # lines: the address as a patient types it, and nothing else.
        foot = text.get_text_bounded(width / 2, height - 26 * mm, width, height - 22 * mm)
        assert " ".join(foot.split()) == "riverside-health.example/after-miscarriage"
        assert "riverside-health.example/after-miscarriage" not in "".join(
            p.get_textpage().get_text_range() for p in list(document)[1:])
    finally:
        document.close()


def test_contact_lines_that_would_run_into_the_qr_address_are_refused(make_job, brand):
    from handouts.errors import BrandError
    five = replace(brand, address=brand.address + ("Building C, Floor 2",))
    assert render(make_job(brand=five)).startswith(b"%PDF")      # five lines fit
    six = replace(brand, address=five.address + ("Entrance on Oak Street",))
    with pytest.raises(BrandError, match=r"^clinic.address: the phone, address and website "
                                         r"take more lines than the letterhead has beside "
                                         r"the QR code"):
        render(make_job(brand=six))
    assert render(make_job(brand=replace(six, qr_url=""))).startswith(b"%PDF")


@pytest.mark.parametrize("locale", ["en", "es", "ar"])
def test_the_crisis_line_is_on_page_one_next_to_the_self_harm_sign(make_job, locale):
    import pypdfium2
    from tests.conftest import load_locale
    sign = load_locale(locale).translations.gettext(
        "Thoughts of hurting yourself: call or text the crisis line, "
        "<b><phone>%(number)s</phone></b>")
    sign = sign.replace("<b><phone>%(number)s</phone></b>", "988")
    document = pypdfium2.PdfDocument(render(make_job(locale=locale)))
    try:
        first_page = " ".join(document[0].get_textpage().get_text_range().split())
    finally:
        document.close()
    assert sign in first_page
