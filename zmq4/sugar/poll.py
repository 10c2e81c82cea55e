"""Polling many sockets and file descriptors at once (pyzmq's ``zmq.sugar.poll``:
``Poller`` and ``select``).

Owns: the registration bookkeeping (register/modify/unregister, insertion order kept) and
the ``select.select`` shape; the waiting is :func:`zmq4.backend.poll.zmq_poll`'s.

Rules (pyzmq's): ``poll(timeout)`` takes milliseconds (None or negative: forever) and returns
``[(item, revents), ...]`` for the ready items only, where *item* is the zmq4 socket as
registered, or the integer fd for anything else (also for objects registered through their
``fileno()``); ``register(s, 0)`` unregisters; ``unregister`` of an unknown item is
``KeyError``; polling nothing returns ``[]`` at once. ``select(rlist, wlist, xlist,
timeout)`` takes seconds, like ``select.select``. A closed zmq4 socket raises
``ZMQError(ENOTSOCK)``.
Imports: the backend poll and socket, the leaves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import zmq_h as C
from .._face import timeout_ms
from ..backend.poll import zmq_poll
from ..backend.socket import Socket


class Poller:
    """A set of sockets/fds and the events to wait for on each (pyzmq ``zmq.Poller``)."""

    sockets: list[tuple[Any, int]]

    def __init__(self) -> None:
        self.sockets = []
        self._map: dict[Any, int] = {}

    def __contains__(self, socket: Any) -> bool:
        return socket in self._map

    def register(self, socket: Any, flags: int = C.POLLIN | C.POLLOUT) -> None:
        """Watch ``socket`` (a zmq4 Socket, an int fd or an object with ``fileno()``) for
        ``flags`` (POLLIN/POLLOUT/POLLERR); ``flags=0`` unregisters it."""
        if isinstance(flags, bool) or not isinstance(flags, int):
            raise TypeError(f"flags must be an int (zmq4.POLLIN...), not "
                            f"{type(flags).__name__}")
        if not flags:
            if socket in self._map:
                self.unregister(socket)
            return
        if not isinstance(socket, (Socket, int)) and not hasattr(socket, "fileno"):
            raise TypeError("can only poll zmq4 sockets, int file descriptors and objects "
                            f"with fileno(), not {type(socket).__name__}")
        idx = self._map.get(socket)
        if idx is None:
            self._map[socket] = len(self.sockets)
            self.sockets.append((socket, flags))
        else:
            self.sockets[idx] = (socket, flags)

    def modify(self, socket: Any, flags: int = C.POLLIN | C.POLLOUT) -> None:
        """Change the events watched for ``socket`` (same as :meth:`register`)."""
        self.register(socket, flags)

    def unregister(self, socket: Any) -> None:
        """Stop watching ``socket`` (``KeyError`` if it is not registered)."""
        idx = self._map.pop(socket)
        self.sockets.pop(idx)
        for s, _flags in self.sockets[idx:]:
            self._map[s] -= 1

    def poll(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        """Wait up to ``timeout`` ms (None: forever) until an item is ready; returns
        ``[(item, revents), ...]`` for the ready ones (empty on timeout)."""
        return zmq_poll(self.sockets, timeout_ms(timeout))

    def __repr__(self) -> str:
        return f"<zmq4.Poller {len(self.sockets)} item(s)>"


def select(rlist: Sequence[Any], wlist: Sequence[Any], xlist: Sequence[Any],
           timeout: float | None = None) -> tuple[list[Any], list[Any], list[Any]]:
    """``select.select`` for zmq4 sockets and fds: ``timeout`` in seconds (None: forever);
    returns the ready subsets of the three lists."""
    if timeout is None:
        ms = -1
    elif isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"timeout must be a number of seconds or None, not "
                        f"{type(timeout).__name__}")
    else:
        ms = max(-1, int(timeout * 1000.0)) if timeout >= 0 else -1
    items: list[Any] = []
    for s in list(rlist) + list(wlist) + list(xlist):
        if s not in items:
            items.append(s)
    polled = []
    for s in items:
        flags = 0
        if s in rlist:
            flags |= C.POLLIN
        if s in wlist:
            flags |= C.POLLOUT
        if s in xlist:
            flags |= C.POLLERR
        polled.append((s, flags))
    ready = zmq_poll(polled, ms)
    r: list[Any] = []
    w: list[Any] = []
    x: list[Any] = []
    for s, flags in ready:
        if flags & C.POLLIN:
            r.append(s)
        if flags & C.POLLOUT:
            w.append(s)
        if flags & C.POLLERR:
            x.append(s)
    return r, w, x


__all__ = ["Poller", "select"]
