"""REQ (libzmq req_t), RFC 28: the synchronous client side, built on DEALER.

Owns: the send/recv alternation, the request envelope, and reply matching.

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
import struct
from typing import Any, Optional

from ... import constants as C
from ...errors import ZMQError
from ...msg import MORE, Msg
from .. import options as _options
from ..pipe import Pipe
from .dealer import Dealer

_REQUEST_ID = struct.Struct("=I")


# reply-envelope parser states
_EXPECT_ID = 0
_EXPECT_DELIMITER = 1
_EXPECT_BODY = 2
_SKIPPING = 3


class Req(Dealer):
    """libzmq req_t."""

    TYPE = C.REQ
    NAME = "REQ"
    SEND_THROUGH = True  # one message, then a wait: write it from the caller's thread
    TYPE_OPTIONS = frozenset((C.PROBE_ROUTER, C.REQ_CORRELATE, C.REQ_RELAXED))

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.receiving_reply = False
        self.message_begins = True
        self.reply_pipe: Optional[Pipe] = None  # None matches no pipe
        self.request_id = int.from_bytes(os.urandom(4), "big")
        self.correlate = False
        self.strict = True
        self._expected_id: Optional[bytes] = None  # id frame of the outstanding request
        self._state = _EXPECT_DELIMITER
        self._start_state = _EXPECT_DELIMITER  # where each reply's parse starts
        self._body_first: Optional[Msg] = None  # prefetched first frame of a good reply

    def xsetsockopt(self, option: int, value: Any) -> None:
        value = _options.OPTIONS[option].validate(value)  # 4.0: negative -> EINVAL
        if option == C.REQ_CORRELATE:
            self.correlate = value != 0
        elif option == C.REQ_RELAXED:
            self.strict = value == 0
        else:
            super().xsetsockopt(option, value)

    # ------------------------------------------------------------------ send
    def xsend(self, msg: Msg) -> bool:
        if self.receiving_reply:
            if self.strict:
                raise ZMQError(C.EFSM, "REQ: send while a reply is pending")
            # REQ_RELAXED: give up on the outstanding reply and the pipe it would use
            pipe = self.reply_pipe
            if pipe is not None and pipe in self.pipes:
                self.terminate_pipe(pipe, False)
            self.receiving_reply = False
            self.message_begins = True
        if self.message_begins:
            if not self._send_envelope():
                return False
            self.message_begins = False
            while self.fq.recv() is not None:
                pass  # drop whatever is queued: it cannot answer this request
            self._body_first = None
        more = bool(msg.flags & MORE)
        if not self.lb.send(msg):
            return False  # not reached: the envelope already holds the pipe
        if not more:
            self.receiving_reply = True
            self.message_begins = True
        return True

    def _send_envelope(self) -> bool:
        if self.correlate:
            rid = (self.request_id + 1) & 0xFFFFFFFF
            frame = _REQUEST_ID.pack(rid)
            if not self.lb.send(Msg(frame, MORE)):
                return False
            self.request_id = rid
            self._expected_id = frame
            self.reply_pipe = self.lb.last_out
            self.lb.send(Msg(b"", MORE))
            self._start_state = _EXPECT_ID
        else:
            if not self.lb.send(Msg(b"", MORE)):
                return False
            self._expected_id = None
            self.reply_pipe = self.lb.last_out
            self._start_state = _EXPECT_DELIMITER
        self._state = self._start_state
        return True

    def xhas_out(self) -> bool:
        if self.receiving_reply:
            return False
        return super().xhas_out()

    # ------------------------------------------------------------------ receive
    def _recv_reply_pipe(self) -> Optional[Msg]:
        """Next frame from the remembered pipe; frames from other pipes are dropped."""
        fq = self.fq
        while True:
            m = fq.recv()
            if m is None:
                return None
            if fq.last_in is self.reply_pipe:
                return m

    def _next_body(self) -> Optional[Msg]:
        """Consume malformed replies until the first body frame of a good one (frames
        from pipes other than the remembered one are dropped)."""
        m = self._body_first
        if m is not None:
            self._body_first = None
            return m
        fq = self.fq
        while True:
            m = fq.recv()
            if m is None:
                return None
            if fq.last_in is not self.reply_pipe:
                continue
            more = m.flags & MORE
            state = self._state
            if state == _EXPECT_BODY:
                self._state = self._start_state
                return m
            if state == _EXPECT_DELIMITER and more and m.size == 0:
                self._state = _EXPECT_BODY
                continue
            if state == _EXPECT_ID and more and m.bytes() == self._expected_id:
                self._state = _EXPECT_DELIMITER
                continue
            # malformed (or the rest of a malformed message): skip to its last frame
            self._state = _SKIPPING if more else self._start_state

    def xrecv(self) -> Optional[Msg]:
        if not self.receiving_reply:
            raise ZMQError(C.EFSM, "REQ: recv before a request was sent")
        if self.message_begins:
            m = self._next_body()
            if m is None:
                return None
            self.message_begins = False
        else:
            m = self._recv_reply_pipe()
            if m is None:
                return None
        if not m.flags & MORE:
            self.receiving_reply = False
            self.message_begins = True
        return m

    def xhas_in(self) -> bool:
        if not self.receiving_reply:
            return False
        if not self.message_begins:
            return self.fq.has_in()
        if self._body_first is not None:
            return True
        self._body_first = self._next_body()
        return self._body_first is not None

    def xpipe_terminated(self, pipe: Pipe) -> None:
        if pipe is self.reply_pipe:
            self.reply_pipe = None  # its reply can no longer come; nobody else's counts
        super().xpipe_terminated(pipe)
