"""zmq4.io._sockio: the engines' non-blocking send/recv, on socketpairs."""

from __future__ import annotations

import errno
import signal
import socket
from collections.abc import Iterator

import pytest

from zmq4.io._sockio import IOV_MAX_CHUNKS, recv_into, send_chunks


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    a, b = socket.socketpair()
    a.setblocking(False)
    b.setblocking(False)
    yield a, b
    a.close()
    b.close()


def read_all(s: socket.socket) -> bytes:
    got = bytearray()
    while True:
        try:
            chunk = s.recv(1 << 20)
        except BlockingIOError:
            return bytes(got)
        if not chunk:
            return bytes(got)
        got += chunk


def test_one_chunk_and_many_chunks_arrive_in_order(
        pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    assert send_chunks(a.fileno(), [b"hello"]) == 5
    parts: list[object] = [b"ab", bytearray(b"cd"), memoryview(b"xefx")[1:3], b""]
    assert send_chunks(a.fileno(), parts) == 6
    assert read_all(b) == b"helloabcdef"


def test_at_most_iov_max_chunks_go_per_call(pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    chunks = [bytes([i]) for i in range(IOV_MAX_CHUNKS + 10)]
    assert send_chunks(a.fileno(), chunks) == IOV_MAX_CHUNKS
    assert read_all(b) == bytes(range(IOV_MAX_CHUNKS))


def test_full_socket_is_not_now_and_partial_writes_report_their_count(
        pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    big = b"z" * (8 << 20)  # larger than any socket buffer: the GIL-releasing path too
    sent = send_chunks(a.fileno(), [big])
    assert 0 < sent < len(big)
    while send_chunks(a.fileno(), [big]) > 0:
        pass
    assert send_chunks(a.fileno(), [b"x"]) == -1  # full: not now, no exception
    assert len(read_all(b)) >= sent


def test_recv_into_reads_reports_eof_and_not_now(
        pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    buf = bytearray(16)
    assert recv_into(b.fileno(), buf) == -1  # nothing there yet
    a.send(b"abc")
    assert recv_into(b.fileno(), buf) == 3
    assert buf[:3] == b"abc"
    big = bytearray(1 << 20)  # the GIL-releasing path
    a.send(b"defg")
    assert recv_into(b.fileno(), memoryview(big)[10:]) == 4
    assert big[10:14] == b"defg"
    a.close()
    assert recv_into(b.fileno(), buf) == 0  # EOF


def test_errors_raise_oserror_with_errno(pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    b.close()
    # a closed peer: EPIPE as an exception on this connection, never SIGPIPE
    previous = signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        with pytest.raises(OSError) as exc:
            send_chunks(a.fileno(), [b"x"])
    finally:
        signal.signal(signal.SIGPIPE, previous)
    assert exc.value.errno in (errno.EPIPE, errno.ECONNRESET)
    with pytest.raises(OSError) as exc:
        recv_into(-1, bytearray(4))
    assert exc.value.errno == errno.EBADF


def test_bad_arguments_are_type_errors(pair: tuple[socket.socket, socket.socket]) -> None:
    a, _ = pair
    with pytest.raises(TypeError):
        send_chunks(a.fileno(), [object()])
    with pytest.raises((TypeError, BufferError)):
        recv_into(a.fileno(), b"read-only")
