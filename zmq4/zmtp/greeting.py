"""ZMTP greeting: the bytes libzmq 4.0 sends first, and peer version detection.

Owns (spec §5.2, §5.3; RFC 23 §Version Negotiation, RFC 15, RFC 13):

* the 64-byte ZMTP 3.0 greeting exactly as libzmq 4.0 emits it: ``0xFF``, 8 padding
  bytes holding ``identity_size + 1`` big-endian (a ZMTP/1.0-compatible identity
  length), ``0x7F``, version ``03 00``, the 20-byte NUL-padded mechanism name, the
  as-server byte (libzmq always sends 0), 31 zero bytes;
* the staged sending of that greeting: the 10-byte signature at once, the major
  version byte once the peer's signature proves it is versioned, the rest once the
  peer's revision byte says 3.x (or the socket-type byte for a 2.0 / "revision 0" peer);
* version detection exactly as 4.0 does it, and the downgrade refusal (4.0.6+, #1273)
  when security is configured.

``GreetingExchange`` is a sans-IO state machine: feed it bytes, it says what to send
and how many bytes it consumed. It consumes only greeting bytes, never the frames
behind them; for a ZMTP 1.0 peer it consumes nothing and hands back (``replay``) the
bytes it had buffered, which are the start of the peer's identity frame.

Import rules: imports ``zmq4.zmq_h``, ``zmq4.zmtp.errors`` and
``zmq4.zmtp.sockettypes`` only. No I/O, no time.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import IncompatiblePeer
from .sockettypes import ZMTP_SOCKET_TYPES

__all__ = [
    "SIGNATURE_SIZE",
    "V2_GREETING_SIZE",
    "GREETING_SIZE",
    "MECHANISM_SIZE",
    "ZMTP_1_0",
    "ZMTP_2_0",
    "ZMTP_3_0",
    "PeerGreeting",
    "GreetingExchange",
    "signature",
    "greeting_tail",
    "greeting",
    "mechanism_field",
    "socket_type_byte",
]

SIGNATURE_SIZE = 10
V2_GREETING_SIZE = 12
GREETING_SIZE = 64
MECHANISM_SIZE = 20
MAJOR_VERSION = 3
MINOR_VERSION = 0

#: Protocol families the connection may end up speaking.
ZMTP_1_0 = 1
ZMTP_2_0 = 2
ZMTP_3_0 = 3

# Revision byte values of versioned peers (byte 10).
_REVISION_1_0 = 0  # "ZMTP/1.0 behind a versioned signature" (libzmq's ZMTP_1_0)
_REVISION_2_0 = 1  # libzmq 3.2.x


def mechanism_field(name: bytes) -> bytes:
    """The 20-byte mechanism field: ``name`` NUL-padded (RFC 23 §The Greeting)."""
    name = bytes(name)
    if not 0 < len(name) <= MECHANISM_SIZE:
        raise ValueError(f"mechanism name must be 1..20 bytes, got {name!r}")
    return name.ljust(MECHANISM_SIZE, b"\x00")


def socket_type_byte(socket_type: int) -> bytes:
    """The socket-type byte of a ZMTP 2.0 greeting (numeric libzmq type, 0..10)."""
    if socket_type not in ZMTP_SOCKET_TYPES:
        raise ValueError(f"socket type {socket_type!r} does not speak ZMTP")
    return bytes((socket_type,))


def signature(identity_size: int = 0) -> bytes:
    """Bytes 0-9: ``0xFF``, 8-byte big-endian ``identity_size + 1``, ``0x7F``.

    RFC 23 §The Greeting calls the 8 bytes padding; libzmq 4.0 puts a ZMTP/1.0 identity
    frame length there so that a 1.0 peer reads our signature as the header of our
    identity frame (spec §5.2). Bit 0 of byte 9 set marks a versioned peer.
    """
    if not 0 <= identity_size <= 255:
        raise ValueError("identity_size must be 0..255")
    return b"\xff" + (identity_size + 1).to_bytes(8, "big") + b"\x7f"


def greeting_tail(mechanism: bytes, as_server: bool = False) -> bytes:
    """Bytes 11-63: minor version, mechanism, as-server, 31 bytes of filler.

    libzmq (every version) sends the as-server byte as 0 whatever its role (spec
    §5.2); ``as_server`` exists for raw test peers.
    """
    return (
        bytes((MINOR_VERSION,))
        + mechanism_field(mechanism)
        + (b"\x01" if as_server else b"\x00")
        + b"\x00" * 31
    )


def greeting(mechanism: bytes = b"NULL", identity_size: int = 0, as_server: bool = False) -> bytes:
    """The whole 64-byte ZMTP 3.0 greeting as libzmq 4.0 sends it."""
    return signature(identity_size) + bytes((MAJOR_VERSION,)) + greeting_tail(mechanism, as_server)


@dataclass(frozen=True)
class PeerGreeting:
    """What was learnt from the peer's greeting.

    ``protocol`` is ZMTP_1_0, ZMTP_2_0 or ZMTP_3_0 (the framing/handshake to use);
    ``version`` the (major, minor) the peer announced — (1, 0) for 1.0 peers (both the
    unversioned and the "revision 0" form), (2, 0) for 2.0, ``(byte10, byte11)``
    otherwise. ``versioned`` is False for an unversioned (libzmq 2.x) peer.
    ``socket_type`` is the 2.0/revision-0 socket-type byte (never checked by 4.0),
    ``mechanism`` and ``as_server`` come from a 3.x greeting.
    """

    protocol: int
    version: tuple[int, int]
    versioned: bool = True
    socket_type: int | None = None
    mechanism: bytes | None = None
    as_server: bool = False


class GreetingExchange:
    """Staged greeting send and version detection for one connection (sans-IO).

    ``GreetingExchange(socket_type, mechanism=b"NULL", identity_size=0,
    refuse_downgrade=False)``. Send ``initial_bytes()`` when the transport connects,
    then call ``receive(data)`` with every chunk until ``done``; each call returns
    ``(to_send, consumed)``. When done, ``peer`` describes the peer, and ``replay``
    holds bytes that belong to the frame stream (ZMTP 1.0 peers only) and must be fed
    to the frame decoder *before* ``data[consumed:]``.

    Raises ``RemoteProtocolError`` (``IncompatiblePeer`` for mechanism mismatch or a
    refused downgrade).
    """

    __slots__ = (
        "_socket_type",
        "_mechanism_field",
        "_identity_size",
        "_refuse_downgrade",
        "_buf",
        "_sent_major",
        "_sent_tail",
        "peer",
        "replay",
    )

    def __init__(
        self,
        socket_type: int,
        mechanism: bytes = b"NULL",
        identity_size: int = 0,
        refuse_downgrade: bool = False,
    ) -> None:
        socket_type_byte(socket_type)  # validates
        self._socket_type = socket_type
        self._mechanism_field = mechanism_field(mechanism)
        self._identity_size = identity_size
        self._refuse_downgrade = refuse_downgrade
        self._buf = bytearray()
        self._sent_major = False
        self._sent_tail = False
        self.peer: PeerGreeting | None = None
        self.replay = b""

    @property
    def done(self) -> bool:
        return self.peer is not None

    @property
    def received(self) -> bytes:
        """The greeting bytes received so far (for diagnostics and tests)."""
        return bytes(self._buf)

    def initial_bytes(self) -> bytes:
        """The 10-byte signature, sent as soon as the connection exists (spec §5.2)."""
        return signature(self._identity_size)

    def _refuse(self, what: str) -> None:
        # spec §5.3 item 4 / §6.1: with a non-NULL mechanism or a ZAP domain, 4.0.6+
        # closes ZMTP 1.0/2.0 peers instead of downgrading (#1273).
        if self._refuse_downgrade:
            raise IncompatiblePeer(f"{what} peer refused: security is configured")

    def receive(self, data: bytes | bytearray | memoryview) -> tuple[bytes, int]:
        """Consume greeting bytes from ``data``; returns ``(bytes_to_send, consumed)``."""
        if self.peer is not None:
            return b"", 0
        buf = self._buf
        out = bytearray()
        view = memoryview(data)
        consumed = 0
        total = len(view)
        while True:
            self._advance(out)
            if self.peer is not None:
                break
            take = min(self._need() - len(buf), total - consumed)
            if take <= 0:
                break
            buf += view[consumed : consumed + take]
            consumed += take
        return bytes(out), consumed

    def _need(self) -> int:
        """How many greeting bytes must be buffered before the next decision."""
        buf = self._buf
        have = len(buf)
        if have < 1:
            return 1
        if have < SIGNATURE_SIZE:
            return SIGNATURE_SIZE
        if have < SIGNATURE_SIZE + 1:
            return SIGNATURE_SIZE + 1
        if buf[10] in (_REVISION_1_0, _REVISION_2_0):
            return V2_GREETING_SIZE
        return GREETING_SIZE

    def _advance(self, out: bytearray) -> None:
        """Act on the bytes buffered so far (send what is due, detect the version)."""
        buf = self._buf
        have = len(buf)
        if have == 0:
            return
        # spec §5.3 case 1: first byte != 0xFF -> unversioned ZMTP/1.0 peer; the byte is
        # the 1-byte length of its identity frame.
        # spec §5.3 case 2: 0xFF but byte 9 bit 0 clear -> 1.0 peer with a long
        # (0xFF + 8-byte length + flags) identity frame header.
        if buf[0] == 0xFF and have < SIGNATURE_SIZE:
            return
        if buf[0] != 0xFF or not buf[9] & 0x01:
            self._refuse("ZMTP/1.0")
            self.replay = bytes(buf)
            self.peer = PeerGreeting(protocol=ZMTP_1_0, version=(1, 0), versioned=False)
            return
        if not self._sent_major:
            # RFC 23 §Version Negotiation: the peer is versioned; announce our major.
            out.append(MAJOR_VERSION)
            self._sent_major = True
        if len(buf) < SIGNATURE_SIZE + 1:
            return
        revision = buf[10]
        if revision in (_REVISION_1_0, _REVISION_2_0):
            what = "ZMTP/1.0" if revision == _REVISION_1_0 else "ZMTP/2.0"
            self._refuse(what)
            if not self._sent_tail:
                # RFC 15 §Greeting: a 2.0 greeting ends with the socket-type byte.
                out += socket_type_byte(self._socket_type)
                self._sent_tail = True
            if len(buf) < V2_GREETING_SIZE:
                return
            self.peer = PeerGreeting(
                protocol=ZMTP_1_0 if revision == _REVISION_1_0 else ZMTP_2_0,
                version=(1, 0) if revision == _REVISION_1_0 else (2, 0),
                socket_type=buf[11],
            )
            return
        # Revision >= 2: ZMTP 3.x; any minor accepted, we announce 3.0 (spec §5.8).
        if not self._sent_tail:
            out += greeting_tail(self._mechanism_field.rstrip(b"\x00"))
            self._sent_tail = True
        if len(buf) < GREETING_SIZE:
            return
        peer_mechanism = bytes(buf[12:32])
        # RFC 23 §The Greeting / CVE-2014-7202 (4.0.5+): the peer's mechanism must be
        # identical to ours, else close.
        if peer_mechanism != self._mechanism_field:
            raise IncompatiblePeer(
                f"mechanism mismatch: peer announced {_show_mechanism(peer_mechanism)}, "
                f"local mechanism is {_show_mechanism(self._mechanism_field)}"
            )
        self.peer = PeerGreeting(
            protocol=ZMTP_3_0,
            version=(revision, buf[11]),
            mechanism=peer_mechanism.rstrip(b"\x00"),
            as_server=bool(buf[32]),
        )


def _show_mechanism(field: bytes) -> str:
    name = field.rstrip(b"\x00")
    if name and all(0x20 < c < 0x7F for c in name) and b"\x00" not in name:
        return repr(name.decode("ascii"))
    return repr(field)
