"""PUB/SUB/XPUB/XSUB through the C-style API: options, errno values, ZMQ_EVENTS, poll.

spec/ZMQ40.md §2.3 (SUBSCRIBE, UNSUBSCRIBE, XPUB_VERBOSE), §3.1 (send/recv per type),
§3.2, §8.1 (LINGER 0 on SUB/XSUB), §8.6.
"""

# ruff: noqa: F405 - C names come from the star import, as in a ported C test
from __future__ import annotations

import struct
import time
from typing import Any

import pytest
from support import bind

from zmq4.capi import *  # noqa: F403 - the C names, as a ported C test reads

TIMEOUT_MS = 5000


def sock(ctx: Any, kind: int) -> Any:
    s = zmq_socket(ctx, kind)
    assert s is not None
    assert zmq_setsockopt(s, ZMQ_RCVTIMEO, TIMEOUT_MS) == 0
    assert zmq_setsockopt(s, ZMQ_LINGER, 0) == 0
    return s


def send(s: Any, data: bytes, flags: int = 0) -> None:
    assert zmq_send(s, data, len(data), flags) == len(data), zmq_strerror(zmq_errno())


def recv(s: Any, flags: int = 0) -> bytes | None:
    buf = bytearray(4096)
    n = zmq_recv(s, buf, len(buf), flags)
    if n < 0:
        assert zmq_errno() == EAGAIN
        return None
    return bytes(buf[:n])


def events(s: Any) -> int:
    return zmq_getsockopt(s, ZMQ_EVENTS)


def wait_in(s: Any) -> None:
    items = [zmq_pollitem_t(socket=s, events=ZMQ_POLLIN)]
    assert zmq_poll(items, 1, TIMEOUT_MS) == 1


def sync(pub: Any, sub: Any, topic: bytes) -> None:
    """Publish ``topic`` until ``sub`` gets it; then drain up to ``topic + b"!"``."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    items = [zmq_pollitem_t(socket=sub, events=ZMQ_POLLIN)]
    while True:
        send(pub, topic)
        if zmq_poll(items, 1, 20) == 1:
            break
        assert time.monotonic() < deadline
    send(pub, topic + b"!")
    while recv(sub) != topic + b"!":
        pass


# ---------------------------------------------------------------------------- options

def test_subscribe_forms(ctx: Any, transport: str) -> None:
    """ZMQ_SUBSCRIBE takes bytes, str (UTF-8), a length that truncates, and (NULL, 0) for
    the empty prefix."""
    pub = sock(ctx, ZMQ_PUB)
    ep = bind(pub, transport)
    cases = [((b"bytes",), b"bytes"), (("str",), b"str"), ((b"ABCD", 2), b"AB"),
             ((None, 0), b"")]
    for args, prefix in cases:
        sub = sock(ctx, ZMQ_SUB)
        assert zmq_connect(sub, ep) == 0
        assert zmq_setsockopt(sub, ZMQ_SUBSCRIBE, *args) == 0
        sync(pub, sub, prefix + b"#")
        send(pub, b"Z")
        send(pub, prefix + b"-yes")
        assert recv(sub) == (b"Z" if prefix == b"" else prefix + b"-yes")
        zmq_close(sub)


def test_subscribe_bad_length_is_einval(ctx: Any) -> None:
    sub = sock(ctx, ZMQ_SUB)
    assert zmq_setsockopt(sub, ZMQ_SUBSCRIBE, b"ab", 5) == -1 and zmq_errno() == EINVAL
    assert zmq_setsockopt(sub, ZMQ_SUBSCRIBE, None, 3) == -1 and zmq_errno() == EINVAL
    assert zmq_setsockopt(sub, ZMQ_SUBSCRIBE, 42) == -1 and zmq_errno() == EINVAL


@pytest.mark.parametrize("kind", [ZMQ_PUB, ZMQ_XPUB, ZMQ_XSUB, ZMQ_PAIR, ZMQ_DEALER])
def test_subscribe_only_on_sub(ctx: Any, kind: int) -> None:
    """4.0: ZMQ_SUBSCRIBE/UNSUBSCRIBE are SUB options; XSUB subscribes by sending."""
    s = sock(ctx, kind)
    for opt in (ZMQ_SUBSCRIBE, ZMQ_UNSUBSCRIBE):
        assert zmq_setsockopt(s, opt, b"x") == -1 and zmq_errno() == EINVAL


def test_subscribe_is_write_only(ctx: Any) -> None:
    sub = sock(ctx, ZMQ_SUB)
    for opt in (ZMQ_SUBSCRIBE, ZMQ_UNSUBSCRIBE):
        assert zmq_getsockopt(sub, opt) == -1 and zmq_errno() == EINVAL


def test_xpub_verbose_option(ctx: Any) -> None:
    """XPUB_VERBOSE: int, >= 0, accepted by XPUB and PUB (no effect there), write-only;
    other socket types refuse it."""
    for kind in (ZMQ_XPUB, ZMQ_PUB):
        s = sock(ctx, kind)
        assert zmq_setsockopt(s, ZMQ_XPUB_VERBOSE, 1) == 0
        assert zmq_setsockopt(s, ZMQ_XPUB_VERBOSE, 0) == 0
        assert zmq_setsockopt(s, ZMQ_XPUB_VERBOSE, struct.pack("=i", 1)) == 0
        assert zmq_setsockopt(s, ZMQ_XPUB_VERBOSE, -1) == -1 and zmq_errno() == EINVAL
        assert zmq_setsockopt(s, ZMQ_XPUB_VERBOSE, 1, 8) == -1 and zmq_errno() == EINVAL
        assert zmq_setsockopt(s, ZMQ_XPUB_VERBOSE, b"\x01") == -1 and zmq_errno() == EINVAL
        assert zmq_getsockopt(s, ZMQ_XPUB_VERBOSE) == -1 and zmq_errno() == EINVAL
    for kind in (ZMQ_SUB, ZMQ_XSUB, ZMQ_PAIR):
        s = sock(ctx, kind)
        assert zmq_setsockopt(s, ZMQ_XPUB_VERBOSE, 1) == -1 and zmq_errno() == EINVAL


def test_pub_accepts_verbose_without_effect(ctx: Any, transport: str) -> None:
    pub = sock(ctx, ZMQ_PUB)
    assert zmq_setsockopt(pub, ZMQ_XPUB_VERBOSE, 1) == 0
    sub = sock(ctx, ZMQ_SUB)
    assert zmq_connect(sub, bind(pub, transport)) == 0
    assert zmq_setsockopt(sub, ZMQ_SUBSCRIBE, b"") == 0
    sync(pub, sub, b"v")
    assert zmq_recv(pub, bytearray(4), 4, ZMQ_DONTWAIT) == -1 and zmq_errno() == ENOTSUP


def test_default_linger(ctx: Any) -> None:
    """spec §3.2: default LINGER is 0 for SUB and XSUB (-1 for PUB/XPUB)."""
    for kind, linger in ((ZMQ_SUB, 0), (ZMQ_XSUB, 0), (ZMQ_PUB, -1), (ZMQ_XPUB, -1)):
        s = zmq_socket(ctx, kind)
        assert zmq_getsockopt(s, ZMQ_LINGER) == linger
        assert zmq_getsockopt(s, ZMQ_TYPE) == kind
        zmq_close(s)


# ---------------------------------------------------------------------------- direction / events

def test_send_recv_support_per_type(ctx: Any) -> None:
    """spec §3.1: PUB send only, SUB recv only, XPUB/XSUB both (no peers needed)."""
    pub, sub = sock(ctx, ZMQ_PUB), sock(ctx, ZMQ_SUB)
    xpub, xsub = sock(ctx, ZMQ_XPUB), sock(ctx, ZMQ_XSUB)
    assert zmq_send(pub, b"x", 1, 0) == 1
    assert zmq_recv(pub, bytearray(1), 1, 0) == -1 and zmq_errno() == ENOTSUP
    assert zmq_send(sub, b"x", 1, 0) == -1 and zmq_errno() == ENOTSUP
    assert zmq_recv(sub, bytearray(1), 1, ZMQ_DONTWAIT) == -1 and zmq_errno() == EAGAIN
    for s in (xpub, xsub):
        assert zmq_send(s, b"x", 1, 0) == 1
        assert zmq_recv(s, bytearray(1), 1, ZMQ_DONTWAIT) == -1 and zmq_errno() == EAGAIN
    m = zmq_msg_t()
    zmq_msg_init(m)
    assert zmq_msg_recv(m, pub, 0) == -1 and zmq_errno() == ENOTSUP
    assert zmq_msg_send(m, sub, 0) == -1 and zmq_errno() == ENOTSUP


def test_events_without_peers(ctx: Any) -> None:
    """PUB, XPUB and XSUB report POLLOUT always (sends never block); SUB never does;
    nothing is readable."""
    expect = {ZMQ_PUB: ZMQ_POLLOUT, ZMQ_XPUB: ZMQ_POLLOUT, ZMQ_XSUB: ZMQ_POLLOUT,
              ZMQ_SUB: 0}
    for kind, ev in expect.items():
        assert events(sock(ctx, kind)) == ev


def test_pub_pollout_with_full_subscriber(ctx: Any) -> None:
    """A full subscriber queue does not take POLLOUT away from a PUB (it drops)."""
    pub = sock(ctx, ZMQ_PUB)
    assert zmq_setsockopt(pub, ZMQ_SNDHWM, 1) == 0
    sub = sock(ctx, ZMQ_SUB)
    assert zmq_setsockopt(sub, ZMQ_RCVHWM, 1) == 0
    # inproc: the queue is full after exactly SNDHWM + RCVHWM messages
    assert zmq_connect(sub, bind(pub, "inproc")) == 0
    assert zmq_setsockopt(sub, ZMQ_SUBSCRIBE, b"") == 0
    for _ in range(10):
        send(pub, b"x")
    assert events(pub) == ZMQ_POLLOUT
    items = [zmq_pollitem_t(socket=pub, events=ZMQ_POLLOUT | ZMQ_POLLIN)]
    assert zmq_poll(items, 1, 0) == 1 and items[0].revents == ZMQ_POLLOUT


def test_sub_pollin_means_matching_message(ctx: Any, transport: str) -> None:
    """SUB POLLIN is true only for a message that passes the filter: non-matching
    messages are skipped while polling (4.0 reads ahead to the next matching one)."""
    pub = sock(ctx, ZMQ_PUB)
    sub = sock(ctx, ZMQ_SUB)
    assert zmq_connect(sub, bind(pub, transport)) == 0
    assert zmq_setsockopt(sub, ZMQ_SUBSCRIBE, b"A") == 0
    assert zmq_setsockopt(sub, ZMQ_SUBSCRIBE, b"B") == 0
    sync(pub, sub, b"A")
    sync(pub, sub, b"B")
    assert zmq_setsockopt(sub, ZMQ_UNSUBSCRIBE, b"B") == 0
    send(pub, b"B1")  # no longer subscribed: filtered by the SUB itself
    send(pub, b"B2")
    send(pub, b"A3")
    wait_in(sub)
    assert recv(sub, ZMQ_DONTWAIT) == b"A3"
    assert events(sub) == 0  # B1, B2 were consumed by the read-ahead
    for i in range(3):
        send(pub, b"B%d" % i, ZMQ_SNDMORE)
        send(pub, b"A-in-a-later-frame")
    send(pub, b"A4", ZMQ_SNDMORE)
    send(pub, b"tail")
    wait_in(sub)
    assert recv(sub) == b"A4"
    assert zmq_getsockopt(sub, ZMQ_RCVMORE) == 1
    assert events(sub) & ZMQ_POLLIN  # the rest of the message
    assert recv(sub) == b"tail"
    assert zmq_getsockopt(sub, ZMQ_RCVMORE) == 0
    assert events(sub) == 0


def test_xpub_events_track_pending_subscriptions(ctx: Any, transport: str) -> None:
    xpub = sock(ctx, ZMQ_XPUB)
    sub = sock(ctx, ZMQ_SUB)
    assert zmq_connect(sub, bind(xpub, transport)) == 0
    assert events(xpub) == ZMQ_POLLOUT
    assert zmq_setsockopt(sub, ZMQ_SUBSCRIBE, b"t") == 0
    wait_in(xpub)
    assert events(xpub) == ZMQ_POLLIN | ZMQ_POLLOUT
    assert recv(xpub) == b"\x01t"
    assert events(xpub) == ZMQ_POLLOUT


def test_xpub_rcvmore_on_upstream_multipart(ctx: Any, transport: str) -> None:
    xpub = sock(ctx, ZMQ_XPUB)
    xsub = sock(ctx, ZMQ_XSUB)
    assert zmq_connect(xsub, bind(xpub, transport)) == 0
    send(xsub, b"a", ZMQ_SNDMORE)
    send(xsub, b"b", ZMQ_SNDMORE)
    send(xsub, b"c")
    m = zmq_msg_t()
    zmq_msg_init(m)
    got = []
    for _ in range(3):
        assert zmq_msg_recv(m, xpub, 0) >= 0
        got.append((bytes(zmq_msg_data(m)), zmq_msg_more(m),
                    zmq_getsockopt(xpub, ZMQ_RCVMORE)))
    assert got == [(b"a", 1, 1), (b"b", 1, 1), (b"c", 0, 0)]


def test_operations_after_close_and_term(ctx: Any) -> None:
    for kind in (ZMQ_PUB, ZMQ_SUB, ZMQ_XPUB, ZMQ_XSUB):
        s = zmq_socket(ctx, kind)
        assert zmq_close(s) == 0
        assert zmq_send(s, b"x", 1, 0) == -1 and zmq_errno() == ENOTSOCK
        assert zmq_setsockopt(s, ZMQ_SUBSCRIBE, b"") == -1 and zmq_errno() == ENOTSOCK
