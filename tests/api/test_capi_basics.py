"""The C-style face's conventions: version, errno per thread, strerror, messages, handles."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from zmq4 import capi
from zmq4.capi import *  # noqa: F403 - the C names, as a ported C test reads


def test_version() -> None:
    assert capi.zmq_version() == (4, 0, 10)
    assert ZMQ_VERSION == 40010


def test_strerror_zmq_texts() -> None:
    assert zmq_strerror(EFSM) == "Operation cannot be accomplished in current state"
    assert zmq_strerror(ENOCOMPATPROTO) == "The protocol is not compatible with the socket type"
    assert zmq_strerror(ETERM) == "Context was terminated"
    assert zmq_strerror(EMTHREAD) == "No thread available"
    assert zmq_strerror(EINVAL) == "Invalid argument"


def test_errno_is_per_thread(ctx: Any) -> None:
    assert zmq_socket(ctx, 99) is None
    assert zmq_errno() == EINVAL
    seen = []

    def other() -> None:
        seen.append(zmq_errno())
        zmq_close("not a socket")
        seen.append(zmq_errno())

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert seen == [0, ENOTSOCK]
    assert zmq_errno() == EINVAL


def test_bad_handles() -> None:
    assert zmq_send(None, b"x", 1, 0) == -1 and zmq_errno() == ENOTSOCK
    assert zmq_recv(object(), bytearray(1), 1, 0) == -1 and zmq_errno() == ENOTSOCK
    assert zmq_ctx_term("ctx") == -1 and zmq_errno() == EFAULT
    assert zmq_socket(42, ZMQ_PAIR) is None and zmq_errno() == EFAULT
    assert zmq_ctx_set(None, ZMQ_IO_THREADS, 1) == -1 and zmq_errno() == EFAULT


def test_closed_socket_is_enotsock(ctx: Any) -> None:
    s = zmq_socket(ctx, ZMQ_PAIR)
    assert zmq_close(s) == 0
    assert zmq_close(s) == -1 and zmq_errno() == ENOTSOCK
    assert zmq_send(s, b"x", 1, 0) == -1 and zmq_errno() == ENOTSOCK
    assert zmq_bind(s, "inproc://closed") == -1 and zmq_errno() == ENOTSOCK


def test_ctx_options(ctx: Any) -> None:
    assert zmq_ctx_get(ctx, ZMQ_IO_THREADS) == ZMQ_IO_THREADS_DFLT
    assert zmq_ctx_get(ctx, ZMQ_MAX_SOCKETS) == ZMQ_MAX_SOCKETS_DFLT
    assert zmq_ctx_get(ctx, ZMQ_IPV6) == 0
    assert zmq_ctx_set(ctx, ZMQ_IO_THREADS, 2) == 0
    assert zmq_ctx_get(ctx, ZMQ_IO_THREADS) == 2
    assert zmq_ctx_set(ctx, ZMQ_IO_THREADS, -1) == -1 and zmq_errno() == EINVAL
    assert zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 0) == -1 and zmq_errno() == EINVAL
    assert zmq_ctx_set(ctx, 999, 1) == -1 and zmq_errno() == EINVAL
    assert zmq_ctx_get(ctx, 999) == -1 and zmq_errno() == EINVAL
    assert zmq_ctx_set(ctx, ZMQ_IPV6, 1) == 0
    s = zmq_socket(ctx, ZMQ_PAIR)
    assert zmq_getsockopt(s, ZMQ_IPV6) == 1  # inherited by new sockets
    zmq_close(s)


def test_max_sockets_emfile(ctx: Any) -> None:
    assert zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 2) == 0
    a, b = zmq_socket(ctx, ZMQ_PAIR), zmq_socket(ctx, ZMQ_PAIR)
    assert zmq_socket(ctx, ZMQ_PAIR) is None and zmq_errno() == EMFILE
    zmq_close(a)
    c = zmq_socket(ctx, ZMQ_PAIR)
    assert c is not None
    zmq_close(b)
    zmq_close(c)


def test_init_term_legacy() -> None:
    c = zmq_init(1)
    assert zmq_ctx_get(c, ZMQ_IO_THREADS) == 1
    assert zmq_term(c) == 0
    assert zmq_init(-1) is None and zmq_errno() == EINVAL
    c = zmq_ctx_new()
    assert zmq_ctx_destroy(c) == 0
    assert zmq_ctx_term(c) == -1 and zmq_errno() == EFAULT


def test_msg_family() -> None:
    m = zmq_msg_t()
    assert zmq_msg_size(m) == -1 and zmq_errno() == EFAULT  # uninitialised
    assert zmq_msg_init_size(m, 5) == 0
    data = zmq_msg_data(m)
    data[:] = b"hello"
    assert zmq_msg_size(m) == 5
    c = zmq_msg_t()
    zmq_msg_init(c)
    assert zmq_msg_copy(c, m) == 0
    assert bytes(zmq_msg_data(c)) == b"hello"
    d = zmq_msg_t()
    zmq_msg_init(d)
    assert zmq_msg_move(d, c) == 0
    assert zmq_msg_size(c) == 0 and bytes(zmq_msg_data(d)) == b"hello"
    assert zmq_msg_more(m) == 0
    assert zmq_msg_get(m, ZMQ_MORE) == 0
    assert zmq_msg_get(m, 99) == -1 and zmq_errno() == EINVAL
    assert zmq_msg_set(m, ZMQ_MORE, 1) == -1 and zmq_errno() == EINVAL
    for x in (m, c, d):
        assert zmq_msg_close(x) == 0
    assert zmq_msg_close(m) == -1 and zmq_errno() == EFAULT
    assert zmq_msg_init(None) == -1 and zmq_errno() == EFAULT


def test_msg_init_data_free_fn_called_once(ctx: Any) -> None:
    calls = []
    buf = bytearray(b"payload!")
    push, pull = zmq_socket(ctx, ZMQ_PUSH), zmq_socket(ctx, ZMQ_PULL)
    zmq_bind(pull, "inproc://free-fn")
    zmq_connect(push, "inproc://free-fn")
    m = zmq_msg_t()
    assert zmq_msg_init_data(m, buf, len(buf), lambda d, h: calls.append(h), "hint") == 0
    c = zmq_msg_t()
    zmq_msg_init(c)
    zmq_msg_copy(c, m)
    assert zmq_msg_send(m, push, 0) == 8
    assert zmq_msg_close(c) == 0
    assert calls == []  # still referenced by the message in flight
    r = zmq_msg_t()
    zmq_msg_init(r)
    assert zmq_msg_recv(r, pull, 0) == 8
    assert bytes(zmq_msg_data(r)) == b"payload!"
    zmq_msg_close(r)
    assert calls == ["hint"]
    zmq_close(push)
    zmq_close(pull)


def test_send_const_and_recv_truncation(ctx: Any) -> None:
    a, b = zmq_socket(ctx, ZMQ_PAIR), zmq_socket(ctx, ZMQ_PAIR)
    zmq_bind(a, "inproc://const")
    zmq_connect(b, "inproc://const")
    assert zmq_send_const(b, b"foobar", 6, ZMQ_SNDMORE) == 6
    assert zmq_send_const(b, b"xyz", 3, 0) == 3
    buf = bytearray(3)
    assert zmq_recv(a, buf, 3, 0) == 6  # full size returned, 3 bytes copied
    assert bytes(buf) == b"foo"
    assert zmq_getsockopt(a, ZMQ_RCVMORE) == 1
    assert zmq_recv(a, buf, 3, 0) == 3 and bytes(buf) == b"xyz"
    assert zmq_recv(a, b"readonly", 3, ZMQ_DONTWAIT) == -1 and zmq_errno() == EFAULT
    zmq_close(a)
    zmq_close(b)


def test_sendiov_recviov(ctx: Any) -> None:
    a, b = zmq_socket(ctx, ZMQ_PAIR), zmq_socket(ctx, ZMQ_PAIR)
    zmq_bind(a, "inproc://iov")
    zmq_connect(b, "inproc://iov")
    assert zmq_sendiov(b, [b"a", b"bb", b"ccc"], 3, ZMQ_SNDMORE) == 3
    assert zmq_recviov(a, 2, 0) == [b"a", b"bb"]
    assert zmq_recviov(a, 8, 0) == [b"ccc"]
    # without SNDMORE every iovec is its own message (4.0 behaviour)
    assert zmq_sendiov(b, [b"x", b"y"], 2, 0) == 1
    assert zmq_recviov(a, 8, 0) == [b"x"]
    assert zmq_recviov(a, 8, 0) == [b"y"]
    zmq_close(a)
    zmq_close(b)


def test_blocking_recv_interrupted_by_ctx_shutdown() -> None:
    c = zmq_ctx_new()
    s = zmq_socket(c, ZMQ_PULL)
    zmq_bind(s, "inproc://shutdown")
    result: list[int] = []

    def blocked() -> None:
        rc = zmq_recv(s, bytearray(4), 4, 0)
        result.append(rc)
        result.append(zmq_errno())

    t = threading.Thread(target=blocked)
    t.start()
    time.sleep(0.05)  # let it block (correctness does not depend on this)
    assert zmq_ctx_shutdown(c) == 0
    t.join(10)
    assert not t.is_alive()
    assert result == [-1, ETERM]
    assert zmq_bind(s, "inproc://later") == -1 and zmq_errno() == ETERM
    assert zmq_socket(c, ZMQ_PAIR) is None and zmq_errno() == ETERM
    assert zmq_close(s) == 0
    assert zmq_ctx_term(c) == 0


def test_ctx_term_blocks_until_sockets_closed() -> None:
    c = zmq_ctx_new()
    s = zmq_socket(c, ZMQ_PAIR)
    done = threading.Event()

    def term() -> None:
        zmq_ctx_term(c)
        done.set()

    t = threading.Thread(target=term)
    t.start()
    assert not done.wait(0.2)
    assert zmq_recv(s, bytearray(1), 1, 0) == -1 and zmq_errno() == ETERM
    zmq_close(s)
    assert done.wait(10)
    t.join()


def test_poll_sockets_and_fds(ctx: Any) -> None:
    import os

    a, b = zmq_socket(ctx, ZMQ_PAIR), zmq_socket(ctx, ZMQ_PAIR)
    zmq_bind(a, "inproc://poll")
    zmq_connect(b, "inproc://poll")
    r, w = os.pipe()
    try:
        items = [zmq_pollitem_t(socket=a, events=ZMQ_POLLIN),
                 zmq_pollitem_t(fd=r, events=ZMQ_POLLIN)]
        assert zmq_poll(items, 2, 0) == 0
        assert [i.revents for i in items] == [0, 0]
        zmq_send(b, b"x", 1, 0)
        assert zmq_poll(items, 2, 5000) == 1
        assert items[0].revents == ZMQ_POLLIN and items[1].revents == 0
        os.write(w, b"!")
        zmq_recv(a, bytearray(1), 1, 0)
        assert zmq_poll(items, 2, 5000) == 1
        assert items[0].revents == 0 and items[1].revents == ZMQ_POLLIN
        out = [zmq_pollitem_t(socket=b, events=ZMQ_POLLOUT)]
        assert zmq_poll(out, 1, 0) == 1 and out[0].revents == ZMQ_POLLOUT
        t0 = time.monotonic()
        assert zmq_poll(items[:1], 1, 100) == 0
        assert time.monotonic() - t0 >= 0.09
        assert zmq_poll([], 0, 10) == 0
        assert zmq_poll(items, -1, 0) == -1 and zmq_errno() == EINVAL
        assert zmq_poll(None, 1, 0) == -1 and zmq_errno() == EFAULT
    finally:
        os.close(r)
        os.close(w)


def test_poll_wakes_on_message_from_other_thread(ctx: Any) -> None:
    a, b = zmq_socket(ctx, ZMQ_PAIR), zmq_socket(ctx, ZMQ_PAIR)
    zmq_bind(a, "inproc://poll-thread")
    zmq_connect(b, "inproc://poll-thread")
    t = threading.Timer(0.1, lambda: zmq_send(b, b"wake", 4, 0))
    t.start()
    items = [zmq_pollitem_t(socket=a, events=ZMQ_POLLIN)]
    assert zmq_poll(items, 1, 10000) == 1
    t.join()


def test_utils() -> None:
    w = zmq_stopwatch_start()
    zmq_sleep(0)
    assert zmq_stopwatch_stop(w) >= 0
    out: list[int] = []
    th = zmq_threadstart(out.append, 7)
    zmq_threadclose(th)
    assert out == [7]


@pytest.mark.parametrize("endpoint,err", [
    ("inproc", EINVAL), ("inproc://", EINVAL), ("://x", EINVAL),
    ("foo://bar", EPROTONOSUPPORT), ("pgm://eth0;239.1.1.1:5555", EPROTONOSUPPORT),
])
def test_bad_endpoints(ctx: Any, endpoint: str, err: int) -> None:
    s = zmq_socket(ctx, ZMQ_PAIR)
    assert zmq_bind(s, endpoint) == -1 and zmq_errno() == err
    assert zmq_connect(s, endpoint) == -1 and zmq_errno() == err
    zmq_close(s)


def test_inproc_bind_twice_eaddrinuse(ctx: Any) -> None:
    a, b = zmq_socket(ctx, ZMQ_PAIR), zmq_socket(ctx, ZMQ_PAIR)
    assert zmq_bind(a, "inproc://dup") == 0
    assert zmq_bind(b, "inproc://dup") == -1 and zmq_errno() == EADDRINUSE
    assert zmq_unbind(a, "inproc://dup") == 0
    assert zmq_bind(b, "inproc://dup") == 0
    assert zmq_unbind(a, "inproc://nothing") == -1 and zmq_errno() == ENOENT
    zmq_close(a)
    zmq_close(b)
