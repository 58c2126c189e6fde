"""Web stage, safety: the ASGI middleware every request passes and the CSRF token.

- security headers on every response (a CSP with no inline script, nosniff,
  frame-ancestors 'none', no referrer, no caching of anything holding patient data);
- a request size limit, checked on Content-Length and again on the bytes received;
- the access token, when the server is bound beyond loopback (API: a bearer token; the
  form: a cookie holding a keyed digest of it, set by /login);
- the access log: method, path, status and duration only (never a query, a body or a
  header), and for a bug its type and place, never its message (which may hold a value);
- CSRF: a random cookie signed by the server and, in the form, its HMAC under the
  server's secret (the double-submit pattern, keyed), plus same-origin checks on Origin
  and Sec-Fetch-Site when the browser sends them.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import traceback

from starlette.datastructures import Headers

ACCESS_LOG = logging.getLogger("handouts.web.access")
CSRF_COOKIE = "handouts_csrf"
ACCESS_COOKIE = "handouts_access"
#: Paths anyone may fetch: no patient data, no rendering (a load balancer's check, the
#: page that takes the token, its style sheet and script).
OPEN_PATHS = ("/healthz", "/login", "/static/")

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "connect-src 'self'", "frame-src 'self' blob:", "form-action 'self'",
    "base-uri 'none'", "frame-ancestors 'none'"))
SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)


def keyed(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def same_text(given: str | None, expected: str) -> bool:
    """Constant-time equality of what a client sent and what the server expects. Only
    ASCII is ever expected; anything else is refused before comparing, because
    hmac.compare_digest raises TypeError on non-ASCII str (a 500 from one byte)."""
    return (bool(given) and given.isascii() and expected.isascii()
            and hmac.compare_digest(given.encode(), expected.encode()))


def cookie_names(tls: bool) -> tuple[str, str]:
    """(CSRF cookie, access cookie). Over TLS the __Host- prefix makes the browser
    refuse them from a sibling host or without Secure, so no other site can plant one."""
    prefix = "__Host-" if tls else ""
    return prefix + CSRF_COOKIE, prefix + ACCESS_COOKIE


# -- CSRF ----------------------------------------------------------------------------------

def new_csrf_cookie(secret: str) -> str:
    """A fresh CSRF cookie: a nonce and the server's signature of it, so a value a
    client (or a site planting cookies) made up is recognised and replaced."""
    nonce = secrets.token_urlsafe(24)
    return f"{nonce}.{keyed(secret, 'csrf-cookie:' + nonce)[:32]}"


def csrf_cookie_ok(secret: str, cookie: str | None) -> bool:
    """Whether a CSRF cookie is one this server issued."""
    nonce, _, signature = (cookie or "").partition(".")
    return bool(nonce) and same_text(signature, keyed(secret, "csrf-cookie:" + nonce)[:32])


def csrf_token(secret: str, cookie: str) -> str:
    """The form's hidden token for a browser's CSRF cookie."""
    return keyed(secret, "csrf:" + cookie)


def same_origin(headers, scheme: str) -> bool:
    """The browser says the request comes from this app's own pages: Sec-Fetch-Site,
    when sent, is same-origin or none (a typed address), and Origin, when sent, is
    exactly this scheme, host and port.

    `Origin: null` (a sandboxed frame, a data: page, a file) is refused, except when
    the browser itself vouches with Sec-Fetch-Site: same-origin, which no page can
    forge: under this app's own Referrer-Policy: no-referrer, Chromium sends null for
    the app's own form posts."""
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.lower() not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    if origin is None:
        return True         # older browsers and non-browser clients; the token decides
    if origin == "null":
        return (fetch_site or "").lower() == "same-origin"
    expected = f"{scheme}://{headers.get('host', '')}"
    return origin.lower() == expected.lower()


def csrf_ok(secret: str, cookie: str | None, token: str | None, headers,
            scheme: str = "http") -> bool:
    """The form came from this app's own page in this browser."""
    if not csrf_cookie_ok(secret, cookie) or not same_origin(headers, scheme):
        return False
    return same_text(token, csrf_token(secret, cookie))


def access_cookie(secret: str, token: str) -> str:
    """What the access cookie holds: a keyed digest, never the token itself."""
    return keyed(secret, "access:" + token)


# -- middleware ----------------------------------------------------------------------------

class Guard:
    """The outermost layer: headers, size limit, token, access log, and a bug turned
    into a plain 500 that says nothing about the request."""

    def __init__(self, app, *, token: str, secret: str, max_body_bytes: int,
                 access_cookie_name: str = ACCESS_COOKIE):
        self.app = app
        self.access_cookie_name = access_cookie_name
        self.token = token
        self.secret = secret
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        path = scope.get("path", "")
        status = {"code": 0, "sent": False}

        async def send_guarded(message):
            if message["type"] == "http.response.start":
                status["code"], status["sent"] = message["status"], True
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in dict(SECURITY_HEADERS)]
                headers += list(SECURITY_HEADERS)
                if not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            refusal = self._refusal(scope)
            if refusal:
                await _plain(send_guarded, *refusal, scope=scope)
            else:
                await self.app(scope, self._bounded(receive, scope), send_guarded)
        except TooLarge:
            if not status["sent"]:
                await _plain(send_guarded, 413, "the request is too large", scope=scope)
        except Exception as error:  # a bug: logged by type and place, never its message
            frame = traceback.extract_tb(error.__traceback__)[-1]
            logging.getLogger("handouts.web").error(
                "internal error %s at %s:%s", type(error).__name__, frame.filename,
                frame.lineno)
            if not status["sent"]:
                await _plain(send_guarded, 500, "internal error (please report it, without "
                             "patient details)", scope=scope)
        finally:
            ACCESS_LOG.info("%s %s %s %.1fms", scope.get("method", ""), path,
                            status["code"], (time.perf_counter() - started) * 1000)

    def _refusal(self, scope):
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body_bytes):
            return 413, "the request is too large"
        if not self.token or scope["path"].startswith(OPEN_PATHS):
            return None
        bearer = headers.get("authorization", "")
        if bearer.lower().startswith("bearer ") and hmac.compare_digest(
                bearer[7:].strip().encode(), self.token.encode()):
            return None
        cookie = _cookie(headers, self.access_cookie_name)
        if same_text(cookie, access_cookie(self.secret, self.token)):
            return None
        if scope["path"].startswith("/api/"):
            return 401, "an access token is required (Authorization: Bearer TOKEN)"
        return 303, "/login"

    def _bounded(self, receive, scope):
        received = 0
        limit = self.max_body_bytes

        async def receive_bounded():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge()
            return message
        return receive_bounded


class TooLarge(Exception):
    """More bytes arrived than the limit allows (the app answers 413)."""


def _cookie(headers, name: str) -> str | None:
    from http.cookies import SimpleCookie
    jar = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:   # a malformed cookie header is no cookie
        return None
    return jar[name].value if name in jar else None


async def _plain(send, status: int, text: str, *, scope) -> None:
    """A short answer, JSON for the API and text elsewhere; 303 redirects to `text`."""
    if status == 303:
        headers = [(b"location", text.encode()), (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    if scope.get("path", "").startswith("/api/"):
        body = json.dumps({"errors": [{"field": None, "message": text, "hint": ""}]}).encode()
        kind = b"application/json"
    else:
        body, kind = text.encode(), b"text/plain; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
