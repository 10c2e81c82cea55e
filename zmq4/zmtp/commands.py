"""ZMTP 3.x command bodies and connection metadata.

Owns the byte layout of command frame bodies (RFC 23 §Commands, RFC 37 for the 3.1
additions, spec §5.5 and §5.8):

* generic ``name-length(1) name data`` bodies: ``encode_command`` / ``parse_command``;
* metadata properties ``name-length(1) name value-length(4, BE) value``:
  ``encode_metadata`` / ``parse_metadata`` and the case-insensitive ``Metadata``
  mapping (RFC 23 says property names are case-insensitive; libzmq 4.0 compared them
  case-sensitively, a quirk we do not copy);
* READY, ERROR, PING/PONG (libzmq 4.2+ heartbeats), SUBSCRIBE/CANCEL (3.1 peers).

Everything received is bounds-checked: a malformed body raises ``RemoteProtocolError``
naming the problem, never IndexError/struct.error. Only command *bodies* live here;
framing is ``zmq4.zmtp._codec``'s job.

Import rules: imports ``zmq4.zmtp.errors`` only. No I/O, no time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from .errors import RemoteProtocolError

__all__ = [
    "READY",
    "ERROR",
    "PING",
    "PONG",
    "SUBSCRIBE",
    "CANCEL",
    "PING_MAX_CONTEXT",
    "Metadata",
    "encode_command",
    "parse_command",
    "encode_metadata",
    "parse_metadata",
    "encode_ready",
    "parse_ready",
    "encode_error",
    "parse_error",
    "encode_ping",
    "parse_ping",
    "encode_pong",
    "parse_pong",
    "encode_subscribe",
    "encode_cancel",
]

READY = b"READY"
ERROR = b"ERROR"
PING = b"PING"
PONG = b"PONG"
SUBSCRIBE = b"SUBSCRIBE"
CANCEL = b"CANCEL"

#: RFC 37 §PING: the ping context is at most 16 bytes.
PING_MAX_CONTEXT = 16

BytesLike = bytes | bytearray | memoryview
PropertyName = str | bytes


# ---------------------------------------------------------------------------
# generic command body


def encode_command(name: bytes, data: BytesLike = b"") -> bytes:
    """``name-length(1) + name + data`` (RFC 23 §Commands)."""
    name = bytes(name)
    if not 0 < len(name) <= 255:
        raise ValueError("command name must be 1..255 bytes")
    return bytes((len(name),)) + name + bytes(data)


def parse_command(body: BytesLike) -> tuple[bytes, bytes]:
    """Split a command body into ``(name, data)``; RemoteProtocolError if malformed."""
    body = bytes(body)
    if not body:
        # RFC 23 §Commands: a command body starts with the name length.
        raise RemoteProtocolError("empty command frame")
    n = body[0]
    if n == 0:
        # RFC 23 §Commands: command-name = OCTET 1*255command-name-char
        raise RemoteProtocolError("command with an empty name")
    if 1 + n > len(body):
        raise RemoteProtocolError(
            f"command name length {n} exceeds the {len(body) - 1} bytes left in the frame"
        )
    return body[1 : 1 + n], body[1 + n :]


# ---------------------------------------------------------------------------
# metadata


def _name_bytes(name: PropertyName) -> bytes:
    if isinstance(name, str):
        return name.encode("ascii")
    return bytes(name)


class Metadata(Mapping[str, bytes]):
    """Connection metadata: property name -> value bytes.

    Lookups are case-insensitive (RFC 23 §Connection Metadata); iteration yields the
    names as the peer spelt them (decoded as Latin-1 so any byte survives). A name
    received twice keeps the last value, as libzmq does.
    """

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[tuple[PropertyName, BytesLike]] = ()) -> None:
        self._items: dict[str, tuple[str, bytes]] = {}
        for name, value in items:
            text = name.decode("latin-1") if isinstance(name, (bytes, bytearray)) else str(name)
            self._items[text.lower()] = (text, bytes(value))

    def __getitem__(self, name: str) -> bytes:
        if isinstance(name, (bytes, bytearray)):
            name = name.decode("latin-1")
        return self._items[name.lower()][1]

    def __contains__(self, name: object) -> bool:
        if isinstance(name, (bytes, bytearray)):
            name = name.decode("latin-1")
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return (orig for orig, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Metadata({dict(self.items())!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            try:
                return len(self) == len(other) and all(
                    self[k] == bytes(v) for k, v in other.items()
                )
            except (KeyError, TypeError, AttributeError):
                return False
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def encode(self) -> bytes:
        """The wire form of these properties (original name spelling)."""
        return encode_metadata((orig, value) for orig, value in self._items.values())


def encode_metadata(
    properties: Iterable[tuple[PropertyName, BytesLike]] | Mapping[PropertyName, BytesLike],
) -> bytes:
    """Encode ``(name, value)`` pairs (or a mapping) in ZMTP property format."""
    if isinstance(properties, Mapping):
        properties = properties.items()
    out = bytearray()
    for name, value in properties:
        nb = _name_bytes(name)
        vb = bytes(value)
        if not 0 < len(nb) <= 255:
            raise ValueError(f"property name must be 1..255 bytes: {nb!r}")
        if len(vb) > 0xFFFFFFFF:
            raise ValueError("property value longer than 2**32-1 bytes")
        out.append(len(nb))
        out += nb
        out += len(vb).to_bytes(4, "big")
        out += vb
    return bytes(out)


def parse_metadata(data: BytesLike) -> Metadata:
    """Parse a property list; RemoteProtocolError if a length runs past the end.

    Follows libzmq's parser (spec §5.5): a truncated property or a single trailing
    byte is a protocol error; zero-length names are accepted (they are simply unknown
    names) and unknown names are kept but mean nothing to this layer.
    """
    data = bytes(data)
    items: list[tuple[bytes, bytes]] = []
    pos = 0
    end = len(data)
    # RFC 23 §Connection Metadata: property = name (1-byte length + name) value
    # (4-byte network-order length + value); every length is checked against the rest.
    while pos < end:
        n = data[pos]
        pos += 1
        if pos + n > end:
            raise RemoteProtocolError(
                f"metadata property name length {n} exceeds the {end - pos} bytes left"
            )
        name = data[pos : pos + n]
        pos += n
        if pos + 4 > end:
            raise RemoteProtocolError(
                f"metadata property {name!r} truncated: no 4-byte value length"
            )
        vlen = int.from_bytes(data[pos : pos + 4], "big")
        pos += 4
        if vlen > end - pos:
            raise RemoteProtocolError(
                f"metadata property {name!r} value length {vlen} exceeds the {end - pos} bytes left"
            )
        items.append((name, data[pos : pos + vlen]))
        pos += vlen
    return Metadata(items)


# ---------------------------------------------------------------------------
# READY / ERROR


def encode_ready(
    properties: Iterable[tuple[PropertyName, BytesLike]] | Mapping[PropertyName, BytesLike],
) -> bytes:
    """READY body: ``\\x05READY`` + metadata (RFC 23 §The NULL Security Mechanism)."""
    return encode_command(READY, encode_metadata(properties))


def parse_ready(body: BytesLike) -> Metadata:
    """Metadata of a READY body; RemoteProtocolError if it is not a well-formed READY."""
    name, data = parse_command(body)
    if name != READY:
        raise RemoteProtocolError(f"expected READY, got {name!r}")
    return parse_metadata(data)


def encode_error(reason: BytesLike | str = b"") -> bytes:
    """ERROR body: ``\\x05ERROR`` + reason-length(1) + reason (RFC 23 §ERROR)."""
    rb = reason.encode("utf-8", "replace") if isinstance(reason, str) else bytes(reason)
    rb = rb[:255]
    return encode_command(ERROR, bytes((len(rb),)) + rb)


def parse_error(data: BytesLike) -> bytes:
    """The reason carried by ERROR command *data* (after the name)."""
    data = bytes(data)
    if not data:
        raise RemoteProtocolError("ERROR command without a reason length")
    n = data[0]
    if 1 + n > len(data):
        raise RemoteProtocolError(f"ERROR reason length {n} exceeds the {len(data) - 1} bytes left")
    return data[1 : 1 + n]


# ---------------------------------------------------------------------------
# PING / PONG (RFC 37 §Connection Heartbeating)


def encode_ping(ttl: int = 0, context: BytesLike = b"") -> bytes:
    """PING body: ``\\x04PING`` + TTL (2-byte BE, tenths of a second) + context."""
    ctx = bytes(context)
    if len(ctx) > PING_MAX_CONTEXT:
        raise ValueError("ping context is at most 16 bytes")
    if not 0 <= ttl <= 0xFFFF:
        raise ValueError("ping TTL must fit 16 bits")
    return encode_command(PING, ttl.to_bytes(2, "big") + ctx)


def parse_ping(data: BytesLike) -> tuple[int, bytes]:
    """``(ttl, context)`` of PING command data. A context longer than 16 bytes is
    truncated as libzmq 4.2+ does when it echoes it."""
    data = bytes(data)
    if len(data) < 2:
        # RFC 37 §Connection Heartbeating: ping = "PING" ping-ttl ping-context
        raise RemoteProtocolError("PING command shorter than its 2-byte TTL")
    return int.from_bytes(data[:2], "big"), data[2 : 2 + PING_MAX_CONTEXT]


def encode_pong(context: BytesLike = b"") -> bytes:
    """PONG body: ``\\x04PONG`` + the PING's context, echoed (RFC 37)."""
    ctx = bytes(context)[:PING_MAX_CONTEXT]
    return encode_command(PONG, ctx)


def parse_pong(data: BytesLike) -> bytes:
    """The context of PONG command data."""
    return bytes(data)[:PING_MAX_CONTEXT]


# ---------------------------------------------------------------------------
# SUBSCRIBE / CANCEL (RFC 37 §SUBSCRIBE, libzmq 4.3.3+ with 3.1 peers)


def encode_subscribe(topic: BytesLike) -> bytes:
    return encode_command(SUBSCRIBE, topic)


def encode_cancel(topic: BytesLike) -> bytes:
    return encode_command(CANCEL, topic)
