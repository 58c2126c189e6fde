"""The web app as staff use it: Debian's chromium, driven by Playwright, against a real
uvicorn server on a free port. Fills the form in English, Spanish and Arabic, downloads
the PDF and reads it; shows a validation error; goes through with the keyboard alone;
runs axe-core; takes screenshots into /tmp/web-shots/ to look at.

In CI (HANDOUTS_CI=1) a missing browser or axe-core fails these tests, never skips them.
"""
from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

from handouts.resources import PROJECT_DIR
from tests.conftest import pdf_text
from tests.web.web_helpers import make_app

CHROMIUM = Path("/usr/bin/chromium")
AXE = PROJECT_DIR / "build" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path("/tmp/web-shots")
DESKTOP, TABLET = {"width": 1280, "height": 900}, {"width": 820, "height": 1180}


def _missing(what: str):
    if os.environ.get("HANDOUTS_CI") == "1":
        pytest.fail(f"{what} is missing (.ci/run installs it)")
    pytest.skip(f"{what} is missing")


@pytest.fixture(scope="module")
def server():
    import uvicorn
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(make_app(), host="127.0.0.1", port=port, log_level="warning",
                            access_log=False, lifespan="on")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright")
    if not CHROMIUM.exists():
        _missing(str(CHROMIUM))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                             args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    yield context.new_page()
    context.close()


PATIENTS = {
    "en": {"patient_name": "Maria Lopez", "record_id": "MRN-1001", "note": "Rest today.",
           "clinician": "Dr. Ana Rivera"},
    "es": {"patient_name": "Ana Pérez", "record_id": "MRN-1002", "note": "Descanse hoy.",
           "clinician": "Dra. Rivera"},
    "ar": {"patient_name": "فاطمة حداد", "record_id": "MRN-1003", "note": "استريحي اليوم.",
           "clinician": "د. ريم"},
}


def fill(page, locale: str, **overrides):
    values = {**PATIENTS[locale], "discharge_date": "2026-11-20", "wait": "2w",
              "follow_up": "2026-12-01 10:30", **overrides}
    page.select_option("#locale", locale)
    for name, value in values.items():
        page.fill(f"#{name}", value)
    page.check("#contraception-avoid")
    page.check("#rh-given")


@pytest.mark.parametrize("locale", ["en", "es", "ar"])
def test_fill_preview_and_download(server, page, locale):
    SHOTS.mkdir(exist_ok=True)
    page.goto(server + "/")
    fill(page, locale)
    if locale == "en":
        page.screenshot(path=str(SHOTS / "form-desktop.png"), full_page=True)
    page.click("text=Preview the handout")
    page.wait_for_selector(".pages img")
    assert page.locator(".pages img").count() >= 2
    page.screenshot(path=str(SHOTS / f"preview-{locale}.png"))
    with page.expect_download() as info:
        page.click("#download")
    download = info.value
    assert download.suggested_filename == PATIENTS[locale]["record_id"] + ".pdf"
    text = pdf_text(Path(download.path()).read_bytes())
    if locale == "ar":      # pdfium extracts this right-to-left line in visual order
        assert "1003" in text and "صفحة 1 من" in text
    else:
        assert PATIENTS[locale]["record_id"] in text
        assert PATIENTS[locale]["patient_name"] in text
    page.click("#edit")
    assert page.input_value("#patient_name") == PATIENTS[locale]["patient_name"]


def test_a_validation_error_is_shown_next_to_its_field(server, page):
    page.goto(server + "/")
    fill(page, "en", wait="3 weeks")
    page.click("text=Preview the handout")
    error = page.locator("#wait-error")
    error.wait_for()
    assert "'3 weeks' is not a wait" in error.inner_text()
    assert page.input_value("#wait") == "3 weeks"
    assert page.input_value("#patient_name") == "Maria Lopez"
    assert page.evaluate("document.activeElement.id") == "error-summary"
    box, field = error.bounding_box(), page.locator("#wait").bounding_box()
    assert abs(box["y"] - field["y"]) < 120
    page.screenshot(path=str(SHOTS / "form-error.png"), full_page=True)


def tab_to(page, element_id: str, most: int = 80):
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_keyboard_only(server, page):
    page.goto(server + "/")
    tab_to(page, "locale-search")
    page.keyboard.type("spanish")
    assert page.input_value("#locale") == "es"
    for element_id, text in (("record_id", "MRN-2001"), ("patient_name", "Ana Pérez"),
                             ("wait", "6w"), ("follow_up", "call")):
        tab_to(page, element_id)
        page.keyboard.type(text)
    tab_to(page, "contraception-avoid")
    page.keyboard.press("Space")
    tab_to(page, "rh-given")
    page.keyboard.press("Space")
    page.keyboard.press("Enter")            # submits the form from a radio button
    page.wait_for_selector(".pages img")
    tab_to(page, "download")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    assert info.value.suggested_filename == "MRN-2001.pdf"
    assert "MRN-2001" in pdf_text(Path(info.value.path()).read_bytes())


def test_axe_finds_no_serious_violation_and_tablet_layout(server, browser):
    if not AXE.exists():
        _missing(f"axe-core ({AXE})")
    # axe is injected as a script: the page's CSP (rightly) refuses it unless bypassed.
    context = browser.new_context(viewport=TABLET, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(server + "/")
        page.screenshot(path=str(SHOTS / "form-tablet.png"), full_page=True)
        found = {"form": _axe(page)}
        fill(page, "ar", wait="3 weeks")
        page.click("text=Preview the handout")
        page.locator("#wait-error").wait_for()
        found["errors"] = _axe(page)
        page.fill("#wait", "2w")
        page.click("text=Preview the handout")
        page.wait_for_selector(".pages img")
        page.screenshot(path=str(SHOTS / "preview-ar-tablet.png"))
        found["preview"] = _axe(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= TABLET["width"], "the page scrolls sideways on a tablet"
    finally:
        context.close()
    assert found == {"form": [], "errors": [], "preview": []}


def _axe(page) -> list:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
    }""")
    return result
