"""Shared by the web app's tests: an app on the shared Library, the CLI's PDF for the
same values, and reading a form's CSRF token."""
from __future__ import annotations

import re
from pathlib import Path

from handouts.cli import main
from handouts.web import WebSettings, create_app
from tests.conftest import LIBRARY, PATIENT, TEST_BRAND

TODAY = "2026-11-20"
#: The form's and the API's values for the test patient (every column of the handout).
VALUES = {**PATIENT, "contraception_method": "pill", "paper": ""}
#: Options of `generate.py render` for the columns (the generic ones and the handout's).
OPTIONS = {"locale": "--locale", "patient_name": "--patient-name", "record_id": "--record-id",
           "discharge_date": "--discharge-date", "wait": "--wait",
           "contraception": "--contraception", "contraception_method": "--contraception-method",
           "follow_up": "--follow-up", "rh": "--rh", "clinician": "--clinician",
           "note": "--note", "paper": "--paper"}


def make_app(**settings):
    library = settings.pop("library", LIBRARY)
    warm = settings.pop("warm", False)
    return create_app(WebSettings(brand_path=TEST_BRAND, **settings), library=library,
                      warm=warm)


def cli_pdf(values: dict, folder: Path, today: str = TODAY) -> bytes:
    """What `generate.py render` writes for the same values and the test brand."""
    out = folder / f"cli-{len(list(folder.iterdir()))}.pdf"
    argv = ["render", "--brand", str(TEST_BRAND), "--today", today, "--out", str(out)]
    for column, value in values.items():
        if value:
            argv += [OPTIONS[column], value]
    assert main(argv) == 0
    return out.read_bytes()


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
