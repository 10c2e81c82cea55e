"""Interop with real libzmq (pyzmq's bundled libzmq 4.3), both directions, tcp and ipc.

Every compatible socket-type pair is exercised with zmq4 binding and libzmq connecting and
the reverse: multipart messages, empty frames, sizes 0 B / 1 B / 255 B / 256 B / 64 KB / 8 MB.
Incompatible pairs are refused at connection time (RFC 23 socket-type check). A libzmq peer
with ZMQ_HEARTBEAT_IVL stays connected past its heartbeat timeout (zmq4 answers PING).
"""

from __future__ import annotations

import itertools
import os
import tempfile
import threading
import time
from typing import Any, Iterator

import pytest
import zmq
import zmq.utils.monitor

from zmq4 import capi as z

pytestmark = pytest.mark.interop

_n = itertools.count()
TIMEOUT_MS = 10000


class Z4:
    """A zmq4 socket behind the same small interface as a pyzmq one."""

    def __init__(self, ctx: Any, kind: int) -> None:
        self.s = z.zmq_socket(ctx, kind)
        assert self.s is not None
        z.zmq_setsockopt(self.s, z.ZMQ_LINGER, 0)
        z.zmq_setsockopt(self.s, z.ZMQ_RCVTIMEO, TIMEOUT_MS)
        z.zmq_setsockopt(self.s, z.ZMQ_SNDTIMEO, TIMEOUT_MS)

    def set(self, opt: int, value: Any) -> None:
        assert z.zmq_setsockopt(self.s, opt, value) == 0, z.zmq_strerror(z.zmq_errno())

    def bind(self, ep: str) -> str:
        assert z.zmq_bind(self.s, ep) == 0, z.zmq_strerror(z.zmq_errno())
        return z.zmq_getsockopt(self.s, z.ZMQ_LAST_ENDPOINT).decode()

    def connect(self, ep: str) -> None:
        assert z.zmq_connect(self.s, ep) == 0, z.zmq_strerror(z.zmq_errno())

    def send_multipart(self, parts: list[bytes]) -> None:
        for i, p in enumerate(parts):
            flags = z.ZMQ_SNDMORE if i < len(parts) - 1 else 0
            assert z.zmq_send(self.s, p, len(p), flags) == len(p), \
                z.zmq_strerror(z.zmq_errno())

    def recv_multipart(self) -> list[bytes]:
        parts = []
        msg = z.zmq_msg_t()
        z.zmq_msg_init(msg)
        while True:
            n = z.zmq_msg_recv(msg, self.s, 0)
            assert n >= 0, z.zmq_strerror(z.zmq_errno())
            parts.append(bytes(z.zmq_msg_data(msg)))
            if not z.zmq_msg_more(msg):
                return parts

    def poll_in(self, timeout_ms: int) -> bool:
        items = [z.zmq_pollitem_t(socket=self.s, events=z.ZMQ_POLLIN)]
        return z.zmq_poll(items, 1, timeout_ms) == 1

    def close(self) -> None:
        z.zmq_close(self.s)


class Lz:
    """A libzmq socket (pyzmq)."""

    def __init__(self, ctx: zmq.Context, kind: int) -> None:
        self.s = ctx.socket(kind)
        self.s.linger = 0
        self.s.rcvtimeo = TIMEOUT_MS
        self.s.sndtimeo = TIMEOUT_MS

    def set(self, opt: int, value: Any) -> None:
        self.s.setsockopt(opt, value)

    def bind(self, ep: str) -> str:
        self.s.bind(ep)
        return self.s.getsockopt(zmq.LAST_ENDPOINT).decode()

    def connect(self, ep: str) -> None:
        self.s.connect(ep)

    def send_multipart(self, parts: list[bytes]) -> None:
        self.s.send_multipart(parts)

    def recv_multipart(self) -> list[bytes]:
        return self.s.recv_multipart()

    def poll_in(self, timeout_ms: int) -> bool:
        return bool(self.s.poll(timeout_ms, zmq.POLLIN))

    def close(self) -> None:
        self.s.close()


@pytest.fixture
def ctxs() -> Iterator[tuple[Any, zmq.Context]]:
    c4 = z.zmq_ctx_new()
    lc = zmq.Context()
    yield c4, lc
    for s in list(c4.sockets):
        if not s.closed:
            s.options.linger = 0
            s.close()
    assert z.zmq_ctx_term(c4) == 0
    lc.destroy(0)


def endpoint(transport: str) -> str:
    if transport == "tcp":
        return "tcp://127.0.0.1:*"
    return f"ipc://{tempfile.gettempdir()}/zmq4-interop-{os.getpid()}-{next(_n)}"


def make(ctxs: tuple[Any, zmq.Context], side: str, kind: int) -> Any:
    return Z4(ctxs[0], kind) if side == "zmq4" else Lz(ctxs[1], kind)


DIRECTIONS = [("zmq4", "libzmq"), ("libzmq", "zmq4")]
TRANSPORTS = ["tcp", "ipc"]
SIZES = [0, 1, 255, 256, 65536]


def pair(ctxs: Any, transport: str, binder: tuple[str, int], connecter: tuple[str, int]
         ) -> tuple[Any, Any]:
    b = make(ctxs, *binder)
    c = make(ctxs, *connecter)
    ep = b.bind(endpoint(transport))
    c.connect(ep)
    return b, c


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("bind_side,connect_side", DIRECTIONS)
@pytest.mark.parametrize("bind_type,connect_type", [
    (zmq.REP, zmq.REQ), (zmq.ROUTER, zmq.REQ), (zmq.REP, zmq.DEALER),
    (zmq.ROUTER, zmq.DEALER), (zmq.DEALER, zmq.DEALER), (zmq.PAIR, zmq.PAIR),
    (zmq.PULL, zmq.PUSH), (zmq.PUSH, zmq.PULL),
])
def test_request_reply_and_pipeline_pairs(ctxs: Any, transport: str, bind_side: str,
                                          connect_side: str, bind_type: int,
                                          connect_type: int) -> None:
    b, c = pair(ctxs, transport, (bind_side, bind_type), (connect_side, connect_type))
    if connect_type == zmq.PULL:  # the binder sends
        sender, receiver = b, c
    else:
        sender, receiver = c, b
    for size in SIZES:
        body = [os.urandom(size), b"", b"tail-%d" % size]
        envelope: list[bytes] = []
        if connect_type == zmq.DEALER and bind_type == zmq.REP:
            envelope = [b""]  # a DEALER talking to REP sends the delimiter itself
        sender.send_multipart(envelope + body)
        got = receiver.recv_multipart()
        if bind_type == zmq.ROUTER:
            assert len(got[0]) > 0  # the peer's routing id comes first
            ident, got = got[0], got[1:]
            if connect_type == zmq.REQ:
                assert got[0] == b""  # REQ's delimiter (a REP binder strips it itself)
                got = got[1:]
        assert got == body
        if connect_type in (zmq.PUSH, zmq.PULL):
            continue
        # reply on the same path
        reply = [b"re", os.urandom(size)]
        if bind_type == zmq.ROUTER:
            receiver.send_multipart([ident] + ([b""] if connect_type == zmq.REQ else [])
                                    + reply)
        elif bind_type == zmq.REP:
            receiver.send_multipart(reply)
        else:
            receiver.send_multipart(reply)
        back = sender.recv_multipart()
        if envelope:
            assert back[0] == b""
            back = back[1:]
        assert back == reply


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("bind_side,connect_side", DIRECTIONS)
def test_router_router_with_identities(ctxs: Any, transport: str, bind_side: str,
                                       connect_side: str) -> None:
    b = make(ctxs, bind_side, zmq.ROUTER)
    c = make(ctxs, connect_side, zmq.ROUTER)
    b.set(zmq.IDENTITY, b"server")
    c.set(zmq.IDENTITY, b"client")
    ep = b.bind(endpoint(transport))
    c.connect(ep)
    # the connecting ROUTER knows the server's identity once the handshake completed
    deadline = time.monotonic() + 10
    while True:
        try:
            c.send_multipart([b"server", b"hello"])
        except (zmq.ZMQError, AssertionError):
            pass
        if b.poll_in(100):
            break
        assert time.monotonic() < deadline, "ROUTER-ROUTER never connected"
    assert b.recv_multipart() == [b"client", b"hello"]
    b.send_multipart([b"client", b"world"])
    assert c.recv_multipart() == [b"server", b"world"]


def _subscribe_and_wait(pub: Any, sub: Any, topic: bytes) -> None:
    deadline = time.monotonic() + 10
    while not sub.poll_in(50):
        pub.send_multipart([topic + b"-probe"])
        assert time.monotonic() < deadline, "subscription never reached the publisher"
    while sub.poll_in(200):
        sub.recv_multipart()


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("bind_side,connect_side", DIRECTIONS)
def test_pub_sub(ctxs: Any, transport: str, bind_side: str, connect_side: str) -> None:
    pub, sub = pair(ctxs, transport, (bind_side, zmq.PUB), (connect_side, zmq.SUB))
    sub.set(zmq.SUBSCRIBE, b"A")
    _subscribe_and_wait(pub, sub, b"A")
    for size in SIZES:
        pub.send_multipart([b"B-filtered", b"x"])
        pub.send_multipart([b"A" + os.urandom(size), b"second"])
        got = sub.recv_multipart()
        assert got[0][:1] == b"A" and len(got[0]) == size + 1 and got[1] == b"second"
    sub.set(zmq.UNSUBSCRIBE, b"A")
    deadline = time.monotonic() + 10
    while True:  # the unsubscribe travels asynchronously
        pub.send_multipart([b"A-after"])
        if not sub.poll_in(100):
            break
        sub.recv_multipart()
        assert time.monotonic() < deadline


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("bind_side,connect_side", DIRECTIONS)
def test_xpub_xsub_subscriptions_flow_both_ways(ctxs: Any, transport: str, bind_side: str,
                                                connect_side: str) -> None:
    xpub, xsub = pair(ctxs, transport, (bind_side, zmq.XPUB), (connect_side, zmq.XSUB))
    xsub.send_multipart([b"\x01topic"])
    assert xpub.recv_multipart() == [b"\x01topic"]
    xpub.send_multipart([b"topic data"])
    assert xsub.recv_multipart() == [b"topic data"]
    xsub.send_multipart([b"upstream", b"message"])  # LIBZMQ-525: non-subscription upstream
    assert xpub.recv_multipart() == [b"upstream", b"message"]
    xsub.send_multipart([b"\x00topic"])
    assert xpub.recv_multipart() == [b"\x00topic"]


@pytest.mark.slow
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("bind_side,connect_side", DIRECTIONS)
def test_8mb_frames(ctxs: Any, transport: str, bind_side: str, connect_side: str) -> None:
    b, c = pair(ctxs, transport, (bind_side, zmq.PAIR), (connect_side, zmq.PAIR))
    big = os.urandom(8 << 20)
    c.send_multipart([big, b"end"])
    assert b.recv_multipart() == [big, b"end"]
    b.send_multipart([big])
    assert c.recv_multipart() == [big]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_backlog_of_large_and_small_messages_reaches_libzmq_intact(ctxs: Any,
                                                                   transport: str) -> None:
    # zmq4 sends large bytes bodies from the caller's object (gathering write, no
    # copy) and queues what the kernel does not take: a backlog much larger than the
    # socket buffers, mixing bodies on both sides of the by-reference threshold,
    # multipart, arrives byte-exact and in order at a libzmq reader that starts late.
    b, c = pair(ctxs, transport, ("libzmq", zmq.PULL), ("zmq4", zmq.PUSH))
    b.set(zmq.RCVHWM, 0)
    c.set(zmq.SNDHWM, 0)
    sizes = [16383, 16384, 1, 300000, 0, 70000, 5]
    sent = []
    for i in range(60):
        big = os.urandom(sizes[i % len(sizes)])
        parts = [b"%d" % i, big] if i % 2 else [big]
        c.send_multipart(parts)
        sent.append(parts)
    assert b.poll_in(TIMEOUT_MS)
    assert [b.recv_multipart() for _ in sent] == sent


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_large_frames_from_libzmq_across_rcvhwm_pauses(ctxs: Any, transport: str) -> None:
    # zmq4 reads large bodies straight into the frame's memory; with RCVHWM 1 its
    # engine stops reading after each message, often in the middle of the next body,
    # and resumes when the application reads: every frame must still arrive whole.
    b, c = pair(ctxs, transport, ("zmq4", zmq.PULL), ("libzmq", zmq.PUSH))
    b.set(zmq.RCVHWM, 1)
    bodies = [os.urandom(300_000 + 7 * i) for i in range(20)]
    for i, body in enumerate(bodies):
        c.send_multipart([b"%d" % i, body])
    for i, body in enumerate(bodies):
        assert b.recv_multipart() == [b"%d" % i, body]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_sender_closing_with_a_backlog_still_delivers_it(ctxs: Any, transport: str) -> None:
    # LINGER -1 (the default): a zmq4 PUSH that closes right after its last send, with
    # 12.8 MB to go (200 x 64 KB; SNDHWM 10, and what the kernel has not taken yet),
    # still delivers every message, in order, to a libzmq reader.
    #
    # The reader has no RCVHWM (0). A libzmq 4.3 receiver whose input is stopped at its
    # RCVHWM when the peer closes drops part of what it had not read yet (libzmq #4660):
    # with RCVHWM 1 set before the connection, 150 of 150 libzmq -> libzmq ipc runs lost
    # messages here, and so did zmq4 -> libzmq (zmq4 -> zmq4: 0 of 150). An earlier
    # version of this test set RCVHWM 1 after the connection was made, which libzmq
    # applies or not depending on timing: it failed about once in 40 runs, on libzmq's
    # side. That loss is not what this test is about.
    b, c = pair(ctxs, transport, ("libzmq", zmq.PULL), ("zmq4", zmq.PUSH))
    b.set(zmq.RCVHWM, 0)
    c.set(zmq.SNDHWM, 10)
    c.set(zmq.LINGER, -1)
    count, size = 200, 65536
    bodies = [b"%06d" % i + bytes(size - 6) for i in range(count)]
    closed = threading.Event()

    def sender() -> None:
        for body in bodies:
            c.send_multipart([body])
        c.close()
        closed.set()

    t = threading.Thread(target=sender)
    t.start()
    try:
        assert closed.wait(TIMEOUT_MS / 1000)  # close returns at once: zmq4 lingers
        got = [b.recv_multipart() for _ in range(count)]
        assert [g[0][:6] for g in got] == [body[:6] for body in bodies]
        assert got == [[body] for body in bodies]
    finally:
        t.join(TIMEOUT_MS / 1000)
    assert not t.is_alive()


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("bind_side,connect_side", DIRECTIONS)
@pytest.mark.parametrize("bind_type,connect_type", [
    (zmq.REP, zmq.PUSH), (zmq.PUB, zmq.PUSH), (zmq.PAIR, zmq.REQ), (zmq.PULL, zmq.DEALER),
])
def test_incompatible_pairs_are_refused(ctxs: Any, transport: str, bind_side: str,
                                        connect_side: str, bind_type: int,
                                        connect_type: int) -> None:
    b, c = pair(ctxs, transport, (bind_side, bind_type), (connect_side, connect_type))
    if connect_type == zmq.PUSH:
        try:
            c.send_multipart([b"", b"should not arrive"])
        except (zmq.ZMQError, AssertionError):
            pass
    else:
        c.set(zmq.SNDTIMEO, 0)
        try:
            c.send_multipart([b"", b"should not arrive"])
        except (zmq.ZMQError, AssertionError):
            pass
    if bind_type != zmq.PUB:
        assert not b.poll_in(500)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_libzmq_heartbeats_keep_connection(ctxs: Any, transport: str) -> None:
    """A libzmq 4.2+ peer with ZMQ_HEARTBEAT_IVL/TIMEOUT stays connected: zmq4 answers PING
    with PONG, so the peer never times the connection out."""
    server = Z4(ctxs[0], z.ZMQ_ROUTER)
    ep = server.bind(endpoint(transport))
    client = ctxs[1].socket(zmq.DEALER)
    client.linger = 0
    client.setsockopt(zmq.HEARTBEAT_IVL, 50)
    client.setsockopt(zmq.HEARTBEAT_TIMEOUT, 150)
    mon = client.get_monitor_socket(zmq.EVENT_DISCONNECTED | zmq.EVENT_CONNECTED)
    client.connect(ep)
    client.send(b"first")
    first = server.recv_multipart()
    assert first[1] == b"first"
    deadline = time.monotonic() + 1.0  # several heartbeat timeouts
    while time.monotonic() < deadline:
        if mon.poll(50):
            ev = zmq.utils.monitor.recv_monitor_message(mon)
            assert ev["event"] != zmq.EVENT_DISCONNECTED, "libzmq timed the connection out"
    client.send(b"second")
    assert server.recv_multipart() == [first[0], b"second"]
    client.disable_monitor()
    mon.close()
    client.close()
