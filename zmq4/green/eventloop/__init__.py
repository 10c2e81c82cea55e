"""pyzmq's ``zmq.green.eventloop``: tornado's IOLoop under the green package's name."""

from __future__ import annotations

from .ioloop import IOLoop

__all__ = ["IOLoop"]
