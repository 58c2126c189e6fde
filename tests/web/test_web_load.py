"""Under load and under attack: 24 concurrent requests on a cold server in six
languages, each the CLI's bytes; a fuzz of the API that never gets a 500 or its own
text back."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from starlette.testclient import TestClient

from handouts.library import Library
from handouts.resources import PROJECT_DIR
from tests.conftest import TEST_BRAND
from tests.web.web_helpers import TODAY, VALUES, cli_pdf, free_port, make_app

API = "/api/v1/handouts"
LOCALES = ("en", "es", "ar", "zh_Hans", "hi", "th")
NAMES = {"en": "Maria Lopez", "es": "Ana Pérez", "ar": "فاطمة حداد", "zh_Hans": "李小龙",
         "hi": "प्रिया शर्मा", "th": "สมศรี ใจดี"}


def test_24_concurrent_requests_on_a_cold_server_match_the_cli(tmp_path):
    # Two patients per language (each asked for twice): 12 CLI runs, 24 requests.
    patients = [{**VALUES, "locale": locale, "patient_name": NAMES[locale] + suffix,
                 "record_id": f"MRN-{locale}-{n}", "wait": ("2w", "until-bleeding-stops")[n],
                 "follow_up": ("2026-12-01 10:30", "call")[n]}
                for locale in LOCALES for n, suffix in enumerate(("", " B"))]
    expected = [cli_pdf(values, tmp_path) for values in patients]
    app = make_app(library=Library(), render_threads=4, max_waiting=32)   # cold
    with TestClient(app) as client:
        _asked_at_once(lambda body: client.post(API, json=body), patients, expected)


def _asked_at_once(post, patients: list, expected: list, requests: int = 24) -> None:
    """`requests` concurrent POSTs cycling through the patients, each of them the CLI's
    bytes for its patient; post(body) -> response."""
    def ask(index):
        response = post({**patients[index % len(patients)], "today": TODAY})
        return index, response.status_code, response.content
    with ThreadPoolExecutor(requests) as pool:
        results = list(pool.map(ask, range(requests)))
    for index, status, body in results:
        assert status == 200, (index, body[:300])
        assert body == expected[index % len(patients)], \
            patients[index % len(patients)]["record_id"]


@pytest.fixture(scope="module")
def fuzz_client():
    with TestClient(make_app()) as client:
        yield client


TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
VALUE = st.one_of(TEXT, st.sampled_from(["", "2w", "99w", "call", "avoid", "given", "a4",
                                         "2026-11-20", "2026-02-30", "2026-12-01 10:30",
                                         "en", "ar", "xx-YY", "zh-TW", "until-bleeding-stops"]),
                  st.integers(), st.none(), st.booleans(), st.lists(st.integers(), max_size=2))
#: Marks the free text a fuzzed patient "typed": it must never come back.
MARK = "Qzpatient"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from(sorted(VALUES) + ["today", "handout", "x"]),
                               VALUE, max_size=5),
       free=st.dictionaries(st.sampled_from(["patient_name", "clinician", "note"]), TEXT,
                            max_size=3),
       raw=st.one_of(st.none(), st.binary(max_size=60)))
def test_fuzzed_api_never_fails_or_echoes(fuzz_client, changes, free, raw):
    body = {**VALUES, **changes, **{k: MARK + v for k, v in free.items()}}
    if raw is not None:
        response = fuzz_client.post(API, content=raw,
                                    headers={"content-type": "application/json"})
    else:
        response = fuzz_client.post(API, content=json.dumps(body),
                                    headers={"content-type": "application/json"})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert MARK not in response.text
        for error in response.json()["errors"]:
            assert set(error) == {"field", "message", "hint"}
    else:
        assert response.content.startswith(b"%PDF")


TOKEN = "t" * 24
#: Header text as a client may send it: any byte a header can carry (latin-1).
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF,
                                    exclude_characters="\x7f"), max_size=40)


@pytest.fixture(scope="module")
def token_client():
    with TestClient(make_app(token=TOKEN)) as client:
        yield client


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from(sorted(VALUES) + ["handout", "x"]),
                               TEXT, max_size=4),
       action=st.sampled_from(["edit", ""]), token=st.one_of(st.none(), TEXT), cookie=st.one_of(st.none(), HEADER_TEXT),
       origin=st.one_of(st.none(), st.sampled_from(["null", "http://testserver",
                                                    "https://evil.example"]), HEADER_TEXT))
def test_fuzzed_form_never_fails_or_echoes(fuzz_client, changes, action, token, cookie,
                                           origin):
    """The form's POST with fuzzed values, CSRF tokens, CSRF cookies and origins. The
    form keeps what was typed in its inputs (on purpose); its messages never quote it."""
    page = fuzz_client.get("/").text
    real = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    headers = {} if origin is None else {"origin": origin.encode("latin-1")}
    if cookie is not None:      # a fresh jar: only this cookie header
        headers["cookie"] = ("handouts_csrf=" + cookie).encode("latin-1")
    data = {**VALUES, "action": action, **{k: MARK + v for k, v in changes.items()},
            "csrf_token": real if token is None else token}
    with TestClient(fuzz_client.app) as fresh:
        sender = fresh if cookie is not None else fuzz_client
        response = sender.post("/", data=data, headers=headers)
    assert response.status_code in (200, 403, 422), response.text[:300]
    messages = re.findall(r'<p class="error"[^>]*>.*?</p>|<div class="summary".*?</div>',
                          response.text, re.S)
    assert not any(MARK in message for message in messages)
    if response.status_code == 403:
        assert MARK not in response.text


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(["/", "/login", API, "/api/v1/openapi.json", "/healthz"]),
       given_token=st.one_of(st.just(TOKEN), TEXT), bearer=st.one_of(st.none(), HEADER_TEXT),
       access=st.one_of(st.none(), HEADER_TEXT), csrf_token=st.one_of(st.none(), TEXT))
def test_fuzzed_token_paths_never_fail(token_client, path, given_token, bearer, access,
                                       csrf_token):
    """/login and the token checks (bearer, access cookie) with fuzzed bytes."""
    headers = {}
    if bearer is not None:
        headers["authorization"] = ("Bearer " + bearer).encode("latin-1")
    if access is not None:
        headers["cookie"] = ("handouts_access=" + access).encode("latin-1")
    with TestClient(token_client.app) as client:
        login = client.get("/login").text
        real = login.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        posted = client.post("/login", data={"token": given_token, "csrf_token":
                                             real if csrf_token is None else csrf_token},
                             follow_redirects=False)
        assert posted.status_code in (303, 401, 403)
        assert (posted.status_code == 303) == (given_token.strip() == TOKEN
                                               and csrf_token is None)
    with TestClient(token_client.app) as client:
        response = client.get(path, headers=headers, follow_redirects=False)
    assert response.status_code in (200, 303, 401), response.text[:300]


# -- the render processes, as `generate.py serve` starts them ----------------------------

def _children(pid: int) -> set[int]:
    found = set()
    for task in (Path("/proc") / str(pid) / "task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def _render_workers(server_pid: int) -> set[int]:
    """The render processes: children of the server's fork server."""
    for child in _children(server_pid):
        if b"forkserver" in Path(f"/proc/{child}/cmdline").read_bytes():
            return _children(child)
    return set()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_serve_renders_in_processes_byte_identical_and_survives_a_dead_worker(tmp_path):
    """The real command: 24 concurrent requests on a cold server with two render
    processes, each the CLI's bytes; a refused value is 422; a render process killed
    with SIGKILL costs at most its own request (503) and is replaced; the processes end
    with the server."""
    import httpx
    patients = [{**VALUES, "locale": locale, "patient_name": NAMES[locale],
                 "record_id": f"MRN-{locale}-p"} for locale in LOCALES]
    expected = [cli_pdf(values, tmp_path) for values in patients]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(PROJECT_DIR / "generate.py"), "serve", "--port", str(port),
         "--render-processes", "2", "--brand", str(TEST_BRAND)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.2)
        workers = _render_workers(server.pid)
        assert len(workers) == 2, workers

        _asked_at_once(lambda body: httpx.post(url + API, json=body, timeout=120),
                       patients, expected)
        refused = httpx.post(url + API, json={**VALUES, "wait": "3 weeks"}, timeout=60)
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "wait"

        os.kill(sorted(workers)[0], signal.SIGKILL)
        time.sleep(0.2)
        # Found dead when handed a request: the request goes to the other worker.
        statuses = [httpx.post(url + API, json={**patients[i], "today": TODAY},
                               timeout=120).status_code for i in range(4)]
        assert statuses == [200] * 4, statuses
        replaced = _render_workers(server.pid)
        assert len(replaced) == 2 and sorted(workers)[0] not in replaced
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Maria" not in output and "MRN-" not in output
    time.sleep(0.5)
    for pid in workers | replaced:
        assert not Path(f"/proc/{pid}").exists() or \
            Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z", pid
