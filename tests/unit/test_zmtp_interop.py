"""Byte-level interop of ZmtpConnection with real libzmq (pyzmq's bundled 4.3.x).

The test owns the TCP socket and moves bytes between it and a ZmtpConnection (the
zmtp package never does I/O). libzmq 4.3.3+ announces ZMTP 3.1; our 3.0 greeting makes
it downgrade (spec §5.8). Waits are on conditions with generous deadlines, never on
fixed sleeps.
"""

from __future__ import annotations

import socket
import time

import pytest

from zmq4 import zmq_h as C
from zmq4.zmtp import (
    ConnectionClosed,
    HandshakeComplete,
    IncompatiblePeer,
    MessagesReceived,
    ZmtpConnection,
)

import zmq  # noqa: E402 - a test dependency: missing it fails, never skips

pytestmark = pytest.mark.interop

DEADLINE = 30.0


class Driver:
    """Pumps bytes between one TCP socket and one ZmtpConnection."""

    def __init__(self, sock: socket.socket, conn: ZmtpConnection, hold_after: int = -1) -> None:
        self.sock = sock
        self.conn = conn
        self.events: list = []
        self.eof = False
        self.sent = 0
        self.hold_after = hold_after  # send at most this many bytes (-1: no limit)
        self.held = bytearray()
        sock.settimeout(0.1)  # poll interval of the pump loop, not a sleep
        self.flush()

    def flush(self) -> None:
        self.held += self.conn.data_to_send()
        out = self.held
        if self.hold_after >= 0:
            out = out[: max(0, self.hold_after - self.sent)]
        if out:
            self.sock.sendall(out)
            self.sent += len(out)
            del self.held[: len(out)]

    def step(self) -> None:
        self.flush()
        if self.eof:
            return
        try:
            data = self.sock.recv(65536)
        except (TimeoutError, BlockingIOError):
            return
        except ConnectionResetError:
            data = b""
        if not data:
            self.eof = True
        self.conn.receive_data(data)
        while (ev := self.conn.next_event()) is not None:
            self.events.append(ev)
        self.flush()

    def until(self, predicate, what: str) -> None:
        deadline = time.monotonic() + DEADLINE
        while not predicate():
            assert time.monotonic() < deadline, f"timed out waiting for {what}: {self.events}"
            self.step()

    def messages(self) -> list:
        return [m for e in self.events if isinstance(e, MessagesReceived) for m in e.messages]

    def handshake(self) -> HandshakeComplete:
        self.until(lambda: self.conn.ready or self.conn.closed, "the handshake")
        (hs,) = [e for e in self.events if isinstance(e, HandshakeComplete)]
        return hs


def recv_multipart_while_pumping(zsock, driver: Driver) -> list:
    """Receive on the pyzmq socket, pumping our side meanwhile (it may need PONGs)."""
    deadline = time.monotonic() + DEADLINE
    while not zsock.poll(50):
        assert time.monotonic() < deadline, "pyzmq socket received nothing"
        driver.step()
    return zsock.recv_multipart()


@pytest.fixture
def ctx():
    c = zmq.Context()
    yield c
    c.destroy(linger=0)


@pytest.fixture
def listener():
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    srv.settimeout(DEADLINE)
    yield srv
    srv.close()


def accept(listener) -> socket.socket:
    s, _ = listener.accept()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def endpoint(listener) -> str:
    return f"tcp://127.0.0.1:{listener.getsockname()[1]}"


def test_pyzmq_dealer_to_zmq4_router(ctx, listener):
    dealer = ctx.socket(zmq.DEALER)
    dealer.setsockopt(zmq.IDENTITY, b"pyzmq-dealer")
    dealer.setsockopt(zmq.LINGER, 0)
    dealer.connect(endpoint(listener))
    dealer.send_multipart([b"hello", b"", b"w" * 1000])
    with accept(listener) as s:
        drv = Driver(s, ZmtpConnection(C.ROUTER, identity=b"r"))
        hs = drv.handshake()
        assert hs.peer_socket_type == C.DEALER
        assert hs.peer_identity == b"pyzmq-dealer"
        assert hs.zmtp_version[0] == 3
        drv.until(lambda: drv.messages(), "the dealer's message")
        assert drv.messages() == [[b"hello", b"", b"w" * 1000]]
        drv.conn.send_messages([[b"reply", b"x" * 300], [b"second"]])
        drv.flush()
        assert recv_multipart_while_pumping(dealer, drv) == [b"reply", b"x" * 300]
        assert recv_multipart_while_pumping(dealer, drv) == [b"second"]


def test_zmq4_dealer_to_pyzmq_router(ctx):
    router = ctx.socket(zmq.ROUTER)
    router.setsockopt(zmq.LINGER, 0)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as s:
        drv = Driver(s, ZmtpConnection(C.DEALER, identity=b"zmq4-dealer"))
        hs = drv.handshake()
        assert hs.peer_socket_type == C.ROUTER
        drv.conn.send_message([b"hello", b"world"])
        drv.flush()
        assert recv_multipart_while_pumping(router, drv) == [b"zmq4-dealer", b"hello", b"world"]
        router.send_multipart([b"zmq4-dealer", b"back", b"y" * 70000])
        drv.until(lambda: drv.messages(), "the router's reply")
        assert drv.messages() == [[b"back", b"y" * 70000]]


def test_heartbeat_ping_answered(ctx, listener):
    # libzmq 4.2+ sends PING when HEARTBEAT_IVL is set and drops the connection if no
    # PONG arrives within HEARTBEAT_TIMEOUT; we must answer and never deliver the PING.
    dealer = ctx.socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    dealer.setsockopt(zmq.HEARTBEAT_IVL, 50)
    dealer.setsockopt(zmq.HEARTBEAT_TIMEOUT, 200)
    dealer.connect(endpoint(listener))
    with accept(listener) as s:
        drv = Driver(s, ZmtpConnection(C.ROUTER))
        drv.handshake()
        # 10 pings at 50 ms span well over the 200 ms timeout
        drv.until(lambda: drv.conn.pings_received >= 10, "ten PINGs")
        assert drv.messages() == []
        assert not drv.conn.closed and not drv.eof
        dealer.send(b"still alive")
        drv.until(lambda: drv.messages(), "a message after the heartbeats")
        assert drv.messages() == [[b"still alive"]]


def test_pyzmq_sub_to_zmq4_pub(ctx, listener):
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt(zmq.SUBSCRIBE, b"top")
    sub.connect(endpoint(listener))
    with accept(listener) as s:
        drv = Driver(s, ZmtpConnection(C.PUB))
        hs = drv.handshake()
        assert hs.peer_socket_type == C.SUB
        # a 3.0 peer gets legacy subscription frames from libzmq 4.3.3+ (spec §5.8)
        drv.until(lambda: drv.messages(), "the subscription")
        assert drv.messages() == [[b"\x01top"]]
        drv.conn.send_messages([[b"other", b"x"], [b"topic", b"data"]])
        drv.flush()
        assert recv_multipart_while_pumping(sub, drv) == [b"topic", b"data"]


def test_incompatible_libzmq_peer_refused(ctx, listener):
    push = ctx.socket(zmq.PUSH)
    push.setsockopt(zmq.LINGER, 0)
    push.connect(endpoint(listener))
    with accept(listener) as s:
        # Send our greeting but hold our READY back, so that we certainly see the
        # peer's READY (libzmq would otherwise reject ours first and just close).
        drv = Driver(s, ZmtpConnection(C.ROUTER), hold_after=64)
        drv.until(lambda: drv.conn.closed, "the refusal")
        (closed,) = [e for e in drv.events if isinstance(e, ConnectionClosed)]
        assert isinstance(closed.error, IncompatiblePeer)
        assert not any(isinstance(e, HandshakeComplete) for e in drv.events)
