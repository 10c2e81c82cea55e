"""XSUB (libzmq xsub_t), RFC 29: subscribe by sending; fair-queue in, no local filter.

Owns: the subscriber side's counted subscription set (``Trie``) and what travels upstream.
SUB (``sub.py``) is an XSUB that subscribes through socket options and filters locally.

Rules (spec §3.2 "SUB / XSUB", §5.7, §8.6, §8.21):

- ``send`` looks at the first frame of each message:

  * ``0x01 + prefix``: counted in the trie and always sent to every publisher, repeats
    too (so XPUB_VERBOSE works through proxy chains, LIBZMQ-456);
  * ``0x00 + prefix``: sent only when that drops the prefix's count to zero (an
    unsubscribe of something not subscribed is swallowed);
  * anything else, including an empty frame: an upstream user message (LIBZMQ-525), sent
    whole to every publisher.

  Every publisher gets it (RFC 29: "SHALL send all messages to all connected
  publishers"); a publisher whose queue is full misses it (RFC 29: "SHALL silently drop
  the message if the outgoing queue for a publisher is full", "SHALL NOT block on
  sending"), so ``xhas_out`` is always true. Later frames of a multipart message follow
  the first frame's fate. **Deviation from 4.0**, which classifies every *frame*: a
  continuation frame starting with 0x00/0x01 is user data here, never a subscription.
- Every publisher pipe gets the whole current subscription set when it attaches, and again
  when its connection hiccups (reconnect; ``xhiccuped``, called by the transport). If that
  happens while a multipart message is being sent, the resend waits for the message's end.
- ``recv`` fair-queues whole messages from the publishers, unfiltered.
- Closing a connection needs no explicit unsubscribes: the publisher forgets a departed
  pipe's subscriptions itself (XPUB ``rm_all``).
"""

from __future__ import annotations

from typing import Any

from ... import zmq_h as C
from ...msg import MORE, Msg
from ..fq import FQ
from ..pipe import Pipe
from ..socket_base import SocketBase
from ..trie import Trie
from ..dist import Dist
from .xpub import first_byte

_FORWARD = 0  # the message being sent goes to every publisher
_DROP = 1  # the message being sent is swallowed (a non-final unsubscribe)


class XSub(SocketBase):
    """libzmq xsub_t (also the base of SUB)."""

    TYPE = C.XSUB
    NAME = "XSUB"

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.fq = FQ()
        self.dist = Dist()
        self.subscriptions = Trie()
        self.more_out = False  # in the middle of sending a multipart message
        self.out_mode = _FORWARD
        self.resend: list[Pipe] = []  # pipes owed the subscription set after this message
        if type(self).xrecv is XSub.xrecv:  # one frame less per message (as PULL)
            self.bind_fast(xrecv=self.fq.recv)

    # ------------------------------------------------------------------ pipes
    def xattach_pipe(self, pipe: Pipe) -> None:
        self.fq.attach(pipe)
        self.dist.attach(pipe)  # mid-message: joins after the current message (Dist)
        # a new pipe has no unfinished message, so the set can be written at once
        self._send_subscriptions(pipe)

    def xhiccuped(self, pipe: Pipe) -> None:
        """The transport reconnected ``pipe``'s peer: resend the subscription set."""
        if pipe not in self.pipes:
            return
        if self.more_out:
            if pipe not in self.resend:
                self.resend.append(pipe)
            return
        self._send_subscriptions(pipe)

    def _send_subscriptions(self, pipe: Pipe) -> None:
        for prefix in self.subscriptions.prefixes():
            if not pipe.write(Msg(b"\x01" + prefix)):
                break  # no room: the rest are lost for this publisher, as in 4.0

    def xread_activated(self, pipe: Pipe) -> None:
        self.fq.activated(pipe)

    def xwrite_activated(self, pipe: Pipe) -> None:
        self.dist.activated(pipe)

    def xpipe_terminated(self, pipe: Pipe) -> None:
        self.fq.terminated(pipe)
        self.dist.terminated(pipe)
        if self.resend and pipe in self.resend:
            self.resend.remove(pipe)

    # ------------------------------------------------------------------ send
    def xsend(self, msg: Msg) -> bool:
        return self._send_upstream(msg)

    def _send_upstream(self, msg: Msg) -> bool:
        more = bool(msg.flags & MORE)
        if not self.more_out:
            data = msg.data
            kind = first_byte(data)
            if kind == 1:
                self.subscriptions.add(data[1:])
                self.out_mode = _FORWARD  # duplicates too (XPUB_VERBOSE through proxies)
            elif kind == 0:
                # only the last instance of a prefix unsubscribes upstream
                self.out_mode = _FORWARD if self.subscriptions.rm(data[1:]) else _DROP
            else:
                self.out_mode = _FORWARD  # LIBZMQ-525 upstream user message
        if self.out_mode == _FORWARD:
            self.dist.send_to_all(msg)  # never blocks: full publishers miss it
        self.more_out = more
        if not more and self.resend:
            pipes, self.resend = self.resend, []
            for pipe in pipes:
                self._send_subscriptions(pipe)
        return True

    def xhas_out(self) -> bool:
        return True

    # ------------------------------------------------------------------ recv
    def xrecv(self) -> Msg | None:
        return self.fq.recv()

    def xhas_in(self) -> bool:
        return self.fq.has_in()
