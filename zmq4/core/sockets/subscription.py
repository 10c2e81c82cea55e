# cython: annotation_typing=False, boundscheck=True, wraparound=True
"""The compiled data paths of publish-subscribe: matching on send, filtering on receive.

Owns the per-message send/recv logic of XPUB/PUB and SUB, as two objects a socket binds
its ``xsend``/``xrecv``/``xhas_in`` to (the compiled fast path then calls them with no
interpreted frame in between, as ``envelope.py`` does for the request-reply sockets):

- ``PublishPath``: the first frame of a message is matched against the subscription
  table (``MTrie``; RFC 29: binary prefix compare, the empty prefix matches everything)
  and the whole message goes to the matching pipes through ``Dist`` (which skips the
  message for a pipe without room: RFC 29 "SHALL NOT block on sending"). When the match
  is the same table entry as for the previous message (the table hands out one snapshot
  per entry until it changes) and the pipes are the same, whether it covers every pipe is
  known: then all are selected at once (``Dist.match_all``; a PUB whose subscribers all
  take everything, the common case), not one by one.
- ``SubscribePath``: SUB's local filter (``Trie``; needed for publishers that do not
  filter: ZMTP/1.0, PGM). A message whose first frame matches no subscription is skipped
  whole; a matching first frame found by ``xhas_in`` (poll, EVENTS) is kept for the next
  ``xrecv``, so polling never loses it.

The rules are those of the socket-type modules (``xpub.py``, ``sub.py``, whose
docstrings state them); those modules keep everything else: options, subscription
bookkeeping, pipe attach/terminate.

Compiled by Cython in pure-Python mode (``subscription.pxd``); works the same interpreted.
"""

from __future__ import annotations

from ...msg import MORE as _MORE
from ...msg import Msg
from ..dist import Dist
from ..fq import FQ
from ..mtrie import MTrie
from ..trie import Trie


class PublishPath:
    """XPUB's send (PUB's too)."""

    def __init__(self, subscriptions: MTrie, dist: Dist) -> None:
        self.subscriptions = subscriptions
        self.dist = dist
        self.more_out = False  # in the middle of sending a multipart message
        # the last match result, the Dist's ``changes`` then, and whether it covered all
        self.seen: object = None
        self.seen_changes = -1
        self.seen_covers = False

    def xsend(self, msg: Msg) -> bool:
        dist = self.dist
        if not self.more_out:
            pipes = self.subscriptions.match(msg.data)
            if pipes is not self.seen or dist.changes != self.seen_changes:
                self.seen = pipes
                self.seen_changes = dist.changes
                self.seen_covers = len(pipes) > 0 and dist.covered_by(pipes)
            if self.seen_covers:
                dist.match_all()
            else:
                for pipe in pipes:
                    dist.match(pipe)
        dist.send_to_matching(msg)
        self.more_out = (msg.flags & _MORE) != 0
        return True


class SubscribePath:
    """SUB's receive."""

    def __init__(self, fq: FQ, subscriptions: Trie) -> None:
        self.fq = fq
        self.subscriptions = subscriptions
        self.more_in = False  # in the middle of delivering a matching message
        self.prefetched: Msg | None = None  # first frame of a matching message

    def next_match(self) -> Msg | None:
        """First frame of the next message that passes the filter, or None."""
        fq = self.fq
        subscriptions = self.subscriptions
        while True:
            m = fq.recv()
            if m is None:
                return None
            if subscriptions.check(m.data):
                return m
            while m is not None and m.flags & _MORE:
                m = fq.recv()

    def xrecv(self) -> Msg | None:
        if self.more_in:
            m = self.fq.recv()
            if m is None:  # the publisher vanished mid-message: nothing more comes
                self.more_in = False
                return None
        else:
            m = self.prefetched
            if m is not None:
                self.prefetched = None
            else:
                m = self.next_match()
                if m is None:
                    return None
        self.more_in = (m.flags & _MORE) != 0
        return m

    def xhas_in(self) -> bool:
        if self.more_in or self.prefetched is not None:
            return True
        m = self.next_match()
        if m is None:
            return False
        self.prefetched = m
        return True
