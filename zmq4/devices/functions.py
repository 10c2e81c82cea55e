"""Where ``proxy``, ``proxy_steerable`` and ``device`` used to live: they are the backend's
now (:mod:`zmq4.backend.devices`, pyzmq's layout). This module keeps ``from
zmq4.devices.functions import proxy`` working; every name is the same object."""

from __future__ import annotations

from ..backend.devices import device, proxy, proxy_steerable

__all__ = ["device", "proxy", "proxy_steerable"]
