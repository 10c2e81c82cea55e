"""Where ``zmq4.Socket`` used to live: it is :mod:`zmq4.sugar.socket` now (pyzmq's layout),
on :mod:`zmq4.backend.socket`. This module keeps ``from zmq4.socket import Socket`` working;
every name is the same object."""

from __future__ import annotations

from .backend.socket import NOT_READY, check_option_value, check_parts, option_spec
from .sugar.socket import Socket, SyncSocket

__all__ = ["NOT_READY", "Socket", "SyncSocket", "check_option_value", "check_parts",
           "option_spec"]
