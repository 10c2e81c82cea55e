"""asyncio face (pyzmq's ``zmq.asyncio``): ``Context``, ``Socket`` and ``Poller`` whose
``send*``/``recv*``/``poll`` return awaitable futures, on any asyncio event loop.

Owns: the per-socket I/O state that turns ZMQ_FD wake-ups into completed futures.

How readiness works (and why it is never lost): ZMQ_FD is the socket mailbox's eventfd and
is edge-triggered in effect — *any* operation on the socket (a send, a recv, reading
ZMQ_EVENTS, a bind) drains it, so a wake-up that arrived for one pending operation can be
consumed by another. Therefore nothing here trusts the fd alone:

- every socket has one :class:`_IOState` (per core socket, shared by all wrappers of it;
  kept in the core's ``face_state`` slot)
  with FIFO queues of pending receives and sends and a list of poll watchers;
- an operation is first attempted at once (non-blocking) when nothing is queued ahead of it;
  otherwise it is queued;
- :meth:`_IOState.process` reads ZMQ_EVENTS and completes queued operations while the socket
  reports POLLIN/POLLOUT, re-reading ZMQ_EVENTS after each one, and only then waits:
  ``loop.add_reader`` on a duplicate of ZMQ_FD, added when something first waits and kept
  until the socket closes (a wake-up with nothing pending just resets the fd);
- after *every* operation made through this module (and after ``bind``/``connect``/option
  calls, which also drain the fd) ``process`` is scheduled again with ``call_soon``.

There is no busy polling: the loop sleeps in its selector until the eventfd is written
(a peer's message, room under the HWM, ETERM).

Read-on-loop: while a recv waits on a REQ or REP whose one connection is tcp/ipc, the
loop reads that connection itself (``zmq4.core.fastpath.lend_reads``; the I/O side is
zmq4.io.session's read-on-loop): it watches a duplicate of the connection's fd and, when
it is readable, reads as the I/O thread would and completes the recv at once. No thread
hand-off and no GIL hand-off per message, which is what a loop and a GIL-bound I/O thread
otherwise pay on every answer. The reads are given back one loop iteration after the last
waiting recv completed (the usual next recv comes sooner, and keeps them), when the
lending ends on the I/O side (connection gone, RCVHWM reached, the I/O thread busy for
longer than the loop should wait) and when the socket closes or moves to another loop. A
blocking recv or poll on the socket from outside the loop takes them back too; a
non-blocking one does not (the loop's own readiness checks are non-blocking), so with a
recv left pending on a loop that no longer runs, such checks from other code see no
answer until one of those takes the reads back.

Cancellation is safe: a message is taken from the core only inside ``process``/the immediate
attempt, for a future that is not done, and handed to it in the same step; a cancelled
receive leaves its message queued for the next one. RCVTIMEO/SNDTIMEO make a pending
operation fail with ``zmq4.Again`` after that many ms; a terminated context fails pending
operations with ``ContextTerminated``; ``close()`` cancels them and removes the reader
(a close made elsewhere reaches the reader as a wake-up: the mailbox signals as it closes).

Rules: a socket is used from one event loop (the first that runs an operation on it; an
idle socket may move to another loop). Blocking calls of the synchronous API on the same
socket from the loop's thread would block the loop: use the awaitable ones. Mixing with
synchronous sockets in other threads (the usual "blocking worker + asyncio front") is fine.
Imports: the object face and the core socket type.
"""

from __future__ import annotations

import asyncio
import os
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, TypeVar, cast

from . import zmq_h as C
from ._face import package_name, timeout_ms, translate
from .backend import poll as _backend_poll
from .backend.socket import NOT_READY as _NOT_READY
from .core.fastpath import lend_reads as _lend_reads
from .core.socket_base import SocketBase
from .errors import Again, ZMQError
from .sugar import context as _context
from .sugar import poll as _poller
from .sugar import socket as _socket

T = TypeVar("T")
_POLLIN = C.POLLIN
_POLLOUT = C.POLLOUT
_S = TypeVar("_S", bound="Socket")

__all__ = ["Context", "Poller", "Socket", "ZMQEventLoop", "install"]


def _get_loop() -> asyncio.AbstractEventLoop:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.get_event_loop_policy().get_event_loop()


class _Op:
    """One pending operation: its future, the non-blocking attempt, its timeout timer."""

    __slots__ = ("future", "attempt", "timer")

    def __init__(self, future: asyncio.Future[Any], attempt: Callable[[], Any]) -> None:
        self.future = future
        self.attempt = attempt
        self.timer: asyncio.TimerHandle | None = None

    def finish(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


class _IOState:
    """Pending operations of one core socket on one event loop, and its ZMQ_FD reader."""

    __slots__ = ("core", "loop", "recvs", "sends", "watchers", "fd", "scheduled",
                 "processing", "conn", "conn_fd", "give_back_soon", "__weakref__")

    def __init__(self, core: SocketBase, loop: asyncio.AbstractEventLoop) -> None:
        self.core = core
        self.loop = loop
        self.recvs: deque[_Op] = deque()
        self.sends: deque[_Op] = deque()
        self.watchers: list[tuple[asyncio.Future[int], int]] = []
        self.fd: int | None = None
        self.scheduled = False
        self.processing = False
        # read-on-loop: (sink, token) of the connection lent to us while a recv waits,
        # and the duplicate of its fd the loop watches
        self.conn: tuple[Any, Any] | None = None
        self.conn_fd: int | None = None
        self.give_back_soon = False

    def pending(self) -> bool:
        return bool(self.recvs or self.sends or self.watchers)

    # ------------------------------------------------------------------ scheduling
    def kick(self) -> None:
        """Re-check ZMQ_EVENTS soon: the operation that just ran may have drained ZMQ_FD."""
        if not self.scheduled and (self.recvs or self.sends or self.watchers) \
                and not self.loop.is_closed():
            self.scheduled = True
            self.loop.call_soon(self.process)

    def _arm(self) -> None:
        if self.fd is None:
            # a duplicate of the mailbox's eventfd (ZMQ_FD): ours to close, so the number
            # registered in the loop's selector can never be released and reused under it
            # (the socket may be closed by any wrapper); it stays readable once the
            # mailbox closes (Mailbox.close signals), which is how we learn of a close
            fd = os.dup(self.core.getsockopt(C.FD))
            try:
                self.loop.add_reader(fd, self._on_fd)
            except BaseException:
                os.close(fd)
                raise
            self.fd = fd
            self.core.close_hooks.append(self._core_closed)

    def _on_fd(self) -> None:
        """ZMQ_FD became readable. The reader stays armed while the socket lives (adding
        and removing it per operation costs more than a spare wake-up): a wake-up with
        nothing pending processes the socket's commands, which resets the fd (a level-
        triggered selector would otherwise report it again at once)."""
        self.process()
        if self.fd is not None and not self.pending():
            core = self.core
            if core.closed:
                self.disarm()
                return
            try:
                core.process_commands(0)
            except ZMQError:  # ETERM: nothing to wait for any more
                self.disarm()

    def _core_closed(self) -> None:
        """Close hook of the core socket (closed through any wrapper, or ctx.destroy). A
        running loop learns of it from the close wake-up, in its own thread; one that is
        not running (or closed: asyncio.run has returned) never will, so the reader and
        its duplicate fd go now."""
        if self.core.face_state is self:
            self.core.face_state = None
        if self.loop.is_running():
            return
        try:
            self.fail_all(ZMQError(C.ENOTSOCK, "socket closed"))
        except RuntimeError:  # its loop is closed: nothing can await them
            self.disarm()

    # ------------------------------------------------------------------ read-on-loop
    def _lend(self) -> None:
        """A recv waits: read the socket's one tcp/ipc connection here, if it qualifies."""
        try:
            got = _lend_reads(self.core)
        except OSError:
            return  # the I/O side could not change its watch: it keeps reading
        if got is None:
            return
        sink, token, fd = got
        try:
            dup = os.dup(fd)  # ours to close, as for ZMQ_FD above
            try:
                self.loop.add_reader(dup, self._on_conn)
            except BaseException:
                os.close(dup)
                raise
        except BaseException as e:
            sink.unlend(token)
            if isinstance(e, OSError):
                return  # out of fds, say: the I/O thread keeps reading
            raise
        self.conn = (sink, token)
        self.conn_fd = dup

    def _on_conn(self) -> None:
        conn = self.conn
        if conn is None:
            return
        try:
            if not conn[0].read_lent(conn[1], self.core.mailbox):
                self._unwatch()  # the lending ended on the I/O side
        finally:
            self._on_fd()  # complete what came (and drain the commands it queued)

    def _give_back_idle(self) -> None:
        self.give_back_soon = False
        if not self.recvs:
            self._give_back()

    def _give_back(self) -> None:
        conn = self.conn
        if conn is not None:
            self._unwatch()
            conn[0].unlend(conn[1])

    def _unwatch(self) -> None:
        fd, self.conn, self.conn_fd = self.conn_fd, None, None
        if fd is not None:
            try:
                self.loop.remove_reader(fd)
            except (ValueError, OSError, RuntimeError):
                pass  # the loop is closed (its selector with it)
            os.close(fd)

    def disarm(self) -> None:
        self._give_back()
        if self.fd is not None:
            try:
                self.core.close_hooks.remove(self._core_closed)
            except ValueError:
                pass  # the hooks are running (or ran): the close is what disarms us
            fd, self.fd = self.fd, None
            try:
                self.loop.remove_reader(fd)
            except (ValueError, OSError, RuntimeError):
                pass  # the loop is closed (its selector with it), or never saw the fd
            os.close(fd)

    # ------------------------------------------------------------------ operations
    def add(self, queue: deque[_Op], op: _Op, timeout: int) -> None:
        queue.append(op)
        if timeout >= 0:
            op.timer = self.loop.call_later(timeout / 1000.0, self._expire, queue, op)
        op.future.add_done_callback(self._on_done)
        if self.processing:
            self.kick()
        else:
            self.process()  # arm the reader now rather than one loop iteration later

    def _on_done(self, future: asyncio.Future[Any]) -> None:
        if future.cancelled():
            self.kick()  # prune it; drop the reader if nothing else waits

    def _expire(self, queue: deque[_Op], op: _Op) -> None:
        op.timer = None
        if not op.future.done():
            op.future.set_exception(Again())
        self.kick()

    def _run_first(self, queue: deque[_Op]) -> bool:
        """Attempt the first live operation of ``queue``; True if it completed."""
        while queue:
            op = queue[0]
            if op.future.done():
                queue.popleft()
                op.finish()
                continue
            try:
                result = op.attempt()
            except Again:
                return False  # not ready after all (e.g. a SUB's filtered message)
            except ZMQError as e:
                queue.popleft()
                op.finish()
                op.future.set_exception(translate(e))
                return True
            except Exception as e:
                queue.popleft()
                op.finish()
                op.future.set_exception(e)
                return True
            if result is _NOT_READY:
                return False
            queue.popleft()
            op.finish()
            op.future.set_result(result)
            return True
        return False

    def _prune(self) -> None:
        for queue in (self.recvs, self.sends):
            while queue and queue[0].future.done():
                queue.popleft().finish()
        if self.watchers:
            self.watchers = [w for w in self.watchers if not w[0].done()]

    def fail_all(self, exc: BaseException, cancel: bool = False) -> None:
        for queue in (self.recvs, self.sends):
            while queue:
                op = queue.popleft()
                op.finish()
                if not op.future.done():
                    if cancel:
                        op.future.cancel()
                    else:
                        op.future.set_exception(exc)
        watchers, self.watchers = self.watchers, []
        for fut, _mask in watchers:
            if not fut.done():
                if cancel:
                    fut.cancel()
                else:
                    fut.set_exception(exc)
        self.disarm()

    def process(self) -> None:
        """Complete what the socket's current ZMQ_EVENTS allows; wait on ZMQ_FD for more."""
        self.scheduled = False
        if self.processing:  # re-entered from an operation's own code: run again later
            self.kick()
            return
        core = self.core
        if core.closed:
            self.fail_all(ZMQError(C.ENOTSOCK, "socket is closed"))
            return
        self.processing = True
        recvs, sends = self.recvs, self.sends
        try:
            while True:
                if (recvs and recvs[0].future.done()) or (sends and sends[0].future.done()) \
                        or self.watchers:
                    self._prune()
                if not (recvs or sends or self.watchers):
                    break
                events = core.events()  # processes commands: drains ZMQ_FD
                progressed = False
                if events & _POLLIN and recvs:
                    progressed = self._run_first(recvs)
                if events & _POLLOUT and sends:
                    progressed = self._run_first(sends) or progressed
                if self.watchers and events:
                    keep = []
                    for fut, mask in self.watchers:
                        if not fut.done():
                            if events & mask:
                                fut.set_result(int(events & mask))
                            else:
                                keep.append((fut, mask))
                    self.watchers = keep
                if not progressed:
                    break
            if self.conn is not None and not recvs and not self.give_back_soon:
                # not at once: the task that got the message usually waits for the next
                # one right away, and lending anew costs more than keeping the fd
                self.give_back_soon = True
                self.loop.call_soon(self._give_back_idle)
            if self.pending():
                self._arm()
                if recvs and self.conn is None:
                    self._lend()
        except ZMQError as e:
            self.fail_all(translate(e))
        finally:
            self.processing = False


def _state(core: SocketBase) -> _IOState | None:
    """The socket's current I/O state (kept in the core's slot for a face)."""
    return cast("_IOState | None", core.face_state)


def _state_of(core: SocketBase) -> _IOState:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = _get_loop()
    state: _IOState | None = core.face_state
    if state is not None:
        if state.loop is loop:
            return state
        # an idle socket moving to another loop
        old = state.loop
        if state.pending() and not old.is_closed():
            raise RuntimeError("this zmq4 socket has operations pending on another "
                               "event loop")
        if old.is_running():  # in another thread: its selector is its own business
            old.call_soon_threadsafe(state.disarm)
        else:
            state.disarm()
    state = core.face_state = _IOState(core, loop)
    return state


def _kick(core: SocketBase) -> None:
    state = _state(core)
    if state is not None:
        state.kick()


def _plain_future(loop: asyncio.AbstractEventLoop) -> asyncio.Future[Any]:
    return loop.create_future()


def _then(attempt: Callable[[], Any], load: Callable[[Any], T]) -> Callable[[], T]:
    def attempt_and_load() -> T:
        return load(attempt())
    return attempt_and_load


class Socket(_socket.Socket):
    """A zmq4 socket whose ``send*``/``recv*``/``poll`` return awaitables
    (``await sock.recv()``); everything else is :class:`zmq4.Socket`."""

    __slots__ = ()

    #: makes the future an operation returns (zmq4.eventloop.future: tornado-flavoured)
    _new_future = staticmethod(_plain_future)

    @classmethod
    def from_socket(cls: type[_S], socket: _socket.Socket) -> _S:
        """An asyncio socket sharing ``socket`` (a shadow: closing either closes both)."""
        return cls.shadow(socket)

    # ------------------------------------------------------------------ plumbing
    def _submit(self, queue_name: str, attempt: Callable[[], Any], flags: int,
                timeout: int) -> asyncio.Future[Any]:
        state = _state_of(self._core)
        fut: asyncio.Future[Any] = self._new_future(state.loop)
        queue: deque[_Op] = getattr(state, queue_name)
        if not queue or flags & C.DONTWAIT:
            try:
                result = attempt()  # NOT_READY (or Again) when it cannot complete now
            except Again:
                result = _NOT_READY
            except ZMQError as e:
                fut.set_exception(translate(e))
                state.kick()
                return fut
            except Exception as e:
                fut.set_exception(e)
                state.kick()
                return fut
            if result is not _NOT_READY:
                fut.set_result(result)
                state.kick()
                return fut
            if flags & C.DONTWAIT or timeout == 0:
                fut.set_exception(Again())
                state.kick()
                return fut
        state.add(queue, _Op(fut, attempt), timeout)
        return fut

    def _rcvtimeo(self) -> int:
        return int(self._core.options.rcvtimeo)

    def _sndtimeo(self) -> int:
        return int(self._core.options.sndtimeo)

    # ------------------------------------------------------------------ receive
    def recv(self, flags: int = 0, copy: bool = True,  # type: ignore[override]
             track: bool = False) -> asyncio.Future[Any]:
        """Await the next frame (``bytes``, or a :class:`zmq4.Frame` with ``copy=False``)."""
        self._check_flags(flags)
        base = _socket.Socket._recv_nowait

        def attempt() -> Any:
            return base(self, copy, track)

        return self._submit("recvs", attempt, flags, self._rcvtimeo())

    def recv_multipart(self, flags: int = 0, copy: bool = True,  # type: ignore[override]
                       track: bool = False) -> asyncio.Future[Any]:
        """Await all frames of the next message."""
        self._check_flags(flags)
        nb = flags | C.DONTWAIT
        base = _socket.Socket.recv
        core = self._core

        def attempt() -> list[Any]:
            parts = [base(self, nb, copy, track)]
            while core.rcvmore:  # the rest of a message is always there at once
                parts.append(base(self, nb, copy, track))
            return parts

        return self._submit("recvs", attempt, flags, self._rcvtimeo())

    def recv_into(self, buffer: Any, /, *, nbytes: int = 0,  # type: ignore[override]
                  flags: int = 0) -> asyncio.Future[int]:
        """Await the next frame into ``buffer``; the result is the frame's full size."""
        self._check_flags(flags)
        nb = flags | C.DONTWAIT
        base = _socket.Socket.recv_into
        memoryview(buffer)  # type errors now, not when the frame arrives

        def attempt() -> int:
            return base(self, buffer, nbytes=nbytes, flags=nb)

        return self._submit("recvs", attempt, flags, self._rcvtimeo())

    def _deserialize(self, recvd: Any, load: Callable[[Any], T]) -> Any:
        """Apply ``load`` to a receive's result (``recv_string``, ``recv_json``...).

        No second future is chained (its cancellation would reach the receive only one loop
        step later, after the receive may already have taken a message): ``load`` becomes
        part of the pending operation itself, so cancelling the returned future cancels
        the receive."""
        fut: asyncio.Future[Any] = recvd
        if fut.done():
            out: asyncio.Future[Any] = self._new_future(fut.get_loop())
            if fut.cancelled():
                out.cancel()
            elif fut.exception() is not None:
                out.set_exception(fut.exception())  # type: ignore[arg-type]
            else:
                try:
                    out.set_result(load(fut.result()))
                except Exception as e:
                    out.set_exception(e)
            return out
        state = _state(self._core)
        for op in state.recvs if state is not None else ():
            if op.future is fut:
                op.attempt = _then(op.attempt, load)
                return fut
        raise RuntimeError("_deserialize: not a pending receive of this socket")

    # ------------------------------------------------------------------ send
    def send(self, data: Any, flags: int = 0, copy: bool = True,  # type: ignore[override]
             track: bool = False, routing_id: int | None = None,
             group: str | None = None) -> asyncio.Future[Any]:
        """Await queuing one frame; the result is what :meth:`zmq4.Socket.send` returns
        (None, or a MessageTracker)."""
        self._check_flags(flags)
        base = _socket.Socket._send_nowait
        if isinstance(data, str):
            raise TypeError("str not allowed, use send_string() (or encode to bytes)")

        def attempt() -> Any:
            return base(self, data, flags, copy, track, routing_id, group)

        return self._submit("sends", attempt, flags, self._sndtimeo())

    def send_multipart(self, msg_parts: Sequence[Any], flags: int = 0,  # type: ignore[override]
                       copy: bool = True, track: bool = False,
                       **kwargs: Any) -> asyncio.Future[Any]:
        """Await queuing a whole multipart message (atomically)."""
        parts = _socket.check_parts(msg_parts)
        self._check_flags(flags)
        base = _socket.Socket.send
        more = flags | C.SNDMORE | C.DONTWAIT
        last = flags | C.DONTWAIT

        def attempt() -> Any:
            # the first frame decides (EAGAIN); the rest of a started message always fits
            for part in parts[:-1]:
                base(self, part, more, copy, track, **kwargs)
            return base(self, parts[-1], last, copy, track, **kwargs)

        return self._submit("sends", attempt, flags, self._sndtimeo())

    # ------------------------------------------------------------------ poll
    def poll(self, timeout: float | None = None,  # type: ignore[override]
             flags: int = C.POLLIN) -> asyncio.Future[int]:
        """Await ``flags`` (POLLIN/POLLOUT) for up to ``timeout`` ms (None: forever);
        the result is the ready events (0 on timeout)."""
        if self.closed:
            raise ZMQError(C.ENOTSOCK, "socket is closed")
        self._check_flags(flags)
        if not flags:
            raise ValueError("flags must include POLLIN and/or POLLOUT")
        ms = timeout_ms(timeout)
        state = _state_of(self._core)
        fut: asyncio.Future[int] = self._new_future(state.loop)
        try:
            ready = int(self._core.events() & flags)
        except ZMQError as e:
            fut.set_exception(translate(e))
            return fut
        if ready or ms == 0:
            fut.set_result(ready)
            state.kick()
            return fut
        watcher: asyncio.Future[int] = state.loop.create_future()
        state.watchers.append((watcher, flags))

        def expire() -> None:
            if not watcher.done():
                watcher.set_result(0)

        timer = None if ms < 0 else state.loop.call_later(ms / 1000.0, expire)

        def done(w: asyncio.Future[int]) -> None:
            if timer is not None:
                timer.cancel()
            if fut.done():
                return
            if w.cancelled():
                fut.cancel()
            elif w.exception() is not None:
                fut.set_exception(w.exception())  # type: ignore[arg-type]
            else:
                fut.set_result(w.result())

        def cancelled(f: asyncio.Future[int]) -> None:
            if f.cancelled() and not watcher.done():
                watcher.cancel()
                state.kick()

        watcher.add_done_callback(done)
        fut.add_done_callback(cancelled)
        state.kick()
        return fut

    # ------------------------------------------------------------------ things that drain ZMQ_FD
    def get(self, option: int | str) -> Any:
        try:
            return super().get(option)
        finally:
            _kick(self._core)

    getsockopt = get

    def set(self, option: int | str, optval: Any) -> None:
        try:
            super().set(option, optval)
        finally:
            _kick(self._core)

    setsockopt = set

    def bind(self, addr: str | bytes) -> Any:
        try:
            return super().bind(addr)
        finally:
            _kick(self._core)

    def connect(self, addr: str | bytes) -> Any:
        try:
            return super().connect(addr)
        finally:
            _kick(self._core)

    def unbind(self, addr: str | bytes) -> None:
        try:
            super().unbind(addr)
        finally:
            _kick(self._core)

    def disconnect(self, addr: str | bytes) -> None:
        try:
            super().disconnect(addr)
        finally:
            _kick(self._core)

    def close(self, linger: int | None = None) -> None:
        """Close the socket; pending operations are cancelled."""
        state = _state(self._core)
        self._core.face_state = None
        if state is not None:
            try:
                state.fail_all(ZMQError(C.ENOTSOCK, "socket closed"), cancel=True)
            except RuntimeError:  # its event loop is closed: nothing can await them
                state.disarm()
        super().close(linger)

    def __repr__(self) -> str:
        return super().__repr__().replace(f"{package_name()}.Socket",
                                            f"{package_name()}.asyncio.Socket", 1)


class Context(_context.Context[Socket]):
    """A zmq4 context whose ``socket()`` makes :class:`zmq4.asyncio.Socket` objects;
    ``Context(sync_ctx)`` / ``Context.shadow(handle)`` share an existing context.
    ``instance()`` is its own (not the synchronous ``zmq4.Context.instance()``)."""

    _instance: ClassVar[Any] = None
    _instance_pid: ClassVar[int | None] = None
    _socket_class: Callable[..., Any] = Socket

    def __repr__(self) -> str:
        return super().__repr__().replace(f"{package_name()}.Context",
                                            f"{package_name()}.asyncio.Context", 1)


class Poller(_poller.Poller):
    """A Poller whose ``poll(timeout)`` is awaitable; zmq4 sockets (async or not), raw fds
    and objects with ``fileno()`` as in :class:`zmq4.Poller`."""

    _new_future = staticmethod(_plain_future)

    def poll(self, timeout: float | None = None) -> asyncio.Future[  # type: ignore[override]
            list[tuple[Any, int]]]:
        """Await readiness of any registered item for up to ``timeout`` ms (None: forever);
        the result is ``[(item, revents), ...]`` as in :meth:`zmq4.Poller.poll`."""
        ms = timeout_ms(timeout)
        loop = _get_loop()
        fut: asyncio.Future[list[tuple[Any, int]]] = self._new_future(loop)
        items = list(self.sockets)
        states: list[tuple[_IOState, int]] = []
        watchers: dict[int, asyncio.Future[int]] = {}
        raw: list[tuple[int, bool]] = []
        timer: list[asyncio.TimerHandle] = []

        def cleanup() -> None:
            for w in watchers.values():
                if not w.done():
                    w.cancel()
            watchers.clear()
            for fd, writer in raw:
                try:
                    (loop.remove_writer if writer else loop.remove_reader)(fd)
                except (ValueError, OSError, RuntimeError):
                    pass
            raw.clear()
            for t in timer:
                t.cancel()
            for state, _flags in states:
                state.kick()  # prune our watcher; re-check for the socket's own operations

        def finish(result: list[tuple[Any, int]] | None, exc: BaseException | None) -> None:
            cleanup()
            if fut.done():
                return
            if exc is not None:
                fut.set_exception(translate(exc) if isinstance(exc, ZMQError) else exc)
            else:
                fut.set_result(result or [])

        def arm() -> None:
            for i, (state, flags) in enumerate(states):
                w = watchers.get(i)
                if w is None or w.done():
                    w = state.loop.create_future()
                    state.watchers.append((w, flags))
                    w.add_done_callback(wake)
                    watchers[i] = w
                    state.kick()

        def wake(*_: Any) -> None:
            if fut.done():
                return
            try:
                found = _backend_poll.zmq_poll(items, 0)
            except Exception as e:
                finish(None, e)
                return
            if found:
                finish(found, None)
            else:
                arm()  # a wake-up for something else: keep watching

        try:
            ready = _backend_poll.zmq_poll(items, 0)
        except Exception as e:
            finish(None, e)
            return fut
        if ready or ms == 0 or not items:
            fut.set_result(ready)
            for item, _flags in items:
                if isinstance(item, _socket.Socket):
                    _kick(item._core)  # the poll drained their ZMQ_FD
            return fut
        try:
            for item, flags in items:
                if isinstance(item, _socket.Socket):
                    states.append((_state_of(item._core), flags))
                    continue
                fd, _ = _backend_poll._entry(item, flags)
                if flags & C.POLLIN:
                    loop.add_reader(fd, wake)
                    raw.append((fd, False))
                if flags & C.POLLOUT:
                    loop.add_writer(fd, wake)
                    raw.append((fd, True))
            arm()
        except Exception as e:
            finish(None, e)
            return fut
        if ms >= 0:
            timer.append(loop.call_later(ms / 1000.0, finish, [], None))

        def on_done(f: asyncio.Future[list[tuple[Any, int]]]) -> None:
            if f.cancelled():
                cleanup()

        fut.add_done_callback(on_done)
        return fut


def install() -> None:
    """Deprecated, a no-op (pyzmq's): zmq4 sockets work on any asyncio event loop."""
    import warnings

    warnings.warn("zmq4.asyncio.install() is not needed: any asyncio loop works",
                  DeprecationWarning, stacklevel=2)


class ZMQEventLoop(asyncio.SelectorEventLoop):
    """Deprecated (pyzmq's): a plain selector event loop; any asyncio loop works."""

    def __init__(self, selector: Any = None) -> None:
        import warnings

        warnings.warn("ZMQEventLoop is deprecated: use any asyncio event loop",
                      DeprecationWarning, stacklevel=2)
        super().__init__(selector)
