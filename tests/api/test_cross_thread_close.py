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
import select
import tempfile
import threading
from collections.abc import Callable

import pytest
from support import wait_until

from zmq4 import capi
from zmq4.core.mailbox import Mailbox

C = capi


def closed_under(s: object, blocking_call: Callable[[], int]) -> list[tuple[int, int]]:
    """Run ``blocking_call`` in a thread, close ``s`` from this one; the call's
    (rc, errno), once it has returned (it must, within 10 s)."""
    outcome: list[tuple[int, int]] = []

    def run() -> None:
        rc = blocking_call()
        outcome.append((rc, capi.zmq_errno()))

    t = threading.Thread(target=run, daemon=True)
    t.start()
    wait_until(lambda: t.is_alive())
    capi.zmq_close(s)
    t.join(10)
    assert not t.is_alive(), "the blocked call kept waiting on a closed socket"
    return outcome


def test_poll_in_one_thread_close_in_another(ctx: object) -> None:
    s = capi.zmq_socket(ctx, C.ZMQ_PULL)
    assert capi.zmq_bind(s, "inproc://xclose") == 0
    fd = capi.zmq_getsockopt(s, C.ZMQ_FD)
    items = [capi.zmq_pollitem_t(socket=s, events=C.ZMQ_POLLIN)]
    assert closed_under(s, lambda: capi.zmq_poll(items, 1, -1)) == [(-1, C.ENOTSOCK)]
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


def test_close_wakes_watchers_of_a_duplicate_fd() -> None:
    """An event loop watches a duplicate of ZMQ_FD (zmq4.asyncio): closing the mailbox
    makes it readable, so the watcher learns of the close and removes itself."""
    mb = Mailbox()
    dup = os.dup(mb.fd)
    try:
        assert select.select([dup], [], [], 0)[0] == []
        mb.close()
        assert select.select([dup], [], [], 0)[0] == [dup]
    finally:
        os.close(dup)


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
    buf = bytearray(8)
    # no RCVTIMEO: it would wait forever
    assert closed_under(s, lambda: capi.zmq_recv(s, buf, 8, 0)) == [(-1, C.ENOTSOCK)]
