"""Frames and message trackers: the zero-copy message of the object API (pyzmq's backend
``Frame`` and its ``MessageTracker``).

Owns:
- :class:`Frame` (alias :data:`Message`): one message frame as the application sees it —
  a core :class:`~zmq4.msg.Msg` plus ``more`` and ``tracker``. ``bytes`` is a (cached)
  copy; the frame exports its payload through the buffer protocol (``memoryview(frame)``,
  ``bytearray(frame)``, ``b"".join([frame])``, ``frame.buffer``). Built from data it
  either copies (small or ``copy=True``) or references the caller's buffer without copying
  (``copy=False`` or at least ``copy_threshold`` bytes).
- :class:`MessageTracker`: completes when zmq4 no longer references a zero-copy payload —
  when every frame sharing it is gone: the inproc peer received it (and dropped it, e.g. a
  ``copy=True`` receive), or the tcp/ipc engine has its bytes (copied into its output; an
  immutable ``bytes`` payload may instead still be queued for the kernel by reference,
  which nothing can change), and the application's own ``Frame`` was released too.
  Completion is the core message's :class:`~zmq4.msg.PayloadOwner` releasing (reference
  counting), which sets a ``threading.Event``: no garbage-collector thread, no polling.
  (pyzmq's module for it is ``zmq.sugar.tracker``; :mod:`zmq4.sugar.tracker` names this
  class: it lives here because the Frame creates it.)

Rules: the exported buffer is writable, as pyzmq's (a view of the message's memory): a
payload held in writable memory (a ``bytearray``, a writable buffer passed with
``copy=False``) is exported as is; an immutable payload (``bytes``: what the receive path
and copying constructors produce) is first copied, once, into a ``bytearray`` the frame
owns, which then is the frame's payload — zmq4 never writes into a ``bytes`` object.
Buffers that are not C-contiguous are a ``BufferError`` (pyzmq's), before anything is
queued. A tracked payload must not be modified until ``tracker.done``; ``wait(timeout)``
takes seconds (negative: forever) and raises :class:`~zmq4.errors.NotDone` on timeout.
Message properties: ``get(zmq4.MORE)``; string properties (``"User-Id"``...,
``zmq_msg_gets``) need libzmq 4.1: :class:`~zmq4.errors.ZMQVersionError`, as pyzmq on a 4.0
library.
Imports: msg, errors, zmq_h (leaves) and the buffer-export base.
"""

from __future__ import annotations

import builtins
import sys
import threading
import time
import weakref
from typing import Any

from .. import zmq_h as C
from ..errors import NotDone, ZMQError, ZMQVersionError
from ..msg import Msg, PayloadOwner
from ._buffer import BufferExporter

#: Default ``copy_threshold``: zero-copy sends of smaller buffers are copied instead
#: (the bookkeeping costs more than the copy). pyzmq's value.
COPY_THRESHOLD = 65536


def default_copy_threshold() -> int:
    """The current default: ``zmq4.COPY_THRESHOLD`` (users may assign it, as in pyzmq)."""
    value = getattr(sys.modules.get("zmq4"), "COPY_THRESHOLD", COPY_THRESHOLD)
    return value if isinstance(value, int) else COPY_THRESHOLD


class MessageTracker:
    """Tracks whether zmq4 is done with one or more zero-copy messages.

    ``MessageTracker(*towatch)``: each of ``towatch`` is a ``threading.Event``, another
    ``MessageTracker``, or a tracked :class:`Frame`.
    """

    events: set[threading.Event]
    peers: set[MessageTracker]

    def __init__(self, *towatch: threading.Event | MessageTracker | Frame) -> None:
        self.events = set()
        self.peers = set()
        for obj in towatch:
            if isinstance(obj, threading.Event):
                self.events.add(obj)
            elif isinstance(obj, MessageTracker):
                self.peers.add(obj)
            elif isinstance(obj, Frame):
                if obj.tracker is None:
                    raise ValueError("not a tracked Frame (create it with track=True)")
                self.peers.add(obj.tracker)
            else:
                raise TypeError("MessageTracker watches Events, MessageTrackers or tracked "
                                f"Frames, not {type(obj).__name__}")

    @property
    def done(self) -> bool:
        """True once zmq4 no longer references any of the tracked payloads."""
        return all(e.is_set() for e in self.events) and all(p.done for p in self.peers)

    def wait(self, timeout: float | int = -1) -> None:
        """Block until :attr:`done`, at most ``timeout`` seconds (negative: no limit);
        raises :class:`~zmq4.NotDone` if the time runs out first."""
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            raise TypeError(f"timeout must be a number of seconds, not "
                            f"{type(timeout).__name__}")
        deadline = None if timeout < 0 else time.monotonic() + timeout
        for evt in self.events:
            if deadline is None:
                evt.wait()
            elif not evt.wait(max(0.0, deadline - time.monotonic())):
                raise NotDone("the tracked message is still referenced by zmq4")
        for peer in self.peers:
            peer.wait(-1 if deadline is None else max(0.0, deadline - time.monotonic()))

    def __repr__(self) -> str:
        return f"<zmq4.MessageTracker {'done' if self.done else 'pending'}>"


#: A tracker that is already done (copied sends, received frames).
_FINISHED_TRACKER = MessageTracker()


def byte_view(data: Any, what: str) -> memoryview:
    """``data`` as a flat, C-contiguous byte view: ``TypeError`` naming ``what`` if it has
    no buffer, ``BufferError`` if its buffer is not C-contiguous (pyzmq's exception)."""
    try:
        view = memoryview(data)
    except TypeError:
        raise TypeError(f"{what} must support the buffer protocol (bytes, bytearray, "
                        f"memoryview...), not {type(data).__name__}") from None
    if not view.c_contiguous:
        raise BufferError(f"{what}: the buffer is not C-contiguous (pass a contiguous "
                          "copy, e.g. bytes(view) or numpy.ascontiguousarray)")
    if view.ndim != 1 or view.format != "B":
        view = view.cast("B")
    return view


class Frame(BufferExporter):
    """One message frame (pyzmq's backend ``Frame``), wrapping a core message.

    ``Frame(data=None, track=False, copy=None, copy_threshold=None)``: ``copy=None`` copies
    buffers smaller than ``copy_threshold`` (default :data:`COPY_THRESHOLD`) and references
    larger ones; ``track=True`` gives a zero-copy frame a :class:`MessageTracker`.
    """

    more: bool
    tracker: MessageTracker | None
    tracker_event: threading.Event | None

    __slots__ = ("_msg", "more", "tracker", "tracker_event", "_bytes", "_view", "__weakref__")

    def __init__(self, data: Any = None, track: bool = False, copy: bool | None = None,
                 copy_threshold: int | None = None) -> None:
        self.more = False
        self.tracker = _host(type(self)).finished_tracker if track else None
        self.tracker_event = None
        self._bytes: builtins.bytes | None = None
        self._view: weakref.ref[memoryview] | None = None
        if data is None:
            self._msg = Msg(b"")
            return
        if isinstance(data, str):
            raise TypeError("Frame data must be bytes-like, not str (encode it first)")
        if type(data) is bytes:
            nbytes = len(data)
            view: Any = data
        else:
            view = byte_view(data, "Frame data")
            nbytes = view.nbytes
        if copy is None:
            threshold = default_copy_threshold() if copy_threshold is None else copy_threshold
            copy = bool(threshold) and nbytes < threshold
        if copy:
            self._msg = Msg(view if type(view) is bytes else view.tobytes())
            return
        owner = None
        if track:
            evt = threading.Event()
            self.tracker_event = evt
            self.tracker = _host(type(self)).tracker(evt)
            owner = PayloadOwner(evt.set)
        self._msg = Msg(view, 0, owner)

    @classmethod
    def _from_msg(cls, msg: Msg, more: bool, track: bool = False) -> Frame:
        """A frame around a received core message (no copy)."""
        f = cls.__new__(cls)
        f._msg = msg
        f.more = more
        f.tracker = _host(cls).finished_tracker if track else None
        f.tracker_event = None
        f._bytes = None
        f._view = None
        return f

    def _outgoing(self) -> Msg:
        """A core message sharing this frame's payload and owner (what a send queues)."""
        m = self._msg
        return Msg(m.data, 0, m.owner)

    # ------------------------------------------------------------------ content
    @property
    def bytes(self) -> bytes:
        """The payload as ``bytes`` (copied once, then cached)."""
        b = self._bytes
        if b is None:
            d = self._msg.data
            b = d if type(d) is bytes else bytes(d)
            self._bytes = b
        return b

    @property
    def buffer(self) -> memoryview:
        """A writable ``memoryview`` of the payload (``memoryview(frame)``; see the module
        rules for when that copies an immutable payload once). The same view while it is
        alive, as pyzmq's."""
        ref = self._view
        view = ref() if ref is not None else None
        if view is None:
            view = memoryview(self)
            self._view = weakref.ref(view)
        return view

    def _export_target(self, flags: int) -> Any:
        """What the buffer protocol exports: the payload, made writable memory first."""
        m = self._msg
        d = m.data
        t = type(d)
        if t is bytearray or (t is memoryview and not d.readonly):
            return d
        w = bytearray(d)  # an immutable payload: a private writable copy, once
        m.data = w
        return w

    def __len__(self) -> int:
        return self._msg.size

    def __bytes__(self) -> builtins.bytes:
        return self.bytes

    # ------------------------------------------------------------------ properties
    def get(self, option: int | str | builtins.bytes) -> int:
        """A message property: ``zmq4.MORE`` (int). String properties (``"User-Id"``,
        ``"Socket-Type"``..., ``zmq_msg_gets``), ``"routing_id"`` and ``"group"`` need
        libzmq 4.1/4.2: :class:`~zmq4.ZMQVersionError` (pyzmq's answer on libzmq 4.0)."""
        if isinstance(option, (str, builtins.bytes)):
            name = option if isinstance(option, str) else option.decode("utf-8", "replace")
            if name in ("routing_id", "group"):
                raise _host(type(self)).exception(ZMQVersionError(
                    "4.2", f"Frame.get({name!r}) (draft RADIO/DISH and CLIENT/SERVER)"))
            raise _host(type(self)).exception(
                ZMQVersionError("4.1", f"message property {name!r} (zmq_msg_gets)"))
        if isinstance(option, bool) or not isinstance(option, int):
            raise TypeError(f"message option must be an int, not {type(option).__name__}")
        if option == C.MORE:
            return int(self.more)
        raise _host(type(self)).exception(ZMQError(C.EINVAL, f"unknown message option {option}"))

    def set(self, option: int | str, value: int) -> None:
        """Set a message property: only ``zmq4.MORE`` (the ``more`` attribute; a send's
        flags decide whether a frame is sent with MORE). ``"routing_id"``/``"group"``
        need draft libzmq 4.2: :class:`~zmq4.ZMQVersionError`."""
        if option in ("routing_id", "group"):
            raise _host(type(self)).exception(
                ZMQVersionError("4.2", f"Frame.set({option!r}) (draft sockets)"))
        if isinstance(option, bool) or not isinstance(option, int):
            raise TypeError(f"message option must be an int, not {type(option).__name__}")
        if option != C.MORE:
            raise _host(type(self)).exception(
                ZMQError(C.EINVAL, f"message option {option} cannot be set"))
        self.more = bool(value)

    # ------------------------------------------------------------------ copies
    def fast_copy(self) -> Frame:
        """A frame sharing this one's payload, tracker and ``more`` (no byte copy)."""
        f = type(self)._from_msg(self._msg.copy(), self.more)
        f.tracker = self.tracker
        f.tracker_event = self.tracker_event
        f._bytes = self._bytes
        return f

    __copy__ = fast_copy

    def __deepcopy__(self, memo: Any) -> Frame:
        return self.fast_copy()

    def __repr__(self) -> str:
        n = len(self)
        head = bytes(memoryview(self._msg.data)[:16]) if n > 16 else self.bytes
        suffix = f"...{n}B" if n > 16 else ""
        return f"<{type(self).__module__}.{type(self).__name__}({head!r}{suffix})>"


def _host(cls: type) -> Any:
    from .host import host_of  # host imports this module

    return host_of(cls)


#: pyzmq's older name for :class:`Frame`.
Message = Frame

__all__ = ["COPY_THRESHOLD", "Frame", "Message", "MessageTracker", "byte_view",
           "default_copy_threshold"]
