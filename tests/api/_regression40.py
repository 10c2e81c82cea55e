"""testutil.hpp of the libzmq 4.0 regression suite, for the ports in test_regression_*.py.

C style through ``zmq4.capi``: every call's return value is checked against the C
convention (``-1``/``None`` + ``zmq_errno()``). Waits are ``zmq_poll``/RCVTIMEO with
generous timeouts that are only reached when a test fails; nothing sleeps for
correctness.
"""

# ruff: noqa: F405 - C names come from the star import, as in a ported C test
from __future__ import annotations

import itertools
import os
import time
from typing import Any, Optional

from zmq4.capi import *  # noqa: F403 - the C names, as a ported C test reads

TIMEOUT = 5000  # ms: generous, only reached when a test fails
_names = itertools.count()


def endpoint(tag: str = "t") -> str:
    """A fresh inproc name (tests may share a context with others)."""
    return f"inproc://reg40-{tag}-{os.getpid()}-{next(_names)}"


def sock(ctx: Any, kind: int, *, linger: int = 0, timeo: Optional[int] = TIMEOUT,
         **opts: Any) -> Any:
    """zmq_socket + LINGER (+ RCVTIMEO/SNDTIMEO) + ``NAME=value`` options."""
    s = zmq_socket(ctx, kind)
    assert s is not None, zmq_strerror(zmq_errno())
    assert zmq_setsockopt(s, ZMQ_LINGER, linger) == 0
    if timeo is not None:
        assert zmq_setsockopt(s, ZMQ_RCVTIMEO, timeo) == 0
        assert zmq_setsockopt(s, ZMQ_SNDTIMEO, timeo) == 0
    for name, value in opts.items():
        setopt(s, globals()["ZMQ_" + name], value)
    return s


def setopt(s: Any, opt: int, value: Any) -> None:
    assert zmq_setsockopt(s, opt, value) == 0, zmq_strerror(zmq_errno())


def bind(s: Any, ep: str) -> None:
    assert zmq_bind(s, ep) == 0, zmq_strerror(zmq_errno())


def connect(s: Any, ep: str) -> None:
    assert zmq_connect(s, ep) == 0, zmq_strerror(zmq_errno())


def close(*socks: Any) -> None:
    for s in socks:
        assert zmq_close(s) == 0, zmq_strerror(zmq_errno())


def fails_with(rc: Any, errno: int) -> bool:
    """``rc`` is the C failure value (-1 or None) and zmq_errno() is ``errno``."""
    return (rc == -1 or rc is None) and zmq_errno() == errno


def send_seq(s: Any, *frames: bytes, flags: int = 0) -> None:
    """s_send_seq: one message, SNDMORE on all frames but the last."""
    for i, frame in enumerate(frames):
        more = ZMQ_SNDMORE if i < len(frames) - 1 else 0
        rc = zmq_send(s, frame, len(frame), flags | more)
        assert rc == len(frame), zmq_strerror(zmq_errno())


def recv_msg(s: Any, flags: int = 0) -> list[bytes]:
    """All frames of the next message; zmq_msg_more must agree with ZMQ_RCVMORE."""
    frames = []
    while True:
        msg = zmq_msg_t()
        assert zmq_msg_init(msg) == 0
        rc = zmq_msg_recv(msg, s, flags)
        assert rc >= 0, zmq_strerror(zmq_errno())
        frames.append(bytes(zmq_msg_data(msg)))
        assert rc == len(frames[-1])
        more = zmq_msg_more(msg)
        assert zmq_getsockopt(s, ZMQ_RCVMORE) == more
        assert zmq_msg_close(msg) == 0
        if not more:
            return frames


def recv_seq(s: Any, *frames: bytes) -> None:
    """s_recv_seq: the next message is exactly ``frames``."""
    assert recv_msg(s) == list(frames)


def recv_str(s: Any, flags: int = 0) -> Optional[bytes]:
    """One frame, or None on failure (errno left in zmq_errno())."""
    buf = bytearray(256)
    rc = zmq_recv(s, buf, len(buf), flags)
    if rc < 0:
        return None
    assert rc <= len(buf)
    return bytes(buf[:rc])


def poll_in(socks: list[Any], timeout: int = TIMEOUT) -> list[int]:
    """Indexes of the sockets with POLLIN, waiting up to ``timeout`` for the first."""
    items = [zmq_pollitem_t(socket=s, events=ZMQ_POLLIN) for s in socks]
    rc = zmq_poll(items, len(items), timeout)
    assert rc >= 0, zmq_strerror(zmq_errno())
    return [i for i, it in enumerate(items) if it.revents & ZMQ_POLLIN]


def bounce(server: Any, client: Any) -> None:
    """testutil bounce: a 2-part message client->server and back, RCVMORE checked."""
    content = b"12345678ABCDEFGH12345678abcdefgh"
    send_seq(client, content, content)
    recv_seq(server, content, content)
    send_seq(server, content, content)
    recv_seq(client, content, content)


def expect_bounce_fail(server: Any, client: Any) -> None:
    """testutil expect_bounce_fail: sends may fail with EAGAIN (250 ms timeouts) but
    nothing may ever be received."""
    content = b"12345678ABCDEFGH12345678abcdefgh"
    for s in (server, client):
        setopt(s, ZMQ_SNDTIMEO, 250)
        setopt(s, ZMQ_RCVTIMEO, 250)
    for src, dst in ((client, server), (server, client)):
        rc = zmq_send(src, content, 32, ZMQ_SNDMORE)
        assert rc == 32 or fails_with(rc, EAGAIN)
        if rc == 32:
            rc = zmq_send(src, content, 32, 0)
            assert rc == 32 or fails_with(rc, EAGAIN)
        assert fails_with(zmq_recv(dst, bytearray(32), 32, 0), EAGAIN)


def wait_until(predicate: Any, timeout: float = TIMEOUT / 1000, what: str = "") -> None:
    """Poll ``predicate`` (which must make progress itself, e.g. by reading ZMQ_EVENTS)
    until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what or predicate}"
        zmq_poll([], 0, 5)
