"""The pyzmq-shaped context (``zmq4.Context``): a thin face over a core context.

Owns: creating :class:`~zmq4.socket.Socket` objects (with the context's default socket
options applied, pyzmq's ``ctx.linger = 0`` idiom), ``term``/``destroy``, the per-process
global ``instance()`` (a forked child gets its own), context options as attributes and
``set``/``get``, ``underlying``/``shadow``, and a bounded shutdown at interpreter exit.

Rules:
- Context options (``IO_THREADS``, ``MAX_SOCKETS``) assigned as attributes set the context;
  socket option names assigned as attributes become defaults for sockets created later
  (an option that does not apply to a socket type is skipped for that type).
- ``term()`` blocks until every socket is closed (libzmq semantics); ``destroy(linger)``
  first closes the sockets this object created, setting LINGER when given. Both are
  idempotent; a terminated context refuses new sockets with ``ZMQError(ENOTSUP)``.
- Exit: every context that was not terminated has an ``atexit`` hook that warns
  (``ResourceWarning``, naming the sockets still open and their endpoints), wakes blocking
  calls in other threads (ETERM), closes the leftovers with LINGER 0 and terminates,
  waiting at most :data:`EXIT_TIMEOUT` seconds — an interpreter never hangs on exit because
  a socket was left open. A context garbage-collected while open is destroyed (with a
  ``ResourceWarning``), as in pyzmq.
Imports: the core context, the leaves, and the sibling face modules.
"""

from __future__ import annotations

import atexit
import os
import warnings
import weakref
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from . import _native
from . import constants as C
from ._face import handle_of, resolve, translate
from .core.ctx import Context as _CoreContext
from .core.socket_base import SocketBase
from .enums import ContextOption, SocketOption
from .errors import ZMQError
from .socket import Socket, _plain_attributes, check_option_value, option_spec

_C = TypeVar("_C", bound="Context")

#: Seconds the exit hook waits for a context to terminate before giving up on it.
EXIT_TIMEOUT = 5.0

_exiting = False


def _notice_exit() -> None:
    global _exiting
    _exiting = True


atexit.register(_notice_exit)


def _describe(sock: SocketBase, wrapper: Any = None) -> str:
    eps = sorted(set(sock.endpoints) | set(getattr(sock, "inproc_names", ())))
    where = f" ({', '.join(eps)})" if eps else ""
    return f"{wrapper!r}{where}" if wrapper is not None else f"{sock!r}{where}"


class _ExitHook:
    """The atexit callback of one context (unregistered when the context terminates)."""

    __slots__ = ("core", "wrapper")

    def __init__(self, core: _CoreContext, wrapper: Context) -> None:
        self.core = core
        self.wrapper = weakref.ref(wrapper)

    def __call__(self) -> None:
        core = self.core
        if core.freed:
            return
        ctx = self.wrapper()
        wrappers: dict[SocketBase, Any] = {}
        if ctx is not None:
            for s in list(ctx._sockets):
                wrappers[s._core] = s
        leftovers = [s for s in list(core.sockets) if not s.closed]
        if leftovers:
            names = "; ".join(_describe(s, wrappers.get(s)) for s in leftovers)
            warnings.warn(
                f"zmq4: interpreter exit with {len(leftovers)} open socket(s) in "
                f"{ctx if ctx is not None else core!r}: {names}. Closing them with "
                "LINGER 0 (close sockets and term() the context to flush messages)",
                ResourceWarning, stacklevel=1)
        core.shutdown()  # blocking calls in other threads return ETERM
        for s in leftovers:
            try:
                s.options.set(C.LINGER, 0)
                s.close()
            except ZMQError:
                pass  # closed meanwhile by its own thread
        done = _native.Lock()  # held until term() returns (a real lock, as the thread)
        done.acquire()

        def term() -> None:
            try:
                core.term()
            except ZMQError:
                pass
            finally:
                done.release()

        try:
            _native.Thread(target=term, name="zmq4-exit-term").start()
        except RuntimeError:  # no new threads at this stage of shutdown: do it inline
            term()
        if not done.acquire(True, EXIT_TIMEOUT):
            warnings.warn(f"zmq4: context {core!r} did not terminate within "
                          f"{EXIT_TIMEOUT} s at interpreter exit; abandoning it",
                          ResourceWarning, stacklevel=1)


class Context:
    """A ZeroMQ context with pyzmq's API (``zmq.Context``).

    ``Context(io_threads=1)`` creates one; ``Context(other)``, ``Context(shadow=handle)`` or
    :meth:`shadow` wrap an existing context without owning it.
    """

    __slots__ = ("_core", "_shadow", "_shadow_obj", "sockopts", "_sockets", "_exit_hook",
                 "_warn_destroy_close", "__weakref__")

    _core: _CoreContext
    sockopts: dict[int, Any]

    _instance: ClassVar[Any | None] = None
    _instance_pid: ClassVar[int | None] = None
    _instance_lock: ClassVar[Any] = _native.Lock()
    #: the class ``socket()`` instantiates (asyncio contexts override it)
    _socket_class: ClassVar[Callable[..., Socket]] = Socket

    def __init__(self, io_threads: int | Context = 1, shadow: Any = 0) -> None:
        setattr_ = object.__setattr__
        if isinstance(io_threads, Context):
            shadow, io_threads = io_threads, 1
        setattr_(self, "sockopts", {})
        setattr_(self, "_sockets", weakref.WeakSet())
        setattr_(self, "_warn_destroy_close", False)
        setattr_(self, "_exit_hook", None)
        if not (shadow is None or (isinstance(shadow, int) and shadow == 0)):
            setattr_(self, "_shadow", True)
            setattr_(self, "_shadow_obj", shadow)
            setattr_(self, "_core", _core_context_of(shadow))
            return
        if isinstance(io_threads, bool) or not isinstance(io_threads, int):
            raise TypeError(f"io_threads must be an int, not {type(io_threads).__name__}")
        core = _CoreContext()
        if io_threads != core.get(C.IO_THREADS):
            try:
                core.set(C.IO_THREADS, io_threads)
            except ZMQError as e:
                raise translate(e) from None
        setattr_(self, "_shadow", False)
        setattr_(self, "_shadow_obj", None)
        setattr_(self, "_core", core)
        hook = _ExitHook(core, self)
        setattr_(self, "_exit_hook", hook)
        atexit.register(hook)

    # ------------------------------------------------------------------ lifetime
    def __del__(self) -> None:
        try:
            if self._shadow or _exiting or self._core.freed:
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
        return f"<zmq4.Context({socks}) at {id(self):#x}{closed}>"

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
        """The process-wide shared context (created on first use, again after it was
        terminated, and anew in a forked child)."""
        # looked up on the class itself: a subclass (zmq4.asyncio.Context) has its own
        inst = cls.__dict__.get("_instance")
        pid = os.getpid()
        if inst is None or cls.__dict__.get("_instance_pid") != pid or inst.closed:
            with Context._instance_lock:
                inst = cls.__dict__.get("_instance")
                if inst is None or cls.__dict__.get("_instance_pid") != pid or inst.closed:
                    inst = cls(io_threads)
                    cls._instance = inst
                    cls._instance_pid = pid
        return inst

    @property
    def underlying(self) -> int:
        """An integer handle for this context; :meth:`shadow` turns it back into one."""
        return handle_of(self._core)

    @property
    def closed(self) -> bool:
        """Whether the context was terminated."""
        return bool(self._core.freed)

    def term(self) -> None:
        """Terminate: blocking calls on this context's sockets raise ContextTerminated;
        then wait until every socket is closed and its linger is over. Idempotent."""
        core = self._core
        if not core.freed:
            try:
                core.term()
            except ZMQError as e:
                if not core.freed:
                    raise translate(e) from None
        hook = self._exit_hook
        if hook is not None:
            atexit.unregister(hook)
            object.__setattr__(self, "_exit_hook", None)

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
    def socket(self, socket_type: int, socket_class: Callable[..., Socket] | None = None,
               **kwargs: Any) -> Socket:
        """A new socket of ``socket_type`` (``zmq4.PUSH``...), with this context's default
        socket options applied."""
        if self.closed:
            raise ZMQError(C.ENOTSUP, "the context is terminated")
        cls = self._socket_class if socket_class is None else socket_class
        s = cls(self, socket_type, **kwargs)
        for opt, value in self.sockopts.items():
            try:
                s.set(opt, value)
            except ZMQError:
                pass  # an option this socket type does not take (SUBSCRIBE on a PUSH...)
        self._sockets.add(s)
        return s

    def _new_core_socket(self, socket_type: int) -> SocketBase:
        if self.closed:
            raise ZMQError(C.ENOTSUP, "the context is terminated")
        try:
            return self._core.socket(socket_type)
        except ZMQError as e:
            raise translate(e) from None

    def _rm_socket(self, socket: Socket) -> None:
        self._sockets.discard(socket)

    # ------------------------------------------------------------------ options
    def set(self, option: int, optval: int) -> None:
        """Set a context option (``IO_THREADS``, ``MAX_SOCKETS``; ``IPV6`` as in C)."""
        if isinstance(option, bool) or not isinstance(option, int):
            raise TypeError(f"context option must be an int, not {type(option).__name__}")
        name = _ctx_option_name(option)
        if isinstance(optval, bool) or not isinstance(optval, int):
            raise TypeError(f"{name}: expected int, got {type(optval).__name__}")
        if self.closed:
            raise ZMQError(C.ENOTSUP, "the context is terminated")
        try:
            self._core.set(option, optval)
        except ZMQError as e:
            raise translate(e) from None

    def get(self, option: int) -> int:
        """A context option's value."""
        if isinstance(option, bool) or not isinstance(option, int):
            raise TypeError(f"context option must be an int, not {type(option).__name__}")
        if self.closed:
            raise ZMQError(C.ENOTSUP, "the context is terminated")
        try:
            return self._core.get(option)
        except ZMQError as e:
            raise translate(e) from None

    def setsockopt(self, opt: int | str, value: Any) -> None:
        """Set a default socket option for sockets created later."""
        spec = option_spec(opt)
        if spec is None:
            raise ZMQError(C.EINVAL, f"unknown socket option {opt}")
        if not spec.writable:
            raise ZMQError(C.EINVAL, f"{spec.c_name}: option is read-only")
        self.sockopts[spec.id] = check_option_value(spec, value)

    def getsockopt(self, opt: int | str) -> Any:
        """A default socket option (``KeyError`` if it was not set)."""
        spec = option_spec(opt)
        return self.sockopts[spec.id if spec is not None else opt]  # type: ignore[index]

    def __setattr__(self, key: str, value: Any) -> None:
        if key in _plain_attributes(type(self)):
            object.__setattr__(self, key, value)
            return
        name = key.upper()
        if name in ContextOption.__members__:
            self.set(ContextOption[name], value)
        elif name in SocketOption.__members__:
            self.setsockopt(SocketOption[name], value)
        else:
            raise AttributeError(f"Context has no such option: {name}")

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        name = key.upper()
        if name in ContextOption.__members__:
            return self.get(ContextOption[name])
        if name in SocketOption.__members__:
            opt = int(SocketOption[name])
            if opt not in self.sockopts:
                raise AttributeError(f"no default for socket option {name} on this context")
            return self.sockopts[opt]
        raise AttributeError(f"Context has no such option: {name}")

    def __delattr__(self, key: str) -> None:
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
        return sorted(set(super().__dir__()) | {n.lower() for n in ContextOption.__members__})


def _ctx_option_name(option: int) -> str:
    try:
        return "ZMQ_" + ContextOption(option).name
    except ValueError:
        return "ZMQ_IPV6" if option == C.IPV6 else f"context option {option}"


def _core_context_of(obj: Any) -> _CoreContext:
    if isinstance(obj, Context):
        return obj._core
    if isinstance(obj, _CoreContext):
        return obj
    if isinstance(obj, int) and not isinstance(obj, bool):
        return resolve(obj, _CoreContext, C.EFAULT)
    under = getattr(obj, "underlying", None)
    if isinstance(under, int):
        return resolve(under, _CoreContext, C.EFAULT)
    raise TypeError(f"cannot shadow {type(obj).__name__}: expected a zmq4 Context or an "
                    "integer handle (Context.underlying)")


__all__ = ["Context", "EXIT_TIMEOUT"]
