"""ZMQ_FD as programs that drive it from their own event loop see it (libzmq 4.0's
edge-triggered signaler; issue #19): the fd turns readable when commands reach the
socket's mailbox, ZMQ_EVENTS then tells what is ready. A tcp/ipc zmq_connect or zmq_bind
posts one to the socket itself (libzmq's "own"), so a socket polled before it was ever
read still wakes for its first message; each message that finds its pipe empty after a
read signals again. Object API (``Socket.fd``) and capi (``ZMQ_FD``).
"""

from __future__ import annotations

import select

import pytest
from support import bind_address

import zmq4 as zmq
from zmq4 import capi

WAIT_S = 10.0


def readable(fd: int, timeout: float = WAIT_S) -> bool:
    return bool(select.select([fd], [], [], timeout)[0])


def wait_pollin(fd: int, events: object) -> None:
    """The loop of an fd-driven program: wait for the fd, then look at ZMQ_EVENTS."""
    for _ in range(10000):
        assert readable(fd), "ZMQ_FD never woke"
        if events() & zmq.POLLIN:  # type: ignore[operator]
            return
    raise AssertionError("ZMQ_EVENTS never reported POLLIN")


@pytest.mark.parametrize("pull_connects", [True, False], ids=["pull-connects", "pull-binds"])
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_object_api(context: zmq.Context, transport: str, pull_connects: bool) -> None:
    push, pull = context.socket(zmq.PUSH), context.socket(zmq.PULL)
    binder, connecter = (push, pull) if pull_connects else (pull, push)
    binder.bind(bind_address(transport))
    connecter.connect(binder.last_endpoint.decode())
    assert readable(pull.fd)  # the set-up alone, before anything was read
    push.send(b"first")
    wait_pollin(pull.fd, lambda: pull.events)
    assert pull.recv(zmq.DONTWAIT) == b"first"
    for i in range(5):
        assert not pull.events & zmq.POLLIN
        push.send(b"%d" % i)
        wait_pollin(pull.fd, lambda: pull.events)
        assert pull.recv(zmq.DONTWAIT) == b"%d" % i


def test_capi_connect_then_peer_sends(ctx: object) -> None:
    push = capi.zmq_socket(ctx, capi.ZMQ_PUSH)
    pull = capi.zmq_socket(ctx, capi.ZMQ_PULL)
    assert capi.zmq_bind(push, "tcp://127.0.0.1:*") == 0
    ep = capi.zmq_getsockopt(push, capi.ZMQ_LAST_ENDPOINT)
    assert capi.zmq_connect(pull, ep) == 0
    fd = capi.zmq_getsockopt(pull, capi.ZMQ_FD)
    assert capi.zmq_send(push, b"x", 1, 0) == 1
    assert readable(fd)
    wait_pollin(fd, lambda: capi.zmq_getsockopt(pull, capi.ZMQ_EVENTS))
    buf = bytearray(4)
    assert capi.zmq_recv(pull, buf, 4, capi.ZMQ_DONTWAIT) == 1
    for s in (push, pull):
        assert capi.zmq_setsockopt(s, capi.ZMQ_LINGER, 0) == 0
        assert capi.zmq_close(s) == 0


def test_inproc_peer_close_wakes_the_reader(context: zmq.Context) -> None:
    """An inproc peer's last message and its close with LINGER 0 both reach an fd-driven
    reader (the CZMQ actor's goodbye)."""
    a, b = context.socket(zmq.PAIR), context.socket(zmq.PAIR)
    a.bind("inproc://fd-wakeups")
    b.connect("inproc://fd-wakeups")
    assert not a.events & zmq.POLLIN  # attaches the pipe; the reader now waits
    b.send(b"bye")
    b.close(linger=0)
    wait_pollin(a.fd, lambda: a.events)
    assert a.recv(zmq.DONTWAIT) == b"bye"
