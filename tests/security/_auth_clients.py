"""Clients and servers for the authenticator tests (test_auth_fail_closed,
test_auth_ioloop): a PLAIN or CURVE PULL server on tcp, and PUSH clients that send one
message at once, each watched by a monitor so a test can see the server refuse it."""

from __future__ import annotations

from typing import Any

import zmq4
from zmq4 import zmq_h as C
from zmq4.utils.monitor import recv_monitor_message

TIMEOUT_MS = 10000


class Watched:
    """A client socket with a monitor, to see the server close the connection on it."""

    def __init__(self, sock: Any) -> None:
        self.sock = sock
        self.monitor = zmq4.Socket.shadow(sock.get_monitor_socket(C.EVENT_DISCONNECTED))
        self.monitor.rcvtimeo = TIMEOUT_MS

    def refused(self, server: Any) -> None:
        """The server closed this client's connection and received nothing from it."""
        event = recv_monitor_message(self.monitor)
        assert event["event"] == C.EVENT_DISCONNECTED
        assert server.poll(200) == 0


def plain_server(ctx: Any) -> tuple[Any, str]:
    server = ctx.socket(C.PULL, socket_class=zmq4.Socket)
    server.plain_server = True
    server.linger = 0
    server.rcvtimeo = TIMEOUT_MS
    port = server.bind_to_random_port("tcp://127.0.0.1")
    return server, f"tcp://127.0.0.1:{port}"


def plain_client(ctx: Any, endpoint: str, password: bytes) -> Watched:
    c = ctx.socket(C.PUSH, socket_class=zmq4.Socket)
    c.plain_username = b"admin"
    c.plain_password = password
    c.linger = 0
    w = Watched(c)
    c.connect(endpoint)
    c.send(b"from a client", C.DONTWAIT)
    return w


def curve_server(ctx: Any, secret: bytes) -> tuple[Any, str]:
    server = ctx.socket(C.PULL, socket_class=zmq4.Socket)
    server.curve_server = True
    server.curve_secretkey = secret
    server.linger = 0
    server.rcvtimeo = TIMEOUT_MS
    port = server.bind_to_random_port("tcp://127.0.0.1")
    return server, f"tcp://127.0.0.1:{port}"


def curve_client(ctx: Any, endpoint: str, server_public: bytes,
                 keys: tuple[bytes, bytes] | None = None) -> Watched:
    public, secret = keys if keys is not None else zmq4.curve_keypair()
    c = ctx.socket(C.PUSH, socket_class=zmq4.Socket)
    c.curve_serverkey = server_public
    c.curve_publickey = public
    c.curve_secretkey = secret
    c.linger = 0
    w = Watched(c)
    c.connect(endpoint)
    c.send(b"from a client", C.DONTWAIT)
    return w
