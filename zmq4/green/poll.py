"""gevent-cooperative ``Poller`` (pyzmq's ``zmq.green.poll``).

``poll(timeout)`` blocks only the calling greenlet. It takes :class:`zmq4.Poller`'s
registrations (zmq4 sockets, green or not, raw fds, objects with ``fileno()``) and its
results; while nothing is ready it sleeps on the sockets' wakers (their ZMQ_FD duplicates
and the pokes of green operations, see :mod:`zmq4.green.core`) and on gevent watchers of
the raw fds, then polls again. No fixed polling interval: it wakes when something may
have become ready, or at the timeout.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from gevent.event import Event
from gevent.hub import get_hub

from .. import poller as _poller
from .. import socket as _socket
from .. import zmq_h as C
from .._face import timeout_ms
from ..backend import poll as _backend_poll
from .core import _wait

__all__ = ["Poller"]


class Poller(_poller.Poller):
    """A :class:`zmq4.Poller` whose ``poll`` blocks only the calling greenlet."""

    def poll(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        ms = timeout_ms(timeout)
        deadline = None if ms < 0 else time.monotonic() + ms / 1000.0
        while True:
            ready = super().poll(0)
            if ready or ms == 0:
                return ready
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return []
            cores = []
            raw: list[tuple[int, int]] = []
            for item, flags in self.sockets:
                if isinstance(item, _socket.Socket):
                    cores.append(item._core)
                else:
                    fd, _ = _backend_poll._entry(item, flags)
                    raw.append((fd, flags))
            _wait(cores, left, _raw_watchers(raw) if raw else None)


def _raw_watchers(raw: list[tuple[int, int]]) -> Callable[[Event], Callable[[], None]]:
    """Arms gevent io watchers for raw fds; returns how to disarm them."""
    def arm(ev: Event) -> Callable[[], None]:
        loop = get_hub().loop
        watchers = []
        for fd, flags in raw:
            kind = (1 if flags & C.POLLIN else 0) | (2 if flags & C.POLLOUT else 0)
            if not kind:
                continue
            w = loop.io(fd, kind)
            w.start(ev.set)
            watchers.append(w)

        def disarm() -> None:
            for w in watchers:
                w.stop()
                w.close()

        return disarm

    return arm
