"""zmq4.Frame / zmq4.Message and zmq4.MessageTracker: content access, zero-copy sends and
receives, properties, copies, and tracker completion when zmq4 lets go of a payload."""

from __future__ import annotations

import copy
import gc
import threading
from collections.abc import Iterator

import pytest
from support import TRANSPORTS, bind_address

import zmq4 as zmq

TIMEOUT_MS = 10000
BIG = 200_000  # above COPY_THRESHOLD: sent without copying


@pytest.fixture
def context() -> Iterator[zmq.Context]:
    ctx = zmq.Context()
    yield ctx
    ctx.destroy(linger=0)


@pytest.fixture(params=TRANSPORTS)
def pair(request: pytest.FixtureRequest, context: zmq.Context) -> tuple[zmq.Socket, zmq.Socket]:
    a = context.socket(zmq.PAIR)
    b = context.socket(zmq.PAIR)
    b.rcvtimeo = TIMEOUT_MS
    a.bind(bind_address(str(request.param)))
    b.connect(bytes(a.last_endpoint).decode())
    return a, b


# ---------------------------------------------------------------------------- Frame

def test_frame_content() -> None:
    f = zmq.Frame(b"hello")
    assert f.bytes == b"hello" and bytes(f) == b"hello" and len(f) == 5
    assert f.buffer.tobytes() == b"hello" and isinstance(f.buffer, memoryview)
    assert not f.more and f.tracker is None
    assert "hello" in repr(f)
    assert zmq.Frame().bytes == b"" and len(zmq.Frame()) == 0
    assert zmq.Frame(bytearray(b"ba")).bytes == b"ba"
    assert zmq.Frame(memoryview(b"mv")).bytes == b"mv"
    long = zmq.Frame(b"x" * 100)
    assert "100B" in repr(long)
    assert zmq.Message is zmq.Frame


def test_frame_argument_errors() -> None:
    with pytest.raises(TypeError, match="str"):
        zmq.Frame("text")
    with pytest.raises(TypeError, match="buffer"):
        zmq.Frame(42)
    # a strided buffer is pyzmq's BufferError, whether or not the frame would copy it
    with pytest.raises(BufferError, match="contiguous"):
        zmq.Frame(memoryview(bytearray(10))[::2], copy=False)
    with pytest.raises(BufferError, match="contiguous"):
        zmq.Frame(memoryview(b"abcdef")[::2])


def test_frame_copy_threshold_decides_sharing() -> None:
    small = bytearray(b"small")
    big = bytearray(BIG)
    f_small, f_big = zmq.Frame(small), zmq.Frame(big)
    small[0:1] = b"S"
    big[0] = 1
    assert f_small.bytes == b"small"  # copied
    assert f_big.buffer[0] == 1  # shared with the caller's buffer
    shared = bytearray(b"tiny")
    f = zmq.Frame(shared, copy=False)
    shared[0:1] = b"T"
    assert f.buffer.tobytes() == b"Tiny"
    forced = zmq.Frame(bytearray(BIG), copy=True)
    assert len(forced) == BIG
    custom = bytearray(b"0123456789")
    f = zmq.Frame(custom, copy_threshold=5)
    custom[0:1] = b"X"
    assert f.bytes[:1] == b"X"


def test_frame_properties() -> None:
    f = zmq.Frame(b"x")
    assert f.get(zmq.MORE) == 0 and f[zmq.MORE] == 0
    f.set(zmq.MORE, 1)
    assert f.more and f.get(zmq.MORE) == 1
    # string properties need libzmq 4.1: pyzmq's ZMQVersionError on a 4.0 library
    with pytest.raises(zmq.ZMQVersionError) as exc:
        f.get("User-Id")
    assert "User-Id" in str(exc.value) and exc.value.min_version == "4.1"
    with pytest.raises(zmq.ZMQError):
        f.get(99)
    with pytest.raises(zmq.ZMQError):
        f.set(99, 1)
    with pytest.raises(TypeError):
        f.get(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        f.set("more", 1)  # type: ignore[arg-type]


def test_frame_copies_share_the_payload() -> None:
    buf = bytearray(BIG)
    f = zmq.Frame(buf, track=True)
    for c in (f.fast_copy(), copy.copy(f), copy.deepcopy(f)):
        assert c.tracker is f.tracker
        buf[1] = 7
        assert c.buffer[1] == 7


# ---------------------------------------------------------------------------- sending

def test_send_and_receive_frames(pair: tuple[zmq.Socket, zmq.Socket]) -> None:
    a, b = pair
    a.send(zmq.Frame(b"frame"), zmq.SNDMORE)
    a.send(zmq.Frame(b"last"))
    f1 = b.recv(copy=False)
    f2 = b.recv(copy=False)
    assert (f1.bytes, f1.more, f2.bytes, f2.more) == (b"frame", True, b"last", False)
    assert f1.tracker is None
    # a received frame can be sent on again, without copying
    a.send(b"again")
    f = b.recv(copy=False, track=True)
    assert f.tracker is not None and f.tracker.done
    b.send(f)
    a.rcvtimeo = TIMEOUT_MS
    assert a.recv() == b"again"


def test_zero_copy_send_tracker_completes_when_received(pair: tuple[zmq.Socket, zmq.Socket]) \
        -> None:
    a, b = pair
    buf = bytearray(b"z" * BIG)
    tracker = a.send(buf, copy=False, track=True)
    assert isinstance(tracker, zmq.MessageTracker)
    data = b.recv()
    assert data == bytes(buf)
    tracker.wait(10)
    assert tracker.done


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_tracker_is_not_done_before_the_engine_has_the_bytes(
        context: zmq.Context, transport: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The I/O thread takes the frame off the pipe, then encodes (copies) it. The
    # tracker must not complete in between: the application would be free to change
    # the buffer before its bytes were taken. The spy sits on the encoder call (the
    # engine is compiled: its methods cannot be replaced).
    import types

    from zmq4.zmtp import _codec, connection

    seen: list[bool] = []
    tracker: list[zmq.MessageTracker] = []

    def spy(out: bytearray, messages: list[list[object]], *args: object) -> object:
        if tracker and any(len(p) == BIG for m in messages for p in m):  # type: ignore[arg-type]
            seen.append(tracker[0].done)
        return _codec.encode_messages_iov(out, messages, *args)

    codec = types.SimpleNamespace(**vars(_codec))  # the real codec, but for the spy
    codec.encode_messages_iov = spy
    monkeypatch.setattr(connection, "_codec", codec)
    a = context.socket(zmq.PAIR)
    b = context.socket(zmq.PAIR)
    b.rcvtimeo = TIMEOUT_MS
    a.bind(bind_address(transport))
    b.connect(bytes(a.last_endpoint).decode())
    a.send(b"hello")  # the connection is up: the next send goes through at once
    assert b.recv() == b"hello"
    buf = bytearray(b"t" * BIG)
    f = zmq.Frame(buf, track=True)
    assert f.tracker is not None
    tracker.append(f.tracker)
    a.send(f, copy=False)
    del f
    assert b.recv() == bytes(buf)
    tracker[0].wait(10)
    assert seen == [False]


def test_tracker_waits_for_the_inproc_reader(context: zmq.Context) -> None:
    a = context.socket(zmq.PAIR)
    b = context.socket(zmq.PAIR)
    a.bind("inproc://tracker")
    b.connect("inproc://tracker")
    buf = bytearray(BIG)
    tracker = a.send(buf, copy=False, track=True)
    assert tracker is not None and not tracker.done
    with pytest.raises(zmq.NotDone):
        tracker.wait(0.05)
    frame = b.recv(copy=False)  # zero-copy receive: the reader still holds the payload
    buf[0] = 42
    assert frame.buffer[0] == 42  # same memory, end to end
    assert not tracker.done
    del frame
    gc.collect()
    assert tracker.done
    tracker.wait(0)


def test_tracker_wait_from_another_thread(context: zmq.Context) -> None:
    a = context.socket(zmq.PAIR)
    b = context.socket(zmq.PAIR)
    a.bind("inproc://tracker-thread")
    b.connect("inproc://tracker-thread")
    tracker = a.send(bytearray(BIG), copy=False, track=True)
    assert tracker is not None

    def reader() -> None:
        b.recv()

    t = threading.Thread(target=reader)
    t.start()
    tracker.wait()  # no timeout: completes when the reader takes the message
    t.join(10)
    assert tracker.done


def test_frame_tracker_includes_the_applications_own_frame(context: zmq.Context) -> None:
    a = context.socket(zmq.PAIR)
    b = context.socket(zmq.PAIR)
    a.bind("inproc://own-frame")
    b.connect("inproc://own-frame")
    f = zmq.Frame(bytearray(BIG), track=True)
    tracker = a.send(f, copy=False, track=True)
    assert tracker is f.tracker
    b.recv()
    assert not tracker.done  # the application's Frame still references the payload
    del f
    gc.collect()
    assert tracker.done


def test_send_copy_false_return_values(context: zmq.Context) -> None:
    a = context.socket(zmq.PAIR)
    b = context.socket(zmq.PAIR)
    a.bind("inproc://return-values")
    b.connect("inproc://return-values")
    small = a.send(b"small", copy=False, track=True)
    assert small is not None and small.done  # below copy_threshold: copied, finished
    assert a.send(bytearray(BIG), copy=False) is None  # untracked zero-copy
    assert a.send(b"copied", copy=True, track=True) is None
    a.copy_threshold = 0
    t = a.send(b"no threshold", copy=False, track=True)
    assert t is not None
    for _ in range(4):
        b.recv()
    t.wait(10)
    with pytest.raises(ValueError, match="tracked"):
        a.send(zmq.Frame(b"untracked"), track=True)


def test_tracker_completes_when_a_send_fails(context: zmq.Context) -> None:
    push = context.socket(zmq.PUSH)  # no peer
    buf = bytearray(BIG)
    f = zmq.Frame(buf, track=True)
    with pytest.raises(zmq.Again):
        push.send(f, zmq.DONTWAIT)
    tracker = f.tracker
    assert tracker is not None
    del f
    gc.collect()
    assert tracker.done


def test_no_garbage_collector_thread(pair: tuple[zmq.Socket, zmq.Socket]) -> None:
    a, b = pair
    before = threading.active_count()
    trackers = [a.send(bytearray(BIG), copy=False, track=True) for _ in range(5)]
    for _ in trackers:
        b.recv()
    for t in trackers:
        assert t is not None
        t.wait(10)
    assert threading.active_count() <= before


# ---------------------------------------------------------------------------- MessageTracker

def test_message_tracker_combinations() -> None:
    e1, e2 = threading.Event(), threading.Event()
    inner = zmq.MessageTracker(e2)
    f = zmq.Frame(bytearray(BIG), track=True)
    t = zmq.MessageTracker(e1, inner, f)
    assert not t.done
    e1.set()
    e2.set()
    assert not t.done  # the frame is still alive
    del f
    gc.collect()
    assert t.done
    t.wait(0)
    assert zmq.MessageTracker().done
    assert "done" in repr(t)


def test_message_tracker_errors() -> None:
    with pytest.raises(TypeError):
        zmq.MessageTracker("not trackable")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="tracked"):
        zmq.MessageTracker(zmq.Frame(b"x"))
    t = zmq.MessageTracker(threading.Event())
    with pytest.raises(zmq.NotDone):
        t.wait(0.01)
    with pytest.raises(TypeError):
        t.wait("1")  # type: ignore[arg-type]
