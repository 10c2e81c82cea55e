"""A microsecond stopwatch (pyzmq's ``zmq.Stopwatch``, after libzmq's ``zmq_stopwatch_*``).

Owns :class:`Stopwatch`. Rules (pyzmq's): deprecated (creating one warns
``DeprecationWarning``: use ``time.monotonic``); ``stop()`` returns the microseconds since
the last ``start()`` as an int (and may be called again); ``stop()`` before any ``start()``
is ``ZMQError(EINVAL)``. Time is ``time.monotonic_ns`` (never goes back).
Imports: the leaves.
"""

from __future__ import annotations

import time
import warnings

from .. import zmq_h as C
from ..errors import ZMQError


class Stopwatch:
    """Measures an interval in microseconds."""

    __slots__ = ("_start",)

    def __init__(self) -> None:
        warnings.warn("zmq4.Stopwatch is deprecated (as pyzmq's): use time.monotonic",
                      DeprecationWarning, stacklevel=2)
        self._start: int | None = None

    def start(self) -> None:
        """Start (or restart) timing."""
        self._start = time.monotonic_ns()

    def stop(self) -> int:
        """Stop timing: the microseconds since :meth:`start`."""
        if self._start is None:
            raise ZMQError(C.EINVAL, "Stopwatch.stop() before start()")
        return (time.monotonic_ns() - self._start) // 1000


__all__ = ["Stopwatch"]
