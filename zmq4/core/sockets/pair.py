"""PAIR (libzmq pair_t), RFC 31: exclusive pair — one peer; later pipes are refused."""

from __future__ import annotations

from typing import Optional

from ... import zmq_h as C
from ...msg import MORE, Msg
from ..pipe import Pipe
from ..socket_base import SocketBase


class Pair(SocketBase):
    """libzmq pair_t: only the first attached pipe is used (RFC 31)."""

    TYPE = C.PAIR
    NAME = "PAIR"

    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.pipe: Optional[Pipe] = None

    def xattach_pipe(self, pipe: Pipe) -> None:
        if self.pipe is None:
            self.pipe = pipe
            # hot path: SocketBase.send/recv call the pipe directly (instance attributes
            # shadow the methods below while there is a pipe; same results)
            cls = type(self)
            self.bind_fast(pipe.write if cls.xsend is Pair.xsend else None,
                           pipe.read if cls.xrecv is Pair.xrecv else None)
        else:
            # RFC 31: a PAIR accepts one peer; any later connection is closed at once
            self.terminate_pipe(pipe, False)

    def xpipe_terminated(self, pipe: Pipe) -> None:
        if pipe is self.pipe:
            self.pipe = None
            self.unbind_fast()

    def xsend(self, msg: Msg) -> bool:
        p = self.pipe
        return p is not None and p.write(msg)

    def xrecv(self) -> Optional[Msg]:
        p = self.pipe
        return p.read() if p is not None else None

    def xhas_in(self) -> bool:
        p = self.pipe
        return p is not None and p.check_read()

    def xhas_out(self) -> bool:
        p = self.pipe
        return p is not None and p.check_write()

    def send_room(self) -> int:
        p = self.pipe
        return p.room() if p is not None else 0

    def xread_activated(self, pipe: Pipe) -> None:
        pass  # the single pipe is always polled directly

    def xwrite_activated(self, pipe: Pipe) -> None:
        pass


__all__ = ["Pair", "MORE"]
