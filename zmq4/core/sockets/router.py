"""ROUTER (libzmq router_t), RFC 28: explicit addressing by peer identity.

Owns: the identity of every attached pipe and the routing table ``identity -> pipe``
(held in the socket's ``path``). The per-frame send and receive below run compiled, in
``RouterPath`` (zmq4.core.sockets.envelope); this module keeps options, identities and
pipe attach/terminate.

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
data frames as its identity; we do not copy that quirk. With ROUTER_HANDOVER (extension,
libzmq 4.1's number and meaning) the newcomer takes the identity over instead: the older
pipe is renamed to a generated id and terminated, which closes its connection (libzmq
leaves that connection open and unread; a still-running older peer therefore reconnects
here and takes the identity back, where with libzmq it would stay muted).

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

from ... import zmq_h as C
from ...msg import Msg
from .. import options as _options
from ..fq import FQ
from ..pipe import ACTIVE, Pipe
from ..socket_base import PENDING_SINK, SocketBase
from .envelope import RouterPath


def _random_u32() -> int:
    return int.from_bytes(os.urandom(4), "big")


class Router(SocketBase):
    """libzmq router_t (also the base of REP and STREAM)."""

    TYPE = C.ROUTER
    NAME = "ROUTER"
    TYPE_OPTIONS = frozenset((C.ROUTER_MANDATORY, C.ROUTER_RAW, C.PROBE_ROUTER,
                              C.ROUTER_HANDOVER))

    #: the compiled send/recv this type binds (zmq4.core.sockets.envelope)
    PATH: type[RouterPath] = RouterPath

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.fq = FQ()
        # the routing table, the prefetch slot and the send state live in the path
        self.path = path = self.PATH(self, self.fq)
        self.unidentified = path.unidentified  # attached, peer identity not known yet
        self.next_peer_id = _random_u32()
        self.probe_router = False
        self.handover = False  # ROUTER_HANDOVER (extension, libzmq 4.1)
        # hot path: SocketBase.send/recv call the compiled path directly (instance
        # attributes shadow the methods below), unless a subclass (STREAM) overrides them
        cls = type(self)
        self.bind_fast(path.xsend if cls.xsend is Router.xsend else None,
                       path.xrecv if cls.xrecv is Router.xrecv else None)
        if cls.xhas_in is Router.xhas_in:
            self.xhas_in = path.xhas_in  # type: ignore[method-assign]
        if cls.xread_activated is Router.xread_activated:
            self.xread_activated = path.read_activated  # type: ignore[method-assign]

    # ------------------------------------------------------------------ options
    def xsetsockopt(self, option: int, value: Any) -> None:
        if option in Router.TYPE_OPTIONS:
            value = _options.OPTIONS[option].validate(value)  # 4.0: negative -> EINVAL
            if option == C.ROUTER_MANDATORY:
                self.path.mandatory = value != 0
            elif option == C.ROUTER_HANDOVER:
                self.handover = value != 0
            elif option == C.ROUTER_RAW:
                # 4.0 never clears options.raw_sock once set; we keep the pair symmetric
                raw = self.path.raw_sock = value != 0
                self.options.raw_sock = raw
                self.options.recv_identity = not raw
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
            if ident not in self.path.outpipes:  # only after 2**32 ids could this repeat
                return ident

    def _announced_identity(self, pipe: Pipe) -> bytes:
        """The identity to route by, or b"" for a generated one."""
        if self.path.raw_sock or pipe.identity is None:
            return b""
        return bytes(pipe.identity)

    def _identify(self, pipe: Pipe) -> bool:
        """Register ``pipe`` under its identity; False if it was refused (terminated)."""
        ident = self._announced_identity(pipe)
        path = self.path
        if not ident:
            ident = self._generate_id()
        elif ident in path.outpipes:
            if not self.handover:
                # duplicate identity: the first connection keeps it, the newcomer is refused
                self.terminate_pipe(pipe, False)
                return False
            # ROUTER_HANDOVER (libzmq 4.1): the old connection is renamed to a generated
            # identity, so what it still delivers keeps a routing id, and closed; the
            # newcomer takes the identity (the rest of a message the old one was in the
            # middle of is dropped with it)
            old = path.outpipes.pop(ident)
            renamed = self._generate_id()
            path.outpipes[renamed] = old
            path.pipe_ids[old] = renamed
            self.terminate_pipe(old, True)
        path.outpipes[ident] = pipe
        path.pipe_ids[pipe] = ident
        self.identified(pipe, ident)
        return True

    def identified(self, pipe: Pipe, ident: bytes) -> None:
        """Hook: ``pipe`` is now routable as ``ident``."""

    def _awaits_identity(self, pipe: Pipe) -> bool:
        """True while the peer's identity is not known yet: ``pipe.identity is None``
        (a transport that attaches before its handshake), or an inproc pipe made by a
        connect before the bind (its far end has no owner yet)."""
        if self.path.raw_sock:
            return False
        if pipe.identity is None:
            return True
        peer = pipe.peer
        return peer is not None and peer.sink is PENDING_SINK

    def identify_late(self, pipe: Pipe) -> None:
        """``pipe`` (in ``unidentified``) was activated: route it if its identity is
        known by now (called by the path too)."""
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
                self.identify_late(pipe)
        elif not self._identify(pipe):
            return
        else:
            self.fq.attach(pipe)
        if self.probe_router and pipe.state == ACTIVE:
            pipe.write(Msg(b""))  # PROBE_ROUTER: the peer sees [our identity][""]

    def xread_activated(self, pipe: Pipe) -> None:
        self.path.read_activated(pipe)  # (bound to the path in __init__)

    def xwrite_activated(self, pipe: Pipe) -> None:
        if pipe in self.unidentified:
            self.identify_late(pipe)

    def xpipe_terminated(self, pipe: Pipe) -> None:
        self.unidentified.discard(pipe)
        path = self.path
        ident = path.pipe_ids.pop(pipe, None)
        if ident is not None and path.outpipes.get(ident) is pipe:
            del path.outpipes[ident]
        if path.more_in and not path.prefetched and self.fq.last_in is pipe:
            path.more_in = False  # the rest of that message went with the pipe
        self.fq.terminated(pipe)
        if pipe is path.current_out:
            path.current_out = None  # more_out stays: the rest of the message is dropped

    # ------------------------------------------------------------ send and receive
    # __init__ binds the instance to the compiled path instead of these, unless a
    # subclass overrides them (STREAM); they are what that check compares against
    def xsend(self, msg: Msg) -> bool:
        return self.path.xsend(msg)

    def xrecv(self) -> Optional[Msg]:
        return self.path.xrecv()

    def xhas_in(self) -> bool:
        return self.path.xhas_in()

    def xhas_out(self) -> bool:
        return True
