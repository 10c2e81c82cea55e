"""PUSH (libzmq push_t), RFC 30: round-robin out to PULL peers; recv is ENOTSUP."""

from __future__ import annotations

from ... import zmq_h as C
from ...msg import Msg
from ..lb import LB
from ..pipe import Pipe
from ..socket_base import SocketBase


class Push(SocketBase):
    """libzmq push_t."""

    TYPE = C.PUSH
    NAME = "PUSH"
    CAN_RECV = False

    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.lb = LB()
        # hot path: SocketBase.send calls LB.send directly (an instance attribute shadows
        # the method below; same behaviour, one Python frame less per message)
        self.bind_fast(xsend=self.lb.send)

    def xattach_pipe(self, pipe: Pipe) -> None:
        self.lb.attach(pipe)

    def xwrite_activated(self, pipe: Pipe) -> None:
        self.lb.activated(pipe)

    def xpipe_terminated(self, pipe: Pipe) -> None:
        self.lb.terminated(pipe)

    def xsend(self, msg: Msg) -> bool:
        return self.lb.send(msg)

    def xhas_out(self) -> bool:
        return self.lb.has_out()

    def send_room(self) -> int:
        return self.lb.room()
