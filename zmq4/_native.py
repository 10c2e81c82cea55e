"""The operating system's threads, locks, epoll/poll, sleep and sockets, for zmq4's core.

Owns: one place where the core gets these, so that they stay real after
``gevent.monkey.patch_all()`` (which makes ``threading.Thread`` start greenlets, locks
gevent-local, ``select.epoll`` disappear and ``socket.socket`` cooperative). libzmq's
threads are C threads, out of gevent's reach; zmq4's I/O threads are Python threads, so
the core takes the originals: from ``gevent.monkey.get_original`` when gevent has patched
the process before zmq4 was imported, else the modules' own objects, captured at import
(a patch made after zmq4's import does not reach them either). Without gevent this is
plain ``threading``/``select``/``socket``/``time``.

What is here: ``Lock`` (``_thread.allocate_lock``), ``get_ident``, ``local``, ``epoll``,
``poll``, ``sleep``, ``socket`` (the class), ``getaddrinfo`` and ``accept``; and two small classes
built on them because the ``threading`` versions call patched functions inside:
:class:`Thread` (an OS thread: ``start``, ``join``, ``is_alive``, ``ident``, ``name``;
always a daemon) and :class:`Condition` (``wait``, ``notify``, ``notify_all``, used with
``with``). Imports: the standard library only (a leaf).
"""

from __future__ import annotations

import importlib
import sys
from collections import deque
from collections.abc import Callable
from typing import Any

__all__ = ["Condition", "Lock", "Thread", "accept", "epoll", "get_ident", "getaddrinfo",
           "local", "poll", "sleep", "socket"]


def _original(module: str, name: str) -> Any:
    """``module.name`` as it was before any gevent monkey patching."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None:
        return monkey.get_original(module, name)
    return getattr(importlib.import_module(module), name)


Lock: Callable[[], Any] = _original("_thread", "allocate_lock")
get_ident: Callable[[], int] = _original("_thread", "get_ident")
_start_new_thread: Callable[..., int] = _original("_thread", "start_new_thread")
local: type = _original("_thread", "_local")
epoll: type = _original("select", "epoll")
poll: Callable[[], Any] = _original("select", "poll")
sleep: Callable[[float], None] = _original("time", "sleep")
socket: type = _original("socket", "socket")
getaddrinfo: Callable[..., Any] = _original("socket", "getaddrinfo")


def accept(listener: Any) -> tuple[Any, Any]:
    """``listener.accept()`` returning a :data:`socket` (``socket.socket.accept`` builds
    its result with the ``socket`` module's class, which patching makes gevent's)."""
    fd, peer = listener._accept()
    return socket(listener.family, listener.type, listener.proto, fileno=fd), peer


class Thread:
    """An OS thread running ``target(*args)`` (a subset of ``threading.Thread``; always a
    daemon: the interpreter does not wait for it at exit)."""

    def __init__(self, target: Callable[..., Any], args: tuple[Any, ...] = (),
                 name: str | None = None, daemon: bool = True) -> None:
        self._target = target
        self._args = args
        self.name = name or f"zmq4-thread-{id(self):x}"
        self.daemon = True
        self.ident: int | None = None
        self._done = Lock()
        self._started = False

    def start(self) -> None:
        if self._started:
            raise RuntimeError("threads can only be started once")
        self._started = True
        self._done.acquire()
        try:
            _start_new_thread(self._bootstrap, ())
        except BaseException:
            self._done.release()
            raise

    def _bootstrap(self) -> None:
        self.ident = get_ident()
        try:
            self._target(*self._args)
        finally:
            self._done.release()

    def join(self, timeout: float | None = None) -> None:
        if not self._started:
            raise RuntimeError("cannot join a thread before it is started")
        if self.ident is not None and self.ident == get_ident():
            raise RuntimeError("cannot join the current thread")
        if self._done.acquire(True, -1 if timeout is None else max(timeout, 0)):
            self._done.release()

    def is_alive(self) -> bool:
        return self._started and self._done.locked()

    def __repr__(self) -> str:
        state = "started" if self.is_alive() else "stopped" if self._started else "initial"
        return f"<zmq4 OS thread {self.name!r} {state} {self.ident}>"


class Condition:
    """A condition variable on a real lock (``threading.Condition``'s ``wait``,
    ``notify``, ``notify_all`` and context-manager use)."""

    def __init__(self, lock: Any = None) -> None:
        self._lock = lock if lock is not None else Lock()
        self._waiters: deque[Any] = deque()

    def __enter__(self) -> bool:
        return bool(self._lock.__enter__())

    def __exit__(self, *exc: Any) -> None:
        self._lock.__exit__(*exc)

    def wait(self, timeout: float | None = None) -> bool:
        """Release the lock, sleep until notified or ``timeout`` s passed, re-acquire."""
        waiter = Lock()
        waiter.acquire()
        self._waiters.append(waiter)
        self._lock.release()
        got = False
        try:
            got = waiter.acquire(True, -1 if timeout is None else max(timeout, 0))
            return bool(got)
        finally:
            self._lock.acquire()
            if not got:
                try:
                    self._waiters.remove(waiter)
                except ValueError:
                    pass  # notified just after the timeout

    def notify(self, n: int = 1) -> None:
        for _ in range(min(n, len(self._waiters))):
            self._waiters.popleft().release()

    def notify_all(self) -> None:
        self.notify(len(self._waiters))
