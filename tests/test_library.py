"""The resource library: loads what a render reads, reloads it by content, and keeps one
version per render (and per batch, when it does not watch)."""
from __future__ import annotations

import os
import pickle
import shutil
import time
from dataclasses import replace

import pytest

from handouts.errors import HandoutError
from handouts.library import Library
from handouts.resources import LOCALES_DIR, TEMPLATES_DIR
from tests.conftest import TEST_BRAND, pdf_reader, pdf_text

HANDOUT = "miscarriage-recovery"


def edit(path, old: str, new: str) -> None:
    """Change a file in place, as an editor saves it."""
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.fixture
def locales(tmp_path):
    shutil.copytree(LOCALES_DIR, tmp_path / "locales")
    return tmp_path / "locales"


@pytest.fixture
def templates(tmp_path):
    shutil.copytree(TEMPLATES_DIR / HANDOUT, tmp_path / "templates" / HANDOUT)
    return tmp_path / "templates"


def test_an_edited_catalog_is_printed_at_the_next_render(make_job, locales):
    library = Library(locales_dir=locales)
    job = make_job(locale="es")
    before = pdf_text(library.render(job))
    catalog = locales / "es" / "LC_MESSAGES" / "messages.po"
    old = "Recuperarse de un aborto espontáneo"
    assert old in before
    edit(catalog, f'msgstr "{old}"', 'msgstr "Recuperarse tras un aborto, paso a paso"')
    assert "Recuperarse tras un aborto, paso a paso" in pdf_text(library.render(job))


def test_an_edit_within_one_tick_of_the_clock_is_seen(tmp_path):
    """A file saved twice within one tick of a coarse file-system clock, at the same size,
    keeps its size, time stamp and inode: its content is hashed again until the time
    stamp is old enough to trust (git's racy-clean rule)."""
    from handouts.caches import Fingerprints
    path = tmp_path / "settings.toml"
    path.write_text('digits = "latin"\n', "utf-8")
    stamp = path.stat().st_mtime_ns
    fingerprints = Fingerprints()
    first = fingerprints.one(path)
    path.write_text('digits = "nativ"\n', "utf-8")                  # same size
    os.utime(path, ns=(stamp, stamp))                                # same tick
    assert fingerprints.one(path) != first
    old = time.time() - 60
    os.utime(path, (old, old))
    settled = fingerprints.one(path)
    assert fingerprints.one(path) == settled


def test_a_catalog_that_now_fails_its_check_refuses_only_its_language(make_job, locales):
    library = Library(locales_dir=locales)
    library.render(make_job(locale="es"))
    catalog = locales / "es" / "LC_MESSAGES" / "messages.po"
    text = catalog.read_text("utf-8")
    catalog.write_text(text.replace("%(date)s", "%(dat)s", 1), "utf-8")
    with pytest.raises(HandoutError, match=r"locales/es/LC_MESSAGES/messages.po:\d+"):
        library.render(make_job(locale="es"))
    assert library.render(make_job(locale="fr")).startswith(b"%PDF")


def test_an_edited_template_and_meta_file_are_used_at_the_next_render(make_job, templates):
    library = Library([templates])
    job = make_job(locale="en")
    assert pdf_reader(library.render(job)).metadata["/Subject"] == f"{HANDOUT} 1.0"
    edit(templates / HANDOUT / "meta.toml", 'version = "1.0"', 'version = "1.1"')
    template = templates / HANDOUT / "handout.xml.j2"
    template.write_text(template.read_text("utf-8").replace(
        "</handout>", "<p>Printed from the clinic's copy.</p></handout>"), "utf-8")
    pdf = library.render(job)
    assert pdf_reader(pdf).metadata["/Subject"] == f"{HANDOUT} 1.1"
    assert "Printed from the clinic's copy." in pdf_text(pdf)


def test_a_library_that_does_not_watch_keeps_the_first_version(make_job, templates):
    pinned = Library([templates], watch=False)
    job = make_job(locale="en")
    first = pinned.render(job)
    edit(templates / HANDOUT / "meta.toml", 'version = "1.0"', 'version = "1.1"')
    assert pinned.render(job) == first
    assert pdf_reader(Library([templates]).render(job)).metadata["/Subject"].endswith("1.1")


def test_an_edited_brand_file_or_logo_is_read_again(tmp_path):
    from handouts.resources import BRANDS_DIR
    path = tmp_path / "clinic.toml"
    logo = tmp_path / "logo.svg"
    shutil.copy(BRANDS_DIR / "example-clinic.svg", logo)
    path.write_text(TEST_BRAND.read_text("utf-8").replace(
        "../../../brands/example-clinic.svg", "logo.svg"), "utf-8")
    library = Library()
    first = library.brand(path)
    assert library.brand(path) is first
    edit(path, f'name = "{first.name}"', 'name = "Hillside Clinic"')
    renamed = library.brand(path)
    assert renamed.name == "Hillside Clinic"
    logo.write_text(logo.read_text("utf-8").replace("</svg>", "<!-- new --></svg>"), "utf-8")
    assert library.brand(path).logo.data != renamed.logo.data


def test_a_render_reads_each_resource_once(make_job):
    """One handout never mixes two versions of a file: it asks the library for the
    handout's definition and its catalog once."""
    asked = []

    class Counting(Library):
        def handout(self, name):
            asked.append(name)
            return super().handout(name)

    library = Counting()
    library.render(make_job(locale="ar"))
    assert asked == [HANDOUT]


def test_a_library_sent_to_a_spawned_worker_is_rebuilt_cold(make_job, templates):
    library = Library([templates], watch=False)
    job = make_job(locale="en")
    warm = library.render(job)
    copy = pickle.loads(pickle.dumps(library))
    assert copy is not library and copy.template_dirs == library.template_dirs
    assert copy.watch is False and copy.render(job) == warm


def test_an_unknown_or_malformed_handout_name_is_refused_naming_the_field():
    library = Library()
    with pytest.raises(HandoutError, match=r"handout: unknown handout 'no-such'"):
        library.handout("no-such")
    with pytest.raises(HandoutError, match=r"handout: is not a handout name"):
        library.handout("../templates")


def test_the_brand_of_a_job_is_the_library_brand(make_job):
    """A brand loaded through the library renders the same bytes as one loaded directly."""
    library = Library()
    job = make_job(locale="en")
    assert library.render(replace(job, brand=library.brand(TEST_BRAND))) == \
        library.render(job)


def test_a_template_edited_within_one_tick_of_the_clock_is_used(make_job, templates):
    library = Library([templates])
    job = make_job(locale="en")
    library.render(job)
    template = templates / HANDOUT / "handout.xml.j2"
    stamp = template.stat().st_mtime_ns
    template.write_text(template.read_text("utf-8").replace(
        "</handout>", "<p>Edited in the same tick.</p></handout>"), "utf-8")
    os.utime(template, ns=(stamp, stamp))       # Jinja's own check sees no change
    assert "Edited in the same tick." in pdf_text(library.render(job))


def test_a_library_that_does_not_watch_prints_one_template_in_every_language(make_job,
                                                                            templates):
    """A batch's languages are made from one version of the template, even when it is
    edited between the first handout in one language and the first in another."""
    pinned = Library([templates], watch=False)
    pinned.render(make_job(locale="en"))
    template = templates / HANDOUT / "handout.xml.j2"
    template.write_text(template.read_text("utf-8").replace(
        "</handout>", "<p>A later version.</p></handout>"), "utf-8")
    assert "A later version." not in pdf_text(pinned.render(make_job(locale="en")))
    assert "A later version." not in pdf_text(pinned.render(make_job(locale="es")))
    assert "A later version." in pdf_text(Library([templates]).render(make_job(locale="en")))


def test_a_job_made_before_the_fields_changed_is_refused(make_job, templates):
    library = Library([templates])
    job = make_job(locale="en")
    fields = templates / HANDOUT / "fields.toml"
    fields.write_text(fields.read_text("utf-8").replace("[rh]", "[rh_status]"), "utf-8")
    template = templates / HANDOUT / "handout.xml.j2"
    template.write_text(template.read_text("utf-8").replace("visit.rh ", "visit.rh_status "),
                        "utf-8")
    with pytest.raises(HandoutError, match=r"handout: the handout's fields changed"):
        library.render(job)


@pytest.mark.parametrize("name", ["meta.toml", "support_lines.toml"])
def test_a_handout_file_that_is_not_utf8_or_is_a_folder_is_refused(templates, name):
    path = templates / HANDOUT / name
    path.write_bytes(b"version = \"1.0\xff\"\n")
    with pytest.raises(HandoutError, match=rf"{name}: is not UTF-8 text"):
        Library([templates]).handout(HANDOUT)
    path.unlink()
    path.mkdir()
    with pytest.raises(HandoutError, match=rf"{name}: "):
        Library([templates]).handout(HANDOUT)


def test_a_templates_folder_that_does_not_exist_is_refused(tmp_path):
    with pytest.raises(HandoutError, match=r"--templates: .* is not a folder"):
        Library([tmp_path / "clinci-typo"])


def test_no_cache_keeps_what_the_patient_or_clinician_typed(make_job):
    """Blocks and paragraphs made from a patient's name, the clinician's name or a note
    are laid out afresh each time, never kept: no cache holds patient data."""
    library = Library()
    typed = {"patient_name": "Quxwellington Zed", "clinician": "Dr. Vorpalina Quist",
             "note": "Drink plenty of zymurgical water."}
    for locale in ("en", "ar"):
        pdf = library.render(make_job(locale=locale, **typed))
        assert "Quxwellington Zed" in pdf_text(pdf) or locale == "ar"
    kept = repr(library.blocks.keys()) + repr(library.text.paragraphs.keys())
    assert "Zed" in pdf_text(library.render(make_job(**typed)))
    assert not any(value in kept or value.split()[-1] in kept for value in typed.values())
    assert "Recovering after a miscarriage" in kept          # the rest is still kept


def test_a_clinic_folder_overriding_fields_without_meta_is_refused(tmp_path, make_job):
    """A clinic may override the template alone; a fields file without its meta.toml
    would be ignored, so it is refused."""
    own = tmp_path / "clinic" / HANDOUT
    own.mkdir(parents=True)
    shutil.copy(TEMPLATES_DIR / HANDOUT / "handout.xml.j2", own / "handout.xml.j2")
    template = own / "handout.xml.j2"
    template.write_text(template.read_text("utf-8").replace(
        "</handout>", "<p>The clinic's own wording.</p></handout>"), "utf-8")
    assert "The clinic's own wording." in pdf_text(
        Library([tmp_path / "clinic"]).render(make_job()))
    shutil.copy(TEMPLATES_DIR / HANDOUT / "fields.toml", own / "fields.toml")
    with pytest.raises(HandoutError, match=r"fields.toml without meta.toml"):
        Library([tmp_path / "clinic"]).render(make_job())


def test_the_record_id_label_and_text_in_another_normal_form_are_not_kept(make_job):
    import unicodedata
    library = Library()
    name = unicodedata.normalize("NFD", "Zoë Quixwell")          # as macOS types it
    library.render(make_job(patient_name=name, record_id="MRN-99887766"))
    library.render(make_job(patient_name="Quinn Zebedee", record_id=""))   # label Q.Z.
    kept = repr(library.blocks.keys()) + repr(library.text.paragraphs.keys())
    assert "Quixwell" not in kept and "99887766" not in kept and "Q.Z." not in kept
    library.render(make_job(note="e", patient_name="", clinician="", record_id="R-1"))
    assert "Recovering after a miscarriage" in repr(library.text.paragraphs.keys())
    assert len(library.text.paragraphs) > 50    # a one-letter note leaves the rest kept


def test_a_template_override_added_while_running_is_used(make_job, tmp_path):
    clinic = tmp_path / "clinic"
    clinic.mkdir()
    library = Library([clinic])
    job = make_job()
    library.render(job)
    (clinic / HANDOUT).mkdir()
    template = clinic / HANDOUT / "handout.xml.j2"
    template.write_text((TEMPLATES_DIR / HANDOUT / "handout.xml.j2").read_text("utf-8")
                        .replace("</handout>", "<p>Added later.</p></handout>"), "utf-8")
    assert "Added later." in pdf_text(library.render(job))


def test_a_template_that_is_not_utf8_is_refused_naming_it(make_job, templates):
    (templates / HANDOUT / "handout.xml.j2").write_bytes(b"<handout>\xff</handout>")
    with pytest.raises(HandoutError, match=r"handout.xml.j2: is not UTF-8 text"):
        Library([templates]).render(make_job())


def test_a_batch_with_a_broken_template_fails_its_rows_naming_the_line(tmp_path, templates,
                                                                       capsys):
    import csv
    from handouts.cli import main
    from tests.conftest import PATIENT
    template = templates / HANDOUT / "handout.xml.j2"
    template.write_text("{% if %}\n", "utf-8")
    patients = tmp_path / "patients.csv"
    with patients.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(PATIENT))
        writer.writeheader()
        writer.writerow(PATIENT)
    code = main(["batch", str(patients), "--out-dir", str(tmp_path / "out"), "--workers", "0",
                 "--templates", str(templates), "--today", "2026-11-20"])
    assert code == 1
    assert "miscarriage-recovery/handout.xml.j2:1: " in capsys.readouterr().err
