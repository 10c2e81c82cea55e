"""ROUTER (libzmq router_t), RFC 28: explicit addressing by peer identity.

Owns: the identity of every attached pipe and the routing table ``identity -> pipe``.

Receive: fair-queue over peers; each message is prefixed with a frame holding the
identity of the pipe it came from. The first frame of a message is kept in a prefetch
slot so that ``xhas_in`` can look at the queues without losing the identity frame that
must be delivered first.

Send: frame 1 names the peer and must carry MORE (a lone frame without MORE is silently
discarded). Unknown identity: the rest of the message is dropped, or with
ROUTER_MANDATORY frame 1 fails with EHOSTUNREACH. Peer queue at its HWM: the message is
dropped, or with ROUTER_MANDATORY the socket reports EAGAIN (a blocking send waits for
room). POLLOUT is always set.

Identities (spec §3.2, §8.22): a pipe's identity is the one its peer announced
(``pipe.identity``); an empty one gets a generated 5-byte id ``0x00`` + 32-bit big-endian
counter (random start). A non-empty identity already routed to another pipe: the new
pipe is refused (terminated) — 4.0 leaves it "anonymous" and may later take one of its
data frames as its identity; we do not copy that quirk.

Late identities (4.0's "anonymous" pipes): an inproc connect made before the bind does
not know the binder's identity yet, and a transport that attaches a pipe before its
handshake marks it with ``pipe.identity = None``. Such a pipe is neither routable nor
read until its identity is known; it is identified on its first read or write
activation after that (inproc: the bind posts ``activate_write``; a transport sets
``pipe.identity`` before it delivers the peer's first message).

ROUTER_RAW (deprecated, for the raw tcp engine): every pipe gets a generated id, MORE is
cleared on outgoing data frames and a zero-length data frame closes that connection;
``options.raw_sock`` / ``options.recv_identity`` are set for the transport layer.
PROBE_ROUTER: an empty message is written to each newly attached pipe.
"""

from __future__ import annotations

import os
from typing import Any, Optional

from ... import constants as C
from ...errors import ZMQError
from ...msg import MORE, Msg
from .. import options as _options
from ..fq import FQ
from ..pipe import ACTIVE, Pipe
from ..socket_base import PENDING_SINK, SocketBase


def _random_u32() -> int:
    return int.from_bytes(os.urandom(4), "big")


class Router(SocketBase):
    """libzmq router_t (also the base of REP and STREAM)."""

    TYPE = C.ROUTER
    NAME = "ROUTER"
    TYPE_OPTIONS = frozenset((C.ROUTER_MANDATORY, C.ROUTER_RAW, C.PROBE_ROUTER))

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.fq = FQ()
        self.outpipes: dict[bytes, Pipe] = {}  # routing identity -> pipe
        self.pipe_ids: dict[Pipe, bytes] = {}  # pipe -> routing identity
        self.unidentified: set[Pipe] = set()  # attached, peer identity not known yet
        # receive side: the prefetch slot (identity frame + first frame of a message)
        self.prefetched = False
        self.prefetched_id: Optional[Msg] = None
        self.prefetched_msg: Optional[Msg] = None
        self.identity_sent = False
        self.more_in = False
        # send side
        self.current_out: Optional[Pipe] = None
        self.more_out = False
        self.next_peer_id = _random_u32()
        # options
        self.mandatory = False
        self.raw_sock = False
        self.probe_router = False

    # ------------------------------------------------------------------ options
    def xsetsockopt(self, option: int, value: Any) -> None:
        if option in Router.TYPE_OPTIONS:
            value = _options.OPTIONS[option].validate(value)  # 4.0: negative -> EINVAL
            if option == C.ROUTER_MANDATORY:
                self.mandatory = value != 0
            elif option == C.ROUTER_RAW:
                # 4.0 never clears options.raw_sock once set; we keep the pair symmetric
                self.raw_sock = value != 0
                self.options.raw_sock = self.raw_sock
                self.options.recv_identity = not self.raw_sock
            else:
                self.probe_router = value != 0
            return
        super().xsetsockopt(option, value)

    # ------------------------------------------------------------------ identities
    def _generate_id(self) -> bytes:
        while True:
            n = self.next_peer_id
            self.next_peer_id = (n + 1) & 0xFFFFFFFF
            ident = b"\x00" + n.to_bytes(4, "big")
            if ident not in self.outpipes:  # only after 2**32 ids could this repeat
                return ident

    def _announced_identity(self, pipe: Pipe) -> bytes:
        """The identity to route by, or b"" for a generated one."""
        if self.raw_sock or pipe.identity is None:
            return b""
        return bytes(pipe.identity)

    def _identify(self, pipe: Pipe) -> bool:
        """Register ``pipe`` under its identity; False if it was refused (terminated)."""
        ident = self._announced_identity(pipe)
        if not ident:
            ident = self._generate_id()
        elif ident in self.outpipes:
            # duplicate identity: the first connection keeps it, the newcomer is refused
            self.terminate_pipe(pipe, False)
            return False
        self.outpipes[ident] = pipe
        self.pipe_ids[pipe] = ident
        self.identified(pipe, ident)
        return True

    def identified(self, pipe: Pipe, ident: bytes) -> None:
        """Hook: ``pipe`` is now routable as ``ident``."""

    def _awaits_identity(self, pipe: Pipe) -> bool:
        """True while the peer's identity is not known yet: ``pipe.identity is None``
        (a transport that attaches before its handshake), or an inproc pipe made by a
        connect before the bind (its far end has no owner yet)."""
        if self.raw_sock:
            return False
        if pipe.identity is None:
            return True
        peer = pipe.peer
        return peer is not None and peer.sink is PENDING_SINK

    def _identify_late(self, pipe: Pipe) -> None:
        if self._awaits_identity(pipe):
            return
        self.unidentified.discard(pipe)
        if self._identify(pipe):
            self.fq.attach(pipe)

    def xattach_pipe(self, pipe: Pipe) -> None:
        if self._awaits_identity(pipe):
            self.unidentified.add(pipe)
            # arm the reader's wake-up: the first message from the peer (which comes
            # after its identity is known) then reaches us as activate_read
            if pipe.check_read():
                self._identify_late(pipe)
        elif not self._identify(pipe):
            return
        else:
            self.fq.attach(pipe)
        if self.probe_router and pipe.state == ACTIVE:
            pipe.write(Msg(b""))  # PROBE_ROUTER: the peer sees [our identity][""]

    def xread_activated(self, pipe: Pipe) -> None:
        if pipe in self.unidentified:
            self._identify_late(pipe)
        else:
            self.fq.activated(pipe)

    def xwrite_activated(self, pipe: Pipe) -> None:
        if pipe in self.unidentified:
            self._identify_late(pipe)

    def xpipe_terminated(self, pipe: Pipe) -> None:
        self.unidentified.discard(pipe)
        ident = self.pipe_ids.pop(pipe, None)
        if ident is not None and self.outpipes.get(ident) is pipe:
            del self.outpipes[ident]
        if self.more_in and not self.prefetched and self.fq.last_in is pipe:
            self.more_in = False  # the rest of that message went with the pipe
        self.fq.terminated(pipe)
        if pipe is self.current_out:
            self.current_out = None  # more_out stays: the rest of the message is dropped

    # ------------------------------------------------------------------ send
    def xsend(self, msg: Msg) -> bool:
        if not self.more_out:
            # frame 1: the identity of the peer to send to
            if msg.flags & MORE:
                self.more_out = True
                pipe = self.outpipes.get(msg.bytes())
                if pipe is None:
                    if self.mandatory:
                        self.more_out = False
                        raise ZMQError(C.EHOSTUNREACH,
                                       "ROUTER_MANDATORY: no peer with that identity")
                elif pipe.check_write():
                    self.current_out = pipe
                elif self.mandatory:
                    self.more_out = False
                    return False  # EAGAIN: a blocking send waits for room
                # else: queue full -> the whole message is dropped
            # a lone frame without MORE is malformed and silently dropped
            return True
        if self.raw_sock:
            msg.flags &= ~MORE  # raw data frames never continue a message
        more = bool(msg.flags & MORE)
        self.more_out = more
        pipe = self.current_out
        if pipe is not None:
            if self.raw_sock and msg.size == 0:
                # ROUTER_RAW: an empty data frame closes that connection
                self.current_out = None
                self.terminate_pipe(pipe, False)
                return True
            if not pipe.write(msg):
                self.current_out = None  # the pipe died: drop the rest
            elif not more:
                self.current_out = None
        return True

    def xhas_out(self) -> bool:
        return True

    # ------------------------------------------------------------------ receive
    def xrecv(self) -> Optional[Msg]:
        if self.prefetched:
            if not self.identity_sent:
                self.identity_sent = True
                m = self.prefetched_id
                self.prefetched_id = None
                return m
            m = self.prefetched_msg
            self.prefetched_msg = None
            self.prefetched = False
            self.more_in = bool(m.flags & MORE)  # type: ignore[union-attr]
            return m
        m = self.fq.recv()
        if m is None:
            return None
        if self.more_in:
            self.more_in = bool(m.flags & MORE)
            return m
        # the first frame of a message: deliver the identity frame first
        self.prefetched_msg = m
        self.prefetched = True
        self.identity_sent = True
        return Msg(self.pipe_ids[self.fq.last_in], MORE)  # type: ignore[index]

    def xhas_in(self) -> bool:
        if self.more_in or self.prefetched:
            return True
        m = self.fq.recv()
        if m is None:
            return False
        self.prefetched_msg = m
        self.prefetched_id = Msg(self.pipe_ids[self.fq.last_in], MORE)  # type: ignore[index]
        self.identity_sent = False
        self.prefetched = True
        return True
