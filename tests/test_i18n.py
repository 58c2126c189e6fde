"""Locale stage: negotiation, catalog loading (never a silent English fallback), formatting."""
from pathlib import Path

import pytest

from tests.conftest import load_locale
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
    with pytest.raises(LocaleError, match=r"^locale: the value is "
                                          r"not a language tag"):
        i18n.negotiate("e s", ("en",))


def _catalog_dir(tmp_path: Path, entries: str) -> Path:
    """A locales folder whose template has "Hello" and "Bye", and an es catalog."""
    (tmp_path / "messages.pot").write_text(POT_HEADER + 'msgid "Hello"\nmsgstr ""\n\n'
                                           'msgid "Bye"\nmsgstr ""\n', "utf-8")
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(HEADER + entries, "utf-8")
    return tmp_path


POT_HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
HEADER = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n'
          '"Plural-Forms: nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);'
          '\\n"\n\n')


def test_untranslated_entry_is_an_error_not_english(tmp_path):
    folder = _catalog_dir(tmp_path, 'msgid "Hello"\nmsgstr "Hola"\n\nmsgid "Bye"\nmsgstr ""\n')
    with pytest.raises(LocaleError) as caught:
        load_locale("es", folder)
    assert str(caught.value).endswith(
        "es/LC_MESSAGES/messages.po:9: untranslated: 'Bye' has no translation (fix the "
        "catalog, then run: python generate.py locales check es)")


def test_fuzzy_entry_is_an_error(tmp_path):
    folder = _catalog_dir(tmp_path, '#, fuzzy\nmsgid "Hello"\nmsgstr "Hola"\n\n'
                                    'msgid "Bye"\nmsgstr "Adiós"\n')
    with pytest.raises(LocaleError, match=r"messages.po:7: fuzzy: 'Hello' is marked fuzzy"):
        load_locale("es", folder)


def test_missing_catalog(tmp_path):
    with pytest.raises(LocaleError, match=r"no catalog for 'es'"):
        load_locale("es", tmp_path)


def test_complete_catalog_translates(tmp_path):
    folder = _catalog_dir(tmp_path, 'msgid "Hello"\nmsgstr "Hola"\n\nmsgid "Bye"\nmsgstr "Adiós"\n')
    bundle = load_locale("es", folder)
    assert bundle.translations.gettext("Hello") == "Hola"
    assert bundle.review.reviewed is False and bundle.bcp47 == "es"


def test_a_string_without_an_entry_is_an_error_not_english(tmp_path):
    folder = _catalog_dir(tmp_path, 'msgid "Hello"\nmsgstr "Hola"\n\nmsgid "Bye"\nmsgstr "Adiós"\n')
    translations = load_locale("es", folder).translations
    with pytest.raises(LocaleError, match=r"the template prints 'Good night', which has no entry"):
        translations.gettext("Good night")


def test_haitian_creole_is_its_own_language():
    bundle = load_locale("ht")
    assert bundle.native_name == "Kreyòl Ayisyen" and bundle.direction == "ltr"


def test_an_edited_catalog_is_read_again_by_a_running_process(tmp_path):
    folder = _catalog_dir(tmp_path, 'msgid "Hello"\nmsgstr "Hola"\n\nmsgid "Bye"\nmsgstr "Adiós"\n')
    first = load_locale("es", folder)
    assert first.translations.gettext("Hello") == "Hola"
    assert load_locale("es", folder) is first                  # unchanged: kept
    po = folder / "es" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text("utf-8").replace('"Hola"', '"Buenas"'), "utf-8")
    assert load_locale("es", folder).translations.gettext("Hello") == "Buenas"
    po.write_text(po.read_text("utf-8").replace('msgstr "Buenas"', 'msgstr ""'), "utf-8")
    with pytest.raises(i18n.CatalogRefused):      # now failing its check: refused
        load_locale("es", folder)
