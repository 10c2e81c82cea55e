"""ROUTER and STREAM beyond RFC 28: type options (ROUTER_MANDATORY, ROUTER_RAW,
PROBE_ROUTER), identities over inproc connect-before-bind, and the STREAM core
(ZMQ40.md §3.2, §8.7-8.9, §8.22), through the C-style API.

Waits are RCVTIMEO/SNDTIMEO or zmq_poll with generous timeouts, never fixed sleeps.
"""

# ruff: noqa: F405 - C names come from the star import, as in a ported C test
from __future__ import annotations

import time
from typing import Any

import pytest
from support import bind, bind_address

from zmq4.capi import *  # noqa: F403 - the C names, as a ported C test reads

TIMEOUT = 5000  # ms


def socket(ctx: Any, kind: int) -> Any:
    s = zmq_socket(ctx, kind)
    assert s is not None, zmq_strerror(zmq_errno())
    for opt in (ZMQ_RCVTIMEO, ZMQ_SNDTIMEO):
        assert zmq_setsockopt(s, opt, TIMEOUT) == 0
    assert zmq_setsockopt(s, ZMQ_LINGER, 0) == 0
    return s


def stream(ctx: Any, notify: int = 1) -> Any:
    """A STREAM socket; connection notifications on unless ``notify`` is 0 (zmq4.capi's
    default is 0, libzmq 4.0's silence)."""
    s = socket(ctx, ZMQ_STREAM)
    assert zmq_setsockopt(s, ZMQ_STREAM_NOTIFY, notify) == 0
    return s


def setopt(s: Any, opt: int, value: Any) -> None:
    assert zmq_setsockopt(s, opt, value) == 0, zmq_strerror(zmq_errno())


def fails_with(rc: int, errno: int) -> bool:
    return rc == -1 and zmq_errno() == errno


def send_seq(s: Any, *frames: bytes) -> None:
    for i, frame in enumerate(frames):
        flags = ZMQ_SNDMORE if i < len(frames) - 1 else 0
        assert zmq_send(s, frame, len(frame), flags) == len(frame), zmq_strerror(zmq_errno())


def recv_msg(s: Any, flags: int = 0) -> list[bytes]:
    frames = []
    while True:
        msg = zmq_msg_t()
        assert zmq_msg_init(msg) == 0
        assert zmq_msg_recv(msg, s, flags) >= 0, zmq_strerror(zmq_errno())
        frames.append(bytes(zmq_msg_data(msg)))
        more = zmq_msg_more(msg)
        assert zmq_msg_close(msg) == 0
        if not more:
            return frames


def recv_seq(s: Any, *frames: bytes) -> None:
    assert recv_msg(s) == list(frames)


def wait_for(predicate: Any, what: str) -> None:
    """Poll ``predicate`` (which itself calls into the sockets) until true."""
    deadline = time.monotonic() + TIMEOUT / 1000
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


def events(s: Any) -> int:
    ev = zmq_getsockopt(s, ZMQ_EVENTS)
    assert ev >= 0
    return ev


# ------------------------------------------------------------------ option handling

@pytest.mark.parametrize("kind", [ZMQ_ROUTER, ZMQ_REP])
def test_router_type_options_accepted(ctx: Any, kind: int) -> None:
    """ROUTER_MANDATORY, ROUTER_RAW and PROBE_ROUTER are accepted by ROUTER and (as in
    4.0, inherited) REP; negative values are EINVAL; all three are write-only."""
    s = socket(ctx, kind)
    for opt in (ZMQ_ROUTER_MANDATORY, ZMQ_ROUTER_RAW, ZMQ_PROBE_ROUTER):
        assert zmq_setsockopt(s, opt, 1) == 0
        assert zmq_setsockopt(s, opt, 0) == 0
        assert fails_with(zmq_setsockopt(s, opt, -1), EINVAL)
        assert fails_with(zmq_setsockopt(s, opt, b"\x01\x00"), EINVAL)  # wrong size
        assert fails_with(zmq_getsockopt(s, opt), EINVAL)


def test_router_handover_option_is_write_only_and_router_only(ctx: Any) -> None:
    """ZMQ_ROUTER_HANDOVER (56, extension: libzmq 4.1's number and meaning)."""
    for kind in (ZMQ_ROUTER, ZMQ_REP):
        s = socket(ctx, kind)
        assert zmq_setsockopt(s, ZMQ_ROUTER_HANDOVER, 1) == 0
        assert zmq_setsockopt(s, ZMQ_ROUTER_HANDOVER, 0) == 0
        assert fails_with(zmq_setsockopt(s, ZMQ_ROUTER_HANDOVER, -1), EINVAL)
        assert fails_with(zmq_getsockopt(s, ZMQ_ROUTER_HANDOVER), EINVAL)
    for kind in (ZMQ_DEALER, ZMQ_STREAM, ZMQ_PAIR):
        assert fails_with(zmq_setsockopt(socket(ctx, kind), ZMQ_ROUTER_HANDOVER, 1), EINVAL)


@pytest.mark.parametrize("transport", ["inproc", "tcp", "ipc"])
def test_router_handover_gives_the_identity_to_the_newcomer(ctx: Any,
                                                          transport: str) -> None:
    """With ROUTER_HANDOVER a second peer announcing an identity in use takes it over
    (what ipykernel sets on its ROUTERs); the older connection is closed. Without it,
    the first keeps it (tests/spec/test_rfc28_reqrep.py)."""
    router = socket(ctx, ZMQ_ROUTER)
    setopt(router, ZMQ_ROUTER_HANDOVER, 1)
    endpoint = bind(router, transport)
    first, second = socket(ctx, ZMQ_DEALER), socket(ctx, ZMQ_DEALER)
    for d in (first, second):
        setopt(d, ZMQ_IDENTITY, b"dup")
    assert zmq_connect(first, endpoint) == 0
    send_seq(first, b"one")
    recv_seq(router, b"dup", b"one")
    assert zmq_connect(second, endpoint) == 0
    send_seq(second, b"two")
    recv_seq(router, b"dup", b"two")
    send_seq(router, b"dup", b"for the newcomer")
    recv_seq(second, b"for the newcomer")
    assert fails_with(zmq_recv(first, bytearray(32), 32, ZMQ_DONTWAIT), EAGAIN)


@pytest.mark.parametrize("kind", [ZMQ_DEALER, ZMQ_REQ, ZMQ_STREAM, ZMQ_PAIR])
def test_router_options_refused_elsewhere(ctx: Any, kind: int) -> None:
    """ROUTER_MANDATORY / ROUTER_RAW belong to ROUTER (and REP) only: EINVAL elsewhere;
    STREAM has no type options at all."""
    s = socket(ctx, kind)
    assert fails_with(zmq_setsockopt(s, ZMQ_ROUTER_MANDATORY, 1), EINVAL)
    assert fails_with(zmq_setsockopt(s, ZMQ_ROUTER_RAW, 1), EINVAL)
    if kind in (ZMQ_STREAM, ZMQ_PAIR):
        assert fails_with(zmq_setsockopt(s, ZMQ_PROBE_ROUTER, 1), EINVAL)


def test_router_raw_sets_options_for_transport(ctx: Any) -> None:
    """§8.8 ROUTER_RAW: stored for the raw tcp engine as options.raw_sock, and the
    socket no longer expects peer identities."""
    router = socket(ctx, ZMQ_ROUTER)
    assert router.options.raw_sock is False and router.options.recv_identity is True
    setopt(router, ZMQ_ROUTER_RAW, 1)
    assert router.options.raw_sock is True and router.options.recv_identity is False
    setopt(router, ZMQ_ROUTER_RAW, 0)
    assert router.options.raw_sock is False and router.options.recv_identity is True
    raw = stream(ctx)
    assert raw.options.raw_sock is True and raw.options.recv_identity is False


# ------------------------------------------------------------------ ROUTER_RAW over inproc

def test_router_raw_generated_ids_and_close(ctx: Any) -> None:
    """§8.8: a raw ROUTER ignores announced identities (generated 5-byte ids), clears
    MORE on data frames, and a zero-length data frame closes that connection — the send
    itself succeeds (libzmq test_router_raw_empty)."""
    router = socket(ctx, ZMQ_ROUTER)
    setopt(router, ZMQ_ROUTER_RAW, 1)
    setopt(router, ZMQ_ROUTER_MANDATORY, 1)
    dealer = socket(ctx, ZMQ_DEALER)
    setopt(dealer, ZMQ_IDENTITY, b"D")
    assert zmq_connect(dealer, bind(router, "inproc")) == 0
    send_seq(dealer, b"hi")
    ident, body = recv_msg(router)
    assert body == b"hi" and len(ident) == 5 and ident[0] == 0
    # MORE on a raw data frame is ignored: the next frame is an identity again
    assert zmq_send(router, ident, len(ident), ZMQ_SNDMORE) == len(ident)
    assert zmq_send(router, b"a", 1, ZMQ_SNDMORE) == 1
    send_seq(router, ident, b"b")
    recv_seq(dealer, b"a")
    recv_seq(dealer, b"b")
    # an empty data frame closes the connection
    msg = zmq_msg_t()
    assert zmq_msg_init(msg) == 0
    assert zmq_send(router, ident, len(ident), ZMQ_SNDMORE) == len(ident)
    assert zmq_msg_send(msg, router, 0) == 0
    assert zmq_msg_close(msg) == 0
    assert fails_with(zmq_send(router, ident, len(ident), ZMQ_SNDMORE), EHOSTUNREACH)
    wait_for(lambda: not events(dealer) & ZMQ_POLLOUT, "the DEALER to lose its pipe")


# ------------------------------------------------------------------ identities over inproc

def test_router_connect_before_bind_learns_binder_identity(ctx: Any) -> None:
    """§4.4/§8.22: a ROUTER that connects over inproc before the peer binds learns the
    binder's identity when the bind happens (until then the pipe is not routable)."""
    endpoint = bind_address("inproc")
    client = socket(ctx, ZMQ_ROUTER)
    setopt(client, ZMQ_IDENTITY, b"client")
    setopt(client, ZMQ_ROUTER_MANDATORY, 1)
    assert zmq_connect(client, endpoint) == 0
    assert fails_with(zmq_send(client, b"server", 6, ZMQ_SNDMORE), EHOSTUNREACH)
    server = socket(ctx, ZMQ_ROUTER)
    setopt(server, ZMQ_IDENTITY, b"server")
    assert zmq_bind(server, endpoint) == 0
    items = [zmq_pollitem_t(socket=client, events=ZMQ_POLLOUT)]
    assert zmq_poll(items, 1, TIMEOUT) == 1  # processes the bind's activation
    send_seq(client, b"server", b"hello")
    recv_seq(server, b"client", b"hello")
    send_seq(server, b"client", b"back")
    recv_seq(client, b"server", b"back")


def test_router_connect_before_bind_generated_identity(ctx: Any) -> None:
    """A binder without ZMQ_IDENTITY gets a generated id at the connecting ROUTER, and
    a DEALER connecting before the ROUTER binds is routed by its own identity."""
    endpoint = bind_address("inproc")
    client = socket(ctx, ZMQ_ROUTER)
    setopt(client, ZMQ_PROBE_ROUTER, 1)
    setopt(client, ZMQ_IDENTITY, b"probe")
    dealer = socket(ctx, ZMQ_DEALER)
    setopt(dealer, ZMQ_IDENTITY, b"early")
    assert zmq_connect(client, endpoint) == 0
    assert zmq_connect(dealer, endpoint) == 0
    send_seq(dealer, b"queued before bind")
    server = socket(ctx, ZMQ_ROUTER)
    assert zmq_bind(server, endpoint) == 0
    got = sorted(recv_msg(server) for _ in range(2))
    assert got == [[b"early", b"queued before bind"], [b"probe", b""]]
    send_seq(server, b"probe", b"hi")
    ident, body = recv_msg(client)
    assert body == b"hi" and len(ident) == 5 and ident[0] == 0


class _Sink:
    """Stands in for a transport session at the far end of a pipe."""

    def __init__(self) -> None:
        self.commands: list[Any] = []

    def post(self, command: Any) -> None:
        self.commands.append(command)

    def pipe_ended(self, pipe: Any) -> None:
        pass


def test_router_late_identity_transport_contract(ctx: Any) -> None:
    """Contract for transports that attach a pipe before their handshake (4.0's
    anonymous pipes): ``pipe.identity = None`` until known; the ROUTER neither routes
    to nor reads from it until then, and identifies it on the first activation after
    the identity is set."""
    from zmq4.core.pipe import pipepair
    from zmq4.msg import Msg

    router = socket(ctx, ZMQ_ROUTER)
    setopt(router, ZMQ_ROUTER_MANDATORY, 1)
    setopt(router, ZMQ_PROBE_ROUTER, 1)
    session = _Sink()
    mine, theirs = pipepair(router, session, 0, 0)
    mine.identity = None
    router.post(("bind", mine))
    assert events(router) == ZMQ_POLLOUT  # attached, not readable
    assert fails_with(zmq_send(router, b"late", 4, ZMQ_SNDMORE), EHOSTUNREACH)
    probe = theirs.read()  # PROBE_ROUTER goes out at attach time, as in 4.0
    assert probe is not None and probe.bytes() == b""
    mine.identity = b"late"  # handshake done: identity first, then the first message
    assert theirs.write(Msg(b"hello"))
    recv_seq(router, b"late", b"hello")
    send_seq(router, b"late", b"back")
    back = theirs.read()
    assert back is not None and back.bytes() == b"back"


# ------------------------------------------------------------------ STREAM core

def connection_id(s: Any, transport: str) -> bytes:
    """The id of a STREAM's newest connection. Over tcp/ipc it comes with the connect
    notification ``[id][empty]`` (ZMQ_STREAM_NOTIFY, on in ``stream()``); inproc has no
    notifications, and its connection exists as soon as zmq_connect returns."""
    if transport != "inproc":
        ident, note = recv_msg(s)
        assert note == b""
        return ident
    return zmq_getsockopt(s, ZMQ_IDENTITY)


def test_stream_exchange_and_identity(ctx: Any, transport: str) -> None:
    """§3.2 STREAM: every connection gets a generated id; a connecting STREAM learns it
    from ZMQ_IDENTITY (or from the connect notification); messages are ``[id][data]``
    both ways (over inproc as well, where 4.0 does no socket-type check)."""
    server = stream(ctx)
    client = stream(ctx)
    assert zmq_connect(client, bind(server, transport)) == 0
    cid = connection_id(client, transport)
    assert isinstance(cid, bytes) and len(cid) == 5 and cid[0] == 0
    assert zmq_getsockopt(client, ZMQ_IDENTITY) == cid
    if transport != "inproc":
        connection_id(server, transport)  # the server's connect notification
    send_seq(client, cid, b"GET / HTTP/1.0\r\n\r\n")
    sid, data = recv_msg(server)
    assert len(sid) == 5 and sid[0] == 0
    assert data == b"GET / HTTP/1.0\r\n\r\n"
    assert zmq_getsockopt(server, ZMQ_IDENTITY) == sid  # the latest connection's id
    send_seq(server, sid, b"HTTP/1.0 200 OK\r\n\r\nHello")
    recv_seq(client, cid, b"HTTP/1.0 200 OK\r\n\r\nHello")


def test_stream_unknown_id_and_close(ctx: Any, transport: str) -> None:
    """§3.2 STREAM: an unknown id fails with EHOSTUNREACH (no option needed); a
    zero-length data frame closes that connection, after which its id is unknown
    (libzmq test_stream_empty)."""
    server = stream(ctx)
    client = stream(ctx)
    assert zmq_connect(client, bind(server, transport)) == 0
    assert fails_with(zmq_send(server, b"\x00nope", 5, ZMQ_SNDMORE), EHOSTUNREACH)
    cid = connection_id(client, transport)
    if transport != "inproc":
        connection_id(server, transport)
    send_seq(client, cid, b"x")
    sid, data = recv_msg(server)
    assert data == b"x"
    send_seq(server, sid, b"")  # close
    assert fails_with(zmq_send(server, sid, len(sid), ZMQ_SNDMORE), EHOSTUNREACH)
    if transport != "inproc":
        recv_seq(client, cid, b"")  # the disconnect notification

    def client_lost_it() -> bool:
        events(client)  # reading on reaches the end of the closed connection's pipe
        rc = zmq_send(client, cid, len(cid), ZMQ_SNDMORE | ZMQ_DONTWAIT)
        if rc == -1:
            if zmq_errno() == EAGAIN:
                return False  # that pipe is ending: known, but takes no new data
            assert zmq_errno() == EHOSTUNREACH
            return True
        assert zmq_send(client, b"probe", 5, 0) == 5
        return False

    wait_for(client_lost_it, "the client to see its connection closed")


def test_stream_data_more_flag_ignored(ctx: Any) -> None:
    """§3.2 STREAM: MORE on a data frame is ignored — the next frame is an id again;
    a lone id frame without MORE is dropped; inbound frames never carry MORE after the
    id frame."""
    server = stream(ctx)
    client = stream(ctx)
    # inproc: frame boundaries survive (over tcp/ipc "abc" + "def" may arrive as one read)
    assert zmq_connect(client, bind(server, "inproc")) == 0
    cid = zmq_getsockopt(client, ZMQ_IDENTITY)
    assert zmq_send(client, cid, len(cid), 0) == len(cid)  # no MORE: dropped
    assert zmq_send(client, cid, len(cid), ZMQ_SNDMORE) == len(cid)
    assert zmq_send(client, b"abc", 3, ZMQ_SNDMORE) == 3
    send_seq(client, cid, b"def")
    sid, data = recv_msg(server)
    assert data == b"abc"
    assert recv_msg(server) == [sid, b"def"]


def test_stream_full_queue_eagain(ctx: Any) -> None:
    """§3.1 STREAM: a connection's queue at its HWM gives EAGAIN (DONTWAIT) or waits
    (SNDTIMEO); inproc capacity is SNDHWM + RCVHWM."""
    server = stream(ctx)
    client = stream(ctx)
    setopt(server, ZMQ_RCVHWM, 1)
    setopt(client, ZMQ_SNDHWM, 1)
    # inproc: exact pipe capacity (tcp/ipc add kernel buffers and a session's queue)
    assert zmq_connect(client, bind(server, "inproc")) == 0
    cid = zmq_getsockopt(client, ZMQ_IDENTITY)
    send_seq(client, cid, b"1")
    send_seq(client, cid, b"2")
    assert fails_with(zmq_send(client, cid, len(cid), ZMQ_SNDMORE | ZMQ_DONTWAIT), EAGAIN)
    setopt(client, ZMQ_SNDTIMEO, 100)
    assert fails_with(zmq_send(client, cid, len(cid), ZMQ_SNDMORE), EAGAIN)
    assert events(client) & ZMQ_POLLOUT  # STREAM always reports POLLOUT, as in 4.0
    assert recv_msg(server)[1] == b"1"
    send_seq(client, cid, b"3")
    assert recv_msg(server)[1] == b"2"
    assert recv_msg(server)[1] == b"3"


def test_stream_multipart_peer_arrives_frame_by_frame(ctx: Any) -> None:
    """A non-STREAM peer over inproc (4.0 asserts on this): each frame of its multipart
    message arrives as its own ``[id][frame]``."""
    server = stream(ctx)
    dealer = socket(ctx, ZMQ_DEALER)
    assert zmq_connect(dealer, bind(server, "inproc")) == 0
    send_seq(dealer, b"a", b"b")
    sid, a = recv_msg(server)
    assert a == b"a"
    recv_seq(server, sid, b"b")


def test_router_mandatory_blocking_send_woken_by_reader(ctx: Any, transport: str) -> None:
    """§8.7: with ROUTER_MANDATORY a blocking send to a full peer waits and completes
    once the peer (in another thread) reads."""
    import threading

    router = socket(ctx, ZMQ_ROUTER)
    setopt(router, ZMQ_ROUTER_MANDATORY, 1)
    setopt(router, ZMQ_SNDHWM, 1)
    dealer = socket(ctx, ZMQ_DEALER)
    setopt(dealer, ZMQ_RCVHWM, 1)
    setopt(dealer, ZMQ_IDENTITY, b"X")
    assert zmq_connect(dealer, bind(router, transport)) == 0
    send_seq(dealer, b"hi")
    recv_seq(router, b"X", b"hi")
    total = 50
    got: list[bytes] = []

    def drain() -> None:
        for _ in range(total):
            got.append(recv_msg(dealer)[0])

    t = threading.Thread(target=drain)
    t.start()
    for n in range(total):
        send_seq(router, b"X", b"%d" % n)  # blocks whenever the pipe is full
    t.join(TIMEOUT / 1000)
    assert not t.is_alive()
    assert got == [b"%d" % n for n in range(total)]


def test_stream_notifications_default_per_face(ctx: Any) -> None:
    """zmq4.capi (and the C shim) make STREAM sockets as libzmq 4.0 does: no connect or
    disconnect notification (libzmq 4.0's test_stream reads the peer's greeting first);
    the pyzmq-shaped object API keeps 4.1+'s notifications, as pyzmq's libzmq."""
    import zmq4
    from support import raw_connect

    s = socket(ctx, ZMQ_STREAM)
    endpoint = bind(s, "tcp")
    peer = raw_connect(endpoint)
    peer.sendall(b"first bytes")
    ident, data = recv_msg(s)
    assert data == b"first bytes" and len(ident) == 5
    peer.close()

    def gone() -> bool:  # the connection ended on our side too
        rc = zmq_send(s, ident, len(ident), ZMQ_SNDMORE | ZMQ_DONTWAIT)
        if rc == -1:
            return zmq_errno() == EHOSTUNREACH
        assert zmq_send(s, b"probe", 5, 0) == 5
        return False

    wait_for(gone, "the STREAM to see its peer go")
    assert fails_with(zmq_recv(s, bytearray(16), 16, ZMQ_DONTWAIT), EAGAIN)  # no note

    octx = zmq4.Context()
    try:
        o = octx.socket(zmq4.STREAM)
        o.linger = 0
        o.rcvtimeo = TIMEOUT
        port = o.bind_to_random_port("tcp://127.0.0.1")
        opeer = raw_connect(f"tcp://127.0.0.1:{port}")
        oid, note = o.recv_multipart()
        assert note == b"" and len(oid) == 5
        opeer.close()
    finally:
        octx.destroy(linger=0)
