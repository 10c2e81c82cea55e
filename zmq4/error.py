"""pyzmq's module name for zmq4's exceptions: ``zmq4.error`` re-exports :mod:`zmq4.errors`.

Code written for pyzmq spells them ``zmq.error.Again`` or ``from zmq.error import
ZMQError``; after ``import zmq4 as zmq`` the first spelling reaches this module. It owns no
behaviour: every name here is the same object as in :mod:`zmq4.errors` (and at the top
level), so ``except zmq4.error.Again`` and ``except zmq4.Again`` catch the same thing.
"""

from __future__ import annotations

from .errors import (
    Again,
    ContextTerminated,
    DraftFDWarning,
    InterruptedSystemCall,
    NotDone,
    ZMQBaseError,
    ZMQBindError,
    ZMQError,
    ZMQVersionError,
    strerror,
)

__all__ = [
    "Again", "ContextTerminated", "DraftFDWarning", "InterruptedSystemCall", "NotDone", "ZMQBaseError",
    "ZMQBindError", "ZMQError", "ZMQVersionError", "strerror",
]
