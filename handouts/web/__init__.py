"""Web stage: the clinic's local web app and its JSON API, on the explicit core.

One `handouts.library.Library` per server process renders every handout; the form
(GET /), the preview, the downloads and the API (POST /api/v1/handouts) all build
their job with `records.job_from_fields`, as `generate.py render` does, so a PDF from
the web is byte for byte the one the command line makes from the same values.

Modules: `config` (what a server is started with), `service` (values -> job -> PDF,
languages, the bound on concurrent renders), `forms` (the form built from a handout's
declared fields), `interface` (the staff interface's language: the web catalogs),
`security` (headers, size limit, access token, CSRF, access log), `pages` (the form,
preview and download), `api` (JSON and OpenAPI), `preview` (page images), `app`
(assembly and the server).

The package's names load lazily: `handouts.web.interface` (used by `locales extract`
and `locales check`) needs no web framework installed.
"""
__all__ = ["create_app", "WebSettings"]


def __getattr__(name: str):
    if name == "create_app":
        from .app import create_app
        return create_app
    if name == "WebSettings":
        from .config import WebSettings
        return WebSettings
    raise AttributeError(name)
