"""Tornado integration (pyzmq's ``zmq.eventloop``): tornado's ``IOLoop``, :mod:`.zmqstream`
(callback-driven sockets) and :mod:`.future` (sockets whose calls return futures).

Tornado runs on asyncio (tornado >= 5), so nothing here replaces tornado's loop: a stream
watches its socket's ZMQ_FD through ``IOLoop.add_handler``, and :mod:`.future` is
:mod:`zmq4.asyncio` with pyzmq's tornado-flavoured futures. Needs tornado (the
``tornado`` extra: ``pip install 'zmq4[tornado]'``).
"""

from __future__ import annotations

try:
    from tornado.ioloop import IOLoop
except ImportError as _e:  # pragma: no cover - depends on the environment
    raise ImportError("zmq4.eventloop needs tornado (pip install 'zmq4[tornado]')") from _e

__all__ = ["IOLoop"]
