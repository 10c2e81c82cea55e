"""PULL (libzmq pull_t), RFC 30: fair-queue in from PUSH peers; send is ENOTSUP."""

from __future__ import annotations

from typing import Optional

from ... import zmq_h as C
from ...msg import Msg
from ..fq import FQ
from ..pipe import Pipe
from ..socket_base import SocketBase


class Pull(SocketBase):
    """libzmq pull_t."""

    TYPE = C.PULL
    NAME = "PULL"
    CAN_SEND = False

    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.fq = FQ()
        # hot path: SocketBase.recv calls FQ.recv directly (an instance attribute shadows
        # the method below; same behaviour, one Python frame less per message)
        self.bind_fast(xrecv=self.fq.recv)

    def xattach_pipe(self, pipe: Pipe) -> None:
        self.fq.attach(pipe)

    def xread_activated(self, pipe: Pipe) -> None:
        self.fq.activated(pipe)

    def xpipe_terminated(self, pipe: Pipe) -> None:
        self.fq.terminated(pipe)

    def xrecv(self) -> Optional[Msg]:
        return self.fq.recv()

    def xhas_in(self) -> bool:
        return self.fq.has_in()
