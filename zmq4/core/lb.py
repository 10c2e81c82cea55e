# cython: annotation_typing=False
"""Load balancing over outbound pipes (libzmq lb_t): RFC 28/30 round-robin out.

Owns: ``LB`` — sends each whole message to the next active pipe with room under its HWM,
advancing only after the last frame. A pipe that refuses a new message is deactivated
until its ``activate_write``. If the pipe dies in the middle of a message, the rest of
that message is dropped (libzmq's ``dropping``).

Compiled by Cython in pure-Python mode (``lb.pxd``); works the same interpreted.
"""

from __future__ import annotations

from typing import Optional

from ..msg import MORE as _MORE
from ..msg import Msg
from .fq import PipeArray
from .pipe import Pipe


class LB:
    """libzmq lb_t."""

    __slots__ = ("arr", "current", "more", "dropping", "last_out")

    def __init__(self) -> None:
        self.arr = PipeArray()
        self.current = 0
        self.more = False
        self.dropping = False
        self.last_out: Optional[Pipe] = None  # pipe the last frame went to

    def attach(self, pipe: Pipe) -> None:
        self.arr.add(pipe, True)

    def activated(self, pipe: Pipe) -> None:
        self.arr.activate(pipe)

    def terminated(self, pipe: Pipe) -> None:
        arr = self.arr
        i = arr.pos.get(pipe)
        if i is None:
            return
        if self.more and i == self.current and i < arr.active:
            self.dropping = True
        cur = arr.pipes[self.current] if self.current < arr.active else None
        arr.remove(pipe)
        if cur is not None and cur is not pipe:
            self.current = arr.pos[cur]  # follow the pipe being written: it may have moved
        if self.current >= arr.active:
            self.current = 0
        if self.last_out is pipe:
            self.last_out = None

    def send(self, msg: Msg) -> bool:
        """Queue a frame; False means no pipe can take it now (EAGAIN)."""
        more = (msg.flags & _MORE) != 0
        if self.dropping:
            self.more = more
            self.dropping = more
            return True
        arr = self.arr
        while arr.active:
            if self.current >= arr.active:
                self.current = 0
            pipe = arr.pipes[self.current]
            if pipe.write(msg):
                self.last_out = pipe
                self.more = more
                if not more:
                    self.current += 1
                    if self.current >= arr.active:
                        self.current = 0
                return True
            if self.more:
                # the pipe died mid-message: drop the rest of it
                self.more = more
                self.dropping = more
                arr.deactivate_at(self.current)
                return True
            arr.deactivate_at(self.current)
        return False

    def room(self) -> int:
        """How many new whole messages ``send`` is sure to take now, whichever pipes go
        away meanwhile: the least room of the active pipes (any one left can take them
        all; the rest of a message in progress always goes on); 0 with none."""
        arr = self.arr
        if not arr.active:
            return 0
        n = arr.pipes[0].room()
        for i in range(1, arr.active):
            r = arr.pipes[i].room()
            if r < n:
                n = r
        return n

    def has_out(self) -> bool:
        if self.more:
            return True
        arr = self.arr
        while arr.active:
            if self.current >= arr.active:
                self.current = 0
            pipe = arr.pipes[self.current]
            if pipe.check_write():
                return True
            arr.deactivate_at(self.current)
        return False
