"""pyzmq's module name for message trackers (``zmq.sugar.tracker``).

:class:`MessageTracker` and the already-finished tracker live with the frame that creates
them, in :mod:`zmq4.backend.frame`; this module names the same objects.
"""

from __future__ import annotations

from ..backend.frame import _FINISHED_TRACKER, MessageTracker

__all__ = ["MessageTracker", "_FINISHED_TRACKER"]
