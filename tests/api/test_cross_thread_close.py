"""Closing a socket from another thread than the one using it.

libzmq does not support it, and neither does zmq4, but it must not corrupt the process:
the thread still using the socket gets ENOTSOCK, and the socket's mailbox fd (ZMQ_FD) is
never released while a thread still polls or reads it. A released fd number is reused by
the next open(), so a stale eventfd read would eat 8 bytes of an unrelated file: that is
how a device thread left running by one test broke a later test's ipc connection and
pytest's own source reads in CI.
"""

from __future__ import annotations

import os
import tempfile
import threading

import pytest
from support import wait_until

from zmq4 import capi
from zmq4.core.mailbox import Mailbox

C = capi


def test_poll_in_one_thread_close_in_another(ctx: object) -> None:
    s = capi.zmq_socket(ctx, C.ZMQ_PULL)
    assert capi.zmq_bind(s, "inproc://xclose") == 0
    fd = capi.zmq_getsockopt(s, C.ZMQ_FD)
    outcome: list[tuple[int, int]] = []

    def poller() -> None:
        items = [capi.zmq_pollitem_t(socket=s, events=C.ZMQ_POLLIN)]
        rc = capi.zmq_poll(items, 1, -1)
        outcome.append((rc, capi.zmq_errno()))

    t = threading.Thread(target=poller, daemon=True)
    t.start()
    wait_until(lambda: t.is_alive())
    capi.zmq_close(s)
    t.join(10)
    assert not t.is_alive(), "zmq_poll did not return after its socket was closed"
    assert outcome == [(-1, C.ENOTSOCK)]
    # the poller unpinned the mailbox, so its fd is released now
    with pytest.raises(OSError):
        os.fstat(fd)


def test_mailbox_fd_outlives_close_while_pinned() -> None:
    mb = Mailbox()
    fd = mb.fd
    assert mb.pin()
    assert mb.close() == []
    os.fstat(fd)  # still ours: a pinned poller may be inside poll() on it
    assert not mb.pin() and not mb.post(("x",))
    mb.unpin()
    with pytest.raises(OSError):
        os.fstat(fd)
    assert mb.fd == -1


def test_clear_signal_after_close_never_touches_a_reused_fd() -> None:
    mb = Mailbox()
    fd = mb.fd
    mb.close()
    with tempfile.TemporaryFile() as f:
        f.write(b"0123456789abcdef")
        f.flush()
        f.seek(0)
        reused = os.dup2(f.fileno(), fd) if fd != f.fileno() else fd
        try:
            mb.clear_signal()
            assert mb.wait(0) is True  # closed: returns at once for the caller to check
            assert os.lseek(reused, 0, os.SEEK_CUR) == 0  # nothing was read from it
        finally:
            if reused != f.fileno():
                os.close(reused)


def test_blocked_recv_ends_when_another_thread_closes_the_socket(ctx: object) -> None:
    s = capi.zmq_socket(ctx, C.ZMQ_PULL)
    assert capi.zmq_bind(s, "inproc://xclose-recv") == 0
    outcome: list[tuple[int, int]] = []

    def receiver() -> None:
        buf = bytearray(8)
        rc = capi.zmq_recv(s, buf, 8, 0)  # no RCVTIMEO: would wait forever
        outcome.append((rc, capi.zmq_errno()))

    t = threading.Thread(target=receiver, daemon=True)
    t.start()
    wait_until(lambda: t.is_alive())
    capi.zmq_close(s)
    t.join(10)
    assert not t.is_alive(), "a blocked zmq_recv kept waiting on a closed socket"
    assert outcome == [(-1, C.ENOTSOCK)]
