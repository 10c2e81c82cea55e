"""Sending and receiving through the object API: send/recv with flags, copy and track,
multipart, string/JSON/pickle/custom serialisation, recv_into, timeouts, closed sockets,
KeyboardInterrupt, socket lifetime (close, context manager, GC) and shadow/underlying."""

from __future__ import annotations

import copy
import gc
import json
import pickle
import signal
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from support import TRANSPORTS, bind_address

import zmq4 as zmq

TIMEOUT_MS = 10000


@pytest.fixture
def context() -> Iterator[zmq.Context]:
    ctx = zmq.Context()
    yield ctx
    ctx.destroy(linger=0)


def bind_to(sock: zmq.Socket, transport: str) -> str:
    sock.bind(bind_address(transport))
    return bytes(sock.last_endpoint).decode()


@pytest.fixture(params=TRANSPORTS)
def pair(request: pytest.FixtureRequest, context: zmq.Context) -> tuple[zmq.Socket, zmq.Socket]:
    a = context.socket(zmq.PAIR)
    b = context.socket(zmq.PAIR)
    for s in (a, b):
        s.rcvtimeo = TIMEOUT_MS
        s.sndtimeo = TIMEOUT_MS
    b.connect(bind_to(a, str(request.param)))
    return a, b


# ---------------------------------------------------------------------------- send/recv

def test_send_recv_bytes_and_buffers(pair: tuple[zmq.Socket, zmq.Socket]) -> None:
    a, b = pair
    assert a.send(b"bytes") is None
    a.send(bytearray(b"bytearray"))
    a.send(memoryview(b"memoryview"))
    a.send(b"")
    assert b.recv() == b"bytes"
    assert b.recv() == b"bytearray"
    assert b.recv() == b"memoryview"
    assert b.recv() == b""


def test_copy_true_snapshots_the_buffer(pair: tuple[zmq.Socket, zmq.Socket]) -> None:
    a, b = pair
    buf = bytearray(b"original")
    a.send(buf)
    buf[:] = b"changed!"
    assert b.recv() == b"original"


def test_multidimensional_and_noncontiguous_buffers(pair: tuple[zmq.Socket, zmq.Socket]) \
        -> None:
    a, b = pair
    a.send(memoryview(bytearray(range(6))).cast("B", (2, 3)))
    assert b.recv() == bytes(range(6))
    # a strided buffer is pyzmq's BufferError, copying or not, and nothing is sent
    with pytest.raises(BufferError, match="contiguous"):
        a.send(memoryview(b"abcdef")[::2])
    with pytest.raises(BufferError, match="contiguous"):
        a.send(memoryview(bytearray(200000))[::2], copy=False)
    with pytest.raises(BufferError, match="frame 1"):
        a.send_multipart([b"head", memoryview(b"abcdef")[::2]])
    a.send(b"next")
    assert b.recv() == b"next"  # no frame of the refused sends went out


def test_sndmore_and_rcvmore(pair: tuple[zmq.Socket, zmq.Socket]) -> None:
    a, b = pair
    a.send(b"one", zmq.SNDMORE)
    a.send(b"two", zmq.SNDMORE | zmq.DONTWAIT)
    a.send(b"three")
    assert b.recv() == b"one" and b.rcvmore == 1
    f = b.recv(copy=False)
    assert isinstance(f, zmq.Frame) and f.more and f.bytes == b"two"
    assert b.recv() == b"three" and b.rcvmore == 0


def test_send_argument_errors(pair: tuple[zmq.Socket, zmq.Socket]) -> None:
    a, _ = pair
    with pytest.raises(TypeError, match="send_string"):
        a.send("text")
    with pytest.raises(TypeError, match="buffer"):
        a.send(12345)
    with pytest.raises(TypeError, match="flags"):
        a.send(b"x", "SNDMORE")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="flags"):
        a.recv("0")  # type: ignore[call-overload]
    with pytest.raises(zmq.ZMQVersionError, match="draft"):
        a.send(b"x", routing_id=1)


def test_dontwait_and_timeouts_raise_again(context: zmq.Context) -> None:
    pull = context.socket(zmq.PULL)
    pull.bind("inproc://again")
    with pytest.raises(zmq.Again) as exc:
        pull.recv(zmq.DONTWAIT)
    assert exc.value.errno == zmq.EAGAIN and isinstance(exc.value, zmq.ZMQError)
    with pytest.raises(zmq.Again):
        pull.recv(zmq.NOBLOCK)
    pull.rcvtimeo = 20
    with pytest.raises(zmq.Again):
        pull.recv()
    with pytest.raises(zmq.Again):
        pull.recv_multipart()
    push = context.socket(zmq.PUSH)  # no peer: nothing can be queued
    with pytest.raises(zmq.Again):
        push.send(b"x", zmq.DONTWAIT)
    push.sndtimeo = 20
    with pytest.raises(zmq.Again):
        push.send(b"x")
    with pytest.raises(zmq.Again):
        push.send_multipart([b"a", b"b"])


def test_hwm_blocks_then_again(context: zmq.Context) -> None:
    push = context.socket(zmq.PUSH)
    pull = context.socket(zmq.PULL)
    push.sndhwm = 2
    pull.rcvhwm = 2
    pull.bind("inproc://hwm")
    push.connect("inproc://hwm")
    sent = 0
    with pytest.raises(zmq.Again):
        while sent < 100:
            push.send(b"m", zmq.DONTWAIT)
            sent += 1
    assert sent == 4  # SNDHWM + RCVHWM for inproc
    assert push.poll(0, zmq.POLLOUT) == 0
    # the writer is woken once the reader has freed half the HWM (libzmq's low-water
    # mark; pyzmq on libzmq 4.3 also needs two reads here, 10 of 20 at SNDHWM=RCVHWM=10)
    pull.recv()
    assert push.poll(100, zmq.POLLOUT) == 0
    pull.recv()
    assert push.poll(1000, zmq.POLLOUT) == zmq.POLLOUT


def test_req_state_machine_errors(context: zmq.Context) -> None:
    req = context.socket(zmq.REQ)
    req.connect("inproc://efsm")
    with pytest.raises(zmq.ZMQError) as exc:
        req.recv()
    assert exc.value.errno == zmq.EFSM


# ---------------------------------------------------------------------------- multipart

def test_multipart(pair: tuple[zmq.Socket, zmq.Socket]) -> None:
    a, b = pair
    a.send_multipart([b"a", bytearray(b"b"), memoryview(b"c"), zmq.Frame(b"d"), b""])
    assert b.recv_multipart() == [b"a", b"b", b"c", b"d", b""]
    a.send_multipart((b"tuple", b"parts"))
    assert b.recv_multipart() == [b"tuple", b"parts"]
    a.send_multipart(p for p in (b"from", b"generator"))
    frames = b.recv_multipart(copy=False)
    assert [f.bytes for f in frames] == [b"from", b"generator"]
    assert [f.more for f in frames] == [True, False]
    a.send_multipart([b"x"], zmq.DONTWAIT)
    assert b.recv_multipart() == [b"x"]


def test_send_multipart_errors(pair: tuple[zmq.Socket, zmq.Socket]) -> None:
    a, b = pair
    with pytest.raises(ValueError, match="empty"):
        a.send_multipart([])
    with pytest.raises(TypeError, match="frame 1"):
        a.send_multipart([b"ok", "text"])
    with pytest.raises(TypeError, match="frame 2"):
        a.send_multipart([b"ok", b"ok", object()])
    with pytest.raises(TypeError, match="sequence"):
        a.send_multipart(b"not a list")
    # nothing was sent by the failed calls
    a.send(b"after")
    assert b.recv_multipart() == [b"after"]


def test_fair_queue_keeps_a_message_whole_when_another_peer_leaves(
        context: zmq.Context) -> None:
    router = context.socket(zmq.ROUTER)
    router.rcvtimeo = TIMEOUT_MS
    router.bind("inproc://fq-atomic")
    peers = {}
    for name in (b"A", b"B", b"C"):
        d = context.socket(zmq.DEALER)
        d.identity = name
        d.connect("inproc://fq-atomic")
        peers[name] = d
    peers[b"A"].send_multipart([b"a1", b"a2"])
    peers[b"A"].send_multipart([b"a3", b"a4"])
    peers[b"B"].send_multipart([b"b1", b"b2"])
    peers[b"C"].send_multipart([b"c1", b"c2"])
    assert router.recv_multipart() == [b"A", b"a1", b"a2"]
    assert router.recv_multipart() == [b"B", b"b1", b"b2"]
    assert [router.recv(), router.recv()] == [b"C", b"c1"]  # mid-message on C
    peers[b"B"].close()
    assert router.recv() == b"c2" and not router.rcvmore


def test_load_balancer_keeps_a_message_whole_when_another_peer_leaves(
        context: zmq.Context) -> None:
    pulls = {}
    for name in ("A", "B", "C"):
        p = context.socket(zmq.PULL)
        p.rcvtimeo = 200
        p.bind("inproc://lb-atomic-" + name)
        pulls[name] = p
    push = context.socket(zmq.PUSH)
    for name in ("A", "B", "C"):
        push.connect("inproc://lb-atomic-" + name)
    push.send_multipart([b"m1", b"m1"])
    push.send_multipart([b"m2", b"m2"])
    push.send(b"x1", zmq.SNDMORE)  # the third message starts on C
    pulls["B"].close()
    push.send(b"x2")
    got = []
    for name in ("A", "C"):
        with pytest.raises(zmq.Again):
            while True:
                got.append(pulls[name].recv_multipart())
    assert [b"x1", b"x2"] in got
    assert [b"x2"] not in got


# ---------------------------------------------------------------------------- serialisers

def test_strings(pair: tuple[zmq.Socket, zmq.Socket]) -> None:
    a, b = pair
    a.send_string("héllo wörld")
    assert b.recv_string() == "héllo wörld"
    a.send_string("latin", encoding="latin-1")
    assert b.recv_string(encoding="latin-1") == "latin"
    a.send_unicode("alias")
    assert b.recv_unicode() == "alias"
    a.send_string("first", zmq.SNDMORE)
    a.send_string("second")
    assert b.recv_multipart() == [b"first", b"second"]
    with pytest.raises(TypeError, match="str"):
        a.send_string(b"bytes")  # type: ignore[arg-type]
    a.send(b"\xff\xfe")
    with pytest.raises(UnicodeDecodeError):
        b.recv_string()


def test_json(pair: tuple[zmq.Socket, zmq.Socket]) -> None:
    a, b = pair
    obj = {"a": [1, 2.5, None, True], "ü": "ß"}
    a.send_json(obj)
    assert b.recv_json() == obj
    a.send_json({"b": 1, "a": 2}, sort_keys=True)
    assert b.recv() == json.dumps({"a": 2, "b": 1}).encode()
    a.send_json([1, 2], zmq.SNDMORE)
    a.send_json("end")
    assert b.recv_json() == [1, 2] and b.recv_json() == "end"
    with pytest.raises(TypeError, match="not JSON serializable"):
        a.send_json(object())
    a.send(b"{not json")
    with pytest.raises(ValueError):
        b.recv_json()


def test_pyobj(pair: tuple[zmq.Socket, zmq.Socket]) -> None:
    a, b = pair
    obj = {"set": {1, 2}, "tuple": (1, "x"), "bytes": b"\x00"}
    a.send_pyobj(obj)
    assert b.recv_pyobj() == obj
    a.send_pyobj([1], protocol=2)
    raw = b.recv()
    assert raw[:2] == b"\x80\x02" and pickle.loads(raw) == [1]
    with pytest.raises((pickle.PicklingError, TypeError, AttributeError)):
        a.send_pyobj(lambda: None)


def test_serialized(pair: tuple[zmq.Socket, zmq.Socket]) -> None:
    a, b = pair

    def serialize(msg: dict[str, str]) -> list[bytes]:
        return [k.encode() + b"=" + v.encode() for k, v in sorted(msg.items())]

    def deserialize(frames: list[bytes]) -> dict[str, str]:
        return dict(f.decode().split("=", 1) for f in frames)

    a.send_serialized({"x": "1", "y": "2"}, serialize)
    assert b.recv_serialized(deserialize) == {"x": "1", "y": "2"}
    a.send_serialized({"z": "3"}, serialize, copy=False)
    frames = b.recv_serialized(lambda fs: fs, copy=False)
    assert [f.bytes for f in frames] == [b"z=3"]


# ---------------------------------------------------------------------------- recv_into

def test_recv_into(pair: tuple[zmq.Socket, zmq.Socket]) -> None:
    a, b = pair
    a.send(b"hello")
    buf = bytearray(10)
    assert b.recv_into(buf) == 5 and buf[:5] == b"hello"
    a.send(b"truncated message")
    buf = bytearray(4)
    assert b.recv_into(buf) == 17 and buf == b"trun"
    a.send(b"limited")
    buf = bytearray(10)
    assert b.recv_into(buf, nbytes=3) == 7 and buf[:4] == b"lim\x00"
    a.send(b"discarded")
    assert b.recv_into(bytearray()) == 9
    a.send(b"view")
    big = bytearray(8)
    assert b.recv_into(memoryview(big)[2:]) == 4 and big[2:6] == b"view"


def test_recv_into_errors(pair: tuple[zmq.Socket, zmq.Socket]) -> None:
    _, b = pair
    with pytest.raises(BufferError):
        b.recv_into(b"read-only")
    with pytest.raises(TypeError):  # also a TypeError: a wrong argument
        b.recv_into(b"read-only")
    with pytest.raises(TypeError, match="buffer"):
        b.recv_into("text")
    with pytest.raises(ValueError, match="non-negative"):
        b.recv_into(bytearray(4), nbytes=-1)
    with pytest.raises(ValueError, match="too big"):
        b.recv_into(bytearray(4), nbytes=5)
    with pytest.raises(zmq.Again):
        b.recv_into(bytearray(4), flags=zmq.DONTWAIT)


# ---------------------------------------------------------------------------- lifetime

def test_closed_socket_raises_enotsock(context: zmq.Context) -> None:
    s = context.socket(zmq.DEALER)
    s.close()
    s.close()  # idempotent
    s.close(linger=0)
    assert s.closed
    calls: list[Any] = [
        lambda: s.send(b"x"), lambda: s.send(b"x", copy=False), lambda: s.recv(),
        lambda: s.recv(copy=False), lambda: s.send_multipart([b"a"]),
        lambda: s.recv_multipart(), lambda: s.send_string("x"), lambda: s.recv_string(),
        lambda: s.send_json(1), lambda: s.recv_json(), lambda: s.recv_into(bytearray(1)),
        lambda: s.bind("inproc://closed"), lambda: s.connect("inproc://closed"),
        lambda: s.unbind("inproc://closed"), lambda: s.disconnect("inproc://closed"),
        lambda: s.poll(0), lambda: s.monitor("inproc://closed-mon"),
        lambda: s.getsockopt(zmq.LINGER), lambda: s.setsockopt(zmq.LINGER, 0),
    ]
    for call in calls:
        with pytest.raises(zmq.ZMQError) as exc:
            call()
        assert exc.value.errno == zmq.ENOTSOCK


def test_close_with_linger(context: zmq.Context) -> None:
    s = context.socket(zmq.PUSH)
    s.connect("inproc://close-linger-nobody")
    s.send(b"pending")
    with pytest.raises(TypeError, match="linger"):
        s.close(linger="0")  # type: ignore[arg-type]
    assert not s.closed
    s.close(linger=0)
    assert s.closed
    context.term()  # nothing lingers


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_close_right_after_send_still_delivers(context: zmq.Context, transport: str) -> None:
    pull = context.socket(zmq.PULL)
    pull.rcvtimeo = 2000
    addr = bind_to(pull, transport)
    for i in range(10):
        push = context.socket(zmq.PUSH)
        push.connect(addr)
        push.send(b"hello %d" % i)
        assert pull.recv() == b"hello %d" % i  # connected
        push.send(b"last words %d" % i)
        push.close()  # default LINGER -1: queued messages are still delivered
        assert pull.recv() == b"last words %d" % i


def test_socket_context_manager(context: zmq.Context) -> None:
    with context.socket(zmq.PAIR) as s:
        assert not s.closed
    assert s.closed


def test_garbage_collected_socket_is_closed_with_a_warning(context: zmq.Context) -> None:
    s = context.socket(zmq.PAIR)
    s.linger = 0
    with pytest.warns(ResourceWarning, match="unclosed socket"):
        del s
        gc.collect()
    context.term()  # returns: the socket was closed


def test_context_terminated_errors(context: zmq.Context) -> None:
    s = context.socket(zmq.PULL)
    s.bind("inproc://eterm")
    t = threading.Thread(target=context.term)
    t.start()
    try:
        with pytest.raises(zmq.ContextTerminated) as exc:
            s.recv()
        assert exc.value.errno == zmq.ETERM
        with pytest.raises(zmq.ContextTerminated):
            s.recv(zmq.DONTWAIT)
        with pytest.raises(zmq.ContextTerminated):
            s.poll(0)
    finally:
        s.close()
        t.join(10)
    assert context.closed


def test_keyboard_interrupt_propagates_from_blocking_recv(context: zmq.Context) -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread")
    s = context.socket(zmq.PULL)
    s.bind("inproc://ctrl-c")

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with pytest.raises(KeyboardInterrupt):
            s.recv()
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with pytest.raises(KeyboardInterrupt):
            s.recv_multipart()
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with pytest.raises(KeyboardInterrupt):
            s.poll()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    # the socket is still usable
    push = context.socket(zmq.PUSH)
    push.connect("inproc://ctrl-c")
    push.send(b"after")
    s.rcvtimeo = TIMEOUT_MS
    assert s.recv() == b"after"


# ---------------------------------------------------------------------------- shadow

def test_underlying_and_shadow(context: zmq.Context) -> None:
    a = context.socket(zmq.PAIR)
    b = context.socket(zmq.PAIR)
    a.bind("inproc://shadow-sock")
    b.connect("inproc://shadow-sock")
    handle = a.underlying
    assert isinstance(handle, int) and handle == a.underlying
    for shadow in (zmq.Socket.shadow(handle), zmq.Socket(a), zmq.Socket(shadow=a),
                   copy.copy(a), copy.deepcopy(a)):
        assert shadow.underlying == handle and shadow.type == zmq.PAIR
        shadow.send(b"through the shadow")
        b.rcvtimeo = TIMEOUT_MS
        assert b.recv() == b"through the shadow"
    s = zmq.Socket.shadow(handle)
    assert s.context.underlying == context.underlying
    del s
    gc.collect()
    assert not a.closed  # a shadow never closes on collection
    zmq.Socket.shadow(handle).close()  # but close() through it does
    assert a.closed


def test_shadow_errors(context: zmq.Context) -> None:
    with pytest.raises(zmq.ZMQError) as exc:
        zmq.Socket.shadow(12345)
    assert exc.value.errno == zmq.ENOTSOCK
    with pytest.raises(TypeError):
        zmq.Socket.shadow("socket")


def test_direct_construction(context: zmq.Context) -> None:
    s = zmq.Socket(context, zmq.PUSH, copy_threshold=0)
    assert s.copy_threshold == 0 and s.type == zmq.PUSH
    s.close()
    with pytest.raises(TypeError, match="copy_threshold"):
        zmq.Socket(context, zmq.PUSH, copy_threshold="big")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="socket_type"):
        zmq.Socket(context, "PUSH")  # type: ignore[arg-type]


def test_a_socket_whose_constructor_never_ran_raises_enotsock() -> None:
    """The compiled send/recv (zmq4.backend._socketface) check for a missing core socket
    instead of reaching the core with none."""
    sock = zmq.Socket.__new__(zmq.Socket)
    for call in (lambda: sock.send(b"x"), lambda: sock.recv(),
                 lambda: sock.recv(copy=False)):
        with pytest.raises(zmq.ZMQError) as exc:
            call()
        assert exc.value.errno == zmq.ENOTSOCK
