"""The form staff use, over HTTP: built from the handout's fields, errors next to their
field in the CLI's words with the values kept, CSRF, preview and download."""
from __future__ import annotations

import html
import re

import pytest
from starlette.testclient import TestClient

from handouts.errors import HandoutError
from handouts.records import job_from_fields
from tests.conftest import HANDOUT_FIELDS, TODAY as TODAY_DATE, pdf_text
from tests.web.web_helpers import VALUES, csrf, make_app


@pytest.fixture(scope="module")
def client():
    with TestClient(make_app()) as client:
        yield client


def post(client, values, path="/", **extra):
    token = csrf(client.get("/").text)
    return client.post(path, data={**values, "csrf_token": token, **extra})


def test_form_has_every_column_with_label_help_and_required_mark(client):
    page = client.get("/")
    assert page.status_code == 200 and "no-store" == page.headers["cache-control"]
    text = page.text
    for column in HANDOUT_FIELDS.known_fields:
        assert f'name="{column}"' in text, column
        assert f'id="{column}-help"' in text, column
    for column in HANDOUT_FIELDS.required_fields:
        block = text[text.index(f'id="{column}-field"'):]
        assert "(required)" in block[:block.index("</legend>" if "legend" in block[:400]
                                                   else "</label>")], column
    assert "onclick" not in text and "style=" not in text
    assert re.search(r'<option value="es"[^>]*>Español — Spanish · draft translation', text)
    assert re.search(r'<option value="ar"[^>]*>العربية — Arabic · draft', text)
    assert re.search(r'<option value="en"[^>]*selected[^>]*>English — English · reviewed', text)


def test_errors_sit_next_to_their_field_in_the_clis_words_and_values_are_kept(client):
    values = {**VALUES, "wait": "3 weeks", "follow_up": "Maria Lopez", "record_id": "A B"}
    response = post(client, values)
    assert response.status_code == 422
    page = html.unescape(response.text)
    for column, change in (("wait", "3 weeks"), ("follow_up", "Maria Lopez"),
                           ("record_id", "A B")):
        try:
            job_from_fields({**VALUES, column: change}, handout=HANDOUT_FIELDS,
                            brand=None, today=TODAY_DATE)
        except HandoutError as error:
            cli_line = str(error)
        error_block = re.search(rf'<p class="error" id="{column}-error">(.*?)</p>', page, re.S)
        assert re.sub(r"<[^>]+>", "", error_block.group(1)) == cli_line
        field = page[page.index(f'id="{column}-field"'):]
        assert field.index(f'id="{column}-error"') < field.index("</div>")
    assert 'value="3 weeks"' in page and 'value="Maria Lopez"' in page
    assert 'aria-invalid="true"' in page


def test_a_form_without_its_csrf_token_is_refused(client):
    assert client.post("/", data=VALUES).status_code == 403
    assert client.post("/pdf", data={**VALUES, "csrf_token": "forged"}).status_code == 403
    token = csrf(client.get("/").text)
    other_site = client.post("/pdf", data={**VALUES, "csrf_token": token},
                             headers={"origin": "https://evil.example"})
    assert other_site.status_code == 403


def test_preview_then_download_and_print(client):
    preview = post(client, VALUES)
    assert preview.status_code == 200
    page = preview.text
    assert page.count('src="data:image/png;base64,') >= 2
    assert "Download PDF" in page and "Print" in page and "MRN-20417.pdf" in page
    assert 'value="Maria Lopez"' in page            # hidden fields carry the values on
    download = post(client, VALUES, "/pdf", disposition="attachment")
    assert download.status_code == 200
    assert download.headers["content-disposition"] == 'attachment; filename="MRN-20417.pdf"'
    assert download.headers["cache-control"] == "no-store"
    assert "Maria Lopez" in pdf_text(download.content)
    printed = post(client, VALUES, "/pdf", disposition="inline")
    assert printed.headers["content-disposition"].startswith("inline;")
    edit = post(client, VALUES, action="edit")
    assert edit.status_code == 200 and 'value="Maria Lopez"' in edit.text


def test_no_patient_data_in_cookies(client):
    response = post(client, VALUES)
    for cookie in response.headers.get_list("set-cookie") + [str(client.cookies)]:
        assert "Maria" not in cookie and "MRN" not in cookie


def test_a_second_handout_gets_its_own_form():
    from handouts.library import Library
    from handouts.resources import PROJECT_DIR
    library = Library(template_dirs=[PROJECT_DIR / "tests" / "data" / "handouts"])
    with TestClient(make_app(library=library, handout="wound-care")) as client:
        page = client.get("/").text
        fields = library.handout_fields("wound-care")
        for spec in fields.specs:
            assert f'name="{spec.column}"' in page and spec.label in html.unescape(page)


def _scripts_are_external_only(text: str) -> None:
    """Every <script tag (any case, any attributes) loads a file and has no body: the
    CSP forbids inline script, so one would silently not run."""
    tags = re.findall(r"<script\b([^>]*)>(.*?)</script\s*>", text, re.I | re.S)
    assert len(tags) == len(re.findall(r"<script\b", text, re.I)) >= 1
    for attributes, body in tags:
        assert re.search(r"\bsrc=\"/static/[^\"]+\"", attributes), attributes
        assert body.strip() == "", body


def test_no_page_has_inline_script(client):
    pages = [client.get("/").text, post(client, VALUES).text,
             post(client, {**VALUES, "wait": "3 weeks"}).text]
    with TestClient(make_app(token="t" * 24)) as tokened:
        pages.append(tokened.get("/login").text)
    for text in pages:
        _scripts_are_external_only(text)


def test_every_choice_links_its_own_help_and_the_summary_links_a_focusable_input(client):
    page = post(client, {**VALUES, "rh": "", "contraception": ""}).text
    for radio in re.findall(r'<input type="radio"[^>]*>', page):
        value_id = re.search(r'id="([^"]+)"', radio).group(1)
        if f'id="{value_id}-help"' in page:
            assert f'aria-describedby="{value_id}-help"' in radio, radio
    described = re.findall(r'<input type="radio"[^>]*aria-describedby="([^"]+)"', page)
    assert len(described) > 2 and len(set(described)) == len(described)
    summary = page[page.index('id="error-summary"'):page.index("</div>")]
    links = re.findall(r'href="#([^"]+)"', summary)
    assert "rh-given" in links and "rh" not in links
    for target in links:
        tag = re.search(rf'<(\w+)[^>]*\bid="{re.escape(target)}"', page).group(1)
        assert tag in ("input", "select", "textarea"), (target, tag)
