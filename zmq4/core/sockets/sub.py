"""SUB (libzmq sub_t), RFC 29: subscribe through options; filter locally; never sends.

Owns: turning ZMQ_SUBSCRIBE / ZMQ_UNSUBSCRIBE into ``0x01`` / ``0x00 + prefix`` messages
that go through XSUB's send logic (``xsub.py``: counted, duplicates forwarded, last
unsubscribe forwarded), and the local prefix filter on receive.

Rules (spec §3.2 "SUB / XSUB"):

- ``send`` is ENOTSUP and SUB never reports POLLOUT (RFC 29: SUB "SHALL only receive
  messages").
- ``recv`` delivers only messages whose first frame starts with a subscribed prefix
  (needed for publishers that do not filter: ZMTP/1.0, PGM); a non-matching message is
  skipped whole, all of its frames. POLLIN means a *matching* message is ready: polling
  reads ahead to the first matching message and keeps it.
- A SUB starts with no subscription, so it receives nothing until subscribed; the empty
  prefix subscribes to everything.
"""

from __future__ import annotations

from typing import Any

from ... import zmq_h as C
from ...errors import ZMQError
from ...msg import Msg
from .. import options as _options
from .subscription import SubscribePath
from .xsub import XSub


class Sub(XSub):
    """libzmq sub_t."""

    TYPE = C.SUB
    NAME = "SUB"
    CAN_SEND = False
    TYPE_OPTIONS = frozenset((C.SUBSCRIBE, C.UNSUBSCRIBE))

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        # the filter on receive is compiled (subscription.py); the fast path calls it
        # directly unless a subclass overrides xrecv/xhas_in
        self.path = path = SubscribePath(self.fq, self.subscriptions)
        cls = type(self)
        if cls.xrecv is Sub.xrecv:
            self.bind_fast(xrecv=path.xrecv)
        if cls.xhas_in is Sub.xhas_in:
            self.xhas_in = path.xhas_in  # type: ignore[method-assign]

    # ------------------------------------------------------------------ options
    def xsetsockopt(self, option: int, value: Any) -> None:
        if option in (C.SUBSCRIBE, C.UNSUBSCRIBE):
            prefix = _options.OPTIONS[option].validate(value)  # (NULL, 0) -> b""
            head = b"\x01" if option == C.SUBSCRIBE else b"\x00"
            self._send_upstream(Msg(head + bytes(prefix)))
            return
        super().xsetsockopt(option, value)

    # ------------------------------------------------------------------ send
    def xsend(self, msg: Msg) -> bool:
        raise ZMQError(C.ENOTSUP, "send is not supported on SUB sockets")

    def xhas_out(self) -> bool:
        return False

    # ------------------------------------------------------------------ recv
    def xrecv(self) -> Msg | None:
        return self.path.xrecv()

    def xhas_in(self) -> bool:
        return self.path.xhas_in()
