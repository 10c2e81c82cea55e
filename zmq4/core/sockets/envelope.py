# cython: annotation_typing=False, boundscheck=True, wraparound=True
"""The compiled data paths of the request-reply sockets: envelopes in and out.

Owns the per-frame send/recv logic of ROUTER, REP and REQ, as three objects a socket
binds its ``xsend``/``xrecv``/``xhas_in`` to (the compiled fast path then calls them
with no interpreted frame in between):

- ``RouterPath``: receive prefixes each message with the identity frame of the pipe it
  came from (a prefetch slot keeps ``xhas_in`` from losing that frame); send routes by
  the first frame (RFC 28; ROUTER_MANDATORY, ROUTER_RAW).
- ``RepPath`` (a RouterPath): REP's recv/send alternation and stored reply envelope.
- ``ReqPath``: REQ's request envelope (REQ_CORRELATE's request id), reply matching
  against the pipe the request went to, REQ_RELAXED.

The rules are those of the socket-type modules (``router.py``, ``rep.py``, ``req.py``,
whose docstrings state them); those modules keep everything else: options, identities,
pipe attach/terminate. A path never owns a socket: the rare step that needs one (ending
a pipe) goes through a weak reference, so no reference cycle is made.

Compiled by Cython in pure-Python mode (``envelope.pxd``); works the same interpreted.
"""

from __future__ import annotations

import sys
import weakref
from typing import Any, Optional

from ... import zmq_h as _C
from ...errors import ZMQError
from ...msg import MORE as _MORE
from ...msg import Msg
from ..fq import FQ
from ..lb import LB
from ..pipe import Pipe

_EFSM = _C.EFSM
_EHOSTUNREACH = _C.EHOSTUNREACH
_BYTEORDER = sys.byteorder  # REQ_CORRELATE's request id is in native byte order

# REQ's reply-envelope parser states
_EXPECT_ID = 0
_EXPECT_DELIMITER = 1
_EXPECT_BODY = 2
_SKIPPING = 3


class RouterPath:
    """ROUTER's send and receive (``router.py`` states the rules)."""

    def __init__(self, sock: Any, fq: FQ) -> None:
        self.sock = weakref.ref(sock)
        self.fq = fq
        self.outpipes: dict[bytes, Pipe] = {}  # routing identity -> pipe
        self.pipe_ids: dict[Pipe, bytes] = {}  # pipe -> routing identity
        self.unidentified: set[Pipe] = set()  # attached, peer identity not known yet
        # receive side: the prefetch slot (identity frame + first frame of a message)
        self.prefetched = False
        self.prefetched_id: Optional[Msg] = None
        self.prefetched_msg: Optional[Msg] = None
        self.identity_sent = False
        self.more_in = False
        # send side
        self.current_out: Optional[Pipe] = None
        self.more_out = False
        self.mandatory = False
        self.raw_sock = False

    def read_activated(self, pipe: Pipe) -> None:
        """``activate_read`` of ``pipe``: back into the fair queue, or, while its peer's
        identity is not known, to the socket's ``identify_late``."""
        if self.unidentified and pipe in self.unidentified:
            sock = self.sock()
            if sock is not None:
                sock.identify_late(pipe)
        else:
            self.fq.activated(pipe)

    def xsend(self, msg: Msg) -> bool:
        if not self.more_out:
            # frame 1: the identity of the peer to send to
            if msg.flags & _MORE:
                self.more_out = True
                pipe = self.outpipes.get(msg.bytes())
                if pipe is None:
                    if self.mandatory:
                        self.more_out = False
                        raise ZMQError(_EHOSTUNREACH,
                                       "ROUTER_MANDATORY: no peer with that identity")
                elif pipe.check_write():
                    self.current_out = pipe
                elif self.mandatory:
                    self.more_out = False
                    return False  # EAGAIN: a blocking send waits for room
                # else: queue full -> the whole message is dropped
            # a lone frame without MORE is malformed and silently dropped
            return True
        if self.raw_sock:
            msg.flags &= ~_MORE  # raw data frames never continue a message
        more = (msg.flags & _MORE) != 0
        self.more_out = more
        pipe = self.current_out
        if pipe is not None:
            if self.raw_sock and msg.size == 0:
                # ROUTER_RAW: an empty data frame closes that connection
                self.current_out = None
                sock = self.sock()
                if sock is not None:
                    sock.terminate_pipe(pipe, False)
                return True
            if not pipe.write(msg):
                self.current_out = None  # the pipe died: drop the rest
            elif not more:
                self.current_out = None
        return True

    def xrecv(self) -> Optional[Msg]:
        if self.prefetched:
            if not self.identity_sent:
                self.identity_sent = True
                m = self.prefetched_id
                self.prefetched_id = None
                return m
            m = self.prefetched_msg
            self.prefetched_msg = None
            self.prefetched = False
            self.more_in = (m.flags & _MORE) != 0  # type: ignore[union-attr]
            return m
        m = self.fq.recv()
        if m is None:
            return None
        if self.more_in:
            self.more_in = (m.flags & _MORE) != 0
            return m
        # the first frame of a message: deliver the identity frame first
        self.prefetched_msg = m
        self.prefetched = True
        self.identity_sent = True
        return Msg(self.pipe_ids[self.fq.last_in], _MORE)  # type: ignore[index]

    def xhas_in(self) -> bool:
        if self.more_in or self.prefetched:
            return True
        m = self.fq.recv()
        if m is None:
            return False
        self.prefetched_msg = m
        self.prefetched_id = Msg(self.pipe_ids[self.fq.last_in], _MORE)  # type: ignore[index]
        self.identity_sent = False
        self.prefetched = True
        return True


class RepPath(RouterPath):
    """REP on ROUTER routing (``rep.py`` states the rules)."""

    def __init__(self, sock: Any, fq: FQ) -> None:
        super().__init__(sock, fq)
        self.sending_reply = False
        self.request_begins = True
        self.envelope: Optional[list[Msg]] = None  # routing frames for the pending reply
        self.partial: list[Msg] = []  # envelope frames of the request being read
        self.in_body = False  # delimiter seen; the next frame starts the body
        self.body_first: Optional[Msg] = None  # prefetched first body frame

    # ------------------------------------------------------------------ send
    def xsend(self, msg: Msg) -> bool:
        if not self.sending_reply:
            raise ZMQError(_EFSM, "REP: send before a request was received")
        env = self.envelope
        if env is not None:
            # first reply frame: route the stored envelope first
            try:
                if not RouterPath.xsend(self, env[0]):
                    return False  # ROUTER_MANDATORY and the requester's queue is full
            except ZMQError:
                self.reply_done()  # ROUTER_MANDATORY and the requester is gone
                raise
            for i in range(1, len(env)):
                RouterPath.xsend(self, env[i])
            self.envelope = None
        more = (msg.flags & _MORE) != 0
        RouterPath.xsend(self, msg)
        if not more:
            self.reply_done()
        return True

    def reply_done(self) -> None:
        """Back to receive state (the reply went, or was abandoned)."""
        self.sending_reply = False
        self.envelope = None
        self.more_out = False
        self.current_out = None

    def xhas_out(self) -> bool:
        return self.sending_reply

    # ------------------------------------------------------------------ receive
    def _next_body(self) -> Optional[Msg]:
        """Consume envelopes until the first body frame of a well-formed request."""
        m = self.body_first
        if m is not None:
            self.body_first = None
            return m
        while True:
            m = RouterPath.xrecv(self)
            if m is None:
                return None
            if self.in_body:
                self.in_body = False
                return m
            if m.flags & _MORE:
                self.partial.append(m)
                if m.size == 0:  # the delimiter closes the envelope
                    self.envelope = self.partial
                    self.partial = []
                    self.in_body = True
            else:
                self.partial = []  # no delimiter: discard the malformed message

    def xrecv(self) -> Optional[Msg]:
        if self.sending_reply:
            raise ZMQError(_EFSM, "REP: recv while a reply is due")
        if self.request_begins:
            m = self._next_body()
            if m is None:
                return None
            self.request_begins = False
        else:
            m = RouterPath.xrecv(self)
            if m is None:
                return None
        if not m.flags & _MORE:
            self.sending_reply = True
            self.request_begins = True
        return m

    def xhas_in(self) -> bool:
        if self.sending_reply:
            return False
        if not self.request_begins:
            return RouterPath.xhas_in(self)
        if self.body_first is not None:
            return True
        self.body_first = self._next_body()
        return self.body_first is not None


class ReqPath:
    """REQ on DEALER's load balancer and fair queue (``req.py`` states the rules)."""

    def __init__(self, sock: Any, fq: FQ, lb: LB, request_id: int) -> None:
        self.sock = weakref.ref(sock)
        self.fq = fq
        self.lb = lb
        self.receiving_reply = False
        self.message_begins = True
        self.reply_pipe: Optional[Pipe] = None  # None matches no pipe
        self.request_id = request_id
        self.correlate = False
        self.strict = True
        self.expected_id: Optional[bytes] = None  # id frame of the outstanding request
        self.state = _EXPECT_DELIMITER
        self.start_state = _EXPECT_DELIMITER  # where each reply's parse starts
        self.body_first: Optional[Msg] = None  # prefetched first frame of a good reply

    # ------------------------------------------------------------------ send
    def xsend(self, msg: Msg) -> bool:
        if self.receiving_reply:
            if self.strict:
                raise ZMQError(_EFSM, "REQ: send while a reply is pending")
            # REQ_RELAXED: give up on the outstanding reply and the pipe it would use
            pipe = self.reply_pipe
            sock = self.sock()
            if pipe is not None and sock is not None and pipe in sock.pipes:
                sock.terminate_pipe(pipe, False)
            self.receiving_reply = False
            self.message_begins = True
        if self.message_begins:
            if not self._send_envelope():
                return False
            self.message_begins = False
            while self.fq.recv() is not None:
                pass  # drop whatever is queued: it cannot answer this request
            self.body_first = None
        more = (msg.flags & _MORE) != 0
        if not self.lb.send(msg):
            return False  # not reached: the envelope already holds the pipe
        if not more:
            self.receiving_reply = True
            self.message_begins = True
        return True

    def _send_envelope(self) -> bool:
        lb = self.lb
        if self.correlate:
            rid = (self.request_id + 1) & 0xFFFFFFFF
            frame = rid.to_bytes(4, _BYTEORDER)
            if not lb.send(Msg(frame, _MORE)):
                return False
            self.request_id = rid
            self.expected_id = frame
            self.reply_pipe = lb.last_out
            lb.send(Msg(b"", _MORE))
            self.start_state = _EXPECT_ID
        else:
            if not lb.send(Msg(b"", _MORE)):
                return False
            self.expected_id = None
            self.reply_pipe = lb.last_out
            self.start_state = _EXPECT_DELIMITER
        self.state = self.start_state
        return True

    def xhas_out(self) -> bool:
        if self.receiving_reply:
            return False
        return self.lb.has_out()

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
        m = self.body_first
        if m is not None:
            self.body_first = None
            return m
        fq = self.fq
        while True:
            m = fq.recv()
            if m is None:
                return None
            if fq.last_in is not self.reply_pipe:
                continue
            more = m.flags & _MORE
            state = self.state
            if state == _EXPECT_BODY:
                self.state = self.start_state
                return m
            if state == _EXPECT_DELIMITER and more and m.size == 0:
                self.state = _EXPECT_BODY
                continue
            if state == _EXPECT_ID and more and m.bytes() == self.expected_id:
                self.state = _EXPECT_DELIMITER
                continue
            # malformed (or the rest of a malformed message): skip to its last frame
            self.state = _SKIPPING if more else self.start_state

    def xrecv(self) -> Optional[Msg]:
        if not self.receiving_reply:
            raise ZMQError(_EFSM, "REQ: recv before a request was sent")
        if self.message_begins:
            m = self._next_body()
            if m is None:
                return None
            self.message_begins = False
        else:
            m = self._recv_reply_pipe()
            if m is None:
                return None
        if not m.flags & _MORE:
            self.receiving_reply = False
            self.message_begins = True
        return m

    def xhas_in(self) -> bool:
        if not self.receiving_reply:
            return False
        if not self.message_begins:
            return self.fq.has_in()
        if self.body_first is not None:
            return True
        self.body_first = self._next_body()
        return self.body_first is not None
