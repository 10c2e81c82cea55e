# cython: annotation_typing=False, boundscheck=True, wraparound=True
"""``ZmtpConnection``: the sans-IO ZMTP state machine for one tcp/ipc connection.

Owns everything that happens on one ZMTP byte stream (spec §5, §6.1-6.2; RFC 23,
RFC 15, RFC 13, RFC 37 for the 3.1 commands newer peers send):

    GREETING --3.x--> HANDSHAKE (mechanism, ZAP) --> READY --> CLOSED
             \\-1.0/2.0-> IDENTITY (peer identity frame) --/

h11 style: bytes in (``receive_data``), events out (``next_event``), messages in
(``send_message`` / ``send_messages``), bytes out (``data_to_send``); time is an
argument (``handle_timer(now)``). The connection never touches a socket.

How the engine drives it
------------------------
* Right after connect/accept, write ``data_to_send()`` (the 10-byte signature).
* After *every* input call (``receive_data``, ``zap_reply``, ``send_*``,
  ``handle_timer``) write ``data_to_send()`` if non-empty and drain ``next_event()``
  until it returns None. ``data_to_send()`` hands over the pending ``bytearray``
  itself (no copy); it is the caller's from then on. ``chunks_to_send()`` is the same
  output as a list for a gathering write (``sendmsg``), with large ``bytes`` message
  bodies by reference instead of copied: an engine uses one or the other.
* ``receive_data(b"")`` signals EOF.
* ``data`` passed to ``receive_data`` may be a ``memoryview`` of a reused
  ``recv_into`` buffer: nothing keeps a reference to it after the call.
* For the body of a large frame, ``direct_decoder`` (its ``missing`` and
  ``payload_room``) and ``payload_received`` let the engine read straight into the
  frame's own memory instead (no copy through its buffer).

Events (``zmq4.zmtp.events``): ``HandshakeComplete`` once, before any message;
``MessagesReceived(messages)`` carrying every complete message decoded by one
``receive_data`` call (consecutive batches not yet pulled are merged);
``ZapRequested``; ``ConnectionClosed(reason, error)`` last. After a
``ConnectionClosed`` with an error the engine must close the transport: libzmq 4.0
never sends ERROR, so neither does this class.

Rules enforced here: spec §3.3 socket-type check (via the mechanism), downgrade
refusal when security is configured (spec §5.3 item 4), after the handshake command
frames are never delivered as messages: PING -> PONG echoing the context, SUBSCRIBE /
CANCEL -> ``0x01``/``0x00`` + topic messages on PUB/XPUB (ignored elsewhere), ERROR ->
close, unknown commands ignored. ZMTP 1.0/2.0 peers exchange identity frames; a PUB or
XPUB talking to an unversioned 1.0 peer gets a phantom subscribe-all (spec §5.3).
Handshake frames are capped at ``MAX_HANDSHAKE_FRAME`` bytes (spec §9, CVE-2019-13132
guidance); traffic frames at ``max_msg_size`` (spec §8.12).

Import rules: imports ``zmq4.zmq_h`` and the other ``zmq4.zmtp`` modules only.
Never ``socket``, ``threading``, ``select``, ``time``, ``asyncio``, ``zmq4.core`` or
``zmq4.io``.

Compiled by Cython in pure-Python mode (``connection.pxd``: the fields the per-message
paths touch are C fields); works the same interpreted, and stays sans-IO either way.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any

from .. import zmq_h as C
from . import _codec
from .commands import (
    CANCEL,
    ERROR,
    PING,
    PONG,
    SUBSCRIBE,
    Metadata,
    encode_ping,
    encode_pong,
    parse_command,
    parse_error,
    parse_ping,
)
from .errors import (
    HandshakeTimeout,
    LocalProtocolError,
    PeerError,
    RemoteProtocolError,
    ZapError,
    ZmtpError,
)
from .events import ConnectionClosed, Event, HandshakeComplete, MessagesReceived
from .greeting import ZMTP_2_0, ZMTP_3_0, GreetingExchange
from .mechanisms.base import (
    FrameHookCodec,
    Mechanism,
    MechanismStatus,
    MetadataInput,
    TrafficCodec,
)
from .mechanisms.null import NullMechanism
from .sockettypes import ZMTP_SOCKET_TYPES, socket_type_from_name
from .zap import parse_reply

__all__ = ["ZmtpConnection", "ConnectionState", "MAX_HANDSHAKE_FRAME"]

#: Largest frame accepted before the handshake completes (identity frames included).
MAX_HANDSHAKE_FRAME = 1 << 20

_COMMAND = _codec.COMMAND
_MORE = _codec.MORE
_BY_REF = _codec.BY_REFERENCE  # bytes bodies this large are sent by reference
#: A mechanism's codec (CURVE) writes frames this large into recycled bodies of their own,
#: not into the output buffer (which is new after each write: fresh pages every time).
_OWN_FRAME = _codec.RECYCLE_MIN
_PUBLISHERS = frozenset({C.PUB, C.XPUB})

Part = bytes | bytearray | memoryview


class ConnectionState(enum.Enum):
    GREETING = "greeting"
    HANDSHAKE = "handshake"
    IDENTITY = "identity"
    READY = "ready"
    CLOSED = "closed"


_GREETING = ConnectionState.GREETING
_HANDSHAKE = ConnectionState.HANDSHAKE
_IDENTITY = ConnectionState.IDENTITY
_READY = ConnectionState.READY
_CLOSED = ConnectionState.CLOSED


class ZmtpConnection:
    """One ZMTP connection, either side (libzmq's ``stream_engine_t`` protocol logic).

    ``socket_type``: the local ZMQ socket type (not STREAM).
    ``mechanism``: a fresh ``Mechanism`` for this connection (default NULL).
    ``identity``: the local ZMQ_IDENTITY (0..255 bytes).
    ``max_msg_size``: MAXMSGSIZE, per frame; negative = unlimited.
    ``zap_domain``: ZMQ_ZAP_DOMAIN.
    ``peer_address``: ZAP "address" field (numeric IP, "" for ipc).
    ``refuse_downgrade``: refuse ZMTP 1.0/2.0 peers; default: True when the mechanism
    is not NULL or a ZAP domain is set (libzmq 4.0.6+).
    ``handshake_timeout`` / ``now``: optional deadline (seconds, same clock as the
    ``now`` values passed to ``handle_timer``); 4.0 has none, 4.1+ default 30 s.
    """

    def __init__(
        self,
        socket_type: int,
        mechanism: Mechanism | None = None,
        identity: bytes = b"",
        max_msg_size: int = -1,
        zap_domain: bytes = b"",
        *,
        peer_address: bytes | str = b"",
        refuse_downgrade: bool | None = None,
        handshake_timeout: float | None = None,
        now: float = 0.0,
    ) -> None:
        if socket_type not in ZMTP_SOCKET_TYPES:
            raise ValueError(f"socket type {socket_type!r} does not speak ZMTP")
        identity = bytes(identity)
        if len(identity) > 255:
            raise ValueError("identity is at most 255 bytes")
        if mechanism is None:
            mechanism = NullMechanism()
        if not isinstance(mechanism, Mechanism):
            raise TypeError("mechanism must be a zmq4.zmtp.mechanisms.Mechanism")
        self.socket_type = socket_type
        self.identity = identity
        self.zap_domain = bytes(zap_domain)
        self.peer_address = peer_address
        self._mech = mechanism
        self._max_msg_size = -1 if max_msg_size is None or max_msg_size < 0 else int(max_msg_size)
        if refuse_downgrade is None:
            refuse_downgrade = mechanism.name != b"NULL" or bool(self.zap_domain)
        self.refuse_downgrade = bool(refuse_downgrade)

        self._state = _GREETING
        self._greeting = GreetingExchange(
            socket_type, mechanism.name, len(identity), self.refuse_downgrade
        )
        self._out = bytearray(self._greeting.initial_bytes())
        # Output already cut into chunks (large bodies by reference); goes before _out.
        self._chunks: list[Any] = []
        self._events: deque[Event] = deque()
        self._decoder: _codec.Decoder | None = None
        self._protocol = 0
        self._v1 = False
        self._fast = True
        # Batch codec of a non-transparent mechanism (CURVE), set when READY.
        self._codec: TrafficCodec | None = None
        self._parts: list[bytes] = []
        self._phantom_subscription = False
        self.peer_version: tuple[int, int] | None = None
        #: READY with the plain codec: the decoder, whose ``missing``/``payload_room``
        #: let the engine read a large frame body into its own memory (then
        #: ``payload_received``); None otherwise (an attribute: read per recv)
        self.direct_decoder: _codec.Decoder | None = None
        self.handshake: HandshakeComplete | None = None
        self.error: ZmtpError | None = None
        #: PING commands answered so far (libzmq 4.2+ heartbeats).
        self.pings_received = 0
        self._deadline = None if handshake_timeout is None else now + handshake_timeout

    # ------------------------------------------------------------------ queries

    @property
    def state(self) -> ConnectionState:
        return self._state

    @property
    def mechanism(self) -> Mechanism:
        return self._mech

    @property
    def max_msg_size(self) -> int:
        return self._max_msg_size

    @property
    def ready(self) -> bool:
        """True once ``HandshakeComplete`` was produced and until the connection closes."""
        return self._state is _READY

    @property
    def closed(self) -> bool:
        return self._state is _CLOSED

    @property
    def protocol(self) -> int:
        """ZMTP_1_0 / ZMTP_2_0 / ZMTP_3_0 once the greeting is done, else 0."""
        return self._protocol

    @property
    def wants_write(self) -> bool:
        return bool(self._out) or bool(self._chunks)

    # ------------------------------------------------------------------ outputs

    def data_to_send(self) -> bytearray:
        """Drain the pending output: the buffer object itself, handed over (empty when
        there is nothing to write). The connection never touches it again."""
        out = self._out
        self._out = bytearray()
        if self._chunks:
            chunks, self._chunks = self._chunks, []
            chunks.append(out)
            return bytearray(b"").join(chunks)
        return out

    def chunks_to_send(self) -> list[Any]:
        """Drain the pending output as a list of bytes-like chunks for one gathering
        write (empty when there is nothing to write): large ``bytes`` message bodies are
        in it by reference, not copied. Handed over like ``data_to_send``."""
        out = self._out
        chunks = self._chunks
        if chunks:
            self._chunks = []
            if out:
                chunks.append(out)
                self._out = bytearray()
            return chunks
        if out:
            self._out = bytearray()
            return [out]
        return []

    def next_event(self) -> Event | None:
        """The oldest pending event, or None."""
        if self._events:
            return self._events.popleft()
        return None

    def events(self) -> list[Event]:
        """Drain every pending event at once."""
        evs = list(self._events)
        self._events.clear()
        return evs

    def next_deadline(self) -> float | None:
        """When ``handle_timer`` must be called next (None: no timer armed)."""
        if self._deadline is None or self._state in (_READY, _CLOSED):
            return None
        return self._deadline

    # ------------------------------------------------------------------ inputs

    def receive_data(self, data: Part) -> None:
        """Feed bytes read from the transport; ``b""`` means EOF."""
        state = self._state
        if state is _CLOSED:
            return
        if not len(data):
            self._eof()
            return
        try:
            if state is _READY:
                self._traffic(data)
            else:
                self._receive_handshake(data)
        except ZmtpError as exc:
            self._close(exc.reason, exc)

    def receive_messages(self, data: Part) -> list[Any] | None:
        """``receive_data`` for the data phase, returning the messages instead of queueing
        a ``MessagesReceived`` (the per-read hot path: no event objects).

        Returns the whole messages this read completed (a list, maybe empty) when the
        connection is READY with the plain codec and the read held only data frames.
        Anything else (handshake, EOF, CURVE, commands, a protocol error) goes the
        ``receive_data`` way and returns None: the caller then drains ``events()`` and
        ``data_to_send()`` as after ``receive_data``."""
        if self._state is not _READY or not self._fast or not len(data) or self._events:
            self.receive_data(data)
            return None
        dec = self._decoder
        assert dec is not None
        items: list[Any] = []
        try:
            dec.decode_messages(data, items)
        except ZmtpError as exc:
            self._deliver_items(items)  # decoded before the error: still delivered (4.0)
            self._close(exc.reason, exc)
            return None
        except BaseException:
            self._deliver_items(items)
            raise
        if dec.commands:
            self._deliver_mixed(items)
            return None
        return items

    def payload_received(self, n: int) -> list[Any] | None:
        """``n`` bytes were read into the view ``direct_decoder.payload_room()`` gave:
        the messages that completed (as ``receive_messages`` returns them; None when
        the frame was a command or events wait, which then go the ``events()`` /
        ``data_to_send()`` way)."""
        dec = self._decoder
        assert dec is not None
        items: list[Any] = dec.payload_received(n)
        if dec.commands or self._events:
            self._deliver_mixed(items)
            return None
        return items

    def send_message(self, parts: Sequence[Part]) -> None:
        """Queue one multipart message (a sequence of bytes-like parts)."""
        if self._state is not _READY:
            self._not_ready()
        if self._fast:
            if _codec.encode_messages_iov(self._out, (parts,), self._chunks, _BY_REF, self._v1):
                self._out = bytearray()  # exported into the chunks
        elif self._codec.encode_messages_iov(  # type: ignore[union-attr]
                self._out, (parts,), self._chunks, _OWN_FRAME):
            self._out = bytearray()  # exported into the chunks

    def send_messages(self, messages: Iterable[Sequence[Part]]) -> None:
        """Queue many messages with one encode call (the batched hot path)."""
        if self._state is not _READY:
            self._not_ready()
        if not isinstance(messages, (list, tuple)):
            messages = list(messages)
        if self._fast:
            if _codec.encode_messages_iov(self._out, messages, self._chunks, _BY_REF, self._v1):
                self._out = bytearray()  # exported into the chunks
        elif self._codec.encode_messages_iov(  # type: ignore[union-attr]
                self._out, messages, self._chunks, _OWN_FRAME):
            self._out = bytearray()  # exported into the chunks

    def send_ping(self, context: bytes = b"", ttl: int = 0) -> None:
        """Send a ZMTP 3.1 PING (only meaningful to libzmq 4.2+ peers)."""
        if self._state is not _READY:
            self._not_ready()
        if self._protocol == ZMTP_3_0:
            self._send_command(encode_ping(ttl, context))

    def zap_reply(
        self, status_code: bytes | str | int, user_id: bytes = b"", metadata: MetadataInput = None
    ) -> None:
        """Deliver the ZAP handler's answer to the pending ``ZapRequested``."""
        if self._state is _CLOSED:
            return
        if self._state is not _HANDSHAKE:
            raise LocalProtocolError("zap_reply outside the handshake")
        try:
            self._mech.zap_reply(status_code, user_id, metadata)
            self._pump_mechanism()
            if self._state is _HANDSHAKE:
                self._handshake_frames(b"")
            elif self._state is _READY:
                self._traffic(b"")
        except LocalProtocolError:
            raise
        except ZmtpError as exc:
            self._close(exc.reason, exc)

    def zap_reply_frames(self, frames: Sequence[bytes], delimiter: bool = True) -> None:
        """Validate a raw ZAP reply (RFC 27) and deliver it; a malformed reply closes
        the connection with a ``ZapError``."""
        if self._state is _CLOSED:
            return
        try:
            reply = parse_reply(frames, delimiter=delimiter)
        except ZapError as exc:
            self._close(exc.reason, exc)
            return
        self.zap_reply(reply.status_code, reply.user_id, reply.metadata)

    def handle_timer(self, now: float) -> None:
        """Check the handshake deadline against ``now``."""
        if self._deadline is None or self._state in (_READY, _CLOSED):
            return
        if now >= self._deadline:
            self._close("handshake timed out", HandshakeTimeout("handshake timed out"))

    def close(self, reason: str = "closed locally") -> None:
        """Mark the connection closed locally (no event; partial input is discarded)."""
        if self._state is not _CLOSED:
            self._state = _CLOSED
            self._decoder = None
            self.direct_decoder = None
            self._parts = []

    # ------------------------------------------------------------------ internals

    def _not_ready(self) -> None:
        if self._state is _CLOSED:
            raise LocalProtocolError("connection is closed")
        raise LocalProtocolError("cannot send messages before the handshake completed")

    def _close(self, reason: str, error: ZmtpError | None) -> None:
        if self._state is _CLOSED:
            return
        self._state = _CLOSED
        self.error = error
        self._decoder = None
        self.direct_decoder = None
        self._parts = []
        if error is not None:
            # Nothing more goes to a peer we are dropping (4.0 closes at once).
            self._out = bytearray()
            self._chunks = []
        self._events.append(ConnectionClosed(reason, error))

    def _eof(self) -> None:
        state = self._state
        dec = self._decoder
        if state is _READY:
            assert dec is not None
            if dec.at_boundary and not self._parts:
                self._close("connection closed by peer", None)
            else:
                # pipe-leak fix (4.0.10): the unfinished message is discarded.
                self._close(
                    "peer closed the connection in the middle of a message",
                    RemoteProtocolError("connection closed in the middle of a message"),
                )
        else:
            self._close(
                f"peer closed the connection during the {state.value}",
                RemoteProtocolError(f"connection closed during the {state.value}"),
            )

    def _handshake_limit(self) -> int:
        m = self._max_msg_size
        return MAX_HANDSHAKE_FRAME if m < 0 else min(m, MAX_HANDSHAKE_FRAME)

    # -- greeting / handshake --------------------------------------------------

    def _receive_handshake(self, data: Part) -> None:
        if self._state is _GREETING:
            greet = self._greeting
            to_send, used = greet.receive(data)
            if to_send:
                self._out += to_send
            if not greet.done:
                return
            rest: Part = memoryview(data)[used:]
            if greet.replay:
                rest = greet.replay + bytes(rest)
            self._after_greeting()
            data = rest
            if self._state is _READY:  # pragma: no cover - a mechanism with no handshake
                self._traffic(data)
                return
        if self._state is _HANDSHAKE:
            self._handshake_frames(data)
        elif self._state is _IDENTITY:
            self._identity_frame(data)

    def _after_greeting(self) -> None:
        peer = self._greeting.peer
        assert peer is not None
        self._protocol = peer.protocol
        self.peer_version = peer.version
        limit = self._handshake_limit()
        if peer.protocol == ZMTP_3_0:
            self._decoder = _codec.Decoder(limit, 3)
            self._state = _HANDSHAKE
            self._mech.setup(
                socket_type=self.socket_type,
                identity=self.identity,
                zap_domain=self.zap_domain,
                peer_address=self.peer_address,
            )
            self._pump_mechanism()
        elif peer.protocol == ZMTP_2_0:
            # RFC 15 §Identity: after the greeting each side sends its identity frame.
            self._decoder = _codec.Decoder(limit, 2)
            self._state = _IDENTITY
            _codec.encode_frame(self._out, self.identity, 0)
        else:
            self._decoder = _codec.Decoder(limit, 1)
            self._state = _IDENTITY
            self._v1 = True
            if peer.versioned:
                _codec.encode_frame_v1(self._out, self.identity, 0)
            else:
                # spec §5.3 item 5: the 10 signature bytes already sent are the header
                # of our RFC 13 identity frame; only its body follows.
                self._out += self.identity
                self._phantom_subscription = self.socket_type in _PUBLISHERS

    def _pump_mechanism(self) -> None:
        mech = self._mech
        while True:
            body = mech.next_handshake_command()
            if body is None:
                break
            # RFC 23 §Commands: handshake commands travel in frames with COMMAND set.
            _codec.encode_frame(self._out, body, _COMMAND)
        req = mech.zap_request()
        if req is not None:
            self._events.append(req)
        if mech.status is MechanismStatus.READY and self._state is _HANDSHAKE:
            self._handshake_complete()

    def _handshake_frames(self, data: Part) -> None:
        dec = self._decoder
        assert dec is not None
        mech = self._mech
        frames = dec.decode_frames(data, None, 1)
        while frames:
            # spec §5.5: 4.0 does not check the COMMAND bit of handshake frames.
            mech.process_handshake_command(frames[0][1])
            self._pump_mechanism()
            if self._state is not _HANDSHAKE:
                break
            frames = dec.decode_frames(b"", None, 1)
        if self._state is _READY:
            self._traffic(b"")

    def _handshake_complete(self) -> None:
        mech = self._mech
        md = mech.peer_metadata
        st = md.get("Socket-Type")
        self._finish_handshake(
            HandshakeComplete(
                peer_socket_type=None if st is None else socket_type_from_name(st),
                peer_identity=md.get("Identity"),
                metadata=md,
                zmtp_version=self.peer_version or (3, 0),
                mechanism=mech.name,
                user_id=mech.user_id,
                zap_metadata=mech.zap_metadata,
            )
        )
        self._fast = mech.transparent
        if not self._fast:
            self._codec = mech.traffic_codec() or FrameHookCodec(mech)

    def _identity_frame(self, data: Part) -> None:
        dec = self._decoder
        assert dec is not None
        frames = dec.decode_frames(data, None, 1)
        if not frames:
            return
        peer = self._greeting.peer
        assert peer is not None
        st = peer.socket_type
        self._finish_handshake(
            HandshakeComplete(
                peer_socket_type=st if st in ZMTP_SOCKET_TYPES else None,
                # RFC 15 / RFC 13: the first frame is the peer's identity, never a message.
                peer_identity=frames[0][1],
                metadata=Metadata(),
                zmtp_version=peer.version,
                mechanism=b"NULL",
            )
        )
        if self._phantom_subscription:
            # spec §5.3 item 5: 2.x SUBs filter locally and never subscribe.
            self._events.append(MessagesReceived([[b"\x01"]]))
        self._traffic(b"")

    def _finish_handshake(self, event: HandshakeComplete) -> None:
        self._state = _READY
        self.handshake = event
        assert self._decoder is not None
        self._decoder.max_msg_size = self._max_msg_size
        if self._mech.transparent:
            self.direct_decoder = self._decoder
        self._events.append(event)

    # -- traffic ---------------------------------------------------------------

    def _traffic(self, data: Part) -> None:
        dec = self._decoder
        assert dec is not None
        if not self._fast:
            self._traffic_slow(data)
            return
        items: list[Any] = []
        try:
            dec.decode_messages(data, items)
        finally:
            # Messages decoded before a protocol error are still delivered (4.0 pushes
            # them to the session before closing).
            self._deliver_items(items)

    def _deliver_items(self, items: list[Any]) -> None:
        """Queue what one decode call returned (messages, and commands among them)."""
        if items:
            if self._decoder is not None and self._decoder.commands:
                self._deliver_mixed(items)
            else:
                self._deliver(items)

    def _deliver(self, messages: list[Any]) -> None:
        events = self._events
        if events:
            last = events[-1]
            if type(last) is MessagesReceived:
                last.messages.extend(messages)
                return
        events.append(MessagesReceived(messages))

    def _deliver_mixed(self, items: list[Any]) -> None:
        msgs: list[list[bytes]] = []
        try:
            for item in items:
                if type(item) is list:
                    msgs.append(item)
                else:
                    self._on_command(item, msgs)
        finally:
            if msgs:
                self._deliver(msgs)

    def _traffic_slow(self, data: Part) -> None:
        """Traffic through the mechanism's batch codec (CURVE): one call unboxes every
        frame of this read."""
        dec = self._decoder
        codec = self._codec
        assert dec is not None and codec is not None
        frames: list[Any] = []
        items: list[Any] = []
        try:
            dec.decode_frames(data, frames)
        finally:
            try:
                if frames:
                    codec.decode_frames(frames, self._parts, items)
            finally:
                # Items decoded before a bad frame are still delivered, as in _traffic.
                if items:
                    if codec.commands:
                        self._deliver_mixed(items)
                    else:
                        self._deliver(items)

    def _on_command(self, body: bytes, msgs: list[list[bytes]]) -> None:
        """A command frame after the handshake: never delivered as a message."""
        name, data = parse_command(body)
        if name == PING:
            _ttl, context = parse_ping(data)
            self.pings_received += 1
            # RFC 37 §Connection Heartbeating: answer PING with PONG echoing the context.
            self._send_command(encode_pong(context))
        elif name == PONG:
            pass
        elif name == SUBSCRIBE or name == CANCEL:
            # RFC 37 §SUBSCRIBE/CANCEL (libzmq 4.3.3+): same meaning as the legacy
            # 0x01/0x00 messages, which is what the socket layer understands.
            if self.socket_type in _PUBLISHERS:
                msgs.append([(b"\x01" if name == SUBSCRIBE else b"\x00") + data])
        elif name == ERROR:
            reason = parse_error(data)
            raise PeerError(f"peer sent ERROR: {reason!r}", reason)
        # Unknown commands are ignored (RFC 37 allows peers to extend).

    def _send_command(self, body: bytes) -> None:
        if self._fast:
            _codec.encode_frame(self._out, body, _COMMAND)
        else:
            self._codec.encode_command(self._out, body)  # type: ignore[union-attr]

    def __repr__(self) -> str:
        return (
            f"<ZmtpConnection {self._state.value} type={self.socket_type} "
            f"mechanism={self._mech.name.decode()} protocol={self._protocol}>"
        )
