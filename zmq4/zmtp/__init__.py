"""zmq4.zmtp — the sans-IO ZeroMQ Message Transport Protocol (ZMTP 3.0, with 2.0/1.0
fallback) as libzmq 4.0 speaks it.

Owns: greeting and version detection (``greeting``), framing (``_codec``, compiled),
commands and metadata (``commands``), security mechanisms (``mechanisms``), the ZAP
message format (``zap``), socket-type compatibility (``sockettypes``), and the
per-connection state machine (``connection.ZmtpConnection``) with its events
(``events``) and exceptions (``errors``).

Import rules (DESIGN §2): this package is below ``zmq4.io`` and ``zmq4.core`` and
never imports them, nor ``socket``, ``threading``, ``select``, ``time`` or
``asyncio``. It only imports ``zmq4.zmq_h`` (and, in future, other leaves).
Time is always an argument.
"""

from __future__ import annotations

from .commands import Metadata
from .connection import MAX_HANDSHAKE_FRAME, ConnectionState, ZmtpConnection
from .errors import (
    AuthenticationFailed,
    HandshakeTimeout,
    IncompatiblePeer,
    LocalProtocolError,
    PeerError,
    RemoteProtocolError,
    ZapError,
    ZmtpError,
)
from .events import ConnectionClosed, Event, HandshakeComplete, MessagesReceived, ZapRequested
from .greeting import ZMTP_1_0, ZMTP_2_0, ZMTP_3_0
from .mechanisms import Mechanism, MechanismStatus, NullMechanism

__all__ = [
    "ZmtpConnection",
    "ConnectionState",
    "MAX_HANDSHAKE_FRAME",
    "Metadata",
    "Event",
    "HandshakeComplete",
    "MessagesReceived",
    "ZapRequested",
    "ConnectionClosed",
    "ZmtpError",
    "RemoteProtocolError",
    "IncompatiblePeer",
    "PeerError",
    "AuthenticationFailed",
    "HandshakeTimeout",
    "LocalProtocolError",
    "ZapError",
    "Mechanism",
    "MechanismStatus",
    "NullMechanism",
    "ZMTP_1_0",
    "ZMTP_2_0",
    "ZMTP_3_0",
]
