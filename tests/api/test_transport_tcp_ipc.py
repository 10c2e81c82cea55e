"""tcp:// and ipc:// transport behaviours through the C-style API (spec/ZMQ40.md §2.9, §4.2,
§4.3, §4.6, §4.7, §5.1, §8.1, §8.4, §8.11, §8.12).

Endpoints and their errno, LAST_ENDPOINT, unbind/disconnect, reconnection after a peer
restarts, ZMQ_IMMEDIATE, linger on close and ctx_term, monitor events with the values
libzmq reports, hostile raw clients (garbage, truncated greeting, impossible frame size)
and MAXMSGSIZE.

Connections are asynchronous here: tests wait for the state they need (a monitor event,
``settle``, a delivery polled with a deadline), never for a fixed time.
"""

# ruff: noqa: F405 - C names come from the star import, as in a ported C test
from __future__ import annotations

import errno
import os
import socket as _socket
import stat
import struct
import tempfile
import threading
import time
from typing import Any

import pytest
import support
from support import TRANSPORTS, bind, bind_address, settle, wait_queued, wait_until

from zmq4.capi import *  # noqa: F403 - the C names, as a ported C test reads
from zmq4.capi import zmq_msg_t

NETWORK = [t for t in TRANSPORTS if t != "inproc"]
TIMEOUT_MS = 10000  # generous: the suite must pass on a loaded 2-core machine
_EVENT = struct.Struct("=HI")



# ---------------------------------------------------------------------------- helpers

def sock(ctx: Any, kind: int, **opts: Any) -> Any:
    s = zmq_socket(ctx, kind)
    assert s is not None, zmq_strerror(zmq_errno())
    setopt(s, ZMQ_LINGER, opts.pop("LINGER", 0))
    setopt(s, ZMQ_RCVTIMEO, opts.pop("RCVTIMEO", TIMEOUT_MS))
    setopt(s, ZMQ_SNDTIMEO, opts.pop("SNDTIMEO", TIMEOUT_MS))
    for name, value in opts.items():
        setopt(s, globals()["ZMQ_" + name], value)
    return s


def setopt(s: Any, opt: int, value: Any) -> None:
    assert zmq_setsockopt(s, opt, value) == 0, zmq_strerror(zmq_errno())


def last_endpoint(s: Any) -> str:
    v = zmq_getsockopt(s, ZMQ_LAST_ENDPOINT)
    return v.decode() if isinstance(v, bytes) else v


def connect(s: Any, endpoint: str) -> None:
    assert zmq_connect(s, endpoint) == 0, zmq_strerror(zmq_errno())


def fails_with(rc: int, err: int) -> bool:
    return rc == -1 and zmq_errno() == err


def send(s: Any, data: bytes, flags: int = 0) -> None:
    assert zmq_send(s, data, len(data), flags) == len(data), zmq_strerror(zmq_errno())


def recv(s: Any, flags: int = 0) -> bytes | None:
    """One frame, or None on EAGAIN (RCVTIMEO or DONTWAIT)."""
    m = zmq_msg_t()
    zmq_msg_init(m)
    if zmq_msg_recv(m, s, flags) < 0:
        assert zmq_errno() == EAGAIN, zmq_strerror(zmq_errno())
        return None
    data = bytes(zmq_msg_data(m))
    zmq_msg_close(m)
    return data


def must_recv(s: Any) -> bytes:
    data = recv(s)
    assert data is not None, "nothing received within the timeout"
    return data


def poll(s: Any, events: int, timeout_ms: int) -> int:
    items = [zmq_pollitem_t(socket=s, events=events)]
    assert zmq_poll(items, 1, timeout_ms) >= 0
    return items[0].revents


def fixed_endpoint(transport: str) -> str:
    """An endpoint nobody listens on (yet), usable before a bind."""
    if transport == "tcp":
        with _socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return f"tcp://127.0.0.1:{s.getsockname()[1]}"
    return bind_address(transport)


def bind_again(s: Any, endpoint: str) -> None:
    """Bind ``endpoint`` that a closed socket used: its listener closes asynchronously
    (as in libzmq, zmq_close returns at once), so the port may be busy for a moment."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while zmq_bind(s, endpoint) != 0:
        assert zmq_errno() == EADDRINUSE, zmq_strerror(zmq_errno())
        assert time.monotonic() < deadline, f"{endpoint} stayed in use"
        time.sleep(0.01)


class Monitor:
    """A PAIR reading ``zmq_socket_monitor`` events of one socket."""

    _n = 0

    def __init__(self, ctx: Any, s: Any, events: int = ZMQ_EVENT_ALL) -> None:
        Monitor._n += 1
        ep = f"inproc://monitor-{os.getpid()}-{id(s):x}-{Monitor._n}"
        assert zmq_socket_monitor(s, ep, events) == 0, zmq_strerror(zmq_errno())
        self.pair = sock(ctx, ZMQ_PAIR)
        connect(self.pair, ep)

    def next(self, timeout_ms: int = TIMEOUT_MS) -> tuple[int, int, str] | None:
        """(event, value, endpoint) of the next event, or None after ``timeout_ms``."""
        if not poll(self.pair, ZMQ_POLLIN, timeout_ms):
            return None
        header = must_recv(self.pair)
        assert zmq_getsockopt(self.pair, ZMQ_RCVMORE) == 1
        endpoint = must_recv(self.pair).decode()
        event, value = _EVENT.unpack(header)
        return event, value, endpoint

    def expect(self, wanted: int, timeout_ms: int = TIMEOUT_MS) -> tuple[int, str]:
        """Skip other events up to the next ``wanted`` one; its (value, endpoint)."""
        deadline = time.monotonic() + timeout_ms / 1000
        seen = []
        while True:
            left = int((deadline - time.monotonic()) * 1000)
            evt = self.next(max(left, 0))
            assert evt is not None, f"no event {wanted} within {timeout_ms} ms; saw {seen}"
            seen.append(evt[0])
            if evt[0] == wanted:
                return evt[1], evt[2]


def raw_connect(endpoint: str) -> _socket.socket:
    return support.raw_connect(endpoint, TIMEOUT_MS / 1000)


def wait_closed_by_peer(s: _socket.socket) -> None:
    """Read until the peer closes the connection (EOF or reset), within the timeout."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        try:
            if not s.recv(65536):
                return
        except ConnectionResetError:
            return
    raise AssertionError("the peer did not close the connection")


# A ZMTP 3.0 NULL greeting and READY as a PUSH peer sends them (spec §5.2, §5.5).
GREETING = (b"\xff" + b"\x00" * 7 + b"\x01" + b"\x7f" + b"\x03\x00"
            + b"NULL".ljust(20, b"\x00") + b"\x00" * 32)
_READY_BODY = b"\x05READY" + b"\x0bSocket-Type" + struct.pack(">I", 4) + b"PUSH"
READY = b"\x04" + bytes([len(_READY_BODY)]) + _READY_BODY
assert len(GREETING) == 64


# ---------------------------------------------------------------------------- endpoints

def test_last_endpoint_tcp_wildcard_port(ctx: Any) -> None:
    """§4.2/§4.7: port ``*`` is an ephemeral port; LAST_ENDPOINT gives the numeric form
    with the actual port, and peers connect with it."""
    pull = sock(ctx, ZMQ_PULL)
    assert zmq_bind(pull, "tcp://127.0.0.1:*") == 0
    ep = last_endpoint(pull)
    host, _, port = ep[len("tcp://"):].rpartition(":")
    assert ep.startswith("tcp://") and host == "127.0.0.1" and 0 < int(port) < 65536
    push = sock(ctx, ZMQ_PUSH)
    connect(push, ep)
    assert last_endpoint(push) == ep  # connect: the resolved numeric address
    send(push, b"hello")
    assert must_recv(pull) == b"hello"


def test_last_endpoint_tcp_any_interface_port_zero(ctx: Any) -> None:
    """§4.2: ``tcp://*:0`` binds every interface on an ephemeral port; LAST_ENDPOINT
    shows ``0.0.0.0``; loopback peers reach it; ``localhost`` resolves on connect."""
    pull = sock(ctx, ZMQ_PULL)
    assert zmq_bind(pull, "tcp://*:0") == 0
    ep = last_endpoint(pull)
    assert ep.startswith("tcp://0.0.0.0:")
    port = int(ep.rpartition(":")[2])
    assert port > 0
    push = sock(ctx, ZMQ_PUSH)
    connect(push, f"tcp://localhost:{port}")
    assert last_endpoint(push) == f"tcp://127.0.0.1:{port}"
    send(push, b"via localhost")
    assert must_recv(pull) == b"via localhost"


def test_last_endpoint_ipc_wildcard(ctx: Any) -> None:
    """§4.3: ``ipc://*`` binds a fresh unique path, reported by LAST_ENDPOINT; the socket
    file exists while bound and is removed when the listener closes."""
    pull = sock(ctx, ZMQ_PULL)
    assert zmq_bind(pull, "ipc://*") == 0
    ep = last_endpoint(pull)
    assert ep.startswith("ipc://") and ep != "ipc://*"
    path = ep[len("ipc://"):]
    assert stat.S_ISSOCK(os.stat(path).st_mode)
    other = sock(ctx, ZMQ_PULL)
    assert zmq_bind(other, "ipc://*") == 0
    assert last_endpoint(other) != ep  # unique per bind
    push = sock(ctx, ZMQ_PUSH)
    connect(push, ep)
    send(push, b"hello")
    assert must_recv(pull) == b"hello"
    assert zmq_unbind(pull, ep) == 0
    wait_until(lambda: not os.path.exists(path), what=f"{path} to be removed")


def test_ipc_abstract_namespace(ctx: Any) -> None:
    """§4.3: ``ipc://@name`` is Linux's abstract namespace: no file, LAST_ENDPOINT
    ``ipc://@name``, a second bind to the same name fails with EADDRINUSE, and
    ``ipc://@`` alone is EINVAL."""
    name = f"zmq4-test-{os.getpid()}-abstract-{time.monotonic_ns()}"
    pull = sock(ctx, ZMQ_PULL)
    assert zmq_bind(pull, f"ipc://@{name}") == 0
    assert last_endpoint(pull) == f"ipc://@{name}"
    assert not os.path.exists("@" + name)
    second = sock(ctx, ZMQ_PULL)
    assert fails_with(zmq_bind(second, f"ipc://@{name}"), EADDRINUSE)
    assert fails_with(zmq_bind(second, "ipc://@"), EINVAL)
    push = sock(ctx, ZMQ_PUSH)
    connect(push, f"ipc://@{name}")
    send(push, b"abstract")
    assert must_recv(pull) == b"abstract"


def test_tcp_second_bind_eaddrinuse(ctx: Any) -> None:
    """A tcp port already bound, by this or another socket, gives EADDRINUSE (and a
    BIND_FAILED event carrying that errno, §2.9)."""
    a = sock(ctx, ZMQ_PULL)
    ep = bind(a, "tcp")
    b = sock(ctx, ZMQ_PULL)
    mon = Monitor(ctx, b, ZMQ_EVENT_BIND_FAILED)
    assert fails_with(zmq_bind(b, ep), EADDRINUSE)
    value, endpoint = mon.expect(ZMQ_EVENT_BIND_FAILED)
    assert value == EADDRINUSE and endpoint == ep
    assert fails_with(zmq_bind(a, ep), EADDRINUSE)


def test_ipc_missing_directory_enoent(ctx: Any) -> None:
    """§4.3: "A missing directory makes bind fail" — ENOENT."""
    s = sock(ctx, ZMQ_PULL)
    missing = os.path.join(tempfile.gettempdir(), f"zmq4-no-such-dir-{os.getpid()}", "sock")
    assert fails_with(zmq_bind(s, "ipc://" + missing), ENOENT)


def test_ipc_path_too_long(ctx: Any) -> None:
    """§4.3: a path that does not fit ``sun_path`` is ENAMETOOLONG."""
    s = sock(ctx, ZMQ_PULL)
    assert fails_with(zmq_bind(s, "ipc:///tmp/" + "x" * 200), ENAMETOOLONG)


def test_tcp_unknown_interface_enodev(ctx: Any) -> None:
    """§4.2: a bind interface that is neither ``*``, an interface name nor a numeric
    address is ENODEV (no DNS on bind)."""
    s = sock(ctx, ZMQ_PULL)
    assert fails_with(zmq_bind(s, "tcp://no-such-interface0:5555"), ENODEV)
    assert fails_with(zmq_bind(s, "tcp://localhost:5555"), ENODEV)


def test_tcp_loopback_interface_name(ctx: Any) -> None:
    """§4.2: an OS interface name binds its IPv4 address."""
    s = sock(ctx, ZMQ_PULL)
    assert zmq_bind(s, "tcp://lo:*") == 0
    assert last_endpoint(s).startswith("tcp://127.0.0.1:")


def _has_ipv6_loopback() -> bool:
    try:
        with _socket.socket(_socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback here")
def test_tcp_ipv6(ctx: Any) -> None:
    """§4.2/§4.7: with ZMQ_IPV6 a bracketed literal binds and connects, LAST_ENDPOINT
    brackets IPv6 addresses (``*`` becomes ``[::]``); without it an IPv6 literal is not
    a usable interface (ENODEV)."""
    pull = sock(ctx, ZMQ_PULL, IPV6=1)
    assert zmq_bind(pull, "tcp://[::1]:*") == 0
    ep = last_endpoint(pull)
    assert ep.startswith("tcp://[::1]:")
    push = sock(ctx, ZMQ_PUSH, IPV6=1)
    connect(push, ep)
    assert last_endpoint(push) == ep
    send(push, b"over v6")
    assert must_recv(pull) == b"over v6"
    anyv6 = sock(ctx, ZMQ_PULL, IPV6=1)
    assert zmq_bind(anyv6, "tcp://*:*") == 0
    assert last_endpoint(anyv6).startswith("tcp://[::]:")
    v4only = sock(ctx, ZMQ_PULL)
    assert fails_with(zmq_bind(v4only, "tcp://[::1]:*"), ENODEV)


@pytest.mark.parametrize("endpoint", [
    "tcp://127.0.0.1:abc", "tcp://127.0.0.1:", "tcp://127.0.0.1", "tcp://:5555",
    "tcp://127.0.0.1:-1", "tcp://127.0.0.1:70000",
])
def test_tcp_bad_port_or_host_einval(ctx: Any, endpoint: str) -> None:
    """§4.2: a port that is not decimal, ``*`` or ``0`` (or is missing) and a missing
    host are EINVAL on bind and connect. (4.0 wraps ports above 65535; zmq4 refuses.)"""
    s = sock(ctx, ZMQ_PUSH)
    assert fails_with(zmq_bind(s, endpoint), EINVAL)
    assert fails_with(zmq_connect(s, endpoint), EINVAL)


def test_tcp_connect_unresolvable_host_einval(ctx: Any) -> None:
    """§4.2: connect resolves the host once, in zmq_connect; failure is EINVAL. A
    connect needs a real port: ``*`` is EINVAL there."""
    s = sock(ctx, ZMQ_PUSH)
    assert fails_with(zmq_connect(s, "tcp://no-such-host.invalid:5555"), EINVAL)
    assert fails_with(zmq_connect(s, "tcp://127.0.0.1:*"), EINVAL)


# ---------------------------------------------------------------------------- unbind / disconnect

@pytest.mark.parametrize("transport", NETWORK)
def test_unbind_closes_accepted_connections(ctx: Any, transport: str) -> None:
    """§4.6: binds are stored under the resolved LAST_ENDPOINT; unbinding it closes the
    listener and every connection accepted through it (the connecting peer sees
    DISCONNECTED, the binder loses the peer); the wildcard form is ENOENT."""
    wildcard = "tcp://127.0.0.1:*" if transport == "tcp" else "ipc://*"
    rep = sock(ctx, ZMQ_REP)
    assert zmq_bind(rep, wildcard) == 0
    ep = last_endpoint(rep)
    req = sock(ctx, ZMQ_REQ)
    mon = Monitor(ctx, req, ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED)
    connect(req, ep)
    send(req, b"ping")
    assert must_recv(rep) == b"ping"
    send(rep, b"pong")
    assert must_recv(req) == b"pong"
    fd, _ = mon.expect(ZMQ_EVENT_CONNECTED)
    assert fails_with(zmq_unbind(rep, wildcard), ENOENT)
    assert zmq_unbind(rep, ep) == 0
    value, endpoint = mon.expect(ZMQ_EVENT_DISCONNECTED)
    assert value == fd and endpoint == ep
    settle(rep, 0)
    assert fails_with(zmq_unbind(rep, ep), ENOENT)


def test_unbind_any_interface_needs_resolved_endpoint(ctx: Any) -> None:
    """§4.6 (4.0.8+): ``tcp://*:port`` must be unbound as ``tcp://0.0.0.0:port``."""
    s = sock(ctx, ZMQ_PULL)
    assert zmq_bind(s, "tcp://*:0") == 0
    ep = last_endpoint(s)
    assert fails_with(zmq_unbind(s, "tcp://*:0"), ENOENT)
    assert zmq_unbind(s, ep) == 0
    other = sock(ctx, ZMQ_PULL)
    bind_again(other, ep)  # the port is free again


@pytest.mark.parametrize("transport", NETWORK)
def test_disconnect(ctx: Any, transport: str) -> None:
    """§4.6: zmq_disconnect with the string given to zmq_connect ends that connection:
    the connecter has no peer left (PUSH cannot send), the binder loses the peer; a
    second disconnect is ENOENT."""
    pull = sock(ctx, ZMQ_PULL)
    ep = bind(pull, transport)
    push = sock(ctx, ZMQ_PUSH)
    connect(push, ep)
    send(push, b"one")
    assert must_recv(pull) == b"one"
    settle(pull, 1)
    assert zmq_disconnect(push, ep) == 0
    settle(push, 0)
    settle(pull, 0)
    assert fails_with(zmq_send(push, b"x", 1, ZMQ_DONTWAIT), EAGAIN)
    assert fails_with(zmq_disconnect(push, ep), ENOENT)
    connect(push, ep)  # and the endpoint can be connected again
    send(push, b"two")
    assert must_recv(pull) == b"two"


@pytest.mark.parametrize("transport", NETWORK)
def test_disconnect_honours_linger(ctx: Any, transport: str) -> None:
    """§8.1 (4.0): zmq_disconnect applies LINGER like close — what was queued for the
    endpoint is still delivered to a peer that comes up within the linger time, and
    nothing sent after the disconnect goes there."""
    ep = fixed_endpoint(transport)
    push = sock(ctx, ZMQ_PUSH, LINGER=TIMEOUT_MS, RECONNECT_IVL=20)
    connect(push, ep)
    for i in range(3):
        send(push, b"queued %d" % i)
    assert zmq_disconnect(push, ep) == 0
    settle(push, 0)
    assert fails_with(zmq_send(push, b"after", 5, ZMQ_DONTWAIT), EAGAIN)
    pull = sock(ctx, ZMQ_PULL)
    assert zmq_bind(pull, ep) == 0, zmq_strerror(zmq_errno())
    assert [must_recv(pull) for _ in range(3)] == [b"queued %d" % i for i in range(3)]
    settle(pull, 0)  # then the lingering connection ends
    assert recv(pull, ZMQ_DONTWAIT) is None


# ---------------------------------------------------------------------------- reconnection (§8.4)

@pytest.mark.parametrize("transport", NETWORK)
def test_reconnect_after_peer_restart(ctx: Any, transport: str) -> None:
    """§8.4: a connect endpoint reconnects after the peer went away; messages queued
    meanwhile survive and arrive at the restarted peer (same endpoint)."""
    pull = sock(ctx, ZMQ_PULL)
    ep = bind(pull, transport)
    push = sock(ctx, ZMQ_PUSH, RECONNECT_IVL=20)
    mon = Monitor(ctx, push, ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED)
    connect(push, ep)
    send(push, b"first")
    assert must_recv(pull) == b"first"
    mon.expect(ZMQ_EVENT_CONNECTED)
    assert zmq_close(pull) == 0
    mon.expect(ZMQ_EVENT_DISCONNECTED)
    send(push, b"while down 1")  # queued for the endpoint, not lost
    send(push, b"while down 2")
    pull = sock(ctx, ZMQ_PULL)
    bind_again(pull, ep)
    mon.expect(ZMQ_EVENT_CONNECTED)
    assert must_recv(pull) == b"while down 1"
    assert must_recv(pull) == b"while down 2"
    send(push, b"after")
    assert must_recv(pull) == b"after"


@pytest.mark.parametrize("transport", NETWORK)
def test_subscriptions_resent_after_publisher_restart(ctx: Any, transport: str) -> None:
    """§8.4: "SUB/XSUB resend all subscriptions after reconnecting" — a restarted
    publisher filters for the SUB again without it subscribing anew."""
    ep = None
    sub = sock(ctx, ZMQ_SUB, RECONNECT_IVL=20)
    assert zmq_setsockopt(sub, ZMQ_SUBSCRIBE, b"T") == 0
    for round_ in range(2):
        pub = sock(ctx, ZMQ_PUB)
        if ep is None:
            ep = bind(pub, transport)
            connect(sub, ep)
        else:
            bind_again(pub, ep)
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while not poll(sub, ZMQ_POLLIN, 20):  # until the subscription reached the PUB
            send(pub, b"T#probe")
            assert time.monotonic() < deadline, f"round {round_}: no subscription"
        while recv(sub, ZMQ_DONTWAIT) is not None:
            pass
        send(pub, b"U-not-subscribed")
        send(pub, b"T-%d" % round_)
        assert must_recv(sub) == b"T-%d" % round_
        assert zmq_close(pub) == 0


@pytest.mark.parametrize("transport", NETWORK)
def test_req_relaxed_connection_reestablished(ctx: Any, transport: str) -> None:
    """§8.11: REQ_RELAXED terminates the pipe of the peer whose reply was abandoned;
    that connection is dropped and re-established, so the peer serves requests again."""
    req = sock(ctx, ZMQ_REQ, REQ_RELAXED=1, REQ_CORRELATE=1, RECONNECT_IVL=20)
    reps = [sock(ctx, ZMQ_REP) for _ in range(2)]
    for r in reps:
        connect(req, bind(r, transport))
    for r in reps:
        settle(r, 1)

    def served_by(body: bytes) -> int:
        items = [zmq_pollitem_t(socket=r, events=ZMQ_POLLIN) for r in reps]
        assert zmq_poll(items, 2, TIMEOUT_MS) == 1
        i = 0 if items[0].revents & ZMQ_POLLIN else 1
        assert must_recv(reps[i]) == body
        return i

    send(req, b"A")
    abandoned = served_by(b"A")
    send(req, b"B")  # relaxed: the pipe to ``abandoned`` is dropped
    other = served_by(b"B")
    assert other != abandoned
    send(reps[abandoned], b"late")  # goes nowhere (its connection was dropped)
    send(reps[other], b"B-reply")
    assert must_recv(req) == b"B-reply"
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    n = 0
    while True:  # round-robin reaches ``abandoned`` again once it reconnected
        n += 1
        body = b"C%d" % n
        send(req, body)
        i = served_by(body)
        send(reps[i], body + b"-reply")
        assert must_recv(req) == body + b"-reply"
        if i == abandoned:
            break
        assert time.monotonic() < deadline, "the dropped connection never came back"


# ---------------------------------------------------------------------------- ZMQ_IMMEDIATE

@pytest.mark.parametrize("transport", NETWORK)
def test_immediate_queues_only_on_connected_pipes(ctx: Any, transport: str) -> None:
    """§8.3/ZMQ_IMMEDIATE (libzmq test_immediate): without it a connect endpoint queues
    messages before any connection, so round-robin gives the dead endpoint its share;
    with it only completed connections get messages, and with no connection at all a
    send has nowhere to go (EAGAIN)."""
    pull = sock(ctx, ZMQ_PULL)
    ep = bind(pull, transport)
    down = fixed_endpoint(transport)

    lazy = sock(ctx, ZMQ_PUSH)  # IMMEDIATE=0
    connect(lazy, down)
    connect(lazy, ep)
    for i in range(10):
        send(lazy, b"lazy %d" % i)
    got = [must_recv(pull) for _ in range(5)]
    assert got == [b"lazy %d" % i for i in (1, 3, 5, 7, 9)]
    assert not poll(pull, ZMQ_POLLIN, 100)  # the other half waits for ``down``

    eager = sock(ctx, ZMQ_PUSH, IMMEDIATE=1)
    connect(eager, down)
    assert fails_with(zmq_send(eager, b"x", 1, ZMQ_DONTWAIT), EAGAIN)
    assert not zmq_getsockopt(eager, ZMQ_EVENTS) & ZMQ_POLLOUT
    connect(eager, ep)
    settle(eager, 1)  # the pipe exists once the connection is up
    for i in range(10):
        send(eager, b"eager %d" % i)
    assert [must_recv(pull) for _ in range(10)] == [b"eager %d" % i for i in range(10)]


@pytest.mark.parametrize("transport", NETWORK)
def test_immediate_broken_connection_blocks(ctx: Any, transport: str) -> None:
    """ZMQ_IMMEDIATE: when the only connection breaks its pipe goes with it, so sends
    stop (EAGAIN) instead of queueing; after the peer is back messages flow again."""
    pull = sock(ctx, ZMQ_PULL)
    ep = bind(pull, transport)
    push = sock(ctx, ZMQ_PUSH, IMMEDIATE=1, RECONNECT_IVL=20)
    connect(push, ep)
    settle(push, 1)
    send(push, b"up")
    assert must_recv(pull) == b"up"
    assert zmq_close(pull) == 0
    settle(push, 0)
    assert fails_with(zmq_send(push, b"x", 1, ZMQ_DONTWAIT), EAGAIN)
    pull = sock(ctx, ZMQ_PULL)
    bind_again(pull, ep)
    settle(push, 1)
    send(push, b"again")
    assert must_recv(pull) == b"again"


# ---------------------------------------------------------------------------- linger / term (§8.1)

@pytest.mark.parametrize("transport", NETWORK)
def test_linger_flushes_to_peer_connecting_later(ctx: Any, transport: str) -> None:
    """§8.1: zmq_close never blocks; the connection keeps trying and flushes the queued
    messages for up to LINGER ms — here to a peer that binds only after the close."""
    ep = fixed_endpoint(transport)
    push = sock(ctx, ZMQ_PUSH, LINGER=TIMEOUT_MS, RECONNECT_IVL=20)
    connect(push, ep)
    for i in range(3):
        send(push, b"queued %d" % i)
    assert zmq_close(push) == 0
    pull = sock(ctx, ZMQ_PULL)
    assert zmq_bind(pull, ep) == 0, zmq_strerror(zmq_errno())
    assert [must_recv(pull) for _ in range(3)] == [b"queued %d" % i for i in range(3)]


@pytest.mark.parametrize("transport", NETWORK)
def test_linger_zero_discards(ctx: Any, transport: str) -> None:
    """§8.1: LINGER 0 discards what is queued at close; ctx_term does not wait."""
    ep = fixed_endpoint(transport)
    c = zmq_ctx_new()
    push = sock(c, ZMQ_PUSH, LINGER=0)
    connect(push, ep)
    send(push, b"dropped")
    assert zmq_close(push) == 0
    t0 = time.monotonic()
    assert zmq_ctx_term(c) == 0
    assert time.monotonic() - t0 < 2


@pytest.mark.parametrize("transport", NETWORK)
def test_ctx_term_waits_for_linger_then_returns(ctx: Any, transport: str) -> None:
    """§8.1: a connect that never connects, with a queued message and LINGER 100:
    zmq_ctx_term returns once the linger expired (~100 ms), not at once, not never."""
    ep = fixed_endpoint(transport)
    c = zmq_ctx_new()
    push = sock(c, ZMQ_PUSH, LINGER=100)
    connect(push, ep)
    send(push, b"never delivered")
    assert zmq_close(push) == 0
    t0 = time.monotonic()
    assert zmq_ctx_term(c) == 0
    elapsed = time.monotonic() - t0
    assert 0.09 <= elapsed < 3, elapsed


@pytest.mark.parametrize("transport", NETWORK)
def test_ctx_term_with_open_connections(transport: str) -> None:
    """§8.1: the usual shutdown — close every socket, then zmq_ctx_term — returns
    promptly with established connections in both directions and nothing queued."""
    c = zmq_ctx_new()
    pull = sock(c, ZMQ_PULL, LINGER=-1)
    ep = bind(pull, transport)
    pushes = [sock(c, ZMQ_PUSH, LINGER=-1) for _ in range(3)]
    for p in pushes:
        connect(p, ep)
        send(p, b"x")
    for _ in pushes:
        assert must_recv(pull) == b"x"
    for s in (*pushes, pull):
        assert zmq_close(s) == 0
    t0 = time.monotonic()
    assert zmq_ctx_term(c) == 0
    assert time.monotonic() - t0 < 5


def _term_within(c: Any, seconds: float) -> float:
    """zmq_ctx_term in a helper thread (a hang fails the test instead of hanging it);
    returns how long it took."""
    done: list[int] = []
    t0 = time.monotonic()
    t = threading.Thread(target=lambda: done.append(zmq_ctx_term(c)), daemon=True)
    t.start()
    t.join(seconds)
    assert done == [0], f"zmq_ctx_term did not return within {seconds} s"
    return time.monotonic() - t0


@pytest.mark.parametrize("transport", NETWORK)
def test_close_while_handshakes_in_flight_then_term(transport: str) -> None:
    """§8.1: a binder closed (LINGER -1) while connections to it are still completing
    their handshake must not leave those connections waiting for a socket that is gone:
    zmq_ctx_term returns once everything is closed."""
    c = zmq_ctx_new()
    for _ in range(20):
        pull = sock(c, ZMQ_PULL, LINGER=-1)
        ep = bind(pull, transport)
        pushes = [sock(c, ZMQ_PUSH, LINGER=0) for _ in range(4)]
        for p in pushes:
            connect(p, ep)
        assert zmq_close(pull) == 0
        for p in pushes:
            assert zmq_close(p) == 0
    assert _term_within(c, 20) < 20


def test_pipe_handed_to_closed_socket_is_ended(ctx: Any) -> None:
    """White-box (the I/O layer's contract with the socket): a session that hands a new
    pipe to a socket which has just closed gets that pipe terminated, so it ends
    instead of lingering forever."""
    from zmq4.core.pipe import pipepair

    class Sink:
        def __init__(self) -> None:
            self.commands: list[Any] = []

        def post(self, command: Any) -> None:
            self.commands.append(command)

        def pipe_ended(self, pipe: Any) -> None:
            pass

    s = sock(ctx, ZMQ_PULL)
    assert zmq_close(s) == 0
    session = Sink()
    sock_end, session_end = pipepair(s, session, 0, 0)
    s.post(("bind", sock_end))
    assert session.commands == [("pipe_term", session_end)]


# ---------------------------------------------------------------------------- monitor events (§2.9)

@pytest.mark.parametrize("transport", NETWORK)
def test_monitor_connection_lifecycle(ctx: Any, transport: str) -> None:
    """§2.9: LISTENING (listener fd), ACCEPTED (accepted fd), CONNECTED (connected fd),
    CONNECT_DELAYED (EINPROGRESS, tcp), DISCONNECTED (the fd of the broken connection)
    and CLOSED (the listener fd) with the endpoints libzmq reports."""
    server = sock(ctx, ZMQ_PULL)
    smon = Monitor(ctx, server)
    ep = bind(server, transport)
    listen_fd, endpoint = smon.expect(ZMQ_EVENT_LISTENING)
    assert endpoint == ep and listen_fd >= 0
    client = sock(ctx, ZMQ_PUSH)
    cmon = Monitor(ctx, client)
    connect(client, ep)
    send(client, b"hi")
    assert must_recv(server) == b"hi"
    client_events = []
    while True:
        evt = cmon.next()
        assert evt is not None
        client_events.append(evt)
        if evt[0] == ZMQ_EVENT_CONNECTED:
            break
    conn_fd = client_events[-1][1]
    assert all(e[2] == ep for e in client_events)
    if transport == "tcp":  # a non-blocking tcp connect is in progress at first
        assert client_events[0][:2] == (ZMQ_EVENT_CONNECT_DELAYED, errno.EINPROGRESS)
    accepted_fd, endpoint = smon.expect(ZMQ_EVENT_ACCEPTED)
    assert endpoint == ep and accepted_fd >= 0 and accepted_fd != listen_fd
    assert zmq_close(client) == 0
    value, endpoint = smon.expect(ZMQ_EVENT_DISCONNECTED)
    assert value == accepted_fd and endpoint == ep
    assert conn_fd >= 0
    assert zmq_unbind(server, ep) == 0
    value, endpoint = smon.expect(ZMQ_EVENT_CLOSED)
    assert value == listen_fd and endpoint == ep


@pytest.mark.parametrize("transport", NETWORK)
def test_monitor_connecter_disconnected_and_retried(ctx: Any, transport: str) -> None:
    """§2.9/§8.4: the connecter reports DISCONNECTED with its connection's fd when the
    peer goes, then CONNECT_RETRIED with the chosen delay (RECONNECT_IVL plus a random
    part below RECONNECT_IVL)."""
    server = sock(ctx, ZMQ_PULL)
    ep = bind(server, transport)
    client = sock(ctx, ZMQ_PUSH, RECONNECT_IVL=50)
    mon = Monitor(ctx, client)
    connect(client, ep)
    fd, _ = mon.expect(ZMQ_EVENT_CONNECTED)
    settle(server, 1)
    assert zmq_close(server) == 0
    value, endpoint = mon.expect(ZMQ_EVENT_DISCONNECTED)
    assert value == fd and endpoint == ep
    value, endpoint = mon.expect(ZMQ_EVENT_CONNECT_RETRIED)
    assert 50 <= value < 100 and endpoint == ep


@pytest.mark.parametrize("transport", NETWORK)
def test_monitor_connect_retried_backoff(ctx: Any, transport: str) -> None:
    """§8.4: failed attempts are retried after ``current + random % RECONNECT_IVL`` ms,
    ``current`` doubling up to RECONNECT_IVL_MAX."""
    client = sock(ctx, ZMQ_PUSH, RECONNECT_IVL=10, RECONNECT_IVL_MAX=40)
    mon = Monitor(ctx, client, ZMQ_EVENT_CONNECT_RETRIED)
    connect(client, fixed_endpoint(transport))
    delays = [mon.expect(ZMQ_EVENT_CONNECT_RETRIED)[0] for _ in range(5)]
    for current, delay in zip([10, 20, 40, 40, 40], delays, strict=True):
        assert current <= delay < current + 10, delays


def test_monitor_stopped_on_close(ctx: Any) -> None:
    """§2.9: MONITOR_STOPPED (value 0, endpoint "") when the monitored socket closes."""
    s = sock(ctx, ZMQ_PULL)
    mon = Monitor(ctx, s)
    bind(s, "tcp")
    assert zmq_close(s) == 0
    assert mon.expect(ZMQ_EVENT_MONITOR_STOPPED) == (0, "")


# ---------------------------------------------------------------------------- hostile peers (§5.1)

def _hostile(ctx: Any, transport: str, attack: Any, delivered: bytes | None = None) -> None:
    """A real PUSH keeps working while a raw client does ``attack(raw_socket)``; the
    server ends just that connection (DISCONNECTED with its fd). ``delivered``: the
    message the raw client got through before misbehaving."""
    server = sock(ctx, ZMQ_PULL)
    ep = bind(server, transport)
    mon = Monitor(ctx, server, ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED)
    good = sock(ctx, ZMQ_PUSH)
    connect(good, ep)
    send(good, b"before")
    assert must_recv(server) == b"before"
    good_fd, _ = mon.expect(ZMQ_EVENT_ACCEPTED)
    raw = raw_connect(ep)
    try:
        raw_fd, _ = mon.expect(ZMQ_EVENT_ACCEPTED)
        attack(raw)
        if delivered is not None:
            assert must_recv(server) == delivered
        wait_closed_by_peer(raw)
        value, _ = mon.expect(ZMQ_EVENT_DISCONNECTED)
        assert value == raw_fd != good_fd
    finally:
        raw.close()
    send(good, b"after")
    assert must_recv(server) == b"after"
    assert recv(server, ZMQ_DONTWAIT) is None


@pytest.mark.parametrize("transport", NETWORK)
def test_garbage_greeting_disconnects(ctx: Any, transport: str) -> None:
    """Bytes that are no valid greeting (a versioned signature naming no known
    mechanism) end that connection only."""
    _hostile(ctx, transport, lambda raw: raw.sendall(b"\xff" * 64))


@pytest.mark.parametrize("transport", NETWORK)
def test_bad_mechanism_disconnects(ctx: Any, transport: str) -> None:
    """§6.1 (4.0.5+): a mechanism other than ours in the greeting closes the connection."""
    bad = GREETING[:12] + b"CURVE".ljust(20, b"\x00") + GREETING[32:]
    _hostile(ctx, transport, lambda raw: raw.sendall(bad))


@pytest.mark.parametrize("transport", NETWORK)
def test_garbage_after_greeting_disconnects(ctx: Any, transport: str) -> None:
    """A valid greeting followed by a command that is not READY is a protocol error."""
    _hostile(ctx, transport, lambda raw: raw.sendall(GREETING + b"\x04\x06\x05HELLO"))


@pytest.mark.parametrize("transport", NETWORK)
def test_truncated_greeting_disconnects(ctx: Any, transport: str) -> None:
    """A peer that closes in the middle of its greeting is a broken connection."""

    def attack(raw: _socket.socket) -> None:
        raw.sendall(GREETING[:20])
        raw.shutdown(_socket.SHUT_WR)

    _hostile(ctx, transport, attack)


@pytest.mark.parametrize("transport", NETWORK)
def test_oversize_frame_length_disconnects(ctx: Any, transport: str) -> None:
    """§5.4: after a valid handshake (its first message is delivered), a frame whose
    8-byte size cannot be a real size (top bit set) ends the connection."""

    def attack(raw: _socket.socket) -> None:
        raw.sendall(GREETING + READY + b"\x00\x03raw")
        raw.sendall(b"\x02" + b"\xff" * 8 + b"xxxx")

    _hostile(ctx, transport, attack, delivered=b"raw")


@pytest.mark.parametrize("transport", NETWORK)
def test_paused_connection_peer_gone_does_not_spin(ctx: Any, transport: str) -> None:
    """A connection whose reading is paused (RCVHWM reached, the application not
    reading) and whose peer then vanishes (tcp: reset; ipc: close, which epoll reports
    as a hang-up) must not keep the I/O thread busy; the queued message stays readable
    and the connection ends once the application reads again."""
    server = sock(ctx, ZMQ_PULL, RCVHWM=1)
    ep = bind(server, transport)
    mon = Monitor(ctx, server, ZMQ_EVENT_DISCONNECTED)
    raw = raw_connect(ep)
    raw.sendall(GREETING + READY + b"\x00\x01x" * 2000)  # far more than RCVHWM
    wait_queued(server, 1)
    raw.setsockopt(_socket.SOL_SOCKET, _socket.SO_LINGER, struct.pack("ii", 1, 0))
    raw.close()  # tcp: RST
    cpu0, t0 = time.process_time(), time.monotonic()
    time.sleep(0.5)  # measuring idle CPU: a duration is the point here
    busy = (time.process_time() - cpu0) / (time.monotonic() - t0)
    assert busy < 0.5, f"the process used {busy:.0%} of a CPU while idle"
    assert must_recv(server) == b"x"
    while poll(server, ZMQ_POLLIN, 500):  # what was read before the peer went, then
        assert must_recv(server) == b"x"  # reading resumes and finds it gone
    mon.expect(ZMQ_EVENT_DISCONNECTED)


@pytest.mark.parametrize("transport", NETWORK)
def test_maxmsgsize_disconnects_sender(ctx: Any, transport: str) -> None:
    """§8.12: MAXMSGSIZE is checked per frame; a larger frame drops the connection (the
    sender sees DISCONNECTED and reconnects), smaller frames pass, and the oversize
    message is never delivered."""
    pull = sock(ctx, ZMQ_PULL, MAXMSGSIZE=100)
    ep = bind(pull, transport)
    push = sock(ctx, ZMQ_PUSH, RECONNECT_IVL=20)
    mon = Monitor(ctx, push, ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED)
    connect(push, ep)
    send(push, b"s" * 100)  # exactly the limit: fine
    assert must_recv(pull) == b"s" * 100
    fd, _ = mon.expect(ZMQ_EVENT_CONNECTED)
    send(push, b"L" * 101)
    value, _ = mon.expect(ZMQ_EVENT_DISCONNECTED)
    assert value == fd
    send(push, b"small again")  # queued, then sent over the new connection
    assert must_recv(pull) == b"small again"
    assert recv(pull, ZMQ_DONTWAIT) is None
