"""Serving: every connection gets TCP_NODELAY, even on a listening socket made the way uvicorn makes
it for several workers (protocol number 0, which asyncio does not take for TCP)."""

import asyncio
import socket

from uvicorn.config import Config
from uvicorn.server import ServerState

from redzone.web.serving import NoDelayHTTPProtocol


async def _app(scope, receive, send):  # noqa: ANN001, ANN202 - the smallest ASGI app
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


def _nodelay_of_accepted(protocol_class) -> int:  # noqa: ANN001
    async def scenario() -> int:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0, as uvicorn binds it
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        config = Config(_app, log_level="warning")
        config.load()
        state = ServerState()
        made = []

        def factory():  # noqa: ANN202
            protocol = protocol_class(config=config, server_state=state, app_state={})
            made.append(protocol)
            return protocol

        server = await asyncio.get_running_loop().create_server(factory, sock=listener)
        reader, writer = await asyncio.open_connection(*listener.getsockname())
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await reader.readuntil(b"ok")
        accepted = made[0].transport.get_extra_info("socket")
        value = accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        writer.close()
        server.close()
        return value

    return asyncio.run(scenario())


def test_accepted_connections_have_nagle_turned_off():
    assert _nodelay_of_accepted(NoDelayHTTPProtocol) != 0


def test_without_it_such_a_socket_keeps_nagle_on():
    """The reason for NoDelayHTTPProtocol: if asyncio ever sets the option itself, this tells us."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    assert _nodelay_of_accepted(AutoHTTPProtocol) == 0
