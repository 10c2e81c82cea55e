# cython: annotation_typing=False
"""Pipes: the queues between a socket and its peers (libzmq pipe_t + ypipe_t).

Owns: ``Pipe`` ends and ``pipepair``. A pipe pair is two ends; each end reads from its own
``inq`` and writes into its peer's ``inq``. One thread owns each end (a socket's user
thread, or a session's I/O thread); ends talk only through the two deques and a few flags.

Rules (libzmq 4.0 semantics):
- Multipart atomicity: frames of an unfinished message wait in the writer's ``out_buf`` and
  reach the peer's queue together with the last frame; ``rollback`` drops them.
- HWM counts whole messages: a writer may start a message while
  ``msgs_written - peer.msgs_read < hwm`` (hwm 0 = unlimited; inproc: SNDHWM + RCVHWM).
- Wake-ups only on transitions (libzmq's ypipe flush/check_read protocol): a reader that
  finds its queue empty sets ``in_sleeping`` and re-checks; a writer that adds a whole
  message and sees ``in_sleeping`` clears it and posts ``activate_read`` to the reader's
  sink. The same for ``out_sleeping``/``activate_write``, posted once the reader has
  freed ``resume_room(hwm)`` messages of room (a low-water mark, as libzmq's: half the
  HWM, here at most 1024), not at the first message read: a writer kept at the HWM by a
  slower reader would otherwise be woken, and write, once per message the reader takes.
  With the GIL's sequential consistency this Dekker-style flag pair never loses a
  wake-up; a spurious one is harmless (sinks re-check). A writer that is awake sees
  every message read at once (``check_write``/``room`` read the peer's count); only the
  wake-up waits.
- Termination: ``terminate(delay)`` puts a DELIMITER after the complete messages already
  queued for the peer and posts ``pipe_term`` to the peer's sink. When ``delay`` is false
  (LINGER 0) the peer is told it may ``discard`` them; the reader decides
  (``process_term(drop)``). A session drops them (LINGER 0: what the socket queued is not
  written), in its own thread while handling ``pipe_term``, keeping the rest of a message
  its reader is in the middle of (a queue is never cleared from the other thread). A
  socket never drops: as in libzmq 4.0, whose socket-side pipes always wait for the
  delimiter, what an inproc peer sent before closing with LINGER 0 is still read. The
  peer's end ends when its reader reaches the DELIMITER or at once if nothing is pending.
  The sink hears ``pipe_terminated`` exactly once per end.
- CONFLATE ends keep only the newest message in their queue.

Compiled by Cython in pure-Python mode (``pipe.pxd``). The wake-up protocol above needs no
memory fences in compiled code: every thread touching a pipe holds the GIL, compiled code
releases it only inside calls into Python code (a sink's ``post``), and the flag/queue
operations keep the same order as here. Keep that order when editing: set the sleeping flag
*before* the re-check of the queue (reader) / the HWM (writer), and make the frame visible
in the queue *before* looking at the peer's flag (writer).
"""

from __future__ import annotations

from collections import deque
from typing import Any, Optional

from ..msg import MORE as _MORE
from ..msg import Msg, frame, payload_size, untrack

# The underscored twins are C constants when compiled (pipe.pxd); same values.
_ACTIVE = ACTIVE = 0
_TERMINATING = TERMINATING = 1  # peer terminated: read what is left up to the delimiter
_TERMINATED = TERMINATED = 2


def resume_room(hwm: int) -> int:
    """The room a reader frees before it wakes a writer that found the pipe full at
    ``hwm``: half of it, at most 1024 messages. (libzmq's readers report progress every
    ``(hwm + 1) // 2`` messages up to an HWM of 2048 and every ``hwm - 1024`` above, so a
    writer there waits up to that many reads; here a large HWM resumes sooner.)"""
    half = (hwm + 1) // 2
    return half if half < 1024 else 1024


class _Delimiter:
    __slots__ = ()

    def __repr__(self) -> str:
        return "DELIMITER"


_DELIM = DELIMITER = _Delimiter()


class Pipe:
    """One end of a pipe pair (libzmq pipe_t). ``sink`` receives its events."""

    __slots__ = (
        "inq", "peer", "sink", "hwm", "msgs_read", "msgs_written", "out_buf", "in_sleeping",
        "out_sleeping", "state", "identity", "conflate", "endpoint", "tag", "in_msg", "discard",
        "ran_dry", "frames_read_only",
        "_push", "_pop", "__weakref__",
    )

    def __init__(self, sink: Any, hwm: int, conflate: bool = False) -> None:
        self.inq: deque[Any] = deque()
        # ``inq``'s append and popleft, bound once: the per-frame calls look nothing up
        self._push = self.inq.append
        self._pop = self.inq.popleft
        # set by ``pipepair`` right after construction; never None in use
        self.peer: Pipe = None  # type: ignore[assignment]
        self.sink = sink
        self.hwm = hwm
        self.msgs_read = 0
        self.msgs_written = 0
        self.out_buf: list[Msg] = []
        self.in_sleeping = False
        self.out_sleeping = False
        self.state = _ACTIVE
        # the peer's identity as this end's socket sees it; None: not announced yet
        self.identity: Optional[bytes] = b""
        self.conflate = conflate
        self.endpoint: Optional[str] = None  # endpoint that created this pipe (disconnect)
        self.tag: Any = None  # free slot for the owning socket type
        self.in_msg = False  # the reader has read some but not all frames of a message
        self.ran_dry = False  # the last read_messages found the queue empty
        self.discard = False  # peer ended with LINGER 0: drop what is queued (reader side)
        # the peer's reader (a session) only reads the frames queued for it, never changes
        # them or hands them on: a writer may queue here a Msg it also queues elsewhere
        self.frames_read_only = False

    def __repr__(self) -> str:
        return f"<Pipe {id(self):#x} state={self.state} in={len(self.inq)} ep={self.endpoint}>"

    # -- reading ------------------------------------------------------------------------
    def check_read(self) -> bool:
        """True if a frame is ready; otherwise note that the reader sleeps."""
        if self.state == _TERMINATED:
            return False
        q = self.inq
        if not q:
            self.in_sleeping = True
            if not q:
                return False
            self.in_sleeping = False
        if q[0] is _DELIM:
            self._reached_delimiter(True)
            return False
        return True

    def read(self) -> Optional[Msg]:
        """Next frame, or None (empty: the reader now sleeps; or the pipe ended)."""
        q = self.inq
        if not q:  # only this end's reader pops, so non-empty stays non-empty
            if self.state == _TERMINATED:
                return None
            self.in_sleeping = True
            if not q:
                return None
            self.in_sleeping = False
        item = self._pop()
        if item is _DELIM:
            self._reached_delimiter(True)
            return None
        m: Msg = item
        if m.flags & _MORE:
            self.in_msg = True
        else:
            self.in_msg = False
            self.msgs_read += 1
            peer = self.peer
            if peer.out_sleeping and (peer.msgs_written - self.msgs_read
                                      <= peer.hwm - resume_room(peer.hwm)):
                peer.out_sleeping = False
                peer.sink.post(("activate_write", peer))
        return m

    # -- writing ------------------------------------------------------------------------
    def check_write(self) -> bool:
        """True if a new message fits under the HWM; otherwise note that the writer waits."""
        if self.state != _ACTIVE:
            return False
        hwm = self.hwm
        if not hwm or self.out_buf:
            return True
        peer = self.peer
        if self.msgs_written - peer.msgs_read < hwm:
            return True
        self.out_sleeping = True
        if self.msgs_written - peer.msgs_read < hwm:
            self.out_sleeping = False
            return True
        return False

    def room(self) -> int:
        """How many new whole messages ``write`` is sure to take now: the room under the
        HWM as of now (the reader only adds to it), less the message being written; 0
        once the pipe is ending; 2**30 without a HWM."""
        if self.state != _ACTIVE:
            return 0
        hwm = self.hwm
        if not hwm:
            return 1 << 30
        n = hwm - (self.msgs_written - self.peer.msgs_read)
        if self.out_buf:
            n -= 1
        return n if n > 0 else 0

    def write(self, msg: Msg) -> bool:
        """Queue a frame for the peer; False if the pipe cannot take a new message."""
        out_buf = self.out_buf
        if out_buf:
            if self.state != _ACTIVE:
                out_buf.clear()
                return False
        elif not self.check_write():
            return False
        if msg.flags & _MORE:
            out_buf.append(msg)
            return True
        peer = self.peer
        q = peer.inq
        if peer.conflate:
            q.clear()
            if out_buf:
                out_buf.clear()
        if out_buf:
            out_buf.append(msg)
            q.extend(out_buf)
            out_buf.clear()
        else:
            peer._push(msg)
        self.msgs_written += 1
        if peer.in_sleeping:
            peer.in_sleeping = False
            peer.sink.post(("activate_read", peer))
        return True

    def write_messages(self, messages: list[Any], start: int = 0) -> int:
        """Batch ``write`` for a session: ``messages[start:]`` are whole messages, each a
        list of frame payloads. Writes them in order until one does not fit under the HWM
        (or the pipe is no longer active); returns how many were written.

        Each message reaches the peer's queue in one ``extend`` (multipart atomicity),
        and the reader is woken at most once, after the last one (the Dekker order holds:
        every frame is queued before ``in_sleeping`` is looked at)."""
        if self.out_buf:
            return 0  # the socket side never has a half-written message; be safe anyway
        peer = self.peer
        q = peer.inq
        n = len(messages)
        i = start
        while i < n:
            if not self.check_write():
                break
            parts = messages[i]
            last = len(parts) - 1
            if last == 0 or peer.conflate:
                # CONFLATE keeps one frame, the last one (as ``write`` and libzmq 4.0's
                # conflating pipe do: multipart messages are not supported there)
                m = frame(parts[last], 0)
                if peer.conflate:
                    q.clear()
                peer._push(m)
            else:
                frames = [frame(parts[j], _MORE if j < last else 0) for j in range(last + 1)]
                q.extend(frames)
            self.msgs_written += 1
            i += 1
        if i > start and peer.in_sleeping:
            peer.in_sleeping = False
            peer.sink.post(("activate_read", peer))
        return i - start

    def read_messages(self, parts: list[Any], limit: int, held: Optional[list[Any]] = None,
                      max_bytes: int = -1) -> tuple[list[Any], list[Any]]:
        """Batch ``read`` for a session: up to ``limit`` whole messages, each a sequence
        of frame payloads (a list, or a one-tuple for a single frame), and no more once
        their payloads reach ``max_bytes`` (when >= 0; the message that reaches it is
        included). ``parts`` holds the frames already read of an unfinished message
        (continued here). Returns ``(messages, parts)``: the complete messages, and the
        frames of a message still unfinished when the queue ran dry. ``ran_dry`` then
        tells whether it stopped because the queue was empty (rather than at a limit).

        A frame with an owner (a user buffer sent without copying: its free function or
        tracker runs when the owner goes) gets its owner appended to ``held``: the
        caller keeps it until the payload has been copied or written, so the
        application is not told the buffer is free while it is still being read."""
        batch: list[Any] = []
        size = 0
        self.ran_dry = False
        while len(batch) < limit:
            m = self.read()
            if m is None:
                self.ran_dry = True
                break
            data = m.data
            if max_bytes >= 0:
                size += payload_size(data)
            if m.owner is not None and held is not None:
                held.append(m.owner)
            if m.flags & _MORE:
                parts.append(data)
                continue
            # internal sequences holding payloads only: off the cycle collector's list
            if parts:
                parts.append(data)
                batch.append(untrack(parts))
                parts = []
            else:
                batch.append(untrack((data,)))  # one allocation, from the tuple free list
            if max_bytes >= 0 and size >= max_bytes:
                break
        return batch, parts

    def rollback(self) -> None:
        """Drop the frames of an unfinished outbound message."""
        self.out_buf.clear()

    # -- termination --------------------------------------------------------------------
    def terminate(self, delay: bool = True) -> None:
        """End this pipe from this side (close, disconnect, socket-type rule).

        Frames already queued for the peer stay readable unless ``delay`` is false."""
        if self.state == _TERMINATED:
            return
        self.state = _TERMINATED
        self.out_buf.clear()
        self.inq.clear()
        peer = self.peer
        if peer is not None and peer.state != _TERMINATED:
            if not delay:
                peer.discard = True
            peer.inq.append(_DELIM)
            peer.state = _TERMINATING
            peer.in_sleeping = False
            peer.sink.post(("pipe_term", peer))

    def process_term(self, drop: bool = True) -> bool:
        """Sink-side handling of ``pipe_term``: end now if nothing is left to read.

        ``drop``: whether this reader honours a writer's LINGER 0 by dropping what is
        queued (a session: the connection goes) or reads it up to the delimiter (a
        socket: libzmq 4.0's inproc semantics).
        Returns True if the pipe ended (the sink then forgets it)."""
        if self.state == _TERMINATED:
            return False
        q = self.inq
        discard = self.discard and drop
        self.discard = False
        if discard:
            # the writer is gone, so nothing else is appended: safe to rebuild the queue
            keep = []
            while self.in_msg and q and q[0] is not _DELIM:
                m = q.popleft()
                keep.append(m)
                if not m.flags & _MORE:
                    break
            q.clear()
            q.extend(keep)
            q.append(_DELIM)
        if q and q[0] is _DELIM:
            self._reached_delimiter(False)
            return True
        return False

    def _reached_delimiter(self, notify: bool = True) -> None:
        self.inq.clear()
        if self.state == _TERMINATED:
            return
        self.state = _TERMINATED
        self.out_buf.clear()
        if notify:
            self.sink.pipe_ended(self)

    @property
    def alive(self) -> bool:
        return self.state == _ACTIVE


def pipepair(sink_a: Any, sink_b: Any, hwm_a: int, hwm_b: int,
             conflate_a: bool = False, conflate_b: bool = False) -> tuple[Pipe, Pipe]:
    """Two connected ends. ``hwm_a`` limits what end a may queue for b; ``conflate_a``
    makes end a's own inbound queue keep only the newest message."""
    a = Pipe(sink_a, hwm_a, conflate_a)
    b = Pipe(sink_b, hwm_b, conflate_b)
    a.peer = b
    b.peer = a
    return a, b
