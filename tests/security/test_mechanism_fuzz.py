"""Hypothesis fuzzing of the PLAIN and CURVE state machines and of CURVE traffic.

Properties (spec §9, DESIGN §2 "errors from the peer end the connection, never the
process"):

* whatever command sequence a peer sends, a mechanism raises only ``ZmtpError``
  subclasses that blame the peer (never IndexError, struct errors, ValueError, ...);
* a fuzzed CURVE peer never authenticates (READY needs boxes only key holders make);
  a PLAIN server never becomes READY without a ZAP 200;
* a ZmtpConnection fed arbitrary bytes after a valid greeting ends, at worst, with a
  ``ConnectionClosed`` carrying a ``RemoteProtocolError``; no exception escapes;
* tampered CURVE traffic never delivers altered content: what arrives is a prefix of
  what was sent, then the connection closes.
"""

from __future__ import annotations

from _security_helpers import (
    CLIENT_PUBLIC,
    CLIENT_SECRET,
    SERVER_PUBLIC,
    SERVER_SECRET,
    Wire,
    curve_pair,
    plain_pair,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st  # noqa: E402

from zmq4 import zmq_h as C  # noqa: E402
from zmq4.zmtp import (  # noqa: E402
    ConnectionClosed,
    HandshakeComplete,
    LocalProtocolError,
    MessagesReceived,
    RemoteProtocolError,
    ZapRequested,
    ZmtpConnection,
    ZmtpError,
    _codec,
)
from zmq4.zmtp.greeting import greeting  # noqa: E402
from zmq4.zmtp.mechanisms import (  # noqa: E402
    CurveMechanism,
    MechanismStatus,
    PlainMechanism,
    ZapState,
)

FUZZ = settings(
    max_examples=250,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

NAMES = [
    b"HELLO",
    b"WELCOME",
    b"INITIATE",
    b"READY",
    b"ERROR",
    b"MESSAGE",
    b"PING",
    b"SUBSCRIBE",
    b"hello",
    b"",
]


def _record(pair_factory) -> list[bytes]:
    """Command bodies of one real handshake, in wire order (both directions)."""
    client, server = pair_factory()
    bodies: list[bytes] = []
    dec = {id(client): _codec.Decoder(), id(server): _codec.Decoder()}
    skipped = {id(client): 0, id(server): 0}
    for _ in range(20):
        moved = False
        for x, y in ((client, server), (server, client)):
            out = bytes(x.data_to_send())
            if out:
                moved = True
                y.receive_data(out)
                k = id(x)
                take = max(0, 64 - skipped[k])
                skipped[k] += min(take, len(out))
                rest = out[take:]
                if rest:
                    bodies.extend(b for _f, b in dec[k].decode_frames(rest))
            for ev in x.events():
                if isinstance(ev, ZapRequested):
                    x.zap_reply(200)
                    moved = True
        if not moved:
            break
    assert client.ready and server.ready
    return [b for b in bodies if not b.startswith(b"\x07MESSAGE")]


PLAIN_TRANSCRIPT = _record(lambda: plain_pair(b"user", b"pass"))
CURVE_TRANSCRIPT = _record(lambda: curve_pair())


@st.composite
def mutated(draw, transcript: list[bytes]) -> bytes:
    body = bytearray(draw(st.sampled_from(transcript)))
    op = draw(st.sampled_from(["flip", "truncate", "extend", "length", "keep", "splice"]))
    if op == "flip" and body:
        i = draw(st.integers(0, len(body) - 1))
        body[i] ^= 1 << draw(st.integers(0, 7))
    elif op == "truncate":
        del body[draw(st.integers(0, len(body))) :]
    elif op == "extend":
        body += draw(st.binary(min_size=1, max_size=300))
    elif op == "length" and body:
        body[0] = draw(st.integers(0, 255))
    elif op == "splice" and len(body) > 2:
        i = draw(st.integers(1, len(body) - 1))
        body[i:i] = draw(st.binary(max_size=40))
    return bytes(body)


def commands(transcript: list[bytes]):
    named = st.tuples(st.sampled_from(NAMES), st.binary(max_size=400)).map(
        lambda t: bytes((len(t[0]),)) + t[0] + t[1] if t[0] else b"\x00" + t[1]
    )
    return st.lists(
        st.one_of(st.binary(max_size=300), named, mutated(transcript), st.sampled_from(transcript)),
        min_size=1,
        max_size=8,
    )


def _drive(mech, sequence, zap_codes) -> None:
    """Feed ``sequence`` to ``mech`` as a connection would; only peer errors may come
    out, and they end the run."""
    codes = iter(zap_codes)
    try:
        while mech.next_handshake_command() is not None:
            pass
        for body in sequence:
            mech.process_handshake_command(body)
            while mech.next_handshake_command() is not None:
                pass
            if mech.zap_request() is not None:
                mech.zap_reply(next(codes, 200))
                while mech.next_handshake_command() is not None:
                    pass
    except LocalProtocolError as exc:  # pragma: no cover - would be a bug
        raise AssertionError(f"local error from peer input: {exc}") from exc
    except ZmtpError as exc:
        assert isinstance(exc, RemoteProtocolError), type(exc)
        assert mech.status is MechanismStatus.ERROR


def _curve_mech(as_server: bool) -> CurveMechanism:
    if as_server:
        m = CurveMechanism(as_server=True, secret_key=SERVER_SECRET)
    else:
        m = CurveMechanism(
            public_key=CLIENT_PUBLIC, secret_key=CLIENT_SECRET, server_key=SERVER_PUBLIC
        )
    m.setup(socket_type=C.DEALER)
    return m


@FUZZ
@given(
    as_server=st.booleans(),
    seq=commands(CURVE_TRANSCRIPT),
    zap=st.lists(st.sampled_from([200, 400, 500]), max_size=2),
)
def test_curve_state_machine_fuzz(as_server, seq, zap):
    mech = _curve_mech(as_server)
    _drive(mech, seq, zap)
    # Boxes bind every step to this connection's fresh short-term keys: replayed or
    # mutated commands can never complete a handshake.
    assert mech.status is not MechanismStatus.READY
    assert mech.zap_state is ZapState.NOT_NEEDED


@FUZZ
@given(
    as_server=st.booleans(),
    seq=commands(PLAIN_TRANSCRIPT),
    zap=st.lists(st.sampled_from([200, 400, 300]), max_size=2),
)
def test_plain_state_machine_fuzz(as_server, seq, zap):
    mech = PlainMechanism(as_server=as_server, username=b"user", password=b"pass")
    mech.setup(socket_type=C.DEALER)
    _drive(mech, seq, zap)
    if mech.status is MechanismStatus.READY and as_server:
        assert mech.zap_state is ZapState.ACCEPTED  # never READY without a ZAP 200


def _connection(kind: str, as_server: bool) -> ZmtpConnection:
    if kind == "CURVE":
        mech = (
            CurveMechanism(as_server=True, secret_key=SERVER_SECRET)
            if as_server
            else CurveMechanism(
                public_key=CLIENT_PUBLIC, secret_key=CLIENT_SECRET, server_key=SERVER_PUBLIC
            )
        )
    else:
        mech = PlainMechanism(as_server=as_server, username=b"u", password=b"p")
    conn = ZmtpConnection(C.DEALER, mech)
    conn.data_to_send()
    return conn


def _feed_all(conn: ZmtpConnection, data: bytes, chunk: int) -> list:
    events: list = []
    for i in range(0, len(data), chunk):
        conn.receive_data(data[i : i + chunk])  # must never raise
        conn.data_to_send()
        for ev in conn.events():
            events.append(ev)
            if isinstance(ev, ZapRequested):
                conn.zap_reply(200)
    return events


@FUZZ
@given(
    kind=st.sampled_from(["PLAIN", "CURVE"]),
    as_server=st.booleans(),
    frames=st.lists(
        st.one_of(
            st.binary(max_size=300),
            st.tuples(st.sampled_from([0, 1, 2, 4, 5, 6, 0xFF]), st.binary(max_size=300)).map(
                lambda t: (
                    bytes((t[0], len(t[1]))) + t[1]
                    if not t[0] & 2
                    else bytes((t[0],)) + len(t[1]).to_bytes(8, "big") + t[1]
                )
            ),
        ),
        max_size=6,
    ),
    chunk=st.integers(1, 512),
)
def test_connection_survives_garbage_after_greeting(kind, as_server, frames, chunk):
    conn = _connection(kind, as_server)
    data = greeting(kind.encode()) + b"".join(frames)
    events = _feed_all(conn, data, chunk)
    conn.receive_data(b"")  # EOF
    events += conn.events()
    for ev in events:
        assert isinstance(
            ev, (ConnectionClosed, ZapRequested, HandshakeComplete, MessagesReceived)
        ), ev
        if isinstance(ev, ConnectionClosed) and ev.error is not None:
            assert isinstance(ev.error, RemoteProtocolError), ev.error
    if kind == "CURVE":
        assert not any(isinstance(e, HandshakeComplete) for e in events)


@FUZZ
@given(
    payloads=st.lists(
        st.lists(st.binary(max_size=300), min_size=1, max_size=3), min_size=1, max_size=6
    ),
    edits=st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(1, 255)), min_size=1, max_size=3),
    chunk=st.integers(1, 4096),
    to_server=st.booleans(),
)
def test_tampered_curve_traffic_never_delivers_altered_content(payloads, edits, chunk, to_server):
    client, server = curve_pair(C.DEALER, C.DEALER)
    w = Wire(client, server)
    w.pump()
    src, dst = (client, server) if to_server else (server, client)
    src.send_messages(payloads)
    wire = bytearray(src.data_to_send())
    for pos, xor in edits:
        wire[pos % len(wire)] ^= xor
    got: list = []
    closed = None
    for i in range(0, len(wire), chunk):
        dst.receive_data(bytes(wire[i : i + chunk]))
        for ev in dst.events():
            if isinstance(ev, MessagesReceived):
                got.extend(ev.messages)
            elif isinstance(ev, ConnectionClosed):
                closed = ev
    assert got == payloads[: len(got)]  # integrity: only an untouched prefix arrives
    if closed is not None:
        assert isinstance(closed.error, RemoteProtocolError)
    elif got != payloads:
        # the damage hit a length field so that the decoder still waits for bytes
        assert not dst.closed


@FUZZ
@given(order=st.permutations(list(range(5))))
def test_curve_messages_accepted_only_in_order(order):
    client, server = curve_pair(C.DEALER, C.DEALER)
    w = Wire(client, server)
    w.pump()
    client.send_messages([[bytes((i,))] for i in range(5)])
    frames = _codec.Decoder().decode_frames(bytes(client.data_to_send()))
    wire = bytearray()
    for i in order:
        _codec.encode_frame(wire, frames[i][1], 0)
    server.receive_data(bytes(wire))
    got = [m for e in server.events() if isinstance(e, MessagesReceived) for m in e.messages]
    # the accepted subsequence is the increasing run from the start
    expected = []
    last = -1
    for i in order:
        if i <= last:
            break
        expected.append([bytes((i,))])
        last = i
    assert got == expected
    assert server.closed == (list(order) != sorted(order))
