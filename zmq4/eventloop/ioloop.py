"""tornado's IOLoop module under pyzmq's old name (``zmq.eventloop.ioloop``), deprecated.

pyzmq 17 stopped needing a special loop: tornado (on asyncio) runs zmq sockets as they
are. This module re-exports :mod:`tornado.ioloop` and keeps the names old code imports:
``ZMQIOLoop`` (tornado's ``IOLoop`` itself) and ``install()`` (does nothing but warn).
Importing it warns with ``DeprecationWarning``, as pyzmq's does.
"""

from __future__ import annotations

import warnings

from tornado.ioloop import *  # noqa: F403 - this module is tornado.ioloop under a new name
from tornado.ioloop import IOLoop, PeriodicCallback  # noqa: F401


def _warn_deprecated() -> None:
    warnings.warn("zmq4.eventloop.ioloop (pyzmq's zmq.eventloop.ioloop) is deprecated: "
                  "use tornado.ioloop (or asyncio) directly; zmq4 sockets need no special "
                  "event loop", DeprecationWarning, stacklevel=3)


_warn_deprecated()

#: pyzmq's name for its pre-17 loop class: tornado's IOLoop now.
ZMQIOLoop = IOLoop


def install() -> None:
    """Deprecated and a no-op: tornado's default loop already runs zmq4 sockets."""
    _warn_deprecated()
