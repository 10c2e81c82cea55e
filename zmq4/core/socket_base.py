"""The socket every type builds on (libzmq socket_base_t).

Owns: the user-thread side of a socket — option get/set dispatch, bind/connect/unbind/
disconnect bookkeeping, the blocking send/recv loops with SNDTIMEO/RCVTIMEO/DONTWAIT,
command processing from the mailbox (pipe activations, new pipes, termination, ctx stop),
ZMQ_EVENTS/ZMQ_FD, the socket monitor, and close.

Socket types subclass it and implement libzmq's ``x*`` hooks: ``xattach_pipe``, ``xsend``
(return False for EAGAIN, raise ZMQError for other errors), ``xrecv`` (return a Msg or None
for EAGAIN), ``xhas_in``, ``xhas_out``, ``xread_activated``, ``xwrite_activated``,
``xpipe_terminated``, ``xhiccuped``, ``xsetsockopt`` (options listed in ``TYPE_OPTIONS``).

Rules: only the owner thread calls public methods (as in libzmq); other threads reach a
socket only through ``post``. After ctx shutdown every call except close raises ETERM; a
closed socket raises ENOTSOCK. Blocking waits release the GIL and let signal handlers run.
"""

from __future__ import annotations

import logging
import struct
from typing import TYPE_CHECKING, Any, Callable, Optional

from .. import _native
from .. import zmq_h as C
from ..errors import ZMQError
from ..msg import MORE, Msg
from . import fastpath as _fastpath
from . import options as _options
from .mailbox import Mailbox
from .pipe import Pipe, pipepair
from .sockcore import SocketCore

if TYPE_CHECKING:
    from .ctx import Context

log = logging.getLogger("zmq4")

_TRANSPORTS = ("inproc", "ipc", "tcp", "pgm", "epgm")
_EVENT_HEADER = struct.Struct("=HI")  # monitor frame 1: uint16 event + uint32 value, native


def parse_endpoint(endpoint: str) -> tuple[str, str]:
    """Split ``transport://address``; EINVAL for bad syntax, EPROTONOSUPPORT for unknown."""
    if not isinstance(endpoint, str):
        raise ZMQError(C.EINVAL, f"endpoint must be a string, not {type(endpoint).__name__}")
    transport, sep, address = endpoint.partition("://")
    if not sep or not transport or not address:
        raise ZMQError(C.EINVAL, f"invalid endpoint {endpoint!r}: expected transport://address")
    if transport not in _TRANSPORTS:
        raise ZMQError(C.EPROTONOSUPPORT, f"unknown transport {transport!r} in {endpoint!r}")
    if transport in ("pgm", "epgm"):
        raise ZMQError(C.EPROTONOSUPPORT, f"{transport}:// (OpenPGM multicast) is not supported")
    return transport, address


class SocketBase(SocketCore):
    """libzmq socket_base_t. (``closed``, ``ctx_terminated``, ``rcvmore``, ``mailbox``,
    ``xsend_fn`` and ``xrecv_fn`` are SocketCore's fields: C fields when compiled.)"""

    TYPE = -1
    NAME = "?"
    #: socket-type options handled by ``xsetsockopt`` (others go to the option table)
    TYPE_OPTIONS: frozenset[int] = frozenset()
    #: tcp/ipc sessions write this type's messages from the sender's thread when their
    #: I/O thread is idle, and let its waiting thread read the input of a connection its
    #: I/O thread has alone (zmq4.io.session "send-through", "recv-through"): types
    #: that never stream
    SEND_THROUGH = False
    #: pipe sink interface: a sink that can wait for its own input in the thread of the
    #: socket at the other end of the pipe offers ``wait_through(mailbox, timeout_ms)``
    #: (tcp/ipc sessions: zmq4.io.session's recv-through), and one whose input an event
    #: loop may read offers ``lend_reads()`` and ``take_back()`` (its read-on-loop); a
    #: socket cannot
    wait_through = None
    lend_reads = None
    take_back = None
    #: whether a connect endpoint sends our identity to the peer (REQ/DEALER/ROUTER...)
    CAN_RECV = True
    CAN_SEND = True

    def __init__(self, ctx: Context, options: _options.Options) -> None:
        self.ctx = ctx
        self.options = options
        self.mailbox = Mailbox()
        self.pipes: set[Pipe] = set()
        self.endpoints: dict[str, list[Any]] = {}  # endpoint -> owned pipes / transports
        self.inproc_names: set[str] = set()
        self.rcvmore = False
        self.ctx_terminated = False
        self.closed = False
        self.xsend_fn = None  # the socket type's compiled xsend/xrecv (bind_fast)
        self.xrecv_fn = None
        self._monitor: Optional[SocketBase] = None
        self._monitor_events = 0
        self._monitor_lock = _native.Lock()
        #: callables a face registers to learn of the close (zmq4.asyncio drops its loop
        #: reader): each runs once, in the closing thread, after the mailbox closed
        self.close_hooks: list[Callable[[], Any]] = []
        #: an opaque slot for a face's per-socket state, shared by all its wrappers
        #: (zmq4.asyncio keeps its pending operations and loop reader there)
        self.face_state: Any = None

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<zmq4 {self.NAME} socket {id(self):#x} {state}>"

    # ------------------------------------------------------------------ plumbing
    def _check(self) -> None:
        if self.closed:
            raise ZMQError(C.ENOTSOCK, "socket is closed")
        if self.ctx_terminated or self.ctx.terminating:
            self.ctx_terminated = True
            raise ZMQError(C.ETERM)

    #: handle queued commands, waiting up to ``timeout_ms`` for one (-1: forever);
    #: ETERM once the context stopped the socket (compiled: zmq4.core.fastpath)
    process_commands = _fastpath.process_commands

    def _dispatch(self, cmd: tuple[Any, ...]) -> None:
        kind = cmd[0]
        if kind == "activate_read":
            pipe = cmd[1]
            if pipe in self.pipes:
                self.xread_activated(pipe)
        elif kind == "activate_write":
            pipe = cmd[1]
            if pipe in self.pipes:
                self.xwrite_activated(pipe)
        elif kind == "pipe_term":
            pipe = cmd[1]
            if pipe in self.pipes:
                # a socket reads what its peer queued before it ended, whatever the
                # peer's LINGER (libzmq 4.0: the reader drains up to the delimiter)
                if pipe.process_term(False):
                    self.pipe_ended(pipe)
                else:
                    self.xread_activated(pipe)  # read what is left, up to the delimiter
        elif kind == "bind":
            self.attach_pipe(cmd[1])
        elif kind == "own":
            pass  # see _announce_child: the wake-up was the point
        elif kind == "hiccup":
            pipe = cmd[1]
            if pipe in self.pipes:
                self.xhiccuped(pipe)
        elif kind == "stop":
            # libzmq process_stop: the monitor ends with the context's termination
            self.ctx_terminated = True
            self._stop_monitor(notify=True)
        elif kind == "call":
            cmd[1](*cmd[2:])
        else:  # pragma: no cover - a programming error, never user input
            raise AssertionError(f"unknown command {kind!r}")

    def attach_pipe(self, pipe: Pipe) -> None:
        """A new pipe to a peer (inproc bind/connect, or a session)."""
        if self.closed:
            pipe.terminate(False)
            return
        self.pipes.add(pipe)
        self.xattach_pipe(pipe)

    def pipe_ended(self, pipe: Pipe) -> None:
        """The pipe is gone (peer closed/disconnected, or we terminated it)."""
        if pipe not in self.pipes:
            return
        self.pipes.discard(pipe)
        ep = pipe.endpoint
        if ep is not None and ep in self.endpoints:
            owned = self.endpoints[ep]
            if pipe in owned:
                owned.remove(pipe)
                if not owned:
                    del self.endpoints[ep]
        self.xpipe_terminated(pipe)

    def terminate_pipe(self, pipe: Pipe, delay: Optional[bool] = None) -> None:
        """End a pipe from our side (socket-type rules, disconnect, REQ_RELAXED)."""
        if delay is None:
            delay = self.options.linger != 0
        pipe.terminate(delay)
        self.pipe_ended(pipe)

    # ------------------------------------------------------------------ options
    def setsockopt(self, option: int, optval: Any, optvallen: Optional[int] = None) -> None:
        self._check()
        if option in self.TYPE_OPTIONS:
            spec = _options.OPTIONS[option]
            value = spec.validate(_options.decode_value(spec, optval, optvallen))
            self.xsetsockopt(option, value)
            return
        self.options.set(option, optval, optvallen)

    def getsockopt(self, option: int, optvallen: Optional[int] = None) -> Any:
        self._check()
        if option in (C.RCVMORE, C.FD, C.EVENTS):
            if optvallen is not None and optvallen < 4:
                raise ZMQError(C.EINVAL, f"option {option}: buffer of {optvallen} bytes, "
                                         "need 4")
            if option == C.RCVMORE:
                return int(self.rcvmore)
            if option == C.FD:
                return self.mailbox.fd
            return self.events()
        return self.options.get(option, optvallen)

    #: ZMQ_EVENTS: process pending commands, then report POLLIN/POLLOUT (compiled:
    #: zmq4.core.fastpath; asyncio and zmq_poll ask it after every wake-up)
    events = _fastpath.events

    # ------------------------------------------------------------------ endpoints
    def bind(self, endpoint: str) -> None:
        self._check()
        if self.mailbox.commands:
            self.process_commands(0)
        transport, address = parse_endpoint(endpoint)
        if transport == "inproc":
            self.ctx.register_inproc(endpoint, self)
            self.inproc_names.add(endpoint)
            self.options.last_endpoint = endpoint
            return
        self._transport_bind(transport, address, endpoint)

    def connect(self, endpoint: str) -> None:
        self._check()
        if self.mailbox.commands:
            self.process_commands(0)
        transport, address = parse_endpoint(endpoint)
        if transport == "inproc":
            self._connect_inproc(endpoint)
            self.options.last_endpoint = endpoint
            return
        self._transport_connect(transport, address, endpoint)

    def _transport_bind(self, transport: str, address: str, endpoint: str) -> None:
        from ..io.address import resolve_ipc, resolve_tcp_bind
        from ..io.listener import Listener

        opts = self.options.copy()
        if transport == "tcp":
            addr = resolve_tcp_bind(address, opts.ipv6, endpoint)
        else:
            addr = resolve_ipc(address, endpoint, bind=True)
        pool = self.ctx.io_pool()
        listener = Listener(self, pool, pool.choose(opts.affinity), opts, addr)
        resolved = listener.bind()
        self.options.last_endpoint = resolved
        self.endpoints.setdefault(resolved, []).append(listener)
        listener.start()
        self._announce_child()

    def _transport_connect(self, transport: str, address: str, endpoint: str) -> None:
        from ..io.address import resolve_ipc, resolve_tcp_connect
        from ..io.session import Session

        opts = self.options.copy()
        if transport == "tcp":
            addr = resolve_tcp_connect(address, opts.ipv6, endpoint)
        else:
            addr = resolve_ipc(address, endpoint, bind=False)
        pool = self.ctx.io_pool()
        io = pool.choose(opts.affinity)
        session = Session(self, pool, io, opts, addr, endpoint, connect=True)
        if not opts.immediate:
            # the endpoint's queue exists before any connection (messages wait for a peer)
            sock_end, session.pipe = self.make_session_pipes(session)
            sock_end.identity = None if (opts.recv_identity and not opts.raw_sock) else b""
            self.attach_pipe(sock_end)
        self.options.last_endpoint = addr.endpoint()
        self.endpoints.setdefault(endpoint, []).append(session)
        io.post(session.start_connecting)
        self._announce_child()

    def _announce_child(self) -> None:
        """libzmq own_t::launch_child: a socket that starts a listener or a session sends
        itself an "own" command, so its ZMQ_FD turns readable after a tcp/ipc zmq_bind or
        zmq_connect. zmq4 registers the child synchronously, so the command carries
        nothing; the wake-up is what programs observe and rely on: one that polls ZMQ_FD
        before it ever read ZMQ_EVENTS would otherwise not wake for the first message
        (a pipe signals its reader only once a read found it empty, as libzmq's ypipe)."""
        self.mailbox.post(("own",))

    # -- services for the I/O layer (called from I/O threads; must not touch socket state)
    def make_session_pipes(self, session: Any) -> tuple[Pipe, Pipe]:
        """A pipe pair between this socket and a session: (socket end, session end)."""
        o = session.options
        conflate = o.conflate and self.TYPE in _CONFLATE_TYPES
        if conflate:
            ours, theirs = pipepair(self, session, 0, 0, True, True)
        else:
            ours, theirs = pipepair(self, session, o.sndhwm, o.rcvhwm)
        ours.frames_read_only = True  # a session reads frames, never changes them
        return ours, theirs

    def make_zap_pipes(self, session: Any) -> Optional[Pipe]:
        """Connect a session to the ZAP handler bound at inproc://zeromq.zap.01 (RFC 27);
        returns the session's end, or None when no handler is bound."""
        handler = self.ctx.find_inproc("inproc://zeromq.zap.01")
        if handler is None:
            return None
        ours, theirs = pipepair(session, handler, 0, 0)
        handler.post(("bind", theirs))
        return ours

    def make_mechanism(self, options: Any) -> Any:
        """A fresh security mechanism for one connection, from the option snapshot."""
        from ..zmtp.mechanisms.null import NullMechanism

        if options.mechanism == C.NULL:
            return NullMechanism()
        from ..zmtp import mechanisms

        factory = getattr(mechanisms, "for_options", None)
        if factory is None:
            raise ZMQError(C.ENOTSUP, "PLAIN/CURVE are not available in this build")
        return factory(options)

    def handshake_ivl(self) -> Optional[float]:
        """Handshake deadline in seconds, None for none (ZMQ_HANDSHAKE_IVL, an extension
        with libzmq 4.1's number and meaning; default 30 s)."""
        ms = self.options.handshake_ivl
        return ms / 1000.0 if ms > 0 else None

    def _connect_inproc(self, endpoint: str) -> None:
        peer = self.ctx.find_inproc(endpoint)
        o = self.options
        conflate = o.conflate and self.TYPE in _CONFLATE_TYPES
        if peer is None:
            if conflate:
                local, remote = pipepair(self, PENDING_SINK, 0, 0, True, True)
            else:
                local, remote = pipepair(self, PENDING_SINK, o.sndhwm, o.rcvhwm)
            remote.identity = o.identity
            local.endpoint = endpoint
            self.endpoints.setdefault(endpoint, []).append(local)
            self.attach_pipe(local)
            self.ctx.add_pending(endpoint, self, local, remote)
            return
        po = peer.options
        conflate = conflate or (po.conflate and peer.TYPE in _CONFLATE_TYPES)
        if conflate:  # CONFLATE: both directions keep only the newest message, no HWM
            local, remote = pipepair(self, peer, 0, 0, True, True)
        else:
            local, remote = pipepair(self, peer, inproc_hwm(o.sndhwm, po.rcvhwm),
                                     inproc_hwm(po.sndhwm, o.rcvhwm))
        local.identity = po.identity
        remote.identity = o.identity
        local.endpoint = endpoint
        self.endpoints.setdefault(endpoint, []).append(local)
        self.attach_pipe(local)
        peer.post(("bind", remote))

    def unbind(self, endpoint: str) -> None:
        self._term_endpoint(endpoint)

    def disconnect(self, endpoint: str) -> None:
        self._term_endpoint(endpoint)

    def _term_endpoint(self, endpoint: str) -> None:
        """libzmq term_endpoint: unbind and disconnect share it (spec §4.6)."""
        self._check()
        if endpoint is None:
            raise ZMQError(C.EINVAL, "endpoint is NULL")
        if self.mailbox.commands:
            self.process_commands(0)
        transport, _address = parse_endpoint(endpoint)
        if transport == "inproc" and endpoint in self.inproc_names:
            self.ctx.unregister_inproc(endpoint, self)
            self.inproc_names.discard(endpoint)
            return
        owned = self.endpoints.pop(endpoint, None)
        if not owned:
            raise ZMQError(C.ENOENT, f"no endpoint {endpoint!r} bound or connected "
                                     "on this socket")
        delay = self.options.linger != 0
        for item in list(owned):
            if isinstance(item, Pipe):
                if transport == "inproc":
                    self.ctx.cancel_pending(endpoint, item)
                item.terminate(delay)
                self.pipe_ended(item)
            else:
                item.terminate(self.options.linger)

    # ------------------------------------------------------------------ send / recv
    #: queue one frame (blocking per SNDTIMEO unless DONTWAIT; compiled: zmq4.core.fastpath)
    send = _fastpath.send

    #: the next frame (blocking per RCVTIMEO unless DONTWAIT); sets RCVMORE (compiled:
    #: zmq4.core.fastpath)
    recv = _fastpath.recv

    # ------------------------------------------------------------------ close
    def close(self) -> None:
        """Mark closed; pipes end (queued outbound data stays readable unless LINGER 0)."""
        if self.closed:
            raise ZMQError(C.ENOTSOCK, "socket is already closed")
        self.closed = True
        try:
            self._close_steps()
        finally:
            # whatever failed above (a signal handler's exception, say), the mailbox fd is
            # released and the context stops waiting for this socket: term never hangs
            try:
                for cmd in self.mailbox.close():
                    if cmd[0] == "bind":
                        _refuse_pipe(cmd[1])
            finally:
                self.ctx.socket_closed(self)
                hooks, self.close_hooks = self.close_hooks, []
                for hook in hooks:
                    try:
                        hook()
                    except Exception:  # noqa: BLE001 - a face's hook never fails a close
                        log.exception("zmq4 close hook %r failed", hook)

    def _close_steps(self) -> None:
        io_threads: list[Any] = []  # where our listeners and sessions are ending
        try:
            for name in list(self.inproc_names):
                self.ctx.unregister_inproc(name, self)
            self.inproc_names.clear()
            delay = self.options.linger != 0
            for ep, owned in list(self.endpoints.items()):
                for item in owned:
                    if isinstance(item, Pipe):
                        # a connect-before-bind outlives the socket unless LINGER 0: the
                        # name's later binder still gets what was queued (4.0 test_hwm)
                        if ep.startswith("inproc://") and not delay:
                            self.ctx.cancel_pending(ep, item)
                    else:
                        item.terminate(self.options.linger)
                        if item.io not in io_threads:
                            io_threads.append(item.io)
            self.endpoints.clear()
            for pipe in list(self.pipes):
                pipe.terminate(delay)
            self.pipes.clear()
        finally:
            # whatever failed above, the monitor PAIR closes too (ctx_term waits for it)
            self._stop_monitor_after(io_threads)

    def _stop_monitor_after(self, io_threads: list[Any]) -> None:
        """The monitor's last event, MONITOR_STOPPED, once our listeners and sessions
        have run the termination just posted to their I/O threads (libzmq 4.0 stops the
        monitor when the socket is destroyed, after its children ended): the CLOSED of a
        listener or connecter reaches the monitor before it. Each I/O thread runs what is
        posted to it in order, so a relay through them suffices; the last one stops the
        monitor. With no I/O thread involved (or one already stopped), it happens here."""
        if self._monitor is None:
            return
        n = len(io_threads)

        def relay(i: int) -> None:
            while i < n:
                if io_threads[i].post(relay, i + 1):
                    return
                i += 1  # that thread is gone: nothing of ours runs there any more
            self._stop_monitor(notify=True)

        relay(0)

    # ------------------------------------------------------------------ monitor
    def monitor(self, endpoint: Optional[str], events: int) -> None:
        """zmq_socket_monitor: publish selected events on a PAIR bound to ``endpoint``."""
        self._check()
        if endpoint is None:
            self._stop_monitor(notify=True)
            return
        transport, _ = parse_endpoint(endpoint)
        if transport != "inproc":
            raise ZMQError(C.EPROTONOSUPPORT,
                           f"monitor endpoint must be inproc://, not {transport}://")
        if not isinstance(events, int):  # C int; anything else would break event() later
            raise ZMQError(C.EINVAL, f"monitor events must be an int, not "
                                     f"{type(events).__name__}")
        self._stop_monitor()
        mon = self.ctx.socket(C.PAIR)
        try:
            mon.options.linger = 0
            mon.bind(endpoint)
        except BaseException:
            mon.close()
            raise
        with self._monitor_lock:
            self._monitor = mon
            self._monitor_events = events

    def _stop_monitor(self, notify: bool = False) -> None:
        """Any thread: end the monitor, after a MONITOR_STOPPED event if ``notify``. The
        monitor PAIR closes with LINGER 0 (as libzmq's: it never holds up ctx_term); the
        events already queued stay readable, as inproc peers read up to the delimiter."""
        if notify:
            self.event(C.EVENT_MONITOR_STOPPED, 0, "")
        with self._monitor_lock:
            mon, self._monitor = self._monitor, None
            self._monitor_events = 0
        if mon is not None and not mon.closed:
            mon.close()

    def event(self, event: int, value: int, endpoint: str) -> None:
        """Any thread: emit a monitor event (dropped if the monitor peer has no room)."""
        if not self._monitor_events & event:
            return
        with self._monitor_lock:
            mon = self._monitor
            if mon is None or mon.closed:
                return
            header = Msg(_EVENT_HEADER.pack(event, value & 0xFFFFFFFF), MORE)
            body = Msg(endpoint.encode("utf-8"))
            try:
                # nobody else drives the monitor PAIR: adopt the reader's pipe here
                # (its "bind" command), serialised by _monitor_lock
                if mon.mailbox.commands:
                    mon.process_commands(0)
                if mon.xsend(header):
                    mon.xsend(body)
            except ZMQError:
                pass  # a monitor peer that went away costs only the event

    # ------------------------------------------------------------------ type hooks
    def xattach_pipe(self, pipe: Pipe) -> None:
        raise NotImplementedError

    def xsend(self, msg: Msg) -> bool:
        raise ZMQError(C.ENOTSUP, f"send is not supported on {self.NAME} sockets")

    def xrecv(self) -> Optional[Msg]:
        raise ZMQError(C.ENOTSUP, f"recv is not supported on {self.NAME} sockets")

    def xhas_in(self) -> bool:
        return False

    def xhas_out(self) -> bool:
        return False

    def send_room(self) -> int:
        """How many new whole messages ``xsend`` is sure to take right now, with no
        command processed in between (the C shim lets a run of sends queue that many
        without the GIL: csrc/zmq4_fast.h). 0 unless the socket type knows."""
        return 0

    def xread_activated(self, pipe: Pipe) -> None:
        pass

    def xwrite_activated(self, pipe: Pipe) -> None:
        pass

    def xpipe_terminated(self, pipe: Pipe) -> None:
        pass

    def xhiccuped(self, pipe: Pipe) -> None:
        """The connection behind ``pipe`` was re-established (resend subscriptions)."""

    def xsetsockopt(self, option: int, value: Any) -> None:
        raise ZMQError(C.EINVAL, f"option {option} is not valid for {self.NAME} sockets")


def _refuse_pipe(pipe: Pipe) -> None:
    """A pipe handed to a closed socket (a session's or inproc peer's "bind" that arrived
    too late): nobody will ever own this end, so end it here, or its peer (a lingering
    session, a connecting socket) would wait for it forever (ctx_term hangs)."""
    pipe.terminate(False)


def inproc_hwm(sndhwm: int, rcvhwm: int) -> int:
    """Inproc pipe capacity: sender SNDHWM + receiver RCVHWM; 0 if either is unlimited."""
    if sndhwm == 0 or rcvhwm == 0:
        return 0
    return sndhwm + rcvhwm


_CONFLATE_TYPES = frozenset((C.DEALER, C.PULL, C.PUSH, C.PUB, C.SUB))


class _PendingSink:
    """Sink of the far end of an inproc pipe whose binder does not exist yet
    (``pipe.peer.sink is PENDING_SINK`` tells a socket its peer is not bound yet)."""

    __slots__ = ()
    wait_through = None  # see SocketBase.wait_through
    lend_reads = None
    take_back = None

    def post(self, command: Any) -> None:
        pass

    def pipe_ended(self, pipe: Pipe) -> None:
        pass


PENDING_SINK = _PendingSink()
