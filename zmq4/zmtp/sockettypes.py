"""Socket-type names, numbers and the connection-time compatibility matrix.

Owns: the ``Socket-Type`` property strings of ZMTP 3.0 metadata, the numeric socket
type byte of ZMTP 2.0 greetings, and the check of spec §3.3 / RFC 23 §Socket
Compatibility that libzmq 4.0 runs when it parses the peer's metadata.

Rules (libzmq 4.0): names are compared case-sensitively; an unknown name (including
the draft types of 4.2+: SERVER, CLIENT, RADIO, ...) is incompatible; a peer that
omits ``Socket-Type`` is not checked (that decision is the caller's: pass ``None``).

Import rules: imports only ``zmq4.zmq_h``.
"""

from __future__ import annotations

from .. import zmq_h as C

__all__ = [
    "SOCKET_TYPE_NAMES",
    "SOCKET_TYPE_BY_NAME",
    "COMPATIBLE_PEERS",
    "socket_type_name",
    "socket_type_from_name",
    "is_compatible",
    "ZMTP_SOCKET_TYPES",
]

#: Numeric socket type -> the ``Socket-Type`` property value (RFC 23).
SOCKET_TYPE_NAMES: dict[int, bytes] = {
    C.PAIR: b"PAIR",
    C.PUB: b"PUB",
    C.SUB: b"SUB",
    C.REQ: b"REQ",
    C.REP: b"REP",
    C.DEALER: b"DEALER",
    C.ROUTER: b"ROUTER",
    C.PULL: b"PULL",
    C.PUSH: b"PUSH",
    C.XPUB: b"XPUB",
    C.XSUB: b"XSUB",
}

SOCKET_TYPE_BY_NAME: dict[bytes, int] = {v: k for k, v in SOCKET_TYPE_NAMES.items()}

#: Socket types that speak ZMTP (STREAM is raw TCP and never reaches this layer).
ZMTP_SOCKET_TYPES = frozenset(SOCKET_TYPE_NAMES)

# RFC 23 §Socket Compatibility: the valid (local, peer) combinations. 4.0 checks
# exactly this matrix (spec §3.3).
COMPATIBLE_PEERS: dict[int, frozenset[int]] = {
    C.PAIR: frozenset({C.PAIR}),
    C.PUB: frozenset({C.SUB, C.XSUB}),
    C.SUB: frozenset({C.PUB, C.XPUB}),
    C.REQ: frozenset({C.REP, C.ROUTER}),
    C.REP: frozenset({C.REQ, C.DEALER}),
    C.DEALER: frozenset({C.REP, C.DEALER, C.ROUTER}),
    C.ROUTER: frozenset({C.REQ, C.DEALER, C.ROUTER}),
    C.PULL: frozenset({C.PUSH}),
    C.PUSH: frozenset({C.PULL}),
    C.XPUB: frozenset({C.SUB, C.XSUB}),
    C.XSUB: frozenset({C.PUB, C.XPUB}),
}


def socket_type_name(socket_type: int) -> bytes:
    """The ``Socket-Type`` property value for ``socket_type`` (ValueError if not ZMTP)."""
    try:
        return SOCKET_TYPE_NAMES[socket_type]
    except KeyError:
        raise ValueError(f"socket type {socket_type!r} does not speak ZMTP") from None


def socket_type_from_name(name: bytes) -> int | None:
    """The numeric type for a ``Socket-Type`` value (case-sensitive), else None."""
    return SOCKET_TYPE_BY_NAME.get(bytes(name))


def is_compatible(local_type: int, peer_name: bytes) -> bool:
    """True when a local ``local_type`` socket may talk to a peer announcing ``peer_name``."""
    peer = SOCKET_TYPE_BY_NAME.get(bytes(peer_name))
    if peer is None:
        return False
    return peer in COMPATIBLE_PEERS.get(local_type, frozenset())
