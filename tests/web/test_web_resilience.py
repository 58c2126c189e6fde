"""One odd folder never takes the app down, and slow file work never blocks the event
loop: a locale folder CLDR does not know, a broken handout folder in --templates, a
slow catalog check while /healthz is asked."""
from __future__ import annotations

import shutil
import threading
import time

import pytest
from starlette.testclient import TestClient

from handouts.library import Library
from handouts.resources import PROJECT_DIR
from tests.web.web_helpers import TODAY, VALUES, make_app

API = "/api/v1/handouts"
WOUND_CARE = PROJECT_DIR / "tests" / "data" / "handouts" / "wound-care"


@pytest.fixture
def templates(tmp_path):
    """A --templates folder with the second handout and a handout folder that is broken."""
    shutil.copytree(WOUND_CARE, tmp_path / "wound-care")
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "meta.toml").write_text("garbage = [\n", "utf-8")
    return tmp_path


def test_a_locale_folder_cldr_does_not_know_is_listed_unavailable(tmp_path):
    handout = shutil.copytree(WOUND_CARE, tmp_path / "wound-care")
    klingon = handout / "locales" / "tlh" / "LC_MESSAGES"
    klingon.mkdir(parents=True)
    shutil.copy(handout / "locales" / "es" / "LC_MESSAGES" / "wound-care.po", klingon)
    library = Library(template_dirs=[tmp_path])
    # warm=True: the start-up warm-up lists the languages too, and must not crash.
    with TestClient(make_app(library=library, handout="wound-care", warm=True)) as client:
        listed = client.get(API)
        assert listed.status_code == 200
        (wound_care,) = [h for h in listed.json()["handouts"] if h["name"] == "wound-care"]
        locales = {locale["id"]: locale for locale in wound_care["locales"]}
        assert locales["tlh"]["available"] is False and "tlh" in locales["tlh"]["reason"]
        assert locales["es"]["available"] is True
        form = client.get("/")
        assert form.status_code == 200
        assert 'value="tlh"' in form.text and "unavailable-languages" in form.text
        made = client.post(API, json={"locale": "es", "discharge_date": TODAY,
                                      "today": TODAY, **_wound_care_values(library)})
        assert made.status_code == 200, made.text
        refused = client.post(API, json={"locale": "tlh", "discharge_date": TODAY,
                                         **_wound_care_values(library)})
        assert refused.status_code == 422


def _wound_care_values(library) -> dict:
    return dict(library.handout_fields("wound-care").example_values())


def test_a_broken_handout_folder_is_left_out_with_its_reason(templates):
    library = Library(template_dirs=[templates])
    with TestClient(make_app(library=library)) as client:
        listed = client.get(API)
        assert listed.status_code == 200
        names = [h["name"] for h in listed.json()["handouts"]]
        assert names == ["miscarriage-recovery", "wound-care"]
        (broken,) = listed.json()["unavailable"]
        assert broken["name"] == "half" and "meta.toml" in broken["reason"]
        asked = client.get("/?handout=half")
        assert asked.status_code == 422 and "meta.toml" in asked.text
        assert client.get("/").status_code == 200
        assert client.get("/?handout=wound-care").status_code == 200
        assert client.get("/api/v1/openapi.json").status_code == 200
        made = client.post(API, json={**VALUES, "handout": "half"})
        assert made.status_code == 422


def test_a_slow_catalog_check_does_not_block_the_health_check():
    app = make_app()
    checked = app.service.languages

    def slow_languages(*args, **kwargs):
        time.sleep(1.0)          # as a catalog check is after messages.pot changes
        return checked(*args, **kwargs)
    app.service.languages = slow_languages
    with TestClient(app) as client:
        for path in ("/", API):
            slow = threading.Thread(target=client.get, args=(path,))
            slow.start()
            time.sleep(0.2)
            started = time.monotonic()
            assert client.get("/healthz").status_code == 200
            waited = time.monotonic() - started
            slow.join()
            assert waited < 0.5, f"/healthz waited {waited:.2f}s behind GET {path}"
