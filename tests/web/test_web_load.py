"""Under load and under attack: 24 concurrent requests on a cold server in six
languages, each the CLI's bytes; a fuzz of the API that never gets a 500 or its own
text back."""
from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from starlette.testclient import TestClient

from handouts.library import Library
from tests.web.web_helpers import TODAY, VALUES, cli_pdf, make_app

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
        def ask(index):
            response = client.post(API, json={**patients[index % 12], "today": TODAY})
            return index, response.status_code, response.content
        with ThreadPoolExecutor(24) as pool:
            results = list(pool.map(ask, range(24)))
    for index, status, body in results:
        assert status == 200, (index, body[:200])
        assert body == expected[index % 12], patients[index % 12]["record_id"]


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
