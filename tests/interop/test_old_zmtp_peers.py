"""ZMTP 1.0 and 2.0 peers (RFC 13, RFC 15) against whole zmq4 sockets, scripted as raw
TCP sockets writing the old wire formats byte by byte (no libzmq speaks them any more).

zmq4 must detect them from the first bytes exactly as libzmq 4.0 does, talk to them in
their framing in both directions, and refuse the downgrade when the socket has a
mechanism other than NULL or a ZAP domain (spec §5.3).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

import zmq4

pytestmark = pytest.mark.interop

TIMEOUT_MS = 10000
PUSH_TYPE, PULL_TYPE = 8, 7  # RFC 15 socket-type bytes (the same numbers as libzmq's)
SIGNATURE = b"\xff" + (1).to_bytes(8, "big") + b"\x7f"  # RFC 15: 0xFF, length 1, 0x7F


def v2_greeting(socket_type: int) -> bytes:
    """RFC 15: signature, revision 0x01, socket type, then an empty identity frame."""
    return SIGNATURE + b"\x01" + bytes([socket_type]) + b"\x00\x00"


def v2_frame(body: bytes, more: bool = False) -> bytes:
    return bytes([1 if more else 0, len(body)]) + body


V1_IDENTITY = b"\x01\x00"  # RFC 13: length 1 (the flags byte), flags 0, no body


def v1_frame(body: bytes, more: bool = False) -> bytes:
    return bytes([len(body) + 1, 1 if more else 0]) + body


@pytest.fixture
def ctx() -> Iterator[zmq4.Context]:
    c = zmq4.Context()
    yield c
    c.destroy(linger=0)


def bound(ctx: zmq4.Context, kind: int, **options: object) -> tuple[zmq4.Socket, int]:
    s = ctx.socket(kind)
    s.rcvtimeo = TIMEOUT_MS
    for name, value in options.items():
        setattr(s, name, value)
    return s, s.bind_to_random_port("tcp://127.0.0.1")


def read_until(conn: socket.socket, needle: bytes, timeout: float = 10.0) -> bytes:
    """Everything the peer sent until ``needle`` appeared (fails on timeout or EOF)."""
    data = b""
    deadline = time.monotonic() + timeout
    while needle not in data:
        left = deadline - time.monotonic()
        assert left > 0, f"{needle!r} never arrived; got {data!r}"
        conn.settimeout(left)
        chunk = conn.recv(65536)
        assert chunk, f"connection closed before {needle!r}; got {data!r}"
        data += chunk
    return data


def closed_by_peer(conn: socket.socket, timeout: float = 10.0) -> bool:
    conn.settimeout(timeout)
    try:
        while conn.recv(65536):
            pass
    except ConnectionResetError:
        pass
    return True


@pytest.mark.parametrize("version", ["1.0", "2.0"])
def test_old_peer_pushes_to_zmq4(ctx: zmq4.Context, version: str) -> None:
    pull, port = bound(ctx, zmq4.PULL)
    with socket.create_connection(("127.0.0.1", port)) as raw:
        if version == "2.0":
            raw.sendall(v2_greeting(PUSH_TYPE) + v2_frame(b"multi", more=True)
                        + v2_frame(b"part") + v2_frame(b"hello"))
        else:
            raw.sendall(V1_IDENTITY + v1_frame(b"multi", more=True) + v1_frame(b"part")
                        + v1_frame(b"hello"))
        assert pull.recv_multipart() == [b"multi", b"part"]
        assert pull.recv_multipart() == [b"hello"]


@pytest.mark.parametrize("version", ["1.0", "2.0"])
def test_zmq4_pushes_to_old_peer(ctx: zmq4.Context, version: str) -> None:
    push, port = bound(ctx, zmq4.PUSH)
    with socket.create_connection(("127.0.0.1", port)) as raw:
        if version == "2.0":
            raw.sendall(v2_greeting(PULL_TYPE))
        else:
            raw.sendall(V1_IDENTITY)
        push.send_multipart([b"in", b"their framing"])
        push.send(b"bye")
        if version == "2.0":
            expected = v2_frame(b"in", more=True) + v2_frame(b"their framing") \
                + v2_frame(b"bye")
        else:
            expected = v1_frame(b"in", more=True) + v1_frame(b"their framing") \
                + v1_frame(b"bye")
        got = read_until(raw, expected)
        if version == "2.0":
            # what came first, as libzmq 4.0 sends it: the signature, our revision (3, sent
            # before we knew the peer's), then our socket type and an empty identity frame
            assert got.startswith(SIGNATURE)
            assert got[10:14] == b"\x03" + bytes([PUSH_TYPE]) + b"\x00\x00"


@pytest.mark.parametrize("version", ["1.0", "2.0"])
@pytest.mark.parametrize("secure", ["plain_server", "zap_domain"])
def test_secured_sockets_refuse_the_downgrade(ctx: zmq4.Context, version: str,
                                              secure: str) -> None:
    option = {"plain_server": True} if secure == "plain_server" else {"zap_domain": b"x"}
    pull, port = bound(ctx, zmq4.PULL, **option)
    with socket.create_connection(("127.0.0.1", port)) as raw:
        hello = v2_greeting(PUSH_TYPE) + v2_frame(b"sneaky") if version == "2.0" \
            else V1_IDENTITY + v1_frame(b"sneaky")
        raw.sendall(hello)
        assert closed_by_peer(raw)
    assert pull.poll(200) == 0
