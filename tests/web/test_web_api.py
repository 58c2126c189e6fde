"""The JSON API as an EHR integrator calls it: real HTTP through the framework's client."""
from __future__ import annotations

import logging
import shutil

import pytest
from starlette.testclient import TestClient

from handouts.library import Library
from handouts.resources import LOCALES_DIR
from tests.conftest import pdf_text
from tests.web.web_helpers import TODAY, VALUES, cli_pdf, make_app

API = "/api/v1/handouts"


def untranslated(po_text: str) -> str:
    """The catalog with its first translation emptied: it fails the gate."""
    import io
    from babel.messages.pofile import read_po, write_po
    catalog = read_po(io.StringIO(po_text), locale="es")
    message = next(m for m in catalog if m.id and isinstance(m.id, str))
    message.string = ""
    out = io.BytesIO()
    write_po(out, catalog)
    return out.getvalue().decode("utf-8")


@pytest.fixture(scope="module")
def client():
    with TestClient(make_app()) as client:
        yield client


def test_pdf_is_byte_identical_to_the_cli(client, tmp_path):
    response = client.post(API, json={**VALUES, "today": TODAY})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"] == 'attachment; filename="MRN-20417.pdf"'
    assert response.content == cli_pdf(VALUES, tmp_path)
    assert "Maria Lopez" in pdf_text(response.content)


def test_download_name_never_has_the_patients_name(client):
    response = client.post(API, json={**VALUES, "record_id": "", "today": TODAY})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="handout.pdf"'


@pytest.mark.parametrize("change, field, message", [
    ({"wait": "3 weeks"}, "wait", "'3 weeks' is not a wait"),
    ({"wait": "Maria Lopez"}, "wait", "the value is not a wait"),
    ({"locale": ""}, "locale", "is required"),
    ({"locale": "xx"}, "locale", "'xx' is not a shipped language"),
    ({"discharge_date": "20/11/2026"}, "discharge_date", "'20/11/2026' is not a date"),
    ({"surname": "Lopez"}, "surname", "unknown field 'surname'"),
    ({"rh": 3}, "rh", "is not text"),
    ({"patient_name": "Ana\u202eP"}, "patient_name",
     "contains U+202E RIGHT-TO-LEFT OVERRIDE (a bidi control) at character 4"),
])
def test_refused_values_are_422_in_the_clis_words(client, change, field, message):
    response = client.post(API, json={**VALUES, **change})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
    (error,) = response.json()["errors"]
    assert (error["field"], error["message"]) == (field, message)
    assert set(error) == {"field", "message", "hint"} and error["hint"]
    assert "Maria Lopez" not in response.text and "Rivera" not in response.text


def test_a_patients_name_in_a_field_name_is_not_echoed(client):
    response = client.post(API, json={**VALUES, "Maria Lopez": "x"})
    assert response.status_code == 422
    assert "Maria" not in response.text


@pytest.mark.parametrize("body, kind, status", [
    (b"[1, 2]", "application/json", 422), (b"{not json", "application/json", 422),
    (b"locale=en", "application/x-www-form-urlencoded", 415),
    (b'"text"', "application/json", 422),
])
def test_bodies_that_are_not_an_object_are_refused(client, body, kind, status):
    response = client.post(API, content=body, headers={"content-type": kind})
    assert response.status_code == status
    assert response.json()["errors"][0]["message"]


def test_request_size_is_limited(client):
    big = {**VALUES, "note": "x" * 100_000}
    response = client.post(API, json=big)
    assert response.status_code == 413
    response = client.post("/", content=b"a=" + b"x" * 100_000,
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


def test_listing_has_handouts_fields_and_locales(client):
    response = client.get(API)
    assert response.status_code == 200
    (handout,) = [h for h in response.json()["handouts"] if h["name"] == "miscarriage-recovery"]
    names = [field["name"] for field in handout["fields"]]
    assert set(names) == set(VALUES) and names[0] == "locale"
    wait = next(field for field in handout["fields"] if field["name"] == "wait")
    assert wait["required"] and wait["label"] and wait["help"]
    locales = {locale["id"]: locale for locale in handout["locales"]}
    assert {"en", "es", "ar", "zh_Hans", "hi", "th"} <= set(locales)
    assert locales["en"]["reviewed"] is True and locales["es"]["reviewed"] is False
    assert locales["ar"] == {"id": "ar", "native_name": "العربية", "english_name": "Arabic",
                             "direction": "rtl", "reviewed": False, "available": True,
                             "reason": ""}


def test_openapi_description_and_health(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    body = document["paths"][API]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["properties"]["rh"]["enum"] == ["given", "not-given", "not-needed"]
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize("method, path", [("GET", "/"), ("GET", "/healthz"),
                                          ("GET", API), ("POST", API)])
def test_security_headers_everywhere(client, method, path):
    response = client.request(method, path, json={**VALUES, "today": TODAY}
                              if method == "POST" else None)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"


def test_access_log_has_method_path_status_and_duration_only(client, caplog):
    with caplog.at_level(logging.INFO, logger="handouts.web.access"):
        client.post(API + "?secret=1", json={**VALUES, "today": TODAY})
        client.post(API, json={**VALUES, "wait": "Maria Lopez"})
    lines = [r.getMessage() for r in caplog.records if r.name == "handouts.web.access"]
    assert lines[0].startswith(f"POST {API} 200 ") and lines[0].endswith("ms")
    assert lines[1].startswith(f"POST {API} 422 ")
    everything = caplog.text
    assert "Maria" not in everything and "secret" not in everything and "MRN" not in everything


def test_token_is_required_when_set():
    token = "t" * 24
    with TestClient(make_app(token=token)) as client:
        assert client.post(API, json=VALUES).status_code == 401
        assert client.get(API, headers={"authorization": "Bearer wrong"}).status_code == 401
        ok = client.post(API, json={**VALUES, "today": TODAY},
                         headers={"authorization": f"Bearer {token}"})
        assert ok.status_code == 200 and ok.content.startswith(b"%PDF")
        assert client.get("/healthz").status_code == 200
        form = client.get("/", follow_redirects=False)
        assert form.status_code == 303 and form.headers["location"] == "/login"
        login = client.get("/login")
        from tests.web.web_helpers import csrf
        refused = client.post("/login", data={"token": "nope", "csrf_token": csrf(login.text)})
        assert refused.status_code == 401
        done = client.post("/login", data={"token": token, "csrf_token": csrf(login.text)},
                           follow_redirects=False)
        assert done.status_code == 303 and token not in done.headers["set-cookie"]
        assert client.get("/").status_code == 200


def test_too_many_renders_get_503_never_500():
    from concurrent.futures import ThreadPoolExecutor
    with TestClient(make_app(render_threads=1, max_waiting=1)) as client:
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda i: client.post(
                API, json={**VALUES, "record_id": f"R{i}", "today": TODAY}).status_code,
                range(8)))
    assert set(statuses) <= {200, 503} and 503 in statuses and 200 in statuses


def test_a_catalog_failing_the_gate_is_unavailable_and_the_others_work(tmp_path):
    locales = shutil.copytree(LOCALES_DIR, tmp_path / "locales")
    with TestClient(make_app(library=Library(locales_dir=locales))) as client:
        assert client.post(API, json={**VALUES, "locale": "es", "today": TODAY}).status_code == 200
        po = locales / "es" / "LC_MESSAGES" / "messages.po"
        text = po.read_text("utf-8")
        po.write_text(untranslated(text), "utf-8")
        refused = client.post(API, json={**VALUES, "locale": "es"})
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "locale"
        listed = {l["id"]: l for l in client.get(API).json()["handouts"][0]["locales"]}
        assert listed["es"]["available"] is False and "messages.po" in listed["es"]["reason"]
        assert listed["fr"]["available"] is True
        form = client.get("/").text
        assert 'value="es"' in form and "unavailable" in form and listed["es"]["reason"] in \
            form.replace("&#39;", "'").replace("&quot;", '"').replace("&amp;", "&")
        assert client.post(API, json={**VALUES, "locale": "fr", "today": TODAY}).status_code == 200
        po.write_text(text, "utf-8")        # fixed while running: used at the next request
        assert client.post(API, json={**VALUES, "locale": "es", "today": TODAY}).status_code == 200
