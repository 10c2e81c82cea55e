"""``ZMQStream``: callbacks for a zmq4 socket on a tornado IOLoop (pyzmq's ``zmqstream``).

Owns: turning a socket's readiness into callbacks — ``on_recv`` (each whole message, as
``recv_multipart`` returns it), ``on_send`` (after each queued message went out) — and a
send queue (``send``/``send_multipart``/``send_string``/``send_json``/``send_pyobj``
queue a message and send it when the socket can take it), ``flush``, and closing.

How readiness is watched (and why no wake-up is lost): ZMQ_FD is edge-triggered in effect
(any operation on the socket may drain it), so the stream never trusts it alone. The IOLoop
watches the stream's own duplicate of ZMQ_FD (so the number registered in the loop's
selector is never released under it, however the socket gets closed). On a wake-up the
stream reads ZMQ_EVENTS, handles at most one received and one sent message, reads
ZMQ_EVENTS again and, while it still reports work the stream wants, schedules itself
with ``add_callback`` instead of waiting for the fd: one message per loop iteration and
per direction, so other handlers get their turn.

Rules (pyzmq's): callbacks get what the base :class:`zmq4.Socket` returns (a list of
``bytes``, or of :class:`zmq4.Frame` with ``copy=False``), so a stream made from an
awaitable socket (:mod:`zmq4.asyncio`) warns and wraps a plain shadow of it. A callback
may be a coroutine function; its errors, like a plain callback's, are logged on tornado's
``tornado.general`` logger ("Uncaught exception in ZMQStream callback"). A plain callback's
exception is re-raised to the loop after the stream re-armed itself, so one failing
callback never stalls the stream. A send that fails is logged and its ``on_send``
callback gets the exception as status. The stream is used from its IOLoop's thread.
Closing the stream closes its socket; a socket closed behind the stream's back is
noticed at the next wake-up (a closed socket's ZMQ_FD fires) and the stream closes itself,
with a warning that it should have been closed instead.
Imports: tornado, and zmq4's object face.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import pickle
import warnings
from collections.abc import Callable, Sequence
from queue import Queue
from typing import Any

from tornado.ioloop import IOLoop
from tornado.log import gen_log

from .. import zmq_h as C
from ..errors import ContextTerminated, ZMQError
from ..frame import MessageTracker
from ..poller import Poller
from ..socket import Socket
from ..utils import jsonapi

__all__ = ["ZMQStream"]

#: the pyzmq name of the logger the stream reports on (tornado's "tornado.general")
gen_log = gen_log


class _NotCallable(TypeError, AssertionError):
    """A callback that is neither callable nor None (pyzmq asserts: AssertionError)."""


def _check_callable(callback: Any) -> None:
    if callback is not None and not callable(callback):
        raise _NotCallable(f"callback must be callable or None, not {callback!r}")


def _ignore_sent(msg: Any, status: Any) -> None:
    """The send callback of a message sent without one."""


class _WakeFd:
    """The stream's duplicate of its socket's ZMQ_FD, as registered with the IOLoop.

    tornado's ``IOLoop.close(all_fds=True)`` calls ``close()`` on what was registered:
    that closes the stream (and its socket), as it closes a registered pyzmq socket."""

    __slots__ = ("fd", "stream")

    def __init__(self, fd: int, stream: ZMQStream) -> None:
        self.fd = fd
        self.stream: ZMQStream | None = stream

    def fileno(self) -> int:
        return self.fd

    def close(self) -> None:
        stream, self.stream = self.stream, None
        if stream is not None:
            stream._close(None, warn=False)
        self.release()

    def release(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            os.close(fd)


class ZMQStream:
    """Callbacks for a zmq4 socket on a tornado IOLoop (pyzmq's ``ZMQStream``).

    ``ZMQStream(socket, io_loop=None)`` (default loop: ``IOLoop.current()``). Register
    ``on_recv(callback)`` to get every message, ``on_send(callback)`` to hear about sent
    ones; ``send*`` queue messages. ``bind``, ``connect``, ``setsockopt``... are the
    socket's own methods; everything else is on ``stream.socket``.
    """

    socket: Socket
    io_loop: IOLoop
    poller: Poller
    bind: Callable[..., Any]
    bind_to_random_port: Callable[..., int]
    connect: Callable[..., Any]
    setsockopt: Callable[..., None]
    getsockopt: Callable[..., Any]
    setsockopt_string: Callable[..., None]
    getsockopt_string: Callable[..., str]
    setsockopt_unicode: Callable[..., None]
    getsockopt_unicode: Callable[..., str]

    def __init__(self, socket: Socket, io_loop: IOLoop | None = None) -> None:
        from .. import asyncio as _zasyncio

        if not isinstance(socket, Socket):
            raise TypeError(f"ZMQStream needs a zmq4 Socket, not {type(socket).__name__}")
        if isinstance(socket, _zasyncio.Socket):
            warnings.warn(
                "ZMQStream works on plain zmq4.Socket objects: this awaitable socket is "
                "wrapped in a zmq4.Socket shadow (create it with "
                f"ctx.socket(zmq.{socket.type.name}, socket_class=zmq.Socket), or pass "
                "zmq.Socket(shadow=sock), to avoid this warning)",
                RuntimeWarning, stacklevel=2)
            socket = Socket(shadow=socket)
        if socket.closed:
            raise ZMQError(C.ENOTSOCK, "ZMQStream: the socket is closed")
        self.socket = socket
        self.io_loop = io_loop or IOLoop.current()
        self.poller = Poller()
        self._send_queue: Queue[tuple[Sequence[Any], dict[str, Any]]] = Queue()
        self._recv_callback: Callable[..., Any] | None = None
        self._send_callback: Callable[..., Any] | None = None
        self._close_callback: Callable[..., Any] | None = None
        self._recv_copy = True
        self._flushed = False
        self._state = 0
        self._check_scheduled = False
        self._wake = _WakeFd(os.dup(int(socket.get(C.FD))), self)
        self._fd = self._wake.fd
        try:
            self.io_loop.add_handler(self._wake, self._handle_events, IOLoop.READ)
        except BaseException:
            self._wake.stream = None
            self._wake.release()
            raise
        # the socket's own methods, pyzmq's short cuts
        self.bind = socket.bind
        self.bind_to_random_port = socket.bind_to_random_port
        self.connect = socket.connect
        self.setsockopt = socket.setsockopt
        self.getsockopt = socket.getsockopt
        self.setsockopt_string = socket.setsockopt_string
        self.getsockopt_string = socket.getsockopt_string
        self.setsockopt_unicode = socket.setsockopt_unicode
        self.getsockopt_unicode = socket.getsockopt_unicode

    def __repr__(self) -> str:
        sock = "closed" if self.socket is None else repr(self.socket)
        return f"<zmq4 ZMQStream({sock}) at {id(self):#x}>"

    # ------------------------------------------------------------------ callbacks
    def on_recv(self, callback: Callable[[list[Any]], Any] | None,
                copy: bool = True) -> None:
        """Call ``callback(msg)`` with every message received (a list of ``bytes``, or of
        Frames with ``copy=False``); ``None`` stops receiving. One callback at a time:
        each call replaces the previous one."""
        self._check_closed()
        _check_callable(callback)
        self._recv_callback = callback
        self._recv_copy = copy
        if callback is None:
            self._drop_io_state(C.POLLIN)
        else:
            self._add_io_state(C.POLLIN)

    def on_recv_stream(self, callback: Callable[[ZMQStream, list[Any]], Any] | None,
                       copy: bool = True) -> None:
        """:meth:`on_recv` with the stream as first argument: ``callback(stream, msg)``."""
        if callback is None:
            self.stop_on_recv()
            return
        _check_callable(callback)

        def with_stream(msg: list[Any]) -> Any:
            return callback(self, msg)

        self.on_recv(with_stream, copy=copy)

    def on_send(self, callback: Callable[[Sequence[Any], Any], Any] | None) -> None:
        """Call ``callback(msg, status)`` after each queued message was sent: ``msg`` as
        given to ``send_multipart``, ``status`` what ``Socket.send_multipart`` returned (a
        MessageTracker or None), or the ZMQError that failed it. ``None`` stops."""
        self._check_closed()
        _check_callable(callback)
        self._send_callback = callback

    def on_send_stream(self, callback: Callable[[ZMQStream, Sequence[Any], Any], Any] | None
                       ) -> None:
        """:meth:`on_send` with the stream as first argument: ``callback(stream, msg,
        status)``."""
        if callback is None:
            self.stop_on_send()
            return
        _check_callable(callback)

        def with_stream(msg: Sequence[Any], status: Any) -> Any:
            return callback(self, msg, status)

        self.on_send(with_stream)

    def stop_on_recv(self) -> None:
        """Stop receiving (and calling the recv callback)."""
        self.on_recv(None)

    def stop_on_send(self) -> None:
        """Stop calling the send callback (queued messages are still sent)."""
        self.on_send(None)

    def on_err(self, callback: Callable[..., Any]) -> None:
        """Deprecated in pyzmq and a no-op: errors go to the logger."""
        gen_log.warning("ZMQStream.on_err does nothing (deprecated)")

    def stop_on_err(self) -> None:
        """Deprecated in pyzmq and a no-op."""
        gen_log.warning("ZMQStream.stop_on_err does nothing (deprecated)")

    def set_close_callback(self, callback: Callable[[], Any] | None) -> None:
        """Call ``callback()`` when the stream closes."""
        self._close_callback = callback

    # ------------------------------------------------------------------ sending
    def send(self, msg: Any, flags: int = 0, copy: bool = True, track: bool = False,
             callback: Callable[..., Any] | None = None, **kwargs: Any) -> None:
        """Queue one frame (see :meth:`send_multipart`)."""
        self.send_multipart([msg], flags=flags, copy=copy, track=track, callback=callback,
                            **kwargs)

    def send_multipart(self, msg: Sequence[Any], flags: int = 0, copy: bool = True,
                       track: bool = False, callback: Callable[..., Any] | None = None,
                       **kwargs: Any) -> None:
        """Queue a multipart message; it is sent when the socket can take it. A
        ``callback`` becomes the send callback (pyzmq's rule: it stays registered)."""
        kwargs.update(flags=flags, copy=copy, track=track)
        self._send_queue.put((msg, kwargs))
        self.on_send(callback or self._send_callback or _ignore_sent)
        self._add_io_state(C.POLLOUT)

    def send_string(self, u: str, flags: int = 0, encoding: str = "utf-8",
                    callback: Callable[..., Any] | None = None, **kwargs: Any) -> None:
        """Queue a ``str``, encoded with ``encoding``."""
        if not isinstance(u, str):
            raise TypeError(f"send_string needs str, not {type(u).__name__}")
        self.send(u.encode(encoding), flags=flags, callback=callback, **kwargs)

    send_unicode = send_string

    def send_json(self, obj: Any, flags: int = 0,
                  callback: Callable[..., Any] | None = None, **kwargs: Any) -> None:
        """Queue ``obj`` as JSON."""
        self.send(jsonapi.dumps(obj), flags=flags, callback=callback, **kwargs)

    def send_pyobj(self, obj: Any, flags: int = 0, protocol: int = -1,
                   callback: Callable[..., Any] | None = None, **kwargs: Any) -> None:
        """Queue ``obj`` pickled with ``protocol`` (-1: the highest)."""
        self.send(pickle.dumps(obj, protocol), flags, callback=callback, **kwargs)

    # ------------------------------------------------------------------ state
    def receiving(self) -> bool:
        """Whether a recv callback is registered."""
        return self._recv_callback is not None

    def sending(self) -> bool:
        """Whether messages are queued to send."""
        return not self._send_queue.empty()

    def closed(self) -> bool:
        """Whether the stream is closed (a socket closed elsewhere closes it now)."""
        if self.socket is None:
            return True
        if self.socket.closed:
            self.close()
            return True
        return False

    def flush(self, flag: int = C.POLLIN | C.POLLOUT, limit: int | None = None) -> int:
        """Handle pending messages now instead of in later loop iterations: receive (with
        ``flag & POLLIN``, even with no recv callback: a way to drop incoming messages)
        and send (with ``flag & POLLOUT``) until nothing is ready or ``limit`` messages
        were handled. Returns how many were; the callbacks skip the rest of this loop
        iteration."""
        self._check_closed()
        already_flushed, self._flushed = self._flushed, False
        count = 0

        def wanted() -> int:
            return (flag & C.POLLIN) | (flag & C.POLLOUT if self.sending() else 0)

        events = wanted()
        while events and (not limit or count < limit):
            self.poller.register(self.socket, events)
            ready = self.poller.poll(0)
            if not ready:
                break
            revents = ready[0][1]
            if revents & C.POLLIN:
                self._handle_recv()
                count += 1
                if self.socket is None:
                    break
            if revents & C.POLLOUT and self.sending():
                self._handle_send()
                count += 1
                if self.socket is None:
                    break
            events = wanted()
        if count:
            self._flushed = True
            if not already_flushed:
                self.io_loop.add_callback(self._finish_flush)
        elif already_flushed:
            self._flushed = True
        self._rebuild_io_state()
        return count

    def _finish_flush(self) -> None:
        self._flushed = False

    def close(self, linger: int | None = None) -> None:
        """Stop watching the socket and close it (``linger`` ms, see
        :meth:`zmq4.Socket.close`); then run the close callback. Idempotent."""
        self._close(linger, warn=True)

    def _close(self, linger: int | None, warn: bool) -> None:
        sock = self.socket
        if sock is None:
            return
        if sock.closed and warn:
            warnings.warn(
                f"ZMQStream.close() after closing socket {sock!r} directly: close the "
                "stream instead (stream.close() closes its socket too)", stacklevel=3)
        try:
            self.io_loop.remove_handler(self._wake)
        finally:
            self._wake.stream = None
            self._wake.release()
            self.socket = None  # type: ignore[assignment]
            self.poller = Poller()
            if not sock.closed:
                sock.close(linger)
        if self._close_callback is not None:
            self._run_callback(self._close_callback)

    # ------------------------------------------------------------------ internals
    def _check_closed(self) -> None:
        if self.socket is None:
            raise OSError("Stream is closed")

    def _run_callback(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run a user callback; an awaitable it returns runs as a task whose failure is
        logged. A plain callback's exception is logged and re-raised."""
        try:
            result = callback(*args)
        except Exception:
            gen_log.error("Uncaught exception in ZMQStream callback", exc_info=True)
            raise
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(result)
            task.add_done_callback(_log_task_failure)

    def _handle_events(self, fd: Any, events: int) -> None:
        """The IOLoop handler (and the scheduled re-check): dispatch what ZMQ_EVENTS says."""
        self._check_scheduled = False
        sock = self.socket
        if sock is None:
            gen_log.warning("Got events for closed stream %s", self)
            return
        try:
            zmq_events = int(sock.get(C.EVENTS))
        except ContextTerminated:
            gen_log.warning("Got events for stream %s after terminating context", self)
            if not self.closed():
                # nothing will ever be ready again: stop watching until close()
                self.io_loop.update_handler(self._wake, 0)
            return
        except ZMQError as e:
            if self.closed():
                gen_log.warning("Got events for stream %s attached to closed socket: %s",
                                self, e)
            else:
                gen_log.error("Error getting events for %s: %s", self, e)
            return
        try:
            if zmq_events & C.POLLIN and self.receiving():
                self._handle_recv()
                if self.socket is None:
                    return
            if zmq_events & C.POLLOUT and self.sending():
                self._handle_send()
        finally:
            self._rebuild_io_state()

    def _handle_recv(self) -> None:
        if self._flushed:
            return
        try:
            msg = self.socket.recv_multipart(C.DONTWAIT, copy=self._recv_copy)
        except ZMQError as e:
            if e.errno == C.EAGAIN:
                return  # taken meanwhile (flush) or filtered
            raise
        callback = self._recv_callback
        if callback is not None:
            self._run_callback(callback, msg)

    def _handle_send(self) -> None:
        if self._flushed:
            return
        if not self.sending():
            gen_log.error("ZMQStream: a send event with nothing queued")
            return
        msg, kwargs = self._send_queue.get()
        status: MessageTracker | ZMQError | None
        try:
            status = self.socket.send_multipart(msg, **kwargs)
        except ZMQError as e:
            gen_log.error("SEND Error: %s", e)
            status = e
        callback = self._send_callback
        if callback is not None:
            self._run_callback(callback, msg, status)

    def _rebuild_io_state(self) -> None:
        if self.socket is None:
            return
        state = 0
        if self.receiving():
            state |= C.POLLIN
        if self.sending():
            state |= C.POLLOUT
        self._state = state
        self._update_handler(state)

    def _add_io_state(self, state: int) -> None:
        self._state |= state
        self._update_handler(self._state)

    def _drop_io_state(self, state: int) -> None:
        self._state &= ~state
        self._update_handler(self._state)

    def _update_handler(self, state: int) -> None:
        """Re-check soon if ZMQ_EVENTS already reports what ``state`` wants: the fd may
        have been drained by the operation that just ran, and will not fire for it."""
        sock = self.socket
        if sock is None or not state or self._check_scheduled:
            return
        try:
            ready = int(sock.get(C.EVENTS)) & state
        except ZMQError:
            ready = state  # closed or terminated: _handle_events finds out and says so
        if ready:
            self._check_scheduled = True
            self.io_loop.add_callback(self._handle_events, self._wake, 0)


def _log_task_failure(task: asyncio.Future[Any]) -> None:
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None:
        gen_log.error("Uncaught exception in ZMQStream callback",
                      exc_info=(type(exc), exc, exc.__traceback__))
