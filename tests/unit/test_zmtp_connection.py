"""zmq4.zmtp.connection: the sans-IO ZMTP state machine, in memory.

Two ZmtpConnections wired together (NULL handshake, every socket-type pair), raw
scripted peers for ZMTP 1.0/2.0/3.1, commands after the handshake (PING/PONG,
SUBSCRIBE/CANCEL, ERROR), ZAP round trips, and malformed input: only
RemoteProtocolError (inside ConnectionClosed) may come out.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zmq4 import zmq_h as C
from zmq4.zmtp import (
    MAX_HANDSHAKE_FRAME,
    AuthenticationFailed,
    ConnectionClosed,
    ConnectionState,
    HandshakeComplete,
    HandshakeTimeout,
    IncompatiblePeer,
    LocalProtocolError,
    MessagesReceived,
    NullMechanism,
    PeerError,
    RemoteProtocolError,
    ZapError,
    ZapRequested,
    ZmtpConnection,
)
from zmq4.zmtp._codec import (
    COMMAND,
    MORE,
    encode_frame,
    encode_frame_v1,
    encode_message,
    encode_message_v1,
)
from zmq4.zmtp.commands import encode_metadata, encode_ping, encode_ready
from zmq4.zmtp.greeting import greeting, mechanism_field, signature
from zmq4.zmtp.sockettypes import COMPATIBLE_PEERS, SOCKET_TYPE_NAMES

ALL_TYPES = sorted(SOCKET_TYPE_NAMES)
COMPATIBLE = [(a, b) for a in ALL_TYPES for b in ALL_TYPES if b in COMPATIBLE_PEERS[a]]
INCOMPATIBLE = [(a, b) for a in ALL_TYPES for b in ALL_TYPES if b not in COMPATIBLE_PEERS[a]]


# --------------------------------------------------------------------------- helpers


def frame(body: bytes, flags: int = 0) -> bytes:
    out = bytearray()
    encode_frame(out, body, flags)
    return bytes(out)


def message(*parts: bytes) -> bytes:
    out = bytearray()
    encode_message(out, list(parts))
    return bytes(out)


def command(body: bytes) -> bytes:
    return frame(body, COMMAND)


def ready(socket_type: bytes, identity: bytes | None = None, name: str = "Socket-Type") -> bytes:
    props = [(name, socket_type)]
    if identity is not None:
        props.append(("Identity", identity))
    return command(encode_ready(props))


def drain(conn: ZmtpConnection) -> list:
    evs = []
    while (ev := conn.next_event()) is not None:
        evs.append(ev)
    return evs


def shuttle(a: ZmtpConnection, b: ZmtpConnection, chunk: int | None = None, rounds: int = 50):
    """Move bytes both ways until both sides are quiet; returns (events_a, events_b)."""
    ev_a, ev_b = [], []
    eof_sent = set()
    for _ in range(rounds):
        moved = False
        for src, dst in ((a, b), (b, a)):
            data = bytes(src.data_to_send())
            if data:
                moved = True
                step = chunk or len(data)
                for i in range(0, len(data), step):
                    dst.receive_data(data[i : i + step])
            if src.closed and id(src) not in eof_sent:
                # the engine closes the transport: the other side sees EOF
                eof_sent.add(id(src))
                dst.receive_data(b"")
                moved = True
        ev_a += drain(a)
        ev_b += drain(b)
        if not moved:
            break
    return ev_a, ev_b


def messages_of(events) -> list:
    return [m for e in events if isinstance(e, MessagesReceived) for m in e.messages]


def closed_of(events) -> ConnectionClosed | None:
    found = [e for e in events if isinstance(e, ConnectionClosed)]
    assert len(found) <= 1
    return found[0] if found else None


def handshaken(a_type=C.DEALER, b_type=C.ROUTER, **kw):
    a = ZmtpConnection(a_type, **kw.get("a", {}))
    b = ZmtpConnection(b_type, **kw.get("b", {}))
    ev_a, ev_b = shuttle(a, b)
    assert a.ready and b.ready, (ev_a, ev_b)
    return a, b


def raw_peer_v3(conn: ZmtpConnection, peer_type: bytes = b"DEALER", identity=b"") -> None:
    """Bring ``conn`` to READY with a scripted ZMTP 3.0 NULL peer."""
    conn.receive_data(greeting() + ready(peer_type, identity))
    assert conn.ready, drain(conn)


# --------------------------------------------------------------------------- handshake


class TestHandshake:
    @pytest.mark.parametrize("a_type,b_type", COMPATIBLE)
    def test_compatible_pairs(self, a_type, b_type):
        a = ZmtpConnection(a_type, identity=b"A" if a_type in (C.REQ, C.DEALER, C.ROUTER) else b"")
        b = ZmtpConnection(b_type)
        ev_a, ev_b = shuttle(a, b)
        (ha,) = [e for e in ev_a if isinstance(e, HandshakeComplete)]
        (hb,) = [e for e in ev_b if isinstance(e, HandshakeComplete)]
        assert ha.peer_socket_type == b_type and hb.peer_socket_type == a_type
        assert ha.zmtp_version == hb.zmtp_version == (3, 0)
        assert hb.metadata["socket-type"] == SOCKET_TYPE_NAMES[a_type]
        if a_type in (C.REQ, C.DEALER, C.ROUTER):
            assert hb.peer_identity == b"A"
        else:
            assert hb.peer_identity is None  # 4.0 sends Identity only from REQ/DEALER/ROUTER
        a.send_message([b"ping", b"x" * 1000])
        b.send_message([b"pong"])
        ev_a, ev_b = shuttle(a, b)
        assert messages_of(ev_b) == [[b"ping", b"x" * 1000]]
        assert messages_of(ev_a) == [[b"pong"]]

    @pytest.mark.parametrize("a_type,b_type", INCOMPATIBLE)
    def test_incompatible_pairs_refused(self, a_type, b_type):
        # spec §3.3: mismatch closes the connection (silently: no ERROR command).
        a = ZmtpConnection(a_type)
        b = ZmtpConnection(b_type)
        ev_a, ev_b = shuttle(a, b)
        rejected = 0
        for evs, conn in ((ev_a, a), (ev_b, b)):
            closed = closed_of(evs)
            assert closed is not None and isinstance(closed.error, RemoteProtocolError)
            if isinstance(closed.error, IncompatiblePeer):
                assert "incompatible socket type" in closed.reason
                rejected += 1
            assert not any(isinstance(e, HandshakeComplete) for e in evs)
            assert conn.closed
        # the side that saw the peer's READY rejects it; the other may just see EOF
        assert rejected >= 1

    def test_ready_bytes_exact(self):
        # spec §5.5: byte-exact NULL READY of a 4.0 DEALER without identity.
        conn = ZmtpConnection(C.DEALER)
        sent = bytes(conn.data_to_send())
        conn.receive_data(greeting())
        sent += bytes(conn.data_to_send())
        assert sent == greeting() + (
            b"\x04\x29\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER\x08Identity\x00\x00\x00\x00"
        )

    def test_router_identity_and_signature_padding(self):
        conn = ZmtpConnection(C.ROUTER, identity=b"IDENT")
        assert bytes(conn.data_to_send()) == signature(5)
        conn.receive_data(greeting())
        out = bytes(conn.data_to_send())
        assert out.endswith(b"\x08Identity\x00\x00\x00\x05IDENT")

    @settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
    @given(st.integers(min_value=1, max_value=70))
    def test_any_chunk_size(self, chunk):
        a = ZmtpConnection(C.REQ, identity=b"me")
        b = ZmtpConnection(C.REP)
        ev_a, ev_b = shuttle(a, b, chunk=chunk)
        assert a.ready and b.ready
        a.send_message([b"", b"request"])
        _, ev_b = shuttle(a, b, chunk=chunk)
        assert messages_of(ev_b) == [[b"", b"request"]]

    def test_handshake_and_data_in_one_chunk(self):
        conn = ZmtpConnection(C.PULL)
        conn.receive_data(greeting() + ready(b"PUSH") + message(b"a", b"b") + message(b"c"))
        evs = drain(conn)
        assert isinstance(evs[0], HandshakeComplete)
        assert messages_of(evs) == [[b"a", b"b"], [b"c"]]

    def test_zmtp31_peer(self):
        conn = ZmtpConnection(C.SUB)
        peer_greeting = signature(0) + b"\x03\x01" + mechanism_field(b"NULL") + bytes(32)
        conn.receive_data(peer_greeting + ready(b"PUB"))
        (hs,) = drain(conn)
        assert hs.zmtp_version == (3, 1)
        assert conn.peer_version == (3, 1)

    def test_property_names_case_insensitive(self):
        # RFC 23 §Connection Metadata: names are case-insensitive.
        conn = ZmtpConnection(C.ROUTER)
        body = encode_ready([("SOCKET-TYPE", b"DEALER"), ("identity", b"who")])
        conn.receive_data(greeting() + command(body))
        (hs,) = drain(conn)
        assert hs.peer_socket_type == C.DEALER and hs.peer_identity == b"who"
        conn = ZmtpConnection(C.ROUTER)
        conn.receive_data(greeting() + ready(b"PUB", name="socket-type"))
        assert isinstance(closed_of(drain(conn)).error, IncompatiblePeer)

    def test_socket_type_values_case_sensitive_and_unknown(self):
        for value in (b"dealer", b"SERVER", b""):
            conn = ZmtpConnection(C.ROUTER)
            conn.receive_data(greeting() + ready(value))
            assert isinstance(closed_of(drain(conn)).error, IncompatiblePeer), value

    def test_missing_socket_type_not_checked(self):
        # spec §3.3: peers that omit Socket-Type are not checked.
        conn = ZmtpConnection(C.PAIR)
        conn.receive_data(greeting() + command(encode_ready([("X-Other", b"1")])))
        (hs,) = drain(conn)
        assert hs.peer_socket_type is None and hs.metadata["x-other"] == b"1"

    def test_unknown_properties_ignored(self):
        conn = ZmtpConnection(C.PAIR)
        body = encode_ready([("X-Foo", b"bar"), ("Socket-Type", b"PAIR")])
        body += b"\x00\x00\x00\x00\x00"  # a zero-length name, empty value: accepted by 4.0
        conn.receive_data(greeting() + command(body))
        assert conn.ready

    def test_handshake_timeout(self):
        conn = ZmtpConnection(C.DEALER, handshake_timeout=5.0, now=100.0)
        assert conn.next_deadline() == 105.0
        conn.handle_timer(104.9)
        assert not conn.closed
        conn.handle_timer(105.0)
        closed = closed_of(drain(conn))
        assert isinstance(closed.error, HandshakeTimeout)
        assert conn.next_deadline() is None

    def test_no_deadline_after_ready(self):
        a, b = handshaken(a={"handshake_timeout": 1.0})
        assert a.next_deadline() is None
        a.handle_timer(1e9)
        assert a.ready

    def test_send_before_ready_is_local_error(self):
        conn = ZmtpConnection(C.DEALER)
        with pytest.raises(LocalProtocolError):
            conn.send_message([b"x"])
        with pytest.raises(LocalProtocolError):
            conn.send_messages([[b"x"]])

    def test_constructor_validation(self):
        with pytest.raises(ValueError):
            ZmtpConnection(C.STREAM)
        with pytest.raises(ValueError):
            ZmtpConnection(C.DEALER, identity=b"x" * 256)
        with pytest.raises(TypeError):
            ZmtpConnection(C.DEALER, mechanism=object())  # type: ignore[arg-type]

    def test_data_to_send_drains(self):
        conn = ZmtpConnection(C.DEALER)
        first = conn.data_to_send()
        assert isinstance(first, bytearray) and len(first) == 10
        assert conn.data_to_send() == b"" and not conn.wants_write


# --------------------------------------------------------------------------- traffic


class TestTraffic:
    def test_batches(self):
        a, b = handshaken(C.PUSH, C.PULL)
        a.send_messages([[b"m%d" % i] for i in range(1000)])
        a.send_messages([b"g%d" % i, b"tail"] for i in range(3))  # generator accepted
        _, ev_b = shuttle(a, b)
        got = messages_of(ev_b)
        assert got[:1000] == [[b"m%d" % i] for i in range(1000)]
        assert got[1000:] == [[b"g%d" % i, b"tail"] for i in range(3)]
        # one receive_data call -> one batch event
        assert sum(isinstance(e, MessagesReceived) for e in ev_b) == 1

    def test_unpulled_batches_are_merged(self):
        a, b = handshaken(C.PUSH, C.PULL)
        a.send_message([b"1"])
        b.receive_data(a.data_to_send())
        a.send_message([b"2"])
        b.receive_data(a.data_to_send())
        assert drain(b) == [MessagesReceived([[b"1"], [b"2"]])]

    def test_empty_and_large_frames(self):
        a, b = handshaken(C.PAIR, C.PAIR)
        big = bytes(range(256)) * 4096
        a.send_message([b"", big, b""])
        _, ev_b = shuttle(a, b, chunk=8192)
        assert messages_of(ev_b) == [[b"", big, b""]]

    def test_chunks_to_send_keeps_large_bodies_by_reference_and_in_order(self):
        a, b = handshaken(C.PAIR, C.PAIR)
        big = b"B" * 100000
        a.send_messages([[b"head", big], [b"small"]])
        a.send_ping(b"ctx")  # a command queued after the chunked output
        a.send_message([big])
        chunks = a.chunks_to_send()
        assert a.chunks_to_send() == [] and not a.wants_write
        assert sum(c is big for c in chunks) == 2  # sent from the caller's object
        b.receive_data(b"".join(bytes(c) for c in chunks))
        assert messages_of(drain(b)) == [[b"head", big], [b"small"], [big]]
        # data_to_send joins the same output into one buffer
        a.send_messages([[big], [b"tail"]])
        b.receive_data(a.data_to_send())
        assert messages_of(drain(b)) == [[big], [b"tail"]]
        assert a.chunks_to_send() == [] and a.data_to_send() == b""

    def test_direct_decoder_reads_a_large_body_in_place(self):
        a, b = ZmtpConnection(C.PAIR), ZmtpConnection(C.PAIR)
        assert b.direct_decoder is None  # not before the handshake
        a, b = handshaken(C.PAIR, C.PAIR)
        dec = b.direct_decoder
        assert dec is not None
        big = bytes(range(256)) * 1024
        a.send_messages([[b"head", big]])
        wire = bytes(a.data_to_send())
        assert b.receive_messages(wire[:5000]) == []
        assert dec.missing == len(wire) - 5000
        room = dec.payload_room()
        assert room is not None and len(room) == dec.missing
        room[:] = wire[5000:]
        room.release()
        assert b.payload_received(len(wire) - 5000) == [[b"head", big]]
        b.receive_data(b"")  # EOF: closed, no direct reads any more
        assert b.direct_decoder is None

    def test_max_msg_size_enforced_after_handshake(self):
        # (MAXMSGSIZE applies to handshake frames too: leave room for READY)
        a, b = handshaken(C.PUSH, C.PULL, b={"max_msg_size": 64})
        a.send_messages([[b"small"], [b"x" * 65], [b"never"]])
        _, ev_b = shuttle(a, b)
        # the message decoded before the violation is still delivered
        assert messages_of(ev_b) == [[b"small"]]
        closed = closed_of(ev_b)
        assert isinstance(closed.error, RemoteProtocolError)
        assert "maximum message size" in closed.reason

    def test_eof_clean(self):
        a, b = handshaken()
        b.receive_data(b"")
        closed = closed_of(drain(b))
        assert closed.error is None and b.closed
        b.receive_data(message(b"ignored"))
        assert drain(b) == []

    def test_eof_mid_message(self):
        a, b = handshaken()
        b.receive_data(frame(b"part", MORE))
        b.receive_data(b"")
        closed = closed_of(drain(b))
        assert isinstance(closed.error, RemoteProtocolError)

    def test_eof_during_handshake(self):
        conn = ZmtpConnection(C.DEALER)
        conn.receive_data(greeting()[:30])
        conn.receive_data(b"")
        closed = closed_of(drain(conn))
        assert isinstance(closed.error, RemoteProtocolError)
        assert "greeting" in closed.reason

    def test_send_after_close(self):
        a, b = handshaken()
        a.receive_data(b"")
        with pytest.raises(LocalProtocolError):
            a.send_message([b"x"])


# --------------------------------------------------------------------------- commands


class TestCommandsAfterHandshake:
    def test_ping_answered_with_pong(self):
        conn = ZmtpConnection(C.DEALER)
        raw_peer_v3(conn, b"ROUTER")
        drain(conn)
        conn.data_to_send()
        conn.receive_data(command(encode_ping(300, b"ctx")) + message(b"data"))
        # RFC 37: PONG echoes the PING context; the PING never reaches the app.
        assert bytes(conn.data_to_send()) == command(b"\x04PONG" + b"ctx")
        assert messages_of(drain(conn)) == [[b"data"]]
        assert conn.pings_received == 1

    def test_ping_context_truncated_to_16(self):
        conn = ZmtpConnection(C.DEALER)
        raw_peer_v3(conn, b"ROUTER")
        conn.data_to_send()
        conn.receive_data(command(b"\x04PING\x00\x00" + bytes(range(20))))
        assert bytes(conn.data_to_send()) == command(b"\x04PONG" + bytes(range(16)))

    def test_ping_between_two_connections(self):
        a, b = handshaken()
        a.send_ping(b"hb")
        a.send_message([b"after"])
        ev_a, ev_b = shuttle(a, b)
        assert b.pings_received == 1
        assert messages_of(ev_b) == [[b"after"]]
        assert messages_of(ev_a) == []  # the PONG is swallowed too

    def test_short_ping_is_protocol_error(self):
        conn = ZmtpConnection(C.DEALER)
        raw_peer_v3(conn, b"ROUTER")
        conn.receive_data(command(b"\x04PING\x00"))
        assert isinstance(closed_of(drain(conn)).error, RemoteProtocolError)

    def test_command_inside_multipart(self):
        conn = ZmtpConnection(C.DEALER)
        raw_peer_v3(conn, b"ROUTER")
        drain(conn)
        conn.receive_data(frame(b"a", MORE) + command(encode_ping()) + frame(b"b"))
        assert messages_of(drain(conn)) == [[b"a", b"b"]]

    @pytest.mark.parametrize("local", [C.PUB, C.XPUB])
    def test_subscribe_cancel_become_messages_on_publishers(self, local):
        conn = ZmtpConnection(local)
        raw_peer_v3(conn, b"SUB")
        drain(conn)
        conn.receive_data(
            command(b"\x09SUBSCRIBE" + b"topic")
            + command(b"\x06CANCEL" + b"topic")
            + message(b"\x01legacy")
        )
        assert messages_of(drain(conn)) == [[b"\x01topic"], [b"\x00topic"], [b"\x01legacy"]]

    def test_subscribe_ignored_elsewhere(self):
        conn = ZmtpConnection(C.PULL)
        raw_peer_v3(conn, b"PUSH")
        drain(conn)
        conn.receive_data(command(b"\x09SUBSCRIBE" + b"topic") + message(b"m"))
        assert messages_of(drain(conn)) == [[b"m"]]

    def test_unknown_command_ignored(self):
        conn = ZmtpConnection(C.PULL)
        raw_peer_v3(conn, b"PUSH")
        drain(conn)
        conn.receive_data(command(b"\x04JOIN" + b"grp") + command(b"\x05READY") + message(b"m"))
        assert messages_of(drain(conn)) == [[b"m"]]
        assert conn.ready

    def test_error_after_handshake_closes(self):
        conn = ZmtpConnection(C.PULL)
        raw_peer_v3(conn, b"PUSH")
        drain(conn)
        conn.receive_data(message(b"first") + command(b"\x05ERROR\x03bye"))
        evs = drain(conn)
        assert messages_of(evs) == [[b"first"]]
        err = closed_of(evs).error
        assert isinstance(err, PeerError) and err.peer_reason == b"bye"

    @pytest.mark.parametrize("body", [b"", b"\x00", b"\x09SUB", b"\xffX"])
    def test_malformed_command_after_handshake(self, body):
        conn = ZmtpConnection(C.PULL)
        raw_peer_v3(conn, b"PUSH")
        drain(conn)
        conn.receive_data(message(b"ok") + command(body))
        evs = drain(conn)
        assert messages_of(evs) == [[b"ok"]]
        assert isinstance(closed_of(evs).error, RemoteProtocolError)


# --------------------------------------------------------------------------- malformed


class TestMalformed:
    def _closed_with(self, conn: ZmtpConnection, data: bytes, cls=RemoteProtocolError, eof=False):
        conn.receive_data(data)
        if eof:
            conn.receive_data(b"")
        evs = drain(conn)
        closed = closed_of(evs)
        assert closed is not None, evs
        assert isinstance(closed.error, cls), closed
        assert not any(isinstance(e, HandshakeComplete) for e in evs)
        return closed

    @pytest.mark.parametrize("n", [1, 5, 10, 11, 12, 40, 63])
    def test_truncated_greeting(self, n):
        self._closed_with(ZmtpConnection(C.DEALER), greeting()[:n], eof=True)

    def test_garbage_greeting_wrong_mechanism(self):
        closed = self._closed_with(
            ZmtpConnection(C.DEALER), signature() + b"\x03\x00" + b"\xde\xad" * 26, IncompatiblePeer
        )
        assert "mechanism mismatch" in closed.reason

    def test_bad_command_name_in_handshake(self):
        closed = self._closed_with(ZmtpConnection(C.DEALER), greeting() + command(b"\x05HELLO"))
        assert "unexpected command" in closed.reason

    @pytest.mark.parametrize("body", [b"", b"\x00READY", b"\x09READY", b"\x05REA"])
    def test_malformed_command_body_in_handshake(self, body):
        self._closed_with(ZmtpConnection(C.DEALER), greeting() + command(body))

    def test_error_command_during_handshake(self):
        # spec §5.8: ERROR during the handshake is fatal.
        closed = self._closed_with(
            ZmtpConnection(C.DEALER), greeting() + command(b"\x05ERROR\x06denied"), PeerError
        )
        assert closed.error.peer_reason == b"denied"

    def test_second_ready(self):
        # a second READY can only arrive while our own READY is withheld (ZAP):
        conn = ZmtpConnection(C.DEALER, zap_domain=b"dom")
        self._closed_with(conn, greeting() + ready(b"ROUTER") + ready(b"ROUTER"))

    @pytest.mark.parametrize(
        "meta",
        [
            b"\x0bSocket-Type\x00\x00\x01\x00DEALER",  # value length > rest
            b"\x0bSocket-Type\x7f\xff\xff\xffDEALER",  # huge value length
            b"\xffSocket-Type",  # name length > rest
            b"\x0bSocket-Type\x00\x00",  # truncated value length
            b"\x0bSocket-Type\x00\x00\x00\x06DEALER\x08",  # single trailing byte
        ],
    )
    def test_oversize_property_lengths(self, meta):
        closed = self._closed_with(
            ZmtpConnection(C.ROUTER), greeting() + command(b"\x05READY" + meta)
        )
        assert "metadata" in closed.reason

    def test_oversize_handshake_frame(self):
        head = bytes((COMMAND | 0x02,)) + (MAX_HANDSHAKE_FRAME + 1).to_bytes(8, "big")
        closed = self._closed_with(ZmtpConnection(C.ROUTER), greeting() + head)
        assert "maximum message size" in closed.reason

    def test_max_msg_size_applies_to_handshake(self):
        conn = ZmtpConnection(C.ROUTER, max_msg_size=8)
        self._closed_with(conn, greeting() + ready(b"DEALER"))

    def test_oversize_data_frame_header_only(self):
        conn = ZmtpConnection(C.PULL, max_msg_size=1 << 20)
        raw_peer_v3(conn, b"PUSH")
        drain(conn)
        self._closed_with(conn, b"\x02" + (1 << 40).to_bytes(8, "big"))

    def test_top_bit_length(self):
        conn = ZmtpConnection(C.PULL)
        raw_peer_v3(conn, b"PUSH")
        drain(conn)
        self._closed_with(conn, b"\x02\x80" + bytes(7))

    @settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
    @given(st.binary(max_size=300), st.integers(min_value=1, max_value=64))
    def test_fuzz_after_greeting(self, junk, step):
        conn = ZmtpConnection(C.ROUTER, max_msg_size=4096)
        data = greeting() + junk
        for i in range(0, len(data), step):
            conn.receive_data(data[i : i + step])  # must never raise
        conn.receive_data(b"")
        closed = closed_of(drain(conn))
        assert closed is not None
        assert closed.error is None or isinstance(closed.error, RemoteProtocolError)

    @settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
    @given(st.binary(max_size=200))
    def test_fuzz_from_first_byte(self, junk):
        conn = ZmtpConnection(C.DEALER)
        conn.receive_data(junk)
        conn.receive_data(b"")
        closed = closed_of(drain(conn))
        assert (
            closed is None or closed.error is None or isinstance(closed.error, RemoteProtocolError)
        )

    @settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
    @given(st.binary(max_size=300))
    def test_fuzz_traffic(self, junk):
        conn = ZmtpConnection(C.XPUB)
        raw_peer_v3(conn, b"SUB")
        conn.receive_data(junk)
        conn.receive_data(b"")
        for ev in drain(conn):
            if isinstance(ev, ConnectionClosed):
                assert ev.error is None or isinstance(ev.error, RemoteProtocolError)


# --------------------------------------------------------------------------- old peers


class TestOldPeers:
    def test_zmtp20_peer(self):
        conn = ZmtpConnection(C.ROUTER, identity=b"me")
        assert bytes(conn.data_to_send()) == signature(2)
        peer = signature(0) + b"\x01" + bytes((C.DEALER,))
        conn.receive_data(peer[:10])
        assert bytes(conn.data_to_send()) == b"\x03"
        # RFC 15: 2.0 identity frame (flags 0, short size), then messages in 2.0 framing
        conn.receive_data(peer[10:] + b"\x00\x03bob" + message(b"hi", b"there"))
        out = bytes(conn.data_to_send())
        assert out == bytes((C.ROUTER,)) + b"\x00\x02me"
        evs = drain(conn)
        hs = evs[0]
        assert isinstance(hs, HandshakeComplete)
        assert hs.zmtp_version == (2, 0) and hs.peer_identity == b"bob"
        assert hs.peer_socket_type == C.DEALER and len(hs.metadata) == 0
        assert messages_of(evs) == [[b"hi", b"there"]]
        conn.send_message([b"r", b"s" * 300])
        assert bytes(conn.data_to_send()) == message(b"r", b"s" * 300)

    def test_zmtp20_no_type_check_and_no_commands(self):
        # spec §3.3: the 2.0 socket-type byte is not checked; 2.0 has no commands.
        conn = ZmtpConnection(C.PULL)
        conn.receive_data(
            signature() + b"\x01" + bytes((C.SUB,)) + b"\x00\x00" + command(b"\x04PING\x00\x00")
        )
        evs = drain(conn)
        assert conn.ready
        assert messages_of(evs) == [[b"\x04PING\x00\x00"]]  # data, as 4.0 delivers it

    def test_zmtp10_unversioned_peer(self):
        conn = ZmtpConnection(C.DEALER, identity=b"abc")
        conn.data_to_send()
        peer = b"\x04\x00old" + _v1(b"one", MORE) + _v1(b"two")
        conn.receive_data(peer)
        # spec §5.3 item 5: our signature was the header of our identity frame: body only
        assert bytes(conn.data_to_send()) == b"abc"
        evs = drain(conn)
        assert evs[0].zmtp_version == (1, 0) and evs[0].peer_identity == b"old"
        assert messages_of(evs) == [[b"one", b"two"]]
        conn.send_message([b"x" * 300, b"y"])
        out = bytearray()
        encode_message_v1(out, [b"x" * 300, b"y"])
        assert bytes(conn.data_to_send()) == bytes(out)

    def test_zmtp10_long_identity_byte_by_byte(self):
        conn = ZmtpConnection(C.ROUTER)
        ident = b"I" * 300
        peer = _v1(ident) + _v1(b"msg")
        for i in range(len(peer)):
            conn.receive_data(peer[i : i + 1])
        evs = drain(conn)
        assert evs[0].peer_identity == ident
        assert messages_of(evs) == [[b"msg"]]

    @pytest.mark.parametrize("local", [C.PUB, C.XPUB])
    def test_zmtp10_publisher_gets_phantom_subscription(self, local):
        conn = ZmtpConnection(local)
        conn.receive_data(b"\x01\x00")
        evs = drain(conn)
        assert isinstance(evs[0], HandshakeComplete)
        assert messages_of(evs) == [[b"\x01"]]

    def test_revision0_peer(self):
        conn = ZmtpConnection(C.DEALER, identity=b"id")
        conn.data_to_send()
        conn.receive_data(signature() + b"\x00" + bytes((C.ROUTER,)) + _v1(b"") + _v1(b"m"))
        out = bytes(conn.data_to_send())
        assert out == b"\x03" + bytes((C.DEALER,)) + _v1(b"id")  # full 1.0 identity frame
        evs = drain(conn)
        assert evs[0].zmtp_version == (1, 0) and evs[0].peer_identity == b""
        assert messages_of(evs) == [[b"m"]]

    @pytest.mark.parametrize(
        "peer",
        [b"\x01\x00" + b"\x02\x00x", signature() + b"\x01\x05" + b"\x00\x00" + b"\x00\x01x"],
    )
    @pytest.mark.parametrize("kw", [{"zap_domain": b"global"}])
    def test_downgrade_refused_with_zap_domain(self, peer, kw):
        # #1273 (4.0.6): raw "01 00" greeting + data frame must not skip security.
        conn = ZmtpConnection(C.ROUTER, **kw)
        conn.receive_data(peer)
        evs = drain(conn)
        assert isinstance(closed_of(evs).error, IncompatiblePeer)
        assert messages_of(evs) == []

    def test_downgrade_refused_with_non_null_mechanism(self):
        class Plainish(NullMechanism):
            name = b"PLAIN"

        conn = ZmtpConnection(C.ROUTER, mechanism=Plainish())
        assert conn.refuse_downgrade
        conn.receive_data(b"\x01\x00\x02\x00x")
        assert isinstance(closed_of(drain(conn)).error, IncompatiblePeer)


def _v1(body: bytes, flags: int = 0) -> bytes:
    out = bytearray()
    encode_frame_v1(out, body, flags)
    return bytes(out)


# --------------------------------------------------------------------------- ZAP


class TestZap:
    def _to_zap(self, **kw):
        conn = ZmtpConnection(
            C.ROUTER, identity=b"IDENT", zap_domain=b"global", peer_address="127.0.0.1", **kw
        )
        conn.data_to_send()
        conn.receive_data(greeting())
        evs = drain(conn)
        (req,) = [e for e in evs if isinstance(e, ZapRequested)]
        return conn, req

    def test_request_fields_and_ready_withheld(self):
        conn, req = self._to_zap()
        # spec §6.5: "1.0", "1", domain, address, the *local* identity, "NULL", no creds
        assert req.frames() == [b"", b"1.0", b"1", b"global", b"127.0.0.1", b"IDENT", b"NULL"]
        out = bytes(conn.data_to_send())
        assert out == greeting()[10:]  # greeting tail only: READY withheld
        conn.receive_data(ready(b"DEALER", b"peer"))
        assert drain(conn) == [] and not conn.ready
        conn.zap_reply(b"200", b"user", {"X-Tag": b"v"})
        out = bytes(conn.data_to_send())
        assert out.startswith(b"\x04") and b"READY" in out
        (hs,) = drain(conn)
        assert hs.user_id == b"user" and hs.zap_metadata["x-tag"] == b"v"
        assert hs.peer_identity == b"peer"

    def test_reply_before_peer_ready(self):
        conn, _ = self._to_zap()
        conn.zap_reply("200")
        assert b"READY" in bytes(conn.data_to_send())
        assert not conn.ready
        conn.receive_data(ready(b"DEALER") + message(b"m"))
        evs = drain(conn)
        assert isinstance(evs[0], HandshakeComplete) and messages_of(evs) == [[b"m"]]

    @pytest.mark.parametrize("code", [b"300", b"400", b"500", 400])
    def test_denied(self, code):
        conn, _ = self._to_zap()
        conn.receive_data(ready(b"DEALER"))
        conn.zap_reply(code)
        err = closed_of(drain(conn)).error
        assert isinstance(err, AuthenticationFailed)
        assert conn.data_to_send() == b""  # 4.0 sends nothing (no ERROR), just closes

    def test_reply_frames(self):
        conn, req = self._to_zap()
        conn.zap_reply_frames(
            [b"", b"1.0", b"1", b"200", b"OK", b"uid", encode_metadata([("Key", b"v")])]
        )
        conn.receive_data(ready(b"DEALER"))
        (hs,) = drain(conn)
        assert hs.user_id == b"uid" and hs.zap_metadata["key"] == b"v"

    @pytest.mark.parametrize(
        "frames",
        [
            [b"", b"1.0", b"1", b"200", b"OK", b"uid"],  # 6 frames
            [b"x", b"1.0", b"1", b"200", b"OK", b"uid", b""],  # no delimiter
            [b"", b"2.0", b"1", b"200", b"OK", b"uid", b""],  # version
            [b"", b"1.0", b"2", b"200", b"OK", b"uid", b""],  # request id
            [b"", b"1.0", b"1", b"20", b"OK", b"uid", b""],  # status not 3 digits
            [b"", b"1.0", b"1", b"200", b"OK", b"uid", b"\x05abc"],  # bad metadata
        ],
    )
    def test_malformed_reply(self, frames):
        conn, _ = self._to_zap()
        conn.zap_reply_frames(frames)
        assert isinstance(closed_of(drain(conn)).error, ZapError)

    def test_zap_reply_socket_type_checked(self):
        conn, _ = self._to_zap()
        conn.zap_reply(b"200", b"", {"Socket-Type": b"PUB"})
        assert isinstance(closed_of(drain(conn)).error, IncompatiblePeer)

    def test_zap_reply_without_request(self):
        conn = ZmtpConnection(C.ROUTER)
        conn.receive_data(greeting())
        with pytest.raises(LocalProtocolError):
            conn.zap_reply(b"200")

    def test_two_connections_both_with_zap(self):
        a = ZmtpConnection(C.DEALER, zap_domain=b"d")
        b = ZmtpConnection(C.ROUTER, zap_domain=b"d")
        ev_a, ev_b = shuttle(a, b)
        assert any(isinstance(e, ZapRequested) for e in ev_a)
        assert any(isinstance(e, ZapRequested) for e in ev_b)
        a.zap_reply(b"200")
        b.zap_reply(b"200")
        shuttle(a, b)
        assert a.ready and b.ready


# --------------------------------------------------------------------------- misc


def test_state_progression():
    a = ZmtpConnection(C.PAIR)
    b = ZmtpConnection(C.PAIR)
    assert a.state is ConnectionState.GREETING
    for _ in range(4):
        # (receive_data(b"") would mean EOF: only pass real bytes)
        if data := a.data_to_send():
            b.receive_data(data)
        if data := b.data_to_send():
            a.receive_data(data)
    assert a.state is ConnectionState.READY and b.state is ConnectionState.READY
    assert "ready" in repr(a)


def test_every_pair_is_classified():
    assert len(COMPATIBLE) + len(INCOMPATIBLE) == len(ALL_TYPES) ** 2
    assert len(list(itertools.product(ALL_TYPES, repeat=2))) == 121
