"""The security-mechanism interface every ZMTP 3.x mechanism implements.

Owns the contract between ``ZmtpConnection`` and a mechanism (RFC 23 §Authentication
and Confidentiality; libzmq's ``mechanism_t``), written so that PLAIN (RFC 24) and
CURVE (RFC 25/26) fit without touching the connection:

* handshake: ``next_handshake_command()`` yields command bodies to send (None when
  nothing is due — e.g. READY withheld while ZAP is pending), and
  ``process_handshake_command(body)`` consumes each received handshake frame;
* ``status``: HANDSHAKING -> READY, or ERROR; failures are raised as ``ZmtpError``
  subclasses (and leave ``status`` ERROR, ``error`` set);
* peer metadata: parsed with ``zmq4.zmtp.commands`` and checked against the local
  socket type (spec §3.3) by ``_accept_metadata``;
* ZAP: the mechanism *asks* (``zap_request()`` returns a ``ZapRequested`` once) and is
  *told* (``zap_reply(status_code, user_id, metadata)``); only ``200`` accepts
  (libzmq 4.0 closes on anything else without sending ERROR);
* traffic hooks ``encode_frame`` / ``decode_frame``: identity for NULL and PLAIN
  (``transparent = True`` lets the connection use the batched codec directly); CURVE
  boxes each frame into a MESSAGE data frame and sets ``transparent = False``.
* batched traffic: a non-transparent mechanism hands the connection a *traffic codec*
  once the handshake is complete (``traffic_codec()``, see ``TrafficCodec``): one call
  encodes a whole batch of messages, one call decodes every frame of a receive batch.
  The default ``FrameHookCodec`` adapts the per-frame hooks; CURVE returns its Cython
  ``CurveCodec`` (no Python call per frame).

A mechanism object serves exactly one connection (it holds per-connection state).
The role (client/server) comes from local configuration only, never from the peer's
greeting (CVE-2014-7202; spec §6.1).

Import rules: imports ``zmq4.zmq_h`` and ``zmq4.zmtp`` leaf modules (commands,
errors, events, sockettypes). No I/O, no time.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any, Callable, ClassVar, NoReturn, Protocol, TypeVar

from ... import zmq_h as C
from .. import _codec
from ..commands import Metadata, parse_metadata
from ..errors import AuthenticationFailed, IncompatiblePeer, LocalProtocolError, ZmtpError
from ..events import ZapRequested
from ..sockettypes import is_compatible, socket_type_name

T = TypeVar("T")

__all__ = [
    "Mechanism",
    "MechanismStatus",
    "ZapState",
    "MetadataInput",
    "TrafficCodec",
    "FrameHookCodec",
]

MetadataInput = Metadata | Mapping[str, bytes] | bytes | bytearray | memoryview | None

#: Socket types that announce their ZMQ_IDENTITY over ZMTP 3.0 (spec §5.5, §8.22).
_SENDS_IDENTITY = frozenset({C.REQ, C.DEALER, C.ROUTER})


class MechanismStatus(enum.Enum):
    HANDSHAKING = "handshaking"
    READY = "ready"
    ERROR = "error"


class ZapState(enum.Enum):
    NOT_NEEDED = "not needed"
    REQUESTED = "requested"  # ZapRequested built, not yet collected by the connection
    WAITING = "waiting"  # collected; waiting for zap_reply
    ACCEPTED = "accepted"


class Mechanism:
    """Base class. Subclasses set ``name`` and implement the two handshake methods."""

    #: The mechanism name as it appears in the greeting (1..20 ASCII bytes).
    name: ClassVar[bytes] = b""
    #: True when encode_frame/decode_frame are the identity (NULL, PLAIN).
    transparent: ClassVar[bool] = True

    def __init__(self, *, as_server: bool = False) -> None:
        self.as_server = bool(as_server)
        self._status = MechanismStatus.HANDSHAKING
        self._error: ZmtpError | None = None
        self._peer_metadata = Metadata()
        self._zap_state = ZapState.NOT_NEEDED
        self._zap_request: ZapRequested | None = None
        self.user_id = b""
        self.zap_metadata = Metadata()
        self.socket_type: int | None = None
        self.identity = b""
        self.zap_domain = b""
        self.peer_address = b""

    # -- configuration -------------------------------------------------------

    def setup(
        self,
        *,
        socket_type: int,
        identity: bytes = b"",
        zap_domain: bytes = b"",
        peer_address: bytes | str = b"",
    ) -> None:
        """Called once by the connection when the ZMTP 3.x greeting is complete."""
        self.socket_type = socket_type
        self.identity = bytes(identity)
        self.zap_domain = bytes(zap_domain)
        self.peer_address = (
            peer_address.encode("ascii", "replace")
            if isinstance(peer_address, str)
            else bytes(peer_address)
        )

    # -- handshake (subclasses) ----------------------------------------------

    def next_handshake_command(self) -> bytes | None:
        """The body of the next handshake command to send, or None."""
        raise NotImplementedError

    def process_handshake_command(self, body: bytes) -> None:
        """Consume one handshake frame body; raise ``ZmtpError`` on any problem."""
        raise NotImplementedError

    # -- status --------------------------------------------------------------

    @property
    def status(self) -> MechanismStatus:
        return self._status

    @property
    def error(self) -> ZmtpError | None:
        return self._error

    @property
    def peer_metadata(self) -> Metadata:
        return self._peer_metadata

    @property
    def zap_state(self) -> ZapState:
        return self._zap_state

    # -- ZAP -----------------------------------------------------------------

    def zap_request(self) -> ZapRequested | None:
        """Collect the pending ZAP request (returned once)."""
        req = self._zap_request
        if req is not None:
            self._zap_request = None
            self._zap_state = ZapState.WAITING
        return req

    def zap_reply(
        self, status_code: bytes | str | int, user_id: bytes = b"", metadata: MetadataInput = None
    ) -> None:
        """Deliver the ZAP handler's decision (RFC 27). Raises ``AuthenticationFailed``
        unless the status code is 200."""
        if self._zap_state not in (ZapState.REQUESTED, ZapState.WAITING):
            raise LocalProtocolError("zap_reply without a pending ZAP request")
        self._zap_request = None
        code = (
            str(status_code).encode("ascii")
            if isinstance(status_code, (int, str))
            else bytes(status_code)
        )
        if code != b"200":
            # spec §6.5: 4.0 accepts only "200"; everything else closes the connection.
            self._zap_state = ZapState.WAITING
            self._fail(AuthenticationFailed(f"ZAP denied the peer (status {code!r})", code))
        md = self._guarded(_as_metadata, metadata)
        peer_type = md.get("Socket-Type")
        if peer_type is not None:
            self._check_socket_type(peer_type)
        self.user_id = bytes(user_id)
        self.zap_metadata = md
        self._zap_state = ZapState.ACCEPTED
        self._on_zap_accepted()
        self._update_status()

    def _on_zap_accepted(self) -> None:
        """Hook: the handshake may continue (e.g. send READY/WELCOME)."""

    def _request_zap(self, credentials: tuple[bytes, ...] = ()) -> None:
        self._zap_request = ZapRequested(
            domain=self.zap_domain,
            address=self.peer_address,
            identity=self.identity,  # spec §6.5 [quirk]: the local socket's identity
            mechanism=self.name,
            credentials=tuple(credentials),
        )
        self._zap_state = ZapState.REQUESTED

    @property
    def zap_blocking(self) -> bool:
        """True while a ZAP decision is outstanding."""
        return self._zap_state in (ZapState.REQUESTED, ZapState.WAITING)

    # -- traffic hooks -------------------------------------------------------

    def encode_frame(self, flags: int, body: bytes) -> tuple[int, bytes]:
        """Wire ``(flags, body)`` for one outgoing frame (identity here)."""
        return flags, body

    def decode_frame(self, flags: int, body: bytes) -> tuple[int, bytes]:
        """Inner ``(flags, body)`` of one received traffic frame (identity here)."""
        return flags, body

    def traffic_codec(self) -> TrafficCodec | None:
        """The batch codec for traffic after the handshake: None for transparent
        mechanisms (the connection frames data itself), else an object implementing
        ``TrafficCodec``. Called once, when the handshake is complete."""
        if self.transparent:
            return None
        return FrameHookCodec(self)

    # -- helpers for subclasses ----------------------------------------------

    def local_metadata(self) -> list[tuple[str, bytes]]:
        """Properties this side announces: Socket-Type always, Identity for
        REQ/DEALER/ROUTER (what libzmq 4.0 sends, spec §5.5)."""
        if self.socket_type is None:
            raise LocalProtocolError("mechanism used before setup()")
        props: list[tuple[str, bytes]] = [("Socket-Type", socket_type_name(self.socket_type))]
        if self.socket_type in _SENDS_IDENTITY:
            props.append(("Identity", self.identity))
        return props

    def _accept_metadata(self, data: bytes) -> Metadata:
        """Parse the peer's properties and run the spec §3.3 socket-type check."""
        md = parse_metadata(data)
        peer_type = md.get("Socket-Type")
        if peer_type is not None:  # spec §3.3: peers omitting Socket-Type are not checked
            self._check_socket_type(peer_type)
        self._peer_metadata = md
        return md

    def _check_socket_type(self, peer_type: bytes) -> None:
        assert self.socket_type is not None
        # RFC 23 §Socket Compatibility: a peer of an invalid type MUST be rejected.
        if not is_compatible(self.socket_type, peer_type):
            self._fail(
                IncompatiblePeer(
                    f"incompatible socket type: local {socket_type_name(self.socket_type).decode()}"
                    f", peer announced {peer_type!r}"
                )
            )

    def _fail(self, error: ZmtpError) -> NoReturn:
        self._status = MechanismStatus.ERROR
        self._error = error
        self._on_error()
        raise error

    def _on_error(self) -> None:
        """Hook: the handshake failed (e.g. wipe key material)."""

    def _guarded(self, step: Callable[..., T], *args: Any) -> T:
        """Run one handshake step so that *every* ``ZmtpError`` it raises — including
        those from the bounds-checked parsers in ``commands`` — leaves the mechanism
        in ERROR (and is re-raised on any later call)."""
        if self._error is not None:
            raise self._error
        try:
            return step(*args)
        except ZmtpError as exc:
            if self._error is None:
                self._fail(exc)
            raise

    def _update_status(self) -> None:
        """Subclasses call this after each step; they define ``_handshake_done``."""
        if (
            self._status is MechanismStatus.HANDSHAKING
            and self._handshake_done()
            and not self.zap_blocking
        ):
            self._status = MechanismStatus.READY

    def _handshake_done(self) -> bool:
        raise NotImplementedError


class TrafficCodec(Protocol):
    """What ``ZmtpConnection`` calls for every batch once a non-transparent mechanism
    (CURVE) is READY. Flags are ZMTP flags: MORE = 1, COMMAND = 4."""

    @property
    def commands(self) -> int:
        """Command items produced by the last ``decode_frames`` call."""
        ...

    def encode_messages_iov(self, out: bytearray, messages: Sequence[Sequence[Any]],
                            chunks: list[Any], threshold: int) -> int:
        """Append the wire frames of every part of every message to ``out``, or, for
        frames of ``threshold`` bytes or more, to ``chunks`` as objects of their own:
        then ``chunks`` receives the whole output in order (slices of ``out``, which is
        exported) and the count of such frames is returned (0: all went into ``out``).
        The contract of ``_codec.encode_messages_iov``."""
        ...

    def encode_command(self, out: bytearray, body: bytes) -> int:
        """Append one command frame (PING/PONG) to ``out``."""
        ...

    def decode_frames(self, frames: list[Any], parts: list[Any], out: list[Any]) -> int:
        """Turn received ``(flags, body)`` wire frames into items appended to ``out``
        (``list`` = complete message, ``bytes`` = command body), keeping the parts of
        an unfinished message in ``parts`` between calls; return the number of
        command items. Raise ``RemoteProtocolError`` on a bad frame, after appending
        what was decoded before it."""
        ...


class FrameHookCodec:
    """``TrafficCodec`` over a mechanism's per-frame ``encode_frame``/``decode_frame``
    hooks (one Python call per frame; for mechanisms without a compiled codec)."""

    __slots__ = ("_mech", "commands")

    def __init__(self, mech: Mechanism) -> None:
        self._mech = mech
        self.commands = 0

    def encode_messages(self, out: bytearray, messages: Sequence[Sequence[Any]]) -> int:
        wires: list[tuple[int, bytes]] = []
        encode = self._mech.encode_frame
        for parts in messages:
            if isinstance(parts, (bytes, bytearray, memoryview, str)):
                raise TypeError("a message must be a sequence of bytes-like parts")
            n = len(parts)
            if n == 0:
                raise ValueError("a message needs at least one part")
            for i, part in enumerate(parts):
                wires.append(encode(_codec.MORE if i + 1 < n else 0, bytes(part)))
        before = len(out)
        for flags, wire in wires:
            _codec.encode_frame(out, wire, flags)
        return len(out) - before

    def encode_messages_iov(self, out: bytearray, messages: Sequence[Sequence[Any]],
                            chunks: list[Any], threshold: int) -> int:
        self.encode_messages(out, messages)  # one Python call per frame anyway: no cuts
        return 0

    def encode_command(self, out: bytearray, body: bytes) -> int:
        flags, wire = self._mech.encode_frame(_codec.COMMAND, body)
        return _codec.encode_frame(out, wire, flags)

    def decode_frames(self, frames: list[Any], parts: list[Any], out: list[Any]) -> int:
        self.commands = 0
        decode = self._mech.decode_frame
        for wflags, wbody in frames:
            flags, body = decode(wflags, wbody)
            if flags & _codec.COMMAND:
                out.append(body)
                self.commands += 1
            elif flags & _codec.MORE:
                parts.append(body)
            else:
                parts.append(body)
                out.append(parts[:])
                del parts[:]
        return self.commands


def _as_metadata(metadata: MetadataInput) -> Metadata:
    if metadata is None:
        return Metadata()
    if isinstance(metadata, Metadata):
        return metadata
    if isinstance(metadata, (bytes, bytearray, memoryview)):
        return parse_metadata(bytes(metadata))
    return Metadata(metadata.items())
