"""``monitored_queue`` under pyzmq's module name (``zmq.devices.monitoredqueue``); the relay
itself is the backend's (:mod:`zmq4.backend.devices`). Every name is the same object."""

from __future__ import annotations

from ..backend.devices import monitored_queue

__all__ = ["monitored_queue"]
