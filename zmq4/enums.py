"""Where zmq4's enum classes used to live: they are pyzmq's ``zmq.constants`` now
(:mod:`zmq4.constants`). This module keeps ``from zmq4.enums import SocketType`` working;
every name is the same object as in :mod:`zmq4.constants`."""

from __future__ import annotations

from .constants import (
    ContextOption,
    DeviceType,
    Errno,
    Event,
    Flag,
    MessageOption,
    NormMode,
    PollEvent,
    ReconnectStop,
    RouterNotify,
    SecurityMechanism,
    SocketOption,
    SocketType,
)

__all__ = [
    "ContextOption", "DeviceType", "Errno", "Event", "Flag", "MessageOption", "NormMode",
    "PollEvent", "ReconnectStop", "RouterNotify", "SecurityMechanism", "SocketOption",
    "SocketType",
]
