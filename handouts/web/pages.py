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
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from ..errors import HandoutError
from .forms import CSRF_FIELD, errors_by_field, form_fields, submitted_values
from .preview import page_images
from .security import (access_cookie, cookie_names, csrf_cookie_ok, csrf_ok, csrf_token,
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
        self.tls = service.settings.tls
        self.csrf_cookie, self.access_cookie = cookie_names(self.tls)

    # -- helpers ---------------------------------------------------------------------------

    def _set_cookie(self, response: Response, name: str, value: str) -> None:
        # Path "/" and Secure over TLS: what the __Host- prefix requires.
        response.set_cookie(name, value, httponly=True, samesite="strict", path="/",
                            secure=self.tls)

    def _page(self, request: Request, template: str, status: int = 200, **context):
        sent = request.cookies.get(self.csrf_cookie)
        # Only a cookie this server signed is kept: one a client or another site set is
        # replaced, so the token in the page is always for a cookie the server issued.
        cookie = sent if csrf_cookie_ok(self.secret, sent) else new_csrf_cookie(self.secret)
        html = self.environment.get_template(template).render(
            csrf_field=CSRF_FIELD, csrf_token=csrf_token(self.secret, cookie),
            token_required=bool(self.service.settings.token), **context)
        response = HTMLResponse(html, status_code=status)
        if sent != cookie:
            self._set_cookie(response, self.csrf_cookie, cookie)
        return response

    def _csrf_ok(self, request: Request, form) -> bool:
        return csrf_ok(self.secret, request.cookies.get(self.csrf_cookie),
                       str(form.get(CSRF_FIELD) or ""), request.headers,
                       request.url.scheme)

    def _handout(self, source) -> str:
        """The handout a request asks for (a known folder name), else the server's."""
        name = str(source.get("handout") or "")
        return name if name in self.service.handout_names() else self.service.settings.handout

    def _form_context(self, handout: str, values: dict, entries=()) -> dict:
        """What form.html needs: reads fields and checks catalogs (file system, parsing),
        so it runs in a worker thread, never in the event loop."""
        handout_fields = self.service.fields(handout)
        known = handout_fields.known_fields
        by_field, general = errors_by_field(list(entries), known)
        return dict(handout=handout, handouts=self.service.handout_names(),
                    fields=form_fields(handout_fields), values=values, errors=by_field,
                    general_errors=general, languages=self.service.languages(handout))

    async def _form(self, request, handout: str, values: dict, entries=(), status: int = 200):
        try:
            context = await run_in_threadpool(self._form_context, handout, values, entries)
        except HandoutError as error:   # a broken handout folder: its reason, not a 500
            return _unusable(error)
        return self._page(request, "form.html", status, **context)

    async def _submitted(self, request: Request):
        """(handout, values) of a POSTed form, or a 403 response for a bad CSRF token."""
        form = await request.form()
        if not self._csrf_ok(request, form):
            return None, None, HTMLResponse(
                "This form has expired or did not come from this app. Reload the page and "
                "submit it again.", status_code=403)
        handout = self._handout(form)
        try:
            known = (await run_in_threadpool(self.service.fields, handout)).known_fields
        except HandoutError as error:
            return None, None, _unusable(error)
        return handout, submitted_values(form, known), None

    def _check(self, handout: str, values: dict) -> list[dict]:
        """Error entries for every refused value (a worker thread: it loads catalogs)."""
        known = self.service.fields(handout).known_fields
        return error_entries(all_errors(self.service, values, known, handout=handout),
                             values)

    async def _render(self, handout: str, values: dict):
        """(pdf, None), or (None, error entries) for refused values."""
        entries = await run_in_threadpool(self._check, handout, values)
        if entries:
            return None, entries
        try:
            return await self.service.gate.run(
                lambda: self.service.render(values, handout=handout)), None
        except HandoutError as error:
            return None, error_entries([error], values)

    def _language(self, handout: str, locale: str):
        """The language a preview is in (a worker thread: negotiation loads catalogs)."""
        chosen = self.service.library.handout(handout).catalogs.negotiate(locale)
        return next((lang for lang in self.service.languages(handout) if lang.id == chosen),
                    None)

    # -- routes ------------------------------------------------------------------------------

    async def form(self, request: Request):
        handout = self._handout(request.query_params)
        return await self._form(request, handout, {
            "locale": "en", "discharge_date": date.today().isoformat()})

    async def preview(self, request: Request):
        handout, values, refused = await self._submitted(request)
        if refused:
            return refused
        form = await request.form()
        if form.get("action") == "edit":
            return await self._form(request, handout, values)
        try:
            pdf, entries = await self._render(handout, values)
            if entries:
                return await self._form(request, handout, values, entries, status=422)
            images = await self.service.gate.run(page_images, pdf, self.service.raster_lock)
        except Busy:
            return _busy()
        language = await run_in_threadpool(self._language, handout, values["locale"])
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
            return await self._form(request, handout, values, entries, status=422)
        disposition = "inline" if form.get("disposition") == "inline" else "attachment"
        name = download_name(values.get("record_id", ""))
        return Response(pdf, media_type="application/pdf", headers={
            "content-disposition": f'{disposition}; filename="{name}"',
            "cache-control": "no-store"})

    async def login_form(self, request: Request):
        return self._page(request, "login.html", error="")

    async def login(self, request: Request):
        form = await request.form()
        if not self._csrf_ok(request, form):
            return self._page(request, "login.html", 403, error="The page had expired: "
                              "enter the token again.")
        token = self.service.settings.token
        given = str(form.get("token") or "").strip()
        if not token or not hmac.compare_digest(given.encode(), token.encode()):
            return self._page(request, "login.html", 401,
                              error="That is not this server's access token.")
        response = RedirectResponse("/", status_code=303)
        self._set_cookie(response, self.access_cookie, access_cookie(self.secret, token))
        return response


def _busy() -> Response:
    return HTMLResponse("The server is busy making other handouts. Wait a moment and "
                        "submit again.", status_code=503, headers={"retry-after": "1"})


def _unusable(error: HandoutError) -> Response:
    # Plain text: the reason names files and keys, and is never parsed as markup.
    return PlainTextResponse(f"This handout cannot be used now: {error}", status_code=422)
