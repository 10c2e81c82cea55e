"""RFC 29 (PUBSUB) through the C-style API, on every transport in ``TRANSPORTS``.

Each test's docstring quotes the RFC 29 sentence it checks (or the libzmq 4.0 behaviour of
spec/ZMQ40.md §3.2, §8.5, §8.6, §8.21 where the RFC leaves the detail open).

Subscriptions travel asynchronously (over tcp they cross an I/O thread), so tests never
sleep: they publish probes until one arrives (``sync``) and prove that something did *not*
happen with ordered markers sent after it on the same path.
"""

# ruff: noqa: F405 - C names come from the star import, as in a ported C test
from __future__ import annotations

import socket as _socket
import threading
import time
from typing import Any

from support import bind, bind_address, wait_queued

from zmq4.capi import *  # noqa: F403 - the C names, as a ported C test reads
from zmq4.capi import zmq_msg_t

TIMEOUT_MS = 5000  # generous: the suite must pass on a loaded 2-core machine


# ---------------------------------------------------------------------------- helpers

def sock(ctx: Any, kind: int, **opts: Any) -> Any:
    s = zmq_socket(ctx, kind)
    assert s is not None, zmq_strerror(zmq_errno())
    assert zmq_setsockopt(s, ZMQ_LINGER, 0) == 0
    assert zmq_setsockopt(s, ZMQ_RCVTIMEO, TIMEOUT_MS) == 0
    for name, value in opts.items():
        assert zmq_setsockopt(s, globals()["ZMQ_" + name], value) == 0, name
    return s


def connect(s: Any, endpoint: str) -> None:
    assert zmq_connect(s, endpoint) == 0, zmq_strerror(zmq_errno())


def subscribe(s: Any, topic: bytes) -> None:
    assert zmq_setsockopt(s, ZMQ_SUBSCRIBE, topic) == 0


def unsubscribe(s: Any, topic: bytes) -> None:
    assert zmq_setsockopt(s, ZMQ_UNSUBSCRIBE, topic) == 0


def send(s: Any, data: bytes, flags: int = 0) -> None:
    assert zmq_send(s, data, len(data), flags) == len(data), zmq_strerror(zmq_errno())


def send_multipart(s: Any, frames: list[bytes]) -> None:
    for i, f in enumerate(frames):
        send(s, f, ZMQ_SNDMORE if i < len(frames) - 1 else 0)


def recv(s: Any, flags: int = 0) -> bytes | None:
    """One frame, or None on EAGAIN (timeout or DONTWAIT)."""
    m = zmq_msg_t()
    zmq_msg_init(m)
    n = zmq_msg_recv(m, s, flags)
    if n < 0:
        assert zmq_errno() == EAGAIN, zmq_strerror(zmq_errno())
        return None
    data = bytes(zmq_msg_data(m))
    zmq_msg_close(m)
    return data


def must_recv(s: Any) -> bytes:
    data = recv(s)
    assert data is not None, "nothing received within the timeout"
    return data


def recv_multipart(s: Any) -> list[bytes]:
    frames = [must_recv(s)]
    while zmq_getsockopt(s, ZMQ_RCVMORE):
        frames.append(must_recv(s))
    return frames


def poll_in(s: Any, timeout_ms: int) -> bool:
    items = [zmq_pollitem_t(socket=s, events=ZMQ_POLLIN)]
    return zmq_poll(items, 1, timeout_ms) == 1


def is_marker(frames: list[bytes]) -> bool:
    return len(frames) == 1 and frames[0].endswith((b"#probe", b"#sync"))


def sync(pub: Any, sub: Any, topic: bytes = b"") -> None:
    """Publish ``topic#probe`` until ``sub`` receives one (its subscription to ``topic``
    reached ``pub``), then drain up to a final ``topic#sync`` marker. Markers of other
    ``sync`` calls that ``sub`` also matches are skipped."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    probe = [topic + b"#probe"]
    done = False
    while not done:
        send(pub, probe[0])
        while poll_in(sub, 20):
            frames = recv_multipart(sub)
            assert is_marker(frames), frames
            done = done or frames == probe
        assert done or time.monotonic() < deadline, \
            f"subscription {topic!r} never reached the publisher"
    send(pub, topic + b"#sync")
    while True:
        frames = recv_multipart(sub)
        if frames == [topic + b"#sync"]:
            return
        assert is_marker(frames), frames


def next_data(s: Any) -> list[bytes]:
    """The next message that is not a ``sync`` marker."""
    while True:
        frames = recv_multipart(s)
        if not is_marker(frames):
            return frames


def fixed_endpoint(transport: str) -> str:
    """An endpoint that can be connected to before anything is bound there."""
    if transport != "tcp":
        return bind_address(transport)
    with _socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{s.getsockname()[1]}"


def pubsub(ctx: Any, transport: str, **sub_opts: Any) -> tuple[Any, Any]:
    pub = sock(ctx, ZMQ_PUB)
    sub = sock(ctx, ZMQ_SUB, **sub_opts)
    connect(sub, bind(pub, transport))
    return pub, sub


# ---------------------------------------------------------------------------- filtering

def test_prefix_filtering(ctx: Any, transport: str) -> None:
    """PUB: "SHALL perform a binary comparison of the subscription against the start of
    the first frame of the message"; SUB: "MAY ... filter messages according to
    subscriptions, using a prefix match algorithm"."""
    pub, sub = pubsub(ctx, transport)
    subscribe(sub, b"A")
    subscribe(sub, b"Z")
    sync(pub, sub, b"A")
    sync(pub, sub, b"Z")
    for topic in (b"B", b"AB", b"", b"a", b"BA", b"A", b"A\x00\xff", b"\xffA", b"Z#end"):
        send(pub, topic)
    got = []
    while not got or got[-1] != b"Z#end":
        got.append(must_recv(sub))
    assert got == [b"AB", b"A", b"A\x00\xff", b"Z#end"]


def test_publisher_filters_on_its_side(ctx: Any, transport: str) -> None:
    """PUB: "MAY, depending on the transport, send messages only to subscribers who have
    a matching subscription" — 4.0 filters at the publisher on every transport (an XSUB,
    which does not filter, sees only what it subscribed to)."""
    pub = sock(ctx, ZMQ_PUB)
    xsub = sock(ctx, ZMQ_XSUB)
    connect(xsub, bind(pub, transport))
    send(xsub, b"\x01news")
    sync(pub, xsub, b"news")
    for topic in (b"sport.1", b"news.1", b"weather", b"new", b"news.2", b"news#end"):
        send(pub, topic)
    got = []
    while not got or got[-1] != b"news#end":
        got.append(must_recv(xsub))
    assert got == [b"news.1", b"news.2", b"news#end"]


def test_empty_subscription_receives_everything(ctx: Any, transport: str) -> None:
    """ZMQ_SUBSCRIBE: "An empty option_value of length zero shall subscribe to all
    incoming messages"; the empty prefix is a prefix of every frame, even an empty one."""
    pub, sub = pubsub(ctx, transport)
    subscribe(sub, b"")
    sync(pub, sub)
    topics = [b"", b"\x00", b"\x01x", b"anything", bytes(range(256))]
    for t in topics:
        send(pub, t)
    assert [must_recv(sub) for _ in topics] == topics


def test_new_sub_receives_nothing(ctx: Any, transport: str) -> None:
    """"Newly created ZMQ_SUB sockets shall filter out all incoming messages": a SUB that
    never subscribed gets nothing, while a subscribed neighbour does."""
    pub = sock(ctx, ZMQ_PUB)
    ep = bind(pub, transport)
    quiet = sock(ctx, ZMQ_SUB)
    connect(quiet, ep)
    loud = sock(ctx, ZMQ_SUB)
    connect(loud, ep)
    subscribe(loud, b"")
    sync(pub, loud)
    send(pub, b"hello")
    assert must_recv(loud) == b"hello"
    assert recv(quiet, ZMQ_DONTWAIT) is None
    assert not zmq_getsockopt(quiet, ZMQ_EVENTS) & ZMQ_POLLIN


def test_unsubscribe_stops_delivery(ctx: Any, transport: str) -> None:
    """ZMQ_UNSUBSCRIBE removes the filter: the SUB stops receiving that prefix at once
    (local filter) and the publisher stops sending it once the request arrives."""
    pub, sub = pubsub(ctx, transport)
    subscribe(sub, b"A")
    subscribe(sub, b"Z")
    sync(pub, sub, b"A")
    sync(pub, sub, b"Z")
    unsubscribe(sub, b"A")
    for _ in range(3):
        send(pub, b"A-gone")
    send(pub, b"Z#end")
    assert must_recv(sub) == b"Z#end"  # filtered locally even before the PUB knows


def test_unsubscribe_reaches_publisher(ctx: Any, transport: str) -> None:
    """XSUB: "SHALL send subscribe and unsubscribe requests to publishers"; after the
    unsubscribe arrives the publisher no longer sends that prefix."""
    pub = sock(ctx, ZMQ_PUB)
    xsub = sock(ctx, ZMQ_XSUB)
    connect(xsub, bind(pub, transport))
    send(xsub, b"\x01A")
    send(xsub, b"\x01Z")
    sync(pub, xsub, b"A")
    sync(pub, xsub, b"Z")
    send(xsub, b"\x00A")
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:  # until the unsubscribe has reached the publisher
        send(pub, b"A-maybe")
        send(pub, b"Z#mark")
        frames = [must_recv(xsub)]
        if frames == [b"Z#mark"]:
            break
        assert frames == [b"A-maybe"] and must_recv(xsub) == b"Z#mark"
        assert time.monotonic() < deadline
    for _ in range(5):
        send(pub, b"A-gone")
    send(pub, b"Z#end")
    assert must_recv(xsub) == b"Z#end"


def test_sub_subscription_counting(ctx: Any, transport: str) -> None:
    """ZMQ_UNSUBSCRIBE "shall remove an existing message filter ... If the socket has
    several instances of the same filter attached the ZMQ_UNSUBSCRIBE option shall remove
    only one instance"."""
    pub, sub = pubsub(ctx, transport)
    subscribe(sub, b"A")
    subscribe(sub, b"A")
    subscribe(sub, b"Z")
    sync(pub, sub, b"A")
    unsubscribe(sub, b"A")
    send(pub, b"A-still")
    assert must_recv(sub) == b"A-still"
    unsubscribe(sub, b"A")
    send(pub, b"A-gone")
    send(pub, b"Z#end")
    assert must_recv(sub) == b"Z#end"
    unsubscribe(sub, b"never-subscribed")  # harmless
    send(pub, b"Z#again")
    assert must_recv(sub) == b"Z#again"


def test_multiple_subscribers(ctx: Any, transport: str) -> None:
    """PUB "MAY be connected to any number of SUB or XSUB subscribers" and "SHALL maintain
    a single outgoing message queue for each connected subscriber": each gets exactly what
    its own subscriptions select."""
    pub = sock(ctx, ZMQ_PUB)
    ep = bind(pub, transport)
    subs = {}
    for topic in (b"a", b"b", b"ab", b""):
        s = sock(ctx, ZMQ_SUB)
        connect(s, ep)
        subscribe(s, topic)
        subscribe(s, b"#end")
        subs[topic] = s
    for s in subs.values():
        sync(pub, s, b"#end")
    for t in (b"a1", b"b1", b"ab1", b"c1", b"#end"):
        send(pub, t)

    def until_end(s: Any) -> list[bytes]:
        got = []
        while not got or got[-1] != b"#end":
            got.append(next_data(s)[0])
        return got[:-1]

    assert until_end(subs[b"a"]) == [b"a1", b"ab1"]
    assert until_end(subs[b"b"]) == [b"b1"]
    assert until_end(subs[b"ab"]) == [b"ab1"]
    assert until_end(subs[b""]) == [b"a1", b"b1", b"ab1", b"c1"]


def test_subscriber_receives_each_message_once(ctx: Any, transport: str) -> None:
    """Overlapping subscriptions of one subscriber ("a message shall be accepted if it
    matches at least one filter") deliver a message once, not once per filter."""
    pub, sub = pubsub(ctx, transport)
    for t in (b"", b"n", b"ne", b"new", b"news"):
        subscribe(sub, t)
    sync(pub, sub, b"news")
    send(pub, b"news!")
    send(pub, b"#end")
    assert must_recv(sub) == b"news!"
    assert must_recv(sub) == b"#end"


# ---------------------------------------------------------------------------- multipart

def test_multipart_delivered_whole_and_filtered_on_first_frame(ctx: Any, transport: str) -> None:
    """"SHALL perform a binary comparison of the subscription against the start of the
    first frame of the message": later frames never decide, a matching message arrives
    whole (RCVMORE on all but the last frame), a non-matching one not at all."""
    pub, sub = pubsub(ctx, transport)
    subscribe(sub, b"A")
    sync(pub, sub, b"A")
    send_multipart(pub, [b"B", b"A", b"A"])  # only later frames match
    send_multipart(pub, [b"A1", b"", b"B", b"last"])
    send_multipart(pub, [b"Bx", b"Ay"])
    send_multipart(pub, [b"A2", b"tail"])
    assert recv_multipart(sub) == [b"A1", b"", b"B", b"last"]
    assert recv_multipart(sub) == [b"A2", b"tail"]
    assert zmq_getsockopt(sub, ZMQ_RCVMORE) == 0
    assert recv(sub, ZMQ_DONTWAIT) is None


def test_multipart_to_xsub_is_atomic(ctx: Any, transport: str) -> None:
    """PUB "SHALL not modify outgoing messages in any way": an XSUB (no local filter)
    receives matching multipart messages frame for frame."""
    pub = sock(ctx, ZMQ_PUB)
    xsub = sock(ctx, ZMQ_XSUB)
    connect(xsub, bind(pub, transport))
    send(xsub, b"\x01T")
    sync(pub, xsub, b"T")
    msgs = [[b"T1", b"x" * 1000, b""], [b"U", b"T"], [b"T2"], [b"T3", b"\x01", b"\x00"]]
    for m in msgs:
        send_multipart(pub, m)
    assert recv_multipart(xsub) == msgs[0]
    assert recv_multipart(xsub) == msgs[2]
    assert recv_multipart(xsub) == msgs[3]


# ---------------------------------------------------------------------------- HWM / never block

def test_pub_never_blocks_without_subscribers(ctx: Any, transport: str) -> None:
    """PUB/XPUB: "SHALL NOT block on sending" — with no subscriber at all, or one that
    subscribed to nothing, every send succeeds at once and the message is dropped."""
    for kind in (ZMQ_PUB, ZMQ_XPUB):
        pub = sock(ctx, kind)
        ep = bind(pub, transport)
        for i in range(2000):
            send(pub, b"x%d" % i)
        sub = sock(ctx, ZMQ_SUB)
        connect(sub, ep)
        for i in range(2000):
            send(pub, b"y%d" % i, ZMQ_DONTWAIT)
        assert zmq_getsockopt(pub, ZMQ_EVENTS) & ZMQ_POLLOUT


def test_pub_drops_when_subscriber_queue_full(ctx: Any, transport: str) -> None:
    """PUB: "SHALL silently drop the message if the queue for a subscriber is full" and
    "SHALL NOT block on sending"; the messages that did fit arrive in order, and once the
    subscriber drains its queue new messages get through again."""
    pub = sock(ctx, ZMQ_PUB, SNDHWM=1)
    sub = sock(ctx, ZMQ_SUB, RCVHWM=1)
    connect(sub, bind(pub, transport))
    subscribe(sub, b"")
    sync(pub, sub)
    n, size = (50, 8) if transport == "inproc" else (2000, 10_000)
    t0 = time.monotonic()
    for i in range(n):
        send(pub, b"%08d" % i + b"." * (size - 8))
    assert time.monotonic() - t0 < 60  # never blocked on a full queue
    assert zmq_getsockopt(pub, ZMQ_EVENTS) & ZMQ_POLLOUT
    got = []
    while poll_in(sub, 500 if got else TIMEOUT_MS):  # until the queue stays empty
        got.append(int(must_recv(sub)[:8]))
    if transport == "inproc":
        assert got == [0, 1]  # pipe capacity = SNDHWM + RCVHWM
    else:
        assert 1 <= len(got) < n
    assert got == sorted(set(got))
    sync(pub, sub)  # room again: later messages get through


def test_drop_is_per_subscriber(ctx: Any, transport: str) -> None:
    """PUB "SHALL maintain a single outgoing message queue for each connected subscriber"
    and drops only for the subscriber whose queue is full: a subscriber that keeps up
    gets every message while a stalled one loses messages."""
    pub = sock(ctx, ZMQ_PUB, SNDHWM=1)
    ep = bind(pub, transport)
    slow = sock(ctx, ZMQ_SUB, RCVHWM=1)
    fast = sock(ctx, ZMQ_SUB)
    for s, own in ((slow, b"s"), (fast, b"f")):  # separate sync topics: no crosstalk
        connect(s, ep)
        subscribe(s, b"d")
        subscribe(s, own)
        sync(pub, s, own)
    n, size = (50, 8) if transport == "inproc" else (2000, 10_000)
    for i in range(n):
        send(pub, b"d%08d" % i + b"." * (size - 8))
        assert int(must_recv(fast)[1:9]) == i  # the fast subscriber keeps up
    got = []
    while poll_in(slow, 500 if got else TIMEOUT_MS):
        got.append(int(must_recv(slow)[1:9]))
    assert 1 <= len(got) < n
    if transport == "inproc":
        assert got == [0, 1]


# ---------------------------------------------------------------------------- direction

def test_sub_send_is_enotsup(ctx: Any, transport: str) -> None:
    """SUB "SHALL only receive messages": zmq_send on a SUB fails with ENOTSUP."""
    pub, sub = pubsub(ctx, transport)
    for flags in (0, ZMQ_DONTWAIT, ZMQ_SNDMORE):
        assert zmq_send(sub, b"\x01x", 2, flags) == -1
        assert zmq_errno() == ENOTSUP
    assert not zmq_getsockopt(sub, ZMQ_EVENTS) & ZMQ_POLLOUT


def test_pub_recv_is_enotsup(ctx: Any, transport: str) -> None:
    """PUB "SHALL only send messages": zmq_recv on a PUB fails with ENOTSUP, even after
    subscriptions arrived, and a PUB never reports POLLIN."""
    pub, sub = pubsub(ctx, transport)
    subscribe(sub, b"")
    sync(pub, sub)
    for flags in (0, ZMQ_DONTWAIT):
        assert zmq_recv(pub, bytearray(8), 8, flags) == -1
        assert zmq_errno() == ENOTSUP
    assert not zmq_getsockopt(pub, ZMQ_EVENTS) & ZMQ_POLLIN


def test_pub_discards_upstream_messages(ctx: Any, transport: str) -> None:
    """PUB "SHALL silently discard any messages that subscribers send it": upstream
    messages from an XSUB neither reach a PUB application nor disturb subscriptions."""
    pub = sock(ctx, ZMQ_PUB)
    xsub = sock(ctx, ZMQ_XSUB)
    connect(xsub, bind(pub, transport))
    send(xsub, b"hello")
    send_multipart(xsub, [b"multi", b"\x01part"])
    send(xsub, b"")
    send(xsub, b"\x01T")
    sync(pub, xsub, b"T")
    send(pub, b"part-not-subscribed")
    send(pub, b"T#end")
    assert must_recv(xsub) == b"T#end"
    assert zmq_recv(pub, bytearray(8), 8, ZMQ_DONTWAIT) == -1 and zmq_errno() == ENOTSUP


# ---------------------------------------------------------------------------- XPUB

def test_xpub_receives_unique_subscriptions(ctx: Any, transport: str) -> None:
    """XPUB "SHALL deliver these commands to its calling application" and "MAY ...
    normalize commands ... so that multiple identical subscriptions result in a single
    command only" (4.0 default): the first subscriber of a prefix is reported, others
    not; an unsubscribe only when the last subscriber leaves."""
    xpub = sock(ctx, ZMQ_XPUB)
    ep = bind(xpub, transport)
    s1 = sock(ctx, ZMQ_SUB)
    s2 = sock(ctx, ZMQ_SUB)
    connect(s1, ep)
    subscribe(s1, b"A")
    assert must_recv(xpub) == b"\x01A"
    assert zmq_getsockopt(xpub, ZMQ_RCVMORE) == 0
    connect(s2, ep)
    subscribe(s2, b"A")  # duplicate: not reported
    subscribe(s2, b"M1")  # ordered after it on the same pipe
    assert must_recv(xpub) == b"\x01M1"
    unsubscribe(s1, b"A")  # s2 still holds A: not reported
    subscribe(s1, b"M2")
    assert must_recv(xpub) == b"\x01M2"
    unsubscribe(s2, b"A")
    assert must_recv(xpub) == b"\x00A"


def test_xpub_verbose_reports_every_subscribe(ctx: Any, transport: str) -> None:
    """ZMQ_XPUB_VERBOSE=1 (spec §8.6): every subscribe is passed up, repeats from other
    or the same subscribers included; unsubscribes are unchanged (only the last one)."""
    xpub = sock(ctx, ZMQ_XPUB, XPUB_VERBOSE=1)
    ep = bind(xpub, transport)
    s1 = sock(ctx, ZMQ_SUB)
    s2 = sock(ctx, ZMQ_SUB)
    connect(s1, ep)
    connect(s2, ep)
    subscribe(s1, b"A")
    assert must_recv(xpub) == b"\x01A"
    subscribe(s2, b"A")
    assert must_recv(xpub) == b"\x01A"
    subscribe(s2, b"A")  # same subscriber again: the SUB forwards it, XPUB reports it
    assert must_recv(xpub) == b"\x01A"
    unsubscribe(s1, b"A")
    subscribe(s1, b"M")
    assert must_recv(xpub) == b"\x01M"  # s1's unsubscribe was not reported
    unsubscribe(s2, b"A")  # s2 holds two instances: nothing sent upstream yet
    subscribe(s2, b"N")
    assert must_recv(xpub) == b"\x01N"
    unsubscribe(s2, b"A")
    assert must_recv(xpub) == b"\x00A"


def test_xpub_sends_only_to_matching_subscribers(ctx: Any, transport: str) -> None:
    """XPUB: "SHALL perform a binary comparison of the subscription against the start of
    the first frame of the message", like PUB."""
    xpub = sock(ctx, ZMQ_XPUB)
    ep = bind(xpub, transport)
    sa = sock(ctx, ZMQ_SUB)
    sb = sock(ctx, ZMQ_SUB)
    for s, t in ((sa, b"a"), (sb, b"b")):
        connect(s, ep)
        subscribe(s, t)
        subscribe(s, b"#")
    assert sorted(must_recv(xpub) for _ in range(3)) == [b"\x01#", b"\x01a", b"\x01b"]
    sync(xpub, sa, b"#")
    sync(xpub, sb, b"#")
    for t in (b"a1", b"b1", b"c1", b"ab", b"#end"):
        send(xpub, t)
    assert [next_data(sa) for _ in range(3)] == [[b"a1"], [b"ab"], [b"#end"]]
    assert [next_data(sb) for _ in range(2)] == [[b"b1"], [b"#end"]]


def test_unsubscribe_on_sub_close(ctx: Any, transport: str) -> None:
    """XPUB "SHALL, if the subscriber peer disconnects prematurely, generate a suitable
    unsubscribe request for the calling application": one 0x00 message per prefix left
    without subscribers."""
    xpub = sock(ctx, ZMQ_XPUB)
    ep = bind(xpub, transport)
    sub = sock(ctx, ZMQ_SUB)
    connect(sub, ep)
    for t in (b"B", b"A", b""):
        subscribe(sub, t)
    assert sorted(must_recv(xpub) for _ in range(3)) == [b"\x01", b"\x01A", b"\x01B"]
    assert zmq_close(sub) == 0
    assert sorted(must_recv(xpub) for _ in range(3)) == [b"\x00", b"\x00A", b"\x00B"]
    assert not poll_in(xpub, 200)


def test_unsubscribe_on_sub_disconnect(ctx: Any, transport: str) -> None:
    """Like 4.0's test_disconnect_inproc: after zmq_disconnect the XPUB gets ``\\x00foo``
    (RFC 29: "generate a suitable unsubscribe request")."""
    xpub = sock(ctx, ZMQ_XPUB)
    ep = bind(xpub, transport)
    sub = sock(ctx, ZMQ_SUB)
    subscribe(sub, b"foo")  # before connecting: sent when the pipe attaches
    connect(sub, ep)
    assert must_recv(xpub) == b"\x01foo"
    sync(xpub, sub, b"foo")
    for i in range(3):
        send_multipart(xpub, [b"foo", b"part%d" % i])
    for i in range(3):
        assert recv_multipart(sub) == [b"foo", b"part%d" % i]
    assert zmq_disconnect(sub, ep) == 0
    assert must_recv(xpub) == b"\x00foo"


def test_unsubscribe_on_close_only_when_last_subscriber(ctx: Any, transport: str) -> None:
    """The synthesised unsubscribe is "suitable": a prefix still held by another
    subscriber is not reported when one of them goes."""
    xpub = sock(ctx, ZMQ_XPUB)
    ep = bind(xpub, transport)
    s1 = sock(ctx, ZMQ_SUB)
    s2 = sock(ctx, ZMQ_SUB)
    connect(s1, ep)
    connect(s2, ep)
    subscribe(s1, b"A")
    assert must_recv(xpub) == b"\x01A"
    subscribe(s2, b"A")
    subscribe(s2, b"M")
    assert must_recv(xpub) == b"\x01M"
    zmq_close(s1)
    zmq_close(s2)
    assert sorted([must_recv(xpub), must_recv(xpub)]) == [b"\x00A", b"\x00M"]
    assert not poll_in(xpub, 200)


# ---------------------------------------------------------------------------- XSUB

def test_xsub_subscription_counting(ctx: Any, transport: str) -> None:
    """spec §3.2: XSUB forwards every subscribe (duplicates too, so XPUB_VERBOSE works
    through proxies) but an unsubscribe only when its count drops to zero; unsubscribing
    something never subscribed sends nothing."""
    xpub = sock(ctx, ZMQ_XPUB, XPUB_VERBOSE=1)
    xsub = sock(ctx, ZMQ_XSUB)
    connect(xsub, bind(xpub, transport))
    for m in (b"\x01A", b"\x01A", b"\x00A", b"\x01M1"):
        send(xsub, m)
    assert [must_recv(xpub) for _ in range(3)] == [b"\x01A", b"\x01A", b"\x01M1"]
    send(xsub, b"\x00A")
    send(xsub, b"\x00never")
    send(xsub, b"\x01M2")
    assert [must_recv(xpub) for _ in range(2)] == [b"\x00A", b"\x01M2"]
    send(xsub, b"\x00A")  # count is zero already: nothing
    send(xsub, b"\x01M3")
    assert must_recv(xpub) == b"\x01M3"


def test_xsub_sends_subscriptions_to_new_publishers(ctx: Any, transport: str) -> None:
    """spec §3.2: "Every new publisher connection ... receives the full current
    subscription set" — XSUB subscribed before connecting, and to a second publisher."""
    xsub = sock(ctx, ZMQ_XSUB)
    for m in (b"\x01B", b"\x01A", b"\x01A", b"\x01C", b"\x00C"):
        send(xsub, m)  # no publisher yet: never blocks
    expect = [b"\x01A", b"\x01B"]
    for i in range(2):
        xpub = sock(ctx, ZMQ_XPUB, XPUB_VERBOSE=1)
        connect(xsub, bind(xpub, transport))
        got = [must_recv(xpub) for _ in expect]
        assert sorted(got) == expect  # the set, once per prefix
        marker = b"\x01#end%d" % i
        send(xsub, marker)
        assert must_recv(xpub) == marker
        expect = sorted(expect + [marker])


def test_xsub_sends_to_all_publishers(ctx: Any, transport: str) -> None:
    """XSUB "SHALL send all messages to all connected publishers" (subscriptions and
    upstream messages alike), and "SHALL receive incoming messages from its publishers
    using a fair-queuing strategy"."""
    xsub = sock(ctx, ZMQ_XSUB)
    xpubs = [sock(ctx, ZMQ_XPUB) for _ in range(3)]
    for x in xpubs:
        connect(xsub, bind(x, transport))
    send(xsub, b"\x01")
    for x in xpubs:
        assert must_recv(x) == b"\x01"
    send_multipart(xsub, [b"up", b"stream"])
    for x in xpubs:
        assert recv_multipart(x) == [b"up", b"stream"]
    for i, x in enumerate(xpubs):
        for j in range(2):
            send(x, b"p%d-%d" % (i, j))
    wait_queued(xsub, 6)  # tcp/ipc: fair queuing is visible once every message is there
    got = [must_recv(xsub) for _ in range(6)]
    assert sorted(got) == sorted(b"p%d-%d" % (i, j) for i in range(3) for j in range(2))
    firsts = {g[:2] for g in got[:3]}
    assert len(firsts) == 3  # one message from each publisher before any second one


def test_xsub_does_not_filter(ctx: Any, transport: str) -> None:
    """XSUB applies no local filter (spec §3.2): what the publisher sends arrives, e.g.
    from an XPUB, which sends to every peer it chooses."""
    xpub = sock(ctx, ZMQ_XPUB)
    xsub = sock(ctx, ZMQ_XSUB)
    connect(xsub, bind(xpub, transport))
    send(xsub, b"\x01")
    assert must_recv(xpub) == b"\x01"
    sync(xpub, xsub)
    send(xpub, b"anything")
    assert must_recv(xsub) == b"anything"


def test_xsub_never_blocks(ctx: Any, transport: str) -> None:
    """XSUB "SHALL silently drop the message if the outgoing queue for a publisher is
    full" and "SHALL NOT block on sending", with or without publishers."""
    xsub = sock(ctx, ZMQ_XSUB, SNDHWM=1)
    for i in range(100):
        send(xsub, b"up%d" % i)
    assert zmq_getsockopt(xsub, ZMQ_EVENTS) & ZMQ_POLLOUT
    xpub = sock(ctx, ZMQ_XPUB, RCVHWM=1)
    connect(xsub, bind(xpub, transport))
    for i in range(5000):
        send(xsub, b"up%d" % i, ZMQ_DONTWAIT)
    assert zmq_getsockopt(xsub, ZMQ_EVENTS) & ZMQ_POLLOUT


# ---------------------------------------------------------------------------- upstream (525)

def test_xsub_to_xpub_upstream_messages(ctx: Any, transport: str) -> None:
    """LIBZMQ-525 (spec §8.21): anything an XSUB sends that is not a subscription (first
    byte not 0/1, or empty) reaches the XPUB application unchanged, multipart with its
    MORE flags; XPUB "SHALL receive incoming messages from its subscribers using a
    fair-queuing strategy" and "SHALL deliver these messages to its calling
    application"."""
    xpub = sock(ctx, ZMQ_XPUB)
    xsub = sock(ctx, ZMQ_XSUB)
    connect(xsub, bind(xpub, transport))
    msgs = [[b"hello"], [b""], [b"\x02x", b"\x01not-a-sub", b"\x00nor-this"], [b"a", b"", b"c"]]
    for m in msgs:
        send_multipart(xsub, m)
    for m in msgs:
        assert recv_multipart(xpub) == m
    assert zmq_getsockopt(xpub, ZMQ_RCVMORE) == 0
    # the continuation frames above did not subscribe anybody
    send(xsub, b"\x01M")
    assert must_recv(xpub) == b"\x01M"
    sync(xpub, xsub, b"M")
    send(xpub, b"not-a-sub!")
    send(xpub, b"M#end")
    assert must_recv(xsub) == b"M#end"


def test_upstream_messages_interleave_with_subscriptions_in_order(
        ctx: Any, transport: str) -> None:
    """Messages from one subscriber reach the XPUB application in the order sent."""
    xpub = sock(ctx, ZMQ_XPUB)
    xsub = sock(ctx, ZMQ_XSUB)
    connect(xsub, bind(xpub, transport))
    seq = [[b"\x01A"], [b"u1", b"u2"], [b"\x01A"], [b"\x01B"], [b"u3"], [b"\x00A"],
           [b"\x00A"]]
    for m in seq:
        send_multipart(xsub, m)
    expect = [[b"\x01A"], [b"u1", b"u2"], [b"\x01B"], [b"u3"], [b"\x00A"]]
    assert [recv_multipart(xpub) for _ in expect] == expect


# ---------------------------------------------------------------------------- connection order

def test_subscription_resent_to_late_publisher(ctx: Any, transport: str) -> None:
    """SUB "SHALL create a queue when a publisher connects to it": a SUB that binds and
    subscribes first, then gets a PUB connecting, sends that PUB its subscriptions."""
    sub = sock(ctx, ZMQ_SUB)
    ep = bind(sub, transport)
    subscribe(sub, b"A")
    subscribe(sub, b"B")
    pub = sock(ctx, ZMQ_PUB)
    connect(pub, ep)
    sync(pub, sub, b"A")
    sync(pub, sub, b"B")
    send(pub, b"C")
    send(pub, b"B1")
    assert must_recv(sub) == b"B1"


def test_sub_connect_before_pub_bind(ctx: Any, transport: str) -> None:
    """SUB "SHALL create a queue when initiating an outgoing connection to a publisher,
    and SHALL maintain the queue whether or not the connection is established": a SUB
    connected and subscribed before the PUB binds receives once it does."""
    ep = fixed_endpoint(transport)
    sub = sock(ctx, ZMQ_SUB)
    connect(sub, ep)
    subscribe(sub, b"T")
    pub = sock(ctx, ZMQ_PUB)
    assert zmq_bind(pub, ep) == 0, zmq_strerror(zmq_errno())
    sync(pub, sub, b"T")
    send(pub, b"T1")
    assert must_recv(sub) == b"T1"


def test_pub_connect_before_sub_bind(ctx: Any, transport: str) -> None:
    """PUB "SHALL create a queue when initiating an outgoing connection to a subscriber":
    messages published before a subscriber subscribed are dropped (there is no
    subscription), later ones arrive (4.0 test_inproc_connect)."""
    ep = fixed_endpoint(transport)
    pub = sock(ctx, ZMQ_PUB)
    connect(pub, ep)
    send(pub, b"T-before")  # nobody there: dropped, never blocks
    sub = sock(ctx, ZMQ_SUB)
    assert zmq_bind(sub, ep) == 0, zmq_strerror(zmq_errno())
    subscribe(sub, b"T")
    sync(pub, sub, b"T")
    send(pub, b"T-after")
    assert must_recv(sub) == b"T-after"


# ---------------------------------------------------------------------------- CONFLATE

def test_conflate_sub_keeps_last_message(ctx: Any, transport: str) -> None:
    """ZMQ_CONFLATE on SUB (spec §8.5): the queue keeps only the most recent message."""
    pub = sock(ctx, ZMQ_PUB)
    sub = sock(ctx, ZMQ_SUB, CONFLATE=1)
    connect(sub, bind(pub, transport))
    subscribe(sub, b"")
    sync(pub, sub)
    for i in range(20):
        send(pub, b"%d" % i)
    got = [int(must_recv(sub))]
    while got[-1] != 19:
        got.append(int(must_recv(sub)))
    if transport == "inproc":
        assert got == [19]
    else:
        assert got == sorted(set(got)) and len(got) < 20


# ---------------------------------------------------------------------------- proxies

def test_sub_forward(ctx: Any, transport: str) -> None:
    """4.0 test_sub_forward: a hand-written XPUB/XSUB forwarder carries the SUB's
    subscription up to the PUB and the PUB's (empty) message down to the SUB."""
    xpub = sock(ctx, ZMQ_XPUB)
    front = bind(xpub, transport)
    xsub = sock(ctx, ZMQ_XSUB)
    pub = sock(ctx, ZMQ_PUB)
    connect(xsub, bind(pub, transport))
    sub = sock(ctx, ZMQ_SUB)
    connect(sub, front)
    subscribe(sub, b"")
    sub_msg = must_recv(xpub)  # the subscription, read from the XPUB...
    assert sub_msg == b"\x01"
    send(xsub, sub_msg)  # ...and written to the XSUB
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not poll_in(xsub, 20):  # until the subscription reached the PUB
        send(pub, b"")
        assert time.monotonic() < deadline
    data = must_recv(xsub)
    assert data == b""
    send(xpub, data)
    assert must_recv(sub) == b""


def _forwarder(xsub: Any, xpub: Any, stop: threading.Event) -> None:
    items = [zmq_pollitem_t(socket=xsub, events=ZMQ_POLLIN),
             zmq_pollitem_t(socket=xpub, events=ZMQ_POLLIN)]
    while not stop.is_set():
        if zmq_poll(items, 2, 20) <= 0:
            continue
        for src, dst in ((items[0], xpub), (items[1], xsub)):
            if src.revents & ZMQ_POLLIN:
                while True:
                    m = zmq_msg_t()
                    zmq_msg_init(m)
                    assert zmq_msg_recv(m, src.socket, 0) >= 0
                    more = zmq_getsockopt(src.socket, ZMQ_RCVMORE)
                    assert zmq_msg_send(m, dst, ZMQ_SNDMORE if more else 0) >= 0
                    if not more:
                        break


def test_proxy_forwards_subscriptions_and_data(ctx: Any, transport: str) -> None:
    """A proxy-shaped XSUB–XPUB pair (RFC 29: "the pattern provides raw socket types
    (XPUB, XSUB) to construct distribution proxies"): subscriptions of downstream SUBs
    flow up (deduplicated by the XPUB), data flows down filtered per subscriber, and a
    departing subscriber's synthesised unsubscribe reaches the publisher."""
    pub = sock(ctx, ZMQ_XPUB)  # the publisher sees what the proxy forwards
    back = bind(pub, transport)
    xsub = sock(ctx, ZMQ_XSUB)
    xpub = sock(ctx, ZMQ_XPUB)
    front = bind(xpub, transport)
    connect(xsub, back)
    stop = threading.Event()
    t = threading.Thread(target=_forwarder, args=(xsub, xpub, stop))
    t.start()
    try:
        s1 = sock(ctx, ZMQ_SUB)
        s2 = sock(ctx, ZMQ_SUB)
        connect(s1, front)
        connect(s2, front)
        subscribe(s1, b"A")
        assert must_recv(pub) == b"\x01A"
        subscribe(s2, b"A")
        subscribe(s2, b"B")
        assert must_recv(pub) == b"\x01B"  # the duplicate A stopped at the proxy's XPUB
        sync(pub, s1, b"A")
        sync(pub, s2, b"B")
        send_multipart(pub, [b"A1", b"body"])
        send(pub, b"B1")
        assert next_data(s1) == [b"A1", b"body"]
        assert [next_data(s2), next_data(s2)] == [[b"A1", b"body"], [b"B1"]]
        zmq_close(s2)
        assert must_recv(pub) == b"\x00B"  # A is still held by s1
        zmq_close(s1)
        assert must_recv(pub) == b"\x00A"
    finally:
        stop.set()
        t.join()


def test_steerable_proxy_pubsub(ctx: Any, transport: str) -> None:
    """zmq_proxy_steerable with XSUB frontend / XPUB backend (the classic forwarder)
    carries a subscription up and the matching messages down."""
    pub = sock(ctx, ZMQ_PUB)
    xsub = sock(ctx, ZMQ_XSUB)
    xpub = sock(ctx, ZMQ_XPUB)
    connect(xsub, bind(pub, transport))
    front = bind(xpub, transport)
    ctl_a = sock(ctx, ZMQ_PAIR)
    ctl_b = sock(ctx, ZMQ_PAIR)
    ctl_ep = bind(ctl_a, "inproc")
    connect(ctl_b, ctl_ep)
    rc: list[int] = []
    t = threading.Thread(target=lambda: rc.append(zmq_proxy_steerable(xsub, xpub, None, ctl_b)))
    t.start()
    try:
        sub = sock(ctx, ZMQ_SUB)
        connect(sub, front)
        subscribe(sub, b"K")
        sync(pub, sub, b"K")
        send(pub, b"J")
        send(pub, b"K1")
        assert must_recv(sub) == b"K1"
    finally:
        send(ctl_a, b"TERMINATE")
        t.join()
    assert rc == [0]
