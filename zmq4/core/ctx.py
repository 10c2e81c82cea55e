"""Contexts (libzmq ctx_t): socket registry, inproc namespace, options, termination.

Owns: creating sockets (MAX_SOCKETS → EMFILE), the inproc endpoint table and pending
connects (connect before bind), the context options IO_THREADS / MAX_SOCKETS / IPV6, the
I/O threads (started lazily with the first tcp/ipc endpoint), ``shutdown`` (every blocking
call in any thread returns ETERM) and ``term`` (blocks until every socket is closed and
lingering data is flushed or its linger expired).

Rules: thread-safe (one lock); never blocks while holding it. Fork safety: in a forked
child the lock is replaced (``os.register_at_fork``) and ``term`` returns without waiting for
sockets or threads that belong to the parent.
"""

from __future__ import annotations

import os
import weakref
from typing import Any, Optional

from .. import _native
from .. import zmq_h as C
from ..errors import ZMQError, mark_interrupted
from . import options as _options
from .pipe import Pipe
from .socket_base import _CONFLATE_TYPES, SocketBase, inproc_hwm

_INT_MAX = 2**31 - 1

_live_contexts: weakref.WeakSet[Context] = weakref.WeakSet()


class Context:
    """libzmq ctx_t."""

    def __init__(self) -> None:
        self._lock = _native.Lock()
        self._cond = _native.Condition(self._lock)
        self.sockets: set[SocketBase] = set()
        self.io_threads = C.IO_THREADS_DFLT
        self.max_sockets = C.MAX_SOCKETS_DFLT
        self.ipv6 = 0
        self.terminating = False
        self.freed = False
        self.started = False
        self.pid = os.getpid()
        self._inproc: dict[str, SocketBase] = {}
        # endpoint -> [(connecting socket, its local pipe end, the far end)]
        self._pending: dict[str, list[tuple[SocketBase, Pipe, Pipe]]] = {}
        self.io: Any = None  # the I/O thread pool, created by the transport layer
        _live_contexts.add(self)

    def __repr__(self) -> str:
        return f"<zmq4 Context {id(self):#x} sockets={len(self.sockets)}>"

    # ------------------------------------------------------------------ options
    def set(self, option: int, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ZMQError(C.EINVAL, f"context option {option}: value must be an int")
        if value > _INT_MAX:  # the C API's int: libzmq 4.0 cannot be given more
            raise ZMQError(C.EINVAL, f"context option {option}: {value} out of range "
                                     f"(<= {_INT_MAX})")
        if option == C.IO_THREADS:
            if value < 0:
                raise ZMQError(C.EINVAL, f"ZMQ_IO_THREADS: {value} out of range (>= 0)")
            self.io_threads = value
        elif option == C.MAX_SOCKETS:
            if value < 1:
                raise ZMQError(C.EINVAL, f"ZMQ_MAX_SOCKETS: {value} out of range (>= 1)")
            self.max_sockets = value
        elif option == C.IPV6:
            if value < 0:
                raise ZMQError(C.EINVAL, f"ZMQ_IPV6: {value} out of range (>= 0)")
            self.ipv6 = int(bool(value))
        else:
            raise ZMQError(C.EINVAL, f"unknown context option {option}")

    def get(self, option: int) -> int:
        if option == C.IO_THREADS:
            return self.io_threads
        if option == C.MAX_SOCKETS:
            return self.max_sockets
        if option == C.IPV6:
            return self.ipv6
        raise ZMQError(C.EINVAL, f"unknown context option {option}")

    # ------------------------------------------------------------------ sockets
    def socket(self, socket_type: int) -> SocketBase:
        from .sockets import create

        if self.freed:
            raise ZMQError(C.EFAULT, "context was terminated and freed")
        with self._lock:
            if self.terminating:
                raise ZMQError(C.ETERM)
            if len(self.sockets) >= self.max_sockets:
                raise ZMQError(C.EMFILE, f"ZMQ_MAX_SOCKETS ({self.max_sockets}) reached")
            opts = _options.Options(socket_type, bool(self.ipv6)) \
                if socket_type in _VALID_TYPES else None
            if opts is None:
                raise ZMQError(C.EINVAL, f"invalid socket type {socket_type!r}")
            sock = create(self, socket_type, opts)
            self.sockets.add(sock)
            self.started = True
        return sock

    def socket_closed(self, sock: SocketBase) -> None:
        with self._cond:
            self.sockets.discard(sock)
            self._cond.notify_all()

    # ------------------------------------------------------------------ inproc
    def register_inproc(self, endpoint: str, sock: SocketBase) -> None:
        with self._lock:
            if endpoint in self._inproc:
                raise ZMQError(C.EADDRINUSE, f"{endpoint} is already bound in this context")
            self._inproc[endpoint] = sock
            pending = self._pending.pop(endpoint, [])
        for connector, local, remote in pending:
            self._complete_pending(sock, connector, local, remote)

    def _complete_pending(self, binder: SocketBase, connector: SocketBase, local: Pipe,
                          remote: Pipe, in_binder_thread: bool = True) -> None:
        """Bind-time half of connect-before-bind: the binder adopts the far end (directly
        when called from the binder's own bind, else through its mailbox)."""
        bo, co = binder.options, connector.options
        if not local.conflate and bo.conflate and binder.TYPE in _CONFLATE_TYPES:
            # as when the binder came first: a CONFLATE binder conflates both directions
            local.conflate = remote.conflate = True
            local.hwm = remote.hwm = 0
        elif not local.conflate:
            local.hwm = inproc_hwm(co.sndhwm, bo.rcvhwm)
            remote.hwm = inproc_hwm(bo.sndhwm, co.rcvhwm)
        local.identity = bo.identity  # read by the connector only after this point
        remote.sink = binder
        if in_binder_thread:
            binder.attach_pipe(remote)
        else:
            binder.post(("bind", remote))
        # the connector may be waiting for room (raised HWM) or for data
        connector.post(("activate_write", local))

    def find_inproc(self, endpoint: str) -> Optional[SocketBase]:
        with self._lock:
            return self._inproc.get(endpoint)

    def unregister_inproc(self, endpoint: str, sock: SocketBase) -> None:
        with self._lock:
            if self._inproc.get(endpoint) is sock:
                del self._inproc[endpoint]

    def add_pending(self, endpoint: str, connector: SocketBase, local: Pipe,
                    remote: Pipe) -> None:
        with self._lock:
            binder = self._inproc.get(endpoint)
            if binder is None:
                self._pending.setdefault(endpoint, []).append((connector, local, remote))
                return
        # bound meanwhile: we run in the connector's thread, so the binder adopts by command
        self._complete_pending(binder, connector, local, remote, in_binder_thread=False)

    def cancel_pending(self, endpoint: str, local: Pipe) -> None:
        with self._lock:
            entries = self._pending.get(endpoint)
            if entries:
                entries[:] = [e for e in entries if e[1] is not local]
                if not entries:
                    del self._pending[endpoint]

    def io_pool(self) -> Any:
        """The I/O threads, started on first use (EMTHREAD when IO_THREADS is 0)."""
        with self._lock:
            if self.io is None:
                if self.io_threads == 0:
                    raise ZMQError(C.EMTHREAD, "ZMQ_IO_THREADS is 0: tcp and ipc need an "
                                               "I/O thread")
                from ..io.reactor import IOPool

                self.io = IOPool(self.io_threads)
            return self.io

    # ------------------------------------------------------------------ termination
    def shutdown(self) -> None:
        """Non-blocking: every socket's blocking and later calls fail with ETERM."""
        with self._lock:
            if self.terminating or not self.started:
                return  # 4.0: a no-op before the first socket exists
            self.terminating = True
            socks = list(self.sockets)
        for s in socks:
            s.post(("stop",))

    def term(self) -> None:
        """Block until all sockets are closed and lingering data is flushed; then free."""
        if self.freed:
            raise ZMQError(C.EFAULT, "context was already terminated")
        if os.getpid() != self.pid:
            # a forked child: the parent's sockets and threads are not ours to wait for
            self.freed = True
            return
        with self._lock:
            self.terminating = True
            socks = list(self.sockets)
            self._pending.clear()
        for s in socks:
            s.post(("stop",))
        with self._cond:
            while self.sockets:
                # bounded waits so signal handlers run (Ctrl-C → KeyboardInterrupt / EINTR)
                try:
                    self._cond.wait(0.1)
                except BaseException as exc:  # a signal handler raised: EINTR for C callers
                    mark_interrupted(exc)
                    raise
        if self.io is not None:
            self.io.wait_sessions()  # lingering data flushed or its linger expired
            self.io.stop()
            self.io = None
        self.freed = True
        _live_contexts.discard(self)

    def _after_fork_in_child(self) -> None:
        self._lock = _native.Lock()
        self._cond = _native.Condition(self._lock)
        for s in list(self.sockets):
            s.mailbox.after_fork_in_child()
        self.io = None


_VALID_TYPES = frozenset(range(C.PAIR, C.STREAM + 1))


def _reinit_after_fork() -> None:
    for ctx in list(_live_contexts):
        ctx._after_fork_in_child()


os.register_at_fork(after_in_child=_reinit_after_fork)
