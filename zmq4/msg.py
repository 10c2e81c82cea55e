# cython: annotation_typing=False
"""The message frame that travels through zmq4 (libzmq msg_t).

Owns: ``Msg`` — one frame: a bytes-like payload, frame flags, and an optional owner whose
release runs a user free function or completes a tracker; ``untrack`` for allocations the
cycle collector need not see. Pipes, sessions and engines pass
``Msg`` objects through without copying the payload (inproc hands the same object to the
peer). Multipart messages are consecutive frames with ``MORE`` set on all but the last.

Rules: a ``Msg`` never copies on construction; ``size`` is the payload length in bytes;
``owner`` is shared by copies (``zmq_msg_copy``) so a free function runs exactly once, when the
last frame referencing the payload is gone. Leaf module: imports nothing from zmq4.

Compiled by Cython in pure-Python mode (``msg.pxd``: ``Msg`` becomes a cdef class with C-level
``flags`` and a free list of 256: a receiving session makes one per frame, a publisher
one per inproc subscriber and message); interpreted, this file behaves the same. ``frame`` and ``payload_size`` are the
cheap constructor / size used by the hot paths of other compiled modules.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import cython  # compile-time only when compiled; interpreted, the Cython package's shadow

# Frame flags (libzmq msg_t flags; MORE is the ZMTP MORE bit).
MORE = 1
COMMAND = 2  # a ZMTP command frame, never delivered to the application
IDENTITY = 64  # first frame announced as identity (ZMTP 1.0/2.0, inproc)


class PayloadOwner:
    """Runs ``callback(*args)`` once, when the last frame sharing this payload is released."""

    __slots__ = ("callback", "args", "__weakref__")

    def __init__(self, callback: Callable[..., Any], *args: Any) -> None:
        self.callback: Optional[Callable[..., Any]] = callback
        self.args = args

    def release(self) -> None:
        cb, self.callback = self.callback, None
        if cb is not None:
            cb(*self.args)

    def __del__(self) -> None:
        self.release()


@cython.freelist(256)
@cython.cclass
class Msg:
    """One frame (libzmq msg_t): ``data`` (bytes-like), ``flags``, optional shared ``owner``."""

    __slots__ = ("data", "flags", "owner")

    def __init__(self, data: Any = b"", flags: int = 0, owner: Optional[PayloadOwner] = None):
        self.data = data
        self.flags = flags
        self.owner = owner
        if owner is None and type(data) is bytes:
            untrack(self)

    @property
    def more(self) -> bool:
        return bool(self.flags & MORE)

    @property
    def size(self) -> int:
        return payload_size(self.data)

    def bytes(self) -> bytes:
        d = self.data
        return d if type(d) is bytes else bytes(d)

    def copy(self) -> Msg:
        """A frame sharing this payload (no byte copy)."""
        m = Msg.__new__(Msg)
        m.data = d = self.data
        m.flags = self.flags
        m.owner = o = self.owner
        if o is None and type(d) is bytes:
            untrack(m)
        return m

    def __repr__(self) -> str:
        return f"Msg({self.bytes()[:32]!r}{'...' if self.size > 32 else ''}, flags={self.flags})"


def frame(data: Any, flags: int = 0) -> Msg:
    """``Msg(data, flags)`` without an owner, minus the constructor's argument parsing.
    Like every ``Msg`` of ``bytes`` without an owner (made here, by the constructor or by
    ``copy``), it is left out of the cycle collector (``untrack``)."""
    m = Msg.__new__(Msg)
    m.data = data
    m.flags = flags
    m.owner = None
    if type(data) is bytes:
        untrack(m)
    return m


def untrack(o: Any) -> Any:
    """Take ``o`` off the cyclic garbage collector's list; returns ``o``.

    Only for objects that can never be part of a reference cycle: a ``Msg`` whose payload
    is ``bytes`` and has no owner references nothing that could lead back to it, and the
    per-message lists the engines pass around are never referenced by anything they
    contain. At a million messages a second, every tracked allocation counts towards the
    collector's thresholds, and the full collections that follow walk the whole heap
    (measured: about a fifth of an I/O-bound process's time). Compiled only; interpreted
    it does nothing (the collector then just keeps tracking)."""
    if cython.compiled:
        PyObject_GC_UnTrack(cython.cast(cython.p_void, o))  # type: ignore[name-defined]  # msg.pxd
    return o


def payload_size(d: Any) -> int:
    """Length in bytes of a payload (bytes-like)."""
    t = type(d)
    if t is bytes or t is bytearray:
        return len(d)
    if t is memoryview:
        n: int = d.nbytes
        return n
    return memoryview(d).nbytes
