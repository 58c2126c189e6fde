"""Web stage, configuration: what a server is started with (brand, handout, template
folders, access token, limits), passed to each server worker through its environment.

uvicorn starts its worker processes from an import string, so the settings travel as
environment variables (HANDOUTS_WEB_*): the token and the CSRF secret stay out of the
command line of the workers (visible in `ps`) and every worker signs and checks forms
with the same secret.
"""
from __future__ import annotations

import ipaddress
import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..records import DEFAULT_HANDOUT

#: The environment variable an access token may be given in instead of --token.
TOKEN_VARIABLE = "HANDOUTS_TOKEN"
#: Where `serve` hands its settings to uvicorn's worker processes.
SETTINGS_VARIABLE = "HANDOUTS_WEB_SETTINGS"
#: A form or API body is a few hundred bytes; anything far larger is not a handout.
MAX_BODY_BYTES = 64 * 1024
#: Addresses that bind every interface.
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


@dataclass(frozen=True)
class WebSettings:
    """How one server renders and what it lets in.

    `render_threads` renders run at once in a process (the rest wait their turn);
    `max_waiting` requests may wait for one, and the next gets 503 with Retry-After,
    so a burst queues briefly instead of piling up without bound."""
    brand_path: Path
    handout: str = DEFAULT_HANDOUT
    template_dirs: tuple[Path, ...] = ()
    token: str = ""
    secret: str = field(default_factory=lambda: secrets.token_hex(32), repr=False)
    max_body_bytes: int = MAX_BODY_BYTES
    render_threads: int = 2
    max_waiting: int = 64
    #: Worker processes that render (render_pool); 0 renders in this process's threads.
    render_processes: int = 0
    #: The address the server is bound to: with localhost and the loopback addresses,
    #: the only Host headers it answers (DNS rebinding); a wildcard address answers any.
    host: str = "127.0.0.1"
    #: Other host names to answer to (the tests' "testserver").
    extra_hosts: tuple[str, ...] = ()
    #: Served over TLS (--ssl-certfile): cookies get Secure and the __Host- prefix.
    tls: bool = False

    def allowed_hosts(self) -> list[str]:
        """The Host header values this server answers; ["*"] when bound to every
        address, where the LAN's own names for this computer cannot be known (that mode
        requires the access token, which a rebound page does not hold)."""
        if self.host.strip("[]") in WILDCARD_HOSTS:
            return ["*"]
        bound = self.host.strip("[]").lower()
        # Starlette compares an IPv6 Host with its brackets ([::1]:8000 -> "[::1]").
        bound = f"[{bound}]" if ":" in bound else bound
        return list(dict.fromkeys([bound, "localhost", "127.0.0.1", "[::1]",
                                   *self.extra_hosts]))

    def to_json(self) -> str:
        return self.to_environment()

    @classmethod
    def from_json(cls, text: str) -> "WebSettings":
        return cls.from_environment({SETTINGS_VARIABLE: text})

    def to_environment(self) -> str:
        data = asdict(self)
        data["brand_path"] = str(self.brand_path)
        data["template_dirs"] = [str(d) for d in self.template_dirs]
        data["extra_hosts"] = list(self.extra_hosts)
        return json.dumps(data)

    @classmethod
    def from_environment(cls, environ=None) -> "WebSettings":
        data = json.loads((environ or os.environ)[SETTINGS_VARIABLE])
        data["brand_path"] = Path(data["brand_path"])
        data["template_dirs"] = tuple(Path(d) for d in data["template_dirs"])
        data["extra_hosts"] = tuple(data.get("extra_hosts", ()))
        return cls(**data)


def is_loopback(host: str) -> bool:
    """Whether binding to `host` keeps the server to this machine.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("::1"), is_loopback("0.0.0.0")
    (True, True, True, False)
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False        # a host name other than localhost may resolve anywhere
