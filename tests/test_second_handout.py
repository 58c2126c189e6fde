"""A second handout with no Python of its own: "Caring for your stitches", in a clinic's
template folder (tests/data/handouts/wound-care), with its own fields (fields.toml) and
its own catalog domain. It renders through the Library, the command line and a batch,
and its rows and options are its own, never the first handout's."""
from __future__ import annotations

import csv
import io
import tomllib
from datetime import date

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from handouts.cli import main
from handouts.errors import HandoutError, InputError
from handouts.library import Library
from handouts.patient_lists import read_patient_list
from handouts.records import job_from_fields
from handouts.resources import PROJECT_DIR
from tests.conftest import HANDOUT_FIELDS, TEST_BRAND, TODAY, pdf_reader, pdf_text

HANDOUTS = PROJECT_DIR / "tests" / "data" / "handouts"
FOLDER = HANDOUTS / "wound-care"
VISIT = {"locale": "en", "patient_name": "Ana Pérez", "record_id": "W-1",
         "discharge_date": "2026-11-20", "stitches_out": "2026-11-30",
         "dressing": "change-daily", "check_up": "2026-11-25 09:15",
         "wound_site": "left forearm", "clinician": "Dr. Ana Rivera"}


@pytest.fixture(scope="module")
def library():
    return Library(template_dirs=[HANDOUTS])


@pytest.fixture(scope="module")
def fields(library):
    return library.handout_fields("wound-care")


def make(fields, brand, **changes):
    return job_from_fields({**VISIT, **changes}, handout=fields, brand=brand, today=TODAY)


def test_its_fields_are_its_own(fields):
    assert fields.name == "wound-care"
    assert fields.known_fields == (
        "record_id", "locale", "patient_name", "discharge_date", "stitches_out", "dressing",
        "check_up", "wound_site", "clinician", "note", "paper")
    assert fields.required_fields == ("locale", "discharge_date", "stitches_out", "dressing")


# -- (a) through the Library ----------------------------------------------------------------

def test_the_library_renders_it_with_its_values(library, fields, brand):
    pdf, pages = library.render_counted(make(fields, brand))
    text = pdf_text(pdf)
    assert pages == 1
    for printed in ("Caring for your stitches", "Monday, November 30, 2026",
                    "Wednesday, November 25, 2026", "9:15", "left forearm",
                    "Put on a clean dressing every day, and when it gets wet or dirty."):
        assert printed in text, printed
    assert "Recovering after a miscarriage" not in text and "Your wait" not in text
    assert pdf_reader(pdf).metadata.subject == "wound-care 0.1"


@pytest.mark.parametrize("changes, shown, hidden", [
    ({"dressing": "keep-dry", "check_up": "call"},
     ["Keep the dressing on and dry for 2 days. Then take it off.", "Call us to book a check:"],
     ["Wound check Wednesday"]),
    ({"dressing": "none", "check_up": "", "wound_site": ""},
     ["You do not need a dressing. Keep the wound clean and dry."],
     ["Wound check", "left forearm"]),
])
def test_each_choice_prints_its_own_text(library, fields, brand, changes, shown, hidden):
    text = pdf_text(library.render(make(fields, brand, **changes)))
    assert all(s in text for s in shown) and not any(h in text for h in hidden)


def test_it_prints_in_spanish_from_its_own_catalog(library, fields, brand):
    pdf, pages = library.render_counted(make(fields, brand, locale="es"))
    text = pdf_text(pdf)
    assert pages == 1
    for printed in ("Cómo cuidar sus puntos", "lunes, 30 de noviembre de 2026",
                    "Póngase un vendaje limpio cada día", "Traducción en borrador."):
        assert printed in text, printed


def test_the_first_handouts_fields_are_refused(fields, brand):
    with pytest.raises(InputError) as caught:
        make(fields, brand, wait="2w")
    assert str(caught.value) == (
        "wait: unknown field 'wait' (known fields: " + ", ".join(fields.known_fields) + ")")


# -- (b) on the command line --------------------------------------------------------------

def args(out, *extra):
    return ["make", "--handout", "wound-care", "--templates", str(HANDOUTS), "--locale", "en",
            "--patient-name", "Ana Pérez", "--discharge-date", "2026-11-20",
            "--stitches-out", "2026-11-30", "--dressing", "keep-dry",
            "--check-up", "2026-11-25 09:15", "--wound-site", "right knee",
            "--today", TODAY.isoformat(), "--brand", str(TEST_BRAND), "--out", str(out),
            *extra]


def test_make_writes_its_pdf(tmp_path, capsys):
    out = tmp_path / "stitches.pdf"
    assert main(args(out)) == 0
    assert capsys.readouterr().out == f"wrote {out}\n"
    text = pdf_text(out.read_bytes())
    for printed in ("Caring for your stitches", "Monday, November 30, 2026", "right knee",
                    "Keep the dressing on and dry for 2 days."):
        assert printed in text, printed


def test_its_help_lists_its_own_options(capsys):
    with pytest.raises(SystemExit):
        main(["make", "--handout", "wound-care", "--templates", str(HANDOUTS), "--help"])
    text = capsys.readouterr().out
    assert "usage: generate.py make" in text
    for option in ("--stitches-out", "--dressing", "{keep-dry,change-daily,none}",
                   "--check-up", "--wound-site", "--discharge-date", "--templates"):
        assert option in text, option
    assert "--wait" not in text and "--rh" not in text


def test_a_missing_required_option_and_an_unknown_one(tmp_path, capsys):
    out = tmp_path / "x.pdf"
    with pytest.raises(SystemExit) as exit_:
        main([a for a in args(out) if a not in ("--dressing", "keep-dry")])
    assert exit_.value.code == 2
    assert capsys.readouterr().err == ("error: the following arguments are required: "
                                       "--dressing (see generate.py make --help)\n")
    with pytest.raises(SystemExit):
        main(args(out, "--wait", "2w"))
    assert "unrecognized arguments: --wait 2w" in capsys.readouterr().err
    assert not out.exists()


def test_an_unknown_handout_is_one_line(tmp_path, capsys):
    assert main(["make", "--handout", "hip-recovery", "--help"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: handout: unknown handout 'hip-recovery' (a handout is a "
                          "folder") and err.count("\n") == 1


def test_a_broken_fields_file_stops_the_command_naming_its_line(tmp_path, capsys):
    import shutil
    shutil.copytree(FOLDER, tmp_path / "wound-care")
    path = tmp_path / "wound-care" / "fields.toml"
    path.write_text(path.read_text("utf-8").replace('kind = "choice"', 'kind = "choise"'),
                    encoding="utf-8")
    assert main(["make", "--handout", "wound-care", "--templates", str(tmp_path), "--help"]) == 2
    assert capsys.readouterr().err == (
        f"error: {path}:18: dressing.kind: 'choise' is not a kind of field (use one of "
        "choice, date, appointment, until, text)\n")


def test_its_sample_comes_from_its_examples(tmp_path, capsys):
    out = tmp_path / "sample.pdf"
    assert main(["sample", "--handout", "wound-care", "--templates", str(HANDOUTS),
                 "--out", str(out)]) == 0
    text = pdf_text(out.read_bytes())
    assert "Monday, November 30, 2026" in text and "SAMPLE" in text


# -- (c) a batch with its own columns -------------------------------------------------------

COLUMNS = ("record_id", "locale", "discharge_date", "stitches_out", "dressing", "check_up")


def write_list(path, rows, columns=COLUMNS):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_a_batch_makes_its_rows(tmp_path, capsys):
    source = write_list(tmp_path / "stitches.csv", [
        ["S-1", "en", "2026-11-20", "2026-11-30", "none", ""],
        ["S-2", "es", "2026-11-20", "2026-12-02", "keep-dry", "call"],
        ["S-3", "en", "2026-11-20", "2026-11-19", "none", ""],        # before discharge
    ])
    out = tmp_path / "out"
    code = main(["batch", str(source), "--out-dir", str(out), "--workers", "0",
                 "--handout", "wound-care", "--templates", str(HANDOUTS),
                 "--today", TODAY.isoformat(), "--brand", str(TEST_BRAND)])
    err = capsys.readouterr().err
    assert code == 1, err
    assert f"{source}:4: stitches_out: 2026-11-19 is not after the discharge date " \
           "2026-11-20 (give a date after discharge)" in err
    manifest = list(csv.DictReader((out / "manifest.csv").open(encoding="utf-8")))
    assert [m["status"] for m in manifest] == ["made", "made", "failed"]
    assert "Monday, November 30, 2026" in pdf_text((out / "handouts" / "S-1.pdf").read_bytes())
    assert "miércoles, 2 de diciembre de 2026" in pdf_text(
        (out / "handouts" / "S-2.pdf").read_bytes())


def test_a_list_with_a_column_of_the_first_handout_is_refused(tmp_path, capsys, fields):
    source = write_list(tmp_path / "stitches.csv",
                        [["S-1", "en", "2026-11-20", "2026-11-30", "none", "", "2w"]],
                        COLUMNS + ("wait",))
    with pytest.raises(InputError) as caught:
        read_patient_list(source, handout=fields, source="stitches.csv")
    assert str(caught.value) == (
        "stitches.csv:1: unknown column 'wait' (the columns are: "
        + ", ".join(fields.known_fields) + "; required: locale, discharge_date, stitches_out, "
        "dressing)")
    code = main(["batch", str(source), "--out-dir", str(tmp_path / "out"), "--workers", "0",
                 "--handout", "wound-care", "--templates", str(HANDOUTS),
                 "--today", TODAY.isoformat(), "--brand", str(TEST_BRAND)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(f"error: {source}:1: unknown column 'wait'")
    # ... and the first handout's list does not take the second's columns either.
    with pytest.raises(InputError, match=r"unknown columns 'stitches_out', 'dressing', "
                                         r"'check_up'"):
        read_patient_list(source, handout=HANDOUT_FIELDS)


# -- its catalog ---------------------------------------------------------------------------

def fresh_ids() -> set:
    """The strings the template holds now, extracted as the project extracts its own
    (pyproject.toml's jinja2 mapping: trimmed, new-style gettext)."""
    mapping = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text("utf-8"))
    options = {k: v for k, v in mapping["tool"]["babel"]["mappings"][0].items()
               if k not in ("method", "pattern")}
    return {message for _, message, _, _ in extract_from_file(
        "jinja2", FOLDER / "handout.xml.j2", comment_tags=("Translators:",), options=options)}


def test_locales_check_checks_its_own_catalogs(capsys):
    assert main(["locales", "check", "--handout", "wound-care", "--templates",
                 str(HANDOUTS)]) == 0
    assert capsys.readouterr().out == "wound-care: ok (en, es)\n"


def test_the_extraction_options_are_the_projects(tmp_path):
    from handouts.catalogs import JINJA_EXTRACT_OPTIONS
    mapping = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text("utf-8"))
    options = {k: v for k, v in mapping["tool"]["babel"]["mappings"][0].items()
               if k not in ("method", "pattern")}
    assert dict(JINJA_EXTRACT_OPTIONS) == options


def test_its_catalog_template_is_up_to_date_and_spanish_complete(library):
    pot = read_po((FOLDER / "locales" / "wound-care.pot").open("rb"))
    ids = {m.id for m in pot if m.id}
    assert ids == fresh_ids(), "re-extract tests/data/handouts/wound-care/locales/wound-care.pot"
    assert all(m.auto_comments for m in pot if m.id)
    spanish = read_po((FOLDER / "locales" / "es" / "LC_MESSAGES" / "wound-care.po").open("rb"),
                      locale="es")
    assert {m.id for m in spanish if m.id and m.string and not m.fuzzy} == ids
    catalogs = library.handout("wound-care").catalogs
    assert catalogs.problems("es") == ()
    assert set(catalogs.shipped()) == {"en", "es"}


def test_its_example_dates_suit_the_sample_discharge_date(fields):
    from handouts.cli import SAMPLE_PATIENT
    discharge = date.fromisoformat(SAMPLE_PATIENT["discharge_date"])
    assert dict(fields.parse(fields.example_values(), {"discharge_date": discharge}))[
        "stitches_out"] > discharge


def test_one_handouts_broken_catalog_never_blocks_the_other(tmp_path, brand, make_job):
    """Each handout has its own catalog domain: a Spanish string missing from the
    stitches handout refuses that handout in Spanish, naming its own catalog, while the
    first handout still prints in Spanish from the same library."""
    import shutil
    shutil.copytree(FOLDER, tmp_path / "wound-care")
    po = tmp_path / "wound-care" / "locales" / "es" / "LC_MESSAGES" / "wound-care.po"
    text = po.read_text("utf-8")
    start = text.index('msgid "Caring for your stitches"')
    end = text.index("\n\n", start)
    po.write_text(text[:start] + text[end + 2:], "utf-8")
    library = Library(template_dirs=[tmp_path])
    fields = library.handout_fields("wound-care")
    with pytest.raises(HandoutError) as refused:
        library.render(make(fields, brand, locale="es"))
    assert "wound-care/locales/es/LC_MESSAGES/wound-care.po" in str(refused.value)
    assert "missing" in str(refused.value)
    assert f"locales check --handout wound-care --templates {tmp_path}" in str(refused.value)
    assert main(["locales", "check", "--handout", "wound-care", "--templates",
                 str(tmp_path)]) == 1
    assert "Recuperarse de un aborto espontáneo" in pdf_text(
        library.render(make_job(locale="es")))
    assert library.render(make(fields, brand, locale="en")).startswith(b"%PDF")
