"""pyzmq's ``zmq.green.eventloop.ioloop``: :mod:`zmq4.eventloop.ioloop` (deprecated there
too) under the green package's name."""

from __future__ import annotations

from ...eventloop.ioloop import *  # noqa: F403
from ...eventloop.ioloop import IOLoop, ZMQIOLoop, install  # noqa: F401
