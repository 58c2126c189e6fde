"""The web app against a hostile or careless client, over HTTP: tokens with bytes the
comparison cannot take, CSRF cookies the server did not issue, foreign origins and
hosts, TLS cookies, the OpenAPI security scheme, busy answers, idle sockets, and the
serve command's TLS options."""
from __future__ import annotations

import socket

import httpx
import pytest
from starlette.testclient import TestClient

from handouts.cli import main
from handouts.web.security import csrf_token
from tests.web.web_helpers import TODAY, VALUES, csrf, make_app, running_server

API = "/api/v1/handouts"
TOKEN = "t" * 24
SECRET = "s" * 64


def form_post(client, extra_headers=None, **extra):
    token = csrf(client.get("/").text)
    return client.post("/", data={**VALUES, "csrf_token": token, **extra},
                       headers=extra_headers or {})


# -- 1a: non-ASCII tokens ------------------------------------------------------------------

def test_a_non_ascii_csrf_token_is_refused_not_a_500():
    with TestClient(make_app()) as client:
        client.get("/")
        assert client.post("/", data={**VALUES, "csrf_token": "é"}).status_code == 403
    with TestClient(make_app()) as client:      # no cookie in the jar: only this header
        refused = client.post("/pdf", data={**VALUES, "csrf_token": "é"},
                              headers={"cookie": b"handouts_csrf=\xc3\xa9"})
        assert refused.status_code == 403


def test_non_ascii_login_and_access_cookie_are_refused_not_a_500():
    with TestClient(make_app(token=TOKEN)) as client:
        client.get("/login")
        assert client.post("/login", data={"token": "é", "csrf_token": "é"}).status_code == 403
        login = client.get("/login")
        wrong = client.post("/login", data={"token": "é" * 24, "csrf_token": csrf(login.text)})
        assert wrong.status_code == 401
    with TestClient(make_app(token=TOKEN)) as client:
        refused = client.get("/", headers={"cookie": b"handouts_access=\xc3\xa9"},
                             follow_redirects=False)
        assert refused.status_code == 303 and refused.headers["location"] == "/login"
        api = client.get(API, headers={"cookie": b"handouts_access=\xe9x"})
        assert api.status_code == 401


# -- 1d: CSRF cookie from the server only; Origin and Sec-Fetch-Site ------------------------

def test_a_csrf_cookie_the_server_did_not_issue_is_replaced_and_refused():
    with TestClient(make_app(secret=SECRET)) as client:
        client.cookies.set("handouts_csrf", "chosen-by-attacker")
        page = client.get("/")
        issued = page.cookies.get("handouts_csrf")
        assert issued and issued != "chosen-by-attacker"
        client.cookies.set("handouts_csrf", "chosen-by-attacker")
        forged = client.post("/pdf", data={
            **VALUES, "csrf_token": csrf_token(SECRET, "chosen-by-attacker")})
        assert forged.status_code == 403


@pytest.mark.parametrize("headers", [
    {"origin": "null"},
    {"origin": "null", "sec-fetch-site": "cross-site"},
    {"origin": "null", "sec-fetch-site": "none"},
    {"origin": "https://testserver"},          # same host, another scheme
    {"origin": "http://testserver:8080"},      # same host, another port
    {"origin": "http://evil.example"},
    {"sec-fetch-site": "cross-site"},
    {"sec-fetch-site": "same-site"},
])
def test_a_form_from_another_origin_is_refused(headers):
    with TestClient(make_app()) as client:
        assert form_post(client, headers).status_code == 403


@pytest.mark.parametrize("headers", [{"origin": "http://testserver"},
                                     {"sec-fetch-site": "same-origin"},
                                     # what chromium sends under Referrer-Policy: no-referrer
                                     {"origin": "null", "sec-fetch-site": "same-origin"},
                                     {"sec-fetch-site": "none"}, {}])
def test_a_form_from_this_origin_is_accepted(headers):
    with TestClient(make_app()) as client:
        assert form_post(client, headers, action="edit").status_code == 200


# -- 1e: Host ----------------------------------------------------------------------------

@pytest.mark.parametrize("host", ["evil.example", "rebound.attacker.test:8000", "127.0.0.2"])
def test_a_host_it_is_not_bound_to_is_refused(host):
    with TestClient(make_app(token=TOKEN)) as tokened, TestClient(make_app()) as client:
        for app_client in (client, tokened):
            for path in ("/", "/healthz", API):
                response = app_client.get(path, headers={"host": host},
                                          follow_redirects=False)
                assert response.status_code in (400, 401, 303), (path, response.status_code)
                location = response.headers.get("location", "/")
                assert location.startswith("/") and not location.startswith("//")
        assert client.get("/", headers={"host": host}).status_code == 400


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000",
                                  "localhost"])
def test_the_loopback_names_are_accepted(host):
    with TestClient(make_app()) as client:
        assert client.get("/healthz", headers={"host": host}).status_code == 200


# -- 1c: TLS cookies and the serve options ----------------------------------------------------

def test_over_tls_cookies_are_secure_and_host_prefixed():
    with TestClient(make_app(token=TOKEN, tls=True), base_url="https://testserver") as client:
        login = client.get("/login")
        set_cookie = login.headers["set-cookie"]
        assert set_cookie.startswith("__Host-handouts_csrf=")
        assert "secure" in set_cookie.lower() and "path=/" in set_cookie.lower()
        done = client.post("/login", data={"token": TOKEN, "csrf_token": csrf(login.text)},
                           headers={"origin": "https://testserver"}, follow_redirects=False)
        assert done.status_code == 303
        access = done.headers["set-cookie"]
        assert access.startswith("__Host-handouts_access=") and "secure" in access.lower()
        assert client.get("/").status_code == 200
        # Over TLS the unprefixed cookie (settable by a sibling host) is not the access.
        with TestClient(make_app(token=TOKEN, tls=True),
                        base_url="https://testserver") as other:
            other.cookies.set("handouts_access", done.cookies["__Host-handouts_access"])
            assert other.get("/", follow_redirects=False).status_code == 303


@pytest.fixture
def served(monkeypatch):
    """What `generate.py serve` would start uvicorn with (the server not started)."""
    calls = []
    import handouts.web.app
    monkeypatch.setattr(handouts.web.app, "serve",
                        lambda settings, **options: calls.append((settings, options)))
    return calls


def test_serve_passes_tls_files_and_marks_the_settings(served, tmp_path, capsys):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("x"), key.write_text("x")
    assert main(["serve", "--host", "0.0.0.0", "--token", TOKEN, "--ssl-certfile",
                 str(cert), "--ssl-keyfile", str(key)]) == 0
    ((settings, options),) = served
    assert settings.tls and settings.host == "0.0.0.0"
    assert options["ssl_certfile"] == cert and options["ssl_keyfile"] == key
    out, err = capsys.readouterr()
    assert "https://0.0.0.0:8000/" in out and "plain HTTP" not in err


def test_serve_warns_when_the_token_crosses_the_network_in_plain_http(served, capsys):
    assert main(["serve", "--host", "0.0.0.0", "--token", TOKEN]) == 0
    assert "plain HTTP" in capsys.readouterr().err
    assert main(["serve", "--token", TOKEN]) == 0           # loopback: no warning
    assert "plain HTTP" not in capsys.readouterr().err
    assert main(["serve", "--ssl-certfile", "missing.pem"]) != 0


# -- 1f: OpenAPI security -----------------------------------------------------------------

def test_openapi_applies_the_bearer_scheme_when_a_token_is_set():
    with TestClient(make_app(token=TOKEN)) as client:
        document = client.get("/api/v1/openapi.json",
                              headers={"authorization": f"Bearer {TOKEN}"}).json()
    assert document["security"] == [{"token": []}]
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    with TestClient(make_app()) as client:
        assert "security" not in client.get("/api/v1/openapi.json").json()


# -- 3d, 1b: busy answers and idle sockets --------------------------------------------------

def test_busy_answers_carry_retry_after_and_the_security_headers():
    from handouts.web.service import Busy

    async def busy(*args):
        raise Busy()
    app = make_app()
    app.service.gate.run = busy
    with TestClient(app) as client:
        for response in (client.post(API, json={**VALUES, "today": TODAY}),
                         form_post(client)):
            assert response.status_code == 503
            assert response.headers["retry-after"] == "1"
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
            assert response.headers["x-content-type-options"] == "nosniff"


def test_idle_half_sent_connections_do_not_starve_the_health_check():
    with running_server() as url:
        port = int(url.rsplit(":", 1)[1])
        idle = []
        try:
            for _ in range(120):        # more than the render gate (66) and the old limit
                sock = socket.create_connection(("127.0.0.1", port))
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")   # never finished
                idle.append(sock)
            response = httpx.get(url + "/healthz", timeout=10)
            assert response.status_code == 200, response.status_code
        finally:
            for sock in idle:
                sock.close()
