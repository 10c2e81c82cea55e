"""Mailbox: the command queue of a socket (libzmq mailbox_t + signaler_t).

Owns: a thread-safe FIFO of commands plus an eventfd that becomes readable when commands
are posted. The eventfd is the socket's ``ZMQ_FD``: edge-triggered in effect, because the
owner drains it whenever it processes commands. Any thread may ``post``; only the owner
thread calls ``drain``/``wait``. Waiting releases the GIL (``select.poll``), retries on EINTR
after signal handlers ran (PEP 475), and lets a handler's exception (KeyboardInterrupt)
propagate.

fd lifetime: ``close`` must never release the eventfd while another thread still uses it
(closing a socket from a thread other than the one using it is unsupported, as in
libzmq, but must not corrupt the process). A released fd number is reused at once by the
next ``open``/``socket``/``eventfd``, and a stale ``eventfd_read`` would then eat 8 bytes
of some unrelated file or connection. So every use happens under the lock or while
*pinned* (``wait`` and ``zmq_poll`` pin for the length of their syscall); ``close`` wakes
pinned waiters and the last one to unpin releases the fd.
"""

from __future__ import annotations

import os
import select
import threading
from collections import deque
from typing import Any

from ..errors import mark_interrupted


class Mailbox:
    """libzmq mailbox_t: commands for one owner thread, with a pollable wake-up fd."""

    __slots__ = ("commands", "fd", "_poller", "_closed", "_lock", "_pins")

    def __init__(self) -> None:
        self.commands: deque[Any] = deque()
        self.fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        self._poller = select.poll()
        self._poller.register(self.fd, select.POLLIN)
        self._closed = False
        # Guards fd against close-while-posting: a stale write must never hit a reused fd.
        self._lock = threading.Lock()
        self._pins = 0  # threads inside a syscall on fd (wait, zmq_poll)

    def post(self, command: Any) -> bool:
        """Queue a command from any thread and wake the owner; False (dropped) once
        closed."""
        with self._lock:
            if self._closed:
                return False
            self.commands.append(command)
            os.eventfd_write(self.fd, 1)
            return True

    def clear_signal(self) -> None:
        """Reset the fd (owner thread), before draining the queue."""
        with self._lock:
            if self._closed:
                return
            try:
                os.eventfd_read(self.fd)
            except (BlockingIOError, OSError):
                pass

    def pin(self) -> bool:
        """Keep fd open while the caller polls it; False if the mailbox is closed."""
        with self._lock:
            if self._closed:
                return False
            self._pins += 1
            return True

    def unpin(self) -> None:
        with self._lock:
            self._pins -= 1
            if self._closed and not self._pins:
                self._release()

    def _release(self) -> None:
        if self.fd >= 0:
            self._poller.unregister(self.fd)
            os.close(self.fd)
            self.fd = -1

    def wait(self, timeout_ms: int) -> bool:
        """Block until something is posted or ``timeout_ms`` passes (-1: forever).

        Returns True if the fd was signalled. GIL released while waiting."""
        if self.commands:
            return True
        if not self.pin():
            return True  # closed under us: the caller's next check reports it
        try:
            return bool(self._poller.poll(timeout_ms))
        except BaseException as exc:  # a signal handler raised: EINTR for C callers
            mark_interrupted(exc)
            raise
        finally:
            self.unpin()

    def close(self) -> list[Any]:
        """Stop accepting commands; returns those queued and never processed."""
        with self._lock:
            if self._closed:
                return []
            self._closed = True
            dropped = list(self.commands)
            self.commands.clear()
            if self._pins:
                os.eventfd_write(self.fd, 1)  # wake them; the last to unpin releases fd
            else:
                self._release()
            return dropped

    def after_fork_in_child(self) -> None:
        """A forked child must not inherit a lock held by a thread that no longer exists."""
        self._lock = threading.Lock()
        self._pins = 0  # the pinning threads were not forked
