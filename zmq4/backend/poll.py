"""``zmq_poll`` (pyzmq's ``zmq.backend.zmq_poll``): wait for events on zmq4 sockets and
plain file descriptors together.

Owns translating ``[(item, events), ...]`` onto :func:`zmq4.core.poll.poll`, which does the
waiting: level-triggered readiness for zmq4 sockets (through ZMQ_EVENTS, so no wake-up is
lost) together with raw file descriptors (ints, or objects with ``fileno()``).

Rules (pyzmq's): ``timeout`` in milliseconds (None or negative: forever); the result lists
the ready items only, as ``(item, revents)``, where *item* is the zmq4 socket as given, or
the integer fd for anything else (also for objects given through their ``fileno()``);
polling nothing returns ``[]`` at once; a closed zmq4 socket raises ``ZMQError(ENOTSOCK)``.
Imports: the core poll, the leaves and the backend socket.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import zmq_h as C
from .._face import timeout_ms
from ..core import poll as _poll
from ..errors import ZMQError
from .host import host_of
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
    owner: type = Socket  # whose exceptions to raise: the first socket's package's
    try:
        for item, events in sockets:
            if isinstance(events, bool) or not isinstance(events, int):
                raise TypeError(f"poll flags must be an int, not {type(events).__name__}")
            if owner is Socket and isinstance(item, Socket):
                owner = type(item)
            core_item, ev = _entry(item, events)
            entries.append((core_item, ev))
            results_for.append(item if isinstance(item, Socket) else core_item)
        revents = _poll.poll(entries, ms)
    except ZMQError as e:
        raise host_of(owner).exception(e) from None
    return [(results_for[i], int(r)) for i, r in enumerate(revents) if r]


__all__ = ["zmq_poll"]
