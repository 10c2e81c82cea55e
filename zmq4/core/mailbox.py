"""Mailbox: the command queue of a socket (libzmq mailbox_t + signaler_t).

Owns: a thread-safe FIFO of commands plus an eventfd that becomes readable when commands
are posted. The eventfd is the socket's ``ZMQ_FD``: edge-triggered in effect, because the
owner drains it whenever it processes commands. Any thread may ``post``; only the owner
thread calls ``drain``/``wait``. Waiting releases the GIL (``select.poll``), retries on EINTR
after signal handlers ran (PEP 475), and lets a handler's exception (KeyboardInterrupt)
propagate.
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

    __slots__ = ("commands", "fd", "_poller", "_closed", "_lock")

    def __init__(self) -> None:
        self.commands: deque[Any] = deque()
        self.fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        self._poller = select.poll()
        self._poller.register(self.fd, select.POLLIN)
        self._closed = False
        # Guards fd against close-while-posting: a stale write must never hit a reused fd.
        self._lock = threading.Lock()

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
        try:
            os.eventfd_read(self.fd)
        except (BlockingIOError, OSError):
            pass

    def wait(self, timeout_ms: int) -> bool:
        """Block until something is posted or ``timeout_ms`` passes (-1: forever).

        Returns True if the fd was signalled. GIL released while waiting."""
        if self.commands:
            return True
        try:
            return bool(self._poller.poll(timeout_ms))
        except BaseException as exc:  # a signal handler raised: EINTR for C callers
            mark_interrupted(exc)
            raise

    def close(self) -> list[Any]:
        """Stop accepting commands; returns those queued and never processed."""
        with self._lock:
            if self._closed:
                return []
            self._closed = True
            dropped = list(self.commands)
            self.commands.clear()
            os.close(self.fd)
            return dropped

    def after_fork_in_child(self) -> None:
        """A forked child must not inherit a lock held by a thread that no longer exists."""
        self._lock = threading.Lock()
