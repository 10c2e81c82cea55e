# cython: annotation_typing=False
"""Fair queuing over inbound pipes (libzmq fq_t), and the pipe array it shares with lb.

Owns: ``PipeArray`` — pipes split into an active prefix ``[0, active)`` and an inactive
rest, with O(1) activate/deactivate/remove by swapping (libzmq array_t); and ``FQ``, which
reads one whole message from a pipe, then moves on to the next active pipe (RFC 28/30:
fair-queue in). A pipe that turns out empty is deactivated until its ``activate_read``.

Compiled by Cython in pure-Python mode (``fq.pxd``); works the same interpreted.
"""

from __future__ import annotations

from typing import Optional

from ..msg import MORE as _MORE
from ..msg import Msg
from .pipe import Pipe


class PipeArray:
    """Pipes with an active prefix; positions kept in a dict for O(1) swaps."""

    __slots__ = ("pipes", "active", "pos")

    def __init__(self) -> None:
        self.pipes: list[Pipe] = []
        self.active = 0
        self.pos: dict[Pipe, int] = {}

    def __len__(self) -> int:
        return len(self.pipes)

    def __contains__(self, pipe: Pipe) -> bool:
        return pipe in self.pos

    def _swap(self, i: int, j: int) -> None:
        if i != j:
            p = self.pipes
            p[i], p[j] = p[j], p[i]
            self.pos[p[i]] = i
            self.pos[p[j]] = j

    def add(self, pipe: Pipe, active: bool = True) -> None:
        self.pos[pipe] = len(self.pipes)
        self.pipes.append(pipe)
        if active:
            self._swap(self.pos[pipe], self.active)
            self.active += 1

    def activate(self, pipe: Pipe) -> bool:
        i = self.pos.get(pipe)
        if i is None or i < self.active:
            return False
        self._swap(i, self.active)
        self.active += 1
        return True

    def deactivate_at(self, i: int) -> None:
        self.active -= 1
        self._swap(i, self.active)

    def remove(self, pipe: Pipe) -> Optional[int]:
        """Forget ``pipe``; returns its former index (None if absent)."""
        i = self.pos.get(pipe)
        if i is None:
            return None
        if i < self.active:
            self.active -= 1
            self._swap(i, self.active)
            i2 = self.active
        else:
            i2 = i
        last = len(self.pipes) - 1
        self._swap(i2, last)
        self.pipes.pop()
        del self.pos[pipe]
        return i


class FQ:
    """libzmq fq_t: whole messages, round-robin among pipes that have data."""

    __slots__ = ("arr", "current", "more", "last_in")

    def __init__(self) -> None:
        self.arr = PipeArray()
        self.current = 0
        self.more = False
        self.last_in: Optional[Pipe] = None  # pipe the last frame came from

    def attach(self, pipe: Pipe) -> None:
        self.arr.add(pipe, True)

    def activated(self, pipe: Pipe) -> None:
        self.arr.activate(pipe)

    def terminated(self, pipe: Pipe) -> None:
        arr = self.arr
        i = arr.pos.get(pipe)
        if i is None:
            return
        was_current = i == self.current and i < arr.active
        cur = arr.pipes[self.current] if self.current < arr.active else None
        arr.remove(pipe)
        if was_current and self.more:
            self.more = False  # the rest of that message is gone
        if cur is not None and cur is not pipe:
            self.current = arr.pos[cur]  # follow the pipe being read: it may have moved
        if self.current >= arr.active:
            self.current = 0
        if self.last_in is pipe:
            self.last_in = None

    def _retire(self, pipe: Pipe) -> None:
        """An empty read: move ``pipe`` out of the active prefix until its activate_read.

        Reaching the delimiter inside ``read`` may already have removed it (the socket's
        ``terminated`` ran), so look it up again. The callers also bound their loops by the
        number of pipes: a pipe that stays active while empty (its state changed under us
        by a close from another thread, which libzmq does not support either) must cost
        an empty result, never a spin that holds the GIL forever."""
        i = self.arr.pos.get(pipe, -1)
        if 0 <= i < self.arr.active:
            self.arr.deactivate_at(i)

    def recv(self) -> Optional[Msg]:
        """Next frame, or None if no pipe has a message."""
        arr = self.arr
        misses = len(arr.pipes)  # empty reads allowed: each one retires a pipe
        while arr.active and misses >= 0:
            if self.current >= arr.active:
                self.current = 0
            pipe = arr.pipes[self.current]
            m = pipe.read()
            if m is not None:
                self.last_in = pipe
                if m.flags & _MORE:
                    self.more = True
                else:
                    self.more = False
                    self.current += 1
                    if self.current >= arr.active:
                        self.current = 0
                return m
            self._retire(pipe)
            misses -= 1
            self.more = False
            if self.current >= arr.active:
                self.current = 0
        return None

    def has_in(self) -> bool:
        if self.more:
            return True
        arr = self.arr
        misses = len(arr.pipes)
        while arr.active and misses >= 0:
            if self.current >= arr.active:
                self.current = 0
            pipe = arr.pipes[self.current]
            if pipe.check_read():
                return True
            self._retire(pipe)
            misses -= 1
            if self.current >= arr.active:
                self.current = 0
        return False
