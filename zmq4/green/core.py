"""gevent-cooperative ``Socket`` and ``Context`` (pyzmq's ``zmq.green.core``).

Owns: making every blocking call of :class:`zmq4.Socket` block only the calling greenlet.
A blocking ``send``/``recv``/``recv_into``/``poll`` (and what is built on them:
``send_multipart``, ``recv_string``, ``recv_json``...) is attempted with DONTWAIT; when the
socket cannot do it now, the greenlet waits on the socket's :class:`_Waker` and tries
again. RCVTIMEO/SNDTIMEO are honoured (``zmq4.Again`` after that many ms; pyzmq's green
sockets ignore them with a warning), and a ``gevent.Timeout`` interrupts a wait.

How a wait wakes (and why no wake-up is lost): ZMQ_FD is edge-triggered in effect — any
operation on the socket may drain it — so a greenlet never trusts it alone. Each socket
has one waker: the gevent hub watches a duplicate of ZMQ_FD while anyone waits, and
every operation made through a green socket also *pokes* the waker. Either wakes every
waiting greenlet, which re-reads ZMQ_EVENTS before it decides to wait again. The
duplicate fd is the waker's own, released once the socket closed and nobody waits, so
the hub never watches a number that was released (closing a socket wakes its waiters:
they get ENOTSOCK).

Rules: like any zmq4 socket, a green socket is used from one OS thread (greenlets of that
thread may share it). ``Context.term()`` blocks the thread, as it does in pyzmq (close
sockets first). Works with and without ``gevent.monkey.patch_all()``: zmq4's I/O threads
are real OS threads either way.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from gevent.event import Event
from gevent.hub import get_hub

from .. import context as _context
from .. import socket as _socket
from .. import zmq_h as C
from .._face import package_name, timeout_ms, translate
from ..core.socket_base import SocketBase
from ..errors import Again, ZMQError

__all__ = ["Context", "Socket"]

T = TypeVar("T")


class _Waker:
    """Wakes the greenlets waiting on one core socket (see the module docstring)."""

    __slots__ = ("core", "fd", "listeners", "watcher", "closed")

    def __init__(self, core: SocketBase) -> None:
        self.core = core
        self.fd = os.dup(int(core.getsockopt(C.FD)))
        self.listeners: set[Event] = set()
        self.watcher: Any = None
        self.closed = False
        core.close_hooks.append(self._core_closed)

    def fire(self, *args: Any) -> None:
        for ev in list(self.listeners):
            ev.set()

    def add(self, ev: Event) -> None:
        self.listeners.add(ev)
        if self.watcher is None and self.fd >= 0:
            self.watcher = get_hub().loop.io(self.fd, 1)  # 1: readable
            self.watcher.start(self.fire)

    def remove(self, ev: Event) -> None:
        self.listeners.discard(ev)
        if not self.listeners:
            self._stop_watching()
            if self.closed:
                self._release()

    def _stop_watching(self) -> None:
        w, self.watcher = self.watcher, None
        if w is not None:
            w.stop()
            w.close()

    def _release(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            os.close(fd)

    def _core_closed(self) -> None:
        self.closed = True
        _wakers.pop(id(self.core), None)
        if self.listeners:
            self.fire()  # they find the socket closed; the last one releases the fd
        else:
            self._release()


_wakers: dict[int, _Waker] = {}  # id(core socket) -> its waker, until the socket closes


def _waker_of(core: SocketBase) -> _Waker:
    w = _wakers.get(id(core))
    if w is None or w.core is not core:
        if core.closed:
            raise ZMQError(C.ENOTSOCK, "socket is closed")
        w = _wakers[id(core)] = _Waker(core)
    return w


def _poke(core: SocketBase) -> None:
    """Something ran on the socket: its waiters re-check (the fd may have been drained)."""
    w = _wakers.get(id(core))
    if w is not None and w.listeners:
        w.fire()


def _wait(cores: list[SocketBase], timeout: float | None,
          extra: Callable[[Event], Callable[[], None]] | None = None) -> None:
    """Sleep this greenlet until one of ``cores`` is poked or signals, ``extra`` (which
    arms more wake-ups and returns their disarm) fires, or ``timeout`` s pass."""
    ev = Event()
    wakers = [_waker_of(c) for c in cores]
    for w in wakers:
        w.add(ev)
    disarm = extra(ev) if extra is not None else None
    try:
        ev.wait(timeout)
    finally:
        for w in wakers:
            w.remove(ev)
        if disarm is not None:
            disarm()


def _wait_ready(core: SocketBase, mask: int, deadline: float | None) -> None:
    """Return once ZMQ_EVENTS shows ``mask`` or ``deadline`` (monotonic s) passed."""
    while not core.events() & mask:
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            return
        _wait([core], left)


class Socket(_socket.Socket):
    """A :class:`zmq4.Socket` whose blocking calls block only the calling greenlet."""

    __slots__ = ()

    def _green(self, attempt: Callable[[int], T], flags: int, mask: int, timeo: int) -> T:
        core = self._core
        if flags & C.DONTWAIT:
            try:
                return attempt(flags)
            finally:
                _poke(core)
        deadline = None if timeo < 0 else time.monotonic() + timeo / 1000.0
        nb = flags | C.DONTWAIT
        while True:
            try:
                result = attempt(nb)
            except Again:
                pass
            except BaseException:
                _poke(core)
                raise
            else:
                _poke(core)
                return result
            if deadline is not None and time.monotonic() >= deadline:
                raise Again()
            _wait_ready(core, mask, deadline)

    def send(self, data: Any, flags: int = 0, copy: bool = True, track: bool = False,
             routing_id: int | None = None, group: str | None = None) -> Any:
        """:meth:`zmq4.Socket.send`, blocking only this greenlet."""
        self._check_flags(flags)
        base = _socket.Socket.send

        def attempt(f: int) -> Any:
            return base(self, data, f, copy, track, routing_id, group)

        return self._green(attempt, flags, C.POLLOUT, int(self._core.options.sndtimeo))

    def recv(self, flags: int = 0, copy: bool = True, track: bool = False) -> Any:
        """:meth:`zmq4.Socket.recv`, blocking only this greenlet."""
        self._check_flags(flags)
        base = _socket.Socket.recv

        def attempt(f: int) -> Any:
            return base(self, f, copy, track)

        return self._green(attempt, flags, C.POLLIN, int(self._core.options.rcvtimeo))

    def recv_into(self, buffer: Any, /, *, nbytes: int = 0, flags: int = 0) -> int:
        """:meth:`zmq4.Socket.recv_into`, blocking only this greenlet."""
        self._check_flags(flags)
        base = _socket.Socket.recv_into

        def attempt(f: int) -> int:
            return base(self, buffer, nbytes=nbytes, flags=f)

        return self._green(attempt, flags, C.POLLIN, int(self._core.options.rcvtimeo))

    def poll(self, timeout: float | None = None, flags: int = C.POLLIN) -> int:
        """:meth:`zmq4.Socket.poll`, blocking only this greenlet."""
        if self.closed:
            raise ZMQError(C.ENOTSOCK, "socket is closed")
        self._check_flags(flags)
        if not flags:
            raise ValueError("flags must include POLLIN and/or POLLOUT")
        ms = timeout_ms(timeout)
        deadline = None if ms < 0 else time.monotonic() + ms / 1000.0
        try:
            _wait_ready(self._core, flags, deadline)
            return int(self._core.events() & flags)
        except ZMQError as e:
            raise translate(e) from None

    def __repr__(self) -> str:
        return super().__repr__().replace(f"{package_name()}.Socket",
                                            f"{package_name()}.green.Socket", 1)


class Context(_context.Context[Socket]):
    """A :class:`zmq4.Context` whose ``socket()`` makes green :class:`Socket` objects
    (its own ``instance()``)."""

    __slots__ = ()

    _socket_class: Callable[..., Any] = Socket
    _instance: ClassVar[Any] = None
    _instance_pid: ClassVar[int | None] = None

    def __repr__(self) -> str:
        return super().__repr__().replace(f"{package_name()}.Context",
                                            f"{package_name()}.green.Context", 1)

