"""Formatting stage: what a patient reads follows their language in their clinic's
country, from CLDR through Babel, and reads in order in every script."""
import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import replace
from datetime import date, time

import pytest
from babel import Locale

from tests.conftest import load_locale
from handouts import formats, i18n
from handouts.errors import LocaleError
from tests.conftest import build_document
from tests.conftest import render
from tests.conftest import pdf_text

SHIPPED = i18n.shipped_locales()


@pytest.mark.parametrize("language, country, expected", [
    ("en", "US", "en_US"), ("en", "GB", "en_GB"), ("en", "CA", "en_CA"),
    ("en", "AU", "en_AU"), ("es", "US", "es_US"), ("es", "ES", "es_ES"),
    ("es", "MX", "es_MX"), ("fr", "CA", "fr_CA"), ("fr", "FR", "fr_FR"),
    ("pt_BR", "PT", "pt_PT"),            # the catalog is Brazilian; Portugal's formats
    ("pt_BR", "US", "pt_BR"),            # no pt_US in CLDR: the language's own
    ("zh_Hant", "TW", "zh_Hant_TW"),
    ("zh_Hans", "TW", "zh_Hans"),        # never zh_TW's Traditional formats
    ("ar", "US", "ar"), ("ht", "HT", "ht_HT"), ("ru", "GB", "ru"),
])
def test_the_formatting_locale_is_the_language_in_the_clinics_country(language, country,
                                                                       expected):
    assert str(formats.for_clinic(language, country)) == expected


@pytest.mark.parametrize("locale_id", SHIPPED)
def test_times_follow_the_locales_own_clock(locale_id):
    locale = formats.for_clinic(str(load_locale(locale_id).locale), "US")
    pattern = locale.time_formats["short"].pattern
    opening = formats.time_range(time(9), time(17), locale)
    if "H" in re.sub(r"'[^']*'", "", pattern):
        assert "17" in opening and "5:00" not in opening, (locale_id, opening)
    else:
        assert "5:00" in opening and "17" not in opening, (locale_id, opening)


def test_a_british_clinics_english_handout_is_british(make_job, brand):
    job = make_job(brand=replace(brand, country="GB", paper="a4", support_lines=()))
    text = pdf_text(render(job))
    for expected in ("Friday, 20 November 2026", "Tuesday, 1 December 2026 at 10:30",
                     "(20/11/2026)", "Mon – Fri, 09:00–16:00"):
        assert expected in text, expected
    assert "November 20," not in text and " AM" not in text and " PM" not in text


def test_haitian_creole_dates_and_language_names_are_creole(make_job):
    text = build_document(make_job(locale="ht"), load_locale("ht")).text()
    assert "vandredi 20 novanm 2026" in text and "madi 1 desanm 2026" in text
    assert "Lang: angle." in text and "Lang: panyòl." in text
    for french in ("vendredi", "novembre", "décembre", "anglais", "espagnol"):
        assert french not in text


def test_a_language_name_cldr_lacks_is_an_error_not_a_code():
    ht = formats.for_clinic("ht", "US")
    assert formats.language_list(["en", "fr"], ht) == "angle ak fransè"
    with pytest.raises(LocaleError, match=r"has no name for the language 'de'"):
        formats.language_list(["de"], ht)


def test_a_broken_supplement_names_its_file(tmp_path):
    folder = tmp_path / "locales" / "ht"
    folder.mkdir(parents=True)
    (folder / formats.SUPPLEMENT).write_text('[months]\nwide = ["janvye"]\n', "utf-8")
    with pytest.raises(LocaleError, match=r"cldr-supplement.toml: months.wide: needs 12 names"):
        formats.for_clinic("ht", "US", tmp_path / "locales")


def test_a_date_ending_in_an_abbreviation_is_not_followed_by_a_second_period(make_job):
    text = build_document(make_job(locale="ru"), load_locale("ru")).text()
    assert re.search(r"2026\sг\.", text) and ".." not in text.replace("...", "")


def test_lists_and_sources_are_joined_as_the_language_joins_a_list(make_job):
    ja = build_document(make_job(locale="ja"), load_locale("ja")).text()
    assert "NICHD Pregnancy Loss (2017)、International Society" in ja
    en = build_document(make_job(), load_locale("en")).text()
    assert "Obstet Gynecol 2016;127:204-212, and Farren J et al." in en


# Scripts that end a sentence with their own mark, never a Latin period: Han and kana,
# Ethiopic, Myanmar, Khmer and the Indic scripts of the shipped languages.
OWN_FULL_STOP = ("[\u3040-\u30ff\u3400-\u9fff\u1200-\u137f\u1000-\u109f\u1780-\u17ff"
                 "\u0900-\u0a7f]")


@pytest.mark.parametrize("locale_id", SHIPPED)
@pytest.mark.parametrize("country", ["US", "GB"])
def test_no_latin_period_between_sentences_and_no_doubled_period(make_job, brand, locale_id,
                                                                 country):
    clinic = brand if country == "US" else replace(brand, country=country, support_lines=())
    document = build_document(make_job(locale=locale_id, brand=clinic),
                              load_locale(locale_id))
    text = document.text() + "\n" + "\n".join(
        "".join(s.text for s in cell) for cell in document.footer)
    assert not re.search(OWN_FULL_STOP + r"\. ?" + OWN_FULL_STOP, text)
    assert not re.search(r"(?<!\.)\.\.(?!\.)", text)


def _folded(text: str) -> str:
    """Text without spaces, format controls and periods: readers differ in the spaces
    they put around a range, poppler adds bidi controls to right-to-left lines and moves
    a sentence's period next to a number; the order of the rest is what is compared."""
    return "".join(c for c in text if not c.isspace() and c != "."
                   and unicodedata.category(c) != "Cf")


def _poppler_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,
                          capture_output=True, check=True).stdout.decode("utf-8")


@pytest.mark.skipif(not shutil.which("pdftotext") and not os.environ.get("HANDOUTS_CI"),
                    reason="poppler-utils is not installed (CI installs it)")
@pytest.mark.parametrize("locale_id", SHIPPED)
def test_a_clinic_open_9_to_5_prints_on_the_locales_clock_in_reading_order(make_job,
                                                                          locale_id):
    # The test clinic's own support line is open mon-fri 09:00-17:00.
    locale = formats.for_clinic(str(load_locale(locale_id).locale), "US")
    opening = _folded(formats.time_range(time(9), time(17), locale))
    pdf = render(make_job(locale=locale_id))
    assert opening in _folded(pdf_text(pdf)), (locale_id, "pdfium")
    assert opening in _folded(_poppler_text(pdf)), (locale_id, "poppler")


def test_opening_days_are_cldr_day_names():
    assert formats.opening_hours("mon-fri 09:00-17:00", Locale.parse("es_US")) == \
        "lun\u2009–\u2009vie, 9:00\u202fa.m.\u2009–\u20095:00\u202fp.m."
    assert formats.opening_hours("sat 10:00-12:00", Locale.parse("ru")) == "сб, 10:00—12:00"


def test_fever_threshold_order_follows_the_clinics_country():
    assert formats.fever_threshold(Locale.parse("es_MX"), "MX") == ("38 °C", "100.4 °F")
    assert formats.fever_threshold(Locale.parse("en"), "US") == ("100.4°F", "38°C")


def test_language_names_keep_their_script_and_region():
    es = formats.for_clinic("es", "US")
    assert formats.language_list(["zh_Hans", "zh_Hant", "pt_BR"], es) == \
        "chino simplificado, chino tradicional y portugués de Brasil"


def test_the_supplemented_locale_is_never_taken_for_the_plain_one():
    ht = formats.for_clinic("ht", "US")
    assert ht != Locale.parse("ht") and hash(ht) != hash(Locale.parse("ht"))
    assert formats.long_date(date(2026, 12, 4), ht) == "vandredi 4 desanm 2026"
    assert "M12" in formats.long_date(date(2026, 12, 4), Locale.parse("ht"))


@pytest.mark.parametrize("locale_id", SHIPPED)
def test_every_shipped_language_has_month_and_day_names(locale_id):
    # CLDR's root data, which Babel falls back to, writes "2026 M12 4, Fri".
    locale = formats.for_clinic(str(load_locale(locale_id).locale), "US")
    text = formats.long_date(date(2026, 12, 4), locale)
    assert not re.search(r"M\d\d", text) and (locale_id == "en" or "Fri" not in text), text


def test_no_doubled_period_when_a_tag_closes_between_the_date_and_the_period():
    from handouts.templating import translating_callables, FORMATTING_LOCALE
    import jinja2
    from markupsafe import Markup

    class Translations:
        def gettext(self, message):
            return "<b>Печать: %(date)s</b>."

    bundle = replace(load_locale("en"), translations=Translations())
    env = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    env.newstyle_gettext = True
    env.globals.update(translating_callables(bundle))
    template = env.from_string('{% trans date=when %}x{% endtrans %}')
    printed = template.render(when=Markup("<bdi>4 декабря 2026 г.</bdi>"),
                              **{FORMATTING_LOCALE: Locale.parse("ru")})
    assert printed == "<b>Печать: <bdi>4 декабря 2026 г.</bdi></b>"
