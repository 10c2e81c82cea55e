"""DEALER (libzmq dealer_t), RFC 28: round-robin out, fair-queue in, no envelopes."""

from __future__ import annotations

from typing import Any, Optional

from ... import zmq_h as C
from ...msg import Msg
from ..fq import FQ
from ..lb import LB
from ..pipe import Pipe
from ..socket_base import SocketBase


class Dealer(SocketBase):
    """libzmq dealer_t (also the base of REQ)."""

    TYPE = C.DEALER
    NAME = "DEALER"
    TYPE_OPTIONS = frozenset((C.PROBE_ROUTER,))

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.fq = FQ()
        self.lb = LB()
        self.probe_router = False
        # hot path: SocketBase.send/recv call LB.send/FQ.recv directly (instance attributes
        # shadow the methods below), unless a subclass (REQ) overrides them
        cls = type(self)
        self.bind_fast(self.lb.send if cls.xsend is Dealer.xsend else None,
                       self.fq.recv if cls.xrecv is Dealer.xrecv else None)
        if cls.xread_activated is Dealer.xread_activated:
            self.xread_activated = self.fq.activated  # type: ignore[method-assign]

    def xsetsockopt(self, option: int, value: Any) -> None:
        if option == C.PROBE_ROUTER:
            self.probe_router = bool(value)
            return
        super().xsetsockopt(option, value)

    def xattach_pipe(self, pipe: Pipe) -> None:
        if self.probe_router:
            pipe.write(Msg(b""))  # PROBE_ROUTER: announce ourselves with an empty message
        self.fq.attach(pipe)
        self.lb.attach(pipe)

    def xread_activated(self, pipe: Pipe) -> None:
        self.fq.activated(pipe)

    def xwrite_activated(self, pipe: Pipe) -> None:
        self.lb.activated(pipe)

    def xpipe_terminated(self, pipe: Pipe) -> None:
        self.fq.terminated(pipe)
        self.lb.terminated(pipe)

    def xsend(self, msg: Msg) -> bool:
        return self.lb.send(msg)

    def xrecv(self) -> Optional[Msg]:
        return self.fq.recv()

    def xhas_in(self) -> bool:
        return self.fq.has_in()

    def xhas_out(self) -> bool:
        return self.lb.has_out()

    def send_room(self) -> int:
        return self.lb.room()
