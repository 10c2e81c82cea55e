"""zmq4.Poller, zmq4.select, zmq4.zmq_poll and Socket.poll: zmq4 sockets, raw fds and
objects with fileno(), level-triggered readiness, timeouts, and errors."""

from __future__ import annotations

import os
import socket as pysocket
import threading
import time
from collections.abc import Iterator

import pytest
from support import TRANSPORTS, bind_address

import zmq4 as zmq

TIMEOUT_MS = 10000


@pytest.fixture
def context() -> Iterator[zmq.Context]:
    ctx = zmq.Context()
    yield ctx
    ctx.destroy(linger=0)


@pytest.fixture(params=TRANSPORTS)
def pair(request: pytest.FixtureRequest, context: zmq.Context) -> tuple[zmq.Socket, zmq.Socket]:
    a = context.socket(zmq.PAIR)
    b = context.socket(zmq.PAIR)
    a.bind(bind_address(str(request.param)))
    b.connect(bytes(a.last_endpoint).decode())
    return a, b


def test_register_modify_unregister(context: zmq.Context) -> None:
    p = zmq.Poller()
    a = context.socket(zmq.PAIR)
    b = context.socket(zmq.PAIR)
    p.register(a)
    p.register(b, zmq.POLLIN)
    assert a in p and b in p
    assert p.sockets == [(a, zmq.POLLIN | zmq.POLLOUT), (b, zmq.POLLIN)]
    p.modify(a, zmq.POLLOUT)
    assert p.sockets[0] == (a, zmq.POLLOUT)
    p.register(a, 0)  # flags 0 unregisters
    assert a not in p and p.sockets == [(b, zmq.POLLIN)]
    p.register(a, 0)  # unregistered already: no-op
    p.unregister(b)
    assert p.sockets == []
    with pytest.raises(KeyError):
        p.unregister(b)
    assert "0 item" in repr(p)


def test_register_errors(context: zmq.Context) -> None:
    p = zmq.Poller()
    with pytest.raises(TypeError, match="fileno"):
        p.register("not pollable")
    with pytest.raises(TypeError, match="flags"):
        p.register(context.socket(zmq.PAIR), "POLLIN")  # type: ignore[arg-type]


def test_poll_reports_ready_sockets_only(pair: tuple[zmq.Socket, zmq.Socket]) -> None:
    a, b = pair
    p = zmq.Poller()
    p.register(a, zmq.POLLIN)
    p.register(b, zmq.POLLIN)
    assert p.poll(0) == []
    a.send(b"ping")
    events = dict(p.poll(TIMEOUT_MS))
    assert events == {b: zmq.POLLIN}
    assert type(events[b]) is int
    # level-triggered: still ready until received, however often we ask
    assert dict(p.poll(0)) == {b: zmq.POLLIN}
    assert dict(p.poll(0)) == {b: zmq.POLLIN}
    assert b.recv() == b"ping"
    assert p.poll(0) == []


def test_pollout(pair: tuple[zmq.Socket, zmq.Socket]) -> None:
    a, b = pair
    p = zmq.Poller()
    p.register(a, zmq.POLLIN | zmq.POLLOUT)
    assert dict(p.poll(TIMEOUT_MS)).get(a) == zmq.POLLOUT
    b.send(b"x")
    deadline = time.monotonic() + 10
    while dict(p.poll(TIMEOUT_MS)).get(a) != zmq.POLLIN | zmq.POLLOUT:
        assert time.monotonic() < deadline


def test_poll_timeout(context: zmq.Context) -> None:
    s = context.socket(zmq.PULL)
    s.bind("inproc://poll-timeout")
    p = zmq.Poller()
    p.register(s, zmq.POLLIN)
    t0 = time.monotonic()
    assert p.poll(50) == []
    assert time.monotonic() - t0 >= 0.045
    assert p.poll(10.7) == []  # float milliseconds are accepted
    assert zmq.Poller().poll(-1) == []  # nothing registered: returns at once
    with pytest.raises(TypeError, match="timeout"):
        p.poll("10")  # type: ignore[arg-type]


def test_poll_blocks_until_another_thread_sends(pair: tuple[zmq.Socket, zmq.Socket]) -> None:
    a, b = pair
    p = zmq.Poller()
    p.register(b, zmq.POLLIN)
    ready = threading.Event()

    def sender() -> None:
        ready.wait(5)
        a.send(b"wake up")

    t = threading.Thread(target=sender)
    t.start()
    ready.set()
    events = p.poll()  # None: wait forever
    t.join(10)
    assert events == [(b, zmq.POLLIN)]


def test_raw_fds_and_fileno_objects(context: zmq.Context) -> None:
    r, w = os.pipe()
    left, right = pysocket.socketpair()
    s = context.socket(zmq.PULL)
    s.bind("inproc://mixed")
    try:
        p = zmq.Poller()
        p.register(r, zmq.POLLIN)
        p.register(right, zmq.POLLIN)
        p.register(s, zmq.POLLIN)
        p.register(w, zmq.POLLOUT)
        assert right in p
        events = dict(p.poll(TIMEOUT_MS))
        assert events == {w: zmq.POLLOUT}
        os.write(w, b"x")
        left.send(b"y")
        events = dict(p.poll(TIMEOUT_MS))
        # pyzmq: non-zmq items are reported by their fd
        assert events.get(r) == zmq.POLLIN
        assert events.get(right.fileno()) == zmq.POLLIN  # socketpair data is there at once
        assert right not in events
        push = context.socket(zmq.PUSH)
        push.connect("inproc://mixed")
        push.send(b"z")
        assert dict(p.poll(TIMEOUT_MS)).get(s) == zmq.POLLIN
    finally:
        os.close(r)
        os.close(w)
        left.close()
        right.close()


def test_fd_errors(context: zmq.Context) -> None:
    class BadFileno:
        def fileno(self) -> int:
            raise OSError("closed")

    class NotAnFd:
        def fileno(self) -> str:
            return "3"

    for bad in (BadFileno(), NotAnFd()):
        p = zmq.Poller()
        p.register(bad, zmq.POLLIN)
        with pytest.raises(ValueError, match="fileno"):
            p.poll(0)
    p = zmq.Poller()
    p.register(-1, zmq.POLLIN)
    with pytest.raises(ValueError):
        p.poll(0)


def test_closed_socket_is_enotsock(context: zmq.Context) -> None:
    s = context.socket(zmq.PAIR)
    p = zmq.Poller()
    p.register(s, zmq.POLLIN)
    s.close()
    with pytest.raises(zmq.ZMQError) as exc:
        p.poll(0)
    assert exc.value.errno == zmq.ENOTSOCK
    with pytest.raises(zmq.ZMQError) as exc:
        s.poll(0)
    assert exc.value.errno == zmq.ENOTSOCK


def test_poll_raises_context_terminated(context: zmq.Context) -> None:
    s = context.socket(zmq.PULL)
    s.bind("inproc://poll-eterm")
    p = zmq.Poller()
    p.register(s, zmq.POLLIN)
    t = threading.Thread(target=context.term)
    t.start()
    try:
        with pytest.raises(zmq.ContextTerminated):
            p.poll()
    finally:
        s.close()
        t.join(10)


def test_socket_poll(pair: tuple[zmq.Socket, zmq.Socket]) -> None:
    a, b = pair
    assert b.poll(0) == 0
    assert a.poll(TIMEOUT_MS, zmq.POLLOUT) == zmq.POLLOUT
    a.send(b"x")
    assert b.poll(TIMEOUT_MS) == zmq.POLLIN
    assert b.poll(None, zmq.POLLIN | zmq.POLLOUT) == zmq.POLLIN | zmq.POLLOUT
    with pytest.raises(TypeError, match="flags"):
        b.poll(0, "POLLIN")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        b.poll(0, 0)


def test_select(pair: tuple[zmq.Socket, zmq.Socket]) -> None:
    a, b = pair
    assert zmq.select([a, b], [], [], 0) == ([], [], [])
    a.send(b"x")
    r, w, x = zmq.select([b], [], [], None)  # None: until ready
    assert (r, w, x) == ([b], [], [])
    r, w, x = zmq.select([a, b], [a], [a], 10)
    assert r == [b] and w == [a] and x == []
    with pytest.raises(TypeError, match="timeout"):
        zmq.select([b], [], [], "1")  # type: ignore[arg-type]


def test_zmq_poll_function(pair: tuple[zmq.Socket, zmq.Socket]) -> None:
    a, b = pair
    a.send(b"x")
    assert zmq.zmq_poll([(b, zmq.POLLIN)], TIMEOUT_MS) == [(b, zmq.POLLIN)]
    assert zmq.zmq_poll([], -1) == []
    with pytest.raises(TypeError, match="flags"):
        zmq.zmq_poll([(b, None)])  # type: ignore[list-item]


def test_socket_listed_twice_never_loses_a_wake_up(context: zmq.Context,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """One socket in two entries with different masks (what zmq_proxy waits on when the
    backend cannot take a message yet). A peer that arrives after the first entry was
    checked must still end the wait: reading ZMQ_EVENTS drains the socket's wake-up fd,
    so a second read for the other entry must not swallow it (the ThreadProxy hang seen
    under load)."""
    from zmq4.core import poll as core_poll

    push = context.socket(zmq.PUSH)
    push.bind("inproc://poll-twice")
    core = push._core
    calls = {"n": 0}
    peers: list[zmq.Socket] = []
    real_events = type(core).events

    def events_then_peer_arrives(self: object) -> int:
        ev = real_events(core)
        calls["n"] += 1
        if calls["n"] == 1:  # right after the first look: a peer connects (posts "bind")
            peers.append(context.socket(zmq.PULL))
            peers[0].connect("inproc://poll-twice")
        return ev

    monkeypatch.setattr(core, "events", events_then_peer_arrives.__get__(core))
    t0 = time.monotonic()
    revents = core_poll.poll([(core, zmq.POLLOUT), (core, zmq.POLLIN)], 5000)
    assert revents == [zmq.POLLOUT, 0]
    assert time.monotonic() - t0 < 4, "the wake-up was lost; poll ran to its timeout"
