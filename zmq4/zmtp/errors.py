"""Exceptions of the sans-IO protocol layer (``zmq4.zmtp``).

Owns: the exception hierarchy every ``zmq4.zmtp`` module raises. These are *not*
``ZMQError``: a protocol error ends one connection, never the caller's operation, so
the engine/session turns them into a disconnect (libzmq 4.0 closes the TCP
connection on any decode error, protocol error, failed ZAP or socket-type mismatch,
spec §5.1 step 5) and nothing reaches the application.

Import rules: leaf of the zmtp package. Imports only ``zmq4.zmq_h``; never
``socket``, ``threading``, ``select``, ``time``, ``asyncio``, ``zmq4.core`` or
``zmq4.io``.
"""

from __future__ import annotations

from .. import zmq_h as _C

__all__ = [
    "ZmtpError",
    "RemoteProtocolError",
    "IncompatiblePeer",
    "PeerError",
    "AuthenticationFailed",
    "HandshakeTimeout",
    "LocalProtocolError",
    "ZapError",
]


class ZmtpError(Exception):
    """Base of every exception raised by ``zmq4.zmtp``.

    ``reason`` is the human-readable text; ``errno`` the errno libzmq would have
    recorded internally (EPROTO for protocol violations).
    """

    errno: int = _C.EPROTO

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


class RemoteProtocolError(ZmtpError):
    """The peer sent bytes that violate ZMTP (or that this side refuses).

    Always ends the connection (never the process). The message names the problem.
    """


class IncompatiblePeer(RemoteProtocolError):
    """The peer is well-formed but not acceptable: socket-type mismatch (spec §3.3),
    mechanism mismatch (CVE-2014-7202), or a ZMTP 1.0/2.0 downgrade refused because
    security is configured (#1273)."""


class PeerError(RemoteProtocolError):
    """The peer sent an ERROR command (RFC 23 §ERROR); ``reason`` carries its text."""

    def __init__(self, reason: str, peer_reason: bytes = b"") -> None:
        super().__init__(reason)
        self.peer_reason = peer_reason


class AuthenticationFailed(RemoteProtocolError):
    """ZAP (RFC 27) answered with a status code other than 200."""

    def __init__(self, reason: str, status_code: bytes = b"") -> None:
        super().__init__(reason)
        self.status_code = status_code


class HandshakeTimeout(RemoteProtocolError):
    """The handshake did not complete before the deadline passed to the connection."""


class ZapError(ZmtpError):
    """A ZAP reply from the local handler is malformed (RFC 27). 4.0 treats this as a
    protocol error and closes the connection being authenticated."""


class LocalProtocolError(ZmtpError):
    """The caller misused the API (e.g. sent a message before the handshake completed).

    This is a programming error on the local side, not something the peer caused.
    """

    errno: int = _C.EFSM
