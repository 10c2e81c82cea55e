"""The libzmq 4.0 regression suite (spec ZMQ40.md §7), ported to C style through zmq4.capi:
messaging behaviours over inproc — test_hwm, test_conflate, test_msg_flags, test_iov,
test_pair_inproc (+ send_const), test_timeo, test_spec_pushpull, test_probe_router
(connect-before-bind).

Already ported elsewhere and not repeated here (tests/spec/test_rfc28_reqrep.py):
test_probe_router, test_req_correlate, test_req_relaxed, test_router_mandatory,
test_invalid_rep, test_spec_req/rep/dealer/router, test_issue_566; the other files
test_regression_*.py hold the context, inproc-endpoint, proxy/monitor and poll ports.
"""

# ruff: noqa: F405 - C names come from the star import, as in a ported C test
from __future__ import annotations

import struct
import threading
import time
from typing import Any

import pytest
from _regression40 import (
    TIMEOUT, bind, bounce, close, connect, endpoint, fails_with, poll_in, recv_msg,
    recv_seq, send_seq, setopt, sock,
)

from zmq4.capi import *  # noqa: F403 - the C names, as a ported C test reads

MAX_SENDS = 10000


# ---------------------------------------------------------------------------- test_hwm

def send_until_block(s: Any, limit: int = MAX_SENDS) -> int:
    count = 0
    while count < limit and zmq_send(s, None, 0, ZMQ_DONTWAIT) == 0:
        count += 1
    if count < limit:
        assert zmq_errno() == EAGAIN, zmq_strerror(zmq_errno())
    return count


def recv_until_block(s: Any) -> int:
    count = 0
    while zmq_recv(s, None, 0, ZMQ_DONTWAIT) == 0:
        count += 1
    assert zmq_errno() == EAGAIN, zmq_strerror(zmq_errno())
    return count


def test_hwm_defaults(ctx: Any) -> None:
    """test_hwm: defaults are SNDHWM 1000 + RCVHWM 1000, so an inproc PUSH->PULL queue
    holds 2000 messages; every one of them is received."""
    ep = endpoint("hwm")
    pull = sock(ctx, ZMQ_PULL)
    bind(pull, ep)
    push = sock(ctx, ZMQ_PUSH)
    connect(push, ep)
    assert zmq_getsockopt(push, ZMQ_SNDHWM) == 1000
    assert zmq_getsockopt(pull, ZMQ_RCVHWM) == 1000
    sent = send_until_block(push)
    assert sent == 2000
    assert recv_until_block(pull) == sent
    close(push, pull)


@pytest.mark.parametrize("bind_first", [True, False], ids=["bind-first", "connect-first"])
@pytest.mark.parametrize("sndhwm,rcvhwm,expected", [
    (0, 0, MAX_SENDS), (1, 0, MAX_SENDS), (0, 1, MAX_SENDS), (1, 1, 2), (3, 5, 8),
])
def test_hwm_inproc_capacity(ctx: Any, bind_first: bool, sndhwm: int, rcvhwm: int,
                             expected: int) -> None:
    """test_hwm: inproc capacity is SNDHWM(sender) + RCVHWM(receiver), 0 on either side
    means unlimited — whether the bind or the connect comes first (a connect before the
    bind gets its queue size recomputed when the bind completes it)."""
    ep = endpoint("hwm")
    push = sock(ctx, ZMQ_PUSH, SNDHWM=sndhwm)
    pull = sock(ctx, ZMQ_PULL, RCVHWM=rcvhwm)
    if bind_first:
        bind(pull, ep)
        connect(push, ep)
    else:
        connect(push, ep)
        bind(pull, ep)
    sent = send_until_block(push)
    assert sent == expected
    if expected != MAX_SENDS:
        # the sender may send again once the receiver has freed half the queue (the
        # low-water mark, as libzmq's: 1 of 2 for 1+1, 4 of 8 for 3+5), then as many
        # messages as were freed, then it blocks again
        freed = (expected + 1) // 2
        for _ in range(freed - 1):
            assert zmq_recv(pull, None, 0, ZMQ_DONTWAIT) == 0
        if freed > 1:
            assert fails_with(zmq_send(push, None, 0, ZMQ_DONTWAIT), EAGAIN)
        assert zmq_recv(pull, None, 0, ZMQ_DONTWAIT) == 0
        for _ in range(freed):
            assert zmq_send(push, None, 0, ZMQ_DONTWAIT) == 0
        assert fails_with(zmq_send(push, None, 0, ZMQ_DONTWAIT), EAGAIN)
        # (``freed`` received above, as many sent: still ``sent`` messages queued)
    assert recv_until_block(pull) == sent
    close(push, pull)


def test_hwm_counts_messages_not_frames(ctx: Any) -> None:
    """§8.3: limits count messages, not frames; a queue that accepted frame 1 accepts the
    rest of the message."""
    ep = endpoint("hwm")
    pull = sock(ctx, ZMQ_PULL, RCVHWM=1)
    bind(pull, ep)
    push = sock(ctx, ZMQ_PUSH, SNDHWM=1)
    connect(push, ep)
    for n in range(2):
        send_seq(push, *[b"%d-%d" % (n, i) for i in range(10)], flags=ZMQ_DONTWAIT)
    assert fails_with(zmq_send(push, b"x", 1, ZMQ_DONTWAIT), EAGAIN)
    for n in range(2):
        recv_seq(pull, *[b"%d-%d" % (n, i) for i in range(10)])
    close(push, pull)


def test_hwm_connect_send_close_then_bind(ctx: Any) -> None:
    """test_hwm (test_inproc_connect_and_close_first): a PUSH with SNDHWM 1 connects to a
    name nobody has bound, queues exactly 1 message, and is closed (default linger); the
    PULL that binds the name afterwards receives exactly that message."""
    ep = endpoint("hwm")
    push = sock(ctx, ZMQ_PUSH, linger=-1, SNDHWM=1)
    connect(push, ep)
    sent = send_until_block(push)
    assert sent == 1
    close(push)
    pull = sock(ctx, ZMQ_PULL, RCVHWM=0)
    bind(pull, ep)
    assert poll_in([pull]) == [0]
    assert recv_until_block(pull) == sent
    close(pull)


def test_hwm_blocking_send_waits_for_room(ctx: Any) -> None:
    """§8.3: PUSH blocks at the HWM; a blocking send completes when the reader (another
    thread) makes room, and times out with EAGAIN after SNDTIMEO otherwise."""
    ep = endpoint("hwm")
    pull = sock(ctx, ZMQ_PULL, RCVHWM=1)
    bind(pull, ep)
    push = sock(ctx, ZMQ_PUSH, SNDHWM=1)
    connect(push, ep)
    assert send_until_block(push) == 2
    setopt(push, ZMQ_SNDTIMEO, 100)
    t0 = time.monotonic()
    assert fails_with(zmq_send(push, b"late", 4, 0), EAGAIN)
    assert time.monotonic() - t0 >= 0.08
    setopt(push, ZMQ_SNDTIMEO, TIMEOUT)
    got: list[int] = []

    def reader() -> None:
        for _ in range(3):
            got.append(zmq_recv(pull, None, 0, 0))

    t = threading.Thread(target=reader)
    t.start()
    assert zmq_send(push, None, 0, 0) == 0  # waits until the reader makes room
    t.join(TIMEOUT / 1000)
    assert not t.is_alive() and got == [0, 0, 0]
    close(push, pull)


# ---------------------------------------------------------------------------- test_conflate

def _ints(n: int) -> list[bytes]:
    return [struct.pack("=i", i) for i in range(n)]


@pytest.mark.parametrize("order", ["bind-first", "connect-first"])
@pytest.mark.parametrize("conflating", ["binder", "connecter"])
def test_conflate(ctx: Any, order: str, conflating: str) -> None:
    """test_conflate: a PULL with CONFLATE=1 that a PUSH sent 20 ints to receives only
    the last one (19); CONFLATE ignores the HWMs (§8.5), so no send ever blocks."""
    ep = endpoint("conflate")
    pull_binds = conflating == "binder"
    pull = sock(ctx, ZMQ_PULL, CONFLATE=1, RCVHWM=1)
    push = sock(ctx, ZMQ_PUSH, SNDHWM=1)
    binder, connecter = (pull, push) if pull_binds else (push, pull)
    if order == "bind-first":
        bind(binder, ep)
        connect(connecter, ep)
    else:
        connect(connecter, ep)
        bind(binder, ep)
    for payload in _ints(20):
        assert zmq_send(push, payload, 4, ZMQ_DONTWAIT) == 4
    assert poll_in([pull]) == [0]
    buf = bytearray(4)
    assert zmq_recv(pull, buf, 4, 0) == 4
    assert struct.unpack("=i", buf)[0] == 19
    assert fails_with(zmq_recv(pull, buf, 4, ZMQ_DONTWAIT), EAGAIN)
    # the queue keeps conflating afterwards
    for payload in _ints(5):
        assert zmq_send(push, payload, 4, ZMQ_DONTWAIT) == 4
    assert zmq_recv(pull, buf, 4, 0) == 4 and struct.unpack("=i", buf)[0] == 4
    close(push, pull)


def test_conflate_dealer(ctx: Any) -> None:
    """§8.5: CONFLATE is also effective on DEALER: its inbound queue keeps only the most
    recent message."""
    ep = endpoint("conflate")
    router = sock(ctx, ZMQ_ROUTER)
    bind(router, ep)
    dealer = sock(ctx, ZMQ_DEALER, CONFLATE=1, IDENTITY=b"D")
    connect(dealer, ep)
    send_seq(dealer, b"hello")
    recv_seq(router, b"D", b"hello")
    for n in range(10):
        send_seq(router, b"D", b"%d" % n)
    assert poll_in([dealer]) == [0]
    assert recv_msg(dealer) == [b"9"]
    assert fails_with(zmq_recv(dealer, bytearray(4), 4, ZMQ_DONTWAIT), EAGAIN)
    close(dealer, router)


# ---------------------------------------------------------------------------- test_msg_flags

def test_msg_flags(ctx: Any) -> None:
    """test_msg_flags: DEALER -> ROUTER 2-part message over inproc: zmq_msg_more (and
    zmq_msg_get(ZMQ_MORE)) is 1 on the identity, 1 on part 1, 0 on part 2, following
    each new frame received into the same zmq_msg_t."""
    ep = endpoint("flags")
    sb = sock(ctx, ZMQ_ROUTER)
    bind(sb, ep)
    sc = sock(ctx, ZMQ_DEALER)
    connect(sc, ep)
    assert zmq_send(sc, b"A", 1, ZMQ_SNDMORE) == 1
    assert zmq_send(sc, b"B", 1, 0) == 1
    msg = zmq_msg_t()
    assert zmq_msg_init(msg) == 0
    expected = [1, 1, 0]
    sizes = []
    for more in expected:
        rc = zmq_msg_recv(msg, sb, 0)
        assert rc >= 0
        sizes.append(rc)
        assert zmq_msg_more(msg) == more
        assert zmq_msg_get(msg, ZMQ_MORE) == more
        assert zmq_getsockopt(sb, ZMQ_RCVMORE) == more
    assert sizes[1:] == [1, 1] and sizes[0] == 5  # generated 5-byte identity
    assert zmq_msg_close(msg) == 0
    # a fresh message is not "more"; unknown properties are EINVAL
    assert zmq_msg_init(msg) == 0
    assert zmq_msg_more(msg) == 0
    assert fails_with(zmq_msg_get(msg, ZMQ_MORE + 1000), EINVAL)
    assert zmq_msg_close(msg) == 0
    close(sc, sb)


def test_msg_more_on_sent_message_is_reset(ctx: Any) -> None:
    """zmq_msg_send empties the message; a received message reused for a send keeps no
    stale MORE on the far side (the flag comes only from the send flags)."""
    ep = endpoint("flags")
    a, b = sock(ctx, ZMQ_PAIR), sock(ctx, ZMQ_PAIR)
    bind(a, ep)
    connect(b, ep)
    send_seq(b, b"x", b"y")
    m = zmq_msg_t()
    zmq_msg_init(m)
    assert zmq_msg_recv(m, a, 0) == 1 and zmq_msg_more(m) == 1
    assert zmq_msg_send(m, a, 0) == 1  # forwarded without SNDMORE
    assert zmq_msg_size(m) == 0  # emptied by the send
    assert recv_msg(b) == [b"x"]
    assert zmq_msg_recv(m, a, 0) == 1 and zmq_msg_more(m) == 0
    zmq_msg_close(m)
    close(a, b)


# ---------------------------------------------------------------------------- test_iov

def test_iov(ctx: Any) -> None:
    """test_iov: PUSH sends a 10-part message of 100-byte and 10-byte parts; zmq_recviov
    returns the 10 parts with their sizes and contents."""
    ep = endpoint("iov")
    sb = sock(ctx, ZMQ_PULL)
    bind(sb, ep)
    sc = sock(ctx, ZMQ_PUSH)
    connect(sc, ep)
    parts = [(b"%d" % i) * (100 if i % 2 == 0 else 10) for i in range(10)]
    parts = [p[:100] if i % 2 == 0 else p[:10] for i, p in enumerate(parts)]
    send_seq(sc, *parts)
    assert poll_in([sb]) == [0]
    got = zmq_recviov(sb, 10, 0)
    assert isinstance(got, list) and len(got) == 10
    assert [len(p) for p in got] == [100, 10] * 5
    assert got == parts
    assert zmq_getsockopt(sb, ZMQ_RCVMORE) == 0
    close(sc, sb)


def test_iov_partial_and_sendiov(ctx: Any) -> None:
    """§1.5/§8.20: zmq_sendiov with SNDMORE joins the iovecs into one message (returns
    the last frame's size); zmq_recviov reads at most *count frames, the rest stay unread;
    a recviov on an empty socket with DONTWAIT is -1/EAGAIN."""
    ep = endpoint("iov")
    sb = sock(ctx, ZMQ_PULL)
    bind(sb, ep)
    sc = sock(ctx, ZMQ_PUSH)
    connect(sc, ep)
    iov = [bytes([65 + i]) * (i + 1) for i in range(10)]
    assert zmq_sendiov(sc, iov, 10, ZMQ_SNDMORE) == 10
    assert zmq_recviov(sb, 4, 0) == iov[:4]
    assert zmq_getsockopt(sb, ZMQ_RCVMORE) == 1
    assert zmq_recviov(sb, 100, 0) == iov[4:]
    assert zmq_getsockopt(sb, ZMQ_RCVMORE) == 0
    assert fails_with(zmq_recviov(sb, 10, ZMQ_DONTWAIT), EAGAIN)
    assert zmq_recviov(sb, 0, ZMQ_DONTWAIT) == []  # nothing asked, nothing read
    close(sc, sb)


# ---------------------------------------------------------------------------- test_pair_inproc

def test_pair_inproc(ctx: Any) -> None:
    """test_pair_inproc: PAIR bounce over inproc, then a 2-part message sent with
    zmq_send_const (3 + 6 bytes) arrives intact."""
    ep = endpoint("pair")
    sb = sock(ctx, ZMQ_PAIR)
    bind(sb, ep)
    sc = sock(ctx, ZMQ_PAIR)
    connect(sc, ep)
    bounce(sb, sc)
    assert zmq_send_const(sc, b"foo", 3, ZMQ_SNDMORE) == 3
    assert zmq_send_const(sc, b"foobar", 6, 0) == 6
    recv_seq(sb, b"foo", b"foobar")
    close(sc, sb)


def test_send_const_buffers(ctx: Any) -> None:
    """§8.18: zmq_send_const takes any bytes-like buffer without copying it and returns
    len; len may be shorter than the buffer."""
    ep = endpoint("const")
    a, b = sock(ctx, ZMQ_PAIR), sock(ctx, ZMQ_PAIR)
    bind(a, ep)
    connect(b, ep)
    keep = [bytearray(b"bytearray!"), memoryview(b"memoryview"), b"bytes-long"]
    assert zmq_send_const(b, keep[0], 9, 0) == 9
    assert zmq_send_const(b, keep[1], 10, 0) == 10
    assert zmq_send_const(b, keep[2], 5, 0) == 5
    assert zmq_send_const(b, None, 0, 0) == 0
    assert [recv_msg(a) for _ in range(4)] == [[b"bytearray"], [b"memoryview"], [b"bytes"],
                                               [b""]]
    assert fails_with(zmq_send_const(b, b"abc", 4, 0), EINVAL)  # longer than the buffer
    assert fails_with(zmq_send_const(b, None, 3, 0), EFAULT)  # NULL with a length
    close(a, b)


def test_pair_second_connect_refused(ctx: Any) -> None:
    """RFC 31 (PAIR): a PAIR talks to exactly one peer; a second PAIR connecting to a
    bound PAIR that already has its peer is refused: nothing it sends is delivered, and
    the first pair keeps working."""
    ep = endpoint("pair")
    sb = sock(ctx, ZMQ_PAIR)
    bind(sb, ep)
    first = sock(ctx, ZMQ_PAIR)
    connect(first, ep)
    bounce(sb, first)
    second = sock(ctx, ZMQ_PAIR)
    connect(second, ep)  # inproc connect succeeds; the binder refuses the pipe
    rc = zmq_send(second, b"intruder", 8, ZMQ_DONTWAIT)
    assert rc == 8 or fails_with(rc, EAGAIN)
    bounce(sb, first)  # the bound PAIR has processed the refusal by now
    assert fails_with(zmq_recv(sb, bytearray(8), 8, ZMQ_DONTWAIT), EAGAIN)
    # the refused socket can no longer send: its only pipe is gone
    setopt(second, ZMQ_SNDTIMEO, 0)
    deadline = time.monotonic() + TIMEOUT / 1000
    while zmq_send(second, b"x", 1, ZMQ_DONTWAIT) == 1:
        assert time.monotonic() < deadline
        poll_in([second], 10)
    assert zmq_errno() == EAGAIN
    assert zmq_getsockopt(second, ZMQ_EVENTS) & ZMQ_POLLOUT == 0
    close(second, first, sb)


# ---------------------------------------------------------------------------- test_timeo

def test_timeo(ctx: Any) -> None:
    """test_timeo: DONTWAIT recv -> EAGAIN at once; RCVTIMEO 250 ms -> EAGAIN after
    roughly that long (bounds are generous); with timeouts set, ordinary send/recv work."""
    ep = endpoint("timeo")
    frontend = sock(ctx, ZMQ_DEALER, timeo=None)
    bind(frontend, ep)
    backend = sock(ctx, ZMQ_DEALER, timeo=None)
    connect(backend, ep)
    buf = bytearray(32)
    t0 = time.monotonic()
    assert fails_with(zmq_recv(frontend, buf, 32, ZMQ_DONTWAIT), EAGAIN)
    assert time.monotonic() - t0 < 1.0
    setopt(frontend, ZMQ_RCVTIMEO, 250)
    t0 = time.monotonic()
    assert fails_with(zmq_recv(frontend, buf, 32, 0), EAGAIN)
    elapsed = time.monotonic() - t0
    assert 0.2 <= elapsed < 2.5, elapsed
    setopt(frontend, ZMQ_RCVTIMEO, 0)  # 0 behaves as DONTWAIT
    t0 = time.monotonic()
    assert fails_with(zmq_recv(frontend, buf, 32, 0), EAGAIN)
    assert time.monotonic() - t0 < 1.0
    setopt(backend, ZMQ_SNDTIMEO, 250)
    setopt(frontend, ZMQ_RCVTIMEO, 250)
    assert zmq_send(backend, b"12345678ABCDEFGH12345678abcdefgh", 32, 0) == 32
    assert zmq_recv(frontend, buf, 32, 0) == 32
    assert bytes(buf) == b"12345678ABCDEFGH12345678abcdefgh"
    close(frontend, backend)


def test_sndtimeo_without_peer(ctx: Any) -> None:
    """§1.5: a PUSH without peers blocks on send; SNDTIMEO bounds the wait (EAGAIN),
    SNDTIMEO 0 and DONTWAIT fail at once."""
    push = sock(ctx, ZMQ_PUSH, timeo=None)
    setopt(push, ZMQ_SNDTIMEO, 200)
    t0 = time.monotonic()
    assert fails_with(zmq_send(push, b"x", 1, 0), EAGAIN)
    assert 0.15 <= time.monotonic() - t0 < 2.5
    t0 = time.monotonic()
    assert fails_with(zmq_send(push, b"x", 1, ZMQ_DONTWAIT), EAGAIN)
    setopt(push, ZMQ_SNDTIMEO, 0)
    assert fails_with(zmq_send(push, b"x", 1, 0), EAGAIN)
    assert time.monotonic() - t0 < 1.0
    close(push)


def test_rcvtimeo_message_arrives_during_wait(ctx: Any) -> None:
    """A recv waiting under RCVTIMEO returns the message another thread sends meanwhile
    (well before the timeout)."""
    ep = endpoint("timeo")
    pull = sock(ctx, ZMQ_PULL, timeo=None)
    setopt(pull, ZMQ_RCVTIMEO, TIMEOUT)
    bind(pull, ep)
    push = sock(ctx, ZMQ_PUSH)
    connect(push, ep)
    timer = threading.Timer(0.1, lambda: zmq_send(push, b"wake", 4, 0))
    t0 = time.monotonic()
    timer.start()
    buf = bytearray(8)
    assert zmq_recv(pull, buf, 8, 0) == 4 and bytes(buf[:4]) == b"wake"
    assert time.monotonic() - t0 < TIMEOUT / 1000
    timer.join()
    close(push, pull)


# ---------------------------------------------------------------------------- test_spec_pushpull

SERVICES = 5


def test_spec_pushpull_round_robin_out(ctx: Any) -> None:
    """test_spec_pushpull (RFC 30): PUSH "SHALL route outgoing messages to connected peers
    using a round-robin strategy" — 5 PULLs each get one message of every batch of 5."""
    ep = endpoint("push")
    push = sock(ctx, ZMQ_PUSH)
    bind(push, ep)
    pulls = [sock(ctx, ZMQ_PULL) for _ in range(SERVICES)]
    for p in pulls:
        connect(p, ep)
    # make sure every pipe is attached before the batch (the PUSH adopts them on its
    # next command processing; a send does that first)
    zmq_getsockopt(push, ZMQ_EVENTS)
    for i in range(SERVICES * 2):
        send_seq(push, b"ABC", b"DEF%d" % i)
    seen = []
    for p in pulls:
        frames = [recv_msg(p), recv_msg(p)]
        for f in frames:
            assert f[0] == b"ABC"
        seen.append(sorted(int(f[1][3:]) for f in frames))
        assert fails_with(zmq_recv(p, bytearray(8), 8, ZMQ_DONTWAIT), EAGAIN)
    # each PULL got exactly one message of each batch
    for got in seen:
        assert got[0] < SERVICES <= got[1]
    assert sorted(x for got in seen for x in got) == list(range(SERVICES * 2))
    close(push, *pulls)


def test_spec_pushpull_fair_queue_in(ctx: Any) -> None:
    """RFC 30: PULL "SHALL receive incoming messages from its peers using a fair-queuing
    strategy" — with 5 PUSHes each holding two messages, one from each arrives before any
    second one."""
    ep = endpoint("pull")
    pull = sock(ctx, ZMQ_PULL)
    bind(pull, ep)
    pushes = [sock(ctx, ZMQ_PUSH) for _ in range(SERVICES)]
    for i, p in enumerate(pushes):
        connect(p, ep)
        send_seq(p, b"%d-first" % i)
        send_seq(p, b"%d-second" % i)
    got = [recv_msg(pull)[0] for _ in range(SERVICES * 2)]
    firsts, seconds = got[:SERVICES], got[SERVICES:]
    assert sorted(firsts) == sorted(b"%d-first" % i for i in range(SERVICES))
    assert sorted(seconds) == sorted(b"%d-second" % i for i in range(SERVICES))
    close(pull, *pushes)


def test_spec_pushpull_block_on_send_no_peers(ctx: Any) -> None:
    """RFC 30: PUSH "SHALL block on sending, or return a suitable error, when it has no
    available peers" — EAGAIN with DONTWAIT and after a 250 ms SNDTIMEO."""
    push = sock(ctx, ZMQ_PUSH)
    bind(push, endpoint("push"))
    assert fails_with(zmq_send(push, b"x", 1, ZMQ_DONTWAIT), EAGAIN)
    setopt(push, ZMQ_SNDTIMEO, 250)
    assert fails_with(zmq_send(push, b"x", 1, 0), EAGAIN)
    assert zmq_getsockopt(push, ZMQ_EVENTS) == 0
    close(push)


def test_spec_pushpull_directions(ctx: Any) -> None:
    """RFC 30: PUSH cannot receive, PULL cannot send (ENOTSUP); ZMQ_EVENTS never reports
    the unsupported direction."""
    ep = endpoint("dir")
    push, pull = sock(ctx, ZMQ_PUSH), sock(ctx, ZMQ_PULL)
    bind(pull, ep)
    connect(push, ep)
    assert fails_with(zmq_recv(push, bytearray(1), 1, ZMQ_DONTWAIT), ENOTSUP)
    assert fails_with(zmq_send(pull, b"x", 1, ZMQ_DONTWAIT), ENOTSUP)
    send_seq(push, b"x")
    assert poll_in([pull]) == [0]
    assert zmq_getsockopt(pull, ZMQ_EVENTS) == ZMQ_POLLIN
    assert zmq_getsockopt(push, ZMQ_EVENTS) == ZMQ_POLLOUT
    close(push, pull)


# ---------------------------------------------------------------------------- test_probe_router

def test_probe_router_connect_before_bind(ctx: Any) -> None:
    """§8.9: PROBE_ROUTER's empty message is queued at zmq_connect time and reaches the
    server once it binds (inproc connect-before-bind); the server can route back at
    once."""
    ep = endpoint("probe")
    client = sock(ctx, ZMQ_ROUTER, IDENTITY=b"X", PROBE_ROUTER=1)
    connect(client, ep)
    server = sock(ctx, ZMQ_ROUTER, IDENTITY=b"S")
    bind(server, ep)
    recv_seq(server, b"X", b"")
    send_seq(server, b"X", b"Hello")
    recv_seq(client, b"S", b"Hello")
    close(client, server)
