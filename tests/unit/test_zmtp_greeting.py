"""zmq4.zmtp.greeting: the exact 64 greeting bytes, the staged send, and version
detection for crafted ZMTP 1.0 / 2.0 / 3.0 / 3.1 peers (spec §5.2, §5.3)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zmq4 import zmq_h as C
from zmq4.zmtp.errors import IncompatiblePeer, RemoteProtocolError
from zmq4.zmtp.greeting import (
    GREETING_SIZE,
    ZMTP_1_0,
    ZMTP_2_0,
    ZMTP_3_0,
    GreetingExchange,
    greeting,
    greeting_tail,
    mechanism_field,
    signature,
    socket_type_byte,
)

NULL_GREETING = (
    b"\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f"  # signature, padding = identity size + 1
    b"\x03\x00"  # version 3.0
    b"NULL"
    + b"\x00" * 16  # mechanism
    + b"\x00"  # as-server (always 0 in libzmq)
    + b"\x00" * 31  # filler
)


def v3_peer(mechanism=b"NULL", minor=0, major=3) -> bytes:
    return signature(0) + bytes((major, minor)) + mechanism_field(mechanism) + bytes(32)


class TestBytes:
    def test_exact_null_greeting(self):
        assert greeting() == NULL_GREETING
        assert len(NULL_GREETING) == GREETING_SIZE == 64

    @pytest.mark.parametrize("mech", [b"NULL", b"PLAIN", b"CURVE"])
    def test_mechanism_field(self, mech):
        g = greeting(mech)
        assert g[12:32] == mech + bytes(20 - len(mech))
        assert g[32] == 0 and g[33:] == bytes(31)

    def test_padding_holds_identity_length(self):
        # spec §5.2: 4.0 writes identity_size + 1, big-endian, into bytes 1-8.
        assert signature(5) == b"\xff" + (6).to_bytes(8, "big") + b"\x7f"
        assert greeting(identity_size=255)[1:9] == (256).to_bytes(8, "big")

    def test_tail(self):
        assert greeting_tail(b"NULL") == NULL_GREETING[11:]
        assert greeting_tail(b"PLAIN", as_server=True)[21] == 1

    def test_bad_arguments(self):
        with pytest.raises(ValueError):
            mechanism_field(b"")
        with pytest.raises(ValueError):
            mechanism_field(b"X" * 21)
        with pytest.raises(ValueError):
            signature(256)

    def test_socket_type_bytes(self):
        expected = {
            C.PAIR: 0,
            C.PUB: 1,
            C.SUB: 2,
            C.REQ: 3,
            C.REP: 4,
            C.DEALER: 5,
            C.ROUTER: 6,
            C.PULL: 7,
            C.PUSH: 8,
            C.XPUB: 9,
            C.XSUB: 10,
        }
        for t, v in expected.items():
            assert socket_type_byte(t) == bytes((v,))
        with pytest.raises(ValueError):
            socket_type_byte(C.STREAM)


class TestStagedSend:
    def test_stages(self):
        g = GreetingExchange(C.DEALER)
        assert g.initial_bytes() == NULL_GREETING[:10]
        # the major byte only after the peer's 10 bytes show a versioned signature
        assert g.receive(NULL_GREETING[:9]) == (b"", 9)
        assert g.receive(NULL_GREETING[9:10]) == (b"\x03", 1)
        # the rest after the peer's revision byte says 3.x
        assert g.receive(NULL_GREETING[10:11]) == (NULL_GREETING[11:], 1)
        assert not g.done
        assert g.receive(NULL_GREETING[11:63]) == (b"", 52)
        assert g.receive(NULL_GREETING[63:] + b"extra") == (b"", 1)
        assert g.done and g.peer.protocol == ZMTP_3_0 and g.peer.version == (3, 0)
        assert g.peer.mechanism == b"NULL" and g.replay == b""

    def test_all_at_once_consumes_only_the_greeting(self):
        g = GreetingExchange(C.DEALER)
        out, used = g.receive(NULL_GREETING + b"\x04\x29frames...")
        assert out == NULL_GREETING[10:] and used == 64

    @settings(deadline=None)
    @given(st.lists(st.integers(min_value=1, max_value=64), max_size=64))
    def test_any_chunking_same_output(self, sizes):
        g = GreetingExchange(C.REQ)
        data = NULL_GREETING
        sent = b""
        pos = 0
        for n in sizes + [64]:
            out, used = g.receive(data[pos : pos + n])
            sent += out
            pos += used
            if g.done:
                break
        assert g.done and pos == 64 and sent == NULL_GREETING[10:]

    def test_receive_after_done_is_noop(self):
        g = GreetingExchange(C.DEALER)
        g.receive(NULL_GREETING)
        assert g.receive(b"more") == (b"", 0)


class TestVersionDetection:
    def test_zmtp31_peer_any_minor(self):
        # spec §5.8: libzmq 4.3.3+ announces 3.1; we accept and keep announcing 3.0.
        g = GreetingExchange(C.SUB)
        out, _ = g.receive(v3_peer(minor=1))
        assert g.peer.protocol == ZMTP_3_0 and g.peer.version == (3, 1)
        assert out[1] == 0  # our minor stays 0

    @pytest.mark.parametrize("rev", [2, 3, 4, 0x7F, 0xFF])
    def test_revision_two_and_above_is_3x(self, rev):
        g = GreetingExchange(C.SUB)
        g.receive(v3_peer(major=rev, minor=9))
        assert g.peer.protocol == ZMTP_3_0 and g.peer.version == (rev, 9)

    def test_zmtp20_peer(self):
        # libzmq 3.2: signature, revision 0x01, socket-type byte.
        g = GreetingExchange(C.DEALER)
        peer = signature(0) + b"\x01" + bytes((C.ROUTER,))
        out, used = g.receive(peer + b"\x00\x00")
        assert used == 12
        assert out == b"\x03" + bytes((C.DEALER,))  # major, then our socket-type byte
        assert g.peer.protocol == ZMTP_2_0 and g.peer.version == (2, 0)
        assert g.peer.socket_type == C.ROUTER and g.replay == b""

    def test_revision0_versioned_10_peer(self):
        g = GreetingExchange(C.PUB)
        out, used = g.receive(signature(3) + b"\x00" + bytes((C.SUB,)))
        assert used == 12 and out == b"\x03\x01"
        assert g.peer.protocol == ZMTP_1_0 and g.peer.versioned and g.peer.version == (1, 0)

    def test_unversioned_10_peer_short_identity(self):
        # spec §5.3 case 1: byte 0 != 0xFF is the 1-byte length of the identity frame.
        g = GreetingExchange(C.ROUTER)
        stream = b"\x04\x00abc" + b"\x02\x00x"
        out, used = g.receive(stream)
        assert out == b"" and used == 1  # we never send the major byte to a 1.0 peer
        assert g.peer.protocol == ZMTP_1_0 and not g.peer.versioned
        assert g.replay + stream[used:] == stream

    def test_unversioned_10_peer_long_identity(self):
        # spec §5.3 case 2: 0xFF but byte 9 bit 0 clear (a long 1.0 frame header).
        g = GreetingExchange(C.ROUTER)
        head = b"\xff" + (301).to_bytes(8, "big") + b"\x00"
        out, used = g.receive(head[:4])
        assert (out, used) == (b"", 4) and not g.done
        out, used = g.receive(head[4:] + b"I" * 300)
        assert out == b"" and used == 6
        assert g.peer.protocol == ZMTP_1_0 and g.replay == head

    @pytest.mark.parametrize(
        "peer",
        [
            b"\x05",  # unversioned 1.0
            b"\xff" + bytes(8) + b"\x00",  # 1.0, long identity
            signature(0) + b"\x00\x05",  # revision 0
            signature(0) + b"\x01\x05",  # ZMTP 2.0
        ],
    )
    def test_downgrade_refused_when_secure(self, peer):
        # spec §5.3 item 4 / #1273: security configured -> no 1.0/2.0 peers.
        g = GreetingExchange(C.DEALER, b"PLAIN", refuse_downgrade=True)
        with pytest.raises(IncompatiblePeer, match="refused"):
            g.receive(peer)

    def test_secure_accepts_3x(self):
        g = GreetingExchange(C.DEALER, b"CURVE", refuse_downgrade=True)
        g.receive(v3_peer(b"CURVE"))
        assert g.done and g.peer.mechanism == b"CURVE"

    @pytest.mark.parametrize("peer_mech", [b"PLAIN", b"CURVE", b"null", b"NULLX"])
    def test_mechanism_mismatch(self, peer_mech):
        # CVE-2014-7202 (4.0.5+): the peer's mechanism must equal ours.
        g = GreetingExchange(C.DEALER, b"NULL")
        with pytest.raises(IncompatiblePeer, match="mechanism mismatch"):
            g.receive(v3_peer(peer_mech))

    def test_mechanism_field_compared_whole(self):
        peer = bytearray(v3_peer(b"NULL"))
        peer[20] = 0x41  # junk after the NUL padding
        g = GreetingExchange(C.DEALER)
        with pytest.raises(RemoteProtocolError):
            g.receive(bytes(peer))

    def test_peer_as_server_and_filler_ignored(self):
        peer = bytearray(v3_peer())
        peer[32] = 1
        peer[40] = 0x99
        g = GreetingExchange(C.DEALER)
        g.receive(bytes(peer))
        assert g.done and g.peer.as_server

    def test_padding_ignored(self):
        peer = b"\xff" + b"\x12\x34\x56\x78\x9a\xbc\xde\xf0" + b"\x7f" + v3_peer()[10:]
        g = GreetingExchange(C.DEALER)
        g.receive(peer)
        assert g.done

    @settings(deadline=None)
    @given(st.binary(min_size=0, max_size=80))
    def test_garbage_never_crashes(self, data):
        g = GreetingExchange(C.DEALER)
        try:
            out, used = g.receive(data)
        except RemoteProtocolError:
            return
        assert 0 <= used <= len(data)
        assert isinstance(out, bytes)
