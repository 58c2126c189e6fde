"""The staff interface in the member of staff's language (the web catalog domain), one
section at a time, and the review of answers on the preview page."""
from __future__ import annotations

import html
import re
import shutil

import pytest
from babel.messages.pofile import read_po
from hypothesis import HealthCheck, given, settings, strategies as st
from starlette.testclient import TestClient

from handouts.resources import LOCALES_DIR
from handouts.web import interface
from handouts.web.interface import InterfaceCatalogs
from tests.conftest import pdf_text
from tests.web.web_helpers import VALUES, csrf, make_app

SHIPPED = InterfaceCatalogs()


@pytest.fixture(scope="module")
def client():
    with TestClient(make_app()) as client:
        yield client


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def post(client, values, path="/", **extra):
    token = csrf(client.get("/").text)
    return client.post(path, data={**values, "csrf_token": token, **extra})


# -- the catalogs ------------------------------------------------------------------------

def test_the_shipped_template_is_what_the_code_and_templates_say(tmp_path):
    fresh = interface.extract(pot=tmp_path / "web.pot")
    def ids(path):
        with path.open("rb") as source:
            return sorted(repr((m.id, m.context)) for m in read_po(source) if m.id)
    assert ids(fresh) == ids(LOCALES_DIR / "web.pot"), (
        "locales/web.pot is stale: run python generate.py locales extract, then "
        "python generate.py locales update, and translate the new strings")


@pytest.mark.parametrize("locale_id", [l for l in SHIPPED.shipped() if l != "en"])
def test_every_shipped_interface_catalog_passes_its_check(locale_id):
    assert SHIPPED.problems(locale_id) == []
    language = SHIPPED.load(locale_id)
    assert language.gettext("Preview the handout") != "Preview the handout"


def _broken_locales(tmp_path, po_text: str):
    (tmp_path / "es" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(LOCALES_DIR / "web.pot", tmp_path / "web.pot")
    (tmp_path / "es" / "LC_MESSAGES" / "web.po").write_text(po_text, "utf-8")
    return InterfaceCatalogs(tmp_path)


def _spanish_with(replace: dict) -> str:
    text = (LOCALES_DIR / "es" / "LC_MESSAGES" / "web.po").read_text("utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new, 1)
    return text


def test_a_broken_interface_catalog_is_refused_naming_file_line_and_fix(tmp_path):
    spanish = SHIPPED.load("es")
    step = spanish.gettext("Step %(number)s of %(total)s: %(heading)s")
    preview = spanish.gettext("Preview the handout")
    text = _spanish_with({f'msgstr "{step}"': 'msgstr "Paso %(numero)s"',
                          f'msgstr "{preview}"': 'msgstr ""'})
    problems = _broken_locales(tmp_path, text).problems("es")
    assert any("web.po:" in p and "Step %(number)s" in p and "placeholder" in p.lower()
               or "numero" in p for p in problems), problems
    assert any("'Preview the handout': not translated" in p for p in problems), problems
    assert all("locales check es" in p or "locales update es" in p for p in problems)


def test_a_fuzzy_or_unreadable_interface_catalog_is_refused(tmp_path):
    fuzzy = _spanish_with({'msgid "Next"': '#, fuzzy\nmsgid "Next"'})
    assert any("'Next': marked fuzzy" in p
               for p in _broken_locales(tmp_path / "a", fuzzy).problems("es"))
    unreadable = _broken_locales(tmp_path / "b", 'msgid "Next"\nSiguiente\nmsgstr ""\n')
    assert any("web.po: cannot be read" in p for p in unreadable.problems("es"))
    not_utf8 = _broken_locales(tmp_path / "c", "")
    (tmp_path / "c" / "es" / "LC_MESSAGES" / "web.po").write_bytes(
        b'msgid "Next"\nmsgstr "Siguiente \xff"\n')
    assert any("web.po: cannot be read" in p and "utf-8" in p
               for p in not_utf8.problems("es"))


def test_an_edited_interface_catalog_is_used_without_a_restart(tmp_path):
    catalogs = _broken_locales(tmp_path, _spanish_with({}))
    assert catalogs.problems("es") == []
    path = tmp_path / "es" / "LC_MESSAGES" / "web.po"
    path.write_text(path.read_text("utf-8").replace('msgid "Next"\nmsgstr "',
                                                    'msgid "Next"\nmsgstr "X', 1), "utf-8")
    assert catalogs.load("es").gettext("Next").startswith("X")


# -- choosing the interface language -------------------------------------------------

def test_the_interface_follows_ui_then_cookie_then_accept_language():
    with TestClient(make_app()) as client:
        english = client.get("/")
        assert '<html lang="en" dir="ltr">' in english.text
        spanish = client.get("/?ui=es")
        es = SHIPPED.load("es")
        assert '<html lang="es" dir="ltr">' in spanish.text
        assert es.gettext("Patient's language") in html.unescape(spanish.text)
        assert es.gettext("Preview the handout") in html.unescape(spanish.text)
        assert "handouts_ui=es" in spanish.headers["set-cookie"]
        again = client.get("/")                       # the cookie remembers it
        assert '<html lang="es"' in again.text
        # The patient's languages are named in the interface's language too.
        assert re.search(r'<option value="ar"[^>]*>العربية — árabe', again.text)
    with TestClient(make_app()) as client:
        arabic = client.get("/", headers={"accept-language": "ar-EG,ar;q=0.9,en;q=0.5"})
        assert '<html lang="ar" dir="rtl">' in arabic.text
        assert SHIPPED.load("ar").gettext("Next") not in ("", "Next")
        unknown = client.get("/?ui=xx-Qaaa", headers={"accept-language": "tlh, *;q=0.1"})
        assert unknown.status_code == 200 and '<html lang="en"' in unknown.text


def test_a_failing_interface_catalog_gives_an_english_page_that_says_why(tmp_path):
    app = make_app()
    next_word = SHIPPED.load("es").gettext("Next")
    broken = _spanish_with({f'msgid "Next"\nmsgstr "{next_word}"': 'msgid "Next"\nmsgstr ""'})
    app.service.interface = _broken_locales(tmp_path, broken)
    with TestClient(app) as client:
        page = client.get("/?ui=es")
        assert page.status_code == 200 and '<html lang="en"' in page.text
        notice = text_of(page.text)
        assert "interface cannot be used now, so this page is in English" in notice
        assert "web.po" in notice


def test_error_messages_keep_the_command_lines_english_marked_as_such(client):
    with TestClient(make_app()) as spanish:
        spanish.get("/?ui=es")
        page = post(spanish, {**VALUES, "wait": "3 weeks"})
    assert page.status_code == 422 and '<html lang="es"' in page.text
    error = re.search(r'<p class="error" id="wait-error">(.*?)</p>', page.text, re.S).group(1)
    assert '<span lang="en" dir="ltr">' in error


# -- one section at a time -----------------------------------------------------------

def _shown_inputs(page: str) -> set[str]:
    names = set(re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*'
                           r'name="([a-z_]+)"', page))
    return names - {"csrf_token", "handout", "step", "ui"}


def test_one_section_at_a_time_checks_each_section_before_the_next(client):
    first = client.get("/?steps=1")
    assert first.status_code == 200 and "Step 1 of 3" in text_of(first.text)
    assert _shown_inputs(first.text) == {"locale", "record_id", "patient_name"}
    token = csrf(first.text)

    def step(values, number, action):
        return client.post("/", data={**values, "csrf_token": token, "step": str(number),
                                      "action": action})
    refused = step({**VALUES, "record_id": "A B", "wait": "3 weeks"}, 0, "next")
    assert refused.status_code == 422 and "Step 1 of 3" in text_of(refused.text)
    assert 'id="record_id-error"' in refused.text
    assert 'id="wait-error"' not in refused.text          # a later section: not yet
    second = step({**VALUES, "wait": "3 weeks"}, 0, "next")
    assert second.status_code == 200 and "Step 2 of 3" in text_of(second.text)
    assert {"discharge_date", "wait", "contraception", "rh", "note"} <= _shown_inputs(second.text)
    assert 'type="hidden" name="record_id" value="MRN-20417"' in second.text
    assert step({**VALUES, "wait": "3 weeks"}, 1, "next").status_code == 422
    back = step(VALUES, 1, "back")
    assert "Step 1 of 3" in text_of(back.text)
    last = step(VALUES, 1, "next")
    assert "Step 3 of 3" in text_of(last.text) and _shown_inputs(last.text) == {"paper"}
    preview = client.post("/", data={**VALUES, "csrf_token": token, "step": "2"})
    assert preview.status_code == 200 and "Download PDF" in preview.text


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(step=st.text(max_size=12), action=st.sampled_from(["next", "back", "edit", "", "x"]))
def test_any_step_and_action_give_a_page_never_a_crash(client, step, action):
    token = csrf(client.get("/").text)
    response = client.post("/", data={**VALUES, "wait": "9w", "csrf_token": token,
                                      "step": step, "action": action})
    assert response.status_code in (200, 422), response.text[:300]


# -- the review ------------------------------------------------------------------------

def test_the_preview_lists_what_the_handout_was_made_from(client):
    page = post(client, {**VALUES, "clinician": ""})
    assert page.status_code == 200
    answers = page.text[page.text.index('class="answers"'):page.text.index('class="pages"')]
    shown = text_of(answers)
    assert "Maria Lopez" in shown and "MRN-20417" in shown
    assert "Avoid pregnancy for now" in shown          # the choice's label, not "avoid"
    assert re.search(r"Clinician\s+Left empty", shown)
    download = post(client, {**VALUES, "clinician": ""}, "/pdf")
    assert "Maria Lopez" in pdf_text(download.content)


def test_a_translation_is_text_never_markup(tmp_path):
    spanish = SHIPPED.load("es")
    search = spanish.gettext("Type a name, e.g. Spanish or Español")
    quoted = _spanish_with({f'msgstr "{search}"': 'msgstr "Escriba \\"árabe\\" o x"'})
    app = make_app()
    app.service.interface = _broken_locales(tmp_path / "q", quoted)
    with TestClient(app) as client:
        page = client.get("/?ui=es").text
    assert 'placeholder="Escriba &#34;árabe&#34; o x"' in page
    marked = _spanish_with({f'msgstr "{search}"': 'msgstr "<b onmouseover=x>a</b>"'})
    assert any("has <, > or &" in p for p in _broken_locales(tmp_path / "m", marked).problems("es"))
    percent = _spanish_with({f'msgstr "{search}"': 'msgstr "100% seguro"'})
    assert any("a % that is not a placeholder" in p
               for p in _broken_locales(tmp_path / "p", percent).problems("es"))


def test_a_refused_interface_catalog_leaves_nothing_of_it_on_the_page(tmp_path):
    next_word = SHIPPED.load("es").gettext("Next")
    broken = _spanish_with({f'msgid "Next"\nmsgstr "{next_word}"': 'msgid "Next"\nmsgstr ""'})
    app = make_app()
    app.service.interface = _broken_locales(tmp_path, broken)
    with TestClient(app) as client:
        page = client.get("/?ui=es")
    assert "handouts_ui" not in page.headers.get("set-cookie", "")
    assert re.search(r'<option value="ar"[^>]*>العربية — Arabic', page.text)   # not "árabe"


def test_a_tag_in_ui_is_remembered_as_its_language():
    with TestClient(make_app()) as client:
        page = client.get("/?ui=es-MX")
        assert '<html lang="es"' in page.text and "handouts_ui=es" in page.headers["set-cookie"]


def test_next_with_a_problem_in_an_earlier_section_goes_back_to_it(client):
    token = csrf(client.get("/").text)
    page = client.post("/", data={**VALUES, "record_id": "A B", "csrf_token": token,
                                  "step": "1", "action": "next"})
    assert page.status_code == 422 and "Step 1 of 3" in text_of(page.text)
    assert 'id="record_id-error"' in page.text and 'name="record_id" id="record_id"' in page.text
    final = client.post("/", data={**VALUES, "wait": "3 weeks", "csrf_token": token,
                                   "step": "2"})
    assert final.status_code == 422 and "Step 2 of 3" in text_of(final.text)
    assert 'id="wait-error"' in final.text
