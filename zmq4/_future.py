"""pyzmq's ``zmq._future`` names: the base classes of its awaitable sockets.

pyzmq keeps the machinery shared by ``zmq.asyncio`` and ``zmq.eventloop.future`` here,
and code outside it reaches for two names: ``isinstance(s, zmq._future._AsyncSocket)``
(is this socket's API awaitable?) and ``_AsyncPoller``. In zmq4 that machinery is
:mod:`zmq4.asyncio` itself, and the tornado flavour (:mod:`zmq4.eventloop.future`)
subclasses it, so these names are those classes.
"""

from __future__ import annotations

from .asyncio import Poller as _AsyncPoller
from .asyncio import Socket as _AsyncSocket

__all__ = ["_AsyncPoller", "_AsyncSocket"]
