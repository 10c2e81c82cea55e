"""pyzmq's ``zmq.utils.garbage`` shape, for code that imports it. zmq4 runs no garbage-
collection thread and needs none.

What pyzmq uses it for: libzmq, in C, holds a zero-copy message's buffer after
``send(copy=False)`` returns, and frees it later from its I/O thread, where no Python
code may run; so pyzmq keeps the buffer's Python object in ``gc.refs`` and a background
thread drops it (and sets the ``MessageTracker`` event) when libzmq reports the free.

What zmq4 does instead: the frame that is being sent *is* a Python object holding a
reference to the buffer, so reference counting releases the buffer when the I/O thread
has written the frame, and the tracker is marked done at that moment. zmq4 itself never
calls anything here.

What this module does: ``gc`` is a :class:`GarbageCollector` with pyzmq's attributes and
methods. ``store(obj, event)`` keeps ``obj`` (and an optional ``threading.Event``) in
``refs`` under an int key, as pyzmq's does, until ``release(key)`` (zmq4's name for what
pyzmq's thread does on a free: drop the reference and set the event) or ``stop()``
(which drops every reference without setting events, like pyzmq's). ``start()`` starts no
thread and ``is_alive()`` is always False: there is no thread.
"""

from __future__ import annotations

import atexit
import threading
from os import getpid
from typing import Final, NamedTuple

from ..context import Context

__all__ = ["GarbageCollector", "gc", "gcref"]


class gcref(NamedTuple):  # noqa: N801 - pyzmq's name
    """A stored object and the event to set when it is released."""

    obj: object
    event: threading.Event | None


class GarbageCollector:
    """References held for zero-copy sends (see the module docstring: in zmq4 a
    bookkeeping object only, with no thread)."""

    #: pyzmq's inproc endpoint for its collector thread (unused: there is no thread)
    url = "inproc://pyzmq.gc.01"

    def __init__(self, context: Context | None = None) -> None:
        self.refs: dict[int, gcref] = {}
        self.pid: int | None = None
        self.thread: threading.Thread | None = None  # always None in zmq4
        self._context = context
        self._lock = threading.Lock()
        self._stay_down = False
        atexit.register(self._atexit)

    @property
    def context(self) -> Context:
        """The context pyzmq's thread would use (created on first access)."""
        if self._context is None:
            self._context = Context()
        return self._context

    @context.setter
    def context(self, ctx: Context | None) -> None:
        self._context = ctx

    def start(self) -> None:
        """Start collecting in this process: no thread to start in zmq4."""
        with self._lock:
            self.pid = getpid()

    def stop(self) -> None:
        """Drop every stored reference (their events are not set, as in pyzmq)."""
        with self._lock:
            self.refs.clear()
            self.pid = None

    def is_alive(self) -> bool:
        """Whether a collector thread runs: never, in zmq4."""
        return False

    def store(self, obj: object, event: threading.Event | None = None) -> int:
        """Keep ``obj`` (and ``event``) until :meth:`release` of the returned key; 0 (and
        nothing kept) once the interpreter is shutting down, as in pyzmq."""
        if self._stay_down:
            return 0
        ref = gcref(obj, event)
        key = id(ref)
        with self._lock:
            if self.pid != getpid():  # first use, or a forked child: start afresh
                self.refs = {}
                self.pid = getpid()
            self.refs[key] = ref
        return key

    def release(self, key: int) -> bool:
        """Drop the reference stored under ``key`` and set its event; False for an
        unknown key."""
        with self._lock:
            ref = self.refs.pop(key, None)
        if ref is None:
            return False
        if ref.event is not None:
            ref.event.set()
        return True

    def _atexit(self) -> None:
        self._stay_down = True
        self.stop()


#: the process-wide collector (pyzmq's ``zmq.utils.garbage.gc``)
gc: Final[GarbageCollector] = GarbageCollector()
