"""Web stage, the JSON API for EHR integrators: POST /api/v1/handouts (a JSON object of
the batch columns, plus optional `today` and `handout`, in; the PDF out, byte-identical
to `generate.py render`), GET /api/v1/handouts (handouts, their fields, languages with
review status) and the OpenAPI description, built from the handouts' declared fields.

Refused input is 422 with {"errors": [{"field", "message", "hint"}]}, worded as the
command line words it, never quoting a patient's text.
"""
from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..errors import HandoutError, InputError
from ..records import FIELD_NAME
from .forms import form_fields
from .service import Busy, download_name, error_entries

#: Keys of the request body that are not columns.
EXTRA_KEYS = ("today", "handout")


def _errors(entries: list[dict], status: int = 422, headers=None) -> JSONResponse:
    return JSONResponse({"errors": entries}, status_code=status,
                        headers={"cache-control": "no-store", **(headers or {})})


def _refused(message: str, hint: str, field=None, status: int = 422,
             headers=None) -> JSONResponse:
    return _errors([{"field": field, "message": message, "hint": hint}], status, headers)


class Api:
    """The API's routes, on one HandoutService."""

    def __init__(self, service):
        self.service = service

    async def make(self, request: Request):
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            return _refused("the body is not JSON", "send Content-Type: application/json "
                            "and a JSON object of the fields", status=415)
        try:
            body = json.loads(await request.body())
        except (ValueError, RecursionError):
            return _refused("the body is not valid JSON", "send one JSON object of the "
                            "fields, in UTF-8")
        if not isinstance(body, dict):
            return _refused("the body is not a JSON object", 'send an object such as '
                            '{"locale": "en", "discharge_date": "2026-11-20", ...}')
        not_text = next((key for key, value in body.items()
                         if value is not None and not isinstance(value, str)), None)
        if not_text is not None:
            error = InputError("is not text", field=not_text,
                               hint="send every value as a JSON string")
            entry = error_entries([error], {})[0]
            if not FIELD_NAME.fullmatch(not_text):
                entry["field"] = None
                entry["message"] = "has a value that is not text (the field name is not shown)"
            return _errors([entry])
        handout = body.pop("handout", None) or self.service.settings.handout
        today = body.pop("today", None) or ""
        values = {key: value or "" for key, value in body.items()}
        # The folder listing reads the disk: a worker thread, never the event loop.
        names = await run_in_threadpool(self.service.handout_names)
        try:
            if handout not in names:
                raise InputError("is not a handout this server makes", field="handout",
                                 hint="use one of: " + ", ".join(names))
            pdf = await self.service.gate.run(
                lambda: self.service.render(values, today=today, handout=handout))
        except Busy:
            return _refused("the server is busy", "try again in a second", status=503,
                            headers={"retry-after": "1"})
        except HandoutError as error:
            return _errors(error_entries([error], values))
        name = download_name(values.get("record_id", "") if isinstance(
            values.get("record_id"), str) else "")
        return Response(pdf, media_type="application/pdf", headers={
            "content-disposition": f'attachment; filename="{name}"',
            "cache-control": "no-store"})

    async def catalog(self, request: Request):
        # Loading handouts and checking catalogs parses files: a worker thread.
        return JSONResponse(await run_in_threadpool(self._listing))

    def _listing(self) -> dict:
        """Every handout that loads; a broken folder is listed apart with its reason."""
        usable, broken = self.service.handouts()
        described, unavailable = [], [{"name": n, "reason": r} for n, r in broken.items()]
        for name in usable:
            try:
                described.append(self._describe(name))
            except HandoutError as error:  # broken between the check and now (edited)
                unavailable.append({"name": name, "reason": str(error)})
        return {"handouts": described, "unavailable": unavailable}

    def _describe(self, name: str) -> dict:
        handout = self.service.library.handout(name)
        return {"name": name, "version": handout.meta.version,
                "fields": [_field_json(field) for field in form_fields(handout.fields)],
                "required": list(handout.fields.required_fields),
                "locales": [lang.as_json() for lang in self.service.languages(name)]}

    async def openapi(self, request: Request):
        return JSONResponse(await run_in_threadpool(openapi_document, self.service))


def _field_json(field) -> dict:
    return {"name": field.name, "label": field.label, "help": field.help,
            "required": field.required, "kind": field.widget,
            "values": [{"value": o.value, "label": o.label, "help": o.help}
                       for o in field.options if o.value],
            "max_length": field.max_length}


def openapi_document(service) -> dict:
    """OpenAPI 3.1 for the API, its request schema from the server's handout fields."""
    fields = form_fields(service.fields())
    handout_fields = service.fields()
    properties = {}
    for field in fields:
        schema = {"type": "string", "description": f"{field.label}: {field.help}"}
        if field.widget in ("radio", "select") and field.options:
            schema["enum"] = [o.value for o in field.options]
        if field.max_length:
            schema["maxLength"] = field.max_length
        properties[field.name] = schema
    properties["today"] = {"type": "string", "format": "date",
                           "description": "the print date (default: the server's today)"}
    properties["handout"] = {"type": "string", "enum": service.handouts()[0],
                             "description": "which handout (default: the server's)"}
    error = {"type": "object", "required": ["errors"], "properties": {"errors": {
        "type": "array", "items": {"type": "object", "required": ["field", "message", "hint"],
                                   "properties": {"field": {"type": ["string", "null"]},
                                                  "message": {"type": "string"},
                                                  "hint": {"type": "string"}}}}}}
    errors = {"description": "refused input, one entry per problem (no patient text)",
              "content": {"application/json": {"schema": error}}}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "handouts", "version": "1",
                 "description": "Branded, print-ready patient handouts in the patient's "
                                "language. The PDF is byte-identical to `generate.py "
                                "render` with the same values and brand."},
        "paths": {
            "/api/v1/handouts": {
                "post": {"summary": "Make one patient's handout",
                         "operationId": "makeHandout",
                         "requestBody": {"required": True, "content": {"application/json": {
                             "schema": {"type": "object", "properties": properties,
                                        "required": list(handout_fields.required_fields),
                                        "additionalProperties": False}}}},
                         "responses": {
                             "200": {"description": "the handout",
                                     "content": {"application/pdf": {"schema": {
                                         "type": "string", "format": "binary"}}}},
                             "422": errors, "415": errors, "413": errors,
                             "503": errors, "401": errors}},
                "get": {"summary": "Handouts, their fields and languages",
                        "operationId": "listHandouts",
                        "responses": {"200": {"description": "what this server makes",
                                              "content": {"application/json": {}}}}}},
            "/healthz": {"get": {"summary": "Liveness", "operationId": "health",
                                 "responses": {"200": {"description": "up"}}}},
        },
        "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
    }
    if service.settings.token:
        # Applied to every operation; /healthz needs none, so it opts out.
        document["security"] = [{"token": []}]
        document["paths"]["/healthz"]["get"]["security"] = []
    return document
