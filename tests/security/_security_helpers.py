"""Shared helpers for tests/security: in-memory wiring of two ZmtpConnections, a
byte pump between a ZmtpConnection and a real TCP socket (libzmq through pyzmq), keys.

No fixed sleeps: every wait polls a condition against a generous deadline.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

from zmq4 import zmq_h as C
from zmq4.zmtp import (
    ConnectionClosed,
    HandshakeComplete,
    MessagesReceived,
    ZapRequested,
    ZmtpConnection,
    _codec,
)
from zmq4.zmtp.greeting import greeting
from zmq4.zmtp.mechanisms import CurveMechanism, PlainMechanism, _curve

DEADLINE = 30.0

# zmq_curve(7) test key pairs (spec §6.6), raw.
CLIENT_PUBLIC = bytes.fromhex("BB88471D65E2659B30C55A5321CEBB5AAB2B70A398645C26DCA2B2FCB43FC518")
CLIENT_SECRET = bytes.fromhex("7BB864B489AFA3671FBE69101F94B38972F24816DFB01B51656B3FEC8DFD0888")
SERVER_PUBLIC = bytes.fromhex("54FCBA24E93249969316FB617C872BB0C1D1FF14800427C594CBFACF1BC2D652")
SERVER_SECRET = bytes.fromhex("8E0BDD697628B91D8F245587EE95C5B04D48963F79259877B49CD9063AEAD3B7")

ZapAnswer = Callable[[ZapRequested], object]


def keypair() -> tuple[bytes, bytes]:
    pk, sk = _curve.keypair()
    return pk, bytes(sk)


def curve_pair(
    client_type: int = C.DEALER,
    server_type: int = C.ROUTER,
    *,
    server_key: bytes = SERVER_PUBLIC,
    client_identity: bytes = b"",
    **kw,
) -> tuple[ZmtpConnection, ZmtpConnection]:
    client = ZmtpConnection(
        client_type,
        CurveMechanism(public_key=CLIENT_PUBLIC, secret_key=CLIENT_SECRET, server_key=server_key),
        identity=client_identity,
        **kw,
    )
    server = ZmtpConnection(
        server_type, CurveMechanism(as_server=True, secret_key=SERVER_SECRET), **kw
    )
    return client, server


def plain_pair(
    username: bytes = b"admin",
    password: bytes = b"secret",
    client_type: int = C.DEALER,
    server_type: int = C.ROUTER,
    **kw,
) -> tuple[ZmtpConnection, ZmtpConnection]:
    client = ZmtpConnection(client_type, PlainMechanism(username=username, password=password), **kw)
    server = ZmtpConnection(server_type, PlainMechanism(as_server=True), **kw)
    return client, server


class Wire:
    """Two ZmtpConnections wired back to back in memory."""

    def __init__(self, a: ZmtpConnection, b: ZmtpConnection, zap: ZapAnswer | None = None) -> None:
        self.a = a
        self.b = b
        self.zap = zap
        self.events: dict[int, list] = {id(a): [], id(b): []}
        self.zap_requests: list[ZapRequested] = []

    def pump(self, max_rounds: int = 1000) -> None:
        for _ in range(max_rounds):
            moved = False
            for x, y in ((self.a, self.b), (self.b, self.a)):
                out = x.data_to_send()
                if out:
                    y.receive_data(bytes(out))
                    moved = True
                while (ev := x.next_event()) is not None:
                    self.events[id(x)].append(ev)
                    if isinstance(ev, ZapRequested):
                        self.zap_requests.append(ev)
                        answer = 200 if self.zap is None else self.zap(ev)
                        if answer is not None:
                            if isinstance(answer, (list, tuple)):
                                x.zap_reply(*answer)
                            else:
                                x.zap_reply(answer)
                        moved = True
            if not moved:
                return
        raise AssertionError("the wire did not settle")

    def of(self, conn: ZmtpConnection, kind: type) -> list:
        return [e for e in self.events[id(conn)] if isinstance(e, kind)]

    def messages(self, conn: ZmtpConnection) -> list:
        return [m for e in self.of(conn, MessagesReceived) for m in e.messages]

    def closed(self, conn: ZmtpConnection) -> ConnectionClosed | None:
        evs = self.of(conn, ConnectionClosed)
        return evs[0] if evs else None

    def handshake(self, conn: ZmtpConnection) -> HandshakeComplete | None:
        evs = self.of(conn, HandshakeComplete)
        return evs[0] if evs else None


class Driver:
    """Pumps bytes between one TCP socket and one ZmtpConnection (the test is the
    engine; the zmtp package does no I/O)."""

    def __init__(
        self, sock: socket.socket, conn: ZmtpConnection, zap: ZapAnswer | None = None
    ) -> None:
        self.sock = sock
        self.conn = conn
        self.zap = zap
        self.events: list = []
        self.msgs: list = []
        self.eof = False
        sock.settimeout(0.05)  # poll interval of the pump loop, not a sleep
        self.flush()

    def flush(self) -> None:
        out = self.conn.data_to_send()
        if out:
            try:
                self.sock.sendall(out)
            except (BrokenPipeError, ConnectionResetError):
                self.eof = True

    def step(self) -> None:
        self.flush()
        if self.eof:
            return
        try:
            data = self.sock.recv(1 << 20)
        except (TimeoutError, BlockingIOError):
            return
        except ConnectionResetError:
            data = b""
        if not data:
            self.eof = True
        self.conn.receive_data(data)
        self.drain()

    def drain(self) -> None:
        while (ev := self.conn.next_event()) is not None:
            if isinstance(ev, MessagesReceived):
                self.msgs.extend(ev.messages)
                continue
            self.events.append(ev)
            if isinstance(ev, ZapRequested):
                answer = 200 if self.zap is None else self.zap(ev)
                self.conn.zap_reply(answer)
        self.flush()

    def until(self, predicate: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + DEADLINE
        while not predicate():
            assert time.monotonic() < deadline, f"timed out waiting for {what}: {self.events}"
            self.step()

    def handshake(self) -> HandshakeComplete:
        self.until(lambda: self.conn.ready or self.conn.closed or self.eof, "the handshake")
        hs = [e for e in self.events if isinstance(e, HandshakeComplete)]
        assert hs, f"handshake failed: {self.events}"
        return hs[0]

    def take(self, n: int = 1) -> list:
        self.until(lambda: len(self.msgs) >= n, f"{n} message(s)")
        got, self.msgs = self.msgs[:n], self.msgs[n:]
        return got


def listener() -> socket.socket:
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    srv.settimeout(DEADLINE)
    return srv


def accept(srv: socket.socket) -> socket.socket:
    s, _ = srv.accept()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def endpoint(srv: socket.socket) -> str:
    return f"tcp://127.0.0.1:{srv.getsockname()[1]}"


def recv_pumping(zsock, driver: Driver) -> list:
    """Receive one message on a pyzmq socket while pumping our side."""
    deadline = time.monotonic() + DEADLINE
    while not zsock.poll(20):
        assert time.monotonic() < deadline, f"pyzmq socket received nothing: {driver.events}"
        driver.step()
    return zsock.recv_multipart()


def frame(body: bytes, flags: int = _codec.COMMAND) -> bytes:
    """One ZMTP 3.0 frame (COMMAND by default)."""
    out = bytearray()
    _codec.encode_frame(out, body, flags)
    return bytes(out)


class Raw:
    """A hand-driven (possibly hostile) peer of one ZmtpConnection: sends the greeting
    for ``mechanism``, then whatever frames the test crafts, and decodes what the
    connection answers. ZAP requests are answered with ``zap`` (default 200)."""

    def __init__(
        self, conn: ZmtpConnection, mechanism: bytes = b"CURVE", zap: ZapAnswer | None = None
    ) -> None:
        self.conn = conn
        self.zap = zap
        self.events: list = []
        self.msgs: list = []
        self._raw = bytearray()
        self._dec = _codec.Decoder(-1, 3)
        self._frames: list = []
        conn.receive_data(greeting(mechanism))
        self._collect()

    def _collect(self) -> None:
        self._raw += self.conn.data_to_send()
        if len(self._raw) >= 64:
            self._dec.decode_frames(bytes(self._raw[64:]), self._frames)
            del self._raw[64:]
        while (ev := self.conn.next_event()) is not None:
            if isinstance(ev, MessagesReceived):
                self.msgs.extend(ev.messages)
                continue
            self.events.append(ev)
            if isinstance(ev, ZapRequested):
                self.conn.zap_reply(200 if self.zap is None else self.zap(ev))
                self._collect()

    def send_bytes(self, data: bytes) -> None:
        self.conn.receive_data(data)
        self._collect()

    def send(self, body: bytes, flags: int = _codec.COMMAND) -> None:
        self.send_bytes(frame(body, flags))

    def received(self) -> list[bytes]:
        """Bodies of every frame the connection sent so far (after the greeting);
        consumed."""
        got = [b for _f, b in self._frames]
        self._frames = []
        return got

    @property
    def closed(self) -> ConnectionClosed | None:
        evs = [e for e in self.events if isinstance(e, ConnectionClosed)]
        return evs[0] if evs else None
