"""Sockets whose calls return tornado futures (pyzmq's ``zmq.eventloop.future``).

Owns: pyzmq's tornado flavour of the awaitable API — ``Context``, ``Socket`` and
``Poller`` are :mod:`zmq4.asyncio`'s (tornado >= 5 runs on asyncio, and its ``Future`` is
asyncio's), with one difference kept from pyzmq: the futures they return are
:class:`_TornadoFuture`, whose ``cancel()`` completes them with this module's
:class:`CancelledError` (an ``Exception``) rather than cancelling them asyncio's way, so
``await``-ing a cancelled receive raises ``CancelledError`` in the awaiting coroutine
instead of cancelling it. Cancelling still withdraws the operation: a cancelled receive
leaves its message for the next one.

A socket whose loop is a tornado ``IOLoop`` is registered with it, as pyzmq's are: the
loop's ``close(all_fds=True)`` closes the socket.
"""

from __future__ import annotations

import asyncio
import os
import warnings
from collections.abc import Callable
from typing import Any, ClassVar

from tornado.concurrent import Future
from tornado.ioloop import IOLoop

from .. import asyncio as _zasyncio
from .. import socket as _socket
from .. import zmq_h as C

__all__ = ["CancelledError", "Context", "Poller", "Socket"]


class CancelledError(Exception):
    """The result of a cancelled tornado-flavoured zmq4 future."""


class _TornadoFuture(Future):  # type: ignore[type-arg]
    """A tornado (= asyncio) Future whose ``cancel()`` sets :class:`CancelledError` as
    its exception (pyzmq's tornado futures)."""

    def cancel(self, msg: Any = None) -> bool:
        if self.done():
            return False
        self.set_exception(CancelledError() if msg is None else CancelledError(msg))
        return True

    def cancelled(self) -> bool:
        return self.done() and isinstance(self.exception(), CancelledError)


def _tornado_future(loop: asyncio.AbstractEventLoop) -> asyncio.Future[Any]:
    return _TornadoFuture(loop=loop)


class _LoopHandle:
    """What a socket registers with its tornado IOLoop: a duplicate fd of its own (never
    watched, so it costs the selector nothing) whose ``close()`` closes the socket —
    what ``IOLoop.close(all_fds=True)`` calls."""

    __slots__ = ("fd", "socket", "io_loop")

    def __init__(self, sock: Socket, io_loop: IOLoop) -> None:
        self.fd = os.dup(int(_socket.Socket.get(sock, C.FD)))
        self.socket: Socket | None = sock
        self.io_loop = io_loop

    def fileno(self) -> int:
        return self.fd

    def close(self) -> None:
        sock, self.socket = self.socket, None
        if sock is not None and not sock.closed:
            sock.close()
        self.release()

    def release(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            try:
                self.io_loop.remove_handler(self)
            finally:
                os.close(fd)


_handles: dict[int, _LoopHandle] = {}  # id(core socket) -> its registration


def _noop(*args: Any) -> None:
    """The handler of a :class:`_LoopHandle` (registered for no events)."""


class Socket(_zasyncio.Socket):
    """A zmq4 socket whose ``send*``/``recv*``/``poll`` return tornado futures."""

    __slots__ = ()

    _new_future = staticmethod(_tornado_future)

    def _get_loop(self) -> IOLoop:
        """The tornado IOLoop this socket runs on (the current one), registering the
        socket with it so that ``IOLoop.close(all_fds=True)`` closes it."""
        io_loop = IOLoop.current()
        key = id(self._core)
        handle = _handles.get(key)
        if handle is not None and (handle.io_loop is not io_loop or handle.socket is None):
            handle.release()
            _handles.pop(key, None)
            handle = None
        if handle is None and not self.closed:
            handle = _LoopHandle(self, io_loop)
            io_loop.add_handler(handle, _noop, 0)
            _handles[key] = handle
            core = self._core

            def forget() -> None:
                h = _handles.pop(key, None)
                if h is not None:
                    h.socket = None
                    try:
                        h.release()
                    except (ValueError, RuntimeError, OSError):
                        pass  # the loop is closed already

            core.close_hooks.append(forget)
        return io_loop

    def _submit(self, queue_name: str, attempt: Any, flags: int,
                timeout: int) -> asyncio.Future[Any]:
        self._register_with_loop()
        return super()._submit(queue_name, attempt, flags, timeout)

    def poll(self, timeout: float | None = None,  # type: ignore[override]
             flags: int = C.POLLIN) -> asyncio.Future[int]:
        self._register_with_loop()
        return super().poll(timeout, flags)

    def _register_with_loop(self) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # not on a loop yet: registered at the first call made on one
        if id(self._core) not in _handles:
            self._get_loop()

    def __repr__(self) -> str:
        return _socket.Socket.__repr__(self).replace(
            "zmq4.Socket", "zmq4.eventloop.future.Socket", 1)


class Poller(_zasyncio.Poller):
    """A Poller whose ``poll(timeout)`` returns a tornado future."""

    _new_future = staticmethod(_tornado_future)
    _socket_class = Socket


class Context(_zasyncio.Context):
    """A zmq4 context whose ``socket()`` makes :class:`Socket` objects (tornado
    futures). The ``io_loop`` argument pyzmq once took is deprecated and ignored: the
    running loop is always used."""

    __slots__ = ()

    _socket_class: Callable[..., Any] = Socket
    _instance: ClassVar[Any] = None
    _instance_pid: ClassVar[int | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        io_loop = kwargs.pop("io_loop", None)
        if io_loop is not None:
            warnings.warn(f"{type(self).__name__}(io_loop=...) is deprecated and ignored: "
                          "the running loop is always used", DeprecationWarning,
                          stacklevel=2)
        super().__init__(*args, **kwargs)

    def __repr__(self) -> str:
        return _zasyncio.Context.__repr__(self).replace(
            "zmq4.asyncio.Context", "zmq4.eventloop.future.Context", 1)
