"""Where ``zmq4.Frame`` used to live: it is :mod:`zmq4.sugar.frame` now (pyzmq's layout), on
:mod:`zmq4.backend.frame` (which also holds ``MessageTracker``). This module keeps ``from
zmq4.frame import Frame`` working; every name is the same object."""

from __future__ import annotations

from .backend.frame import (
    _FINISHED_TRACKER,
    COPY_THRESHOLD,
    MessageTracker,
    default_copy_threshold,
)
from .sugar.frame import Frame, Message

__all__ = ["COPY_THRESHOLD", "Frame", "Message", "MessageTracker", "_FINISHED_TRACKER",
           "default_copy_threshold"]
