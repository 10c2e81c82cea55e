"""Where ``zmq4.Poller`` used to live: it is :mod:`zmq4.sugar.poll` now (pyzmq's layout),
with ``zmq_poll`` in :mod:`zmq4.backend.poll`. This module keeps ``from zmq4.poller import
Poller`` working; every name is the same object."""

from __future__ import annotations

from .backend.poll import zmq_poll
from .sugar.poll import Poller, select

__all__ = ["Poller", "select", "zmq_poll"]
