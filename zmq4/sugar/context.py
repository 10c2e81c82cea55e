"""The context of the object API (``zmq4.Context``, pyzmq's ``zmq.sugar.context``).

Owns: creating :class:`~zmq4.sugar.socket.Socket` objects (the class in
``_socket_class``, an ordinary attribute a subclass or an instance may change) with the
context's default socket options applied (pyzmq's ``ctx.linger = 0`` idiom), ``destroy``,
the per-process global ``instance()``, context options as attributes, ``shadow`` and
``Context(other)``, and the ``ResourceWarning`` plus ``destroy()`` of a context
garbage-collected open. Creation, ``term`` and options are the backend's
(:class:`zmq4.backend.context.Context`).

Rules:
- Context options (``IO_THREADS``, ``MAX_SOCKETS``) assigned as attributes set the context;
  socket option names assigned as attributes become defaults for sockets created later
  (an option that does not apply to a socket type is skipped for that type).
- ``destroy(linger)`` first closes the sockets this object created, setting LINGER when
  given, then terminates; idempotent. A terminated context refuses new sockets with
  ``ZMQError(ENOTSUP)``.
- ``instance()`` (pyzmq's rule): one shared context per process, created on first use, again
  after it was terminated, and anew in a forked child; a subclass shares its base's unless
  it defines its own ``_instance`` (``zmq4.asyncio.Context`` does).
Imports: the backend, the sugar socket and attrsettr, the leaves.
"""

from __future__ import annotations

import atexit
import os
import threading
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeAlias, TypeVar, overload
from weakref import WeakSet

from .. import zmq_h as C
from .._face import package_name
from ..backend.context import Context as ContextBase
from ..constants import ContextOption, SocketOption
from ..errors import ZMQError
from .attrsettr import AttributeSetter
from .socket import Socket, option_spec
from .socket import check_option_value as _check_option_value

if TYPE_CHECKING:  # PEP 696 defaults: a bare ``Context`` annotation means
    # ``Context[Socket[bytes]]``
    from typing_extensions import TypeVar as _DefaultedTypeVar
else:
    def _DefaultedTypeVar(name: str, *, default: Any = None, **kwargs: Any) -> Any:
        return TypeVar(name, **kwargs)

_C = TypeVar("_C", bound="Context[Any]")
#: The socket class a context makes (pyzmq's type parameter: ``Context[Socket]``).
_SocketType = _DefaultedTypeVar("_SocketType", bound="Socket[Any]", covariant=True,
                                default="Socket[bytes]")

_exiting = False


def _notice_exit() -> None:
    global _exiting
    _exiting = True


atexit.register(_notice_exit)


class Context(ContextBase, AttributeSetter, Generic[_SocketType]):
    """A ZeroMQ context with pyzmq's API (``zmq.Context``).

    ``Context(io_threads=1)`` creates one; ``Context(other)``, ``Context(shadow=handle)`` or
    :meth:`shadow` wrap an existing context without owning it.
    """

    sockopts: dict[int, Any]
    _sockets: WeakSet[Any]
    _shadow_obj: Any = None
    _warn_destroy_close: bool = False

    _instance: ClassVar[Any] = None
    _instance_pid: ClassVar[int | None] = None
    _instance_lock: ClassVar[threading.Lock] = threading.Lock()
    #: the class ``socket()`` instantiates (asyncio contexts override it)
    _socket_class: Callable[..., Any] = Socket
    _attr_enums = (ContextOption, SocketOption)

    def __init__(self, io_threads: int | ContextBase = 1, shadow: Any = 0) -> None:
        setattr_ = object.__setattr__
        if isinstance(io_threads, ContextBase):
            shadow, io_threads = io_threads, 1
        setattr_(self, "sockopts", {})
        setattr_(self, "_sockets", WeakSet())
        if not (shadow is None or (isinstance(shadow, int) and shadow == 0)):
            setattr_(self, "_shadow_obj", shadow)  # keeps a shadowed object alive
        super().__init__(io_threads, shadow)

    # ------------------------------------------------------------------ lifetime
    def __del__(self) -> None:
        try:
            if self._shadow or _exiting or self._core.freed or self._closed:
                return
            if self._core.pid != os.getpid():
                return
            object.__setattr__(self, "_warn_destroy_close", True)
            warnings.warn(f"unclosed context {self!r}", ResourceWarning, stacklevel=2,
                          source=self)
            self.destroy()
        except Exception:  # noqa: S110 - finalizer: never raise
            pass

    def __repr__(self) -> str:
        n = len(self._sockets)
        socks = f"{n} socket{'s' if n != 1 else ''}" if n else ""
        closed = " closed" if self.closed else ""
        return f"<{package_name()}.{type(self).__name__}({socks}) at {id(self):#x}{closed}>"

    def __enter__(self: _C) -> _C:
        return self

    def __exit__(self, *exc: Any) -> None:
        object.__setattr__(self, "_warn_destroy_close", True)
        self.destroy()

    def __copy__(self: _C, memo: Any = None) -> _C:
        return type(self).shadow(self)

    __deepcopy__ = __copy__

    @classmethod
    def shadow(cls: type[_C], address: Any) -> _C:
        """A context object for an existing context: an integer handle
        (:attr:`underlying`), a zmq4 ``Context``, or a core context."""
        return cls(shadow=address)

    @classmethod
    def instance(cls: type[_C], io_threads: int = 1) -> _C:
        """The process-wide shared context (see the module rules)."""
        inst = cls._instance
        pid = os.getpid()
        if inst is None or cls._instance_pid != pid or inst.closed:
            with cls._instance_lock:
                inst = cls._instance
                if inst is None or cls._instance_pid != pid or inst.closed:
                    inst = cls(io_threads)
                    cls._instance = inst
                    cls._instance_pid = pid
        return inst  # type: ignore[no-any-return]

    def term(self) -> None:
        """Terminate: blocking calls on this context's sockets raise ContextTerminated;
        then wait until every socket is closed and its linger is over. Idempotent."""
        super().term()

    def destroy(self, linger: int | None = None) -> None:
        """Close every socket this object created (LINGER set to ``linger`` when given),
        then :meth:`term`. Not thread-safe: the sockets must not be in use elsewhere."""
        if self.closed:
            return
        if linger is not None and (isinstance(linger, bool) or not isinstance(linger, int)):
            raise TypeError(f"linger must be an int (ms), not {type(linger).__name__}")
        for s in list(self._sockets):
            if not s.closed:
                if self._warn_destroy_close:
                    warnings.warn(f"destroying context with unclosed socket {s!r}",
                                  ResourceWarning, stacklevel=3, source=s)
                s.close(linger)
        self.term()

    # ------------------------------------------------------------------ sockets
    @overload
    def socket(self, socket_type: int, socket_class: None = None,
               **kwargs: Any) -> _SocketType: ...

    @overload
    def socket(self, socket_type: int, socket_class: Callable[..., Any],
               **kwargs: Any) -> Any: ...

    def socket(self, socket_type: int, socket_class: Callable[..., Any] | None = None,
               **kwargs: Any) -> Any:
        """A new socket of ``socket_type`` (``zmq4.PUSH``...), of ``socket_class``
        (default: this context's ``_socket_class``), with this context's default socket
        options applied."""
        if self.closed:
            raise ZMQError(C.ENOTSUP, "the context is terminated")
        cls = self._socket_class if socket_class is None else socket_class
        s = cls(self, socket_type, **kwargs)
        for opt, value in self.sockopts.items():
            try:
                s.set(opt, value)
            except ZMQError:
                pass  # an option this socket type does not take (SUBSCRIBE on a PUSH...)
        self._add_socket(s)
        return s

    def _add_socket(self, socket: Any) -> None:
        self._sockets.add(socket)

    def _rm_socket(self, socket: Any) -> None:
        self._sockets.discard(socket)

    # ------------------------------------------------------------------ options
    def setsockopt(self, opt: int | str, value: Any) -> None:
        """Set a default socket option for sockets created later."""
        spec = option_spec(opt)
        if spec is None:
            raise ZMQError(C.EINVAL, f"unknown socket option {opt}")
        if not spec.writable:
            raise ZMQError(C.EINVAL, f"{spec.c_name}: option is read-only")
        self.sockopts[spec.id] = _check_option_value(spec, value)

    def getsockopt(self, opt: int | str) -> Any:
        """A default socket option (``KeyError`` if it was not set)."""
        spec = option_spec(opt)
        return self.sockopts[spec.id if spec is not None else opt]  # type: ignore[index]

    def _set_attr_opt(self, name: str, opt: int, value: Any) -> None:
        if isinstance(opt, ContextOption):
            self.set(opt, value)
        else:
            self.setsockopt(opt, value)

    def _get_attr_opt(self, name: str, opt: int) -> Any:
        if isinstance(opt, ContextOption):
            return self.get(opt)
        if int(opt) not in self.sockopts:
            raise AttributeError(f"no default for socket option {name} on this context")
        return self.sockopts[int(opt)]

    def __delattr__(self, key: str) -> None:
        if key in self.__dict__:
            object.__delattr__(self, key)
            return
        name = key.upper()
        member = SocketOption.__members__.get(name)
        if member is None:
            raise AttributeError(f"no such socket option: {name}")
        try:
            del self.sockopts[int(member)]
        except KeyError:
            raise AttributeError(f"no default for socket option {name} on this context") \
                from None

    def __dir__(self) -> list[str]:
        names = set(super().__dir__()) | set(ContextOption.__members__)
        return sorted(names | {n.lower() for n in ContextOption.__members__})


#: pyzmq's name for a context of synchronous sockets (an alias of
#: ``Context[Socket[bytes]]``).
SyncContext: TypeAlias = Context[Socket[bytes]]

__all__ = ["Context", "SyncContext"]
