"""Web stage, the pages staff use: the form (GET /), its check and the preview (POST /),
the PDF download and print copy (POST /pdf), and the token page (/login).

Stateless: the values travel in the form and in the preview page's hidden fields, and
each step renders again from them (the same values give the same bytes); nothing is
kept on the server, in a cookie or in a log. Every POST carries the CSRF token.
"""
from __future__ import annotations

import hmac
from datetime import date
from pathlib import Path

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..errors import HandoutError
from .forms import CSRF_FIELD, errors_by_field, form_fields, submitted_values
from .preview import page_images
from .security import (ACCESS_COOKIE, CSRF_COOKIE, access_cookie, csrf_ok, csrf_token,
                       new_csrf_cookie)
from .service import Busy, all_errors, download_name, error_entries

TEMPLATES_DIR = Path(__file__).parent / "templates"


def page_environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True)


class Pages:
    """The form's routes, on one HandoutService."""

    def __init__(self, service, environment: jinja2.Environment):
        self.service = service
        self.environment = environment
        self.secret = service.settings.secret

    # -- helpers ---------------------------------------------------------------------------

    def _page(self, request: Request, template: str, status: int = 200, **context):
        cookie = request.cookies.get(CSRF_COOKIE) or new_csrf_cookie()
        html = self.environment.get_template(template).render(
            csrf_field=CSRF_FIELD, csrf_token=csrf_token(self.secret, cookie),
            token_required=bool(self.service.settings.token), **context)
        response = HTMLResponse(html, status_code=status)
        if request.cookies.get(CSRF_COOKIE) != cookie:
            response.set_cookie(CSRF_COOKIE, cookie, httponly=True, samesite="strict")
        return response

    def _handout(self, source) -> str:
        """The handout a request asks for (a known folder name), else the server's."""
        name = str(source.get("handout") or "")
        return name if name in self.service.handout_names() else self.service.settings.handout

    def _form(self, request, handout: str, values: dict, entries=(), status: int = 200):
        handout_fields = self.service.fields(handout)
        known = handout_fields.known_fields
        by_field, general = errors_by_field(list(entries), known)
        return self._page(request, "form.html", status, handout=handout,
                          handouts=self.service.handout_names(),
                          fields=form_fields(handout_fields), values=values,
                          errors=by_field, general_errors=general,
                          languages=self.service.languages(handout))

    async def _submitted(self, request: Request):
        """(handout, values) of a POSTed form, or a 403 response for a bad CSRF token."""
        form = await request.form()
        if not csrf_ok(self.secret, request.cookies.get(CSRF_COOKIE),
                       str(form.get(CSRF_FIELD) or ""), request.headers):
            return None, None, HTMLResponse(
                "This form has expired or did not come from this app. Reload the page and "
                "submit it again.", status_code=403)
        handout = self._handout(form)
        known = self.service.fields(handout).known_fields
        return handout, submitted_values(form, known), None

    async def _render(self, handout: str, values: dict):
        """(pdf, None), or (None, error entries) for refused values."""
        known = self.service.fields(handout).known_fields
        errors = all_errors(self.service, values, known, handout=handout)
        if errors:
            return None, error_entries(errors, values)
        try:
            return await self.service.gate.run(
                lambda: self.service.render(values, handout=handout)), None
        except HandoutError as error:
            return None, error_entries([error], values)

    # -- routes ------------------------------------------------------------------------------

    async def form(self, request: Request):
        handout = self._handout(request.query_params)
        return self._form(request, handout, {"locale": "en",
                                             "discharge_date": date.today().isoformat()})

    async def preview(self, request: Request):
        handout, values, refused = await self._submitted(request)
        if refused:
            return refused
        form = await request.form()
        if form.get("action") == "edit":
            return self._form(request, handout, values)
        try:
            pdf, entries = await self._render(handout, values)
            if entries:
                return self._form(request, handout, values, entries, status=422)
            images = await self.service.gate.run(page_images, pdf, self.service.raster_lock)
        except Busy:
            return _busy()
        language = next((lang for lang in self.service.languages(handout)
                         if lang.id == self.service.library.handout(handout)
                         .catalogs.negotiate(values["locale"])), None)
        return self._page(request, "preview.html", handout=handout, values=values,
                          images=images, language=language,
                          file_name=download_name(values.get("record_id", "")))

    async def pdf(self, request: Request):
        handout, values, refused = await self._submitted(request)
        if refused:
            return refused
        form = await request.form()
        try:
            pdf, entries = await self._render(handout, values)
        except Busy:
            return _busy()
        if entries:
            return self._form(request, handout, values, entries, status=422)
        disposition = "inline" if form.get("disposition") == "inline" else "attachment"
        name = download_name(values.get("record_id", ""))
        return Response(pdf, media_type="application/pdf", headers={
            "content-disposition": f'{disposition}; filename="{name}"',
            "cache-control": "no-store"})

    async def login_form(self, request: Request):
        return self._page(request, "login.html", error="")

    async def login(self, request: Request):
        form = await request.form()
        if not csrf_ok(self.secret, request.cookies.get(CSRF_COOKIE),
                       str(form.get(CSRF_FIELD) or ""), request.headers):
            return self._page(request, "login.html", 403, error="The page had expired: "
                              "enter the token again.")
        token = self.service.settings.token
        given = str(form.get("token") or "").strip()
        if not token or not hmac.compare_digest(given.encode(), token.encode()):
            return self._page(request, "login.html", 401,
                              error="That is not this server's access token.")
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(ACCESS_COOKIE, access_cookie(self.secret, token), httponly=True,
                            samesite="strict")
        return response


def _busy() -> Response:
    return HTMLResponse("The server is busy making other handouts. Wait a moment and "
                        "submit again.", status_code=503, headers={"retry-after": "1"})
