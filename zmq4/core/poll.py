"""zmq_poll (libzmq zmq_poll over signalers): level-triggered readiness for zmq sockets and
raw OS fds together.

Owns: ``poll(entries, timeout_ms) -> revents``. A zmq socket is waited on through its
mailbox fd (POLLIN only, when its events are non-zero) and after each wake-up its
ZMQ_EVENTS is read; a raw fd maps POLLIN/POLLOUT directly and any error bit
(POLLERR/POLLHUP/POLLNVAL) reports ZMQ_POLLERR. The first pass never blocks. An empty set
sleeps for the timeout. Waits release the GIL and let signal handlers run (PEP 475).
A blocking poll for POLLIN first takes back the reads an event loop may hold
(``fastpath.take_back_reads``: zmq4.io.session's read-on-loop), as a blocking recv does.
"""

from __future__ import annotations

import select
import time
from typing import Any, Sequence

from .. import _native
from .. import zmq_h as C
from ..errors import ZMQError, mark_interrupted
from .fastpath import take_back_reads
from .socket_base import SocketBase

_ERRBITS = select.POLLERR | select.POLLHUP | select.POLLNVAL


def _fd_revents(fd: int, events: int, bits: int) -> int:
    r = 0
    if events & C.POLLIN and bits & select.POLLIN:
        r |= C.POLLIN
    if events & C.POLLOUT and bits & select.POLLOUT:
        r |= C.POLLOUT
    if bits & _ERRBITS:
        r |= C.POLLERR
    return r


def poll(entries: Sequence[tuple[Any, int]], timeout_ms: int) -> list[int]:
    """Return one revents value per (socket-or-fd, events) entry."""
    if not entries:
        if timeout_ms < 0:
            while True:
                _native.sleep(3600)
        if timeout_ms > 0:
            _native.sleep(timeout_ms / 1000.0)
        return []
    poller = _native.poll()
    fds: dict[int, int] = {}
    pinned: list[Any] = []
    try:
        for obj, events in entries:
            if isinstance(obj, SocketBase):
                if events & C.POLLIN and timeout_ms != 0:
                    take_back_reads(obj)  # a loop holding its reads may not be running
                if events:
                    fd = obj.getsockopt(C.FD)  # ENOTSOCK / ETERM for a closed socket
                    if not obj.mailbox.pin():
                        raise ZMQError(C.ENOTSOCK, "socket is closed")
                    pinned.append(obj.mailbox)
                    fds[fd] = fds.get(fd, 0) | select.POLLIN
            else:
                mask = 0
                if events & C.POLLIN:
                    mask |= select.POLLIN
                if events & C.POLLOUT:
                    mask |= select.POLLOUT
                fds[obj] = fds.get(obj, 0) | mask
        return _poll(poller, fds, entries, timeout_ms)
    finally:
        for mb in pinned:
            mb.unpin()


def _poll(poller: Any, fds: dict[int, int], entries: Sequence[tuple[Any, int]],
          timeout_ms: int) -> list[int]:
    """The wait loop of ``poll``. The sockets' mailbox fds stay pinned open meanwhile: a
    socket closed by another thread cannot hand its fd number to some new file."""
    deadline = None if timeout_ms < 0 else time.monotonic() + timeout_ms / 1000.0
    for fd, mask in fds.items():
        poller.register(fd, mask)
    first = True
    while True:
        raw: dict[int, int] = {}
        if first:
            first = False
            for fd, bits in poller.poll(0):
                raw[fd] = bits
        else:
            if deadline is None:
                wait = -1
            else:
                wait = max(0, int((deadline - time.monotonic()) * 1000 + 0.999))
            try:
                ready_fds = poller.poll(wait)
            except BaseException as exc:  # a signal handler raised: EINTR for C callers
                mark_interrupted(exc)
                raise
            for fd, bits in ready_fds:
                raw[fd] = bits
        out = []
        ready = False
        # One ZMQ_EVENTS per socket per pass, shared by all its entries: reading it drains
        # the socket's wake-up fd, so a second read for another entry of the same socket
        # could consume a wake-up (a pipe attached meanwhile, say) and report it only
        # under that entry's mask, leaving the first entry waiting on a silent fd.
        seen: dict[int, int] = {}
        for obj, events in entries:
            if isinstance(obj, SocketBase):
                if not events:
                    r = 0
                else:
                    key = id(obj)
                    ev = seen.get(key)
                    if ev is None:
                        ev = seen[key] = obj.events()
                    r = ev & events
            else:
                r = _fd_revents(obj, events, raw.get(obj, 0))
            out.append(r)
            ready = ready or bool(r)
        if ready or timeout_ms == 0:
            return out
        if deadline is not None and time.monotonic() >= deadline:
            return out
