"""The server's connections send without delay in every mode: with --workers, uvicorn's
own listening socket has protocol number 0, on which asyncio sets no TCP_NODELAY, and a
response waited for the client's delayed acknowledgement (about 40 ms a request)."""
import socket

from handouts.web.app import server_options
from handouts.web.config import WebSettings
from handouts.web.server import NoDelayH11Protocol, send_without_delay
from tests.conftest import TEST_BRAND


def test_an_accepted_connection_of_a_protocol_0_listener_gets_tcp_nodelay():
    listener = socket.socket(family=socket.AF_INET)      # as uvicorn binds with --workers
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname())
    accepted, _ = listener.accept()
    try:
        assert accepted.proto == 0
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        send_without_delay(accepted)
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        for sock in (client, accepted, listener):
            sock.close()


def test_the_server_uses_the_protocol_that_sets_it():
    settings = WebSettings(brand_path=TEST_BRAND, handout="miscarriage-recovery",
                           template_dirs=(), token="")
    assert server_options(settings)["http"] is NoDelayH11Protocol
