"""Socket monitoring through the object API: Socket.monitor, get_monitor_socket,
disable_monitor, and zmq4.utils.monitor.parse_monitor_message / recv_monitor_message."""

from __future__ import annotations

import struct
from collections.abc import Iterator

import pytest
from support import TRANSPORTS, bind_address

import zmq4 as zmq
from zmq4.utils.monitor import parse_monitor_message, recv_monitor_message

TIMEOUT_MS = 10000
NETWORK = [t for t in TRANSPORTS if t != "inproc"]


@pytest.fixture
def context() -> Iterator[zmq.Context]:
    ctx = zmq.Context()
    yield ctx
    ctx.destroy(linger=0)


def events_until(mon: zmq.Socket, wanted: int) -> list[dict[str, object]]:
    """Monitor events up to and including the first ``wanted`` one."""
    seen: list[dict[str, object]] = []
    while True:
        evt = recv_monitor_message(mon)
        seen.append(dict(evt))
        if evt["event"] == wanted:
            return seen


def test_get_monitor_socket_is_a_connected_pair(context: zmq.Context) -> None:
    s = context.socket(zmq.PUB)
    mon = s.get_monitor_socket()
    assert mon.type == zmq.PAIR
    assert s.get_monitor_socket() is mon  # the same while open
    mon.close()
    mon2 = s.get_monitor_socket(zmq.EVENT_LISTENING, "inproc://my-monitor")
    assert mon2 is not mon and not mon2.closed
    s.disable_monitor()
    mon2.close()


def test_disable_monitor_sends_monitor_stopped(context: zmq.Context) -> None:
    s = context.socket(zmq.PUB)
    mon = s.get_monitor_socket()
    mon.rcvtimeo = 1000
    s.disable_monitor()
    assert recv_monitor_message(mon)["event"] == zmq.EVENT_MONITOR_STOPPED


@pytest.mark.parametrize("transport", NETWORK)
def test_bind_connect_events(context: zmq.Context, transport: str) -> None:
    server = context.socket(zmq.REP)
    client = context.socket(zmq.REQ)
    server_mon = server.get_monitor_socket()
    client_mon = client.get_monitor_socket(zmq.EVENT_CONNECTED | zmq.EVENT_CONNECT_DELAYED)
    for m in (server_mon, client_mon):
        m.rcvtimeo = 2000
    server.bind(bind_address(transport))
    addr = bytes(server.last_endpoint).decode()
    listening = events_until(server_mon, zmq.EVENT_LISTENING)[-1]
    assert listening["endpoint"] == addr.encode()
    assert isinstance(listening["event"], zmq.Event)
    client.connect(addr)
    connected = events_until(client_mon, zmq.EVENT_CONNECTED)[-1]
    assert connected["endpoint"] == addr.encode()
    accepted = events_until(server_mon, zmq.EVENT_ACCEPTED)[-1]
    assert isinstance(accepted["value"], int)
    client.send(b"req")
    server.rcvtimeo = TIMEOUT_MS
    assert server.recv() == b"req"
    server.send(b"rep")
    client.rcvtimeo = TIMEOUT_MS
    assert client.recv() == b"rep"
    client.close()
    events_until(server_mon, zmq.EVENT_DISCONNECTED)


def test_monitor_errors(context: zmq.Context) -> None:
    s = context.socket(zmq.PUB)
    with pytest.raises(zmq.ZMQError) as exc:
        s.monitor("tcp://127.0.0.1:5555", zmq.EVENT_ALL)
    assert exc.value.errno == zmq.EPROTONOSUPPORT
    with pytest.raises(TypeError, match="events"):
        s.monitor("inproc://m", "all")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="addr"):
        s.monitor(42)  # type: ignore[arg-type]
    s.monitor("inproc://m", zmq.EVENT_ALL)
    s.monitor(None)  # stops


def test_recv_monitor_message_nonblocking(context: zmq.Context) -> None:
    s = context.socket(zmq.PUB)
    mon = s.get_monitor_socket()
    with pytest.raises(zmq.Again):
        recv_monitor_message(mon, zmq.DONTWAIT)


def test_parse_monitor_message() -> None:
    frame = struct.pack("=Hi", zmq.EVENT_ACCEPTED, 17)
    evt = parse_monitor_message([frame, b"tcp://127.0.0.1:5555"])
    assert evt == {"event": zmq.Event.ACCEPTED, "value": 17,
                   "endpoint": b"tcp://127.0.0.1:5555"}
    assert isinstance(evt["event"], zmq.Event)
    evt = parse_monitor_message([struct.pack("=Hi", 0x8000, -1), b""])
    assert evt["event"] == 0x8000 and evt["value"] == -1  # unknown event: plain int
    with pytest.raises(ValueError, match="2 frames"):
        parse_monitor_message([frame])
    with pytest.raises(ValueError, match="6 bytes"):
        parse_monitor_message([b"\x00" * 8, b""])


@pytest.mark.parametrize("transport", NETWORK)
def test_close_reports_the_listener_closed_then_stops(context: zmq.Context,
                                                     transport: str) -> None:
    """libzmq 4.0 (test_monitor): closing a bound socket closes its listener, whose
    EVENT_CLOSED (value: the listening fd) reaches the monitor before MONITOR_STOPPED."""
    server = context.socket(zmq.REP)
    mon = server.get_monitor_socket()
    mon.rcvtimeo = TIMEOUT_MS
    server.bind(bind_address(transport))
    addr = server.last_endpoint
    listening = events_until(mon, zmq.EVENT_LISTENING)[-1]
    server.close()
    rest = events_until(mon, zmq.EVENT_MONITOR_STOPPED)
    closed = [e for e in rest if e["event"] == zmq.EVENT_CLOSED]
    assert closed == [{"event": zmq.EVENT_CLOSED, "value": listening["value"],
                       "endpoint": addr}]
    assert rest[-1]["event"] == zmq.EVENT_MONITOR_STOPPED
    mon.close()


@pytest.mark.parametrize("transport", NETWORK)
def test_connecter_reports_closed(context: zmq.Context, transport: str) -> None:
    """A connect attempt that fails closes its socket: EVENT_CLOSED, as 4.0's
    connecter reports; again after a peer went and a reconnect found nobody."""
    server = context.socket(zmq.REP)
    server.bind(bind_address(transport))
    addr = server.last_endpoint.decode()
    client = context.socket(zmq.REQ)
    client.reconnect_ivl = 20
    mon = client.get_monitor_socket()
    mon.rcvtimeo = TIMEOUT_MS
    client.connect(addr)
    events_until(mon, zmq.EVENT_CONNECTED)
    server.close(linger=0)
    events_until(mon, zmq.EVENT_DISCONNECTED)
    closed = events_until(mon, zmq.EVENT_CLOSED)[-1]
    assert closed["endpoint"] == addr.encode() and closed["value"] > 0
    client.close(linger=0)
    assert events_until(mon, zmq.EVENT_MONITOR_STOPPED)
    mon.close()
