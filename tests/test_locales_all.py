"""Every shipped language: its catalog passes the check, and its handout renders on two
sheets printed double-sided with its own title and urgent-help heading in the PDF's text."""
import unicodedata

from dataclasses import replace

import pytest

from tests.conftest import load_locale
from handouts import catalogs, i18n
from tests.conftest import render
from tests.conftest import pdf_reader, pdf_text

TRANSLATED = [l for l in i18n.shipped_locales() if l != i18n.SOURCE_LOCALE]
# The handout's pages at most: two sheets printed double-sided, the last one half used.
# English fits 2 pages; longer languages (Burmese, with 1.3 times the line spacing for
# its stacked marks, Russian, Somali) run onto a third.
MAX_PAGES = 3


@pytest.fixture(scope="module")
def fresh_template():
    return catalogs.fresh_catalog_template()


@pytest.mark.parametrize("locale", TRANSLATED)
def test_catalog_passes_the_check(locale, fresh_template):
    assert [str(p) for p in catalogs.check(locale, fresh_template=fresh_template)] == []


def searchable(text: str, rtl: bool) -> str:
    """Text as copy and search can be expected to give it back. For right-to-left text,
    PDF readers rebuild logical order from the drawn (visual) order and may put a
    combining mark next to the wrong letter, so marks are left out of the comparison."""
    text = " ".join(text.split())
    if rtl:
        text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return text


@pytest.mark.parametrize("locale", i18n.shipped_locales() + tuple(i18n.PSEUDO_LOCALES))
def test_handout_renders_on_two_sheets_with_its_own_headings(make_job, brand, locale):
    bundle = load_locale(locale)
    pseudo = locale in i18n.PSEUDO_LOCALES     # layout tests: printed only as samples
    pdf = render(make_job(locale=locale, brand=replace(brand, sample=True) if pseudo else brand))
    rtl = bundle.direction == "rtl"
    text = searchable(pdf_text(pdf), rtl)
    for source in ["Recovering after a miscarriage", "Get help right away if you have:"]:
        translated = searchable(bundle.translations.gettext(source), rtl)
        assert translated in text, (locale, translated)
    pages = len(pdf_reader(pdf).pages)
    assert pages == 2 if locale == i18n.SOURCE_LOCALE else 2 <= pages <= MAX_PAGES
    if locale != i18n.SOURCE_LOCALE:
        assert "Draft translation. A medical translator has not checked this text yet." in text


def test_locales_list_shows_completeness_and_review(capsys):
    from handouts.cli import main
    assert main(["locales", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["locale", "language", "done", "review"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == set(i18n.shipped_locales())
    assert rows["en"].endswith("100%  source")
    assert rows["es"].endswith("100%  DRAFT, not reviewed")


@pytest.mark.parametrize("requested, expected", [("zh-TW", "zh_Hant"), ("zh-HK", "zh_Hant"),
                                                 ("zh-CN", "zh_Hans"), ("pt-PT", "pt_BR"),
                                                 ("es-MX", "es"), ("tl", "tl"), ("iw", "he")])
def test_requested_tags_negotiate_to_shipped_catalogs(requested, expected):
    assert i18n.negotiate(requested) == expected
