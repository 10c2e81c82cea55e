"""RFC 28 (ZeroMQ Request-Reply): REQ, REP, DEALER and ROUTER, through the C-style API.

Each test quotes the RFC 28 statement it checks (or the libzmq 4.0 behaviour of
ZMQ40.md §3.2 / §8.7-8.11 where the RFC leaves it open). The structure follows libzmq's
own spec tests (test_spec_req/rep/router, test_req_correlate, test_req_relaxed,
test_probe_router, test_router_mandatory, test_invalid_rep), written afresh.

Waits are RCVTIMEO/SNDTIMEO or zmq_poll with generous timeouts, never fixed sleeps.
"""

# ruff: noqa: F405 - C names come from the star import, as in a ported C test
from __future__ import annotations

import struct
import time
from typing import Any

import pytest
from support import bind, settle

from zmq4.capi import *  # noqa: F403 - the C names, as a ported C test reads

TIMEOUT = 5000  # ms: generous, only reached when a test fails
SERVICES = 5


# ------------------------------------------------------------------ helpers (testutil)

def socket(ctx: Any, kind: int) -> Any:
    s = zmq_socket(ctx, kind)
    assert s is not None, zmq_strerror(zmq_errno())
    for opt in (ZMQ_RCVTIMEO, ZMQ_SNDTIMEO):
        assert zmq_setsockopt(s, opt, TIMEOUT) == 0
    assert zmq_setsockopt(s, ZMQ_LINGER, 0) == 0
    return s


def setopt(s: Any, opt: int, value: Any) -> None:
    assert zmq_setsockopt(s, opt, value) == 0, zmq_strerror(zmq_errno())


def connect(s: Any, endpoint: str) -> None:
    assert zmq_connect(s, endpoint) == 0, zmq_strerror(zmq_errno())


def send_seq(s: Any, *frames: bytes) -> None:
    """s_send_seq: one message, SNDMORE on all frames but the last."""
    for i, frame in enumerate(frames):
        flags = ZMQ_SNDMORE if i < len(frames) - 1 else 0
        rc = zmq_send(s, frame, len(frame), flags)
        assert rc == len(frame), zmq_strerror(zmq_errno())


def recv_msg(s: Any, flags: int = 0) -> list[bytes]:
    """All frames of the next message; checks zmq_msg_more against ZMQ_RCVMORE."""
    frames = []
    while True:
        msg = zmq_msg_t()
        assert zmq_msg_init(msg) == 0
        rc = zmq_msg_recv(msg, s, flags)
        assert rc >= 0, zmq_strerror(zmq_errno())
        frames.append(bytes(zmq_msg_data(msg)))
        more = zmq_msg_more(msg)
        assert zmq_getsockopt(s, ZMQ_RCVMORE) == more
        assert zmq_msg_close(msg) == 0
        if not more:
            return frames


def recv_seq(s: Any, *frames: bytes) -> None:
    """s_recv_seq: the next message is exactly ``frames``."""
    assert recv_msg(s) == list(frames)


def fails_with(rc: int, errno: int) -> bool:
    return rc == -1 and zmq_errno() == errno


def readable(socks: list[Any], timeout: int = TIMEOUT) -> list[int]:
    """Indexes of the sockets with POLLIN, waiting up to ``timeout`` for the first."""
    items = [zmq_pollitem_t(socket=s, events=ZMQ_POLLIN) for s in socks]
    rc = zmq_poll(items, len(items), timeout)
    assert rc >= 0, zmq_strerror(zmq_errno())
    return [i for i, it in enumerate(items) if it.revents & ZMQ_POLLIN]


def events(s: Any) -> int:
    ev = zmq_getsockopt(s, ZMQ_EVENTS)
    assert ev >= 0
    return ev


def route_when_ready(router: Any, identity: bytes, *frames: bytes) -> None:
    """Send ``[identity] + frames`` from a ROUTER_MANDATORY socket, retrying while the
    peer is not connected yet (EHOSTUNREACH), as libzmq's test_issue_566 does."""
    deadline = time.monotonic() + TIMEOUT / 1000
    while True:
        rc = zmq_send(router, identity, len(identity), ZMQ_SNDMORE)
        if rc == len(identity):
            break
        assert zmq_errno() == EHOSTUNREACH, zmq_strerror(zmq_errno())
        assert time.monotonic() < deadline, f"peer {identity!r} never became routable"
        readable([router], 10)  # let the socket process its commands
    send_seq(router, *frames)


# ------------------------------------------------------------------ REQ

def test_req_round_robin_out(ctx: Any, transport: str) -> None:
    """REQ: "SHALL route outgoing messages to connected peers using a round-robin
    strategy." — every one of N REP peers gets exactly one of N requests, and each
    request/reply cycle completes."""
    req = socket(ctx, ZMQ_REQ)
    reps = [socket(ctx, ZMQ_REP) for _ in range(SERVICES)]
    for rep in reps:
        connect(req, bind(rep, transport))
    served = []
    for n in range(SERVICES):
        body = b"request %d" % n
        send_seq(req, body)
        ready = readable(reps)
        assert len(ready) == 1
        served.append(ready[0])
        recv_seq(reps[ready[0]], body)
        send_seq(reps[ready[0]], b"reply %d" % n)
        recv_seq(req, b"reply %d" % n)
    assert sorted(served) == list(range(SERVICES))


def test_req_envelope_at_router(ctx: Any, transport: str) -> None:
    """REQ: "SHALL prefix the outgoing message with an empty delimiter frame." — a
    ROUTER sees ``[identity][""][body...]``; the delimiter it sends back is removed and
    the REQ application sees only the body."""
    router = socket(ctx, ZMQ_ROUTER)
    req = socket(ctx, ZMQ_REQ)
    connect(req, bind(router, transport))
    send_seq(req, b"ABC", b"DEF")
    ident, *rest = recv_msg(router)
    assert rest == [b"", b"ABC", b"DEF"]
    send_seq(router, ident, b"", b"GHI")
    recv_seq(req, b"GHI")


def test_req_block_on_send_no_peers(ctx: Any, transport: str) -> None:
    """REQ: "SHALL block on sending, or return a suitable error, when it has no
    connected peers." — DONTWAIT and SNDTIMEO both end in EAGAIN."""
    req = socket(ctx, ZMQ_REQ)
    bind(req, transport)
    assert fails_with(zmq_send(req, b"X", 1, ZMQ_DONTWAIT), EAGAIN)
    setopt(req, ZMQ_SNDTIMEO, 250)
    start = time.monotonic()
    assert fails_with(zmq_send(req, b"X", 1, 0), EAGAIN)
    assert time.monotonic() - start >= 0.2
    # the failed sends left no trace: recv is still out of sequence
    assert fails_with(zmq_recv(req, bytearray(1), 1, ZMQ_DONTWAIT), EFSM)


def test_req_accepts_reply_only_from_current_peer(ctx: Any, transport: str) -> None:
    """REQ: "SHALL accept an incoming message only from the last peer that it sent a
    request to." and "SHALL discard silently any messages received from other peers."
    Two ROUTER services; PROBE_ROUTER tells each the REQ's identity. The service that
    did not get the request sends a well-formed reply first; the REQ must ignore it."""
    req = socket(ctx, ZMQ_REQ)
    setopt(req, ZMQ_PROBE_ROUTER, 1)
    routers = [socket(ctx, ZMQ_ROUTER) for _ in range(2)]
    idents = []
    for r in routers:
        connect(req, bind(r, transport))
        ident, probe = recv_msg(r)  # PROBE_ROUTER: [identity][""]
        assert probe == b""
        idents.append(ident)
    send_seq(req, b"ABC")
    ready = readable(routers)
    assert len(ready) == 1
    served, other = ready[0], 1 - ready[0]
    assert recv_msg(routers[served]) == [idents[served], b"", b"ABC"]
    send_seq(routers[other], idents[other], b"", b"WRONG")
    send_seq(routers[served], idents[served], b"", b"RIGHT")
    recv_seq(req, b"RIGHT")
    # nothing else is pending for the application
    assert fails_with(zmq_recv(req, bytearray(8), 8, ZMQ_DONTWAIT), EFSM)


def test_req_strict_alternation_efsm(ctx: Any, transport: str) -> None:
    """REQ: "SHALL send and then receive exactly one message at a time." — recv before
    a request and a second request before the reply fail with EFSM; the multipart
    request in progress is not disturbed."""
    rep = socket(ctx, ZMQ_REP)
    req = socket(ctx, ZMQ_REQ)
    connect(req, bind(rep, transport))
    assert fails_with(zmq_recv(req, bytearray(4), 4, 0), EFSM)
    assert zmq_send(req, b"A", 1, ZMQ_SNDMORE) == 1
    assert zmq_send(req, b"B", 1, 0) == 1
    assert fails_with(zmq_send(req, b"C", 1, 0), EFSM)
    recv_seq(rep, b"A", b"B")
    send_seq(rep, b"R")
    recv_seq(req, b"R")
    assert fails_with(zmq_recv(req, bytearray(4), 4, ZMQ_DONTWAIT), EFSM)
    send_seq(req, b"again")  # the next cycle is allowed
    recv_seq(rep, b"again")


def test_req_discards_malformed_reply(ctx: Any, transport: str) -> None:
    """REQ: replies must carry the empty delimiter (RFC 28 wire format: "A delimiter,
    consisting of an empty frame, added by the REQ socket."). A ROUTER that replies
    without the delimiter is ignored; the valid reply after it is delivered
    (libzmq test_invalid_rep)."""
    router = socket(ctx, ZMQ_ROUTER)
    req = socket(ctx, ZMQ_REQ)
    connect(req, bind(router, transport))
    send_seq(req, b"r")
    ident, empty, body = recv_msg(router)
    assert (empty, body) == (b"", b"r")
    send_seq(router, ident, b"a")  # no delimiter
    send_seq(router, ident, b"X", b"", b"a")  # something before the delimiter
    send_seq(router, ident, b"", b"b")
    recv_seq(req, b"b")


# ------------------------------------------------------------------ REP

def test_rep_serial_requests(ctx: Any, transport: str) -> None:
    """REP: "SHALL receive and then send exactly one message at a time." — a series
    of requests from one REQ, each answered before the next."""
    rep = socket(ctx, ZMQ_REP)
    req = socket(ctx, ZMQ_REQ)
    connect(req, bind(rep, transport))
    for n in range(10):
        send_seq(req, b"ping %d" % n, b"tail")
        recv_seq(rep, b"ping %d" % n, b"tail")
        send_seq(rep, b"pong %d" % n)
        recv_seq(req, b"pong %d" % n)


def test_rep_envelope_with_dealer(ctx: Any, transport: str) -> None:
    """REP: "SHALL remove and store the address envelope, including the delimiter.",
    "SHALL pass the remaining data frames to its calling application." and "SHALL
    prepend the address envelope and delimiter." — a DEALER sends the envelope itself;
    it gets its envelope back in front of the reply (libzmq test_spec_rep)."""
    rep = socket(ctx, ZMQ_REP)
    dealer = socket(ctx, ZMQ_DEALER)
    connect(dealer, bind(rep, transport))
    send_seq(dealer, b"", b"A")
    recv_seq(rep, b"A")
    send_seq(rep, b"A")
    recv_seq(dealer, b"", b"A")
    send_seq(dealer, b"X", b"Y", b"", b"A", b"B")
    recv_seq(rep, b"A", b"B")
    send_seq(rep, b"C", b"D")
    recv_seq(dealer, b"X", b"Y", b"", b"C", b"D")


def test_rep_discards_request_without_delimiter(ctx: Any, transport: str) -> None:
    """REP: requests have "An address envelope ... A delimiter, consisting of an empty
    frame ... One or more data frames"; a message without the delimiter is not a
    request and is discarded whole (4.0 rolls the partial envelope back)."""
    rep = socket(ctx, ZMQ_REP)
    dealer = socket(ctx, ZMQ_DEALER)
    connect(dealer, bind(rep, transport))
    send_seq(dealer, b"X", b"bad")
    send_seq(dealer, b"")  # an empty frame without MORE is no delimiter either
    send_seq(dealer, b"Y", b"", b"good")
    recv_seq(rep, b"good")
    send_seq(rep, b"ok")
    recv_seq(dealer, b"Y", b"", b"ok")


def test_rep_fair_queue_in(ctx: Any, transport: str) -> None:
    """REP: "SHALL receive incoming messages from its peers using a fair-queuing
    strategy." — with two requests queued from each of N DEALERs, the REP serves one
    from every peer before any second one."""
    rep = socket(ctx, ZMQ_REP)
    endpoint = bind(rep, transport)
    dealers = [socket(ctx, ZMQ_DEALER) for _ in range(SERVICES)]
    for d in dealers:
        connect(d, endpoint)
    for n, d in enumerate(dealers):
        send_seq(d, b"", b"A%d" % n)
        send_seq(d, b"", b"B%d" % n)
    got = []
    for _ in range(2 * SERVICES):
        got.append(recv_msg(rep)[0])
        send_seq(rep, got[-1])
    if transport == "inproc":  # every message is queued before the first recv
        assert sorted(got[:SERVICES]) == [b"A%d" % n for n in range(SERVICES)]
    else:  # stream transports: arrival order is not under the test's control
        assert sorted(got) == sorted([b"A%d" % n for n in range(SERVICES)]
                                     + [b"B%d" % n for n in range(SERVICES)])
    for n, d in enumerate(dealers):  # each reply went back to its originating peer
        recv_seq(d, b"", b"A%d" % n)
        recv_seq(d, b"", b"B%d" % n)


def test_rep_strict_alternation_efsm(ctx: Any, transport: str) -> None:
    """REP: "SHALL receive and then send exactly one message at a time." — send before
    a request and recv while a reply is due fail with EFSM."""
    rep = socket(ctx, ZMQ_REP)
    req = socket(ctx, ZMQ_REQ)
    connect(req, bind(rep, transport))
    assert fails_with(zmq_send(rep, b"X", 1, 0), EFSM)
    send_seq(req, b"Q")
    recv_seq(rep, b"Q")
    assert fails_with(zmq_recv(rep, bytearray(4), 4, 0), EFSM)
    send_seq(rep, b"R")
    assert fails_with(zmq_send(rep, b"X", 1, 0), EFSM)
    recv_seq(req, b"R")


def test_rep_reply_to_vanished_peer_is_dropped(ctx: Any, transport: str) -> None:
    """REP: "SHALL silently discard the reply, or return an error, if the originating
    peer is no longer connected." and "SHALL not block on sending." """
    rep = socket(ctx, ZMQ_REP)
    endpoint = bind(rep, transport)
    req1 = socket(ctx, ZMQ_REQ)
    connect(req1, endpoint)
    send_seq(req1, b"one")
    recv_seq(rep, b"one")
    assert zmq_close(req1) == 0
    send_seq(rep, b"lost")  # succeeds (and does not block) whether or not req1 is gone
    req2 = socket(ctx, ZMQ_REQ)
    connect(req2, endpoint)
    send_seq(req2, b"two")
    recv_seq(rep, b"two")
    send_seq(rep, b"answer")
    recv_seq(req2, b"answer")


# ------------------------------------------------------------------ DEALER

def test_dealer_round_robin_and_no_peers(ctx: Any, transport: str) -> None:
    """DEALER: "SHALL route outgoing messages to available peers using a round-robin
    strategy." and "SHALL block on sending, or return a suitable error, when it has no
    available peers." """
    dealer = socket(ctx, ZMQ_DEALER)
    endpoint = bind(dealer, transport)
    assert fails_with(zmq_send(dealer, b"X", 1, ZMQ_DONTWAIT), EAGAIN)
    reps = [socket(ctx, ZMQ_REP) for _ in range(SERVICES)]
    for rep in reps:
        connect(rep, endpoint)
    # connects from the other side are asynchronous over tcp/ipc: round-robin can only
    # spread the requests over the peers that are attached, so wait for all of them
    settle(dealer, SERVICES)
    for n in range(SERVICES):
        send_seq(dealer, b"", b"req %d" % n)
    served = []
    for _ in range(SERVICES):
        ready = readable(reps)
        assert ready
        i = ready[0]
        served.append(i)
        body = recv_msg(reps[i])
        send_seq(reps[i], b"re: " + body[0])
    assert sorted(served) == list(range(SERVICES))
    replies = sorted(recv_msg(dealer)[1] for _ in range(SERVICES))
    assert replies == sorted(b"re: req %d" % n for n in range(SERVICES))


# ------------------------------------------------------------------ ROUTER

def test_router_fair_queue_identity_prefix(ctx: Any, transport: str) -> None:
    """ROUTER: "SHALL prefix each incoming message with a frame containing the identity
    of the originating double queue." and "SHOULD allow the peer to specify its
    identity explicitly" — five DEALERs with 2-byte identities (libzmq
    test_spec_router)."""
    router = socket(ctx, ZMQ_ROUTER)
    endpoint = bind(router, transport)
    dealers = []
    for n in range(SERVICES):
        d = socket(ctx, ZMQ_DEALER)
        setopt(d, ZMQ_IDENTITY, b"D%d" % n)
        connect(d, endpoint)
        dealers.append(d)
    for n, d in enumerate(dealers):
        send_seq(d, b"M%d" % n, b"tail")
    got = sorted(recv_msg(router) for _ in range(SERVICES))
    assert got == [[b"D%d" % n, b"M%d" % n, b"tail"] for n in range(SERVICES)]
    for n in range(SERVICES):  # and routes back by identity
        send_seq(router, b"D%d" % n, b"back %d" % n)
    for n, d in enumerate(dealers):
        recv_seq(d, b"back %d" % n)


def test_router_generated_identities(ctx: Any, transport: str) -> None:
    """ROUTER: "SHALL identify each double queue using a unique 'identity' binary
    string." — peers without ZMQ_IDENTITY get 5-byte ids: 0x00 + a 32-bit big-endian
    counter (spec §3.2)."""
    router = socket(ctx, ZMQ_ROUTER)
    endpoint = bind(router, transport)
    ids = []
    for n in range(3):
        d = socket(ctx, ZMQ_DEALER)
        connect(d, endpoint)
        send_seq(d, b"hi %d" % n)
        ident, body = recv_msg(router)
        assert body == b"hi %d" % n
        assert len(ident) == 5 and ident[0] == 0
        ids.append(struct.unpack(">I", ident[1:])[0])
    assert len(set(ids)) == 3
    assert [(i - ids[0]) & 0xFFFFFFFF for i in ids] == [0, 1, 2]


def test_req_router_dealer_rep_device(ctx: Any, transport: str) -> None:
    """RFC 28: "DEALER and ROUTER sockets are building blocks" — a hand-written
    ROUTER/DEALER forwarder between REQ and REP carries multipart requests and
    replies with their envelopes (libzmq test_reqrep_device)."""
    frontend, backend = socket(ctx, ZMQ_ROUTER), socket(ctx, ZMQ_DEALER)
    req, rep = socket(ctx, ZMQ_REQ), socket(ctx, ZMQ_REP)
    connect(req, bind(frontend, transport))
    connect(rep, bind(backend, transport))
    send_seq(req, b"ABC", b"DEFG")
    request = recv_msg(frontend)
    assert request[1:] == [b"", b"ABC", b"DEFG"]
    send_seq(backend, *request)
    recv_seq(rep, b"ABC", b"DEFG")
    send_seq(rep, b"GHIJKL", b"MN")
    reply = recv_msg(backend)
    assert reply == [request[0], b"", b"GHIJKL", b"MN"]
    send_seq(frontend, *reply)
    recv_seq(req, b"GHIJKL", b"MN")


def test_router_router_identities(ctx: Any, transport: str) -> None:
    """ROUTER: "MAY be connected to any number of REQ, DEALER, or ROUTER peers" —
    two ROUTERs with explicit identities address each other by them."""
    server, client = socket(ctx, ZMQ_ROUTER), socket(ctx, ZMQ_ROUTER)
    setopt(server, ZMQ_IDENTITY, b"server")
    setopt(client, ZMQ_IDENTITY, b"client")
    setopt(client, ZMQ_ROUTER_MANDATORY, 1)
    connect(client, bind(server, transport))
    route_when_ready(client, b"server", b"hello", b"world")
    recv_seq(server, b"client", b"hello", b"world")
    send_seq(server, b"client", b"welcome")
    recv_seq(client, b"server", b"welcome")


def test_router_unroutable_dropped_or_ehostunreach(ctx: Any, transport: str) -> None:
    """ROUTER: "SHALL either silently drop the message, or return an error, depending on
    configuration, if the queue does not exist" — by default a message to an unknown
    identity is dropped; with ROUTER_MANDATORY the identity frame fails with
    EHOSTUNREACH (libzmq test_router_mandatory)."""
    router = socket(ctx, ZMQ_ROUTER)
    endpoint = bind(router, transport)
    send_seq(router, b"UNKNOWN", b"DATA")  # dropped silently
    setopt(router, ZMQ_ROUTER_MANDATORY, 1)
    assert fails_with(zmq_send(router, b"UNKNOWN", 7, ZMQ_SNDMORE), EHOSTUNREACH)
    dealer = socket(ctx, ZMQ_DEALER)
    setopt(dealer, ZMQ_IDENTITY, b"X")
    connect(dealer, endpoint)
    send_seq(dealer, b"Hello")
    recv_seq(router, b"X", b"Hello")
    send_seq(router, b"X", b"DATA")
    recv_seq(dealer, b"DATA")


def test_router_single_frame_is_dropped(ctx: Any, transport: str) -> None:
    """ROUTER: "SHALL remove the first frame from each outgoing message and use this as
    the identity" — a lone frame has nothing to route and is silently dropped, even
    with ROUTER_MANDATORY."""
    router = socket(ctx, ZMQ_ROUTER)
    setopt(router, ZMQ_ROUTER_MANDATORY, 1)
    dealer = socket(ctx, ZMQ_DEALER)
    setopt(dealer, ZMQ_IDENTITY, b"X")
    connect(dealer, bind(router, transport))
    send_seq(dealer, b"hi")
    recv_seq(router, b"X", b"hi")
    assert zmq_send(router, b"X", 1, 0) == 1  # no MORE: dropped
    assert zmq_send(router, b"NOBODY", 6, 0) == 6  # no MORE: not even looked up
    send_seq(router, b"X", b"real")
    recv_seq(dealer, b"real")


def test_router_never_blocks_when_full(ctx: Any, transport: str) -> None:
    """ROUTER: "SHALL NOT block on sending." and "SHALL either silently drop the message
    ... if the queue ... is full" — without ROUTER_MANDATORY a full peer queue costs the
    message, never a wait."""
    router = socket(ctx, ZMQ_ROUTER)
    setopt(router, ZMQ_SNDHWM, 1)
    dealer = socket(ctx, ZMQ_DEALER)
    setopt(dealer, ZMQ_RCVHWM, 1)
    setopt(dealer, ZMQ_IDENTITY, b"X")
    connect(dealer, bind(router, transport))
    send_seq(dealer, b"hi")
    recv_seq(router, b"X", b"hi")
    for n in range(100):
        assert zmq_send(router, b"X", 1, ZMQ_SNDMORE | ZMQ_DONTWAIT) == 1
        assert zmq_send(router, b"%d" % n, len(b"%d" % n), ZMQ_DONTWAIT) >= 1
    assert events(router) & ZMQ_POLLOUT
    first = recv_msg(dealer)
    assert first == [b"0"]  # later messages went over the HWM and were dropped


# ------------------------------------------------------------------ ROUTER_MANDATORY (§8.7)

def test_router_mandatory_full_queue_eagain(ctx: Any) -> None:
    """§8.7: with ROUTER_MANDATORY a known peer whose queue is full gives EAGAIN with
    DONTWAIT, and a blocking send waits until SNDTIMEO (RFC 28 "return an error,
    depending on configuration, if the queue ... is full"). inproc: pipe capacity is
    SNDHWM + RCVHWM."""
    router = socket(ctx, ZMQ_ROUTER)
    setopt(router, ZMQ_ROUTER_MANDATORY, 1)
    setopt(router, ZMQ_SNDHWM, 1)
    dealer = socket(ctx, ZMQ_DEALER)
    setopt(dealer, ZMQ_RCVHWM, 1)
    setopt(dealer, ZMQ_IDENTITY, b"X")
    connect(dealer, bind(router, "inproc"))
    send_seq(dealer, b"hi")
    recv_seq(router, b"X", b"hi")
    send_seq(router, b"X", b"1")
    send_seq(router, b"X", b"2")
    assert fails_with(zmq_send(router, b"X", 1, ZMQ_SNDMORE | ZMQ_DONTWAIT), EAGAIN)
    setopt(router, ZMQ_SNDTIMEO, 200)
    start = time.monotonic()
    assert fails_with(zmq_send(router, b"X", 1, ZMQ_SNDMORE), EAGAIN)
    assert time.monotonic() - start >= 0.15
    recv_seq(dealer, b"1")  # room for one more
    setopt(router, ZMQ_SNDTIMEO, TIMEOUT)
    send_seq(router, b"X", b"3")
    recv_seq(dealer, b"2")
    recv_seq(dealer, b"3")


def test_router_mandatory_reconnected_identity(ctx: Any, transport: str) -> None:
    """§8.22: a peer that reconnects with the same explicit identity is routable again
    once the old connection is gone (libzmq test_issue_566: ROUTER retries while it gets
    EHOSTUNREACH)."""
    router = socket(ctx, ZMQ_ROUTER)
    setopt(router, ZMQ_ROUTER_MANDATORY, 1)
    endpoint = bind(router, transport)
    for n in range(10):
        dealer = socket(ctx, ZMQ_DEALER)
        setopt(dealer, ZMQ_IDENTITY, b"gateway")
        connect(dealer, endpoint)
        route_when_ready(router, b"gateway", b"HELLO %d" % n)
        recv_seq(dealer, b"HELLO %d" % n)
        assert zmq_close(dealer) == 0
        # "once the old connection is gone": over tcp/ipc the ROUTER learns of the close
        # asynchronously, and until then "gateway" still routes to the old pipe
        settle(router, 0)


# ------------------------------------------------------------------ identities (§8.22)

def test_router_duplicate_identity_refused(ctx: Any, transport: str) -> None:
    """ROUTER: "SHALL identify each double queue using a unique 'identity'" — a second
    peer announcing an identity already in use is refused: the first keeps it, nothing
    from the newcomer is delivered (zmq4 closes it instead of 4.0's anonymous-pipe
    quirk, §3.2)."""
    router = socket(ctx, ZMQ_ROUTER)
    endpoint = bind(router, transport)
    first, second, third = (socket(ctx, ZMQ_DEALER) for _ in range(3))
    for d, ident in ((first, b"dup"), (second, b"dup"), (third, b"other")):
        setopt(d, ZMQ_IDENTITY, ident)
    connect(first, endpoint)
    send_seq(first, b"one")
    recv_seq(router, b"dup", b"one")
    connect(second, endpoint)
    zmq_send(second, b"two", 3, ZMQ_DONTWAIT)  # may be refused at once (no pipe left)
    connect(third, endpoint)
    send_seq(third, b"three")
    recv_seq(router, b"other", b"three")
    send_seq(router, b"dup", b"for first")
    recv_seq(first, b"for first")
    assert fails_with(zmq_recv(router, bytearray(8), 8, ZMQ_DONTWAIT), EAGAIN)


# ------------------------------------------------------------------ PROBE_ROUTER (§8.9)

def test_probe_router_router_to_router(ctx: Any, transport: str) -> None:
    """§8.9 PROBE_ROUTER: a client ROUTER "X" with PROBE_ROUTER connects; the server
    receives ``["X"][""]`` and can route to X at once; the client sees the server's
    generated identity (libzmq test_probe_router)."""
    server = socket(ctx, ZMQ_ROUTER)
    endpoint = bind(server, transport)
    client = socket(ctx, ZMQ_ROUTER)
    setopt(client, ZMQ_IDENTITY, b"X")
    setopt(client, ZMQ_PROBE_ROUTER, 1)
    connect(client, endpoint)
    recv_seq(server, b"X", b"")
    send_seq(server, b"X", b"Hello")
    ident, body = recv_msg(client)
    assert body == b"Hello"
    assert len(ident) == 5 and ident[0] == 0


@pytest.mark.parametrize("kind", [ZMQ_DEALER, ZMQ_REQ])
def test_probe_router_dealer_and_req(ctx: Any, transport: str, kind: int) -> None:
    """§8.9 PROBE_ROUTER on DEALER and REQ: one empty message per new connection,
    outside the REQ state machine (the REQ can still send its first request)."""
    server = socket(ctx, ZMQ_ROUTER)
    client = socket(ctx, kind)
    setopt(client, ZMQ_IDENTITY, b"C")
    setopt(client, ZMQ_PROBE_ROUTER, 1)
    connect(client, bind(server, transport))
    recv_seq(server, b"C", b"")
    if kind == ZMQ_REQ:
        send_seq(client, b"req")
        recv_seq(server, b"C", b"", b"req")
        send_seq(server, b"C", b"", b"rep")
    else:
        send_seq(client, b"req")
        recv_seq(server, b"C", b"req")
        send_seq(server, b"C", b"rep")
    recv_seq(client, b"rep")


# ------------------------------------------------------------------ REQ_CORRELATE (§8.10)

def test_req_correlate(ctx: Any, transport: str) -> None:
    """§8.10 REQ_CORRELATE: requests are ``[request-id][""][body]`` with a 4-byte id
    incremented per request; replies not starting with the current id and an empty
    frame are silently discarded (libzmq test_req_correlate)."""
    req = socket(ctx, ZMQ_REQ)
    setopt(req, ZMQ_REQ_CORRELATE, 1)
    router = socket(ctx, ZMQ_ROUTER)
    connect(req, bind(router, transport))
    send_seq(req, b"ABC", b"DEF")
    ident, rid, empty, *body = recv_msg(router)
    assert len(rid) == 4 and empty == b"" and body == [b"ABC", b"DEF"]
    wrong = struct.pack("=I", (struct.unpack("=I", rid)[0] + 1) & 0xFFFFFFFF)
    for bad in ([], [wrong], [rid, b""], [rid, b"FOO"], [wrong, b""], [rid, b"FOO", b"DATA"],
                [wrong, b"", b"DATA"], [b"", b"DATA"]):
        if not bad:
            send_seq(router, ident, rid)  # id alone, no MORE: malformed
        else:
            send_seq(router, ident, *bad)
    send_seq(router, ident, rid, b"", b"GHI")
    recv_seq(req, b"GHI")
    # the next request carries the next id
    send_seq(req, b"again")
    ident2, rid2, empty, body = recv_msg(router)
    assert ident2 == ident and empty == b"" and body == b"again"
    assert struct.unpack("=I", rid2)[0] == (struct.unpack("=I", rid)[0] + 1) & 0xFFFFFFFF
    send_seq(router, ident, rid, b"", b"stale")  # answers the previous request
    send_seq(router, ident, rid2, b"", b"fresh")
    recv_seq(req, b"fresh")


def test_req_correlate_with_rep(ctx: Any, transport: str) -> None:
    """§3.2: REP "Works with REQ_CORRELATE peers (the id frame is just part of the
    envelope)"."""
    rep = socket(ctx, ZMQ_REP)
    req = socket(ctx, ZMQ_REQ)
    setopt(req, ZMQ_REQ_CORRELATE, 1)
    connect(req, bind(rep, transport))
    for n in range(3):
        send_seq(req, b"q%d" % n)
        recv_seq(rep, b"q%d" % n)
        send_seq(rep, b"a%d" % n)
        recv_seq(req, b"a%d" % n)


# ------------------------------------------------------------------ REQ_RELAXED (§8.11)

def _serving(reps: list[Any], *body: bytes) -> int:
    ready = readable(reps)
    assert len(ready) == 1
    recv_seq(reps[ready[0]], *body)
    return ready[0]


def test_req_relaxed(ctx: Any, transport: str) -> None:
    """§8.11 REQ_RELAXED (+ CORRELATE): a second request may be sent before the reply;
    the late reply from the first peer is discarded and the reply to the new request is
    delivered — whether the stale reply comes later or is already queued (libzmq
    test_req_relaxed)."""
    req = socket(ctx, ZMQ_REQ)
    setopt(req, ZMQ_REQ_RELAXED, 1)
    setopt(req, ZMQ_REQ_CORRELATE, 1)
    endpoint = bind(req, transport)
    reps = [socket(ctx, ZMQ_REP) for _ in range(SERVICES)]
    for rep in reps:
        connect(rep, endpoint)

    # Case 1: the second send comes before the first reply exists.
    send_seq(req, b"A", b"B")
    first = _serving(reps, b"A", b"B")
    send_seq(req, b"C", b"D")
    second = _serving(reps, b"C", b"D")
    assert second != first
    send_seq(reps[first], b"WRONG")
    send_seq(reps[second], b"OK")
    recv_seq(req, b"OK")

    # a normal cycle in between
    send_seq(req, b"E")
    third = _serving(reps, b"E")
    send_seq(reps[third], b"F")
    recv_seq(req, b"F")

    # Case 2: the stale reply is already queued at the REQ when it sends again.
    send_seq(req, b"I")
    fourth = _serving(reps, b"I")
    send_seq(reps[fourth], b"BAD")
    assert readable([req]) == [0]  # the reply is there, unread
    send_seq(req, b"J")
    fifth = _serving(reps, b"J")
    send_seq(reps[fifth], b"GOOD")
    recv_seq(req, b"GOOD")


def test_req_relaxed_without_correlate(ctx: Any, transport: str) -> None:
    """§8.11: REQ_RELAXED alone also allows a new request; the abandoned peer's pipe is
    dropped, so its late reply cannot be taken for the answer."""
    req = socket(ctx, ZMQ_REQ)
    setopt(req, ZMQ_REQ_RELAXED, 1)
    endpoint = bind(req, transport)
    reps = [socket(ctx, ZMQ_REP) for _ in range(2)]
    for rep in reps:
        connect(rep, endpoint)
    send_seq(req, b"one")
    first = _serving(reps, b"one")
    send_seq(req, b"two")
    second = _serving(reps, b"two")
    assert second != first
    send_seq(reps[first], b"late")
    send_seq(reps[second], b"answer")
    recv_seq(req, b"answer")


# ------------------------------------------------------------------ ZMQ_EVENTS

def test_req_rep_events(ctx: Any, transport: str) -> None:
    """§3.2: REQ "POLLOUT is false while awaiting a reply; POLLIN false while not"; REP
    reports POLLIN only while receiving and POLLOUT only while a reply is due; ROUTER
    POLLOUT is always true."""
    rep = socket(ctx, ZMQ_REP)
    req = socket(ctx, ZMQ_REQ)
    router = socket(ctx, ZMQ_ROUTER)
    assert events(router) == ZMQ_POLLOUT  # even with no peer at all
    assert events(req) == 0  # no peer: cannot send
    assert events(rep) == 0
    connect(req, bind(rep, transport))
    assert events(req) == ZMQ_POLLOUT
    send_seq(req, b"Q")
    assert events(req) == 0
    assert readable([rep]) == [0]
    assert events(rep) == ZMQ_POLLIN
    recv_seq(rep, b"Q")
    assert events(rep) == ZMQ_POLLOUT
    send_seq(rep, b"R")
    assert events(rep) == 0
    assert readable([req]) == [0]
    assert events(req) == ZMQ_POLLIN
    recv_seq(req, b"R")
    assert events(req) == ZMQ_POLLOUT
