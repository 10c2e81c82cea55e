"""The backend context (pyzmq's ``zmq.backend.Context``): the lean face over a core
context that :class:`zmq4.sugar.context.Context` (``zmq4.Context``) builds on — and that
pyzmq's own Python layer builds on with ``PYZMQ_BACKEND=zmq4.backend``.

Owns: creating a core context (``Context(io_threads=1)``) or shadowing one
(``Context(shadow=handle)``), ``underlying``/``closed``/``term``, context options
``set``/``get``, the core socket factory the backend socket uses, and a bounded shutdown at
interpreter exit.

Rules:
- ``term()`` blocks until every socket is closed (libzmq semantics); it is idempotent.
  ``closed`` is this object's view, as in pyzmq: True after its own ``term()`` (or, for a
  context that owns its core, once the core is terminated through any handle). A shadow
  of a context terminated elsewhere is not closed, and creating a socket in it is
  ``ZMQError(EFAULT)`` (the core is gone), as pyzmq on libzmq.
- Exit: every owning context that was not terminated has an ``atexit`` hook that warns
  (``ResourceWarning``, naming the sockets still open and their endpoints), wakes blocking
  calls in other threads (ETERM), closes the leftovers with LINGER 0 and terminates,
  waiting at most :data:`EXIT_TIMEOUT` seconds — an interpreter never hangs on exit because
  a socket was left open.
Imports: the core context, the leaves.
"""

from __future__ import annotations

import atexit
import warnings
import weakref
from typing import Any

from .. import _native
from .. import zmq_h as C
from .._face import handle_of, resolve
from ..constants import ContextOption
from ..core.ctx import Context as _CoreContext
from ..core.socket_base import SocketBase
from ..errors import ZMQError
from .host import host_of

#: Seconds the exit hook waits for a context to terminate before giving up on it.
EXIT_TIMEOUT = 5.0


def _describe(sock: SocketBase, wrapper: Any = None) -> str:
    eps = sorted(set(sock.endpoints) | set(getattr(sock, "inproc_names", ())))
    where = f" ({', '.join(eps)})" if eps else ""
    return f"{wrapper!r}{where}" if wrapper is not None else f"{sock!r}{where}"


class _ExitHook:
    """The atexit callback of one context (unregistered when the context terminates)."""

    __slots__ = ("core", "wrapper")

    def __init__(self, core: _CoreContext, wrapper: Any) -> None:
        self.core = core
        self.wrapper = weakref.ref(wrapper)

    def __call__(self) -> None:
        core = self.core
        if core.freed:
            return
        ctx = self.wrapper()
        wrappers: dict[SocketBase, Any] = {}
        if ctx is not None:
            for s in list(getattr(ctx, "_sockets", ())):
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
    """A ZeroMQ context, backend level (pyzmq's ``zmq.backend.Context``).

    ``Context(io_threads=1)`` creates one; ``Context(shadow=handle)`` wraps an existing
    context (an integer handle from :attr:`underlying`, a zmq4 context object, or a core
    context) without owning it.
    """

    _core: _CoreContext
    _shadow: bool = False
    _closed: bool = False
    _exit_hook: Any = None

    def __init__(self, io_threads: int = 1, shadow: Any = 0) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "_closed", False)
        setattr_(self, "_exit_hook", None)
        if not (shadow is None or (isinstance(shadow, int) and shadow == 0)):
            setattr_(self, "_shadow", True)
            setattr_(self, "_core", core_context_of(shadow))
            return
        if isinstance(io_threads, bool) or not isinstance(io_threads, int):
            raise TypeError(f"io_threads must be an int, not {type(io_threads).__name__}")
        core = _CoreContext()
        if io_threads != core.get(C.IO_THREADS):
            try:
                core.set(C.IO_THREADS, io_threads)
            except ZMQError as e:
                raise host_of(type(self)).exception(e) from None
        setattr_(self, "_shadow", False)
        setattr_(self, "_core", core)
        hook = _ExitHook(core, self)
        setattr_(self, "_exit_hook", hook)
        atexit.register(hook)

    @property
    def underlying(self) -> int:
        """An integer handle for this context (pyzmq: the libzmq context's address);
        ``shadow=`` turns it back into a context object."""
        return handle_of(self._core)

    @property
    def closed(self) -> bool:
        """Whether this context object was terminated (see the module rules)."""
        return self._closed or (not self._shadow and bool(self._core.freed))

    def term(self) -> None:
        """Terminate: blocking calls on this context's sockets raise ContextTerminated;
        then wait until every socket is closed and its linger is over. Idempotent."""
        core = self._core
        if not self._closed and not core.freed:
            try:
                core.term()
            except ZMQError as e:
                if not core.freed:
                    raise host_of(type(self)).exception(e) from None
        object.__setattr__(self, "_closed", True)
        hook = self._exit_hook
        if hook is not None:
            atexit.unregister(hook)
            object.__setattr__(self, "_exit_hook", None)

    def _new_core_socket(self, socket_type: int) -> SocketBase:
        """A core socket of ``socket_type`` in this context (what the backend Socket
        constructor calls)."""
        try:
            return self._core.socket(socket_type)
        except ZMQError as e:
            raise host_of(type(self)).exception(e) from None

    # ------------------------------------------------------------------ options
    def set(self, option: int, optval: int) -> None:
        """Set a context option (``IO_THREADS``, ``MAX_SOCKETS``; ``IPV6`` as in C)."""
        if isinstance(option, bool) or not isinstance(option, int):
            raise TypeError(f"context option must be an int, not {type(option).__name__}")
        name = _ctx_option_name(option)
        if isinstance(optval, bool) or not isinstance(optval, int):
            raise TypeError(f"{name}: expected int, got {type(optval).__name__}")
        if self.closed:
            raise host_of(type(self)).exception(ZMQError(C.ENOTSUP, "the context is terminated"))
        try:
            self._core.set(option, optval)
        except ZMQError as e:
            raise host_of(type(self)).exception(e) from None

    def get(self, option: int) -> int:
        """A context option's value."""
        if isinstance(option, bool) or not isinstance(option, int):
            raise TypeError(f"context option must be an int, not {type(option).__name__}")
        if self.closed:
            raise host_of(type(self)).exception(ZMQError(C.ENOTSUP, "the context is terminated"))
        try:
            return self._core.get(option)
        except ZMQError as e:
            raise host_of(type(self)).exception(e) from None


def _ctx_option_name(option: int) -> str:
    try:
        return "ZMQ_" + ContextOption(option).name
    except ValueError:
        return "ZMQ_IPV6" if option == C.IPV6 else f"context option {option}"


def core_context_of(obj: Any) -> _CoreContext:
    """The core context behind a handle, a zmq4 ``Context``, or a core context."""
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


__all__ = ["Context", "EXIT_TIMEOUT", "core_context_of"]
