"""Locale stage: negotiation, catalog loading (never a silent English fallback), formatting."""
from pathlib import Path

import pytest
from babel import Locale

from handouts import i18n
from handouts.errors import LocaleError

SHIPPED = ("en", "es", "zh_Hans", "zh_Hant", "pt_BR", "he", "tl")


@pytest.mark.parametrize("requested, expected", [
    ("es", "es"), ("es-MX", "es"), ("ES_us", "es"), ("en-GB", "en"),
    ("zh-TW", "zh_Hant"), ("zh-HK", "zh_Hant"), ("zh-CN", "zh_Hans"), ("zh", "zh_Hans"),
    ("pt-PT", "pt_BR"), ("iw", "he"), ("tl", "tl"), ("fil", "tl"),
])
def test_negotiation(requested, expected):
    assert i18n.negotiate(requested, SHIPPED) == expected


def test_unknown_language_lists_the_shipped_ones():
    with pytest.raises(LocaleError) as caught:
        i18n.negotiate("xx", ("en", "es"))
    assert str(caught.value) == "locale: 'xx' is not a shipped language (use one of: en, es)"


def test_not_a_tag():
    with pytest.raises(LocaleError, match=r"^locale: 'e s' is not a language tag"):
        i18n.negotiate("e s", ("en",))


def _catalog_dir(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(text, "utf-8")
    return tmp_path


HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'


def test_untranslated_entry_is_an_error_not_english(tmp_path):
    folder = _catalog_dir(tmp_path, HEADER + 'msgid "Hello"\nmsgstr "Hola"\n\n'
                                              'msgid "Bye"\nmsgstr ""\n')
    with pytest.raises(LocaleError) as caught:
        i18n.load_locale("es", folder)
    assert str(caught.value).endswith(
        "es/LC_MESSAGES/messages.po:8: 'Bye' is untranslated (translate every entry and remove "
        "'fuzzy' flags, then run python generate.py locales check es)")


def test_fuzzy_entry_is_an_error(tmp_path):
    folder = _catalog_dir(tmp_path, HEADER + '#, fuzzy\nmsgid "Hello"\nmsgstr "Hola"\n')
    with pytest.raises(LocaleError, match=r"messages.po:6: 'Hello' is fuzzy"):
        i18n.load_locale("es", folder)


def test_missing_catalog(tmp_path):
    with pytest.raises(LocaleError, match=r"no catalog for 'es'"):
        i18n.load_locale("es", tmp_path)


def test_complete_catalog_translates(tmp_path):
    folder = _catalog_dir(tmp_path, HEADER + 'msgid "Hello"\nmsgstr "Hola"\n')
    bundle = i18n.load_locale("es", folder)
    assert bundle.translations.gettext("Hello") == "Hola"
    assert bundle.review.reviewed is False and bundle.bcp47 == "es"


def test_review_status_read_from_review_toml(tmp_path):
    path = tmp_path / "review.toml"
    path.write_text('reviewed = true\nreviewer = "A. Translator, CMI"\ndate = "2026-11-01"\n')
    assert i18n.read_review(path) == i18n.ReviewStatus(True, "A. Translator, CMI", "2026-11-01")
    path.write_text("reviewed = true\n")
    with pytest.raises(LocaleError, match="reviewed = true needs reviewer and date"):
        i18n.read_review(path)
    assert i18n.read_review(tmp_path / "absent.toml").reviewed is False


def test_fever_threshold_order_follows_country():
    assert i18n.fever_threshold(Locale.parse("es"), "MX") == ("38 °C", "100,4 °F")
    assert i18n.fever_threshold(Locale.parse("en"), "US") == ("100.4°F", "38°C")


def test_languages_without_cldr_date_names_borrow_them():
    bundle = i18n.load_locale("ht")
    from datetime import date
    assert i18n.long_date(date(2026, 12, 4), bundle.locale) == "vendredi 4 décembre 2026"
    assert bundle.native_name == "Kreyòl Ayisyen" and bundle.direction == "ltr"
