"""Where ``zmq4.Context`` used to live: it is :mod:`zmq4.sugar.context` now (pyzmq's
layout), on :mod:`zmq4.backend.context`. This module keeps ``from zmq4.context import
Context`` working; every name is the same object."""

from __future__ import annotations

from .backend.context import EXIT_TIMEOUT
from .sugar.context import Context, SyncContext

__all__ = ["Context", "EXIT_TIMEOUT", "SyncContext"]
