"""Decoding socket-monitor messages (pyzmq's ``zmq.utils.monitor``).

Owns: the libzmq 4.0 event format as an application reads it from the monitor PAIR socket —
frame 1 is 6 bytes, a native-endian ``uint16`` event and ``int32`` value (an fd, an errno
or a reconnect interval, by event), frame 2 the endpoint — parsed into
``{"event": zmq4.Event, "value": int, "endpoint": bytes}``.

Rules: a message of the wrong shape is ``ValueError`` (pyzmq raises RuntimeError; ValueError
is what the bad input is); an event number zmq4 does not know stays a plain int. ``value``
is a plain int (pyzmq wraps it in ``Event``, which it is not). ``recv_monitor_message`` on
an awaitable socket returns an awaitable of the decoded event (pyzmq's rule). Imports:
constants only (the socket is duck-typed: anything with ``recv_multipart``).
"""

from __future__ import annotations

import inspect
import struct
from collections.abc import Awaitable
from typing import Any, TypedDict

from ..constants import Event

_EVENT = struct.Struct("=Hi")


class MonitorMessage(TypedDict):
    """One decoded monitor event."""

    event: Event | int
    value: int
    endpoint: bytes


def parse_monitor_message(msg: list[bytes]) -> MonitorMessage:
    """Decode the two frames of a monitor event."""
    if not isinstance(msg, (list, tuple)) or len(msg) != 2:
        raise ValueError(f"a monitor event has 2 frames, got {msg!r}")
    head, endpoint = (bytes(m) for m in msg)
    if len(head) != _EVENT.size:
        raise ValueError(f"monitor event frame 1 must be {_EVENT.size} bytes, got "
                         f"{len(head)}: {head!r}")
    event_id, value = _EVENT.unpack(head)
    try:
        event: Event | int = Event(event_id)
    except ValueError:
        event = event_id
    return {"event": event, "value": value, "endpoint": endpoint}


def recv_monitor_message(socket: Any, flags: int = 0) -> Any:
    """Receive one event from a monitor socket (``sock.get_monitor_socket()``) and decode
    it; ``flags`` as for ``recv`` (``zmq4.DONTWAIT``). On an awaitable socket
    (``zmq4.asyncio``...) the result is awaitable too, as in pyzmq."""
    recvd = socket.recv_multipart(flags)
    deserialize = getattr(socket, "_deserialize", None)
    if deserialize is not None:  # zmq4's sockets: sync, or the decoding joins the receive
        return deserialize(recvd, parse_monitor_message)
    if inspect.isawaitable(recvd):
        return _parse_when_received(recvd)
    return parse_monitor_message(recvd)


async def _parse_when_received(recvd: Awaitable[list[bytes]]) -> MonitorMessage:
    return parse_monitor_message(await recvd)


__all__ = ["MonitorMessage", "parse_monitor_message", "recv_monitor_message"]
