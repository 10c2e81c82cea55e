"""The pyzmq-shaped socket (``zmq4.Socket``): a thin face over a core socket.

Owns: translating pyzmq's calling conventions onto :class:`zmq4.core.socket_base.SocketBase` —
``bind``/``connect`` returning context managers, options as attributes (``sock.linger = 0``,
``sock.identity``; names from the one option table), typed ``set``/``get`` and their string
forms, ``send``/``recv`` with ``copy``/``track`` (zero-copy via :class:`~zmq4.frame.Frame`),
the multipart/string/JSON/pickle/custom-serialisation helpers, ``recv_into``,
``subscribe``, ``poll``, the socket monitor helpers, ``shadow``/``underlying``, and closing
(idempotent, optional linger, a ``ResourceWarning`` when a socket is garbage-collected open).

Rules: every semantic (routing, HWM, timeouts, states, ETERM) is the core's; this module adds
argument checking and conveniences only. Errors surface as ``ZMQError`` subclasses chosen by
errno (``Again``, ``ContextTerminated``); a closed socket raises ``ZMQError(ENOTSOCK)`` (also
for ``poll``, where pyzmq says ENOTSUP). Wrong argument types raise ``TypeError`` naming the
argument or option; bad values ``ValueError`` or ``ZMQError(EINVAL)`` naming the option.
Like libzmq sockets, a ``Socket`` belongs to one thread at a time. A signal handler's
exception (``KeyboardInterrupt``) raised during a blocking call propagates.
Imports: the core, the leaves, and the sibling face modules frame/poller/enums/_face
(``zmq4.context`` only lazily).
"""

from __future__ import annotations

import json
import os
import pickle
import random
import warnings
from collections.abc import Callable, Sequence
from typing import (
    TYPE_CHECKING,
    Any,
    Literal,
    TypeVar,
    overload,
)

from . import constants as C
from . import frame as _frame
from ._face import endpoint as _endpoint
from ._face import handle_of, resolve, translate
from ._face import timeout_ms as _timeout_ms
from .core import options as _options
from .core import poll as _poll
from .core.fastpath import recv as _fast_recv
from .core.fastpath import recv_bytes as _fast_recv_bytes
from .core.fastpath import recv_nowait as _fast_recv_nowait
from .core.fastpath import send as _fast_send
from .core.fastpath import send_bytes as _fast_send_bytes
from .core.fastpath import send_nowait as _fast_send_nowait
from .core.socket_base import SocketBase
from .enums import SocketOption, SocketType
from .errors import ZMQBindError, ZMQError
from .frame import _FINISHED_TRACKER, Frame, MessageTracker
from .msg import Msg
from .msg import frame as _new_msg

if TYPE_CHECKING:
    from .context import Context

T = TypeVar("T")
_S = TypeVar("_S", bound="Socket")

#: what ``Socket._send_nowait``/``_recv_nowait`` return for "not now" (EAGAIN)
NOT_READY: Any = object()

_BYTE_KINDS = frozenset((_options.BYTES, _options.STR, _options.KEY, _options.BYTES_SOCKET))
_DEFAULT_PICKLE = pickle.DEFAULT_PROTOCOL


class _ReadOnlyBufferError(BufferError, TypeError):
    """recv_into got a read-only buffer (a BufferError, as in pyzmq, and a TypeError)."""


# ---------------------------------------------------------------------------- options

def option_spec(option: int | str) -> _options.OptionSpec | None:
    """The table row for an option number or name (``"LINGER"``, ``"linger"``,
    ``"ZMQ_LINGER"``, aliases such as ``"ROUTING_ID"``). None for an unknown *number* (the
    core then reports EINVAL); an unknown name is ``ZMQError(EINVAL)`` naming it."""
    if isinstance(option, bool):
        raise TypeError("option must be an int or an option name, not bool")
    if isinstance(option, int):
        return _options.OPTIONS.get(option)
    if isinstance(option, str):
        key = option.upper()
        if key.startswith("ZMQ_"):
            key = key[4:]
        member = SocketOption.__members__.get(key)
        if member is None:
            raise ZMQError(C.EINVAL, f"unknown socket option {option!r}")
        return _options.OPTIONS[int(member)]
    raise TypeError(f"option must be an int or an option name, not {type(option).__name__}")


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


_PLAIN: dict[type, frozenset[str]] = {}


def _plain_attributes(cls: type) -> frozenset[str]:
    """Names that are ordinary attributes of ``cls`` (not socket options), cached."""
    names = _PLAIN.get(cls)
    if names is None:
        found: set[str] = set()
        for klass in cls.__mro__:
            found.update(klass.__dict__)
            found.update(klass.__dict__.get("__annotations__", {}))
        names = _PLAIN[cls] = frozenset(found)
    return names


def _option_for_attribute(owner: str, key: str) -> _options.OptionSpec:
    member = SocketOption.__members__.get(key.upper())
    if member is None:
        raise AttributeError(f"{owner} has no such option: {key.upper()}")
    return _options.OPTIONS[int(member)]


# ---------------------------------------------------------------------------- helpers

class _SocketContext:
    """What ``bind``/``connect`` return: a context manager that undoes them on exit."""

    __slots__ = ("socket", "kind", "addr")

    def __init__(self, socket: Socket, kind: str, addr: str) -> None:
        self.socket = socket
        self.kind = kind
        self.addr = addr

    def __enter__(self) -> Socket:
        return self.socket

    def __exit__(self, *exc: Any) -> None:
        if self.socket.closed:
            return
        if self.kind == "bind":
            self.socket.unbind(self.addr)
        else:
            self.socket.disconnect(self.addr)

    def __repr__(self) -> str:
        return f"<zmq4 SocketContext({self.kind}={self.addr!r})>"


def _core_socket_of(obj: Any) -> SocketBase:
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


def _buffer_of(data: Any, index: int | None = None, contiguous: bool = False) -> memoryview:
    """``data`` as a flat byte view; ``contiguous`` (zero-copy sends) refuses strided
    buffers, which a copying send flattens instead."""
    try:
        view = memoryview(data)
    except TypeError:
        what = "data" if index is None else f"frame {index}"
        text = repr(data)
        if len(text) > 32:
            text = text[:32] + "..."
        raise TypeError(f"{what} ({text}) does not support the buffer interface") from None
    if not view.c_contiguous:
        if contiguous:
            raise ValueError("a zero-copy send needs a C-contiguous buffer "
                             "(send with copy=True, or pass a contiguous copy)")
        return memoryview(view.tobytes())
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


# ---------------------------------------------------------------------------- Socket

class Socket:
    """A ZeroMQ socket with pyzmq's API (``zmq.Socket``).

    Usually made by :meth:`zmq4.Context.socket`. ``Socket(ctx, socket_type)`` creates one;
    ``Socket(other)``, ``Socket(shadow=handle)`` or :meth:`shadow` wrap an existing socket
    without owning it (closing the shadow still closes the socket).
    """

    __slots__ = ("_core", "context", "_shadow", "_closed", "_pid", "copy_threshold",
                 "_monitor_socket", "__weakref__")

    _core: SocketBase
    context: Context
    copy_threshold: int
    _monitor_socket: Socket | None

    def __init__(self, ctx_or_socket: Any = None, socket_type: int | None = None, *,
                 shadow: Any = 0, copy_threshold: int | None = None) -> None:
        from .context import Context

        if isinstance(ctx_or_socket, Socket):
            shadow, ctx_or_socket = ctx_or_socket, None
        setattr_ = object.__setattr__
        setattr_(self, "_closed", False)
        setattr_(self, "_monitor_socket", None)
        setattr_(self, "_pid", os.getpid())
        if copy_threshold is None:
            copy_threshold = _frame.default_copy_threshold()
        elif isinstance(copy_threshold, bool) or not isinstance(copy_threshold, int):
            raise TypeError(f"copy_threshold must be an int, not "
                            f"{type(copy_threshold).__name__}")
        setattr_(self, "copy_threshold", copy_threshold)
        if not (shadow is None or (isinstance(shadow, int) and shadow == 0)):
            core = _core_socket_of(shadow)
            ctx = shadow.context if isinstance(shadow, Socket) else Context.shadow(core.ctx)
            setattr_(self, "_shadow", True)
        else:
            if not isinstance(ctx_or_socket, Context):
                raise TypeError("context must be a zmq4.Context, not "
                                f"{type(ctx_or_socket).__name__}")
            if socket_type is None:
                raise TypeError("socket_type must be specified")
            if isinstance(socket_type, bool) or not isinstance(socket_type, int):
                raise TypeError(f"socket_type must be an int (zmq4.SocketType), not "
                                f"{type(socket_type).__name__}")
            ctx = ctx_or_socket
            core = ctx._new_core_socket(int(socket_type))
            setattr_(self, "_shadow", False)
        setattr_(self, "_core", core)
        setattr_(self, "context", ctx)

    # ------------------------------------------------------------------ lifetime
    def __del__(self) -> None:
        try:
            if self._shadow or self._closed or self._core.closed:
                return
            if self._pid != os.getpid():
                return
            warnings.warn(f"unclosed socket {self!r}", ResourceWarning, stacklevel=2,
                          source=self)
            self.close()
        except Exception:  # noqa: S110 - finalizer: never raise, even at interpreter exit
            pass

    def __repr__(self) -> str:
        try:
            name = SocketType(self._core.TYPE).name
        except (AttributeError, ValueError):
            name = "?"
        closed = " closed" if self.closed else ""
        return f"<zmq4.Socket(zmq4.{name}) at {id(self):#x}{closed}>"

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __copy__(self: _S, memo: Any = None) -> _S:
        return type(self).shadow(self)

    __deepcopy__ = __copy__

    @classmethod
    def shadow(cls: type[_S], address: Any) -> _S:
        """A socket object for an existing socket: an integer handle
        (:attr:`underlying`), a zmq4 ``Socket``, or a core socket."""
        return cls(shadow=address)

    @property
    def underlying(self) -> int:
        """An integer handle for this socket; :meth:`shadow` turns it back into a socket."""
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
        ctx = self.context
        if ctx is not None:
            ctx._rm_socket(self)
        if core.closed or self._pid != os.getpid():
            object.__setattr__(self, "_closed", True)
            return
        if linger is not None:
            if isinstance(linger, bool) or not isinstance(linger, int):
                raise TypeError(f"linger must be an int (ms), not {type(linger).__name__}")
            core.options.set(C.LINGER, linger)
        object.__setattr__(self, "_closed", True)
        object.__setattr__(self, "_monitor_socket", None)
        try:
            core.close()
        except ZMQError as e:
            if e.errno != C.ENOTSOCK:  # closed meanwhile through another handle
                raise translate(e) from None

    # ------------------------------------------------------------------ options
    def set(self, option: int | str, optval: Any) -> None:
        """Set a socket option (number or name): int for integer options, bytes for binary
        and string options (``None`` is C's NULL). str values: use :meth:`set_string`."""
        spec = option_spec(option)
        if spec is not None:
            optval = check_option_value(spec, optval)
            option = spec.id
        assert isinstance(option, int)  # option_spec resolved names, or raised
        try:
            self._core.setsockopt(option, optval)
        except ZMQError as e:
            raise translate(e) from None

    def get(self, option: int | str) -> Any:
        """A socket option's value (number or name): int, or bytes for binary/string
        options (strings without their C NUL; CURVE keys as 40-byte Z85)."""
        spec = option_spec(option)
        if spec is not None:
            option = spec.id
        assert isinstance(option, int)  # option_spec resolved names, or raised
        try:
            return self._core.getsockopt(option)
        except ZMQError as e:
            raise translate(e) from None

    setsockopt = set
    getsockopt = get

    def set_string(self, option: int | str, optval: str,
                   encoding: str = "utf-8") -> None:
        """Set a binary/string option from a ``str`` (encoded with ``encoding``)."""
        if not isinstance(optval, str):
            raise TypeError(f"optval must be str, not {type(optval).__name__}: {optval!r}")
        self.set(option, optval.encode(encoding))

    def get_string(self, option: int | str, encoding: str = "utf-8") -> str:
        """A binary/string option decoded with ``encoding``."""
        spec = option_spec(option)
        if spec is None or spec.kind not in _BYTE_KINDS:
            raise TypeError(f"option {option!r} is not a string option")
        value = self.get(spec.id)
        return bytes(value).decode(encoding)

    setsockopt_string = setsockopt_unicode = set_string
    getsockopt_string = getsockopt_unicode = get_string

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__") or key in _plain_attributes(type(self)):
            raise AttributeError(key)
        spec = _option_for_attribute(type(self).__name__, key)
        if not spec.readable:
            raise AttributeError(f"{key} attribute is write-only ({spec.c_name})")
        return self.get(spec.id)

    def __setattr__(self, key: str, value: Any) -> None:
        lower = key.lower()
        if lower in ("subscribe", "unsubscribe"):
            if isinstance(value, str):
                value = value.encode("utf-8")
            self.set(C.SUBSCRIBE if lower == "subscribe" else C.UNSUBSCRIBE, value)
            return
        if key in _plain_attributes(type(self)) or key in getattr(self, "__dict__", ()):
            object.__setattr__(self, key, value)
            return
        spec = _option_for_attribute(type(self).__name__, key)
        self.set(spec.id, value)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | {n.lower() for n in SocketOption.__members__})

    @property
    def type(self) -> SocketType:
        """The socket type (``zmq4.SocketType``)."""
        return SocketType(self._core.TYPE)

    @property
    def socket_type(self) -> SocketType:
        """The socket type (pyzmq's name for :attr:`type`)."""
        return self.type

    def join(self, group: str | bytes) -> None:
        """Join a RADIO/DISH group: draft sockets (libzmq 4.2+), which zmq4 (libzmq 4.0)
        does not have. Raises RuntimeError, as pyzmq does without draft support."""
        raise RuntimeError(f"join({group!r}): RADIO/DISH groups need draft sockets "
                           "(libzmq 4.2+); zmq4 implements libzmq 4.0")

    def leave(self, group: str | bytes) -> None:
        """Leave a RADIO/DISH group: RuntimeError, as :meth:`join`."""
        raise RuntimeError(f"leave({group!r}): RADIO/DISH groups need draft sockets "
                           "(libzmq 4.2+); zmq4 implements libzmq 4.0")

    def get_hwm(self) -> int:
        """ZMQ_SNDHWM (libzmq 3+ has separate send and receive high-water marks)."""
        return int(self.get(C.SNDHWM))

    def set_hwm(self, value: int) -> None:
        """Set both ZMQ_SNDHWM and ZMQ_RCVHWM (for later bind/connect calls)."""
        self.set(C.SNDHWM, value)
        self.set(C.RCVHWM, value)

    hwm = property(get_hwm, set_hwm, doc="SNDHWM on read; sets SNDHWM and RCVHWM.")

    def fileno(self) -> int:
        """ZMQ_FD: readable when the socket *may* have become ready; edge-triggered, so
        after it fires read ZMQ_EVENTS (``sock.events``) and drain before waiting again."""
        return int(self.get(C.FD))

    def subscribe(self, topic: str | bytes) -> None:
        """ZMQ_SUBSCRIBE (SUB sockets); str topics are UTF-8 encoded."""
        if isinstance(topic, str):
            topic = topic.encode("utf-8")
        self.set(C.SUBSCRIBE, topic)

    def unsubscribe(self, topic: str | bytes) -> None:
        """ZMQ_UNSUBSCRIBE (SUB sockets); str topics are UTF-8 encoded."""
        if isinstance(topic, str):
            topic = topic.encode("utf-8")
        self.set(C.UNSUBSCRIBE, topic)

    # ------------------------------------------------------------------ endpoints
    def bind(self, addr: str | bytes) -> _SocketContext:
        """Bind to ``addr``; the result, used as a context manager, unbinds on exit."""
        addr = _endpoint(addr)
        try:
            self._core.bind(addr)
        except ZMQError as e:
            raise translate(e) from None
        if not addr.startswith("inproc://"):
            last = self._core.options.last_endpoint
            if last:
                addr = last
        return _SocketContext(self, "bind", addr)

    def connect(self, addr: str | bytes) -> _SocketContext:
        """Connect to ``addr``; the result, used as a context manager, disconnects on exit."""
        addr = _endpoint(addr)
        try:
            self._core.connect(addr)
        except ZMQError as e:
            raise translate(e) from None
        return _SocketContext(self, "connect", addr)

    def unbind(self, addr: str | bytes) -> None:
        """Stop listening on ``addr`` (ENOENT if it is not bound here)."""
        addr = _endpoint(addr)
        try:
            self._core.unbind(addr)
        except ZMQError as e:
            raise translate(e) from None

    def disconnect(self, addr: str | bytes) -> None:
        """Drop the connection made by ``connect(addr)`` (ENOENT if there is none)."""
        addr = _endpoint(addr)
        try:
            self._core.disconnect(addr)
        except ZMQError as e:
            raise translate(e) from None

    def bind_to_random_port(self, addr: str, min_port: int = 49152, max_port: int = 65536,
                            max_tries: int = 100) -> int:
        """Bind to a free port of ``addr`` (``"tcp://127.0.0.1"``, no port) and return it.

        With the default range the system picks the port; otherwise up to ``max_tries``
        random ports in ``[min_port, max_port)`` are tried, then ``ZMQBindError``."""
        addr = _endpoint(addr)
        for name, value in (("min_port", min_port), ("max_port", max_port),
                            ("max_tries", max_tries)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int, not {type(value).__name__}")
        if min_port == 49152 and max_port == 65536:
            self.bind(f"{addr}:*")
            last = self.get(C.LAST_ENDPOINT).decode("utf-8", "replace")
            return int(last.rsplit(":", 1)[1])
        if min_port >= max_port:
            raise ValueError(f"empty port range [{min_port}, {max_port})")
        for _ in range(max_tries):
            port = random.randrange(min_port, max_port)
            try:
                self.bind(f"{addr}:{port}")
            except ZMQError as e:
                if e.errno in (C.EADDRINUSE, C.EACCES):
                    continue
                raise
            return port
        raise ZMQBindError(f"could not bind {addr} to a random port in "
                           f"[{min_port}, {max_port}) after {max_tries} tries")

    # ------------------------------------------------------------------ send
    def send(self, data: Any, flags: int = 0, copy: bool = True, track: bool = False,
             routing_id: int | None = None,
             group: str | None = None) -> MessageTracker | None:
        """Queue one frame (``flags``: ``DONTWAIT``, ``SNDMORE``).

        ``data`` is bytes-like or a :class:`Frame`. ``copy=False`` references buffers of at
        least ``copy_threshold`` bytes instead of copying them (returns the frame's
        :class:`MessageTracker` when ``track=True``, else None; smaller buffers are copied
        and a finished tracker returned). Frames are always sent without copying."""
        if copy and type(data) is bytes and routing_id is None and group is None:
            try:
                _fast_send_bytes(self._core, data, flags)
            except ZMQError as e:
                raise translate(e) from None
            except TypeError:
                self._check_flags(flags)
                raise
            return None
        return self._send_other(data, flags, copy, track, routing_id, group)

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
                raise translate(e) from None
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
            raise RuntimeError("routing_id/group need draft sockets (libzmq 4.2+); zmq4 "
                               "implements libzmq 4.0")
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
            view: Any = data if type(data) is bytes else _buffer_of(data, contiguous=True)
            nbytes = len(view) if type(view) is bytes else view.nbytes
            threshold = self.copy_threshold
            if threshold and nbytes < threshold:
                msg = Msg(view if type(view) is bytes else view.tobytes())
                tracker = _FINISHED_TRACKER
            elif track:
                f = Frame(view, track=True, copy=False)
                msg = f._msg
                tracker = f.tracker
                del f
            else:
                msg = Msg(view)
        try:
            _fast_send(self._core, msg, flags)
        except ZMQError as e:
            raise translate(e) from None
        return tracker

    def send_multipart(self, msg_parts: Sequence[Any], flags: int = 0, copy: bool = True,
                       track: bool = False, **kwargs: Any) -> MessageTracker | None:
        """Send ``msg_parts`` as one multipart message (SNDMORE added to all but the last).

        Returns the last frame's tracker (see :meth:`send`)."""
        msg_parts = check_parts(msg_parts)
        self._check_flags(flags)
        more = flags | C.SNDMORE
        last = len(msg_parts) - 1
        send = self.send
        for i in range(last):
            send(msg_parts[i], more, copy=copy, track=track, **kwargs)
        return send(msg_parts[last], flags, copy=copy, track=track, **kwargs)

    def send_string(self, u: str, flags: int = 0, copy: bool = True,
                    encoding: str = "utf-8", **kwargs: Any) -> MessageTracker | None:
        """Send a ``str`` encoded with ``encoding``."""
        if not isinstance(u, str):
            raise TypeError(f"send_string needs str, not {type(u).__name__}")
        return self.send(u.encode(encoding), flags, copy=copy, **kwargs)

    send_unicode = send_string

    def send_pyobj(self, obj: Any, flags: int = 0, protocol: int = _DEFAULT_PICKLE,
                   **kwargs: Any) -> MessageTracker | None:
        """Send ``obj`` pickled (never unpickle messages from untrusted peers)."""
        return self.send(pickle.dumps(obj, protocol), flags, **kwargs)

    def send_json(self, obj: Any, flags: int = 0, **kwargs: Any) -> MessageTracker | None:
        """Send ``obj`` as JSON (UTF-8); keyword arguments go to ``json.dumps``."""
        send_kwargs = {k: kwargs.pop(k) for k in ("routing_id", "group", "copy", "track")
                       if k in kwargs}
        return self.send(json.dumps(obj, **kwargs).encode("utf-8"), flags, **send_kwargs)

    def send_serialized(self, msg: T, serialize: Callable[[T], Sequence[Any]], flags: int = 0,
                        copy: bool = True, **kwargs: Any) -> MessageTracker | None:
        """Send ``serialize(msg)`` (a sequence of frames) as one multipart message."""
        return self.send_multipart(serialize(msg), flags, copy=copy, **kwargs)

    # ------------------------------------------------------------------ recv
    @overload
    def recv(self, flags: int = 0, copy: Literal[True] = True, track: bool = False) -> bytes: ...

    @overload
    def recv(self, flags: int, copy: Literal[False], track: bool = False) -> Frame: ...

    @overload
    def recv(self, flags: int = 0, *, copy: Literal[False], track: bool = False) -> Frame: ...

    @overload
    def recv(self, flags: int = 0, copy: bool = True,
             track: bool = False) -> bytes | Frame: ...

    def recv(self, flags: int = 0, copy: bool = True,
             track: bool = False) -> bytes | Frame:
        """The next frame: ``bytes`` (``copy=True``) or a :class:`Frame` sharing the
        payload (``copy=False``; ``frame.more`` tells whether more frames follow).
        ``DONTWAIT`` (or RCVTIMEO) raises ``zmq4.Again`` when nothing is queued."""
        core = self._core
        try:
            if copy:
                return _fast_recv_bytes(core, flags)
            m = _fast_recv(core, flags)
        except ZMQError as e:
            raise translate(e) from None
        except TypeError:
            self._check_flags(flags)
            raise
        return Frame._from_msg(m, core.rcvmore, track)

    def _recv_nowait(self, copy: bool, track: bool) -> Any:
        """``recv(DONTWAIT, copy, track)`` for an event loop: ``NOT_READY`` where ``recv``
        would raise Again."""
        core = self._core
        try:
            m = _fast_recv_nowait(core)
        except ZMQError as e:
            raise translate(e) from None
        if m is None:
            return NOT_READY
        if copy:
            d = m.data
            return d if type(d) is bytes else bytes(d)
        return Frame._from_msg(m, core.rcvmore, track)

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
        if view.ndim != 1 or view.format != "B":
            try:
                view = view.cast("B")
            except TypeError:
                raise ValueError("recv_into: buffer must be C-contiguous") from None
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
            raise translate(e) from None
        size = m.size
        n = size if size < limit else limit
        if n:
            view[:n] = memoryview(m.data).cast("B")[:n]
        return size

    @overload
    def recv_multipart(self, flags: int = 0, copy: Literal[True] = True,
                       track: bool = False) -> list[bytes]: ...

    @overload
    def recv_multipart(self, flags: int, copy: Literal[False],
                       track: bool = False) -> list[Frame]: ...

    @overload
    def recv_multipart(self, flags: int = 0, *, copy: Literal[False],
                       track: bool = False) -> list[Frame]: ...

    @overload
    def recv_multipart(self, flags: int = 0, copy: bool = True,
                       track: bool = False) -> list[bytes] | list[Frame]: ...

    def recv_multipart(self, flags: int = 0, copy: bool = True,
                       track: bool = False) -> list[bytes] | list[Frame]:
        """All frames of the next message, as ``bytes`` or :class:`Frame` objects."""
        core = self._core
        parts: list[Any] = [self.recv(flags, copy, track)]
        while core.rcvmore:
            parts.append(self.recv(flags, copy, track))
        return parts

    def _deserialize(self, recvd: Any, load: Callable[[Any], T]) -> T:
        """Apply ``load`` to what a recv returned (a hook for async subclasses)."""
        return load(recvd)

    def recv_string(self, flags: int = 0, encoding: str = "utf-8") -> str:
        """The next frame decoded with ``encoding``."""
        def decode(b: bytes) -> str:
            return b.decode(encoding)

        return self._deserialize(self.recv(flags), decode)

    recv_unicode = recv_string

    def recv_pyobj(self, flags: int = 0) -> Any:
        """The next frame unpickled (never unpickle messages from untrusted peers)."""
        return self._deserialize(self.recv(flags), pickle.loads)

    def recv_json(self, flags: int = 0, **kwargs: Any) -> Any:
        """The next frame parsed as JSON; keyword arguments go to ``json.loads``."""
        return self._deserialize(self.recv(flags),
                                 lambda b: json.loads(b.decode("utf-8"), **kwargs))

    def recv_serialized(self, deserialize: Callable[[Any], T], flags: int = 0,
                        copy: bool = True) -> T:
        """``deserialize(frames)`` of the next multipart message."""
        return self._deserialize(self.recv_multipart(flags, copy=copy), deserialize)

    # ------------------------------------------------------------------ poll / monitor
    def poll(self, timeout: float | None = None, flags: int = C.POLLIN) -> int:
        """Wait up to ``timeout`` ms (None: forever) for ``flags`` (POLLIN/POLLOUT);
        returns the events that are ready (0 on timeout)."""
        if self.closed:
            raise ZMQError(C.ENOTSOCK, "socket is closed")
        self._check_flags(flags)
        ms = _timeout_ms(timeout)
        if not flags:
            raise ValueError("flags must include POLLIN and/or POLLOUT")
        try:
            return _poll.poll([(self._core, flags)], ms)[0]
        except ZMQError as e:
            raise translate(e) from None

    def monitor(self, addr: str | bytes | None, events: int = C.EVENT_ALL) -> None:
        """Publish this socket's ``events`` on a PAIR bound to the inproc ``addr``;
        ``addr=None`` stops monitoring."""
        if isinstance(events, bool) or not isinstance(events, int):
            raise TypeError(f"events must be an int (zmq4.Event), not {type(events).__name__}")
        a = None if addr is None else _endpoint(addr)
        try:
            self._core.monitor(a, events)
        except ZMQError as e:
            raise translate(e) from None

    def get_monitor_socket(self, events: int | None = None,
                           addr: str | None = None) -> Socket:
        """A PAIR socket connected to this socket's monitor (started with ``events``,
        default all, on ``addr``, default a unique inproc name). Repeated calls return the
        same socket while it is open."""
        mon = self._monitor_socket
        if mon is not None:
            if not mon.closed:
                return mon
            object.__setattr__(self, "_monitor_socket", None)
        if addr is None:
            addr = f"inproc://zmq4.monitor.{handle_of(self._core):x}"
        self.monitor(addr, C.EVENT_ALL if events is None else events)
        mon = self.context.socket(C.PAIR)
        try:
            mon.connect(addr)
        except BaseException:
            mon.close(0)
            raise
        object.__setattr__(self, "_monitor_socket", mon)
        return mon

    def disable_monitor(self) -> None:
        """Stop the monitor started by :meth:`get_monitor_socket` (its PAIR socket gets
        EVENT_MONITOR_STOPPED; closing it is the caller's)."""
        object.__setattr__(self, "_monitor_socket", None)
        self.monitor(None, 0)


__all__ = ["Socket", "check_option_value", "check_parts", "option_spec"]
