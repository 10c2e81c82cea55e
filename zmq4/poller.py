"""Polling many sockets and file descriptors at once (pyzmq's ``Poller`` and ``select``).

Owns: the registration bookkeeping (register/modify/unregister, insertion order kept) and
translating pyzmq's shapes onto :func:`zmq4.core.poll.poll`, which does the waiting:
level-triggered readiness for zmq4 sockets (through ZMQ_EVENTS, so no wake-up is lost)
together with raw file descriptors (ints, or objects with ``fileno()``).

Rules (pyzmq's): ``poll(timeout)`` takes milliseconds (None or negative: forever) and returns
``[(item, revents), ...]`` for the ready items only, where *item* is the zmq4 socket as
registered, or the integer fd for anything else (also for objects registered through their
``fileno()``); ``register(s, 0)`` unregisters; ``unregister`` of an unknown item is
``KeyError``; polling nothing returns ``[]`` at once. ``select(rlist, wlist, xlist,
timeout)`` takes seconds, like ``select.select``. A closed zmq4 socket raises
``ZMQError(ENOTSOCK)``.
Imports: the core poll, the leaves, and the socket face.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import constants as C
from ._face import timeout_ms, translate
from .core import poll as _poll
from .errors import ZMQError
from .socket import Socket


def _entry(item: Any, events: int) -> tuple[Any, int]:
    """The core poll entry for a registered item: a core socket or an int fd."""
    if isinstance(item, Socket):
        if item.closed:
            raise ZMQError(C.ENOTSOCK, f"cannot poll a closed socket: {item!r}")
        return item._core, events
    if isinstance(item, int) and not isinstance(item, bool):
        if item < 0:
            raise ValueError(f"invalid file descriptor {item}")
        return item, events
    fileno = getattr(item, "fileno", None)
    if fileno is None:
        raise TypeError("can only poll zmq4 sockets, int file descriptors and objects with "
                        f"fileno(), not {type(item).__name__}")
    try:
        fd = fileno()
    except Exception as e:
        raise ValueError(f"{item!r}.fileno() failed: {e}") from e
    if isinstance(fd, bool) or not isinstance(fd, int) or fd < 0:
        raise ValueError(f"{item!r}.fileno() must return a valid int fd, got {fd!r}")
    return fd, events


def zmq_poll(sockets: Sequence[tuple[Any, int]], timeout: float | None = -1) -> \
        list[tuple[Any, int]]:
    """Poll ``[(item, events), ...]`` for up to ``timeout`` ms; ready items with revents."""
    ms = timeout_ms(timeout)
    if not sockets:
        return []  # pyzmq: an empty poll returns at once, whatever the timeout
    entries = []
    results_for: list[Any] = []
    for item, events in sockets:
        if isinstance(events, bool) or not isinstance(events, int):
            raise TypeError(f"poll flags must be an int, not {type(events).__name__}")
        core_item, ev = _entry(item, events)
        entries.append((core_item, ev))
        results_for.append(item if isinstance(item, Socket) else core_item)
    try:
        revents = _poll.poll(entries, ms)
    except ZMQError as e:
        raise translate(e) from None
    return [(results_for[i], int(r)) for i, r in enumerate(revents) if r]


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


__all__ = ["Poller", "select", "zmq_poll"]
