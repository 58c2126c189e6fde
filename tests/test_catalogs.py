"""Catalogs: the template's strings, the .pot and each shipped .po agree."""
import re
import subprocess
import sys

from babel.messages.pofile import read_po

from tests.conftest import catalog_problems
from handouts.resources import LOCALES_DIR, PROJECT_DIR

POT = LOCALES_DIR / "messages.pot"


def extract_fresh(tmp_path):
    """Extract the template strings now, with the project's own configuration."""
    out = tmp_path / "fresh.pot"
    subprocess.run([sys.executable, "-c", "from babel.messages.frontend import main; main()",
                    "extract", "-F", "pyproject.toml", "-c", "Translators:", "--no-location",
                    "--sort-output", "-o", str(out), "."],
                   cwd=PROJECT_DIR, check=True, capture_output=True)
    return read_po(out.open("rb"))


def ids(catalog):
    return {m.id for m in catalog if m.id}


def test_every_template_string_is_in_the_catalog_template(tmp_path):
    fresh = extract_fresh(tmp_path)
    committed = read_po(POT.open("rb"))
    assert ids(fresh) == ids(committed), "run the extract command in TRANSLATING.md"
    for message in fresh:
        if message.id:
            assert committed[message.id].auto_comments == message.auto_comments


def test_every_string_has_a_translator_comment():
    for message in read_po(POT.open("rb")):
        if message.id:
            assert message.auto_comments, f"no 'Translators:' comment for {message.id!r}"


def test_spanish_is_complete_and_keeps_placeholders_and_tags():
    po = LOCALES_DIR / "es" / "LC_MESSAGES" / "messages.po"
    catalog = read_po(po.open("rb"), locale="es")
    assert ids(catalog) == ids(read_po(POT.open("rb")))
    assert catalog_problems("es") == ()
    for message in catalog:
        if not message.id:
            continue
        source = message.id if isinstance(message.id, tuple) else (message.id,)
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        for target in targets:
            assert sorted(re.findall(r"%\(\w+\)s", target)) == \
                sorted(re.findall(r"%\(\w+\)s", source[-1])), target
            assert sorted(re.findall(r"</?[\w-]+/?>", target)) == \
                sorted(re.findall(r"</?[\w-]+/?>", source[0])), target
