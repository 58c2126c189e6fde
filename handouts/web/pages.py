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
from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal
from markupsafe import escape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from ..errors import HandoutError
from .forms import (CSRF_FIELD, GROUPS, errors_by_field, form_fields, submitted_values,
                    translated)
from .interface import N_, UI_COOKIE, best_match
from .preview import page_images
from .security import (access_cookie, cookie_names, csrf_cookie_ok, csrf_ok, csrf_token,
                       new_csrf_cookie)
from .service import Busy, all_errors, download_name, error_entries

TEMPLATES_DIR = Path(__file__).parent / "templates"
EXPIRED = N_("This form has expired or did not come from this app. Reload the page and "
             "submit it again.")
LOGIN_EXPIRED = N_("The page had expired: enter the token again.")
WRONG_TOKEN = N_("That is not this server's access token.")


def page_environment() -> jinja2.Environment:
    """The pages' templates. Their gettext comes with each page's context (the
    interface language is per request), so one environment serves every language."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
                                     autoescape=True, undefined=jinja2.StrictUndefined,
                                     trim_blocks=True, lstrip_blocks=True,
                                     extensions=["jinja2.ext.i18n"])
    environment.policies["ext.i18n.trimmed"] = True
    environment.newstyle_gettext = True
    return environment


def page_callables(ui) -> dict:
    """gettext, ngettext and number for one interface language, as Jinja's new-style
    i18n calls them: the translation, escaped values filled into its placeholders."""
    translations = ui.translations

    def finish(context, text, variables):
        # A translation is text, never markup (a quote in it must not end an attribute);
        # only the template's own values (Markup, e.g. an example in <code>) stay markup.
        if context.eval_ctx.autoescape:
            text = escape(text)
        return text % variables

    @jinja2.pass_context
    def gettext(__context, __string, **variables):
        return finish(__context, translations.gettext(__string), variables)

    @jinja2.pass_context
    def ngettext(__context, __singular, __plural, __num, **variables):
        variables.setdefault("num", __num)
        return finish(__context, translations.ngettext(__singular, __plural, __num),
                      variables)

    def number(value: int) -> str:
        return format_decimal(value, locale=ui.id)

    return {"gettext": gettext, "ngettext": ngettext, "number": number}


def _display_names(language_ids, ui_id: str) -> dict[str, str]:
    """Each language's name in the interface language (Babel, CLDR)."""
    try:
        ui_locale = Locale.parse(ui_id)
    except (UnknownLocaleError, ValueError):
        return {}
    names = {}
    for language_id in language_ids:
        try:
            name = Locale.parse(language_id).get_display_name(ui_locale)
        except (UnknownLocaleError, ValueError):
            continue
        if name:
            names[language_id] = name
    return names


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

    def _ui(self, request: Request):
        """The interface language of a request (reads web.po: a worker thread)."""
        return self.service.interface.choose(request.query_params.get("ui", ""),
                                             request.cookies.get(UI_COOKIE, ""),
                                             request.headers.get("accept-language", ""))

    async def _page(self, request: Request, template: str, status: int = 200, *, ui=None,
                    **context):
        ui = ui or await run_in_threadpool(self._ui, request)
        sent = request.cookies.get(self.csrf_cookie)
        # Only a cookie this server signed is kept: one a client or another site set is
        # replaced, so the token in the page is always for a cookie the server issued.
        cookie = sent if csrf_cookie_ok(self.secret, sent) else new_csrf_cookie(self.secret)
        interface = await run_in_threadpool(self.service.interface.languages)
        problem = ""
        if ui.problems:
            problem = (f"The {ui.refused} interface cannot be used now, so this page is "
                       f"in English: {ui.problems[0]}")
        context.setdefault("keep_query", [])
        context.setdefault("switcher", False)
        context.setdefault("here", "/")
        html = self.environment.get_template(template).render(
            csrf_field=CSRF_FIELD, csrf_token=csrf_token(self.secret, cookie),
            token_required=bool(self.service.settings.token),
            ui=ui, interface_languages=interface,
            ui_problem=problem, **page_callables(ui), **context)
        response = HTMLResponse(html, status_code=status)
        if sent != cookie:
            self._set_cookie(response, self.csrf_cookie, cookie)
        asked = request.query_params.get("ui", "")
        if asked and not ui.problems and request.cookies.get(UI_COOKIE) != ui.id and \
                best_match(asked, self.service.interface.shipped()) == ui.id:
            # Only the language id: it says nothing about a patient.
            self._set_cookie(response, UI_COOKIE, ui.id)
        return response

    def _csrf_ok(self, request: Request, form) -> bool:
        return csrf_ok(self.secret, request.cookies.get(self.csrf_cookie),
                       str(form.get(CSRF_FIELD) or ""), request.headers,
                       request.url.scheme)

    def _handout(self, source) -> str:
        """The handout a request asks for (a known folder name), else the server's."""
        name = str(source.get("handout") or "")
        return name if name in self.service.handout_names() else self.service.settings.handout

    def _form_context(self, handout: str, values: dict, entries=(), ui=None,
                      step=None) -> dict:
        """What form.html needs: reads fields and checks catalogs (file system, parsing),
        so it runs in a worker thread, never in the event loop."""
        handout_fields = self.service.fields(handout)
        known = handout_fields.known_fields
        by_field, general = errors_by_field(list(entries), known)
        fields = translated(form_fields(handout_fields), ui.gettext)
        languages = self.service.languages(handout)
        groups = [(group, ui.gettext(heading)) for group, heading in GROUPS]
        keep = [("handout", handout)] if handout != self.service.settings.handout else []
        return dict(handout=handout, default_handout=self.service.settings.handout,
                    handouts=self.service.handout_names(), fields=fields, values=values,
                    errors=by_field, general_errors=general, languages=languages,
                    labels={f.name: f.label for f in fields}, groups=groups, step=step,
                    language_names=_display_names([l.id for l in languages], ui.id)
                    if ui.id != "en" else {},
                    keep_query=keep + ([("steps", "1")] if step is not None else []))

    async def _form(self, request, handout: str, values: dict, entries=(), status: int = 200,
                    step=None, switcher: bool = False):
        ui = await run_in_threadpool(self._ui, request)
        try:
            context = await run_in_threadpool(self._form_context, handout, values, entries,
                                              ui, step)
        except HandoutError as error:   # a broken handout folder: its reason, not a 500
            return _unusable(error)
        return await self._page(request, "form.html", status, ui=ui, switcher=switcher,
                                **context)

    async def _submitted(self, request: Request):
        """(handout, values) of a POSTed form, or a 403 response for a bad CSRF token."""
        form = await request.form()
        if not self._csrf_ok(request, form):
            ui = await run_in_threadpool(self._ui, request)
            return None, None, PlainTextResponse(ui.gettext(EXPIRED), status_code=403)
        handout = self._handout(form)
        try:
            known = (await run_in_threadpool(self.service.fields, handout)).known_fields
        except HandoutError as error:
            return None, None, _unusable(error)
        return handout, submitted_values(form, known), None

    def _check(self, handout: str, values: dict) -> list[dict]:
        """Error entries for every refused value (a worker thread: it loads catalogs)."""
        return error_entries(all_errors(self.service, values, handout=handout),
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

    # -- routes ------------------------------------------------------------------------------

    async def form(self, request: Request):
        handout = self._handout(request.query_params)
        step = 0 if request.query_params.get("steps") == "1" else None
        return await self._form(request, handout, {
            "locale": "en", "discharge_date": date.today().isoformat()}, step=step,
            switcher=True)

    async def preview(self, request: Request):
        handout, values, refused = await self._submitted(request)
        if refused:
            return refused
        form = await request.form()
        action, step = form.get("action"), _step(form.get("step"))
        if action == "edit":
            return await self._form(request, handout, values)
        if step is not None and action in ("next", "back"):
            return await self._step(request, handout, values, step, action)
        try:
            pdf, entries = await self._render(handout, values)
            if entries:
                if step is not None:        # back to the first section with a problem
                    step = await run_in_threadpool(self._first_refused_step, handout,
                                                   entries, step)
                return await self._form(request, handout, values, entries, status=422,
                                        step=step)
            images = await self.service.gate.run(page_images, pdf, self.service.raster_lock)
        except Busy:
            return _busy()
        ui = await run_in_threadpool(self._ui, request)
        language, answers, names = await run_in_threadpool(self._review, handout, values, ui)
        return await self._page(request, "preview.html", ui=ui, handout=handout,
                                values=values, images=images, language=language,
                                answers=answers, language_names=names,
                                file_name=download_name(values.get("record_id", "")))

    async def _step(self, request, handout: str, values: dict, step: int, action: str):
        """One section at a time: Back shows the one before; Next checks the fields of
        this section and those before it, and shows the next section or the errors."""
        last = len(GROUPS) - 1
        step = min(step, last)
        if action == "back":
            return await self._form(request, handout, values, step=max(0, step - 1))
        entries = await run_in_threadpool(self._check, handout, values)
        sections = await run_in_threadpool(self._sections, handout)
        so_far = {name for name, section in sections.items() if section <= step}
        entries = [e for e in entries if e["field"] in so_far]
        if entries:
            # The earliest section with a problem: its fields are the ones on the page.
            first = min(sections[e["field"]] for e in entries)
            return await self._form(request, handout, values, entries, status=422,
                                    step=first)
        return await self._form(request, handout, values, step=min(step + 1, last))

    def _sections(self, handout: str) -> dict[str, int]:
        """Each field's section number in the stepped form."""
        order = {group: number for number, (group, _) in enumerate(GROUPS)}
        return {f.name: order[f.group] for f in form_fields(self.service.fields(handout))}

    def _first_refused_step(self, handout: str, entries, step: int) -> int:
        """The section holding the first refused field (`step` when none is a field's:
        a brand or catalog problem, shown in the summary)."""
        sections = self._sections(handout)
        found = [sections[e["field"]] for e in entries if e["field"] in sections]
        return min(found) if found else step

    def _review(self, handout: str, values: dict, ui):
        """The preview's language, the answers it was made from by section, and the
        languages' names in the interface language (a worker thread: it loads catalogs)."""
        languages = self.service.languages(handout)
        chosen = self.service.library.handout(handout).catalogs.negotiate(values["locale"])
        language = next((lang for lang in languages if lang.id == chosen), None)
        names = _display_names([chosen], ui.id) if ui.id != "en" else {}
        fields = translated(form_fields(self.service.fields(handout)), ui.gettext)
        answers = []
        for group, heading in GROUPS:
            rows = []
            for field in (f for f in fields if f.group == group):
                value = values.get(field.name, "")
                shown, given = value, bool(value.strip())
                if field.widget == "language" and language is not None:
                    shown = f"{language.native_name} ({names.get(chosen, language.english_name)})"
                elif field.widget in ("radio", "select"):
                    # A list's empty choice has its own words ("From the clinic's country").
                    label = next((o.label for o in field.options if o.value == value), None)
                    shown, given = (label, True) if label is not None else (value, given)
                elif field.options:     # a word typed for a date, such as "call"
                    shown = next((f"{o.label} ({o.value})" for o in field.options
                                  if o.value == value.strip()), value)
                rows.append((field.label, shown, given))
            answers.append((group, ui.gettext(heading), rows))
        return language, answers, names

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
        return await self._page(request, "login.html", error="", switcher=True,
                                here="/login")

    async def login(self, request: Request):
        form = await request.form()
        ui = await run_in_threadpool(self._ui, request)
        if not self._csrf_ok(request, form):
            return await self._page(request, "login.html", 403, ui=ui,
                                    error=ui.gettext(LOGIN_EXPIRED))
        token = self.service.settings.token
        given = str(form.get("token") or "").strip()
        if not token or not hmac.compare_digest(given.encode(), token.encode()):
            return await self._page(request, "login.html", 401, ui=ui,
                                    error=ui.gettext(WRONG_TOKEN))
        response = RedirectResponse("/", status_code=303)
        self._set_cookie(response, self.access_cookie, access_cookie(self.secret, token))
        return response


def _step(text) -> int | None:
    """The section a stepped form is at (None: the whole form on one page)."""
    try:
        return max(0, min(int(str(text)), len(GROUPS) - 1)) if text is not None else None
    except ValueError:
        return 0


def _busy() -> Response:
    return HTMLResponse("The server is busy making other handouts. Wait a moment and "
                        "submit again.", status_code=503, headers={"retry-after": "1"})


def _unusable(error: HandoutError) -> Response:
    # Plain text: the reason names files and keys, and is never parsed as markup.
    return PlainTextResponse(f"This handout cannot be used now: {error}", status_code=422)
