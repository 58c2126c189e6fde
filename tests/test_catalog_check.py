"""The translators' check catches each mistake that could reach a patient, by file:line."""
import shutil

import pytest

from handouts import catalogs
from handouts.resources import LOCALES_DIR

POT = '''msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\\n"

#. Translators: Support table.
#, python-format
msgid "Call <phone>1-800-944-4773</phone> or <b>%(phone)s</b>."
msgstr ""

#. Translators: Heading. Max 20 characters.
msgid "Get help"
msgstr ""

#, python-format
msgid "Wait %(count)s week."
msgid_plural "Wait %(count)s weeks."
msgstr[0] ""
msgstr[1] ""
'''

CALL = "Call <phone>1-800-944-4773</phone> or <b>%(phone)s</b>."
GOOD = {
    "es": ("Llame al <phone>1-800-944-4773</phone> o al <b>%(phone)s</b>.", "Pida ayuda",
           ["Espere %(count)s semana.", "Espere %(count)s semanas.",
            "Espere %(count)s semanas."]),
    "ar": ("اتصلي <phone>1-800-944-4773</phone> أو <b>%(phone)s</b>.", "اطلبي المساعدة",
           [f"انتظري %(count)s {word}." for word in
            ("أسبوع", "أسبوعًا", "أسبوعين", "أسابيع", "أسبوعًا كاملًا", "أسبوع كامل")]),
}
PLURAL_HEADERS = {"es": "nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);",
                  "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && "
                        "n%100<=10 ? 3 : n%100>=11 && n%100<=99 ? 4 : 5);"}


def make_catalog(tmp_path, locale, call=None, heading=None, plurals=None, fuzzy=False,
                 plural_header=None):
    good_call, good_heading, good_plurals = GOOD[locale]
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "messages.pot").write_text(POT, "utf-8")
    folder = tmp_path / locale / "LC_MESSAGES"
    folder.mkdir(parents=True)
    forms = "".join(f'msgstr[{i}] "{s}"\n' for i, s in enumerate(plurals or good_plurals))
    header = plural_header or PLURAL_HEADERS[locale]
    (folder / "messages.po").write_text(f'''msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\\n"
"Plural-Forms: {header}\\n"

#, python-format
msgid "Call <phone>1-800-944-4773</phone> or <b>%(phone)s</b>."
msgstr "{call or good_call}"

{"#, fuzzy" if fuzzy else ""}
msgid "Get help"
msgstr "{good_heading if heading is None else heading}"

#, python-format
msgid "Wait %(count)s week."
msgid_plural "Wait %(count)s weeks."
{forms}''', "utf-8")
    return tmp_path


def problems(tmp_path, locale):
    """Problems with the temporary folder cut off: 'es/LC_MESSAGES/messages.po:N: ...'."""
    return [str(p).replace(str(tmp_path) + "/", "") for p in catalogs.check(locale, tmp_path)]


def entry_line(tmp_path, locale, msgid) -> int:
    """The line of an entry's msgid, where the check points translators."""
    lines = (tmp_path / locale / "LC_MESSAGES" / "messages.po").read_text("utf-8").splitlines()
    return lines.index(f'msgid "{msgid}"') + 1


def test_good_catalogs_pass(tmp_path):
    assert problems(make_catalog(tmp_path, "es"), "es") == []
    assert problems(make_catalog(tmp_path, "ar"), "ar") == []


def test_changed_phone_digit(tmp_path):
    found = problems(make_catalog(tmp_path, "es", call="Llame al <phone>1-800-944-4778</phone> "
                                                      "o al <b>%(phone)s</b>."), "es")
    line = entry_line(tmp_path, "es", CALL)
    assert found == [f"es/LC_MESSAGES/messages.po:{line}: numbers: '4778' is not in the English "
                     "(keep 1, 800, 944, 4773)",
                     f"es/LC_MESSAGES/messages.po:{line}: numbers: '4773' of the English is "
                     "missing (keep 1, 800, 944, 4773)"]


def test_dropped_placeholder(tmp_path):
    found = problems(make_catalog(tmp_path, "es", call="Llame al <phone>1-800-944-4773</phone>"
                                                      " o al <b>teléfono</b>."), "es")
    line = entry_line(tmp_path, "es", CALL)
    assert found == [f"es/LC_MESSAGES/messages.po:{line}: printf: '{CALL[:50]}': %(phone)s of the "
                     "English is missing (keep every %(name)s placeholder exactly as in the "
                     "English)"]


def test_placeholder_dropped_from_one_plural_form(tmp_path):
    forms = ["Espere %(count)s semana.", "Espere semanas.", "Espere %(count)s semanas."]
    found = problems(make_catalog(tmp_path, "es", plurals=forms), "es")
    line = entry_line(tmp_path, "es", "Wait %(count)s week.")
    assert found == [f"es/LC_MESSAGES/messages.po:{line}: printf: 'Wait %(count)s week.' (form 1)"
                     ": %(count)s of the English is missing (keep every %(name)s placeholder "
                     "exactly as in the English)"]


def test_unbalanced_tag(tmp_path):
    found = problems(make_catalog(tmp_path, "es", call="Llame al <phone>1-800-944-4773 o al "
                                                      "<b>%(phone)s</b>."), "es")
    line = entry_line(tmp_path, "es", CALL)
    assert found == [f"es/LC_MESSAGES/messages.po:{line}: xmltags: '{CALL[:50]}': </phone> of the "
                     "English is missing (keep the tags of the English: <phone> </phone> <b> "
                     "</b>)"]


def test_tags_closed_out_of_order(tmp_path):
    found = problems(make_catalog(tmp_path, "es", call="Llame al <phone>1-800-944-4773 o al "
                                                      "<b>%(phone)s</phone></b>."), "es")
    line = entry_line(tmp_path, "es", CALL)
    assert found == [f"es/LC_MESSAGES/messages.po:{line}: xmltags: '{CALL[:50]}': the tags are "
                     "not closed in order (keep the tags of the English: <phone> </phone> <b> "
                     "</b>)"]


def test_missing_arabic_plural_form(tmp_path):
    forms = GOOD["ar"][2][:5]
    found = problems(make_catalog(tmp_path, "ar", plurals=forms), "ar")
    line = entry_line(tmp_path, "ar", "Wait %(count)s week.")
    assert f"ar/LC_MESSAGES/messages.po:{line}: plural-forms: 'Wait %(count)s week.' has 5 " \
           "plural forms; ar needs 6 (add the missing msgstr[N])" in found


def test_wrong_plural_formula_in_header(tmp_path):
    # Babel <= 2.18 wrote this formula, with forms 4 and 5 swapped against CLDR.
    old = ("nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 "
           ": n%100>=0 && n%100<=2 ? 4 : 5);")
    found = problems(make_catalog(tmp_path, "ar", plural_header=old), "ar")
    header_problems = [p for p in found if ": plural-forms: " in p]
    assert len(header_problems) == 1
    assert header_problems[0].startswith("ar/LC_MESSAGES/messages.po:1: plural-forms: the header "
                                         "says nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 ")
    assert "forms 0..1199 differ from CLDR at n=11 (set the header to: nplurals=6;" in \
        header_problems[0]


def test_uncovered_character(tmp_path):
    found = problems(make_catalog(tmp_path, "es", heading="Pida ayuda \U00010000"), "es")
    line = entry_line(tmp_path, "es", "Get help")
    assert found == [f"es/LC_MESSAGES/messages.po:{line}: font: 'Get help': no font covers '𐀀' "
                     "(U+10000) in 'Pida ayuda 𐀀' (use another character, or add a font that "
                     "covers it)"]


def test_fuzzy_entry(tmp_path):
    found = problems(make_catalog(tmp_path, "es", fuzzy=True), "es")
    line = entry_line(tmp_path, "es", "Get help")
    assert found == [f"es/LC_MESSAGES/messages.po:{line}: fuzzy: 'Get help' is marked fuzzy: "
                     "the English changed; check the translation against it, then remove the "
                     "fuzzy flag"]


def test_too_long_for_its_space(tmp_path):
    found = problems(make_catalog(tmp_path, "es", heading="Pida ayuda enseguida, por favor"),
                     "es")
    line = entry_line(tmp_path, "es", "Get help")
    assert found == [f"es/LC_MESSAGES/messages.po:{line}: length: 'Get help': is 31 characters; "
                     "the space allows 20 (shorten it)"]


def test_stale_catalog(tmp_path):
    folder = make_catalog(tmp_path, "es")
    pot = folder / "messages.pot"
    pot.write_text(pot.read_text("utf-8") + '\nmsgid "New sentence."\nmsgstr ""\n', "utf-8")
    found = problems(folder, "es")
    assert found == ["messages.pot:20: missing: 'New sentence.' has no entry in "
                     "es/LC_MESSAGES/messages.po (run: python generate.py locales update es, "
                     "then translate it)"]


def test_untranslated_and_missing(tmp_path):
    found = problems(make_catalog(tmp_path, "es", heading=""), "es")
    line = entry_line(tmp_path, "es", "Get help")
    assert f"es/LC_MESSAGES/messages.po:{line}: untranslated: 'Get help' has no translation" \
        in found
    assert "no catalog for 'fr'" in problems(tmp_path, "fr")[0]


def test_ambiguous_locale_codes_are_refused(tmp_path):
    from handouts.errors import LocaleError
    shutil.copy(LOCALES_DIR / "messages.pot", tmp_path / "messages.pot")
    with pytest.raises(LocaleError, match=r"'zh' does not say which script or region "
                                          r"\(use zh_Hans or zh_Hant\)"):
        catalogs.new("zh", tmp_path)
    assert catalogs.new("zh_Hant", tmp_path).exists()


def test_gnu_style_plural_formula_is_accepted(tmp_path):
    gnu = ("nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 "
           ": n%100>=11 ? 4 : 5;")
    assert problems(make_catalog(tmp_path, "ar", plural_header=gnu), "ar") == \
        problems(make_catalog(tmp_path / "again", "ar"), "ar")
