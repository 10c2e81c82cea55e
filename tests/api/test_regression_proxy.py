"""The libzmq 4.0 regression suite (spec ZMQ40.md §7), devices, monitor and ZMQ_FD,
C style through zmq4.capi: test_sub_forward through zmq_proxy, test_proxy_single_socket,
test_proxy_terminate (zmq_proxy_steerable PAUSE/RESUME/TERMINATE, §1.7), the inproc-visible
part of test_monitor (§1.8: argument checks, the two-frame event format,
MONITOR_STOPPED), and ZMQ_FD/ZMQ_EVENTS driven by select.select (§8.15).

tests/spec/test_rfc29_pubsub.py already has the hand-written XPUB/XSUB forwarder
(test_sub_forward) and a steerable XSUB/XPUB proxy; here the same traffic goes through
zmq_proxy itself.
"""

# ruff: noqa: F405 - C names come from the star import, as in a ported C test
from __future__ import annotations

import select
import struct
import threading
import time
from typing import Any, Callable

import pytest
from _regression40 import (
    TIMEOUT, bind, close, connect, endpoint, fails_with, poll_in, recv_msg, recv_seq,
    send_seq, setopt, sock,
)

from zmq4.capi import *  # noqa: F403 - the C names, as a ported C test reads

JOIN = TIMEOUT / 1000
EVENT = struct.Struct("=HI")  # monitor frame 1: uint16 event + uint32 value, native order


def run_in_thread(fn: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run ``fn`` in a thread; ``(result, zmq_errno())`` lands in the list."""
    out: list[Any] = []
    t = threading.Thread(target=lambda: out.append((fn(), zmq_errno())), daemon=True)
    t.start()
    return t, out


def publish_until_received(pub: Any, sub: Any, payload: bytes = b"") -> None:
    """Publish ``payload`` until ``sub`` has it queued (subscriptions travel
    asynchronously)."""
    deadline = time.monotonic() + JOIN
    while True:
        assert zmq_send(pub, payload, len(payload), 0) == len(payload)
        if poll_in([sub], 20):
            return
        assert time.monotonic() < deadline, "the subscription never reached the publisher"


# ---------------------------------------------------------------------------- test_sub_forward

def test_sub_forward_through_zmq_proxy() -> None:
    """test_sub_forward with zmq_proxy(XSUB, XPUB) running in a thread: the SUB's
    subscription travels up to the PUB, the PUB's (empty) messages travel down to the
    SUB. zmq_ctx_shutdown ends the proxy with -1/ETERM."""
    ctx = zmq_ctx_new()
    pub_ep, sub_ep = endpoint("pub"), endpoint("sub")
    pub = sock(ctx, ZMQ_PUB)
    bind(pub, pub_ep)
    xsub = sock(ctx, ZMQ_XSUB)
    connect(xsub, pub_ep)
    xpub = sock(ctx, ZMQ_XPUB)
    bind(xpub, sub_ep)
    proxy, out = run_in_thread(lambda: zmq_proxy(xsub, xpub, None))
    sub = sock(ctx, ZMQ_SUB)
    connect(sub, sub_ep)
    setopt(sub, ZMQ_SUBSCRIBE, b"")
    publish_until_received(pub, sub, b"")
    assert recv_msg(sub) == [b""]
    send_seq(pub, b"topic", b"body")  # multipart survives the proxy
    frames = recv_msg(sub)
    while frames == [b""]:  # later copies of the probe
        frames = recv_msg(sub)
    assert frames == [b"topic", b"body"]
    assert zmq_ctx_shutdown(ctx) == 0
    proxy.join(JOIN)
    assert not proxy.is_alive() and out == [(-1, ETERM)]
    close(pub, xsub, xpub, sub)
    assert zmq_ctx_term(ctx) == 0


def test_proxy_capture_gets_every_frame() -> None:
    """§8.17: every frame forwarded in either direction is also sent to the capture
    socket, MORE flags preserved."""
    ctx = zmq_ctx_new()
    fe_ep, be_ep, cap_ep = endpoint("fe"), endpoint("be"), endpoint("cap")
    frontend = sock(ctx, ZMQ_ROUTER)
    bind(frontend, fe_ep)
    backend = sock(ctx, ZMQ_DEALER)
    bind(backend, be_ep)
    capture = sock(ctx, ZMQ_PUSH)
    bind(capture, cap_ep)
    cap_in = sock(ctx, ZMQ_PULL)
    connect(cap_in, cap_ep)
    proxy, out = run_in_thread(lambda: zmq_proxy(frontend, backend, capture))
    client = sock(ctx, ZMQ_REQ, IDENTITY=b"C")
    connect(client, fe_ep)
    worker = sock(ctx, ZMQ_REP)
    connect(worker, be_ep)
    send_seq(client, b"question")
    recv_seq(worker, b"question")
    send_seq(worker, b"answer")
    recv_seq(client, b"answer")
    assert recv_msg(cap_in) == [b"C", b"", b"question"]
    assert recv_msg(cap_in) == [b"C", b"", b"answer"]
    assert zmq_ctx_shutdown(ctx) == 0
    proxy.join(JOIN)
    assert out == [(-1, ETERM)]
    close(frontend, backend, capture, cap_in, client, worker)
    assert zmq_ctx_term(ctx) == 0


def test_proxy_bad_arguments(ctx: Any) -> None:
    """§1.7: NULL frontend or backend is EFAULT; a closed socket is ENOTSOCK; neither
    blocks."""
    s = sock(ctx, ZMQ_PAIR)
    dead = sock(ctx, ZMQ_PAIR)
    close(dead)
    assert fails_with(zmq_proxy(None, s, None), EFAULT)
    assert fails_with(zmq_proxy(s, None, None), EFAULT)
    assert fails_with(zmq_proxy_steerable(None, None, None, None), EFAULT)
    assert fails_with(zmq_device(ZMQ_QUEUE, None, s), EFAULT)
    assert fails_with(zmq_proxy(dead, s, None), ENOTSOCK)
    assert fails_with(zmq_proxy("not a socket", s, None), ENOTSOCK)
    close(s)


# ---------------------------------------------------------------------------- test_proxy_single_socket

def _control_pair(ctx: Any, kind: int = ZMQ_PAIR) -> tuple[Any, Any]:
    """(our end, the proxy's end) of a control channel; SUB for the proxy when ``kind`` is
    ZMQ_SUB (as the original test)."""
    ep = endpoint("ctl")
    if kind == ZMQ_SUB:
        ours = sock(ctx, ZMQ_PUB)
        bind(ours, ep)
        theirs = sock(ctx, ZMQ_SUB)
        setopt(theirs, ZMQ_SUBSCRIBE, b"")
        connect(theirs, ep)
        zmq_getsockopt(ours, ZMQ_EVENTS)  # the PUB adopts the pipe and the subscription
    else:
        ours = sock(ctx, ZMQ_PAIR)
        bind(ours, ep)
        theirs = sock(ctx, ZMQ_PAIR)
        connect(theirs, ep)
    return ours, theirs


def test_proxy_single_socket_rep(ctx: Any) -> None:
    """test_proxy_single_socket: zmq_proxy_steerable with one REP socket as both
    frontend and backend echoes requests back to the REQ; "TERMINATE" on a SUB control
    socket makes it return 0."""
    ep = endpoint("single")
    rep = sock(ctx, ZMQ_REP)
    bind(rep, ep)
    req = sock(ctx, ZMQ_REQ)
    connect(req, ep)
    ctl, ctl_proxy = _control_pair(ctx, ZMQ_SUB)
    proxy, out = run_in_thread(lambda: zmq_proxy_steerable(rep, rep, None, ctl_proxy))
    for body in (b"msg1", b"msg22"):
        send_seq(req, body)
        recv_seq(req, body)
    send_seq(ctl, b"TERMINATE")
    proxy.join(JOIN)
    assert not proxy.is_alive() and out[0][0] == 0
    close(req, rep, ctl, ctl_proxy)


def test_proxy_single_socket_router(ctx: Any) -> None:
    """#1428: frontend == backend ROUTER: each message comes back to the peer that sent
    it (the identity frame routes the echo)."""
    ep = endpoint("single")
    router = sock(ctx, ZMQ_ROUTER)
    bind(router, ep)
    dealers = []
    for name in (b"A", b"B", b"C"):
        d = sock(ctx, ZMQ_DEALER, IDENTITY=name)
        connect(d, ep)
        dealers.append(d)
    ctl, ctl_proxy = _control_pair(ctx)
    proxy, out = run_in_thread(lambda: zmq_proxy_steerable(router, router, None, ctl_proxy))
    for n in range(3):
        for d, name in zip(dealers, (b"A", b"B", b"C")):
            send_seq(d, name + b"%d" % n, b"tail")
    for n in range(3):
        for d, name in zip(dealers, (b"A", b"B", b"C")):
            recv_seq(d, name + b"%d" % n, b"tail")
    send_seq(ctl, b"TERMINATE")
    proxy.join(JOIN)
    assert out and out[0][0] == 0
    close(router, ctl, ctl_proxy, *dealers)


# ---------------------------------------------------------------------------- test_proxy_terminate

def test_proxy_terminate_pause_resume(ctx: Any) -> None:
    """test_proxy_terminate: steerable proxy SUB frontend -> PUSH backend passes messages
    to a PULL; PAUSE stops forwarding (messages wait in the frontend), RESUME delivers
    them, TERMINATE returns 0 even though the backend (no PULL left) cannot send.
    Control commands are copied to the capture socket."""
    fe_ep, be_ep, cap_ep = endpoint("fe"), endpoint("be"), endpoint("cap")
    frontend = sock(ctx, ZMQ_SUB)
    setopt(frontend, ZMQ_SUBSCRIBE, b"")
    bind(frontend, fe_ep)
    backend = sock(ctx, ZMQ_PUSH)
    bind(backend, be_ep)
    capture = sock(ctx, ZMQ_PUSH)
    bind(capture, cap_ep)
    cap_in = sock(ctx, ZMQ_PULL)
    connect(cap_in, cap_ep)
    ctl, ctl_proxy = _control_pair(ctx)
    proxy, out = run_in_thread(
        lambda: zmq_proxy_steerable(frontend, backend, capture, ctl_proxy))
    publisher = sock(ctx, ZMQ_PUB)
    connect(publisher, fe_ep)
    receiver = sock(ctx, ZMQ_PULL)
    connect(receiver, be_ep)

    def cap_next_control(cmd: bytes) -> None:
        while True:  # skip the captured data frames
            frames = recv_msg(cap_in)
            if frames == [cmd]:
                return

    publish_until_received(publisher, receiver, b"probe")
    while poll_in([receiver], 50):
        assert recv_msg(receiver) == [b"probe"]
    for n in range(3):
        send_seq(publisher, b"msg%d" % n)
    for n in range(3):
        recv_seq(receiver, b"msg%d" % n)

    send_seq(ctl, b"PAUSE")
    cap_next_control(b"PAUSE")  # the proxy has read the command: forwarding stops
    send_seq(publisher, b"held")
    assert poll_in([receiver], 300) == []
    send_seq(ctl, b"RESUME")
    cap_next_control(b"RESUME")
    recv_seq(receiver, b"held")

    close(receiver)  # the backend has no peer now: it cannot send
    send_seq(publisher, b"stuck")
    send_seq(ctl, b"TERMINATE")
    proxy.join(JOIN)
    assert not proxy.is_alive() and out[0][0] == 0
    cap_next_control(b"TERMINATE")
    close(frontend, backend, capture, cap_in, ctl, ctl_proxy, publisher)


@pytest.mark.parametrize("command", [[b"BOGUS"], [b""], [b"pause"], [b"TERMINATEX"],
                                     [b"TERMINATE", b"extra"]],
                         ids=["unknown", "empty", "lowercase", "suffix", "multipart"])
def test_proxy_bad_control_command(ctx: Any, command: list[bytes]) -> None:
    """§1.7 [guard]: an unknown control command (4.0 aborts) or a multipart control
    message makes zmq_proxy_steerable return -1 with EINVAL — never abort or hang; the
    sockets stay usable."""
    ep = endpoint("bad")
    a = sock(ctx, ZMQ_PAIR)
    bind(a, ep)
    b = sock(ctx, ZMQ_PAIR)
    connect(b, ep)
    ctl, ctl_proxy = _control_pair(ctx)
    proxy, out = run_in_thread(lambda: zmq_proxy_steerable(a, a, None, ctl_proxy))
    send_seq(ctl, *command)
    proxy.join(JOIN)
    assert not proxy.is_alive(), "the proxy did not return on a bad control command"
    assert out == [(-1, EINVAL)]
    bounce_ok = zmq_send(b, b"still", 5, 0) == 5
    assert bounce_ok
    recv_seq(a, b"still")
    close(a, b, ctl, ctl_proxy)


# ---------------------------------------------------------------------------- test_monitor

def recv_event(mon: Any) -> tuple[int, int, bytes]:
    """One monitor event: frame 1 is 6 bytes (uint16 event, uint32 value, native order,
    no padding) with MORE, frame 2 the endpoint."""
    frames = recv_msg(mon)
    assert len(frames) == 2, frames
    assert len(frames[0]) == 6
    event, value = EVENT.unpack(frames[0])
    return event, value, frames[1]


def test_monitor_argument_checks(ctx: Any) -> None:
    """test_monitor: a tcp (or any non-inproc) monitor address is EPROTONOSUPPORT; a
    malformed one EINVAL; NULL deregisters (returns 0, also when nothing is monitored);
    a closed socket is ENOTSOCK; an inproc name already bound is EADDRINUSE."""
    s = sock(ctx, ZMQ_REP)
    assert fails_with(zmq_socket_monitor(s, "tcp://127.0.0.1:*", 0), EPROTONOSUPPORT)
    assert fails_with(zmq_socket_monitor(s, "ipc:///tmp/zmq4-monitor", 0), EPROTONOSUPPORT)
    assert fails_with(zmq_socket_monitor(s, "bogus://x", 0), EPROTONOSUPPORT)
    assert fails_with(zmq_socket_monitor(s, "inproc", 0), EINVAL)
    for junk in (None, "all", 1.5):  # events is a C int; close() must still work after
        assert fails_with(zmq_socket_monitor(s, endpoint("mon"), junk), EINVAL)
    assert zmq_socket_monitor(s, None, 0) == 0
    taken = endpoint("taken")
    other = sock(ctx, ZMQ_PAIR)
    bind(other, taken)
    assert fails_with(zmq_socket_monitor(s, taken, ZMQ_EVENT_ALL), EADDRINUSE)
    mon_ep = endpoint("mon")
    assert zmq_socket_monitor(s, mon_ep, ZMQ_EVENT_ALL) == 0
    assert zmq_socket_monitor(s, None, 0) == 0
    dead = sock(ctx, ZMQ_PAIR)
    close(dead)
    assert fails_with(zmq_socket_monitor(dead, endpoint("mon"), ZMQ_EVENT_ALL), ENOTSOCK)
    close(s, other)


def test_monitor_stopped_on_close(ctx: Any) -> None:
    """§1.8/§2.9: closing a monitored socket emits MONITOR_STOPPED (value 0, empty
    endpoint) as a two-frame event, read here by a PAIR connected to the monitor
    address."""
    s = sock(ctx, ZMQ_DEALER)
    mon_ep = endpoint("mon")
    assert zmq_socket_monitor(s, mon_ep, ZMQ_EVENT_ALL) == 0
    reader = sock(ctx, ZMQ_PAIR)
    connect(reader, mon_ep)
    close(s)
    assert recv_event(reader) == (ZMQ_EVENT_MONITOR_STOPPED, 0, b"")
    assert fails_with(zmq_recv(reader, bytearray(8), 8, ZMQ_DONTWAIT), EAGAIN)
    close(reader)


def test_monitor_stopped_on_deregister(ctx: Any) -> None:
    """§1.4: zmq_socket_monitor(s, NULL, 0) stops monitoring and emits MONITOR_STOPPED
    if selected; the monitor address is free again afterwards."""
    s = sock(ctx, ZMQ_ROUTER)
    mon_ep = endpoint("mon")
    assert zmq_socket_monitor(s, mon_ep, ZMQ_EVENT_MONITOR_STOPPED) == 0
    reader = sock(ctx, ZMQ_PAIR)
    connect(reader, mon_ep)
    assert zmq_socket_monitor(s, None, 0) == 0
    assert recv_event(reader) == (ZMQ_EVENT_MONITOR_STOPPED, 0, b"")
    again = sock(ctx, ZMQ_PAIR)
    bind(again, mon_ep)  # the monitor's PAIR is gone with its name
    close(s, reader, again)


def test_monitor_stopped_not_selected(ctx: Any) -> None:
    """An event mask without MONITOR_STOPPED: closing the socket sends nothing."""
    s = sock(ctx, ZMQ_DEALER)
    mon_ep = endpoint("mon")
    assert zmq_socket_monitor(s, mon_ep, ZMQ_EVENT_ALL & ~ZMQ_EVENT_MONITOR_STOPPED) == 0
    reader = sock(ctx, ZMQ_PAIR)
    connect(reader, mon_ep)
    close(s)
    assert poll_in([reader], 200) == []
    close(reader)


def test_monitor_reader_in_thread(ctx: Any) -> None:
    """test_monitor's reader thread: a blocking recv on the monitor PAIR in another
    thread returns the MONITOR_STOPPED event when the main thread closes the socket."""
    s = sock(ctx, ZMQ_REP)
    mon_ep = endpoint("mon")
    assert zmq_socket_monitor(s, mon_ep, ZMQ_EVENT_ALL) == 0
    reader = sock(ctx, ZMQ_PAIR)
    connect(reader, mon_ep)
    t, out = run_in_thread(lambda: recv_event(reader))
    close(s)
    t.join(JOIN)
    assert not t.is_alive()
    assert out == [((ZMQ_EVENT_MONITOR_STOPPED, 0, b""), 0)]
    close(reader)


def test_monitor_replaced_by_new_address(ctx: Any) -> None:
    """A second zmq_socket_monitor with another address replaces the first monitor (its
    name is released); events then go to the new one."""
    s = sock(ctx, ZMQ_DEALER)
    first, second = endpoint("mon1"), endpoint("mon2")
    assert zmq_socket_monitor(s, first, ZMQ_EVENT_ALL) == 0
    assert zmq_socket_monitor(s, second, ZMQ_EVENT_ALL) == 0
    squatter = sock(ctx, ZMQ_PAIR)
    bind(squatter, first)  # released by the replacement
    reader = sock(ctx, ZMQ_PAIR)
    connect(reader, second)
    close(s)
    assert recv_event(reader) == (ZMQ_EVENT_MONITOR_STOPPED, 0, b"")
    close(reader, squatter)


# ---------------------------------------------------------------------------- ZMQ_FD / ZMQ_EVENTS

def fd_readable(fd: int, timeout: float) -> bool:
    r, _, _ = select.select([fd], [], [], timeout)
    return bool(r)


def test_zmq_fd_with_select_edge_semantics(ctx: Any) -> None:
    """§8.15: ZMQ_FD is an OS fd usable with select.select; it becomes readable when
    something happens (a message arrives) and is drained by reading ZMQ_EVENTS, which
    keeps reporting POLLIN (level) until the message is read."""
    ep = endpoint("fd")
    a = sock(ctx, ZMQ_PAIR)
    bind(a, ep)
    b = sock(ctx, ZMQ_PAIR)
    connect(b, ep)
    fd = zmq_getsockopt(a, ZMQ_FD)
    assert isinstance(fd, int) and fd >= 0
    assert zmq_getsockopt(a, ZMQ_FD) == fd  # stable
    zmq_getsockopt(a, ZMQ_EVENTS)  # drain whatever the connect signalled
    assert not fd_readable(fd, 0)
    assert zmq_getsockopt(a, ZMQ_EVENTS) & ZMQ_POLLIN == 0
    send_seq(b, b"one")
    assert fd_readable(fd, JOIN)
    assert zmq_getsockopt(a, ZMQ_EVENTS) & ZMQ_POLLIN
    assert not fd_readable(fd, 0)  # edge: drained by ZMQ_EVENTS ...
    assert zmq_getsockopt(a, ZMQ_EVENTS) & ZMQ_POLLIN  # ... while the message waits
    recv_seq(a, b"one")
    assert zmq_getsockopt(a, ZMQ_EVENTS) & ZMQ_POLLIN == 0
    assert zmq_getsockopt(a, ZMQ_EVENTS) & ZMQ_POLLOUT
    send_seq(b, b"two")  # the reader is idle again: the fd fires again
    assert fd_readable(fd, JOIN)
    assert zmq_getsockopt(a, ZMQ_EVENTS) & ZMQ_POLLIN
    recv_seq(a, b"two")
    close(a, b)


def test_zmq_fd_event_loop_across_threads(ctx: Any) -> None:
    """§8.15's usage rule as an event loop: select on ZMQ_FD, then read ZMQ_EVENTS and
    recv while it shows POLLIN (and read ZMQ_EVENTS after every recv). Messages sent
    from another thread in bursts are all received; the loop never misses a wake-up."""
    ep = endpoint("fd")
    pull = sock(ctx, ZMQ_PULL)
    bind(pull, ep)
    push = sock(ctx, ZMQ_PUSH)
    connect(push, ep)
    fd = zmq_getsockopt(pull, ZMQ_FD)
    total = 500

    def producer() -> None:
        for i in range(total):
            assert zmq_send(push, b"%d" % i, len(b"%d" % i), 0) >= 1
            if i % 50 == 0:
                time.sleep(0.001)  # bursts, so the reader goes idle in between

    t = threading.Thread(target=producer)
    t.start()
    got = []
    deadline = time.monotonic() + JOIN * 2
    while len(got) < total:
        while zmq_getsockopt(pull, ZMQ_EVENTS) & ZMQ_POLLIN:
            buf = bytearray(8)
            rc = zmq_recv(pull, buf, 8, ZMQ_DONTWAIT)
            assert rc > 0
            got.append(int(buf[:rc]))
        if len(got) < total:
            assert time.monotonic() < deadline, f"stalled after {len(got)} messages"
            fd_readable(fd, 1.0)
    t.join(JOIN)
    assert got == list(range(total))
    close(push, pull)


def test_zmq_fd_pollout_after_hwm(ctx: Any) -> None:
    """§8.15: a writer blocked at the HWM learns through ZMQ_FD that the reader made
    room: the fd fires and ZMQ_EVENTS shows POLLOUT again."""
    ep = endpoint("fd")
    pull = sock(ctx, ZMQ_PULL, RCVHWM=1)
    bind(pull, ep)
    push = sock(ctx, ZMQ_PUSH, SNDHWM=1)
    connect(push, ep)
    fd = zmq_getsockopt(push, ZMQ_FD)
    while zmq_send(push, b"x", 1, ZMQ_DONTWAIT) == 1:
        pass
    assert zmq_errno() == EAGAIN
    assert zmq_getsockopt(push, ZMQ_EVENTS) & ZMQ_POLLOUT == 0
    assert not fd_readable(fd, 0)
    t, _ = run_in_thread(lambda: [recv_msg(pull) for _ in range(2)])
    assert fd_readable(fd, JOIN)
    deadline = time.monotonic() + JOIN
    while not zmq_getsockopt(push, ZMQ_EVENTS) & ZMQ_POLLOUT:
        assert time.monotonic() < deadline
        fd_readable(fd, 0.5)
    assert zmq_send(push, b"y", 1, ZMQ_DONTWAIT) == 1
    t.join(JOIN)
    recv_seq(pull, b"y")
    close(push, pull)


def test_zmq_fd_readable_on_ctx_shutdown() -> None:
    """ZMQ_FD also fires for termination: after zmq_ctx_shutdown the fd is readable and
    the next ZMQ_EVENTS read fails with ETERM."""
    ctx = zmq_ctx_new()
    s = sock(ctx, ZMQ_PULL)
    bind(s, endpoint("fd"))
    fd = zmq_getsockopt(s, ZMQ_FD)
    zmq_getsockopt(s, ZMQ_EVENTS)
    assert not fd_readable(fd, 0)
    assert zmq_ctx_shutdown(ctx) == 0
    assert fd_readable(fd, JOIN)
    assert fails_with(zmq_getsockopt(s, ZMQ_EVENTS), ETERM)
    close(s)
    assert zmq_ctx_term(ctx) == 0


def test_getsockopt_fd_events_buffer_size(ctx: Any) -> None:
    """§1.4: ZMQ_FD/ZMQ_EVENTS are ints; a C buffer smaller than an int is EINVAL."""
    s = sock(ctx, ZMQ_PAIR)
    assert fails_with(zmq_getsockopt(s, ZMQ_FD, 2), EINVAL)
    assert fails_with(zmq_getsockopt(s, ZMQ_EVENTS, 1), EINVAL)
    assert zmq_getsockopt(s, ZMQ_EVENTS, 4) == 0
    close(s)
