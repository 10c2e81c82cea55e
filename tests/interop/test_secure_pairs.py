"""PLAIN and CURVE between whole sockets: zmq4 against real libzmq (pyzmq), both roles.

The binder is the security server, the connecter the client; each of zmq4 and libzmq
takes each role, over tcp and ipc, for REQ-REP, DEALER-ROUTER, PUSH-PULL and PUB-SUB.
Every pair exchanges multipart messages with empty, small, 64 KB and 8 MB frames in both
directions where the pattern allows (CURVE boxes each frame, so the 8 MB ones cross the
MESSAGE path with long frames). A zmq4 server runs without a ZAP handler (4.0's rules
accept); libzmq 4.3 refuses PLAIN clients without one, so a libzmq server gets pyzmq's
authenticator configured to accept. tests/security/test_auth.py covers refusals.
"""

from __future__ import annotations

import os
import time
from typing import Any

import pytest
import zmq
from test_pairs import DIRECTIONS, TRANSPORTS, Lz, ctxs, endpoint, make  # noqa: F401

from zmq4 import capi as z

pytestmark = pytest.mark.interop

SIZES = [0, 1, 256, 65536, 8 * 1024 * 1024]
PATTERNS = [(zmq.REP, zmq.REQ), (zmq.ROUTER, zmq.DEALER), (zmq.PULL, zmq.PUSH),
            (zmq.PUB, zmq.SUB)]
PATTERN_IDS = ["REP-REQ", "ROUTER-DEALER", "PULL-PUSH", "PUB-SUB"]


def secure(server: Any, client: Any, mechanism: str) -> int:
    """Configure both ends; returns the ZMQ_MECHANISM value both must report."""
    if mechanism == "plain":
        server.set(zmq.PLAIN_SERVER, 1)
        client.set(zmq.PLAIN_USERNAME, b"admin")
        client.set(zmq.PLAIN_PASSWORD, b"secret")
        return zmq.PLAIN
    server_pub, server_sec = zmq.curve_keypair()
    client_pub, client_sec = zmq.curve_keypair()
    server.set(zmq.CURVE_SERVER, 1)
    server.set(zmq.CURVE_SECRETKEY, server_sec)
    client.set(zmq.CURVE_SERVERKEY, server_pub)
    client.set(zmq.CURVE_PUBLICKEY, client_pub)
    client.set(zmq.CURVE_SECRETKEY, client_sec)
    return zmq.CURVE


def mechanism_of(sock: Any) -> int:
    if isinstance(sock, Lz):
        return int(sock.s.getsockopt(zmq.MECHANISM))
    return int(z.zmq_getsockopt(sock.s, z.ZMQ_MECHANISM))


@pytest.mark.parametrize("mechanism", ["plain", "curve"])
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("bind_side,connect_side", DIRECTIONS)
@pytest.mark.parametrize("bind_type,connect_type", PATTERNS, ids=PATTERN_IDS)
def test_secure_pair(ctxs: Any, mechanism: str, transport: str, bind_side: str,  # noqa: F811
                     connect_side: str, bind_type: int, connect_type: int) -> None:
    if bind_side == "libzmq":
        from zmq.auth import CURVE_ALLOW_ANY
        from zmq.auth.thread import ThreadAuthenticator

        authenticator = ThreadAuthenticator(ctxs[1])
        authenticator.start()
        authenticator.configure_plain("*", {"admin": "secret"})
        authenticator.configure_curve("*", CURVE_ALLOW_ANY)
        try:
            exchange(ctxs, mechanism, transport, bind_side, connect_side, bind_type,
                     connect_type)
        finally:
            authenticator.stop()
    else:
        exchange(ctxs, mechanism, transport, bind_side, connect_side, bind_type,
                 connect_type)


def exchange(ctxs: Any, mechanism: str, transport: str, bind_side: str,  # noqa: F811
             connect_side: str, bind_type: int, connect_type: int) -> None:
    server = make(ctxs, bind_side, bind_type)
    client = make(ctxs, connect_side, connect_type)
    expected = secure(server, client, mechanism)
    assert mechanism_of(server) == expected and mechanism_of(client) == expected
    if bind_type == zmq.PUB:
        client.set(zmq.SUBSCRIBE, b"")
    ep = server.bind(endpoint(transport))
    client.connect(ep)

    if bind_type == zmq.PUB:
        deadline = time.monotonic() + 10
        while not client.poll_in(50):  # the subscription travels after the handshake
            server.send_multipart([b"probe"])
            assert time.monotonic() < deadline, "the secured subscription never arrived"
        while client.poll_in(200):
            client.recv_multipart()
        for size in SIZES:
            body = [os.urandom(size), b"", b"tail-%d" % size]
            server.send_multipart(body)
            assert client.recv_multipart() == body
        return

    for size in SIZES:
        body = [os.urandom(size), b"", b"tail-%d" % size]
        client.send_multipart(body)
        got = server.recv_multipart()
        if bind_type == zmq.ROUTER:
            ident, got = got[0], got[1:]
            assert ident
        assert got == body
        if connect_type == zmq.PUSH:
            continue
        reply = [b"re", os.urandom(size)]
        server.send_multipart(([ident] if bind_type == zmq.ROUTER else []) + reply)
        assert client.recv_multipart() == reply
