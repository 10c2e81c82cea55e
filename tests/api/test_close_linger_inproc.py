"""An inproc writer that closes with LINGER 0 right after sending (issue #19): what it sent
is still read by its peer, as in libzmq 4.0, whose socket-side pipes are always drained up
to the delimiter. (Over tcp/ipc LINGER 0 still drops what was not written:
test_transport_tcp_ipc.test_linger_zero_discards.) Both faces: the object API and
zmq4.capi, the writer in its own thread as in a CZMQ actor, or gone before the reader
looks.
"""

from __future__ import annotations

import itertools
import threading

import pytest

import zmq4 as zmq
from zmq4 import capi

TIMEOUT_MS = 10000
_names = itertools.count()

PAIRS = [(zmq.PAIR, zmq.PAIR), (zmq.PULL, zmq.PUSH), (zmq.DEALER, zmq.DEALER),
         (zmq.ROUTER, zmq.DEALER)]


def _endpoint() -> str:
    return f"inproc://close-linger0-{next(_names)}"


def _run(writer: threading.Thread, wait_first: bool) -> None:
    writer.start()
    if wait_first:
        writer.join(TIMEOUT_MS / 1000)
        assert not writer.is_alive()


@pytest.mark.parametrize("wait_first", [False, True], ids=["racing", "writer-gone"])
@pytest.mark.parametrize("reader_type,writer_type", PAIRS)
def test_object_api(context: zmq.Context, reader_type: int, writer_type: int,
                    wait_first: bool) -> None:
    ep = _endpoint()
    reader = context.socket(reader_type)
    reader.rcvtimeo = TIMEOUT_MS
    reader.bind(ep)
    for _ in range(5):
        w = context.socket(writer_type)
        w.connect(ep)

        def write(w: zmq.Socket = w) -> None:
            w.send_multipart([b"head", b"body"])
            w.send(b"goodbye")
            w.close(linger=0)

        thread = threading.Thread(target=write)
        _run(thread, wait_first)
        skip = 1 if reader_type == zmq.ROUTER else 0  # ROUTER: the identity frame first
        assert reader.recv_multipart()[skip:] == [b"head", b"body"]
        assert reader.recv_multipart()[skip:] == [b"goodbye"]
        thread.join(TIMEOUT_MS / 1000)
        assert not thread.is_alive()
        with pytest.raises(zmq.Again):
            reader.recv(zmq.DONTWAIT)
    reader.close(linger=0)


@pytest.mark.parametrize("wait_first", [False, True], ids=["racing", "writer-gone"])
def test_capi(ctx: object, wait_first: bool) -> None:
    ep = _endpoint()
    reader = capi.zmq_socket(ctx, capi.ZMQ_PAIR)
    assert capi.zmq_setsockopt(reader, capi.ZMQ_RCVTIMEO, TIMEOUT_MS) == 0
    assert capi.zmq_bind(reader, ep) == 0
    for i in range(20):
        writer = capi.zmq_socket(ctx, capi.ZMQ_PAIR)
        assert capi.zmq_connect(writer, ep) == 0
        text = b"last words %d" % i

        def write(writer: object = writer, text: bytes = text) -> None:
            assert capi.zmq_send(writer, text, len(text), 0) == len(text)
            assert capi.zmq_setsockopt(writer, capi.ZMQ_LINGER, 0) == 0
            assert capi.zmq_close(writer) == 0

        thread = threading.Thread(target=write)
        _run(thread, wait_first)
        buf = bytearray(64)
        assert capi.zmq_recv(reader, buf, len(buf), 0) == len(text), \
            capi.zmq_strerror(capi.zmq_errno())
        assert bytes(buf[:len(text)]) == text
        thread.join(TIMEOUT_MS / 1000)
        assert capi.zmq_recv(reader, buf, len(buf), capi.ZMQ_DONTWAIT) == -1
        assert capi.zmq_errno() == capi.EAGAIN
    assert capi.zmq_close(reader) == 0


def test_reader_sees_the_writer_go(context: zmq.Context) -> None:
    """After the last message comes the end of the pipe: once the reader has seen it
    (here: by polling), its PAIR takes a new peer."""
    ep = _endpoint()
    reader = context.socket(zmq.PAIR)
    reader.rcvtimeo = TIMEOUT_MS
    reader.bind(ep)
    first = context.socket(zmq.PAIR)
    first.connect(ep)
    first.send(b"one")
    first.close(linger=0)
    assert reader.recv() == b"one"
    assert reader.poll(0) == 0  # reaches the delimiter
    second = context.socket(zmq.PAIR)
    second.connect(ep)
    second.send(b"two")
    assert reader.recv() == b"two"
    second.close(linger=0)
    reader.close(linger=0)
