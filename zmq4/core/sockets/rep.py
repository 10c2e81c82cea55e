"""REP (libzmq rep_t), RFC 28: the synchronous service side, built on ROUTER routing.

Owns: the recv/send alternation and the stored reply envelope.

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

from typing import Any, Optional

from ... import constants as C
from ...errors import ZMQError
from ...msg import MORE, Msg
from .router import Router


class Rep(Router):
    """libzmq rep_t."""

    TYPE = C.REP
    NAME = "REP"
    SEND_THROUGH = True  # one message, then a wait: write it from the caller's thread

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.sending_reply = False
        self.request_begins = True
        self.envelope: Optional[list[Msg]] = None  # routing frames for the pending reply
        self._partial: list[Msg] = []  # envelope frames of the request being read
        self._in_body = False  # delimiter seen; the next frame starts the body
        self._body_first: Optional[Msg] = None  # prefetched first body frame

    # ------------------------------------------------------------------ send
    def xsend(self, msg: Msg) -> bool:
        if not self.sending_reply:
            raise ZMQError(C.EFSM, "REP: send before a request was received")
        env = self.envelope
        if env is not None:
            # first reply frame: route the stored envelope first
            try:
                if not Router.xsend(self, env[0]):
                    return False  # ROUTER_MANDATORY and the requester's queue is full
            except ZMQError:
                self._reply_done()  # ROUTER_MANDATORY and the requester is gone
                raise
            for frame in env[1:]:
                Router.xsend(self, frame)
            self.envelope = None
        more = bool(msg.flags & MORE)
        Router.xsend(self, msg)
        if not more:
            self._reply_done()
        return True

    def _reply_done(self) -> None:
        self.sending_reply = False
        self.envelope = None
        self.more_out = False
        self.current_out = None

    def xhas_out(self) -> bool:
        return self.sending_reply

    # ------------------------------------------------------------------ receive
    def _next_body(self) -> Optional[Msg]:
        """Consume envelopes until the first body frame of a well-formed request."""
        m = self._body_first
        if m is not None:
            self._body_first = None
            return m
        while True:
            m = Router.xrecv(self)
            if m is None:
                return None
            if self._in_body:
                self._in_body = False
                return m
            if m.flags & MORE:
                self._partial.append(m)
                if m.size == 0:  # the delimiter closes the envelope
                    self.envelope = self._partial
                    self._partial = []
                    self._in_body = True
            else:
                self._partial = []  # no delimiter: discard the malformed message

    def xrecv(self) -> Optional[Msg]:
        if self.sending_reply:
            raise ZMQError(C.EFSM, "REP: recv while a reply is due")
        if self.request_begins:
            m = self._next_body()
            if m is None:
                return None
            self.request_begins = False
        else:
            m = Router.xrecv(self)
            if m is None:
                return None
        if not m.flags & MORE:
            self.sending_reply = True
            self.request_begins = True
        return m

    def xhas_in(self) -> bool:
        if self.sending_reply:
            return False
        if not self.request_begins:
            return Router.xhas_in(self)
        if self._body_first is not None:
            return True
        self._body_first = self._next_body()
        return self._body_first is not None
