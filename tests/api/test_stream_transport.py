"""ZMQ_STREAM over tcp and ipc: plain TCP clients, connection notifications
(ZMQ_STREAM_NOTIFY, the libzmq 4.1+ behaviour the issue asks for), libzmq 4.0's silent
mode, speaking ZMTP by hand to a DEALER (libzmq's test_stream), and real libzmq STREAM
sockets (pyzmq) at the other end in both directions.

Every wait is a receive timeout or a poll with a generous deadline; the few "nothing
arrives" checks poll for a short while, which can only pass wrongly, never fail wrongly.
"""

from __future__ import annotations

import socket as _socket
import struct
import time
from collections.abc import Iterator
from typing import Any

import pytest
import zmq as pyzmq
from support import bind_address, raw_connect

import zmq4

TIMEOUT_MS = 10000
QUIET_MS = 300  # "no further message": how long a negative check listens

# The 10-byte ZMTP 3.0 signature (RFC 23): 0xFF, 8-byte length 1 (the ZMTP 1.0 form), 0x7F.
SIGNATURE = b"\xff" + b"\x00" * 7 + b"\x01\x7f"


def greeting(as_server: bool = False) -> bytes:
    """A whole ZMTP 3.0 NULL greeting (64 bytes)."""
    return (SIGNATURE + b"\x03\x00" + b"NULL".ljust(20, b"\x00")
            + (b"\x01" if as_server else b"\x00") + b"\x00" * 31)


def ready(socket_type: bytes) -> bytes:
    """A short READY command frame announcing ``socket_type`` and an empty Identity."""
    body = (b"\x05READY" + b"\x0bSocket-Type" + struct.pack(">I", len(socket_type))
            + socket_type + b"\x08Identity" + struct.pack(">I", 0))
    return b"\x04" + bytes([len(body)]) + body


@pytest.fixture(params=["tcp", "ipc"])
def raw_transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def ctx(context: zmq4.Context) -> zmq4.Context:
    """The object-API context of tests/conftest.py, under the name these tests use."""
    return context


@pytest.fixture
def lz() -> Iterator[pyzmq.Context]:
    c = pyzmq.Context()
    yield c
    c.destroy(linger=0)


def stream_socket(ctx: Any, notify: int | None = None) -> Any:
    s = ctx.socket(zmq4.STREAM if isinstance(ctx, zmq4.Context) else pyzmq.STREAM)
    s.rcvtimeo = s.sndtimeo = TIMEOUT_MS
    s.linger = 0
    if notify is not None:
        s.setsockopt(zmq4.STREAM_NOTIFY, notify)
    return s


def bound(sock: Any, transport: str) -> str:
    sock.bind(bind_address(transport))
    return str(sock.getsockopt_string(zmq4.LAST_ENDPOINT))


def raw_client(endpoint: str) -> _socket.socket:
    return raw_connect(endpoint, TIMEOUT_MS / 1000)


def read_until(s: _socket.socket, n: int) -> bytes:
    """Read from a plain socket until ``n`` bytes arrived (or EOF)."""
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def recv_data(stream: Any, ident: bytes, n: int) -> bytes:
    """Collect ``n`` bytes of one connection's data from a STREAM socket (a byte stream
    keeps no message boundaries: the peer's writes may arrive split or merged)."""
    return Inbound(stream, ident).take(n)


class Inbound:
    """One connection's bytes as read from a STREAM socket, taken in exact amounts."""

    def __init__(self, stream: Any, ident: bytes) -> None:
        self.stream, self.ident, self.buf = stream, ident, b""

    def take(self, n: int) -> bytes:
        while len(self.buf) < n:
            who, chunk = self.stream.recv_multipart()
            assert who == self.ident, "data from another connection"
            assert chunk, "the connection closed early"
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


def quiet(sock: Any, ms: int = QUIET_MS) -> bool:
    """True if nothing arrives on ``sock`` for ``ms``."""
    return not sock.poll(ms)


def wait_unknown(stream: Any, ident: bytes) -> None:
    """Wait until a send to ``ident`` fails with EHOSTUNREACH (the connection's pipe is
    gone from the socket). As in libzmq, a pipe ends when its reader reaches the end
    marker behind its last message: the socket finds it on its next poll or receive."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        stream.poll(10)  # the loop's pace: a 10 ms wait that also reads on
        try:
            stream.send(ident, zmq4.SNDMORE | zmq4.DONTWAIT)
        except zmq4.Again:
            pass  # the pipe is ending: no room for new data, but still known
        except zmq4.ZMQError as e:
            assert e.errno == zmq4.EHOSTUNREACH
            return
        else:
            stream.send(b"")  # an empty data frame to a still-known id closes it: fine
        assert time.monotonic() < deadline, "the closed connection's id stayed routable"


# ------------------------------------------------------------------ plain clients

def test_plain_client_http_exchange_with_notifications(ctx: Any, raw_transport: str) -> None:
    """A plain TCP/unix client: the server sees [id][empty] when it connects, the request
    as [id][bytes], answers and closes with [id][empty]; the client reads the answer to
    EOF. Closing it ourselves is not notified back."""
    server = stream_socket(ctx)
    client = raw_client(bound(server, raw_transport))
    with client:
        ident, empty = server.recv_multipart()
        assert len(ident) == 5 and ident[0] == 0 and empty == b""
        request = b"GET / HTTP/1.0\r\nHost: test\r\n\r\n"
        client.sendall(request)
        assert recv_data(server, ident, len(request)) == request
        body = b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nHello"
        server.send_multipart([ident, body])
        server.send_multipart([ident, b""])  # close this connection
        assert read_until(client, 1 << 16) == body  # ends at EOF: the server closed it
    assert quiet(server), "a connection we closed ourselves was notified back"
    wait_unknown(server, ident)


def test_peer_close_is_notified_after_its_data(ctx: Any, raw_transport: str) -> None:
    """The peer's close arrives as [id][empty] after every byte it sent; each connection
    has its own id; the id is unroutable afterwards."""
    server = stream_socket(ctx)
    ep = bound(server, raw_transport)
    first = raw_client(ep)
    id1, note = server.recv_multipart()
    assert note == b""
    second = raw_client(ep)
    id2, note = server.recv_multipart()
    assert note == b"" and id2 != id1
    with first:
        first.sendall(b"last words")
    assert recv_data(server, id1, 10) == b"last words"
    assert server.recv_multipart() == [id1, b""]  # disconnect notification
    wait_unknown(server, id1)
    with second:  # the other connection is untouched
        server.send_multipart([id2, b"still here"])
        assert read_until(second, 10) == b"still here"


def test_notify_off_is_libzmq40_behaviour(ctx: Any, raw_transport: str) -> None:
    """ZMQ_STREAM_NOTIFY=0 (set before bind): no message on connect or on the peer's
    close, as in libzmq 4.0 (spec §3.2); the data still flows."""
    server = stream_socket(ctx, notify=0)
    with raw_client(bound(server, raw_transport)) as client:
        client.sendall(b"ping")
        ident, data = server.recv_multipart()
        assert data == b"ping"  # the first message is data, not a notification
        server.send_multipart([ident, b"pong"])
        assert read_until(client, 4) == b"pong"
    wait_unknown(server, ident)  # the close is only visible as an unknown id
    assert quiet(server)


def test_connecting_stream_learns_id_from_notification(ctx: Any, raw_transport: str) -> None:
    """A connecting STREAM gets [id][empty] once its connection is up (the same id
    ZMQ_IDENTITY reports), and [id][empty] again when the server closes it."""
    listener = _socket.socket(_socket.AF_INET if raw_transport == "tcp" else _socket.AF_UNIX)
    with listener:
        if raw_transport == "tcp":
            listener.bind(("127.0.0.1", 0))
            ep = f"tcp://127.0.0.1:{listener.getsockname()[1]}"
        else:
            path = bind_address("ipc")[len("ipc://"):]
            listener.bind(path)
            ep = "ipc://" + path
        listener.listen(1)
        listener.settimeout(TIMEOUT_MS / 1000)
        client = stream_socket(ctx)
        client.connect(ep)
        conn, _ = listener.accept()
        with conn:
            ident, note = client.recv_multipart()
            assert note == b"" and client.identity == ident
            client.send_multipart([ident, b"hello"])
            assert read_until(conn, 5) == b"hello"
            conn.sendall(b"bye")
            assert recv_data(client, ident, 3) == b"bye"
        assert client.recv_multipart() == [ident, b""]


# ------------------------------------------------------------------ ZMTP by hand

@pytest.mark.parametrize("dealer_impl", ["zmq4", "libzmq"])
def test_stream_speaks_zmtp_by_hand_to_a_dealer(ctx: Any, lz: Any, raw_transport: str,
                                                dealer_impl: str) -> None:
    """libzmq's test_stream: a STREAM server plays a ZMTP 3.0 ROUTER by hand. It gets the
    DEALER's 10-byte signature, sends a whole NULL greeting and READY, reads the rest of
    the DEALER's greeting and its READY, then exchanges one message each way."""
    server = stream_socket(ctx)
    ep = bound(server, raw_transport)
    dealer = (ctx if dealer_impl == "zmq4" else lz).socket(zmq4.DEALER)
    dealer.rcvtimeo = dealer.sndtimeo = TIMEOUT_MS
    dealer.linger = 0
    try:
        dealer.connect(ep)
        ident, note = server.recv_multipart()
        assert note == b""
        inbound = Inbound(server, ident)
        assert inbound.take(10) == SIGNATURE
        server.send_multipart([ident, greeting() + ready(b"ROUTER")])
        rest = inbound.take(64 - 10)
        # major version 3 (zmq4 announces 3.0, libzmq 4.3 3.1), mechanism NULL
        assert rest[0] == 3 and rest[1] == (0 if dealer_impl == "zmq4" else 1)
        assert rest[2:22] == b"NULL".ljust(20, b"\x00")
        flags, size = inbound.take(2)
        assert flags == 0x04  # a short command frame
        command = inbound.take(size)
        assert command.startswith(b"\x05READY")
        assert b"\x0bSocket-Type\x00\x00\x00\x06DEALER" in command
        dealer.send(b"Hello")
        assert inbound.take(7) == b"\x00\x05Hello"
        server.send_multipart([ident, b"\x00\x05World"])
        assert dealer.recv() == b"World"
    finally:
        dealer.close()


# ------------------------------------------------------------------ real libzmq STREAM

@pytest.mark.interop
@pytest.mark.parametrize("zmq4_binds", [True, False], ids=["zmq4-binds", "libzmq-binds"])
def test_stream_pair_with_libzmq(ctx: Any, lz: Any, raw_transport: str,
                                 zmq4_binds: bool) -> None:
    """zmq4 STREAM <-> libzmq STREAM (pyzmq, notifications on by default there too):
    both see the connect notification, bytes flow both ways, and closing from one side
    is seen as a disconnect notification on the other."""
    ours = stream_socket(ctx)
    theirs = stream_socket(lz)
    server, client = (ours, theirs) if zmq4_binds else (theirs, ours)
    if zmq4_binds:
        ep = bound(ours, raw_transport)
    else:
        theirs.bind(bind_address(raw_transport))
        ep = theirs.getsockopt_string(pyzmq.LAST_ENDPOINT)
    client.connect(ep)
    cid, note = client.recv_multipart()
    assert note == b""
    sid, note = server.recv_multipart()
    assert note == b""
    client.send_multipart([cid, b"request bytes"])
    assert recv_data(server, sid, 13) == b"request bytes"
    server.send_multipart([sid, b"reply"])
    assert recv_data(client, cid, 5) == b"reply"
    server.send_multipart([sid, b""])  # the server closes the connection
    # libzmq finishes that close only when its socket next processes commands (the pipe
    # ends by a command round trip with its I/O thread): let the server socket poll.
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not client.poll(50):
        server.poll(0)
        assert time.monotonic() < deadline, "the close never reached the client"
    assert client.recv_multipart() == [cid, b""]


# ------------------------------------------------------------------ option rules

def test_stream_notify_option_rules(ctx: Any) -> None:
    """ZMQ_STREAM_NOTIFY (73, libzmq 4.2's number): STREAM only, 0 or 1, set-only
    (as in libzmq, which has no getter for it)."""
    assert zmq4.STREAM_NOTIFY == 73 == pyzmq.STREAM_NOTIFY
    stream = stream_socket(ctx)
    stream.setsockopt(zmq4.STREAM_NOTIFY, 0)
    stream.setsockopt(zmq4.STREAM_NOTIFY, 1)
    with pytest.raises(zmq4.ZMQError) as bad_value:
        stream.setsockopt(zmq4.STREAM_NOTIFY, 2)
    assert bad_value.value.errno == zmq4.EINVAL
    with pytest.raises(zmq4.ZMQError) as not_gettable:
        stream.getsockopt(zmq4.STREAM_NOTIFY)
    assert not_gettable.value.errno == zmq4.EINVAL
    dealer = ctx.socket(zmq4.DEALER)
    with pytest.raises(zmq4.ZMQError) as wrong_type:
        dealer.setsockopt(zmq4.STREAM_NOTIFY, 1)
    assert wrong_type.value.errno == zmq4.EINVAL
    assert "STREAM" in str(wrong_type.value)
    dealer.close()
