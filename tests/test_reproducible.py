"""A render's bytes depend on the job only, never on the environment it runs in:
ReportLab's SOURCE_DATE_EPOCH and RL_* settings, the time zone, the process locale and
the hash seed are each set in a fresh interpreter, which must make the same bytes as
this process (and so as every other)."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from handouts.brand import load_brand
from tests.conftest import print_file as PrintFile, render
from handouts.resources import EXAMPLE_BRAND, PROJECT_DIR

ENVIRONMENTS = [
    {"SOURCE_DATE_EPOCH": "0"},
    {"SOURCE_DATE_EPOCH": "1700000000"},
    {"TZ": "Asia/Kolkata"},
    {"LANG": "ar_EG.UTF-8"},
    {"LC_ALL": "th_TH.UTF-8", "LANG": "th_TH.UTF-8"},
    {"PYTHONHASHSEED": "1"},
    {"PYTHONHASHSEED": "2"},
    {"RL_invariant": "0", "RL_pageCompression": "0", "RL_pdfComments": "1"},
]

# The same jobs as the tests make (conftest: PATIENT, TODAY, the test clinic), and the
# example clinic's, whose sample mark is drawn turned.
SUBPROCESS = """
import hashlib, json, sys
sys.path.insert(0, {project!r})
from handouts.brand import load_brand
from handouts.records import job_from_fields
from tests.conftest import print_file as PrintFile, render
from handouts.resources import EXAMPLE_BRAND
from tests.conftest import HANDOUT_FIELDS, PATIENT, TEST_BRAND, TODAY

def make_job(locale, brand):
    return job_from_fields({{**PATIENT, "locale": locale}}, handout=HANDOUT_FIELDS,
                           brand=brand, today=TODAY, name_in_metadata=False)

test, example = load_brand(TEST_BRAND), load_brand(EXAMPLE_BRAND)
print_file = PrintFile(title="Print run", author=test.name, lang="en")
for locale in ("en", "ar"):
    print_file.add(make_job(locale, test))
pdfs = {{"en": render(make_job("en", test)), "ar": render(make_job("ar", test)),
         "sample-en": render(make_job("en", example)), "print": print_file.finish()}}
print(json.dumps({{name: hashlib.sha256(pdf).hexdigest() for name, pdf in pdfs.items()}}))
"""


@pytest.fixture
def here(make_job, brand):
    """The digests of the same renders made in this process, by the tests' make_job."""
    example = load_brand(EXAMPLE_BRAND)
    print_file = PrintFile(title="Print run", author=brand.name, lang="en")
    for locale in ("en", "ar"):
        print_file.add(make_job(locale=locale))
    pdfs = {"en": render(make_job(locale="en")), "ar": render(make_job(locale="ar")),
            "sample-en": render(make_job(locale="en", brand=example)),
            "print": print_file.finish()}
    return {name: hashlib.sha256(pdf).hexdigest() for name, pdf in pdfs.items()}


def render_in(environment: dict[str, str]) -> dict[str, str]:
    env = {**os.environ, **environment}
    result = subprocess.run([sys.executable, "-c", SUBPROCESS.format(project=str(PROJECT_DIR))],
                            env=env, cwd=PROJECT_DIR, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_no_environment_variable_changes_the_bytes(here):
    with ThreadPoolExecutor(max_workers=2) as pool:
        digests = list(pool.map(render_in, ENVIRONMENTS))
    for environment, there in zip(ENVIRONMENTS, digests):
        changed = sorted(name for name in here if there[name] != here[name])
        assert not changed, f"{environment} changes the bytes of {changed}"
