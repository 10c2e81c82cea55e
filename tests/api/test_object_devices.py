"""zmq4.proxy / proxy_steerable / device and zmq4.devices: Device, ThreadDevice,
ThreadProxy, ThreadProxySteerable, MonitoredQueue (+ monitored_queue) and ProcessProxy."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from support import TRANSPORTS, bind_address

import zmq4 as zmq
from zmq4 import devices

TIMEOUT_MS = 10000


@pytest.fixture
def context() -> Iterator[zmq.Context]:
    ctx = zmq.Context()
    yield ctx
    ctx.destroy(linger=0)


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def endpoint_pair(transport: str) -> tuple[str, str]:
    """Two bindable addresses (tcp ports resolved now, so peers can connect to them)."""
    if transport != "tcp":
        return bind_address(transport), bind_address(transport)
    with zmq.Context() as ctx, ctx.socket(zmq.PAIR) as s:
        s.linger = 0
        p1 = s.bind_to_random_port("tcp://127.0.0.1", 40000, 50000)
        p2 = s.bind_to_random_port("tcp://127.0.0.1", 40000, 50000)
    return f"tcp://127.0.0.1:{p1}", f"tcp://127.0.0.1:{p2}"


def client(ctx: zmq.Context, kind: int, addr: str) -> zmq.Socket:
    s = ctx.socket(kind)
    s.rcvtimeo = TIMEOUT_MS
    s.sndtimeo = TIMEOUT_MS
    s.connect(addr)
    return s


def run_in_thread(target: Callable[[], Any]) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def wrapper() -> None:
        try:
            target()
        except BaseException as e:  # noqa: B036 - reported to the test
            errors.append(e)

    t = threading.Thread(target=wrapper, daemon=True)
    t.start()
    return t, errors


# ---------------------------------------------------------------------------- functions

def test_proxy_until_context_terminated(transport: str) -> None:
    ctx = zmq.Context()
    front_addr, back_addr = endpoint_pair(transport)

    def broker() -> None:
        front = ctx.socket(zmq.ROUTER)
        back = ctx.socket(zmq.DEALER)
        try:
            front.bind(front_addr)
            back.bind(back_addr)
            zmq.proxy(front, back)
        finally:
            front.close()
            back.close()

    t, errors = run_in_thread(broker)
    worker = client(ctx, zmq.REP, back_addr)
    req = client(ctx, zmq.REQ, front_addr)
    for i in range(5):
        req.send(b"request %d" % i)
        assert worker.recv() == b"request %d" % i
        worker.send(b"reply %d" % i)
        assert req.recv() == b"reply %d" % i
    req.close()
    worker.close()
    ctx.term()  # the proxy raises ContextTerminated and its thread closes its sockets
    t.join(10)
    assert not t.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], zmq.ContextTerminated)


def test_proxy_steerable_capture_and_control(context: zmq.Context) -> None:
    front = context.socket(zmq.PULL)
    back = context.socket(zmq.PUSH)
    capture = context.socket(zmq.PUSH)
    control = context.socket(zmq.PAIR)
    front.bind("inproc://steer-front")
    back.bind("inproc://steer-back")
    capture.bind("inproc://steer-capture")
    control.bind("inproc://steer-control")
    result: list[int] = []
    t, errors = run_in_thread(
        lambda: result.append(zmq.proxy_steerable(front, back, capture, control)))
    src = client(context, zmq.PUSH, "inproc://steer-front")
    dst = client(context, zmq.PULL, "inproc://steer-back")
    cap = client(context, zmq.PULL, "inproc://steer-capture")
    ctl = client(context, zmq.PAIR, "inproc://steer-control")
    src.send_multipart([b"a", b"b"])
    assert dst.recv_multipart() == [b"a", b"b"]
    assert cap.recv_multipart() == [b"a", b"b"]
    ctl.send(b"PAUSE")
    assert cap.recv() == b"PAUSE"  # control commands are captured too
    src.send(b"while paused")
    assert dst.poll(100) == 0
    ctl.send(b"RESUME")
    assert dst.recv() == b"while paused"
    ctl.send(b"TERMINATE")
    t.join(10)
    assert not t.is_alive() and not errors and result == [0]


def stop_context_under(context: zmq.Context, t: threading.Thread,
                       owned: list[zmq.Socket]) -> None:
    """Terminate ``context`` while thread ``t`` runs a proxy on sockets this thread created:
    term() (in a helper) makes the proxy raise ETERM; then the sockets are closed here."""
    terminator = threading.Thread(target=context.term)
    terminator.start()
    t.join(10)
    for s in owned:
        s.close()
    terminator.join(10)
    assert not t.is_alive() and not terminator.is_alive()


def test_device_function(context: zmq.Context) -> None:
    front = context.socket(zmq.PULL)
    back = context.socket(zmq.PUSH)
    front.bind("inproc://device-front")
    back.bind("inproc://device-back")
    t, errors = run_in_thread(lambda: zmq.device(zmq.STREAMER, front, back))
    src = client(context, zmq.PUSH, "inproc://device-front")
    dst = client(context, zmq.PULL, "inproc://device-back")
    src.send(b"streamed")
    assert dst.recv() == b"streamed"
    src.close()
    dst.close()
    stop_context_under(context, t, [front, back])
    assert len(errors) == 1 and isinstance(errors[0], zmq.ContextTerminated)


def test_function_argument_errors(context: zmq.Context) -> None:
    s = context.socket(zmq.PAIR)
    with pytest.raises(TypeError, match="frontend"):
        zmq.proxy(None, s)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="backend"):
        zmq.proxy(s, "socket")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="capture"):
        zmq.proxy(s, s, 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="control"):
        zmq.proxy_steerable(s, s, None, object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="device_type"):
        zmq.device("QUEUE", s, s)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="in_socket"):
        devices.monitored_queue(None, s, s)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="in_prefix"):
        devices.monitored_queue(s, s, s, in_prefix="in")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- devices

def test_thread_device_queue(transport: str) -> None:
    ctx = zmq.Context()
    front_addr, back_addr = endpoint_pair(transport)
    dev = devices.ThreadDevice(zmq.QUEUE, zmq.ROUTER, zmq.DEALER)
    dev.context_factory = lambda: ctx  # type: ignore[method-assign]
    dev.bind_in(front_addr)
    dev.bind_out(back_addr)
    dev.setsockopt_in(zmq.LINGER, 0)
    dev.setsockopt_out("linger", 0)
    dev.start()
    worker = client(ctx, zmq.REP, back_addr)
    req = client(ctx, zmq.REQ, front_addr)
    req.send_string("hello")
    assert worker.recv_string() == "hello"
    worker.send_string("world")
    assert req.recv_string() == "world"
    req.close()
    worker.close()
    ctx.term()
    dev.join(10)
    assert dev.done and not dev.launcher.is_alive()


def test_foreground_device_in_a_thread(context: zmq.Context) -> None:
    dev = devices.Device(zmq.QUEUE, zmq.PULL, zmq.PUSH)
    dev.context_factory = lambda: context  # type: ignore[method-assign]
    dev.bind_in("inproc://fg-in")
    dev.connect_out("inproc://fg-out")
    sink = context.socket(zmq.PULL)
    sink.rcvtimeo = TIMEOUT_MS
    sink.bind("inproc://fg-out")
    t = threading.Thread(target=dev.start, daemon=True)
    t.start()
    src = client(context, zmq.PUSH, "inproc://fg-in")
    src.send(b"through")
    assert sink.recv() == b"through"
    src.close()
    sink.close()
    context.term()
    dev.join(10)
    assert dev.done


def test_device_arguments() -> None:
    with pytest.raises(TypeError, match="in_type"):
        devices.Device(zmq.QUEUE, None, zmq.PUSH)
    with pytest.raises(TypeError, match="out_type"):
        devices.Device(zmq.QUEUE, zmq.PULL)
    with pytest.raises(TypeError, match="in_type"):
        devices.Device(zmq.QUEUE, "PULL", zmq.PUSH)  # type: ignore[arg-type]


def test_thread_proxy_with_monitor(transport: str) -> None:
    ctx = zmq.Context()
    in_addr, out_addr = endpoint_pair(transport)
    mon_addr = "inproc://proxy-mon"
    dev = devices.ThreadProxy(zmq.PULL, zmq.PUSH, zmq.PUSH)
    dev.context_factory = lambda: ctx  # type: ignore[method-assign]
    dev.bind_in(in_addr)
    dev.bind_out(out_addr)
    dev.connect_mon(mon_addr)
    dev.setsockopt_mon(zmq.LINGER, 0)
    mon = ctx.socket(zmq.PULL)
    mon.rcvtimeo = TIMEOUT_MS
    mon.bind(mon_addr)
    dev.start()
    src = client(ctx, zmq.PUSH, in_addr)
    dst = client(ctx, zmq.PULL, out_addr)
    src.send_multipart([b"k", b"v"])
    assert dst.recv_multipart() == [b"k", b"v"]
    assert mon.recv_multipart() == [b"k", b"v"]
    for s in (src, dst, mon):
        s.close(linger=0)
    ctx.term()
    dev.join(10)
    assert dev.done


def test_thread_proxy_steerable(context: zmq.Context) -> None:
    dev = devices.ThreadProxySteerable(zmq.PULL, zmq.PUSH, zmq.PUB)
    assert dev.ctrl_type == zmq.PAIR
    dev.context_factory = lambda: context  # type: ignore[method-assign]
    dev.bind_in("inproc://ps-in")
    dev.bind_out("inproc://ps-out")
    dev.bind_mon("inproc://ps-mon")
    dev.bind_ctrl("inproc://ps-ctrl")
    dev.setsockopt_ctrl(zmq.LINGER, 0)
    dev.start()
    src = client(context, zmq.PUSH, "inproc://ps-in")
    dst = client(context, zmq.PULL, "inproc://ps-out")
    ctl = client(context, zmq.PAIR, "inproc://ps-ctrl")
    src.send(b"one")
    assert dst.recv() == b"one"
    ctl.send(b"TERMINATE")
    dev.join(10)
    assert dev.done and not dev.launcher.is_alive()


def test_thread_monitored_queue_router_router(context: zmq.Context) -> None:
    dev = devices.ThreadMonitoredQueue(zmq.ROUTER, zmq.ROUTER, zmq.PUB, b"IN", b"OUT")
    dev.context_factory = lambda: context  # type: ignore[method-assign]
    dev.bind_in("inproc://mq-in")
    dev.bind_out("inproc://mq-out")
    dev.bind_mon("inproc://mq-mon")
    mon = context.socket(zmq.SUB)
    mon.rcvtimeo = TIMEOUT_MS
    mon.subscribe(b"")
    dev.start()
    alice = context.socket(zmq.DEALER)
    alice.identity = b"alice"
    bob = context.socket(zmq.DEALER)
    bob.identity = b"bob"
    for s in (alice, bob):
        s.rcvtimeo = TIMEOUT_MS
    alice.connect("inproc://mq-in")
    bob.connect("inproc://mq-out")
    mon.connect("inproc://mq-mon")
    # a ROUTER-ROUTER queue swaps the two routing frames: [to, payload] in, [from, payload] out
    deadline_hits = 0
    while True:  # the monitor subscription and bob's connection are asynchronous
        alice.send_multipart([b"bob", b"hello bob"])
        if bob.poll(200):
            break
        deadline_hits += 1
        assert deadline_hits < 50
    assert bob.recv_multipart() == [b"alice", b"hello bob"]
    bob.send_multipart([b"alice", b"hi alice"])
    assert alice.recv_multipart() == [b"bob", b"hi alice"]
    seen = [mon.recv_multipart() for _ in range(2 + deadline_hits)]
    assert [b"OUT", b"alice", b"bob", b"hi alice"] in seen
    assert any(m[0] == b"IN" and m[-1] == b"hello bob" for m in seen)


def test_monitored_queue_function(context: zmq.Context) -> None:
    ins = context.socket(zmq.PULL)
    outs = context.socket(zmq.PUSH)
    mons = context.socket(zmq.PUSH)
    ins.bind("inproc://mqf-in")
    outs.bind("inproc://mqf-out")
    mons.bind("inproc://mqf-mon")
    t, errors = run_in_thread(lambda: devices.monitored_queue(ins, outs, mons))
    src = client(context, zmq.PUSH, "inproc://mqf-in")
    dst = client(context, zmq.PULL, "inproc://mqf-out")
    mon = client(context, zmq.PULL, "inproc://mqf-mon")
    src.send_multipart([b"x", b"y"])
    assert dst.recv_multipart() == [b"x", b"y"]
    assert mon.recv_multipart() == [b"in", b"x", b"y"]
    for s in (src, dst, mon):
        s.close()
    stop_context_under(context, t, [ins, outs, mons])
    assert len(errors) == 1 and isinstance(errors[0], zmq.ContextTerminated)


def test_process_proxy() -> None:
    transport = "ipc" if "ipc" in TRANSPORTS else "tcp"
    in_addr, out_addr = endpoint_pair(transport)
    dev = devices.ProcessProxy(zmq.PULL, zmq.PUSH, zmq.PUB)
    dev.bind_in(in_addr)
    dev.bind_out(out_addr)
    dev.bind_mon(bind_address("inproc"))
    dev.start()
    ctx = zmq.Context()
    ctx.linger = 0
    try:
        src = client(ctx, zmq.PUSH, in_addr)
        dst = client(ctx, zmq.PULL, out_addr)
        src.send(b"across processes")
        assert dst.recv() == b"across processes"
    finally:
        dev.launcher.terminate()
        dev.join(10)
        ctx.destroy(linger=0)
    assert not dev.launcher.is_alive()
