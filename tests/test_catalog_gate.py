"""The gate: a catalog that fails `locales check` never prints a patient's handout.

Every file in tests/data/catalogs/ is one mistake made to a copy of a shipped catalog;
each must be refused by `generate.py render` with exactly its file:line lines, exit 2 and
no file, and by a batch only for the rows in that language.
"""
from __future__ import annotations

import csv
import shutil
import tomllib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from handouts import resources
from handouts.cli import main
from handouts.errors import LocaleError
from handouts.library import Library

CASES_DIR = Path(__file__).parent / "data" / "catalogs"
CASES = sorted(CASES_DIR.glob("*.toml"))
RENDER = ["render", "--discharge-date", "2026-11-20", "--wait", "2w", "--contraception",
          "avoid", "--follow-up", "call", "--rh", "given", "--today", "2026-11-20"]


@pytest.fixture
def locales(tmp_path, monkeypatch):
    """A copy of the shipped catalogs that the renderer reads instead of the real ones
    (every Library made from now on, the command line's included, reads the copy)."""
    copy = tmp_path / "project" / "locales"
    shutil.copytree(resources.LOCALES_DIR, copy)
    monkeypatch.setattr(resources, "LOCALES_DIR", copy)
    return copy


@pytest.fixture
def library(locales):
    """One library over the copy, kept for the whole test, as a running process's is."""
    return Library(locales_dir=locales)


def break_catalog(locales: Path, case: dict) -> dict:
    """Make the case's one mistake; the lines its expectations refer to."""
    locale = case.get("locale", "es")
    po = locales / locale / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    if "settings" in case:
        (locales / locale / "settings.toml").write_text(case["settings"] + "\n", "utf-8")
    if "plural_forms" in case:
        catalog._num_plurals, catalog._plural_expr = None, None
        header = case["plural_forms"]
        catalog.mime_headers = [(k, header if k == "Plural-Forms" else v)
                                for k, v in catalog.mime_headers]
    msgid = case.get("msgid")
    key = next((m.id for m in catalog if m.id and (m.id == msgid or (
        isinstance(m.id, tuple) and m.id[0] == msgid))), None)
    if msgid is not None:
        assert key is not None, f"no entry {msgid!r} in the {locale} catalog"
        message = catalog[key]
        if case.get("delete"):
            catalog.delete(key)
        if "msgstr" in case:
            message.string = case["msgstr"]
        if "msgstr_forms" in case:
            message.string = tuple(case["msgstr_forms"])
        if case.get("fuzzy"):
            message.flags.add("fuzzy")
        if "translator_comment" in case:
            message.user_comments.append(case["translator_comment"])
    with po.open("wb") as handle:
        write_po(handle, catalog, width=76)
    with po.open("rb") as handle:
        written = read_po(handle, locale=locale)
    with (locales / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    return {"line": written[key].lineno if key in written else 0,
            "template_line": template[key].lineno if key else 0}


def test_every_case_says_what_it_expects():
    assert len(CASES) >= 25
    for path in CASES:
        case = tomllib.loads(path.read_text("utf-8"))
        assert case.get("passes") is True or case.get("expect"), path.name


def test_rewriting_the_catalog_alone_breaks_nothing(locales, library):
    break_catalog(locales, {})
    assert library.catalogs().problems("es") == ()


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_a_broken_catalog_is_refused_at_render(path, locales, tmp_path, capsys):
    case = tomllib.loads(path.read_text("utf-8"))
    lines = break_catalog(locales, case)
    out = tmp_path / "handout.pdf"
    code = main(RENDER + ["--locale", case.get("locale", "es"), "--out", str(out)])
    captured = capsys.readouterr()
    if case.get("passes"):
        assert code == 0, captured.err
        assert out.read_bytes().startswith(b"%PDF-")
        return
    expected = [f"error: {line.format(**lines)}" for line in case["expect"]]
    assert captured.err.splitlines() == expected
    assert code == 2 and not out.exists()
    assert list(tmp_path.glob("*.pdf")) == []


def test_locales_check_prints_the_same_lines(locales, capsys):
    from handouts import catalogs
    case = tomllib.loads((CASES_DIR / "numbers-2-becomes-12.toml").read_text("utf-8"))
    lines = break_catalog(locales, case)
    found = [str(p) for p in catalogs.check("es", locales)]
    assert found == [line.format(**lines) for line in case["expect"]]


def test_a_batch_fails_only_the_rows_of_the_broken_language(locales, tmp_path, capsys):
    break_catalog(locales, tomllib.loads((CASES_DIR / "numbers-2-becomes-12.toml")
                                         .read_text("utf-8")))
    patients = tmp_path / "patients.csv"
    with patients.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "locale", "discharge_date", "wait", "contraception",
                         "follow_up", "rh"])
        for number, locale in enumerate(["en", "es", "fr", "es"], start=1):
            writer.writerow([f"R{number}", locale, "2026-11-20", "2w", "avoid", "call", "given"])
    code = main(["batch", str(patients), "--out-dir", str(tmp_path / "out"), "--workers", "0",
                 "--today", "2026-11-20"])
    err = capsys.readouterr().err
    assert code == 1
    made = sorted(p.name for p in (tmp_path / "out" / "handouts").glob("*.pdf"))
    assert made == ["R1.pdf", "R3.pdf"]
    refused = [line for line in err.splitlines() if "numbers: '12' is not in the English" in line]
    assert [line.split(":")[1] for line in refused] == ["3", "5"]


def test_a_catalog_is_checked_once_per_content(locales, library, monkeypatch, make_job):
    from handouts import catalog_rules
    calls = []
    real = catalog_rules.check_catalog
    monkeypatch.setattr(catalog_rules, "check_catalog",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    for _ in range(3):
        library.render(make_job(locale="fr"))
    assert len(calls) == 1
    library.catalogs()._bundles.clear()   # the next load reads the files again ...
    library.render(make_job(locale="fr"))
    assert len(calls) == 1                # ... and the same content is not checked again
    po = locales / "fr" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text("utf-8") + "\n", "utf-8")
    library.render(make_job(locale="fr"))
    assert len(calls) == 2                # changed content is checked again


def test_a_preview_prints_a_broken_draft_with_its_problems(locales, tmp_path, capsys):
    case = tomllib.loads((CASES_DIR / "tag-added-extra-bullet.toml").read_text("utf-8"))
    lines = break_catalog(locales, case)
    out = tmp_path / "preview.pdf"
    assert main(["locales", "preview", "es", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[:2] == [line.format(**lines) for line in case["expect"]]
    from conftest import pdf_text
    text = pdf_text(out.read_bytes())
    assert "SAMPLE" in text
    # The entry that would break the page prints in English; the rest in Spanish.
    assert "Bleeding that soaks 2 or more large pads an hour" in text
    assert "Dolor de cabeza" not in text
    assert "Busque ayuda de inmediato si tiene:" in text


def test_english_in_place_of_a_translation_is_never_a_patient_handout(make_job):
    from dataclasses import replace
    from handouts.errors import HandoutError
    job = replace(make_job(locale="es"), allow_fallback=True)
    with pytest.raises(HandoutError, match="for a translator's preview only"):
        Library().render(job)


@pytest.mark.parametrize("tag", ["en-XA", "ar-XB"])
def test_a_pseudo_locale_is_never_a_patient_handout(tag, tmp_path, capsys):
    out = tmp_path / "handout.pdf"
    assert main(RENDER + ["--locale", tag, "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"error: locale: {tag} is a pseudo-locale for testing layouts, never a patient's "
        f"handout (use python generate.py sample --locale {tag})\n")
    assert not out.exists()
    assert main(["sample", "--locale", tag, "--out", str(out)]) == 0
    from conftest import pdf_text
    assert "SAMPLE" in pdf_text(out.read_bytes())


def test_a_template_string_without_an_entry_is_refused(locales, library, tmp_path, capsys):
    """The template prints a string the catalog does not have (a developer forgot to
    extract): an error naming the catalog, never English."""
    from babel.messages.catalog import Catalog
    pot = locales / "messages.pot"
    with pot.open("rb") as handle:
        template = read_po(handle)
    with (locales / "es" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="es")
    for loaded in (template, catalog):
        loaded.delete("Get help right away if you have:")
    for path, loaded in ((pot, template), (locales / "es/LC_MESSAGES/messages.po", catalog)):
        with path.open("wb") as handle:
            write_po(handle, loaded, width=76)
    assert isinstance(catalog, Catalog) and library.catalogs().problems("es") == ()
    with pytest.raises(LocaleError, match=r"locales/es/LC_MESSAGES/messages.po: missing: the "
                                          r"template prints 'Get help right away if you have:', "
                                          r"which has no entry"):
        library.render(_job("es"))


def _job(locale):
    from conftest import HANDOUT_FIELDS, PATIENT, TEST_BRAND, TODAY
    from handouts.brand import load_brand
    from handouts.records import job_from_fields
    return job_from_fields({**PATIENT, "locale": locale}, handout=HANDOUT_FIELDS,
                           brand=load_brand(TEST_BRAND), today=TODAY)


@pytest.mark.parametrize("name", ["es/settings.toml", "es/review.toml", "messages.pot"])
def test_a_folder_in_place_of_a_locale_file_is_one_line(name, locales, tmp_path, capsys):
    path = locales / name
    if path.exists():
        path.unlink()
    path.mkdir()
    out = tmp_path / "handout.pdf"
    assert main(RENDER + ["--locale", "es", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"locales/{name}" in err and "cannot be read" in err, err
    assert not out.exists()


def test_a_preview_refuses_a_catalog_whose_plural_header_is_garbage(locales, tmp_path,
                                                                    capsys):
    case = tomllib.loads((CASES_DIR / "plural-formula-garbage.toml").read_text("utf-8"))
    break_catalog(locales, case)
    out = tmp_path / "preview.pdf"
    assert main(["locales", "preview", "es", "--out", str(out)]) == 2
    assert capsys.readouterr().err.splitlines() == [f"error: {line}" for line in case["expect"]]
    assert not out.exists()


def test_an_approved_language_prints_without_the_draft_notice_until_it_changes(locales,
                                                                                 library,
                                                                                 make_job):
    """What the patient sees follows the review: approved, no draft notice; one msgstr
    edited afterwards, the notice is back."""
    from datetime import date
    from conftest import pdf_text
    from handouts import review
    notice = "Draft translation. A medical translator has not checked this text yet."
    assert notice in pdf_text(library.render(make_job(locale="es")))
    review.approve("es", "Ana Ruiz, certified medical interpreter", "2026-11-30",
                   today=date(2026, 12, 1), locales_dir=locales)
    assert notice not in pdf_text(library.render(make_job(locale="es")))
    break_catalog(locales, {"msgid": "It does not replace advice from your care team.",
                            "msgstr": "No sustituye los consejos de su equipo médico."})
    assert library.catalogs().load("es").review.changed == 1
    assert notice in pdf_text(library.render(make_job(locale="es")))
