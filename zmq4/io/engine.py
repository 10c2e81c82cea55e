# cython: annotation_typing=False, boundscheck=True, wraparound=True
"""Engines: one connected tcp/ipc socket each (libzmq stream_engine_t; raw mode for STREAM).

Owns: the fd of one connection and pumping bytes between it and a ``ZmtpConnection``
(``StreamEngine``) or straight through (``RawEngine``, ZMQ_STREAM / ROUTER_RAW). Reads
drain into one reusable buffer and decode everything in it in one call; writes batch every
queued message into one buffer and one ``send`` (large ``bytes`` bodies are not copied
into it: they go beside it by reference, in one gathering ``sendmsg``); what the kernel
does not take at once waits as a queue of chunks (views, never re-copied) sent with
``sendmsg``. The rest of a large frame body is read straight into the frame's own memory
(``ZmtpConnection.direct_decoder``). Runs only in its I/O thread.

Memory and fairness (a hostile peer costs its own connection, never the others'): an
engine owns no read buffer. Reads go into one buffer per reading thread (the I/O thread,
or a thread the session lends the reads to), allocated on that thread's first read: the
decoder keeps nothing that points into it. Each read is sized so that one connection's
turn costs about ``TURN_BUDGET_S`` of the thread: the next read of a connection whose last
read took longer to read and process shrinks in proportion (down to ``MIN_READ``), and
grows back (up to ``MAX_READ``) when reads are cheap. A peer streaming tiny frames or
endless MORE parts thus gets small reads while bulk transfers keep large ones, and the
other connections of the thread wait for at most one such turn each.

Rules: the session decides what happens to messages (``session.engine_*`` callbacks);
the engine only moves bytes. Reading pauses while the session cannot deliver (RCVHWM
back-pressure) and resumes when it asks; while paused with nothing to write, the fd is
registered edge-triggered so a peer's hang-up cannot spin the loop (it is found when
reading resumes). A protocol error or EOF ends the engine once
(``session.engine_error``), never the thread. Handshake deadline: ``handshake_ivl``
(an extension; libzmq 4.1's ZMQ_HANDSHAKE_IVL, default 30 s).

Compiled by Cython in pure-Python mode (``engine.pxd``: the engines are extension types
with their per-read/per-write fields in C); works the same interpreted.
"""

from __future__ import annotations

import itertools
import socket as _socket
import time
from collections import deque
from typing import Any, Optional

from .. import _native
from ..zmtp.connection import ZmtpConnection
from ..zmtp.events import ConnectionClosed, HandshakeComplete, MessagesReceived, ZapRequested
from ..zmtp.mechanisms.null import NullMechanism
from ._sockio import IOV_MAX_CHUNKS, recv_into, send_chunks
from .reactor import EPOLLET, EPOLLIN, EPOLLOUT, EPOLLRDHUP, IOThread

MAX_READ = 256 * 1024  # one read at most (bytes), and the per-thread buffer's size
MIN_READ = 8 * 1024  # one read at least, however costly its processing (libzmq's batch)
TURN_BUDGET_S = 0.0005  # the I/O thread time one connection's read + decode aims at
OUT_HIGH_WATER = 1 << 20  # stop pulling messages while this much output is unsent
# A frame body with at least this much still to come is read into its own memory rather
# than through the read buffer (smaller rests are better read with what follows them).
_DIRECT_READ = 64 * 1024


_buffers = _native.local()


def _thread_buffer() -> tuple[bytearray, memoryview]:
    """The calling thread's read buffer (``MAX_READ`` bytes) and a view of it, made on
    the thread's first read and kept for its life."""
    try:
        return _buffers.pair  # type: ignore[no-any-return]
    except AttributeError:
        buf = bytearray(MAX_READ)
        pair = _buffers.pair = (buf, memoryview(buf))
        return pair


class _EngineBase:
    """fd registration, output buffering and close, shared by both engines."""

    def __init__(self, io: IOThread, sock: _socket.socket, session: Any) -> None:
        self.io = io
        self.sock = sock
        self.fd = sock.fileno()
        self.session = session
        self.out: deque[Any] = deque()  # unsent chunks (memoryviews / buffers), in order
        self.out_bytes = 0
        self.reading = True
        self.closed = False
        self.lent = False  # an event loop reads us, not the I/O thread (zmq4.io.session)
        self.shared = False  # a duplicate of our fd is (or was) watched by such a loop
        self._mask = EPOLLIN
        self.read_size = MAX_READ

    def plug(self) -> None:
        self.io.load += 1
        self.io.add(self.fd, self, EPOLLIN)

    def on_readable(self) -> None:
        """Reactor callback: the fd is readable (each engine reads in its own way)."""
        raise NotImplementedError

    def send_messages(self, messages: list[list[Any]]) -> None:
        """Session callback: write these messages (each engine frames them its own way)."""
        raise NotImplementedError

    def _update_mask(self) -> None:
        # Paused with nothing to write: epoll still reports ERR/HUP, which a level-
        # triggered registration would repeat in a busy loop until reading resumes;
        # edge-triggered, a reset peer is reported once (and found when reading resumes).
        # Lent to an event loop (zmq4.io.session's read-on-loop): the loop watches the
        # input; this thread watches the output, and the peer's close (EPOLLRDHUP), which
        # it must see even when that loop is not running.
        reading = self.reading
        mask = ((EPOLLIN if reading and not self.lent else 0)
                | (EPOLLRDHUP if reading and self.lent else 0)
                | (EPOLLOUT if self.out else 0) or EPOLLET)
        if mask != self._mask:
            self._mask = mask
            self.io.modify(self.fd, mask)

    def write(self, data: Any) -> None:
        """Send ``data`` now as far as the kernel takes it; queue the rest (no copy: the
        buffer is the engine's from here on, callers never touch it again)."""
        if len(data):
            self.write_chunks([data])

    def write_chunks(self, chunks: list[Any]) -> None:
        """``write`` for a list of non-empty chunks, sent with one gathering ``sendmsg``
        (one ``send`` for a single chunk); the chunks and the list are the engine's."""
        if self.closed or not chunks:
            return
        out = self.out
        if out:
            out.extend(chunks)
            self.out_bytes += sum(map(len, chunks))
            return  # EPOLLOUT is armed already
        try:
            n = max(0, send_chunks(self.fd, chunks))  # -1: the kernel took nothing now
        except OSError as e:
            self._failed(f"send failed: {e.strerror}")
            return
        for i, c in enumerate(chunks):
            size = len(c)
            if n >= size:
                n -= size
                continue
            if n:
                c = memoryview(c)[n:]
                n = 0
            out.append(c)
            self.out_bytes += len(c)
            out.extend(chunks[i + 1:])
            self.out_bytes += sum(map(len, chunks[i + 1:]))
            self._update_mask()
            return

    def on_writable(self) -> None:
        out = self.out
        if out:
            chunks = list(itertools.islice(out, IOV_MAX_CHUNKS))
            try:
                n = send_chunks(self.fd, chunks)
            except OSError as e:
                self._failed(f"send failed: {e.strerror}")
                return
            if n < 0:
                return  # not now after all: EPOLLOUT stays armed
            self.out_bytes -= n
            while n:
                first = out[0]
                size = len(first)
                if n >= size:
                    out.popleft()
                    n -= size
                else:
                    out[0] = memoryview(first)[n:]
                    n = 0
        self._update_mask()
        if not out:
            self.session.engine_drained()

    def pause_reading(self) -> None:
        self.reading = False
        self._update_mask()

    def resume_reading(self) -> None:
        if not self.reading and not self.closed:
            self.reading = True
            self._update_mask()
            self.on_readable()

    def _recv(self) -> Optional[memoryview]:
        """One read of at most ``read_size`` bytes into this thread's read buffer; None
        if nothing now; an empty view at EOF. The view is valid until this thread's next
        read."""
        buf, view = _thread_buffer()
        try:
            n = recv_into(self.fd, buf, self.read_size)
        except OSError as e:
            self._failed(f"recv failed: {e.strerror}")
            return None
        if n < 0:
            return None
        return view[:n]

    def _budget(self, n: int, started: float) -> None:
        """Size the next read from what this one (``n`` bytes) cost since ``started``."""
        spent = time.perf_counter() - started
        size = MAX_READ if spent <= 0.0 else int(n * TURN_BUDGET_S / spent)
        self.read_size = MAX_READ if size > MAX_READ else MIN_READ if size < MIN_READ else size

    def _failed(self, reason: str) -> None:
        if not self.closed:
            self.close()
            self.session.engine_error(reason)

    def on_error(self, exc: BaseException) -> None:
        self._failed(f"internal error: {exc!r}")

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.io.remove(self.fd)
        self.io.load -= 1
        try:
            if self.shared:  # a loop may still watch a duplicate of our fd: end it there too
                self.sock.shutdown(_socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass

    force_close = close


class StreamEngine(_EngineBase):
    """libzmq stream_engine_t: ZMTP over one connection."""

    def __init__(self, io: IOThread, sock: _socket.socket, session: Any, options: Any,
                 peer_address: str, mechanism: Any = None,
                 handshake_ivl: Optional[float] = 30.0) -> None:
        super().__init__(io, sock, session)
        self.conn = ZmtpConnection(
            options.socket_type, mechanism or NullMechanism(), bytes(options.identity),
            options.maxmsgsize, bytes(options.zap_domain), peer_address=peer_address,
            handshake_timeout=handshake_ivl, now=time.monotonic(),
        )
        self.ready = False
        self._timer: Any = None

    def plug(self) -> None:
        super().plug()
        self._flush_conn()
        self._arm_timer()

    def _arm_timer(self) -> None:
        deadline = self.conn.next_deadline()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if deadline is not None and not self.ready:
            self._timer = self.io.add_timer(max(0.0, deadline - time.monotonic()),
                                            self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        if not self.closed:
            self.conn.handle_timer(time.monotonic())
            self._after_input()

    def on_readable(self) -> None:
        if self.closed or not self.reading:
            return
        conn = self.conn
        dec = conn.direct_decoder
        if dec is not None and dec.missing >= _DIRECT_READ:
            room = dec.payload_room()
            if room is not None:
                self._read_body(room)
                return
        started = time.perf_counter()
        data = self._recv()
        if data is None:
            return
        n = len(data)
        messages = conn.receive_messages(data if n else b"")
        if messages is None:
            self._after_input()  # not plain data: events and output to handle
        elif messages:
            self.session.engine_messages(messages)
        self._budget(n, started)

    def _read_body(self, room: memoryview) -> None:
        """Read the rest of a large frame body straight into its own memory."""
        try:
            try:
                n = recv_into(self.fd, room)
            finally:
                room.release()  # it points into the decoder: never kept
        except OSError as e:
            self._failed(f"recv failed: {e.strerror}")
            return
        if n < 0:
            return
        if not n:
            self.conn.receive_data(b"")  # EOF in the middle of a frame
            self._after_input()
            return
        messages = self.conn.payload_received(n)
        if messages is None:
            self._after_input()  # the frame was a command
        elif messages:
            self.session.engine_messages(messages)

    def _flush_conn(self) -> None:
        self.write_chunks(self.conn.chunks_to_send())

    def _after_input(self) -> None:
        self._flush_conn()
        for ev in self.conn.events():
            if self.closed:
                return
            if type(ev) is MessagesReceived:
                self.session.engine_messages(ev.messages)
            elif type(ev) is HandshakeComplete:
                self.ready = True
                if self._timer is not None:
                    self._timer.cancel()
                    self._timer = None
                self.session.engine_ready(ev)
            elif type(ev) is ZapRequested:
                self.session.engine_zap_request(ev)
            elif type(ev) is ConnectionClosed:
                reason = ev.reason if ev.error is None else f"{ev.reason}"
                self._failed(reason)
                return
        self._flush_conn()

    def send_messages(self, messages: list[list[Any]]) -> None:
        if self.closed:
            return
        conn = self.conn
        conn.send_messages(messages)
        self.write_chunks(conn.chunks_to_send())

    def zap_reply_frames(self, frames: list[bytes]) -> None:
        if self.closed:
            return
        self.conn.zap_reply_frames(frames, delimiter=True)
        self._after_input()

    def zap_reply(self, code: int) -> None:
        if self.closed:
            return
        self.conn.zap_reply(code)
        self._after_input()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        super().close()

    force_close = close


class RawEngine(_EngineBase):
    """ZMQ_STREAM / ROUTER_RAW: no ZMTP; each read chunk is one frame."""

    ready = True

    def plug(self) -> None:
        super().plug()
        self.session.engine_ready(None)
        if self.session.options.raw_notify:
            self.session.engine_messages([[b""]])  # STREAM_NOTIFY: [id][empty] on connect

    def on_readable(self) -> None:
        if self.closed or not self.reading:
            return
        data = self._recv()
        if data is None:
            return
        if not len(data):
            self._failed("connection closed by peer")
            return
        self.session.engine_messages([[bytes(data)]])

    def send_messages(self, messages: list[list[Any]]) -> None:
        for parts in messages:
            for p in parts:
                if not len(p):
                    # an empty data frame closes the connection once the rest is written
                    self.session.engine_close_requested()
                    return
                # the engine keeps what the kernel does not take yet: a private copy of
                # anything the application could still change or resize
                self.write(p if type(p) is bytes else bytes(p))
