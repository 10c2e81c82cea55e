"""PUB/SUB/XPUB/XSUB edge cases: multipart boundaries, peers arriving mid-message,
payload release, long topics, and the hooks the transport layer uses (implicit
subscribe-all for ZMTP/1.0 peers, resubscribe on reconnect).

spec/ZMQ40.md §3.2, §8.4 (resend on reconnect), §8.21; zmq4 deviations from 4.0 quirks
are documented in zmq4/core/sockets/xpub.py, xsub.py and pub.py.
"""

# ruff: noqa: F405 - C names come from the star import, as in a ported C test
from __future__ import annotations

import gc
import time
from typing import Any

import pytest
from support import bind

from zmq4.capi import *  # noqa: F403 - the C names, as a ported C test reads
from zmq4.capi import zmq_msg_t
from zmq4.core.pipe import Pipe, pipepair
from zmq4.core.sockets.xpub import SUBSCRIBE_ALL

TIMEOUT_MS = 5000


def sock(ctx: Any, kind: int, **opts: Any) -> Any:
    s = zmq_socket(ctx, kind)
    assert s is not None
    assert zmq_setsockopt(s, ZMQ_RCVTIMEO, TIMEOUT_MS) == 0
    assert zmq_setsockopt(s, ZMQ_LINGER, 0) == 0
    for name, value in opts.items():
        assert zmq_setsockopt(s, globals()["ZMQ_" + name], value) == 0, name
    return s


def send(s: Any, data: bytes, flags: int = 0) -> None:
    assert zmq_send(s, data, len(data), flags) == len(data), zmq_strerror(zmq_errno())


def send_multipart(s: Any, frames: list[bytes]) -> None:
    for i, f in enumerate(frames):
        send(s, f, ZMQ_SNDMORE if i < len(frames) - 1 else 0)


def recv(s: Any, flags: int = 0) -> bytes | None:
    m = zmq_msg_t()
    zmq_msg_init(m)
    if zmq_msg_recv(m, s, flags) < 0:
        assert zmq_errno() == EAGAIN
        return None
    return bytes(zmq_msg_data(m))


def recv_multipart(s: Any) -> list[bytes]:
    frames = [recv(s)]
    while zmq_getsockopt(s, ZMQ_RCVMORE):
        frames.append(recv(s))
    assert None not in frames, "nothing received within the timeout"
    return frames  # type: ignore[return-value]


def sync(pub: Any, sub: Any, topic: bytes) -> list[list[bytes]]:
    """Publish ``topic`` until ``sub`` gets it, then drain up to ``topic + b"!"``;
    returns every message ``sub`` received meanwhile (in order)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    items = [zmq_pollitem_t(socket=sub, events=ZMQ_POLLIN)]
    while True:
        send(pub, topic)
        if zmq_poll(items, 1, 20) == 1:
            break
        assert time.monotonic() < deadline, f"{topic!r} never got through"
    send(pub, topic + b"!")
    got = []
    while True:
        got.append(recv_multipart(sub))
        if got[-1] == [topic + b"!"]:
            return got


# ---------------------------------------------------------------------------- mid-message peers

def test_subscriber_attached_mid_multipart(ctx: Any, transport: str) -> None:
    """A subscriber that arrives while a multipart message is being published gets none
    of that message (not its tail) and everything matching afterwards."""
    xpub = sock(ctx, ZMQ_XPUB)
    ep = bind(xpub, transport)
    s1 = sock(ctx, ZMQ_SUB)
    assert zmq_connect(s1, ep) == 0
    assert zmq_setsockopt(s1, ZMQ_SUBSCRIBE, b"") == 0
    sync(xpub, s1, b"s1")
    send(xpub, b"head", ZMQ_SNDMORE)
    s2 = sock(ctx, ZMQ_SUB)
    assert zmq_connect(s2, ep) == 0
    assert zmq_setsockopt(s2, ZMQ_SUBSCRIBE, b"") == 0
    send(xpub, b"middle", ZMQ_SNDMORE)  # inproc: s2's pipe attaches here
    send(xpub, b"tail")
    got = sync(xpub, s2, b"s2")
    assert all(m in ([b"s2"], [b"s2!"]) for m in got), got
    assert recv_multipart(s1) == [b"head", b"middle", b"tail"]


def test_xsub_pipe_attached_mid_multipart(ctx: Any) -> None:
    """An XSUB connecting while it is in the middle of sending a multipart message sends
    the new publisher its subscriptions at once but none of that message."""
    xpub = sock(ctx, ZMQ_XPUB, XPUB_VERBOSE=1)
    ep = bind(xpub, "inproc")
    xsub = sock(ctx, ZMQ_XSUB)
    send(xsub, b"\x01A")
    send(xsub, b"head", ZMQ_SNDMORE)
    assert zmq_connect(xsub, ep) == 0  # inproc: attached right here, mid-message
    send(xsub, b"tail")
    send(xsub, b"after")
    assert recv_multipart(xpub) == [b"\x01A"]
    assert recv_multipart(xpub) == [b"after"]


def test_xsub_publisher_writable_again_mid_multipart(ctx: Any) -> None:
    """A publisher queue that frees up while the XSUB is in the middle of a multipart
    message it could not take must not receive that message's tail on its own."""
    xpub = sock(ctx, ZMQ_XPUB, RCVHWM=1)
    ep = bind(xpub, "inproc")
    xsub = sock(ctx, ZMQ_XSUB, SNDHWM=1)
    assert zmq_connect(xsub, ep) == 0  # inproc queue: SNDHWM + RCVHWM = 2 messages
    send(xsub, b"u1")
    send(xsub, b"u2")
    send(xsub, b"u3")  # full: dropped for this publisher
    send(xsub, b"head", ZMQ_SNDMORE)  # dropped too (no room for frame 1)
    zmq_getsockopt(xpub, ZMQ_EVENTS)  # the XPUB reads u1, u2: room again
    send(xsub, b"tail")  # the end of a message this publisher never started
    send(xsub, b"u4")
    assert [recv_multipart(xpub) for _ in range(3)] == [[b"u1"], [b"u2"], [b"u4"]]
    assert recv(xpub, ZMQ_DONTWAIT) is None


# ---------------------------------------------------------------------------- multipart rules

def test_subscription_frame_with_more(ctx: Any, transport: str) -> None:
    """Only a message's first frame can be a subscription; a subscription sent with
    SNDMORE (never done by libzmq peers) counts, and its trailing frames are dropped by
    the XPUB, never shown to the application on their own."""
    xpub = sock(ctx, ZMQ_XPUB)
    xsub = sock(ctx, ZMQ_XSUB)
    assert zmq_connect(xsub, bind(xpub, transport)) == 0
    send_multipart(xsub, [b"\x01A", b"junk", b"\x01B"])
    assert recv_multipart(xpub) == [b"\x01A"]
    send(xsub, b"marker1")
    assert recv_multipart(xpub) == [b"marker1"]  # no junk, no B subscription
    send_multipart(xsub, [b"\x01A", b"more"])  # count 2
    send_multipart(xsub, [b"\x00A", b"x"])  # count 1: swallowed whole by the XSUB
    send(xsub, b"marker2")
    assert recv_multipart(xpub) == [b"marker2"]
    got = sync(xpub, xsub, b"A")  # still subscribed to A, not to B
    send(xpub, b"B1")
    send(xpub, b"A!end")
    assert recv_multipart(xsub) == [b"A!end"]
    assert got[-1] == [b"A!"]
    send_multipart(xsub, [b"\x00A", b"y"])  # count 0: forwarded
    assert recv_multipart(xpub) == [b"\x00A"]


def test_upstream_then_close_keeps_order(ctx: Any, transport: str) -> None:
    """What a departing XSUB sent before closing reaches the XPUB application first, whole,
    and then the synthesised unsubscribes."""
    xpub = sock(ctx, ZMQ_XPUB)
    xsub = sock(ctx, ZMQ_XSUB, LINGER=-1)
    assert zmq_connect(xsub, bind(xpub, transport)) == 0
    send_multipart(xsub, [b"a", b"b"])
    send(xsub, b"\x01T")
    send_multipart(xsub, [b"c", b"d", b"e"])
    zmq_close(xsub)
    got = [recv_multipart(xpub) for _ in range(4)]
    assert got == [[b"a", b"b"], [b"\x01T"], [b"c", b"d", b"e"], [b"\x00T"]]


def test_verbose_can_change_at_runtime(ctx: Any, transport: str) -> None:
    xpub = sock(ctx, ZMQ_XPUB)
    xsub = sock(ctx, ZMQ_XSUB)
    assert zmq_connect(xsub, bind(xpub, transport)) == 0
    send(xsub, b"\x01A")
    assert recv(xpub) == b"\x01A"
    send(xsub, b"\x01A")
    send(xsub, b"\x01M")
    assert recv(xpub) == b"\x01M"
    assert zmq_setsockopt(xpub, ZMQ_XPUB_VERBOSE, 1) == 0
    send(xsub, b"\x01A")
    assert recv(xpub) == b"\x01A"


def test_long_topic(ctx: Any, transport: str) -> None:
    """A 1 MB subscription and topic work (no recursion per topic byte: 4.0.10's mtrie
    stack-overflow fix)."""
    pub = sock(ctx, ZMQ_PUB)
    sub = sock(ctx, ZMQ_SUB)
    assert zmq_connect(sub, bind(pub, transport)) == 0
    topic = b"t" * 1_000_000
    assert zmq_setsockopt(sub, ZMQ_SUBSCRIBE, topic) == 0
    sync(pub, sub, topic)
    send(pub, topic[:-1] + b"u")
    send(pub, topic + b"!!")
    assert recv(sub) == topic + b"!!"


# ---------------------------------------------------------------------------- payload release

def _tracked(freed: list[bytes], data: bytes) -> zmq_msg_t:
    m = zmq_msg_t()
    buf = bytearray(data)
    assert zmq_msg_init_data(m, buf, len(buf), lambda d, hint: freed.append(hint), data) == 0
    return m


def test_pub_releases_upstream_messages(ctx: Any) -> None:
    """PUB drops upstream user messages as it reads them (4.0 keeps them forever, spec
    §3.2 [quirk]): their payload is released once the PUB has processed its pipes."""
    pub = sock(ctx, ZMQ_PUB)
    xsub = sock(ctx, ZMQ_XSUB)
    # inproc: the message objects themselves travel (tcp/ipc encode them into bytes)
    assert zmq_connect(xsub, bind(pub, "inproc")) == 0
    freed: list[bytes] = []
    for i, frames in enumerate(([b"single"], [b"multi", b"part"], [b""])):
        for j, f in enumerate(frames):
            m = _tracked(freed, b"%d.%d" % (i, j) + f)
            flags = ZMQ_SNDMORE if j < len(frames) - 1 else 0
            assert zmq_msg_send(m, xsub, flags) >= 0
    zmq_getsockopt(pub, ZMQ_EVENTS)  # the PUB reads its pipes
    gc.collect()
    assert sorted(freed) == [b"0.0single", b"1.0multi", b"1.1part", b"2.0"]


def test_xpub_releases_after_application_reads(ctx: Any) -> None:
    xpub = sock(ctx, ZMQ_XPUB)
    xsub = sock(ctx, ZMQ_XSUB)
    # inproc: the message objects themselves travel (tcp/ipc encode them into bytes)
    assert zmq_connect(xsub, bind(xpub, "inproc")) == 0
    freed: list[bytes] = []
    assert zmq_msg_send(_tracked(freed, b"up"), xsub, 0) == 2
    zmq_getsockopt(xpub, ZMQ_EVENTS)
    gc.collect()
    assert freed == []  # queued for the application
    m = zmq_msg_t()
    zmq_msg_init(m)
    assert zmq_msg_recv(m, xpub, 0) == 2
    zmq_msg_close(m)
    gc.collect()
    assert freed == [b"up"]


# ---------------------------------------------------------------------------- transport hooks

class _Sink:
    """Stands in for a session: the far end of a pipe, driven by hand."""

    def __init__(self) -> None:
        self.commands: list[Any] = []

    def post(self, command: Any) -> None:
        self.commands.append(command)

    def pipe_ended(self, pipe: Pipe) -> None:
        pass


def _drain(pipe: Pipe) -> list[bytes]:
    out = []
    while True:
        m = pipe.read()
        if m is None:
            return out
        out.append(m.bytes())


@pytest.mark.parametrize("kind", [ZMQ_XPUB, ZMQ_PUB])
def test_subscribe_all_tag(ctx: Any, kind: int) -> None:
    """Transport hook (ZMTP/1.0 peers never subscribe): a pipe tagged SUBSCRIBE_ALL before
    attach receives everything; XPUB reports it like a ``0x01`` subscription and
    synthesises ``0x00`` when the peer goes."""
    s = sock(ctx, kind)
    local, remote = pipepair(s, _Sink(), 0, 0)
    local.tag = SUBSCRIBE_ALL
    s.attach_pipe(local)
    assert local.tag is None
    send(s, b"anything", ZMQ_SNDMORE)
    send(s, b"goes")
    assert _drain(remote) == [b"anything", b"goes"]
    remote.terminate(False)
    if kind == ZMQ_XPUB:
        assert recv(s) == b"\x01"
        assert recv(s) == b"\x00"
    else:
        zmq_getsockopt(s, ZMQ_EVENTS)
    assert local not in s.pipes


def test_untagged_pipe_gets_nothing(ctx: Any) -> None:
    xpub = sock(ctx, ZMQ_XPUB)
    local, remote = pipepair(xpub, _Sink(), 0, 0)
    xpub.attach_pipe(local)
    send(xpub, b"anything")
    assert _drain(remote) == []
    assert recv(xpub, ZMQ_DONTWAIT) is None


def test_hiccup_resends_subscriptions(ctx: Any) -> None:
    """spec §8.4: after a reconnect ("hiccup") SUB/XSUB resend their whole subscription
    set; a resend requested mid-multipart waits for the end of that message. The
    transport calls ``xhiccuped`` in the socket's thread, e.g. through a ``call``
    command."""
    xsub = sock(ctx, ZMQ_XSUB)
    local, remote = pipepair(xsub, _Sink(), 0, 0)
    xsub.attach_pipe(local)
    for m in (b"\x01B", b"\x01A", b"\x01A"):
        send(xsub, m)
    assert _drain(remote) == [b"\x01B", b"\x01A", b"\x01A"]
    xsub.post(("call", xsub.xhiccuped, local))
    zmq_getsockopt(xsub, ZMQ_EVENTS)  # runs the command
    assert _drain(remote) == [b"\x01A", b"\x01B"]
    send(xsub, b"head", ZMQ_SNDMORE)
    xsub.xhiccuped(local)
    assert _drain(remote) == []
    send(xsub, b"tail")
    assert _drain(remote) == [b"head", b"tail", b"\x01A", b"\x01B"]


def test_sub_resends_after_hiccup(ctx: Any) -> None:
    sub = sock(ctx, ZMQ_SUB)
    local, remote = pipepair(sub, _Sink(), 0, 0)
    sub.attach_pipe(local)
    assert zmq_setsockopt(sub, ZMQ_SUBSCRIBE, b"x") == 0
    assert zmq_setsockopt(sub, ZMQ_SUBSCRIBE, b"") == 0
    assert zmq_setsockopt(sub, ZMQ_UNSUBSCRIBE, b"x") == 0
    assert _drain(remote) == [b"\x01x", b"\x01", b"\x00x"]
    sub.xhiccuped(local)
    assert _drain(remote) == [b"\x01"]
    remote.terminate(False)
    zmq_getsockopt(sub, ZMQ_EVENTS)
    sub.xhiccuped(local)  # a pipe that is gone: ignored
