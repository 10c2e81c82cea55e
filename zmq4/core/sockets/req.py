"""REQ (libzmq req_t), RFC 28: the synchronous client side, built on DEALER.

Owns: the send/recv alternation, the request envelope, and reply matching (all run
compiled, in ``ReqPath``, zmq4.core.sockets.envelope).

Rules (spec §3.2, §8.10, §8.11):
- A request goes out as ``[request-id (MORE)]`` (REQ_CORRELATE only: 4 bytes, native
  byte order, a 32-bit counter with a random start, incremented per request)
  ``[""] (MORE)`` + the application's frames, round-robin over peers with room; the
  pipe chosen is remembered. Anything already queued for receive is discarded when a
  request starts, so a stale reply can never answer a later request.
- Replies are accepted only from the remembered pipe (RFC 28); messages from other
  pipes are discarded. A reply that does not start with the expected request id (with
  CORRELATE) followed by an empty frame with MORE is discarded whole.
- ``send`` while a reply is pending: EFSM, or with REQ_RELAXED the pipe the reply was
  expected from is terminated and a new request starts. ``recv`` with no request
  outstanding: EFSM.
- POLLOUT is false while a reply is pending; POLLIN is false while none is, and while
  one is, true only when a well-formed reply is queued (its first body frame is
  prefetched, so poll never reports a message that recv would then discard).
- If the remembered pipe ends before its reply arrived, no other peer's message is
  accepted as the reply (4.0 then accepts any peer's [quirk]; RFC 28 forbids it). The
  request is lost: without REQ_RELAXED the socket can only be closed.
- PROBE_ROUTER (inherited from DEALER) writes its empty message outside this state
  machine.
"""

from __future__ import annotations

import os
from typing import Any

from ... import zmq_h as C
from .. import options as _options
from ..pipe import Pipe
from .dealer import Dealer
from .envelope import ReqPath


class Req(Dealer):
    """libzmq req_t. The rules above are implemented by the compiled ``ReqPath``
    (zmq4.core.sockets.envelope), which the socket's send/recv are bound to."""

    TYPE = C.REQ
    NAME = "REQ"
    SEND_THROUGH = True  # one message, then a wait: write it from the caller's thread
    TYPE_OPTIONS = frozenset((C.PROBE_ROUTER, C.REQ_CORRELATE, C.REQ_RELAXED))

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.path = path = ReqPath(self, self.fq, self.lb,
                                   int.from_bytes(os.urandom(4), "big"))
        # hot path: SocketBase.send/recv call the compiled path directly
        self.bind_fast(path.xsend, path.xrecv)
        self.xhas_in = path.xhas_in  # type: ignore[method-assign]
        self.xhas_out = path.xhas_out  # type: ignore[method-assign]

    def xsetsockopt(self, option: int, value: Any) -> None:
        value = _options.OPTIONS[option].validate(value)  # 4.0: negative -> EINVAL
        if option == C.REQ_CORRELATE:
            self.path.correlate = value != 0
        elif option == C.REQ_RELAXED:
            self.path.strict = value == 0
        else:
            super().xsetsockopt(option, value)

    def send_room(self) -> int:
        return 0  # a request waits for its reply: never a run of sends

    def xpipe_terminated(self, pipe: Pipe) -> None:
        if pipe is self.path.reply_pipe:
            self.path.reply_pipe = None  # its reply can no longer come; nobody else's counts
        super().xpipe_terminated(pipe)
