"""REP (libzmq rep_t), RFC 28: the synchronous service side, built on ROUTER routing.

Owns: the recv/send alternation and the stored reply envelope (both run compiled, in
``RepPath``, zmq4.core.sockets.envelope).

Rules (spec §3.2):
- ``recv`` at the start of a request takes the envelope off — the ROUTER identity frame
  and every frame up to and including the first empty frame carrying MORE (the
  delimiter) — and keeps it; the application gets only the body frames. A message whose
  envelope ends before a delimiter is discarded whole and the next one is tried.
- After the last body frame the socket is in "send" state: the reply goes back with the
  stored envelope in front, to the pipe the request came from. Requester gone or its
  queue full: the reply is dropped silently (RFC 28: REP never blocks).
- ``send`` while receiving and ``recv`` while a reply is due fail with EFSM.
- POLLIN only while receiving, and only when a well-formed request is queued (the body's
  first frame is prefetched); POLLOUT only while a reply is due.
- As in 4.0, REP inherits ROUTER's options. With ROUTER_MANDATORY a reply to a requester
  that has gone fails with EHOSTUNREACH and the reply is abandoned (the socket returns to
  receive state); a full requester queue gives EAGAIN (a blocking send waits). 4.0 would
  abort on an assertion in both cases.
"""

from __future__ import annotations

from ... import zmq_h as C
from .envelope import RepPath
from .router import Router


class Rep(Router):
    """libzmq rep_t. The rules above are implemented by the compiled ``RepPath``
    (zmq4.core.sockets.envelope), which the socket's send/recv are bound to."""

    TYPE = C.REP
    NAME = "REP"
    SEND_THROUGH = True  # one message, then a wait: write it from the caller's thread
    PATH = RepPath

    def xhas_out(self) -> bool:
        return self.path.sending_reply  # type: ignore[attr-defined, no-any-return]
