"""Shared by the web app's tests: an app on the shared Library, a real uvicorn server
with the options `serve` uses, the CLI's PDF for the same values, and reading a form's
CSRF token."""
from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from pathlib import Path

from handouts.cli import main
from handouts.web import WebSettings, create_app
from handouts.web.app import server_options
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


def make_settings(**settings) -> WebSettings:
    # "testserver" is the Host starlette's test client sends.
    settings.setdefault("extra_hosts", ("testserver",))
    return WebSettings(brand_path=TEST_BRAND, **settings)


def make_app(**settings):
    library = settings.pop("library", LIBRARY)
    warm = settings.pop("warm", False)
    return create_app(make_settings(**settings), library=library, warm=warm)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_server(**settings):
    """A real uvicorn server in a thread on a free loopback port, with the options
    `generate.py serve` gives uvicorn (app.server_options); yields its base URL."""
    import uvicorn
    library = settings.pop("library", LIBRARY)
    web_settings = make_settings(**settings)
    port = free_port()
    config = uvicorn.Config(create_app(web_settings, library=library, warm=False),
                            host="127.0.0.1", port=port, lifespan="on",
                            **server_options(web_settings))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


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
