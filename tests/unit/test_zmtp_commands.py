"""zmq4.zmtp.commands, sockettypes, zap and the NULL mechanism on their own:
command bodies, metadata (RFC 23 §Connection Metadata), strict bounds checking."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zmq4 import zmq_h as C
from zmq4.zmtp.commands import (
    Metadata,
    encode_cancel,
    encode_command,
    encode_error,
    encode_metadata,
    encode_ping,
    encode_pong,
    encode_ready,
    encode_subscribe,
    parse_command,
    parse_error,
    parse_metadata,
    parse_ping,
    parse_pong,
    parse_ready,
)
from zmq4.zmtp.errors import (
    AuthenticationFailed,
    IncompatiblePeer,
    LocalProtocolError,
    PeerError,
    RemoteProtocolError,
    ZapError,
    ZmtpError,
)
from zmq4.zmtp.mechanisms import MechanismStatus, NullMechanism
from zmq4.zmtp.sockettypes import is_compatible, socket_type_from_name, socket_type_name
from zmq4.zmtp.zap import parse_reply


class TestCommandBodies:
    def test_encode_parse(self):
        assert encode_command(b"READY", b"x") == b"\x05READYx"
        assert parse_command(b"\x05READYx") == (b"READY", b"x")
        assert parse_command(bytearray(b"\x04PING")) == (b"PING", b"")

    @pytest.mark.parametrize("body", [b"", b"\x00", b"\x00abc", b"\x06READY", b"\xff"])
    def test_malformed(self, body):
        with pytest.raises(RemoteProtocolError):
            parse_command(body)

    def test_encode_rejects_bad_names(self):
        with pytest.raises(ValueError):
            encode_command(b"")
        with pytest.raises(ValueError):
            encode_command(b"x" * 256)

    def test_ready(self):
        body = encode_ready([("Socket-Type", b"DEALER"), ("Identity", b"")])
        assert body == b"\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER\x08Identity\x00\x00\x00\x00"
        md = parse_ready(body)
        assert md["socket-type"] == b"DEALER" and md["IDENTITY"] == b""
        with pytest.raises(RemoteProtocolError):
            parse_ready(b"\x05HELLO")

    def test_error(self):
        body = encode_error("access denied")
        assert body == b"\x05ERROR\x0daccess denied"
        name, data = parse_command(body)
        assert parse_error(data) == b"access denied"
        assert len(encode_error(b"x" * 300)) == 6 + 1 + 255
        for bad in (b"", b"\x05abc"):
            with pytest.raises(RemoteProtocolError):
                parse_error(bad)

    def test_ping_pong(self):
        assert encode_ping(10, b"ab") == b"\x04PING\x00\x0aab"
        assert parse_ping(b"\x00\x0aab") == (10, b"ab")
        assert parse_ping(b"\x00\x00" + b"c" * 20) == (0, b"c" * 16)
        assert encode_pong(b"ab") == b"\x04PONGab"
        assert parse_pong(b"ctx") == b"ctx"
        with pytest.raises(RemoteProtocolError):
            parse_ping(b"\x00")
        with pytest.raises(ValueError):
            encode_ping(0, b"x" * 17)
        with pytest.raises(ValueError):
            encode_ping(1 << 16)

    def test_subscribe_cancel(self):
        assert encode_subscribe(b"t") == b"\x09SUBSCRIBEt"
        assert encode_cancel(b"t") == b"\x06CANCELt"


class TestMetadata:
    def test_round_trip_and_case(self):
        wire = encode_metadata({"Socket-Type": b"PUB", "X-Custom": b"\x00\xff"})
        md = parse_metadata(wire)
        assert list(md) == ["Socket-Type", "X-Custom"]
        assert md["SOCKET-TYPE"] == b"PUB" and "x-custom" in md and b"X-CUSTOM" in md
        assert md.get("missing") is None and 5 not in md
        assert md == {"socket-type": b"PUB", "x-custom": b"\x00\xff"}
        assert md.encode() == wire
        assert Metadata() == {} and md != {"a": b"b"}

    def test_last_duplicate_wins(self):
        wire = encode_metadata([("Identity", b"a"), ("IDENTITY", b"b")])
        assert parse_metadata(wire)["identity"] == b"b"

    def test_zero_length_name_accepted(self):
        assert parse_metadata(b"\x00\x00\x00\x00\x00") == {"": b""}

    @pytest.mark.parametrize(
        "wire",
        [
            b"\x01",  # single trailing byte
            b"\x05abc",  # name past the end
            b"\x01a\x00\x00",  # value length truncated
            b"\x01a\x00\x00\x00\x05abc",  # value past the end
            b"\x01a\xff\xff\xff\xff",  # 4 GiB value claimed
        ],
    )
    def test_malformed(self, wire):
        with pytest.raises(RemoteProtocolError):
            parse_metadata(wire)

    @settings(deadline=None)
    @given(st.binary(max_size=100))
    def test_fuzz(self, data):
        try:
            parse_metadata(data)
        except RemoteProtocolError:
            pass

    @settings(deadline=None)
    @given(
        st.lists(
            st.tuples(st.text("abcXYZ-_.+", min_size=1, max_size=20), st.binary(max_size=50)),
            max_size=5,
        )
    )
    def test_property_round_trip(self, props):
        md = parse_metadata(encode_metadata(props))
        last = {n.lower(): v for n, v in props}
        for name, _ in props:
            assert md[name] == last[name.lower()]
        assert len(md) == len({n.lower() for n, _ in props})

    def test_encode_rejects_bad_names(self):
        with pytest.raises(ValueError):
            encode_metadata([("", b"")])
        with pytest.raises(ValueError):
            encode_metadata([("x" * 256, b"")])


class TestSocketTypes:
    def test_names(self):
        assert socket_type_name(C.XSUB) == b"XSUB"
        assert socket_type_from_name(b"ROUTER") == C.ROUTER
        assert socket_type_from_name(b"router") is None
        with pytest.raises(ValueError):
            socket_type_name(C.STREAM)

    def test_matrix_symmetric(self):
        names = [
            b"PAIR",
            b"PUB",
            b"SUB",
            b"REQ",
            b"REP",
            b"DEALER",
            b"ROUTER",
            b"PULL",
            b"PUSH",
            b"XPUB",
            b"XSUB",
        ]
        for a in names:
            for b in names:
                ta, tb = socket_type_from_name(a), socket_type_from_name(b)
                assert is_compatible(ta, b) == is_compatible(tb, a)
        assert is_compatible(C.REQ, b"ROUTER") and not is_compatible(C.REQ, b"REQ")
        assert not is_compatible(C.DEALER, b"CLIENT")


class TestZapReply:
    def test_valid(self):
        r = parse_reply([b"", b"1.0", b"1", b"200", b"OK", b"alice", b""])
        assert r.accepted and r.user_id == b"alice" and len(r.metadata) == 0
        r = parse_reply([b"1.0", b"1", b"400", b"no", b"", b""], delimiter=False)
        assert not r.accepted and r.status_code == b"400"

    def test_invalid(self):
        with pytest.raises(ZapError):
            parse_reply([b"1.0", b"1", b"200", b"", b""], delimiter=False)


class TestNullMechanism:
    def _mech(self, **kw):
        m = NullMechanism()
        m.setup(socket_type=C.DEALER, identity=b"me", **kw)
        return m

    def test_flow(self):
        m = self._mech()
        assert m.status is MechanismStatus.HANDSHAKING
        body = m.next_handshake_command()
        assert body == encode_ready([("Socket-Type", b"DEALER"), ("Identity", b"me")])
        assert m.next_handshake_command() is None
        m.process_handshake_command(encode_ready([("Socket-Type", b"ROUTER")]))
        assert m.status is MechanismStatus.READY
        assert m.peer_metadata["Socket-Type"] == b"ROUTER"
        assert m.encode_frame(1, b"x") == (1, b"x") and m.decode_frame(0, b"y") == (0, b"y")

    def test_incompatible(self):
        m = self._mech()
        with pytest.raises(IncompatiblePeer):
            m.process_handshake_command(encode_ready([("Socket-Type", b"PUSH")]))
        assert m.status is MechanismStatus.ERROR and isinstance(m.error, IncompatiblePeer)

    def test_error_command(self):
        m = self._mech()
        with pytest.raises(PeerError):
            m.process_handshake_command(encode_error(b"nope"))

    def test_zap(self):
        m = self._mech(zap_domain=b"dom", peer_address="10.0.0.1")
        assert m.next_handshake_command() is None  # READY withheld
        req = m.zap_request()
        assert req.frames(delimiter=False) == [b"1.0", b"1", b"dom", b"10.0.0.1", b"me", b"NULL"]
        assert m.zap_request() is None
        m.zap_reply(b"200")
        assert m.next_handshake_command() is not None

    def test_zap_denied(self):
        m = self._mech(zap_domain=b"dom")
        m.zap_request()
        with pytest.raises(AuthenticationFailed) as info:
            m.zap_reply("400")
        assert info.value.status_code == b"400"

    def test_zap_reply_unrequested(self):
        with pytest.raises(LocalProtocolError):
            self._mech().zap_reply(b"200")

    def test_local_metadata_requires_setup(self):
        with pytest.raises(LocalProtocolError):
            NullMechanism().local_metadata()


def test_error_hierarchy():
    for cls in (RemoteProtocolError, IncompatiblePeer, PeerError, AuthenticationFailed, ZapError):
        assert issubclass(cls, ZmtpError)
    assert issubclass(IncompatiblePeer, RemoteProtocolError)
    assert not issubclass(ZmtpError, __import__("zmq4.errors").errors.ZMQError)
    assert str(RemoteProtocolError("why")) == "why" and RemoteProtocolError("x").errno == C.EPROTO
