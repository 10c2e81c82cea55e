"""XPUB (libzmq xpub_t), RFC 29: fan-out by subscription; subscriptions reach the app.

Owns: the publisher side of publish-subscribe — the subscription table (``MTrie``: prefix
-> pipes), matching outgoing messages on their first frame, reading subscribe/unsubscribe
and upstream user messages from subscriber pipes. PUB (``pub.py``) is an XPUB whose
application sees nothing.

Rules (spec §3.2 "PUB / XPUB", §5.7, §8.6, §8.21):

- Send: the first frame of a message is matched against the subscriptions (binary prefix
  compare, the empty prefix matches everything, RFC 29); the whole message goes to the
  matching pipes; a pipe without room for frame 1 skips that whole message (RFC 29: "SHALL
  silently drop the message if the queue for a subscriber is full", "SHALL NOT block on
  sending"). ``xhas_out`` is always true.
- Receive side, per message read from a subscriber pipe (read eagerly on every read
  activation and on attach):

  * first frame ``0x01 + prefix``: subscribe that pipe; queued for the application as
    ``0x01 + prefix`` if it is the prefix's first subscriber, or always with XPUB_VERBOSE;
  * first frame ``0x00 + prefix``: unsubscribe; queued only when no subscriber is left
    (VERBOSE does not apply) — unsubscribing something the pipe never subscribed is
    ignored (4.0 asserts there);
  * anything else, including an empty frame: an upstream user message (LIBZMQ-525),
    queued whole with its MORE flags.

  **Deviation from 4.0** (which looks at every *frame*): only the first frame of a
  message can be a subscription. Continuation frames of an upstream message are user
  data even if they start with 0x00/0x01, and a subscription frame that (against ZMTP,
  where subscriptions are single frames) carries MORE has its trailing frames dropped.
  Upstream messages reach the application queue only once complete, so the application
  never sees half a message.
- A subscriber pipe that ends takes its subscriptions along; every prefix left without
  subscribers is queued as ``0x00 + prefix`` (RFC 29: "SHALL, if the subscriber peer
  disconnects prematurely, generate a suitable unsubscribe request").

Transport hook — implicit subscribe-all (ZMTP/1.0 peers, i.e. libzmq 2.x, which never send
subscriptions): the session marks the socket-side pipe end with
``pipe.tag = SUBSCRIBE_ALL`` *before* handing it to the socket. On attach the XPUB then
applies it exactly as if the peer had sent ``0x01`` (empty prefix): the pipe receives
everything, the XPUB application is told as for any subscription, and the synthesised
``0x00`` when the peer goes keeps the pair symmetric. (libzmq 4.0 gets the same effect by
having the engine inject a one-byte ``0x01`` message; injecting that works here too.)
After attach ``pipe.tag`` belongs to this socket type again.

"""

from __future__ import annotations

from collections import deque
from typing import Any

from ... import zmq_h as C
from ...msg import MORE, Msg
from .. import options as _options
from ..dist import Dist
from ..mtrie import MTrie
from ..pipe import Pipe
from ..socket_base import SocketBase
from .subscription import PublishPath

#: ``pipe.tag`` value a transport sets to request an implicit subscribe-all (see above).
SUBSCRIBE_ALL = "xpub:subscribe-all"

_SKIP = "xpub:skip"  # pipe.tag: dropping the tail frames of a multi-frame subscription


def first_byte(data: Any) -> int:
    """First byte of a frame payload (-1 if empty); any bytes-like."""
    try:
        return data[0] if len(data) else -1  # bytes / bytearray / 'B' memoryview
    except TypeError:  # pragma: no cover - exotic buffer objects
        mv = memoryview(data).cast("B")
        return mv[0] if mv.nbytes else -1


class XPub(SocketBase):
    """libzmq xpub_t (also the base of PUB)."""

    TYPE = C.XPUB
    NAME = "XPUB"
    TYPE_OPTIONS = frozenset((C.XPUB_VERBOSE,))

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.dist = Dist()
        self.subscriptions = MTrie()
        self.verbose = False
        self.pending: deque[Msg] = deque()  # whole messages for the application, in order
        # the per-message send is compiled (subscription.py); the fast path calls it
        # directly unless a subclass overrides xsend
        self.path = PublishPath(self.subscriptions, self.dist)
        if type(self).xsend is XPub.xsend:
            self.bind_fast(xsend=self.path.xsend)

    # ------------------------------------------------------------------ options
    def xsetsockopt(self, option: int, value: Any) -> None:
        if option == C.XPUB_VERBOSE:
            # 4.0: an int; negative values are EINVAL
            self.verbose = bool(_options.OPTIONS[option].validate(value))
            return
        super().xsetsockopt(option, value)

    # ------------------------------------------------------------------ pipes
    def xattach_pipe(self, pipe: Pipe) -> None:
        self.dist.attach(pipe)
        if pipe.tag == SUBSCRIBE_ALL:
            pipe.tag = None
            self._subscribe(pipe, Msg(b"\x01"))
        else:
            pipe.tag = None
        # subscriptions may already be queued (connect before bind, fast peers)
        self.xread_activated(pipe)

    def xwrite_activated(self, pipe: Pipe) -> None:
        self.dist.activated(pipe)

    def xpipe_terminated(self, pipe: Pipe) -> None:
        pipe.tag = None
        # RFC 29: a subscriber that goes away unsubscribes from everything it held
        self.subscriptions.rm_all(pipe, self._orphaned if self.CAN_RECV else None)
        self.dist.terminated(pipe)

    def _orphaned(self, prefix: bytes) -> None:
        self._deliver([Msg(b"\x00" + prefix)])

    def xread_activated(self, pipe: Pipe) -> None:
        """Read everything the subscriber sent (subscriptions and upstream messages)."""
        state = pipe.tag  # None (message boundary), _SKIP, or frames of an upstream message
        while True:
            m = pipe.read()
            if m is None:
                break
            more = m.flags & MORE
            if state is None:
                if first_byte(m.data) in (0, 1):
                    self._subscribe(pipe, m)
                    if more:
                        state = _SKIP
                    continue
                if not more:
                    m.flags &= MORE
                    self._deliver([m])
                    continue
                state = [m]
            elif state is _SKIP:
                if not more:
                    state = None
            else:
                state.append(m)
                if not more:
                    for f in state:
                        f.flags &= MORE
                    self._deliver(state)
                    state = None
        if pipe in self.pipes:
            pipe.tag = state  # an unfinished message (the pipe died mid-message) is dropped

    def _subscribe(self, pipe: Pipe, m: Msg) -> None:
        data = m.data
        prefix = data[1:]
        if first_byte(data) == 1:
            first = self.subscriptions.add(prefix, pipe)
            if first or self.verbose:
                m.flags = 0
                self._deliver([m])
        elif self.subscriptions.rm(prefix, pipe):
            m.flags = 0
            self._deliver([m])

    def _deliver(self, frames: list[Msg]) -> None:
        """Queue a whole message for the application (PUB discards it)."""
        self.pending.extend(frames)

    # ------------------------------------------------------------------ send / recv
    def xsend(self, msg: Msg) -> bool:
        return self.path.xsend(msg)

    def xhas_out(self) -> bool:
        return True

    def xrecv(self) -> Msg | None:
        pending = self.pending
        return pending.popleft() if pending else None

    def xhas_in(self) -> bool:
        return bool(self.pending)
