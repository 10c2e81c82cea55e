"""REQ and REP beyond RFC 28's MUSTs: option handling, poll accuracy with malformed
traffic, and the places where zmq4 deliberately differs from 4.0 quirks (ZMQ40.md §3.2):

* REQ whose remembered peer has gone accepts no other peer's message as the reply
  (4.0 then accepts anyone's);
* REQ/REP report POLLIN only for a well-formed reply/request (4.0 also for messages
  recv would discard);
* REP with ROUTER_MANDATORY: a reply to a vanished requester is EHOSTUNREACH and the
  socket returns to receiving (4.0 aborts on an assertion).

inproc only where the point is that something is *not* delivered: inproc delivery is
synchronous, so the absence can be asserted without waiting.
"""

# ruff: noqa: F405 - C names come from the star import, as in a ported C test
from __future__ import annotations

import struct
from typing import Any

import pytest
from support import bind, settle, wait_queued

from zmq4.capi import *  # noqa: F403 - the C names, as a ported C test reads

TIMEOUT = 5000  # ms


def socket(ctx: Any, kind: int) -> Any:
    s = zmq_socket(ctx, kind)
    assert s is not None, zmq_strerror(zmq_errno())
    for opt in (ZMQ_RCVTIMEO, ZMQ_SNDTIMEO):
        assert zmq_setsockopt(s, opt, TIMEOUT) == 0
    assert zmq_setsockopt(s, ZMQ_LINGER, 0) == 0
    return s


def setopt(s: Any, opt: int, value: Any) -> None:
    assert zmq_setsockopt(s, opt, value) == 0, zmq_strerror(zmq_errno())


def fails_with(rc: int, errno: int) -> bool:
    return rc == -1 and zmq_errno() == errno


def send_seq(s: Any, *frames: bytes) -> None:
    for i, frame in enumerate(frames):
        flags = ZMQ_SNDMORE if i < len(frames) - 1 else 0
        assert zmq_send(s, frame, len(frame), flags) == len(frame), zmq_strerror(zmq_errno())


def recv_msg(s: Any, flags: int = 0) -> list[bytes]:
    frames = []
    while True:
        msg = zmq_msg_t()
        assert zmq_msg_init(msg) == 0
        assert zmq_msg_recv(msg, s, flags) >= 0, zmq_strerror(zmq_errno())
        frames.append(bytes(zmq_msg_data(msg)))
        more = zmq_msg_more(msg)
        assert zmq_msg_close(msg) == 0
        if not more:
            return frames


def recv_seq(s: Any, *frames: bytes) -> None:
    assert recv_msg(s) == list(frames)


def events(s: Any) -> int:
    ev = zmq_getsockopt(s, ZMQ_EVENTS)
    assert ev >= 0
    return ev


def connect(s: Any, endpoint: str) -> None:
    assert zmq_connect(s, endpoint) == 0, zmq_strerror(zmq_errno())


# ------------------------------------------------------------------ options

def test_req_options(ctx: Any) -> None:
    """REQ_CORRELATE / REQ_RELAXED / PROBE_ROUTER: REQ accepts 0 and positive ints,
    refuses negatives and wrong sizes (EINVAL, as 4.0); they are write-only."""
    req = socket(ctx, ZMQ_REQ)
    for opt in (ZMQ_REQ_CORRELATE, ZMQ_REQ_RELAXED, ZMQ_PROBE_ROUTER):
        assert zmq_setsockopt(req, opt, 1) == 0
        assert zmq_setsockopt(req, opt, 0) == 0
        assert fails_with(zmq_setsockopt(req, opt, -1), EINVAL)
        assert fails_with(zmq_setsockopt(req, opt, struct.pack("=q", 1)), EINVAL)
        assert fails_with(zmq_getsockopt(req, opt), EINVAL)


@pytest.mark.parametrize("kind", [ZMQ_REP, ZMQ_DEALER, ZMQ_ROUTER])
def test_req_options_refused_elsewhere(ctx: Any, kind: int) -> None:
    s = socket(ctx, kind)
    assert fails_with(zmq_setsockopt(s, ZMQ_REQ_CORRELATE, 1), EINVAL)
    assert fails_with(zmq_setsockopt(s, ZMQ_REQ_RELAXED, 1), EINVAL)


def test_req_correlate_id_is_native_u32_counter(ctx: Any, transport: str) -> None:
    """§8.10: the request id is a native-endian uint32 incremented per request."""
    router = socket(ctx, ZMQ_ROUTER)
    req = socket(ctx, ZMQ_REQ)
    setopt(req, ZMQ_REQ_CORRELATE, 1)
    connect(req, bind(router, transport))
    ids = []
    for n in range(4):
        send_seq(req, b"%d" % n)
        ident, rid, empty, body = recv_msg(router)
        assert empty == b"" and body == b"%d" % n
        ids.append(struct.unpack("=I", rid)[0])
        send_seq(router, ident, rid, b"", b"r%d" % n)
        recv_seq(req, b"r%d" % n)
    assert [(i - ids[0]) & 0xFFFFFFFF for i in ids] == [0, 1, 2, 3]


# ------------------------------------------------------------------ poll accuracy

def test_req_pollin_ignores_malformed_and_foreign_replies(ctx: Any, transport: str) -> None:
    """REQ POLLIN means recv will deliver: malformed replies and other peers' messages
    are discarded while polling (4.0 may report POLLIN, then recv gives EAGAIN)."""
    req = socket(ctx, ZMQ_REQ)
    setopt(req, ZMQ_PROBE_ROUTER, 1)
    setopt(req, ZMQ_REQ_CORRELATE, 1)
    a, b = socket(ctx, ZMQ_ROUTER), socket(ctx, ZMQ_ROUTER)
    connect(req, bind(a, transport))
    connect(req, bind(b, transport))
    ida, idb = recv_msg(a)[0], recv_msg(b)[0]
    send_seq(req, b"Q")
    items = [zmq_pollitem_t(socket=a, events=ZMQ_POLLIN),
             zmq_pollitem_t(socket=b, events=ZMQ_POLLIN)]
    assert zmq_poll(items, 2, TIMEOUT) == 1
    (served, ident), (other, oid) = ((a, ida), (b, idb))
    if items[1].revents:
        (served, ident), (other, oid) = ((b, idb), (a, ida))
    _, rid, _, _ = recv_msg(served)
    send_seq(served, ident, b"", b"no id")
    send_seq(served, ident, rid, b"no delimiter")
    send_seq(other, oid, rid, b"", b"foreign")
    wait_queued(req, 3)  # tcp/ipc: the three are in flight until then
    assert events(req) == 0
    assert fails_with(zmq_recv(req, bytearray(16), 16, ZMQ_DONTWAIT), EAGAIN)
    send_seq(served, ident, rid, b"", b"good", b"reply")
    wait_queued(req, 1)
    assert events(req) == ZMQ_POLLIN
    recv_seq(req, b"good", b"reply")
    assert events(req) == ZMQ_POLLOUT


def test_rep_pollin_ignores_requests_without_delimiter(ctx: Any, transport: str) -> None:
    """REP POLLIN means recv will deliver a request: envelopes without a delimiter are
    discarded while polling."""
    rep = socket(ctx, ZMQ_REP)
    dealer = socket(ctx, ZMQ_DEALER)
    connect(dealer, bind(rep, transport))
    send_seq(dealer, b"no", b"delimiter")
    wait_queued(rep, 1)  # tcp/ipc: in flight until then
    assert events(rep) == 0
    send_seq(dealer, b"env", b"", b"body", b"more")
    wait_queued(rep, 1)
    assert events(rep) == ZMQ_POLLIN
    recv_seq(rep, b"body", b"more")
    assert events(rep) == ZMQ_POLLOUT
    send_seq(rep, b"ok")
    recv_seq(dealer, b"env", b"", b"ok")


def test_rep_partial_read_keeps_pollin(ctx: Any, transport: str) -> None:
    """While the frames of a request are being read, POLLIN stays set and POLLOUT is
    not yet set."""
    rep = socket(ctx, ZMQ_REP)
    req = socket(ctx, ZMQ_REQ)
    connect(req, bind(rep, transport))
    send_seq(req, b"1", b"2", b"3")
    buf = bytearray(4)
    assert zmq_recv(rep, buf, 4, 0) == 1 and zmq_getsockopt(rep, ZMQ_RCVMORE) == 1
    assert events(rep) == ZMQ_POLLIN
    assert fails_with(zmq_send(rep, b"early", 5, 0), EFSM)
    assert zmq_recv(rep, buf, 4, 0) == 1
    assert zmq_recv(rep, buf, 4, 0) == 1 and zmq_getsockopt(rep, ZMQ_RCVMORE) == 0
    assert events(rep) == ZMQ_POLLOUT


# ------------------------------------------------------------------ deliberate deviations

def test_req_reply_pipe_gone_accepts_no_imposter(ctx: Any) -> None:
    """RFC 28 "SHALL accept an incoming message only from the last peer that it sent a
    request to": after that peer disconnects, another peer's well-formed message is
    still not a reply (4.0 [quirk] accepts it). REQ_RELAXED lets the client move on."""
    req = socket(ctx, ZMQ_REQ)
    setopt(req, ZMQ_PROBE_ROUTER, 1)
    a, b = socket(ctx, ZMQ_ROUTER), socket(ctx, ZMQ_ROUTER)
    # inproc: the peer's close ends the pipe at once (over tcp/ipc a connect pipe
    # outlives its connection, §8.3, so the "pipe gone" state does not arise)
    connect(req, bind(a, "inproc"))
    connect(req, bind(b, "inproc"))
    peers = {recv_msg(a)[0]: a, recv_msg(b)[0]: b}
    send_seq(req, b"Q")
    items = [zmq_pollitem_t(socket=a, events=ZMQ_POLLIN),
             zmq_pollitem_t(socket=b, events=ZMQ_POLLIN)]
    assert zmq_poll(items, 2, TIMEOUT) == 1
    served, other = (a, b) if items[0].revents else (b, a)
    recv_msg(served)
    oid = next(i for i, s in peers.items() if s is other)
    assert zmq_close(served) == 0
    send_seq(other, oid, b"", b"imposter")
    assert fails_with(zmq_recv(req, bytearray(16), 16, ZMQ_DONTWAIT), EAGAIN)
    assert events(req) == 0
    setopt(req, ZMQ_REQ_RELAXED, 1)
    send_seq(req, b"again")
    recv_seq(other, oid, b"", b"again")
    send_seq(other, oid, b"", b"real")
    recv_seq(req, b"real")


def test_rep_mandatory_vanished_requester(ctx: Any, transport: str) -> None:
    """REP inherits ROUTER_MANDATORY (4.0): RFC 28 "SHALL silently discard the reply, or
    return an error, if the originating peer is no longer connected" — here the error,
    EHOSTUNREACH; the REP then serves the next request."""
    rep = socket(ctx, ZMQ_REP)
    setopt(rep, ZMQ_ROUTER_MANDATORY, 1)
    endpoint = bind(rep, transport)
    req1 = socket(ctx, ZMQ_REQ)
    connect(req1, endpoint)
    send_seq(req1, b"one")
    recv_seq(rep, b"one")
    assert zmq_close(req1) == 0
    settle(rep, 0)  # tcp/ipc: the REP hears of the close asynchronously
    assert fails_with(zmq_send(rep, b"lost", 4, 0), EHOSTUNREACH)
    assert events(rep) == 0  # back to receiving, nothing queued
    req2 = socket(ctx, ZMQ_REQ)
    connect(req2, endpoint)
    send_seq(req2, b"two")
    recv_seq(rep, b"two")
    send_seq(rep, b"answer")
    recv_seq(req2, b"answer")


def test_rep_mandatory_full_requester_waits(ctx: Any) -> None:
    """REP + ROUTER_MANDATORY with the requester's queue full: EAGAIN with DONTWAIT,
    and the reply is still due (the same send succeeds once there is room)."""
    rep = socket(ctx, ZMQ_REP)
    setopt(rep, ZMQ_ROUTER_MANDATORY, 1)
    setopt(rep, ZMQ_SNDHWM, 1)
    dealer = socket(ctx, ZMQ_DEALER)
    setopt(dealer, ZMQ_RCVHWM, 1)
    # inproc: exact pipe capacity (tcp/ipc add kernel buffers and a session's queue)
    connect(dealer, bind(rep, "inproc"))
    for n in range(3):
        send_seq(dealer, b"", b"%d" % n)
    for n in range(2):
        recv_seq(rep, b"%d" % n)
        send_seq(rep, b"r%d" % n)  # fills the pipe (capacity 1 + 1)
    recv_seq(rep, b"2")
    assert fails_with(zmq_send(rep, b"r2", 2, ZMQ_DONTWAIT), EAGAIN)
    assert events(rep) == ZMQ_POLLOUT  # still in reply state
    recv_seq(dealer, b"", b"r0")
    send_seq(rep, b"r2")
    recv_seq(dealer, b"", b"r1")
    recv_seq(dealer, b"", b"r2")


# ------------------------------------------------------------------ stale replies

def test_req_new_request_discards_queued_stale_reply(ctx: Any, transport: str) -> None:
    """§3.2: when a request starts, whatever is queued for receive is discarded, so a
    duplicate reply to an old request cannot answer the new one (same peer, no
    CORRELATE)."""
    router = socket(ctx, ZMQ_ROUTER)
    req = socket(ctx, ZMQ_REQ)
    connect(req, bind(router, transport))
    send_seq(req, b"one")
    ident, _, _ = recv_msg(router)
    send_seq(router, ident, b"", b"r1")
    send_seq(router, ident, b"", b"duplicate")
    wait_queued(req, 2)  # "queued": over tcp/ipc the duplicate is in flight until then
    recv_seq(req, b"r1")
    send_seq(req, b"two")
    recv_seq(router, ident, b"", b"two")
    send_seq(router, ident, b"", b"r2")
    recv_seq(req, b"r2")


def test_req_relaxed_drops_abandoned_connection(ctx: Any) -> None:
    """§8.11: REQ_RELAXED terminates the pipe the abandoned reply was expected from; over
    inproc that connection is gone for good, so later requests go to the other peer."""
    req = socket(ctx, ZMQ_REQ)
    setopt(req, ZMQ_REQ_RELAXED, 1)
    reps = [socket(ctx, ZMQ_REP) for _ in range(2)]
    for rep in reps:  # inproc: tcp/ipc re-establish the connection, see
        connect(req, bind(rep, "inproc"))  # test_transport_tcp_ipc.py
    send_seq(req, b"one")
    items = [zmq_pollitem_t(socket=r, events=ZMQ_POLLIN) for r in reps]
    assert zmq_poll(items, 2, TIMEOUT) == 1
    abandoned = 0 if items[0].revents else 1
    recv_seq(reps[abandoned], b"one")
    kept = reps[1 - abandoned]
    for n in range(3):
        send_seq(req, b"next %d" % n)
        recv_seq(kept, b"next %d" % n)
        send_seq(kept, b"reply %d" % n)
        recv_seq(req, b"reply %d" % n)
    send_seq(reps[abandoned], b"too late")  # dropped: its requester pipe is gone
    assert fails_with(zmq_recv(req, bytearray(8), 8, ZMQ_DONTWAIT), EFSM)


# ------------------------------------------------------------------ threads

def test_req_rep_across_threads(ctx: Any, transport: str) -> None:
    """REQ/REP bounce with the REP in its own thread (libzmq inproc_lat pattern): every
    blocking recv is woken by the other thread's send."""
    import threading

    rep = socket(ctx, ZMQ_REP)
    endpoint = bind(rep, transport)
    rounds = 200
    errors: list[BaseException] = []

    def serve() -> None:
        try:
            for _ in range(rounds):
                body = recv_msg(rep)
                send_seq(rep, *body)
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    t = threading.Thread(target=serve)
    t.start()
    req = socket(ctx, ZMQ_REQ)
    connect(req, endpoint)
    for n in range(rounds):
        send_seq(req, b"%d" % n, b"x" * (n % 7))
        recv_seq(req, b"%d" % n, b"x" * (n % 7))
    t.join(TIMEOUT / 1000)
    assert not t.is_alive() and not errors
