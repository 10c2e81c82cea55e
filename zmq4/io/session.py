# cython: annotation_typing=False, boundscheck=True, wraparound=True
"""Sessions: the I/O-thread half of one tcp/ipc endpoint connection (libzmq session_base_t).

Owns: the pipe end facing the socket, the engine of the current connection, the
connecter that (re)establishes it for connect endpoints, linger on termination, and the
ZAP client (a pipe to the handler bound at ``inproc://zeromq.zap.01``).

Rules:
- Runs only in its I/O thread; other threads reach it through ``post`` (it is the sink of
  its pipe end: activate_read / activate_write / pipe_term arrive as commands).
- Send-through (DESIGN §4, "the caller's thread writes to an idle connection"): for a
  socket whose type sends one message and then waits for an answer (``SEND_THROUGH``:
  REQ, REP), a message reaching an empty pipe is written by the sender's thread itself
  when the I/O thread is asleep with nothing queued (``IOThread.borrow``): one thread
  hand-off less per message, which is most of a round trip's latency. There is nothing to
  batch on such sockets; streaming types keep the I/O thread's batched writes.
- Recv-through, the same for the answer: when such a socket with this one connection
  blocks in a recv while its I/O thread is idle, the socket's thread takes the
  connection's fd out of the loop's epoll set (EPOLLET, no EPOLLIN: nothing to report
  but a hang-up), waits on it and on its mailbox together (``wait_through``), then, as
  the I/O thread (``borrow_wait``; signals held as above), reads what came and hands the
  fd back (``_rearm``). Nothing wakes the I/O thread for the answer: one thread hand-off
  less again. Every way out of the wait ends with the fd back in the loop; one that
  cannot borrow (a signal handler raised, the thread closed) posts the hand-back to the
  I/O thread. The I/O thread keeps serving its other connections meanwhile, and several
  threads may wait through on one I/O thread (both ends of a REQ/REP pair in one
  process, in particular): their reads take turns with the I/O thread's (``busy``).
- Read-on-loop, the same for an event loop (zmq4.asyncio): while such a socket with this
  one connection has a recv waiting on a loop, the loop reads the connection in place of
  the I/O thread (``lend_reads``: EPOLLIN leaves the I/O thread's mask, ``engine.lent``;
  the loop watches a duplicate of the fd and reads as the I/O thread, ``read_lent``).
  The I/O thread, GIL-bound like the loop, then neither wakes nor takes the GIL for the
  answer: the loop does the work it would have waited for anyway. Here it is used with
  other connections on the I/O thread too (both ends on one loop being the usual case),
  because the loop, not a second application thread, is the one reading. The reads go
  back to the I/O thread (``unlend``) when the loop stops waiting, when reading pauses
  at RCVHWM (the I/O thread resumes it), when the I/O thread stays busy for longer than
  a loop should wait for it (``_LOOP_WAIT``), and when a blocking recv or zmq_poll waits
  on the socket (``take_back``: a loop stopped with a recv pending must not strand the
  connection). While lent, the I/O thread still watches for the peer's close
  (EPOLLRDHUP), which it must see with the loop stopped too. An engine once lent shuts
  its socket down before closing it, so any duplicate a loop still holds sees the end
  and cannot keep the connection open.
- A connection becomes visible to the socket only after its handshake completed (the
  CVE-2020-15166 lesson): bind-side sessions create their pipe in ``engine_ready``.
  Connect endpoints create theirs at ``zmq_connect`` (so messages queue before a peer
  exists, as in libzmq) unless ZMQ_IMMEDIATE is set.
- Inbound messages go to the pipe until it is full (RCVHWM); then reading pauses until
  the socket frees room. Outbound messages are pulled only while the engine is ready and
  its output is not backlogged.
- Termination (close/disconnect/unbind): what the socket queued is still written for up
  to LINGER ms (-1 forever, 0 not at all), then the connection closes; a connect
  endpoint keeps (re)connecting meanwhile, so a peer that comes up later still gets it.
- A socket-type rule ending a connect endpoint's pipe (REQ_RELAXED, a refused duplicate
  identity, a PAIR's second peer) drops that connection only: it is re-established and
  gets a fresh pipe (spec §8.11). On a bind side, or for STREAM, the session ends.
- A pipe handed to a socket that closed meanwhile is terminated by the socket
  (``SocketCore.post``), so a session never waits for a socket that is gone.
- This module never imports zmq4.core: pipes are made by the socket (``make_session_pipes``
  / ``make_zap_pipes``), which keeps imports pointing down.

Compiled by Cython in pure-Python mode (``session.pxd``: Session is an extension type
with the fields of a message's way in and out in C); works the same interpreted.
"""

from __future__ import annotations

import logging
import random
import socket as _socket
from typing import Any, Optional

from .. import _native
from .. import zmq_h as C
from ..msg import MORE, Msg
from ._sighold import SignalHold
from .address import Address
from .engine import OUT_HIGH_WATER, RawEngine, StreamEngine
from .reactor import EPOLLET, EPOLLOUT, IOPool, IOThread

log = logging.getLogger("zmq4.io")

_BATCH = 4096  # messages pulled from the pipe per engine write
# the longest an event loop waits for the I/O thread to let go of a lent connection (s);
# past it, the I/O thread reads that connection again
_LOOP_WAIT = 0.005


class Session:
    """libzmq session_base_t (+ the connecter of connect endpoints)."""

    def __init__(self, socket: Any, pool: IOPool, io: IOThread, options: Any,
                 address: Optional[Address], endpoint: str, connect: bool,
                 listener: Any = None) -> None:
        self.socket = socket
        self.pool = pool
        self.io = io
        self.options = options
        self.address = address
        self.endpoint = endpoint
        self.connect = connect
        self.listener = listener
        self.pipe: Any = None  # our end; pipe.peer is the socket's end
        self.engine: Any = None
        self.pending_in: list[list[bytes]] = []
        self.out_more = False  # in the middle of pulling a multipart message
        self.out_parts: list[Any] = []
        # owners of zero-copy frames read from the pipe but not yet encoded (trackers
        # complete and free functions run only once the engine has the bytes)
        self.out_held: list[Any] = []
        self.terminating = False
        self.ended = False
        self.zap_pipe: Any = None
        self.zap_frames: list[bytes] = []
        self._linger_timer: Any = None
        self._connecter: Optional[Connecter] = None
        self._reconnected = False
        self._pulling = False  # inside _pull_out: the pipe may end under our feet
        self.raw = bool(getattr(options, "raw_sock", False))
        self._send_through = bool(getattr(socket, "SEND_THROUGH", False))
        self._signals = SignalHold()
        pool.session_started(self)

    def __repr__(self) -> str:
        return f"<Session {self.endpoint} {'connect' if self.connect else 'accepted'}>"

    # ------------------------------------------------------------------ any thread
    def post(self, command: Any) -> None:
        """Pipe sink interface: commands from the socket's thread."""
        io = self.io
        if self._send_through and command[0] == "activate_read" and not io.busy.locked():
            signals = self._signals
            try:
                signals.hold()  # no signal handler may raise inside the borrowed section
            except BaseException:
                io.post(self._command, command)  # a handler raised: the wake-up still goes
                raise
            try:
                if io.borrow():
                    try:  # the I/O thread is asleep: be it for this command (send-through)
                        if command[1] is self.pipe and not self.ended:
                            self._pull_out()  # what _command does for it, one frame less
                        else:
                            self._command(command)
                    except Exception as exc:  # noqa: BLE001 - as the I/O thread would
                        log.exception("zmq4 I/O command %r failed: %s", command, exc)
                    finally:
                        io.lend_back()
                    return
            finally:
                signals.release()
        io.post(self._command, command)

    def wait_through(self, mailbox: Any, timeout_ms: int) -> bool:
        """Pipe sink interface (the socket's thread, about to block in a recv): wait for
        this connection's input as well as for the socket's commands (``mailbox``, up to
        ``timeout_ms``), and read the input here as the I/O thread would (recv-through,
        see the module docstring). False if the connection does not qualify now: the
        caller then waits for its commands as usual."""
        engine = self.engine
        io = self.io
        if engine is not None and engine.lent:  # (take_back, inline: this is per recv)
            self.unlend(engine)  # lent to a loop that may not be running (stopped mid-recv)
        if (not self._send_through or engine is None or io.busy.locked()
                or not io.borrow()):
            return False
        try:
            if not self._reading_idle(engine) or engine.out:
                return False
            fd = engine.fd
            io.modify(fd, EPOLLET)  # the loop stops watching our input: we do
        finally:
            io.lend_back()
        try:
            got = mailbox.wait_fd(fd, timeout_ms)
        except BaseException:  # a signal handler raised: the loop takes the fd back
            io.post(self._rearm, engine, True)
            raise
        signals = self._signals
        try:
            signals.hold()  # no signal handler may raise inside the borrowed section
        except BaseException:
            io.post(self._rearm, engine, True)
            raise
        try:
            if io.borrow_wait():
                # what the read delivers is for our own socket, which drains its commands
                # right after this returns (zmq4.core.fastpath.process_commands): no need
                # to signal its fd on the way
                mailbox.quiet(True)
                try:
                    self._rearm(engine, (got & 2) != 0)
                except BaseException:
                    mailbox.quiet(False)
                    mailbox.signal_pending()
                    raise
                finally:
                    io.lend_back()
                mailbox.quiet(False)
                return True
        finally:
            signals.release()
        io.post(self._rearm, engine, True)  # the I/O thread is closed: nothing to do
        return True

    def _reading_idle(self, engine: Any) -> bool:
        """(As the I/O thread) the engine reads a live, ready connection into our pipe with
        nothing held back: another thread may take over its reads (recv-through,
        read-on-loop)."""
        return not (engine.closed or not engine.ready or not engine.reading
                    or self.pending_in or self.terminating or self.pipe is None)

    def _rearm(self, engine: Any, read: bool) -> None:
        """(As the I/O thread) the end of a recv-through wait: read what came, then let
        the loop watch the connection again."""
        if self.engine is not engine or engine.closed:
            return  # gone meanwhile: its fd left the loop with it
        if read:
            try:
                engine.on_readable()
            except Exception as exc:  # noqa: BLE001 - as the loop does: costs the engine
                engine.on_error(exc)
            if self.engine is not engine or engine.closed:
                return
        self.io.modify(engine.fd, engine._mask)

    def lend_reads(self) -> Any:
        """Pipe sink interface (an event loop's thread, whose socket is about to wait for
        a recv): let that loop read this connection in place of the I/O thread (read-on-
        loop, see the module docstring). ``(token, fd)``: the loop watches ``fd`` and calls
        ``read_lent(token, mailbox)`` when it is readable, ``unlend(token)`` when it stops
        waiting. None if the connection does not qualify now."""
        engine = self.engine
        io = self.io
        # waiting a moment for the I/O thread to let go, if it is busy: lending is once
        # per wait, and a chance missed here would not come again until the next one
        if (not self._send_through or engine is None or engine.lent
                or not io.borrow_wait(_LOOP_WAIT)):
            return None
        try:
            if not self._reading_idle(engine):
                return None
            mask = engine._mask
            engine.lent = True
            engine.shared = True  # from here on a duplicate of the fd may be out there
            try:
                engine._update_mask()  # the I/O thread stops watching our input
            except BaseException:
                engine.lent = False
                engine._mask = mask
                raise
            return engine, engine.fd
        finally:
            io.lend_back()

    def read_lent(self, engine: Any, mailbox: Any) -> bool:
        """(The loop a connection is lent to, its fd readable) read what came, as the I/O
        thread would. False once the lending ended (the engine is gone, or paused at
        RCVHWM: the I/O thread resumes it; or the I/O thread stayed busy for longer than
        a loop should wait: it reads again): the loop stops watching the fd."""
        io = self.io
        signals = self._signals
        signals.hold()  # no signal handler may raise inside the borrowed section
        try:
            if not io.borrow_wait(_LOOP_WAIT):
                self.unlend(engine)
                return False
            try:
                if self.engine is not engine or engine.closed or not engine.lent:
                    return False
                # what the read delivers is for the loop's socket, which drains its
                # commands right after this returns (zmq4.asyncio): no need to signal it
                mailbox.quiet(True)
                try:
                    engine.on_readable()
                except Exception as exc:  # noqa: BLE001 - as the loop does: costs the engine
                    try:
                        engine.on_error(exc)
                    except Exception:  # noqa: BLE001
                        log.exception("zmq4 I/O error handler failed")
                finally:
                    mailbox.quiet(False)
                if self.engine is not engine or engine.closed:
                    return False
                if not engine.reading:  # the pipe is full: reading resumes in the I/O thread
                    engine.lent = False
                    engine._update_mask()
                    return False
                return True
            finally:
                io.lend_back()
        finally:
            signals.release()

    def unlend(self, engine: Any) -> None:
        """(Any thread) give the reads of a lent connection back to the I/O thread. Posted:
        it is once per lending, and the thread may be busy with other connections."""
        self.io.post(self._unlend, engine)

    def take_back(self) -> None:
        """Pipe sink interface (a thread about to block on the socket outside its event
        loop: a blocking recv, zmq_poll): reads lent to a loop go back to the I/O thread,
        so a loop that is not running cannot strand them."""
        engine = self.engine
        if engine is not None and engine.lent:
            self.unlend(engine)

    def _unlend(self, engine: Any) -> None:
        """(As the I/O thread) watch the engine's input again."""
        if self.engine is engine and engine.lent:
            engine.lent = False
            if not engine.closed:
                engine._update_mask()  # EPOLLIN again: epoll reports input already there

    def pipe_ended(self, pipe: Any) -> None:
        """Pipe sink interface (our thread): we read up to the delimiter."""
        if pipe is self.zap_pipe:
            self.zap_pipe = None
            return
        if pipe is self.pipe:
            self._pipe_gone()

    def terminate(self, linger: int) -> None:
        """From the socket's thread: disconnect / unbind / close of this endpoint."""
        self.io.post(self._terminate, linger)

    # ------------------------------------------------------------------ commands
    def _command(self, cmd: tuple[Any, ...]) -> None:
        if self.ended:
            return
        kind, pipe = cmd[0], cmd[1]
        if pipe is self.zap_pipe and pipe is not None:
            if kind in ("activate_read", "pipe_term"):
                self._read_zap_reply()
            return
        if pipe is not self.pipe:
            return
        if kind == "activate_read":
            self._pull_out()
        elif kind == "activate_write":
            self._push_pending()
        elif kind == "pipe_term":
            if not self._dropping_pipe():
                self.terminating = True
            if pipe.process_term():
                self._pipe_gone()
            else:
                self._pull_out()  # read what is left, up to the delimiter

    # ------------------------------------------------------------------ connecting
    def start_connecting(self) -> None:
        """(I/O thread) begin the connect/reconnect cycle."""
        self._connecter = Connecter(self, self.address, self.options)
        self._connecter.connect_now()

    def connected(self, sock: _socket.socket) -> None:
        """A connect attempt succeeded (or an accept for bind-side sessions)."""
        if self.terminating and self.pipe is None:
            sock.close()
            self._end()
            return
        self.attach_socket(sock)

    def attach_socket(self, sock: _socket.socket) -> None:
        peer = ""
        if self.address is not None and self.address.family in (_socket.AF_INET,
                                                                   _socket.AF_INET6):
            try:
                peer = sock.getpeername()[0]
                if peer.startswith("::ffff:"):
                    peer = peer[7:]
            except OSError:
                peer = ""
        if self.raw:
            self.engine = RawEngine(self.io, sock, self)
        else:
            mech = self.socket.make_mechanism(self.options)
            self.engine = StreamEngine(self.io, sock, self, self.options, peer, mech,
                                       self.socket.handshake_ivl())
        self.engine.plug()

    # ------------------------------------------------------------------ engine callbacks
    def engine_ready(self, handshake: Any) -> None:
        identity = b""
        if handshake is not None and handshake.peer_identity:
            identity = bytes(handshake.peer_identity)
        if self.pipe is None:
            if self.terminating:
                self._end()  # closed/unbound during the handshake: nothing to deliver
                return
            sock_end, self.pipe = self.socket.make_session_pipes(self)
            sock_end.identity = identity
            self.socket.post(("bind", sock_end))
        else:
            sock_end = self.pipe.peer
            if sock_end.identity is None:
                sock_end.identity = identity
                self.socket.post(("activate_read", sock_end))
            if self._reconnected:
                self.socket.post(("hiccup", sock_end))
        self._reconnected = True
        self._pull_out()

    def engine_messages(self, messages: list[list[bytes]]) -> None:
        pipe = self.pipe
        if pipe is None:
            return  # raw engine before its pipe, or after the socket went away
        if self.pending_in:
            self.pending_in.extend(messages)
            self._push_pending()
        else:
            i = pipe.write_messages(messages, 0)  # compiled: one Msg per frame, one wake-up
            if i < len(messages):
                self.pending_in = messages[i:]
                self._push_pending()  # the pipe is full: keep the rest, pause reading

    def _push_pending(self) -> None:
        pipe = self.pipe
        pending = self.pending_in
        if pipe is None or not pending:
            return
        n = len(pending)
        i = pipe.write_messages(pending, 0)  # compiled: one Msg per frame, one wake-up
        if i == n:
            self.pending_in = []
            if self.engine is not None and not self.engine.reading:
                self.engine.resume_reading()
        else:
            del pending[:i]
            if self.engine is not None and self.engine.reading:
                self.engine.pause_reading()

    def _pull_out(self) -> None:
        engine, pipe = self.engine, self.pipe
        if pipe is None or engine is None or not engine.ready or engine.closed:
            return
        parts = self.out_parts
        held = self.out_held
        self._pulling = True
        try:
            while engine.out_bytes < OUT_HIGH_WATER:  # not backlogged
                # compiled; reaching the delimiter calls pipe_ended -> _pipe_gone. At most
                # OUT_HIGH_WATER of payload per batch: an encoder that copies (CURVE)
                # then never holds more than that of copies at once.
                batch, parts = pipe.read_messages(parts, _BATCH, held, OUT_HIGH_WATER)
                if batch:
                    engine.send_messages(batch)
                    if self.engine is not engine or engine.closed:
                        return
                if pipe.ran_dry:
                    break  # the pipe is empty (or ended)
        finally:
            self._pulling = False
        if self.pipe is not None:
            self.out_parts = parts
        if held and not parts:
            # every held payload was in a message the engine has encoded (copied):
            # their owners may now tell the application the buffers are free
            held.clear()
        if self.terminating:
            self._maybe_finish(force=self.pipe is None)

    def engine_drained(self) -> None:
        """The engine wrote all its output: pull more, or finish a linger."""
        if self.pipe is None:
            self._maybe_finish(force=True)
        else:
            self._pull_out()

    def engine_close_requested(self) -> None:
        """Raw engine: an empty data frame asks to close the connection."""
        self._close_engine()
        self.socket.event(C.EVENT_DISCONNECTED, -1, self.endpoint)
        self._detach_pipe(delay=True)
        if self.connect and not self.terminating:
            self._schedule_reconnect()
        else:
            self._end()

    def engine_error(self, reason: str) -> None:
        fd = self.engine.fd if self.engine is not None else -1
        was_ready = self.engine is not None and self.engine.ready
        self.engine = None
        self.out_parts = []
        self.out_held = []
        log.info("zmq4 %s %s: connection ended: %s", self.socket.NAME, self.endpoint, reason)
        self.socket.event(C.EVENT_DISCONNECTED, fd, self.endpoint)
        self._cancel_zap()
        if self.terminating:
            self._end()
            return
        if was_ready and self.raw and self.options.raw_notify:
            # STREAM_NOTIFY: the peer's close reaches the application as [id][empty],
            # queued behind the data read before it (the pipe ends right after)
            self.engine_messages([[b""]])
        if not self.connect:
            self._detach_pipe(delay=True)
            self._end()
            return
        if self.pipe is not None and (self.options.immediate or self.options.recv_identity
                                      or self.raw):
            self._detach_pipe(delay=True)
        self.pending_in = []
        self._schedule_reconnect()

    def _schedule_reconnect(self) -> None:
        if self._connecter is not None:
            self._connecter.retry_later()

    # ------------------------------------------------------------------ ZAP
    def engine_zap_request(self, request: Any) -> None:
        pipes = self.socket.make_zap_pipes(self)
        if pipes is None:
            # 4.0: without a handler the mechanism's own rules apply (accept)
            self.engine.zap_reply(200)
            return
        self.zap_pipe = pipes
        frames = request.frames(delimiter=True)
        for i, f in enumerate(frames):
            self.zap_pipe.write(Msg(f, MORE if i < len(frames) - 1 else 0))
        self.zap_frames = []
        self._read_zap_reply()  # finds the pipe empty and arms its activate_read

    def _read_zap_reply(self) -> None:
        pipe = self.zap_pipe
        while pipe is not None:
            m = pipe.read()
            if m is None:
                if self.zap_pipe is None and self.engine is not None and not self.zap_frames:
                    # the handler went away before answering
                    self.engine.zap_reply(500)
                return
            self.zap_frames.append(m.bytes())
            if not m.flags & MORE:
                frames, self.zap_frames = self.zap_frames, []
                self._cancel_zap()
                if self.engine is not None:
                    self.engine.zap_reply_frames(frames)
                return

    def _cancel_zap(self) -> None:
        if self.zap_pipe is not None:
            p, self.zap_pipe = self.zap_pipe, None
            p.terminate(False)

    # ------------------------------------------------------------------ termination
    def _terminate(self, linger: int) -> None:
        if self.ended:
            return
        self.terminating = True
        if self.pipe is not None:
            # the socket terminates its end (close) or we do (disconnect/unbind)
            sock_end = self.pipe.peer
            if sock_end is not None and sock_end.alive:
                self.socket.post(("call", self.socket.terminate_pipe, sock_end))
        if linger == 0:
            self._end()
            return
        if linger > 0:
            self._linger_timer = self.io.add_timer(linger / 1000.0, self._end)
        if self.pipe is None:
            self._maybe_finish(force=True)

    def _dropping_pipe(self) -> bool:
        """True when the socket ended our pipe by a socket-type rule (REQ_RELAXED giving up
        on a reply, ROUTER refusing a duplicate identity, PAIR refusing a second peer)
        rather than by close/disconnect/unbind. A disconnect ends the pipe only after our
        ``_terminate`` ran; a close may be seen first as the delimiter it queued (read by
        a ``_pull_out`` already under way), but it marks the socket closed beforehand."""
        return (self.connect and not self.terminating and not self.raw
                and not self.socket.closed)

    def _pipe_gone(self) -> None:
        """The socket's side ended (close/disconnect): finish writing, then end."""
        self.pipe = None
        self.out_parts = []  # an unfinished message cannot be completed any more
        self.out_held = []
        if self._dropping_pipe():
            self._drop_connection()
            return
        self.terminating = True
        if self._pulling:
            return  # _pull_out sends what it read, then finishes
        if self.engine is None or not self.engine.ready:
            self._end()
            return
        self._maybe_finish(force=True)

    def _drop_connection(self) -> None:
        """A connect endpoint lost its pipe to a socket-type rule: drop the connection
        (spec §8.11: "that TCP connection is dropped and re-established later"); the next
        connection gets a fresh pipe in ``engine_ready``. A STREAM/raw connection just
        ends instead (its pipe *is* the connection)."""
        self.pending_in = []
        self._cancel_zap()
        engine, self.engine = self.engine, None
        if engine is None:
            return  # a (re)connect is already under way
        fd = engine.fd
        engine.close()
        self.socket.event(C.EVENT_DISCONNECTED, fd, self.endpoint)
        self._schedule_reconnect()

    def _maybe_finish(self, force: bool = False) -> None:
        if not self.terminating or self.ended:
            return
        if self.pipe is not None and not force:
            return
        engine = self.engine
        if engine is None or engine.closed or not engine.out:
            self._end()

    def _detach_pipe(self, delay: bool) -> None:
        if self.pipe is not None:
            p, self.pipe = self.pipe, None
            p.terminate(delay)

    def _close_engine(self) -> None:
        if self.engine is not None:
            e, self.engine = self.engine, None
            e.close()

    def _end(self) -> None:
        if self.ended:
            return
        self.ended = True
        if self._linger_timer is not None:
            self._linger_timer.cancel()
            self._linger_timer = None
        if self._connecter is not None:
            self._connecter.stop()
        self._cancel_zap()
        if self.engine is not None:
            fd = self.engine.fd
            self._close_engine()
            if not self.terminating:
                self.socket.event(C.EVENT_DISCONNECTED, fd, self.endpoint)
        self._detach_pipe(delay=True)
        if self.listener is not None:
            self.listener.child_ended(self)
        self.pool.session_ended(self)

    def force_close(self) -> None:
        self._end()


class Connecter:
    """libzmq tcp_connecter_t / ipc_connecter_t: non-blocking connect with backoff.

    Every socket it closes itself (a failed attempt, a stop while connecting) is reported
    as EVENT_CLOSED with its fd, as 4.0's connecter does; a connected socket goes to the
    session and is not ours to report."""

    def __init__(self, session: Session, address: Any, options: Any) -> None:
        self.session = session
        self.io = session.io
        self.address = address
        self.options = options
        self.ivl = options.reconnect_ivl
        self.current_ivl = self.ivl
        self.sock: Optional[_socket.socket] = None
        self.timer: Any = None
        self.stopped = False
        self.fd = -1

    def connect_now(self) -> None:
        if self.stopped:
            return
        addr = self.address
        try:
            s = _native.socket(addr.family, _socket.SOCK_STREAM)
        except OSError as e:
            self._failed(e.errno or C.EINVAL)
            return
        s.setblocking(False)
        _tune(s, self.options, addr.family)
        err = s.connect_ex(addr.sockaddr)
        if err == 0:
            self._done(s)
        elif err in (115, 11):  # EINPROGRESS, EAGAIN (unix sockets)
            self.sock = s
            self.fd = s.fileno()
            self.io.add(self.fd, self, EPOLLOUT)
            self.session.socket.event(C.EVENT_CONNECT_DELAYED, err, self.session.endpoint)
        else:
            self._close(s)
            self._failed(err)

    def on_readable(self) -> None:
        self.on_writable()

    def on_writable(self) -> None:
        s = self.sock
        if s is None:
            return
        self.io.remove(self.fd)
        self.sock = None
        err = s.getsockopt(_socket.SOL_SOCKET, _socket.SO_ERROR)
        if err:
            self._close(s)
            self._failed(err)
            return
        self._done(s)

    def on_error(self, exc: BaseException) -> None:
        if self.sock is not None:
            self.io.remove(self.fd)
            s, self.sock = self.sock, None
            self._close(s)
        self._failed(C.EINVAL)

    def _close(self, s: _socket.socket) -> None:
        fd = s.fileno()
        s.close()
        self.session.socket.event(C.EVENT_CLOSED, fd, self.session.endpoint)

    def _done(self, s: _socket.socket) -> None:
        self.current_ivl = self.ivl
        self.session.socket.event(C.EVENT_CONNECTED, s.fileno(), self.session.endpoint)
        self.session.connected(s)

    def _failed(self, err: int) -> None:
        del err
        self.retry_later()

    def retry_later(self) -> None:
        if self.stopped or self.ivl < 0:
            return  # RECONNECT_IVL -1: never reconnect
        base = max(self.current_ivl, 0)
        jitter = random.randrange(self.ivl) if self.ivl > 0 else 0  # 0 guarded (4.0 divides)
        delay = base + jitter
        self.session.socket.event(C.EVENT_CONNECT_RETRIED, delay, self.session.endpoint)
        self.timer = self.io.add_timer(delay / 1000.0, self.connect_now)
        ivl_max = self.options.reconnect_ivl_max
        if ivl_max > self.ivl:
            self.current_ivl = min(max(self.current_ivl, 1) * 2, ivl_max)

    def stop(self) -> None:
        self.stopped = True
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.sock is not None:
            self.io.remove(self.fd)
            s, self.sock = self.sock, None
            self._close(s)

    force_close = stop


def _tune(s: _socket.socket, options: Any, family: int) -> None:
    """Per-connection socket options (spec §4.2: NODELAY, buffers, keepalive)."""
    if options.sndbuf:
        s.setsockopt(_socket.SOL_SOCKET, _socket.SO_SNDBUF, options.sndbuf)
    if options.rcvbuf:
        s.setsockopt(_socket.SOL_SOCKET, _socket.SO_RCVBUF, options.rcvbuf)
    if family in (_socket.AF_INET, _socket.AF_INET6):
        s.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
        if options.tcp_keepalive != -1:
            s.setsockopt(_socket.SOL_SOCKET, _socket.SO_KEEPALIVE, 1 if options.tcp_keepalive
                         else 0)
            if options.tcp_keepalive:
                if options.tcp_keepalive_cnt != -1:
                    s.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_KEEPCNT,
                                 options.tcp_keepalive_cnt)
                if options.tcp_keepalive_idle != -1:
                    s.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_KEEPIDLE,
                                 options.tcp_keepalive_idle)
                if options.tcp_keepalive_intvl != -1:
                    s.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_KEEPINTVL,
                                 options.tcp_keepalive_intvl)


tune_socket = _tune
