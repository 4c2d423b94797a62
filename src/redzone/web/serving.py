"""Serving the app with uvicorn, one process or several.

With several worker processes uvicorn binds the listening socket itself, as a socket whose protocol
number is 0; asyncio then does not recognise the accepted connections as TCP and leaves Nagle's
algorithm on, so on a kept-alive connection each small response waits for the client's delayed
acknowledgement (about 40 ms a request). The HTTP protocol class below turns Nagle off on every
connection it is handed, whichever way the socket was made.
"""

from __future__ import annotations

import socket
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol


class NoDelayHTTPProtocol(AutoHTTPProtocol):  # type: ignore[misc,valid-type]
    """Uvicorn's own HTTP protocol (httptools when installed, else h11), with TCP_NODELAY set."""

    def connection_made(self, transport: Any) -> None:
        connection = transport.get_extra_info("socket")
        if connection is not None and connection.family in (socket.AF_INET, socket.AF_INET6):
            try:
                connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # a connection already closed: nothing to speed up
                pass
        super().connection_made(transport)
