"""Command line, the `serve` command: checks its options and starts the clinic's web app
(handouts/web) on its server. The web packages are an extra (pip install -e '.[web]'),
imported only when the command runs.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .errors import InputError
from .library import Library
from .settings import clinic_brand_path


def add_command(commands, *, brand_help: str, cores: int, add_handout_options) -> None:
    """The `serve` command's options (the handout options are the CLI's own)."""
    serve = commands.add_parser(
        "serve", help="run the clinic's web app (form, preview, print) and its JSON API",
        description="Run the web app staff make, preview and print handouts with, and the "
                    "JSON API (POST /api/v1/handouts). It listens on this computer only "
                    "unless --host says otherwise, which then requires an access token. "
                    "Needs the web extra: pip install -e '.[web]'.")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this computer only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument("--brand", type=Path, default=None, help=brand_help)
    serve.add_argument("--workers", type=int, default=1, metavar="N",
                       help="server processes, each with its own fonts and caches "
                            f"(default: 1; up to the cores, here {cores})")
    serve.add_argument("--render-processes", type=int, default=None, metavar="N",
                       help="processes that render, shared by every connection, for each "
                            "server process (default: the cores divided among --workers, "
                            f"here {cores} for one; 0 renders in the server process)")
    serve.add_argument("--token", default=None,
                       help="access token the form and the API require (default: "
                            "$HANDOUTS_TOKEN); required when --host is not loopback")
    serve.add_argument("--ssl-certfile", type=Path, default=None, metavar="PEM",
                       help="serve over HTTPS with this certificate (with --ssl-keyfile); "
                            "advised beyond this computer, where the token crosses the "
                            "network")
    serve.add_argument("--ssl-keyfile", type=Path, default=None, metavar="PEM",
                       help="the certificate's private key")
    add_handout_options(serve)


def run(args: argparse.Namespace) -> int:
    """Check the options, then serve until interrupted (exit code 0)."""
    try:
        from .web.app import serve
        from .web.config import TOKEN_VARIABLE, WebSettings, is_loopback
    except ImportError as error:
        raise InputError(f"the web app needs {error.name or 'its packages'}",
                         field="serve", hint="install them: pip install -e '.[web]'") from None
    token = (args.token if args.token is not None
             else os.environ.get(TOKEN_VARIABLE, "")).strip()
    if not is_loopback(args.host) and not token:
        raise InputError(f"{args.host} is reachable from other computers", field="--host",
                         hint=f"give an access token with --token or ${TOKEN_VARIABLE}, or "
                              "use --host 127.0.0.1")
    if token and len(token) < 16:
        raise InputError("the access token is too short", field="--token",
                         hint="use at least 16 characters, e.g. from: python3 -c "
                              "\"import secrets; print(secrets.token_urlsafe(24))\"")
    if args.render_processes is None:
        args.render_processes = max(1, (os.cpu_count() or 1) // max(1, args.workers))
    if not 0 <= args.render_processes <= 64:
        raise InputError("needs 0 to 64 render processes", field="--render-processes",
                         hint=f"e.g. --render-processes {os.cpu_count() or 1}")
    if not 0 <= args.port <= 65535 or args.workers < 1:
        raise InputError("needs a port 0-65535 and 1 or more workers", field="serve",
                         hint="e.g. --port 8000 --workers 2")
    if bool(args.ssl_certfile) != bool(args.ssl_keyfile):
        raise InputError("HTTPS needs both a certificate and its key", field="--ssl-certfile",
                         hint="give --ssl-certfile and --ssl-keyfile together")
    for option, path in (("--ssl-certfile", args.ssl_certfile),
                         ("--ssl-keyfile", args.ssl_keyfile)):
        if path is not None and not path.is_file():
            raise InputError(f"{path} is not a file", field=option,
                             hint="give the PEM file's path")
    tls = args.ssl_certfile is not None
    if token and not tls and not is_loopback(args.host):
        # Allowed (a clinic's own network may be trusted), but the token and the
        # patients' details then cross it readable by anyone on it.
        print(f"warning: {args.host} is served over plain HTTP: the access token and "
              "patient details cross the network unencrypted; give --ssl-certfile and "
              "--ssl-keyfile", file=sys.stderr, flush=True)
    brand_path = clinic_brand_path(args.brand).resolve()
    library = Library(template_dirs=args.templates)
    library.brand(brand_path)                       # a broken brand stops here, not later
    library.handout_fields(args.handout)            # and so does an unknown handout
    settings = WebSettings(brand_path=brand_path, handout=args.handout,
                           template_dirs=tuple(p.resolve() for p in args.templates),
                           token=token, host=args.host, tls=tls,
                           render_processes=args.render_processes)
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    scheme = "https" if tls else "http"
    print(f"serving handouts on {scheme}://{shown_host}:{args.port}/ (Ctrl-C to stop)"
          + ("; the access token is required" if token else ""), flush=True)
    serve(settings, host=args.host, port=args.port, workers=args.workers,
          ssl_certfile=args.ssl_certfile, ssl_keyfile=args.ssl_keyfile)
    return 0
