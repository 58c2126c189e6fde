"""Web stage, assembly: the Starlette app (routes, static files, lifespan warm-up)
inside the security guard, and the uvicorn server `generate.py serve` runs.

One HandoutService (one Library) per server process: uvicorn's workers each build
their own from the settings in their environment (config.SETTINGS_VARIABLE).
"""
from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .api import Api
from .config import SETTINGS_VARIABLE, WebSettings
from .pages import Pages, page_environment
from .security import Guard, TooLarge, cookie_names
from .service import Busy, HandoutService

STATIC_DIR = Path(__file__).parent / "static"
#: Open connections one server process accepts before uvicorn itself answers 503. Far
#: above the render gate (renders plus waiting, default 66), so idle or slow sockets
#: never starve /healthz or the form: the app's gate answers "busy", with Retry-After
#: and the security headers; this only bounds file descriptors and memory.
CONNECTION_LIMIT = 1000
#: Seconds an idle keep-alive connection is kept open.
KEEP_ALIVE_SECONDS = 5
#: Bytes of an unfinished request head h11 buffers before refusing it (431).
MAX_HEAD_BYTES = 16 * 1024


def create_app(settings: WebSettings, *, library=None, warm: bool = True):
    """The ASGI app. `library` shares an existing Library (tests); `warm` renders a
    sample once at start-up, so the first patient does not wait for fonts to load."""
    service = HandoutService(settings, library)
    pages, api = Pages(service, page_environment()), Api(service)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        service.start_processes()       # first: before this process starts any thread
        try:
            if warm:
                await anyio.to_thread.run_sync(service.warm_up)
            yield
        finally:
            await anyio.to_thread.run_sync(service.stop_processes)

    async def healthz(request: Request):
        return JSONResponse({"status": "ok"})

    async def too_large(request: Request, exc: TooLarge):
        return JSONResponse({"errors": [{"field": None, "message": "the request is too "
                                         "large", "hint": "send only the handout's fields"}]},
                            status_code=413)

    async def busy(request: Request, exc: Busy):
        return JSONResponse({"errors": [{"field": None, "message": "the server is busy",
                                         "hint": "try again in a second"}]},
                            status_code=503, headers={"retry-after": "1"})

    routes = [
        Route("/", pages.form, methods=["GET"]),
        Route("/", pages.preview, methods=["POST"]),
        Route("/pdf", pages.pdf, methods=["POST"]),
        Route("/login", pages.login_form, methods=["GET"]),
        Route("/login", pages.login, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/api/v1/handouts", api.make, methods=["POST"]),
        Route("/api/v1/handouts", api.catalog, methods=["GET"]),
        Route("/api/v1/openapi.json", api.openapi, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={TooLarge: too_large, Busy: busy})
    app.state.service = service
    # Only the Host names this server is reached by (DNS rebinding); never redirects.
    hosts_checked = TrustedHostMiddleware(app, allowed_hosts=settings.allowed_hosts(),
                                          www_redirect=False)
    guarded = Guard(hosts_checked, token=settings.token, secret=settings.secret,
                    max_body_bytes=settings.max_body_bytes,
                    access_cookie_name=cookie_names(settings.tls)[1])
    guarded.service = service
    return guarded


def app_from_environment():
    """uvicorn's factory in each worker process (see serve). A worker started by spawn
    has none of the parent's logging set up: the access log is set up here too."""
    _log_access()
    return create_app(WebSettings.from_environment())


def _log_access() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("handouts.web.access").setLevel(logging.INFO)


def server_options(settings: WebSettings, *, ssl_certfile=None, ssl_keyfile=None) -> dict:
    """uvicorn's options for this app, shared by `serve` and the tests' servers.
    uvicorn's own access log is off: it would write query strings; Guard writes method,
    path, status and duration."""
    from .server import NoDelayH11Protocol
    options = dict(http=NoDelayH11Protocol, access_log=False, log_level="warning",
                   server_header=False,
                   date_header=True, limit_concurrency=CONNECTION_LIMIT,
                   timeout_keep_alive=KEEP_ALIVE_SECONDS,
                   h11_max_incomplete_event_size=MAX_HEAD_BYTES)
    if ssl_certfile:
        options.update(ssl_certfile=str(ssl_certfile), ssl_keyfile=str(ssl_keyfile))
    return options


def serve(settings: WebSettings, *, host: str, port: int, workers: int = 1,
          ssl_certfile=None, ssl_keyfile=None) -> None:
    """Run the app on uvicorn until interrupted (over TLS when given a certificate)."""
    import uvicorn
    _log_access()
    os.environ[SETTINGS_VARIABLE] = settings.to_environment()
    uvicorn.run("handouts.web.app:app_from_environment", factory=True, host=host,
                port=port, workers=max(1, workers),
                **server_options(settings, ssl_certfile=ssl_certfile,
                                 ssl_keyfile=ssl_keyfile))
