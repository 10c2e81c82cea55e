"""pyzmq's ``zmq.green.eventloop.zmqstream``: :class:`zmq4.eventloop.zmqstream.ZMQStream`
whose default loop is ``IOLoop.instance()`` (pyzmq's choice for the green package)."""

from __future__ import annotations

from typing import Any

from ...eventloop import zmqstream as _zmqstream
from .ioloop import IOLoop

__all__ = ["ZMQStream"]


class ZMQStream(_zmqstream.ZMQStream):
    def __init__(self, socket: Any, io_loop: IOLoop | None = None) -> None:
        super().__init__(socket, io_loop=io_loop or IOLoop.instance())
