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
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .api import Api
from .config import SETTINGS_VARIABLE, WebSettings
from .pages import Pages, page_environment
from .security import Guard, TooLarge
from .service import Busy, HandoutService

STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: WebSettings, *, library=None, warm: bool = True):
    """The ASGI app. `library` shares an existing Library (tests); `warm` renders a
    sample once at start-up, so the first patient does not wait for fonts to load."""
    service = HandoutService(settings, library)
    pages, api = Pages(service, page_environment()), Api(service)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if warm:
            await anyio.to_thread.run_sync(service.warm_up)
        yield

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
    guarded = Guard(app, token=settings.token, secret=settings.secret,
                    max_body_bytes=settings.max_body_bytes)
    guarded.service = service
    return guarded


def app_from_environment():
    """uvicorn's factory in each worker process (see serve)."""
    return create_app(WebSettings.from_environment())


def serve(settings: WebSettings, *, host: str, port: int, workers: int = 1) -> None:
    """Run the app on uvicorn until interrupted. uvicorn's own access log is off: it
    would write query strings; Guard writes method, path, status and duration."""
    import uvicorn
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("handouts.web.access").setLevel(logging.INFO)
    os.environ[SETTINGS_VARIABLE] = settings.to_environment()
    # Connections beyond what can render and wait get 503 from uvicorn itself.
    limit = (settings.render_threads + settings.max_waiting) * max(1, workers) + 16
    uvicorn.run("handouts.web.app:app_from_environment", factory=True, host=host,
                port=port, workers=max(1, workers), access_log=False, log_level="warning",
                limit_concurrency=limit, timeout_keep_alive=5, server_header=False,
                date_header=True)
