"""The backend socket (pyzmq's ``zmq.backend.Socket``): the lean face over a core socket
that :class:`zmq4.sugar.socket.Socket` (``zmq4.Socket``) builds on — and that pyzmq's own
Python layer builds on when run with ``PYZMQ_BACKEND=zmq4.backend``.

Owns: creating or shadowing a core socket (``Socket(context, socket_type, shadow=handle,
copy_threshold=...)``), ``underlying``/``closed``/``close``, typed ``set``/``get``
(numbers or names from the one option table), ``bind``/``connect``/``unbind``/
``disconnect``, ``send``/``recv`` with ``copy``/``track`` (zero-copy via
:class:`~zmq4.backend.frame.Frame`), ``recv_into``, ``monitor``, and the draft
``join``/``leave`` (absent in libzmq 4.0). Plus the helpers the layers above share:
:func:`option_spec`, :func:`check_option_value`, :func:`check_parts`.

Rules: every semantic (routing, HWM, timeouts, states, ETERM) is the core's; this module adds
argument checking only. Errors surface as ``ZMQError`` subclasses chosen by errno
(``Again``, ``ContextTerminated``); a closed socket raises ``ZMQError(ENOTSOCK)``. Wrong
argument types raise ``TypeError`` naming the argument or option; bad values ``ValueError``
or ``ZMQError(EINVAL)`` naming the option; a buffer that is not C-contiguous is a
``BufferError`` before anything is sent or received. Frames returned by ``recv(copy=False)``
are of the ``Frame`` class of the package whose ``Socket`` subclass this is (``zmq4.Frame``
for zmq4's sockets, ``zmq.Frame`` for pyzmq's layer on this backend). Like libzmq sockets, a
``Socket`` belongs to one thread at a time. A signal handler's exception
(``KeyboardInterrupt``) raised during a blocking call propagates.
Imports: the core, the leaves, the backend frame and context.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from .. import zmq_h as C
from .._face import endpoint as _endpoint
from .._face import handle_of, resolve
from ..constants import SocketOption
from ..core import options as _options
from ..core.fastpath import recv as _fast_recv
from ..core.fastpath import recv_nowait as _fast_recv_nowait
from ..core.fastpath import send as _fast_send
from ..core.fastpath import send_nowait as _fast_send_nowait
from ..core.socket_base import SocketBase
from ..errors import ZMQError, ZMQVersionError
from ..msg import Msg, PayloadOwner
from ..msg import frame as _new_msg
from . import frame as _frame
from ._socketface import SocketFace
from .frame import Frame, MessageTracker
from .host import host_of

if TYPE_CHECKING:
    pass

T = TypeVar("T")

#: what ``Socket._send_nowait``/``_recv_nowait`` return for "not now" (EAGAIN)
NOT_READY: Any = object()

_BYTE_KINDS = frozenset((_options.BYTES, _options.STR, _options.KEY, _options.BYTES_SOCKET))


class _ReadOnlyBufferError(BufferError, TypeError):
    """recv_into got a read-only buffer (a BufferError, as in pyzmq, and a TypeError)."""


# ---------------------------------------------------------------------------- options

def option_number(option: int | str) -> int:
    """An option number, or the number of an option name (``"LINGER"``, ``"linger"``,
    ``"ZMQ_LINGER"``, aliases such as ``"ROUTING_ID"``, later libzmq's names such as
    ``"HEARTBEAT_IVL"``); an unknown name is ``ZMQError(EINVAL)`` naming it."""
    if isinstance(option, bool):
        raise TypeError("option must be an int or an option name, not bool")
    if isinstance(option, int):
        return int(option)
    if isinstance(option, str):
        key = option.upper()
        if key.startswith("ZMQ_"):
            key = key[4:]
        member = SocketOption.__members__.get(key)
        if member is None:
            raise ZMQError(C.EINVAL, f"unknown socket option {option!r}")
        return int(member)
    raise TypeError(f"option must be an int or an option name, not {type(option).__name__}")


def option_spec(option: int | str) -> _options.OptionSpec | None:
    """The table row for an option number or name (see :func:`option_number`); None for an
    option libzmq 4.0 does not have (the core then reports EINVAL)."""
    return _options.OPTIONS.get(option_number(option))


def check_option_value(spec: _options.OptionSpec, value: Any) -> Any:
    """pyzmq's typing rules for a set: ints for integer options, bytes for the others
    (``None`` = C's NULL), ``str`` refused (use ``setsockopt_string``)."""
    if spec.kind in _BYTE_KINDS:
        if type(value) is bytes or value is None:
            return value
        if isinstance(value, str):
            raise TypeError(f"{spec.c_name}: str not allowed, use setsockopt_string() or "
                            f"encode it to bytes (got {value!r})")
        if isinstance(value, (bytes, bytearray, memoryview)):
            return bytes(value)
        raise TypeError(f"{spec.c_name}: expected bytes, got {type(value).__name__}")
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        raise TypeError(f"{spec.c_name}: expected int, got str {value!r}")
    raise TypeError(f"{spec.c_name}: expected int, got {type(value).__name__}")


# ---------------------------------------------------------------------------- helpers

def core_socket_of(obj: Any) -> SocketBase:
    """The core socket behind a handle, a zmq4 ``Socket``, or a core socket."""
    if isinstance(obj, Socket):
        return obj._core
    if isinstance(obj, SocketBase):
        return obj
    if isinstance(obj, int) and not isinstance(obj, bool):
        return resolve(obj, SocketBase, C.ENOTSOCK)
    under = getattr(obj, "underlying", None)
    if isinstance(under, int):
        return resolve(under, SocketBase, C.ENOTSOCK)
    raise TypeError(f"cannot shadow {type(obj).__name__}: expected a zmq4 Socket or an "
                    "integer handle (Socket.underlying)")


def _buffer_of(data: Any, index: int | None = None) -> memoryview:
    """``data`` as a flat, C-contiguous byte view: ``TypeError`` without a buffer,
    ``BufferError`` for a strided one (pyzmq's), so a send fails before queueing."""
    what = "data" if index is None else f"frame {index}"
    try:
        view = memoryview(data)
    except TypeError:
        text = repr(data)
        if len(text) > 32:
            text = text[:32] + "..."
        raise TypeError(f"{what} ({text}) does not support the buffer interface") from None
    if not view.c_contiguous:
        raise BufferError(f"{what}: the buffer is not C-contiguous (send a contiguous "
                          "copy, e.g. bytes(view))")
    if view.ndim != 1 or view.format != "B":
        view = view.cast("B")
    return view


def check_parts(msg_parts: Any) -> Sequence[Any]:
    """The frames of a multipart send as a sequence, each checked to be sendable."""
    parts: Sequence[Any]
    if isinstance(msg_parts, (list, tuple)):
        parts = msg_parts
    else:
        if isinstance(msg_parts, (str, bytes, bytearray, memoryview, Frame)):
            raise TypeError("msg_parts must be a sequence of frames, not a single "
                            f"{type(msg_parts).__name__}")
        parts = list(msg_parts)
    if not parts:
        raise ValueError("msg_parts is empty: a message has at least one frame")
    for i, part in enumerate(parts):
        if type(part) is bytes or isinstance(part, Frame):
            continue
        if isinstance(part, str):
            raise TypeError(f"frame {i} ({part[:32]!r}) is str: encode it, or use "
                            "send_string for single frames")
        _buffer_of(part, i)
    return parts


def _check_unknown_value(option: int, value: Any) -> None:
    """An option number zmq4's table does not have (a later libzmq's option, or no option
    at all): the core answers EINVAL, but first the value's type is checked as pyzmq does —
    by the option's ``SocketOption._opt_type`` when it has a member, else as an int option —
    so a value of the wrong type is ``TypeError``, as in pyzmq."""
    member = SocketOption._value2member_map_.get(option)
    wants_bytes = member is not None and member._opt_type.name == "bytes"  # type: ignore[attr-defined]
    if wants_bytes and not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(f"socket option {option}: expected bytes, got {value!r}")
    if not wants_bytes and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(f"socket option {option}: expected int, got {value!r}")



# ---------------------------------------------------------------------------- Socket

class Socket(SocketFace):
    """A ZeroMQ socket, backend level (pyzmq's ``zmq.backend.Socket``).

    ``Socket(context, socket_type)`` creates one in ``context`` (a zmq4 backend
    :class:`~zmq4.backend.context.Context`, or anything built on it);
    ``Socket(shadow=handle)`` wraps an existing socket without owning it (closing the
    shadow still closes the socket). ``copy_threshold``: see :meth:`send`.
    """

    # _core (the core socket) is SocketFace's, with the compiled send and recv
    __slots__ = ("context", "_shadow", "_closed", "_pid", "copy_threshold", "__weakref__")

    _core: SocketBase
    context: Any
    copy_threshold: int
    _closed: bool
    _shadow: bool
    _pid: int

    def __init__(self, context: Any = None, socket_type: int | None = None,
                 shadow: Any = 0, copy_threshold: int | None = None) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "_closed", False)
        setattr_(self, "_pid", os.getpid())
        if copy_threshold is None:
            copy_threshold = _frame.default_copy_threshold()
        elif isinstance(copy_threshold, bool) or not isinstance(copy_threshold, int):
            raise TypeError(f"copy_threshold must be an int, not "
                            f"{type(copy_threshold).__name__}")
        setattr_(self, "copy_threshold", copy_threshold)
        if not (shadow is None or (isinstance(shadow, int) and shadow == 0)):
            core = core_socket_of(shadow)
            setattr_(self, "_shadow", True)
        else:
            if socket_type is None:
                raise TypeError("socket_type must be specified")
            if isinstance(socket_type, bool) or not isinstance(socket_type, int):
                raise TypeError(f"socket_type must be an int (zmq4.SocketType), not "
                                f"{type(socket_type).__name__}")
            new_core = getattr(context, "_new_core_socket", None)
            if new_core is None:
                raise TypeError("context must be a zmq4 Context, not "
                                f"{type(context).__name__}")
            core = new_core(int(socket_type))
            setattr_(self, "_shadow", False)
        setattr_(self, "_core", core)
        setattr_(self, "context", context)

    @property
    def underlying(self) -> int:
        """An integer handle for this socket (pyzmq: the libzmq socket's address);
        ``shadow=`` turns it back into a socket object."""
        return handle_of(self._core)

    @property
    def closed(self) -> bool:
        """Whether the socket is closed (by this object or through another handle)."""
        return self._closed or self._core.closed

    def close(self, linger: int | None = None) -> None:
        """Close the socket; ``linger`` (ms) sets ZMQ_LINGER first. Closing twice is a no-op.

        Messages already queued are still delivered in the background for up to LINGER ms
        (default: forever, bounded by ``Context.term``)."""
        if self._closed:
            return
        core = self._core
        if core.closed or self._pid != os.getpid():
            object.__setattr__(self, "_closed", True)
            return
        if linger is not None:
            if isinstance(linger, bool) or not isinstance(linger, int):
                raise TypeError(f"linger must be an int (ms), not {type(linger).__name__}")
            core.options.set(C.LINGER, linger)
        object.__setattr__(self, "_closed", True)
        try:
            core.close()
        except ZMQError as e:
            if e.errno != C.ENOTSOCK:  # closed meanwhile through another handle
                raise host_of(type(self)).exception(e) from None

    # ------------------------------------------------------------------ options
    def set(self, option: int | str, optval: Any) -> None:
        """Set a socket option (number or name): int for integer options, bytes for binary
        and string options (``None`` is C's NULL). str values: ``set_string``."""
        try:
            num = option_number(option)
            spec = _options.OPTIONS.get(num)
            if spec is not None:
                optval = check_option_value(spec, optval)
            else:
                _check_unknown_value(num, optval)
            self._core.setsockopt(num, optval)
        except ZMQError as e:
            raise host_of(type(self)).exception(e) from None

    def get(self, option: int | str) -> Any:
        """A socket option's value (number or name): int, or bytes for binary/string
        options (strings without their C NUL; CURVE keys as 40-byte Z85)."""
        try:
            return self._core.getsockopt(option_number(option))
        except ZMQError as e:
            raise host_of(type(self)).exception(e) from None

    def join(self, group: str | bytes) -> None:
        """Join a RADIO/DISH group: draft sockets of libzmq 4.2, which zmq4 (libzmq 4.0)
        does not have: :class:`~zmq4.ZMQVersionError`, as pyzmq on libzmq 4.0."""
        raise host_of(type(self)).exception(
            ZMQVersionError("4.2", f"join({group!r}) (RADIO/DISH)"))

    def leave(self, group: str | bytes) -> None:
        """Leave a RADIO/DISH group: :class:`~zmq4.ZMQVersionError`, as :meth:`join`."""
        raise host_of(type(self)).exception(
            ZMQVersionError("4.2", f"leave({group!r}) (RADIO/DISH)"))

    # ------------------------------------------------------------------ endpoints
    def bind(self, addr: str | bytes) -> None:
        """Bind to ``addr`` (``tcp://127.0.0.1:*`` picks a free port; see LAST_ENDPOINT)."""
        try:
            self._core.bind(_endpoint(addr))
        except ZMQError as e:
            raise host_of(type(self)).exception(e) from None

    def connect(self, addr: str | bytes) -> None:
        """Connect to ``addr``."""
        try:
            self._core.connect(_endpoint(addr))
        except ZMQError as e:
            raise host_of(type(self)).exception(e) from None

    def unbind(self, addr: str | bytes) -> None:
        """Stop listening on ``addr`` (ENOENT if it is not bound here)."""
        try:
            self._core.unbind(_endpoint(addr))
        except ZMQError as e:
            raise host_of(type(self)).exception(e) from None

    def disconnect(self, addr: str | bytes) -> None:
        """Drop the connection made by ``connect(addr)`` (ENOENT if there is none)."""
        try:
            self._core.disconnect(_endpoint(addr))
        except ZMQError as e:
            raise host_of(type(self)).exception(e) from None

    # ------------------------------------------------------------------ send
    # send(data, flags, copy, track, routing_id, group): SocketFace's (compiled), which
    # hands every case but a plain bytes payload to _send_other
    def _send_nowait(self, data: Any, flags: int, copy: bool, track: bool,
                     routing_id: int | None, group: str | None) -> Any:
        """``send(data, flags | DONTWAIT, ...)`` for an event loop: ``NOT_READY`` when
        there is no room, where ``send`` would raise Again (only the plain one-frame
        bytes case avoids the exception; the rest may still raise it)."""
        if copy and type(data) is bytes and routing_id is None and group is None:
            try:
                if _fast_send_nowait(self._core, _new_msg(data, 0), flags):
                    return None
                return NOT_READY
            except ZMQError as e:
                raise host_of(type(self)).exception(e) from None
            except TypeError:
                self._check_flags(flags)
                raise
        return Socket.send(self, data, flags | C.DONTWAIT, copy, track, routing_id, group)

    @staticmethod
    def _check_flags(flags: Any) -> None:
        if isinstance(flags, bool) or not isinstance(flags, int):
            raise TypeError(f"flags must be an int (zmq4.Flag), not {type(flags).__name__}")

    def _send_other(self, data: Any, flags: int, copy: bool, track: bool,
                    routing_id: int | None, group: str | None) -> MessageTracker | None:
        if routing_id is not None or group is not None:
            raise host_of(type(self)).exception(
                ZMQVersionError("4.2", "send(routing_id=..., group=...) (draft sockets)"))
        self._check_flags(flags)
        tracker: MessageTracker | None = None
        if isinstance(data, Frame):
            if track and data.tracker is None:
                raise ValueError("not a tracked message (create the Frame with track=True)")
            msg = data._outgoing()
            tracker = data.tracker
        elif isinstance(data, str):
            raise TypeError("str not allowed, use send_string() (or encode to bytes)")
        elif copy:
            msg = Msg(data if type(data) is bytes else _buffer_of(data).tobytes())
        else:
            view: Any = data if type(data) is bytes else _buffer_of(data)
            nbytes = len(view) if type(view) is bytes else view.nbytes
            threshold = self.copy_threshold
            if threshold and nbytes < threshold:
                msg = Msg(view if type(view) is bytes else view.tobytes())
                tracker = host_of(type(self)).finished_tracker
            elif track:
                evt = threading.Event()
                tracker = host_of(type(self)).tracker(evt)
                msg = Msg(view, 0, PayloadOwner(evt.set))
            else:
                msg = Msg(view)
        try:
            _fast_send(self._core, msg, flags)
        except ZMQError as e:
            raise host_of(type(self)).exception(e) from None
        return tracker

    # ------------------------------------------------------------------ recv
    # recv(flags, copy, track): SocketFace's (compiled)
    def _recv_nowait(self, copy: bool, track: bool) -> Any:
        """``recv(DONTWAIT, copy, track)`` for an event loop: ``NOT_READY`` where ``recv``
        would raise Again."""
        core = self._core
        try:
            m = _fast_recv_nowait(core)
        except ZMQError as e:
            raise host_of(type(self)).exception(e) from None
        if m is None:
            return NOT_READY
        if copy:
            d = m.data
            return d if type(d) is bytes else bytes(d)
        return host_of(type(self)).frame_class._from_msg(m, core.rcvmore, track)

    def recv_into(self, buffer: Any, /, *, nbytes: int = 0, flags: int = 0) -> int:
        """Receive the next frame into the writable ``buffer`` (at most ``nbytes`` bytes,
        0 = the buffer's size); returns the frame's full size (larger means truncated)."""
        try:
            view = memoryview(buffer)
        except TypeError:
            raise TypeError(f"buffer must support the buffer protocol, not "
                            f"{type(buffer).__name__}") from None
        if view.readonly:
            raise _ReadOnlyBufferError("recv_into: buffer is read-only")
        if not view.c_contiguous:
            raise BufferError("recv_into: the buffer is not C-contiguous")
        if view.ndim != 1 or view.format != "B":
            view = view.cast("B")
        if isinstance(nbytes, bool) or not isinstance(nbytes, int):
            raise TypeError(f"nbytes must be an int, not {type(nbytes).__name__}")
        if nbytes < 0:
            raise ValueError(f"nbytes={nbytes} must be non-negative")
        if nbytes > view.nbytes:
            raise ValueError(f"nbytes={nbytes} too big for a buffer of {view.nbytes} bytes")
        limit = nbytes or view.nbytes
        self._check_flags(flags)
        try:
            m = _fast_recv(self._core, flags)
        except ZMQError as e:
            raise host_of(type(self)).exception(e) from None
        size = m.size
        n = size if size < limit else limit
        if n:
            view[:n] = memoryview(m.data).cast("B")[:n]
        return size

    def monitor(self, addr: str | bytes | None, events: int = C.EVENT_ALL) -> None:
        """Publish this socket's ``events`` on a PAIR bound to the inproc ``addr``;
        ``addr=None`` stops monitoring."""
        if isinstance(events, bool) or not isinstance(events, int):
            raise TypeError(f"events must be an int (zmq4.Event), not {type(events).__name__}")
        a = None if addr is None else _endpoint(addr)
        try:
            self._core.monitor(a, events)
        except ZMQError as e:
            raise host_of(type(self)).exception(e) from None


__all__ = ["NOT_READY", "Socket", "check_option_value", "check_parts", "core_socket_of",
           "option_number", "option_spec"]
