# cython: annotation_typing=False, boundscheck=True, wraparound=True
"""I/O threads (libzmq io_thread_t + epoll_t + poller timers) and the pool a context owns.

Owns: ``IOThread`` — one OS thread running an epoll loop over registered fds, a timer heap
and a mailbox of callables (``post``: thread-safe, wakes the loop through an eventfd); and
``IOPool`` — ZMQ_IO_THREADS of them, chosen by ZMQ_AFFINITY or least load.

Rules: handlers are objects with ``on_readable()`` / ``on_writable()`` (and ``on_error(exc)``,
called when one of them raises). Only the owning thread touches a handler's state, with one
exception: ``busy``. The loop holds that lock whenever it is not waiting in ``epoll.poll``;
another thread that takes it may act as this thread for a moment, because this thread is
then asleep or waiting for it and cannot touch anything (``borrow``: only if this thread
is asleep with nothing queued, never blocking; the send-through of ``zmq4.io.session``;
``borrow_wait``: waiting for the loop to let go, for the end of a recv-through). Such a
borrower may register fds and add timers (a timer added from outside wakes the loop so
its timeout is recomputed). A forked child gets no I/O thread: every inherited one is
closed there, so nothing in the child can borrow it and write to the parent's
connections. An I/O thread blocks asynchronous signals (as libzmq's do): they go to the
application's threads. An exception in a handler costs that handler (its connection),
never the thread or the process. Waits release the GIL (``epoll.poll``).

Compiled by Cython in pure-Python mode (``reactor.pxd`` types nothing: the classes stay
ordinary classes; the loop just runs without the interpreter); works the same interpreted.
"""

from __future__ import annotations

import errno as _errno
import heapq
import itertools
import logging
import os
import select
import signal
import time
import weakref
from collections import deque
from typing import Any, Callable, Optional

from .. import _native
from ..errors import ZMQError

log = logging.getLogger("zmq4.io")

EPOLLIN = select.EPOLLIN
EPOLLOUT = select.EPOLLOUT
EPOLLET = select.EPOLLET
EPOLLRDHUP = select.EPOLLRDHUP
_ERR = select.EPOLLERR | select.EPOLLHUP
# every signal but those the kernel raises for a fault in this very thread
_ASYNC_SIGNALS = signal.valid_signals() - {signal.SIGSEGV, signal.SIGBUS, signal.SIGFPE,
                                           signal.SIGILL, signal.SIGABRT, signal.SIGTRAP}


class Timer:
    """A scheduled callback; ``cancel()`` from the owning thread."""

    __slots__ = ("deadline", "callback", "cancelled")

    def __init__(self, deadline: float, callback: Callable[[], Any]) -> None:
        self.deadline = deadline
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class IOThread:
    """One reactor thread."""

    def __init__(self, name: str) -> None:
        self._ep = _native.epoll()
        try:
            self._wake = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        except BaseException:
            self._ep.close()
            raise
        self._ep.register(self._wake, EPOLLIN)
        self._mailbox: deque[tuple[Callable[..., Any], tuple[Any, ...]]] = deque()
        self._handlers: dict[int, Any] = {}
        self._timers: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()
        self._stopping = False
        self.load = 0  # registered connections, for least-loaded choice
        self._lock = _native.Lock()
        self._closed = False
        # held by the loop except while it waits in epoll: see the module docstring
        self.busy = _native.Lock()
        # an OS thread even under gevent's monkey patching (zmq4._native)
        self.thread = _native.Thread(target=self._run, name=name, daemon=True)
        try:
            self.thread.start()
        except BaseException:
            self._ep.close()
            os.close(self._wake)
            raise
        _threads.add(self)

    # -- any thread ---------------------------------------------------------------------
    def post(self, fn: Callable[..., Any], *args: Any) -> bool:
        """Run ``fn(*args)`` in this thread, soon (after what was posted before); False
        if this thread is closed (then it never runs)."""
        with self._lock:
            if self._closed:
                return False
            self._mailbox.append((fn, args))
            os.eventfd_write(self._wake, 1)
        return True

    def in_thread(self) -> bool:
        return _native.get_ident() == self.thread.ident

    def borrow(self) -> bool:
        """Try to act as this thread now, without waiting: True if this thread is asleep
        with nothing queued, and stays so until ``lend_back()`` (see ``busy``)."""
        if self._mailbox or self._closed or not self.busy.acquire(False):
            return False
        if self._mailbox or self._closed:
            self.busy.release()
            return False
        return True

    def borrow_wait(self, timeout: float = -1.0) -> bool:
        """``borrow``, waiting for this thread to finish what it is doing (the GIL is
        released meanwhile), for up to ``timeout`` seconds (-1: as long as it takes);
        False once this thread is closed, or at the timeout."""
        if self._closed:
            return False
        busy = self.busy
        if not busy.acquire(True, timeout):
            return False
        if self._closed:
            busy.release()
            return False
        return True

    def lend_back(self) -> None:
        self.busy.release()

    # -- owner thread -------------------------------------------------------------------
    def add(self, fd: int, handler: Any, mask: int) -> None:
        self._handlers[fd] = handler
        self._ep.register(fd, mask)

    def modify(self, fd: int, mask: int) -> None:
        if fd in self._handlers:
            self._ep.modify(fd, mask)

    def remove(self, fd: int) -> None:
        if self._handlers.pop(fd, None) is not None:
            try:
                self._ep.unregister(fd)
            except (OSError, ValueError):
                pass

    def add_timer(self, delay: float, callback: Callable[[], Any]) -> Timer:
        t = Timer(time.monotonic() + delay, callback)
        heapq.heappush(self._timers, (t.deadline, next(self._seq), t))
        if not self.in_thread():
            self.post(_nothing)  # a borrower: wake the loop to recompute its timeout
        return t

    def _run(self) -> None:
        # As libzmq's I/O threads: no signal is delivered here. A process-directed signal
        # then reaches the application's threads, and one that holds signals for a moment
        # (a send-through: zmq4.io._sighold) gets it right after, never in the middle.
        signal.pthread_sigmask(signal.SIG_BLOCK, _ASYNC_SIGNALS)
        busy = self.busy
        busy.acquire()
        try:
            self._loop()
        finally:
            busy.release()

    def _loop(self) -> None:
        ep, handlers, mailbox, busy = self._ep, self._handlers, self._mailbox, self.busy
        while not self._stopping:
            timeout = -1.0
            timers = self._timers
            while timers and timers[0][2].cancelled:
                heapq.heappop(timers)
            if timers:
                timeout = max(0.0, timers[0][0] - time.monotonic())
            if mailbox:
                timeout = 0.0
            busy.release()
            try:
                events = ep.poll(timeout)
            except InterruptedError:  # pragma: no cover - PEP 475 retries
                continue
            finally:
                busy.acquire()
            for fd, ev in events:
                if fd == self._wake:
                    try:
                        os.eventfd_read(self._wake)
                    except BlockingIOError:
                        pass
                    continue
                h = handlers.get(fd)
                if h is None:
                    continue
                try:
                    if ev & (EPOLLIN | EPOLLRDHUP | _ERR):
                        h.on_readable()
                    if ev & EPOLLOUT and fd in handlers and handlers[fd] is h:
                        h.on_writable()
                except Exception as exc:  # noqa: BLE001 - a handler failure costs the handler
                    self._handler_failed(h, exc)
            if timers:
                now = time.monotonic()
                while timers and timers[0][0] <= now:
                    _, _, t = heapq.heappop(timers)
                    if not t.cancelled:
                        t.cancelled = True
                        try:
                            t.callback()
                        except Exception as exc:  # noqa: BLE001
                            log.exception("zmq4 I/O timer callback failed: %s", exc)
            while mailbox:
                fn, args = mailbox.popleft()
                try:
                    fn(*args)
                except Exception as exc:  # noqa: BLE001
                    log.exception("zmq4 I/O command %r failed: %s", fn, exc)
        self._shutdown()

    def _handler_failed(self, h: Any, exc: BaseException) -> None:
        log.debug("zmq4 I/O handler %r failed: %r", h, exc)
        on_error = getattr(h, "on_error", None)
        try:
            if on_error is not None:
                on_error(exc)
        except Exception:  # noqa: BLE001
            log.exception("zmq4 I/O error handler failed")

    def _shutdown(self) -> None:
        for h in list(self._handlers.values()):
            close = getattr(h, "force_close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # noqa: BLE001
                    pass
        self._handlers.clear()
        with self._lock:
            self._closed = True
            self._mailbox.clear()
        self._ep.close()
        os.close(self._wake)

    def stop(self) -> None:
        """Any thread: stop the loop and join it."""
        def _stop() -> None:
            self._stopping = True

        self.post(_stop)
        if not self.in_thread():
            self.thread.join(10)


_threads: weakref.WeakSet[IOThread] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """A forked child has none of the parent's I/O threads but shares their fds (epoll,
    connections): nothing in the child may act as one (``borrow``) or post to one."""
    for t in list(_threads):
        t._closed = True
        t._lock = _native.Lock()
        t.busy = _native.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _nothing() -> None:
    """A mailbox entry whose only effect is waking the loop."""


class IOPool:
    """The I/O threads of one context (started with its first tcp/ipc endpoint)."""

    def __init__(self, count: int) -> None:
        """Start ``count`` I/O threads, or none: a failure (no fd left for an epoll set or
        a wake-up eventfd, no thread) stops those already started and raises ZMQError
        (EMFILE, ENFILE, ...: the OS's errno; EAGAIN when no thread can be started)."""
        self.threads: list[IOThread] = []
        try:
            for i in range(count):
                self.threads.append(IOThread(f"zmq4-io-{i}"))
        except (OSError, RuntimeError) as exc:
            for t in self.threads:
                t.stop()
            if isinstance(exc, OSError):
                code, detail = exc.errno or _errno.EMFILE, exc.strerror
            else:
                code, detail = _errno.EAGAIN, str(exc)
            raise ZMQError(code, f"cannot start I/O thread {len(self.threads)} of {count}: "
                                 f"{detail}") from None
        self._lock = _native.Lock()
        self._cond = _native.Condition(self._lock)
        self.sessions: set[Any] = set()  # live sessions (lingering ones included)

    def choose(self, affinity: int = 0) -> IOThread:
        candidates = [t for i, t in enumerate(self.threads)
                      if not affinity or affinity & (1 << i)] or self.threads
        return min(candidates, key=lambda t: t.load)

    def session_started(self, session: Any) -> None:
        with self._cond:
            self.sessions.add(session)

    def session_ended(self, session: Any) -> None:
        with self._cond:
            self.sessions.discard(session)
            self._cond.notify_all()

    def wait_sessions(self, timeout: Optional[float] = None) -> bool:
        """Block until every session finished lingering (bounded waits for signals)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self.sessions:
                if deadline is not None and time.monotonic() >= deadline:
                    return False
                self._cond.wait(0.1)
        return True

    def stop(self) -> None:
        for t in self.threads:
            t.stop()
