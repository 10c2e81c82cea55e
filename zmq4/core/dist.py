# cython: annotation_typing=False
"""Fan-out to many pipes (libzmq dist_t), for PUB/XPUB and XSUB's upstream sends.

Owns: ``Dist`` — pipes split into ``matching`` (chosen for the current message), ``active``
(have room) and the rest. A whole message goes to every matching pipe; a pipe that cannot
take the first frame is skipped for that message (never blocks: RFC 29 drop on full).
Every pipe a session reads (``Pipe.frames_read_only``) is given the same ``Msg`` object;
a pipe an inproc socket reads gets a copy sharing the payload, since that socket's user
may change the frame (its flags when resending it, its data when exporting a buffer).
Pipes attached or re-activated while a multipart message is being sent wait in
``deferred`` (libzmq's "eligible" tier) and join when that message ends, so no pipe ever
gets the tail of a message whose head it did not get.

Hand-off when a pipe fills: the sending thread (a PUB's caller) then sleeps HANDOFF_S
(50 µs) once (once per message, however many of its pipes filled), releasing the GIL,
so that the pipe's reader (the I/O thread that writes it to the connection, waiting for
the GIL) drains it now rather than after the interpreter's 5 ms switch interval.
Without it a PUB sending in a loop delivered at most one SNDHWM of messages per switch
interval (1000 per ~6 ms: 160 k msg/s of 64 B over tcp, 88 % dropped, against libzmq's
800 k); with it 570 k, 5 % dropped (bench/fanout.py). A full pipe is
deactivated and skipped until its reader makes room; while it is, every HANDOFF_SKIPS
messages skipped hand off again, since a reader that missed the first window (busy
writing the previous batch) would otherwise wait a switch interval while the sender drops
everything: one subscriber received 0.55-0.9 M msg/s with one hand-off per fill and
1.1-1.3 M with the repeats (64 B, tcp, two processes). At most HANDOFF_RETRIES hand-offs
(the first one included) happen until some pipe regains room, so a reader that does not
read (a stopped subscriber) costs a few, not one per HANDOFF_SKIPS forever. Dist runs
only in the caller's thread, never an I/O thread.

Compiled by Cython in pure-Python mode (``dist.pxd``); works the same interpreted.
"""

from __future__ import annotations

import time
from typing import Any

from ..msg import MORE as _MORE
from ..msg import Msg
from .fq import PipeArray
from .pipe import Pipe


#: Seconds the sending thread sleeps when a pipe fills (see the module rules).
HANDOFF_S = 50e-6
#: While a full pipe waits for its reader: hand off again after this many messages
#: skipped for it ...
HANDOFF_SKIPS = 256
#: ... at most this many hand-offs in all (the one at the fill included) until a pipe
#: regains room (a reader that does not read costs no more).
HANDOFF_RETRIES = 8


def _hand_off() -> None:
    time.sleep(HANDOFF_S)  # releases the GIL: the pipe's reader runs now


class Dist:
    """libzmq dist_t."""

    __slots__ = ("arr", "matching", "more", "deferred", "skipped", "handoffs", "changes")

    def __init__(self) -> None:
        self.arr = PipeArray()  # [0, matching) matching, [0, active) have room
        self.matching = 0
        self.more = False
        self.deferred: list[Pipe] = []  # join the active set when the current message ends
        self.skipped = 0  # messages skipped for a full pipe since the last hand-off
        self.handoffs = 0  # hand-offs since a pipe last regained room
        self.changes = 0  # counts pipes attached and terminated (see ``covered_by``)

    def attach(self, pipe: Pipe) -> None:
        self.changes += 1
        if self.more:
            self.arr.add(pipe, False)
            self.deferred.append(pipe)
        else:
            self.arr.add(pipe, True)

    def activated(self, pipe: Pipe) -> None:
        if self.more:
            if pipe not in self.deferred:
                self.deferred.append(pipe)
        else:
            self._activate(pipe)

    def _activate(self, pipe: Pipe) -> None:
        arr = self.arr
        i = arr.pos.get(pipe)
        if i is None or i < arr.active:
            return
        arr._swap(i, arr.active)
        arr.active += 1
        self.handoffs = 0

    def _hand_off(self) -> None:
        _hand_off()
        self.handoffs += 1
        self.skipped = 0

    def terminated(self, pipe: Pipe) -> None:
        self.changes += 1
        if self.deferred and pipe in self.deferred:
            self.deferred.remove(pipe)
        arr = self.arr
        i = arr.pos.get(pipe)
        if i is None:
            return
        if i < self.matching:
            self.matching -= 1
            arr._swap(i, self.matching)
            i = self.matching
        if i < arr.active:
            arr.active -= 1
            arr._swap(i, arr.active)
        arr._swap(arr.pos[pipe], len(arr.pipes) - 1)
        arr.pipes.pop()
        del arr.pos[pipe]

    def match(self, pipe: Pipe) -> None:
        """Select ``pipe`` for the message being started (if it is active)."""
        arr = self.arr
        i = arr.pos.get(pipe)
        if i is None or i < self.matching:
            return
        if i >= arr.active:  # full: skipped for this message
            self._skip(1)
            return
        arr._swap(i, self.matching)
        self.matching += 1

    def covered_by(self, pipes: Any) -> bool:
        """Every pipe of ours is in the collection ``pipes`` (then ``match_all`` selects
        the same pipes as ``match`` of each; a caller may keep the answer for as long as
        ``changes`` and ``pipes`` stay the same)."""
        arr = self.arr
        if len(pipes) < len(arr.pipes):
            return False
        for pipe in arr.pipes:
            if pipe not in pipes:
                return False
        return True

    def match_all(self) -> None:
        """``match`` of every pipe, for the message being started: the active ones are
        selected, the full ones skipped (and counted, as ``match`` counts them)."""
        arr = self.arr
        self.matching = arr.active
        full = len(arr.pipes) - arr.active
        if full:
            self._skip(full)

    def _skip(self, n: int) -> None:
        """``n`` full pipes skipped for the message being started: count them, and hand
        off again once HANDOFF_SKIPS are counted (at most HANDOFF_RETRIES times)."""
        self.skipped += n
        if self.skipped >= HANDOFF_SKIPS and self.handoffs < HANDOFF_RETRIES:
            self._hand_off()

    def unmatch(self) -> None:
        self.matching = 0

    def send_to_all(self, msg: Msg) -> None:
        self.matching = self.arr.active
        self.send_to_matching(msg)

    def send_to_matching(self, msg: Msg) -> None:
        more = (msg.flags & _MORE) != 0
        arr = self.arr
        i = 0
        filled = False
        while i < self.matching:
            pipe = arr.pipes[i]
            # one Msg for every pipe a session reads (it never changes a frame); a pipe
            # whose reader is a socket gets its own (its user may change or resend it)
            if pipe.write(msg if self.matching == 1 or pipe.frames_read_only
                          else msg.copy()):
                i += 1
                continue
            # no room: deactivate it (skip this message for it); one hand-off per message
            # however many pipes filled (subscribers keeping pace fill together)
            if not filled:
                filled = True
                self._hand_off()
            self.matching -= 1
            arr._swap(i, self.matching)
            arr.active -= 1
            arr._swap(self.matching, arr.active)
        self.more = more
        if not more:
            self.matching = 0
            if self.deferred:
                for pipe in self.deferred:
                    self._activate(pipe)
                self.deferred.clear()

    def has_out(self) -> bool:
        return True
