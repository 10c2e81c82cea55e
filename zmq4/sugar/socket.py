"""The socket of the object API (``zmq4.Socket``, pyzmq's ``zmq.sugar.socket``).

Owns pyzmq's conveniences over the backend socket (:class:`zmq4.backend.socket.Socket`,
which does the real work): ``Socket(other)``/``shadow``, ``bind``/``connect`` returning
context managers, options as attributes (``sock.linger = 0``, ``sock.identity``; names from
the one option table, via :class:`~zmq4.sugar.attrsettr.AttributeSetter`), the string
forms of ``set``/``get``, ``hwm``, ``subscribe``, ``bind_to_random_port``, the
multipart/string/JSON/pickle/custom-serialisation helpers, ``poll``, the monitor-socket
helpers, closing with the context's bookkeeping, and the ``ResourceWarning`` of a socket
garbage-collected open.

Rules: conveniences only — every operation ends in a backend call, so errors are the
backend's (``ZMQError`` subclasses by errno, ``TypeError`` naming the argument, ``BufferError``
for strided buffers before anything is sent). ``dir(socket)`` lists the option names
(upper case as pyzmq, and lower case). ``Socket[...]`` is subscriptable (pyzmq's generic
over what ``recv`` returns) for annotations.
Imports: the backend, attrsettr, poll, the leaves.
"""

from __future__ import annotations

import json
import os
import pickle
import random
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeAlias, TypeVar, overload

from .. import zmq_h as C
from .._face import endpoint as _endpoint
from .._face import handle_of, package_name, translate
from .._face import timeout_ms as _timeout_ms
from ..backend.frame import Frame, MessageTracker
from ..backend.socket import _BYTE_KINDS, check_option_value, check_parts, option_spec
from ..backend.socket import Socket as SocketBase
from ..constants import SocketOption, SocketType
from ..core import poll as _poll
from ..errors import ZMQBindError, ZMQError
from .attrsettr import AttributeSetter

if TYPE_CHECKING:
    pass

if TYPE_CHECKING:  # PEP 696 defaults: a bare ``Socket`` annotation means ``Socket[bytes]``
    from typing_extensions import TypeVar as _DefaultedTypeVar
else:
    def _DefaultedTypeVar(name: str, *, default: Any = None, **kwargs: Any) -> Any:
        return TypeVar(name, **kwargs)

T = TypeVar("T")
_S = TypeVar("_S", bound="Socket[Any]")
#: What ``recv`` returns (pyzmq's type parameter: ``Socket[bytes]``).
_SocketReturnT_co = _DefaultedTypeVar("_SocketReturnT_co", covariant=True, default=bytes)

_DEFAULT_PICKLE = pickle.DEFAULT_PROTOCOL


class _SocketContext:
    """What ``bind``/``connect`` return: a context manager that undoes them on exit."""

    __slots__ = ("socket", "kind", "addr")

    def __init__(self, socket: Socket[Any], kind: str, addr: str) -> None:
        self.socket = socket
        self.kind = kind
        self.addr = addr

    def __enter__(self) -> Socket[Any]:
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


class Socket(SocketBase, AttributeSetter, Generic[_SocketReturnT_co]):
    """A ZeroMQ socket with pyzmq's API (``zmq.Socket``).

    Usually made by :meth:`zmq4.Context.socket`. ``Socket(ctx, socket_type)`` creates one;
    ``Socket(other)``, ``Socket(shadow=handle)`` or :meth:`shadow` wrap an existing socket
    without owning it (closing the shadow still closes the socket).
    """

    __slots__ = ("_monitor_socket", "_shadow_obj")

    _monitor_socket: Socket[Any] | None
    _shadow_obj: Any
    _attr_enums = (SocketOption,)

    def __init__(self, ctx_or_socket: Any = None, socket_type: int | None = None, *,
                 shadow: Any = 0, copy_threshold: int | None = None) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "_monitor_socket", None)
        setattr_(self, "_shadow_obj", None)
        if isinstance(ctx_or_socket, SocketBase):
            shadow, ctx_or_socket = ctx_or_socket, None
        if not (shadow is None or (isinstance(shadow, int) and shadow == 0)):
            setattr_(self, "_shadow_obj", shadow)  # keeps a shadowed object alive
            super().__init__(None, None, shadow=shadow, copy_threshold=copy_threshold)
            context = getattr(shadow, "context", None)
            if context is None:
                from .context import Context

                context = Context.shadow(self._core.ctx)
            setattr_(self, "context", context)
            return
        from ..backend.context import Context as ContextBase

        if not isinstance(ctx_or_socket, ContextBase):
            raise TypeError("context must be a zmq4.Context, not "
                            f"{type(ctx_or_socket).__name__}")
        super().__init__(ctx_or_socket, socket_type, copy_threshold=copy_threshold)

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
        pkg = package_name()
        return f"<{pkg}.{type(self).__name__}({pkg}.{name}) at {id(self):#x}{closed}>"

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

    def close(self, linger: int | None = None) -> None:
        """Close the socket; ``linger`` (ms) sets ZMQ_LINGER first. Closing twice is a no-op.

        Messages already queued are still delivered in the background for up to LINGER ms
        (default: forever, bounded by ``Context.term``)."""
        if self._closed:
            return
        ctx = self.context
        if ctx is not None:
            rm = getattr(ctx, "_rm_socket", None)
            if rm is not None:
                rm(self)
        object.__setattr__(self, "_monitor_socket", None)
        super().close(linger)

    # ------------------------------------------------------------------ options
    setsockopt = SocketBase.set
    getsockopt = SocketBase.get

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

    def __setattr__(self, key: str, value: Any) -> None:
        # pyzmq's rule: subscribe/unsubscribe are methods, yet sock.subscribe = b"x" sets
        lower = key.lower()
        if lower in ("subscribe", "unsubscribe") and key not in getattr(self, "__dict__", ()):
            if isinstance(value, str):
                value = value.encode("utf-8")
            self.set(C.SUBSCRIBE if lower == "subscribe" else C.UNSUBSCRIBE, value)
            return
        AttributeSetter.__setattr__(self, key, value)

    def __dir__(self) -> list[str]:
        names = set(super().__dir__()) | set(SocketOption.__members__)
        return sorted(names | {n.lower() for n in SocketOption.__members__})

    @property
    def type(self) -> SocketType:
        """The socket type (``zmq4.SocketType``)."""
        return SocketType(self._core.TYPE)

    @property
    def socket_type(self) -> SocketType:
        """The socket type (pyzmq's name for :attr:`type`)."""
        return self.type

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
    def bind(self, addr: str | bytes) -> _SocketContext:  # type: ignore[override]
        """Bind to ``addr``; the result, used as a context manager, unbinds on exit."""
        addr = _endpoint(addr)
        super().bind(addr)
        if not addr.startswith("inproc://"):
            last = self._core.options.last_endpoint
            if last:
                addr = last
        return _SocketContext(self, "bind", addr)

    def connect(self, addr: str | bytes) -> _SocketContext:  # type: ignore[override]
        """Connect to ``addr``; the result, used as a context manager, disconnects on exit."""
        addr = _endpoint(addr)
        super().connect(addr)
        return _SocketContext(self, "connect", addr)

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

    def get_monitor_socket(self, events: int | None = None,
                           addr: str | None = None) -> Socket[Any]:
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
        new: Socket[Any] = self.context.socket(C.PAIR)
        try:
            new.connect(addr)
        except BaseException:
            new.close(0)
            raise
        object.__setattr__(self, "_monitor_socket", new)
        return new

    def disable_monitor(self) -> None:
        """Stop the monitor started by :meth:`get_monitor_socket` (its PAIR socket gets
        EVENT_MONITOR_STOPPED; closing it is the caller's)."""
        object.__setattr__(self, "_monitor_socket", None)
        self.monitor(None, 0)


#: pyzmq's name for a socket whose ``recv`` returns bytes (an alias of ``Socket[bytes]``).
SyncSocket: TypeAlias = Socket[bytes]

__all__ = ["Socket", "SyncSocket", "check_option_value", "check_parts", "option_spec"]
