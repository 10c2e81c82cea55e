"""STREAM (libzmq stream_t), core side: raw byte streams addressed by connection id.

Owns: the socket-type half of STREAM. The raw tcp/ipc engine (no ZMTP: every chunk read
from the connection becomes one frame, no greeting, no security) belongs to the transport
layer, which marks such connections by ``options.raw_sock`` (True for STREAM).

Rules (spec §3.1, §3.2):
- Every pipe gets a generated 5-byte id (``0x00`` + 32-bit big-endian counter, random
  start), whatever its peer announced; the id of the most recently attached pipe is
  also stored as the socket's ZMQ_IDENTITY (``options.identity``), which is how a
  connecting STREAM learns the id to send to.
- Receive: every inbound frame becomes ``[id (MORE)][frame]`` with MORE cleared on the
  data frame (no message boundaries on a byte stream).
- Send: ``[id (MORE)][data]``. Unknown id: EHOSTUNREACH (always). That connection's queue
  at its HWM: EAGAIN (a blocking send waits). The MORE flag of the data frame is ignored.
  A zero-length data frame closes that connection. A lone id frame without MORE is
  silently dropped (4.0 instead also discards the *next* frame; we treat it like ROUTER).
- POLLOUT is always set. Only type option: ZMQ_STREAM_NOTIFY (ROUTER_MANDATORY etc. ->
  EINVAL).

Connection notifications: with ZMQ_STREAM_NOTIFY (an extension with libzmq 4.2's number,
73) at 1, a tcp/ipc connection delivers ``[id][empty]`` when it opens and again when the
peer closes it, as libzmq 4.1+ (the library pyzmq bundles) does; at 0 it sends neither,
as libzmq 4.0 (spec §3.2). The core's default is 1 and the object API keeps it (pyzmq's
behaviour); ``zmq4.capi`` and the C shim set 0 when they make a STREAM socket, since a
program written for 4.0 cannot turn off what 4.0 never did. The notifications come
from the raw engine's session (``zmq4.io.session``); closing a connection ourselves
(an empty data frame) is not notified back.

Over inproc (what 4.0 does, §4.4): bind and connect work for any type pair, as inproc
does no socket-type check. STREAM <-> STREAM over inproc carries the data frames
unchanged; another peer type's multipart message arrives one frame at a time (4.0 would
assert on a multipart frame; we clear MORE instead).
"""

from __future__ import annotations

from typing import Any, Optional

from ... import zmq_h as C
from ...errors import ZMQError
from ...msg import MORE, Msg
from .. import options as _options
from ..pipe import Pipe
from .router import Router


class Stream(Router):
    """libzmq stream_t."""

    TYPE = C.STREAM
    NAME = "STREAM"
    TYPE_OPTIONS = frozenset((C.STREAM_NOTIFY,))

    def xsetsockopt(self, option: int, value: Any) -> None:
        if option == C.STREAM_NOTIFY:
            # snapshotted by each endpoint at bind/connect, like every session option
            self.options.raw_notify = _options.OPTIONS[option].validate(value) == 1
            return
        super().xsetsockopt(option, value)

    # every connection is identified by a generated id, at once
    def _announced_identity(self, pipe: Pipe) -> bytes:
        return b""

    def _awaits_identity(self, pipe: Pipe) -> bool:
        return False

    def identified(self, pipe: Pipe, ident: bytes) -> None:
        self.options.identity = ident  # ZMQ_IDENTITY reports the latest connection's id

    # ------------------------------------------------------------------ send
    def xsend(self, msg: Msg) -> bool:
        p = self.path
        if not p.more_out:
            if msg.flags & MORE:
                pipe = p.outpipes.get(msg.bytes())
                if pipe is None:
                    raise ZMQError(C.EHOSTUNREACH, "STREAM: no connection with that id")
                if not pipe.check_write():
                    return False  # EAGAIN: a blocking send waits for room
                p.current_out = pipe
                p.more_out = True
            return True
        p.more_out = False
        pipe = p.current_out
        p.current_out = None
        if pipe is not None:
            if msg.size == 0:
                self.terminate_pipe(pipe, False)  # empty data frame: close the connection
                return True
            if msg.flags & MORE:
                msg = Msg(msg.data, msg.flags & ~MORE, msg.owner)
            pipe.write(msg)
        return True

    # ------------------------------------------------------------------ receive
    def _prefetch(self) -> bool:
        p = self.path
        m = self.fq.recv()
        if m is None:
            return False
        if m.flags & MORE:
            m = Msg(m.data, m.flags & ~MORE, m.owner)
        p.prefetched_msg = m
        p.prefetched_id = Msg(p.pipe_ids[self.fq.last_in], MORE)  # type: ignore[index]
        p.identity_sent = False
        p.prefetched = True
        return True

    def xrecv(self) -> Optional[Msg]:
        p = self.path
        if not p.prefetched and not self._prefetch():
            return None
        if not p.identity_sent:
            p.identity_sent = True
            m = p.prefetched_id
            p.prefetched_id = None
            return m
        m = p.prefetched_msg
        p.prefetched_msg = None
        p.prefetched = False
        return m

    def xhas_in(self) -> bool:
        return self.path.prefetched or self._prefetch()
