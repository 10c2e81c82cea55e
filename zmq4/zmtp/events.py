"""Events a ``ZmtpConnection`` hands to its owner (pull: ``next_event()``).

Owns the event types only; they carry data, no behaviour. h11-style: the engine feeds
bytes in, then drains events until ``next_event()`` returns None.

* ``HandshakeComplete`` — once per connection, before any message; the session may
  now attach the connection's pipe to the socket (CVE-2020-15166: never earlier).
* ``MessagesReceived`` — a batch of complete multipart messages (``list[list[bytes]]``)
  in wire order; one per ``receive_data`` call that completed any message. There is no
  per-message event: the batch is the unit, so the per-call cost is paid once.
* ``ZapRequested`` — the mechanism needs a ZAP (RFC 27) decision; answer with
  ``ZmtpConnection.zap_reply``.
* ``ConnectionClosed`` — terminal: the peer closed (EOF) or the connection must be
  closed (``error`` is then a ``ZmtpError``, usually ``RemoteProtocolError``).

Import rules: imports ``zmq4.zmtp.commands`` (for ``Metadata``) and
``zmq4.zmtp.errors`` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .commands import Metadata
from .errors import ZmtpError

__all__ = ["Event", "HandshakeComplete", "MessagesReceived", "ZapRequested", "ConnectionClosed"]


class Event:
    """Base class of connection events."""

    __slots__ = ()


@dataclass(frozen=True, eq=True)
class HandshakeComplete(Event):
    """Greeting and security handshake (and ZAP, if asked) succeeded.

    ``peer_socket_type``: numeric type from the peer's ``Socket-Type`` property (ZMTP
    3.x), the greeting's socket-type byte (2.0, never checked), or None (1.0 peers,
    peers omitting the property, or a name this layer does not know).
    ``peer_identity``: the peer's ``Identity`` property (3.x) or identity frame
    (1.0/2.0); None when the peer sent none. The core uses it only on ROUTER/REP.
    ``metadata``: all properties the peer sent (empty for 1.0/2.0).
    ``zmtp_version``: what the peer announced — (1, 0), (2, 0) or (3, minor).
    ``user_id`` / ``zap_metadata``: from the ZAP reply when ZAP was asked.
    """

    peer_socket_type: int | None
    peer_identity: bytes | None
    metadata: Metadata
    zmtp_version: tuple[int, int]
    mechanism: bytes = b"NULL"
    user_id: bytes = b""
    zap_metadata: Metadata = field(default_factory=Metadata)


@dataclass(frozen=True, eq=True)
class MessagesReceived(Event):
    """Complete messages, oldest first; each message is a list of frame bodies.

    The lists come straight from the decoder (not tracked by the cyclic GC; they only
    hold bytes) and belong to the receiver from here on.
    """

    messages: list[list[bytes]]


@dataclass(frozen=True, eq=True)
class ZapRequested(Event):
    """A ZAP request (RFC 27 §Request) the session must forward to the handler.

    Fields in wire order after the empty delimiter. libzmq 4.0 quirks kept: the
    request id is always ``b"1"``; ``identity`` is the *local* socket's ZMQ_IDENTITY
    (spec §6.5); ``address`` is the peer's numeric IP ("" for ipc).
    """

    domain: bytes
    address: bytes
    identity: bytes
    mechanism: bytes
    credentials: tuple[bytes, ...] = ()
    version: bytes = b"1.0"
    request_id: bytes = b"1"

    def frames(self, delimiter: bool = True) -> list[bytes]:
        """The request as frames, with the empty delimiter first when ``delimiter``."""
        body = [
            self.version,
            self.request_id,
            self.domain,
            self.address,
            self.identity,
            self.mechanism,
            *self.credentials,
        ]
        return [b"", *body] if delimiter else body


@dataclass(frozen=True, eq=True)
class ConnectionClosed(Event):
    """Terminal event. ``error`` is None for an orderly EOF at a message boundary."""

    reason: str
    error: ZmtpError | None = None
