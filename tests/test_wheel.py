"""A wheel install works: built from the project, installed (not editable) into a fresh
virtual environment, and run from another folder, it finds its templates, catalogs,
fonts and example brand inside the package and renders every shipped locale."""
import json
import shutil
import subprocess
import sys
import venv

from handouts.resources import PROJECT_DIR

RENDER_EVERY_LOCALE = """
import json, sys
from datetime import date
import handouts
from handouts.i18n import shipped_locales
from handouts.library import Library
from handouts.records import job_from_fields
from handouts.resources import EXAMPLE_BRAND
library = Library()
brand = library.brand(EXAMPLE_BRAND)
fields = library.handout_fields("miscarriage-recovery")
pages = {}
for locale in shipped_locales():
    job = job_from_fields({"locale": locale, "discharge_date": "2026-11-20", "wait": "2w",
                           "contraception": "avoid", "follow_up": "call", "rh": "given"},
                          handout=fields, brand=brand, today=date(2026, 11, 20))
    pdf, pages[locale] = library.render_counted(job)
    assert pdf.startswith(b"%PDF-")
print(json.dumps({"package": handouts.__file__, "pages": pages}))
"""


def test_a_wheel_installed_elsewhere_renders_every_shipped_locale(tmp_path):
    # Built from a copy: setuptools builds in the source folder, and an old build/ there
    # could carry files the project no longer has.
    source = tmp_path / "source"
    shutil.copytree(PROJECT_DIR, source, ignore=shutil.ignore_patterns(
        ".git", "build", "out", "*.egg-info", "__pycache__", ".pytest_cache", "tests"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                            "--wheel-dir", str(tmp_path / "dist"), str(source)],
                           capture_output=True, text=True, cwd=tmp_path)
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("handouts-*.whl"))
    # The environment sees the dependencies already installed here; the wheel itself
    # is installed into it, so its package comes before any editable checkout.
    venv.create(tmp_path / "env", system_site_packages=True, with_pip=True)
    python = tmp_path / "env" / "bin" / "python"
    installed = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--quiet",
                                str(wheel)], capture_output=True, text=True, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr[-2000:]
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    ran = subprocess.run([str(python), "-c", RENDER_EVERY_LOCALE], capture_output=True,
                         text=True, cwd=elsewhere, timeout=600)
    assert ran.returncode == 0, ran.stderr[-2000:]
    result = json.loads(ran.stdout.splitlines()[-1])
    assert result["package"].startswith(str(tmp_path / "env"))
    sample = subprocess.run([str(tmp_path / "env" / "bin" / "handouts"), "sample"],
                            capture_output=True, text=True, cwd=elsewhere, timeout=300)
    assert sample.returncode == 0, sample.stderr[-2000:]
    assert (elsewhere / "out" / "sample-handout.pdf").read_bytes().startswith(b"%PDF-")
    assert sorted(result["pages"]) == sorted(json.loads(subprocess.run(
        [sys.executable, "-c", "import json; from handouts.i18n import shipped_locales; "
                               "print(json.dumps(shipped_locales()))"],
        capture_output=True, text=True, check=True).stdout))
