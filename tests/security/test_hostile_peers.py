"""Hostile peers against whole zmq4 sockets: each costs its own connection, never the
process, and never the service real clients get.

Scripted raw TCP peers (plain sockets writing bytes) play the attacker; real clients are
libzmq (pyzmq) and zmq4 sockets. Shapes: half-open handshakes held while real clients
connect (the CVE-2020-15166 lesson: a connection is invisible to routing until its
handshake completes), garbage and oversize frame headers, a CURVE HELLO of garbage, and a
subscription flood of long nested prefixes then unsubscribed (the mtrie stack overflow
shape). A DISCONNECTED monitor event reports each dropped attacker.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import zmq
from support import settle

import zmq4
from zmq4.utils.monitor import recv_monitor_message

TIMEOUT_MS = 10000
SIGNATURE = b"\xff" + (1).to_bytes(8, "big") + b"\x7f"  # RFC 23: 0xFF, length 1, 0x7F


def greeting(mechanism: bytes = b"NULL") -> bytes:
    """A ZMTP 3.0 greeting (64 bytes), as a client."""
    return SIGNATURE + b"\x03\x00" + mechanism.ljust(20, b"\0") + b"\x00" + b"\0" * 31


def ready(socket_type: bytes) -> bytes:
    body = b"\x05READY" + b"\x0bSocket-Type" + len(socket_type).to_bytes(4, "big") \
        + socket_type
    return b"\x04" + bytes([len(body)]) + body


@pytest.fixture
def libzmq() -> Iterator[zmq.Context]:
    ctx = zmq.Context()
    yield ctx
    ctx.destroy(linger=0)


def server(ctx: zmq4.Context, kind: int) -> tuple[zmq4.Socket, int]:
    sock = ctx.socket(kind)
    sock.rcvtimeo = TIMEOUT_MS
    return sock, sock.bind_to_random_port("tcp://127.0.0.1")


def raw_client(port: int, first_bytes: bytes = b"") -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    if first_bytes:
        s.sendall(first_bytes)
    return s


def monitored(ctx: zmq4.Context, sock: zmq4.Socket) -> zmq4.Socket:
    addr = f"inproc://hostile-monitor-{id(sock):x}"
    sock.monitor(addr, zmq4.EVENT_DISCONNECTED | zmq4.EVENT_ACCEPTED)
    mon = ctx.socket(zmq4.PAIR)
    mon.rcvtimeo = TIMEOUT_MS
    mon.connect(addr)
    return mon


def wait_disconnects(mon: zmq4.Socket, n: int) -> None:
    seen = 0
    while seen < n:
        if recv_monitor_message(mon)["event"] == zmq4.EVENT_DISCONNECTED:
            seen += 1


def test_half_open_handshakes_do_not_starve_real_clients(context: zmq4.Context,
                                                         libzmq: zmq.Context) -> None:
    router, port = server(context, zmq4.ROUTER)
    # 40 attackers: connected and silent, or stalled after the signature or the greeting
    attackers = [raw_client(port, [b"", SIGNATURE, greeting()][i % 3]) for i in range(40)]
    try:
        real = []
        for i in range(3):
            d = libzmq.socket(zmq.DEALER)
            d.linger = 0
            d.identity = b"libzmq-%d" % i
            d.connect(f"tcp://127.0.0.1:{port}")
            real.append(d)
        z = context.socket(zmq4.DEALER)
        z.identity = b"zmq4"
        z.connect(f"tcp://127.0.0.1:{port}")
        real.append(z)
        for d in real:
            d.send(b"hello")
        got = {router.recv_multipart()[0] for _ in real}
        assert got == {b"libzmq-0", b"libzmq-1", b"libzmq-2", b"zmq4"}
        # only handshaken peers are routable: the router has exactly the 4 real pipes
        settle(router, 4)
        for ident in got:
            router.send_multipart([ident, b"reply"])
        for d in real:
            assert d.recv() == b"reply"
    finally:
        for a in attackers:
            a.close()


def test_garbage_and_oversize_frames_cost_only_their_connection(context: zmq4.Context,
                                                                libzmq: zmq.Context) -> None:
    pull, port = server(context, zmq4.PULL)
    mon = monitored(context, pull)
    attacks = [
        SIGNATURE[:9] + b"\x00" + b"\0" * 54,  # a signature whose last byte is not 0x7f
        greeting(b"NOPE"),  # unknown mechanism
        greeting() + ready(b"PULL"),  # PUSH expected: incompatible socket type
        # a valid handshake, then a frame claiming 2**63 bytes (no allocation may follow)
        greeting() + ready(b"PUSH") + b"\x02" + (2 ** 63).to_bytes(8, "big") + b"x" * 64,
        greeting() + b"\x04\x06\x05HELLO",  # a command NULL does not know
    ]
    # Not attacks that end a connection, as in libzmq: bytes that are not a signature are
    # a ZMTP 1.0 peer (an HTTP request is a 1.0 identity frame of length 'G'), and
    # reserved flag bits are ignored. They must not disturb the others either.
    bystanders = [b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                  greeting() + ready(b"PUSH") + b"\xf0\x01x"]
    conns = [raw_client(port, attack) for attack in attacks + bystanders]
    try:
        wait_disconnects(mon, len(attacks))
        push = libzmq.socket(zmq.PUSH)
        push.linger = 0
        push.connect(f"tcp://127.0.0.1:{port}")
        push.send(b"still serving")
        got = [pull.recv() for _ in range(2)]  # the reserved-bits frame came through too
        assert sorted(got) == [b"still serving", b"x"]
    finally:
        for c in conns:
            c.close()


def test_large_frames_cut_short_or_forged_cost_only_their_connection(
        context: zmq4.Context, libzmq: zmq.Context) -> None:
    # Bodies of large frames are read straight into the frame's memory. Peers that
    # announce a huge frame and send part of it, then hang up or stall, must cost
    # their connection (or nothing, while stalled), never memory they did not send.
    pull, port = server(context, zmq4.PULL)
    mon = monitored(context, pull)
    start = greeting() + ready(b"PUSH")
    cut = raw_client(port, start + b"\x02" + (4 << 20).to_bytes(8, "big") + b"c" * 300_000)
    stall = raw_client(port, start + b"\x02" + (2 ** 40).to_bytes(8, "big") + b"s" * 200_000)
    try:
        cut.close()  # EOF in the middle of the body
        wait_disconnects(mon, 1)
        push = libzmq.socket(zmq.PUSH)
        push.linger = 0
        push.connect(f"tcp://127.0.0.1:{port}")
        big = bytes(range(256)) * 8192  # 2 MB, also read directly
        push.send_multipart([b"head", big])
        push.send(b"after")
        assert pull.recv_multipart() == [b"head", big]
        assert pull.recv() == b"after"
    finally:
        stall.close()


def test_curve_server_survives_garbage_hello(context: zmq4.Context,
                                             libzmq: zmq.Context) -> None:
    server_pub, server_sec = zmq4.curve_keypair()
    rep = context.socket(zmq4.REP)
    rep.curve_server = True
    rep.curve_secretkey = server_sec
    rep.rcvtimeo = TIMEOUT_MS
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    mon = monitored(context, rep)
    hello_body = b"\x05HELLO" + b"\x01\x00" + b"\0" * 72 + b"\xaa" * 32 + b"\x00" * 8 \
        + b"\xbb" * 80  # right size, garbage keys and box
    attacks = [
        greeting(b"CURVE") + b"\x04" + bytes([len(hello_body)]) + hello_body,
        greeting(b"CURVE") + b"\x04\x06\x05HELLO",  # truncated HELLO
        greeting(b"NULL") + ready(b"REQ"),  # NULL client to a CURVE server
    ]
    conns = [raw_client(port, attack) for attack in attacks]
    try:
        wait_disconnects(mon, len(attacks))
        req = libzmq.socket(zmq.REQ)
        req.linger = 0
        req.curve_serverkey = server_pub
        req.curve_publickey, req.curve_secretkey = zmq.curve_keypair()
        req.connect(f"tcp://127.0.0.1:{port}")
        req.send(b"real client")
        assert rep.recv() == b"real client"
        rep.send(b"served")
        req.rcvtimeo = TIMEOUT_MS
        assert req.recv() == b"served"
    finally:
        for c in conns:
            c.close()


def test_subscription_flood_of_nested_prefixes(context: zmq4.Context,
                                               libzmq: zmq.Context) -> None:
    pub, port = server(context, zmq4.XPUB)
    flood = libzmq.socket(zmq.XSUB)
    flood.linger = 0
    # libzmq's XSUB drops subscriptions past its SNDHWM (and resends at most that many
    # from its own table when the connection comes up): unlimited, and connected first
    flood.sndhwm = 0
    flood.connect(f"tcp://127.0.0.1:{port}")
    flood.send(b"\x01ready?")
    assert pub.recv() == b"\x01ready?"
    depth = 3000  # prefixes of one 3000-byte topic: a trie 3000 levels deep
    topic = bytes(i % 251 + 1 for i in range(depth))
    for k in range(1, depth + 1):
        flood.send(b"\x01" + topic[:k])
    seen = 0
    while seen < depth:  # XPUB passes each new subscription up: all arrived, in order
        msg = pub.recv()
        assert msg[:1] == b"\x01"
        seen += 1
    for k in range(1, depth + 1):
        flood.send(b"\x00" + topic[:k])
    for _ in range(depth):
        assert pub.recv()[:1] == b"\x00"
    # the publisher still works for an ordinary subscriber
    sub = context.socket(zmq4.SUB)
    sub.rcvtimeo = TIMEOUT_MS
    sub.subscribe(b"news")
    sub.connect(f"tcp://127.0.0.1:{port}")
    assert pub.recv() == b"\x01news"
    pub.send(b"news: fine")
    assert sub.recv() == b"news: fine"


def test_handshake_deadline_drops_a_silent_peer(context: zmq4.Context) -> None:
    """ZMQ_HANDSHAKE_IVL (extension, libzmq 4.1's number; default 30 s): a connection
    that has not completed its handshake in time is dropped."""
    pull, port = server(context, zmq4.PULL)
    assert pull.handshake_ivl == 30000
    pull.handshake_ivl = 300  # applies to connections accepted from now on
    mon = monitored(context, pull)
    silent = raw_client(port, SIGNATURE)  # then nothing more
    try:
        wait_disconnects(mon, 1)
        silent.settimeout(10)
        data = b""
        while chunk := silent.recv(4096):  # our greeting bytes, then EOF
            data += chunk
        assert data.startswith(SIGNATURE[:1])
    finally:
        silent.close()
