"""The libzmq 4.0 regression suite (spec ZMQ40.md §7), inproc endpoints, C style through
zmq4.capi: test_inproc_connect (all payloads via zmq_send_const, as the original),
test_disconnect_inproc, test_unbind_inproc (§4.4, §4.6).

tests/api/test_capi_basics.py already covers unbind returning 0 / ENOENT and a second
bind being EADDRINUSE.
"""

# ruff: noqa: F405 - C names come from the star import, as in a ported C test
from __future__ import annotations

import threading
import time
from typing import Any

from _regression40 import (
    TIMEOUT, bind, bounce, close, connect, endpoint, fails_with, poll_in, recv_msg,
    recv_seq, setopt, sock,
)

from zmq4.capi import *  # noqa: F403 - the C names, as a ported C test reads

JOIN = TIMEOUT / 1000


def send_const_seq(s: Any, *frames: bytes) -> None:
    for i, frame in enumerate(frames):
        more = ZMQ_SNDMORE if i < len(frames) - 1 else 0
        assert zmq_send_const(s, frame, len(frame), more) == len(frame), \
            zmq_strerror(zmq_errno())


# ---------------------------------------------------------------------------- test_inproc_connect

def test_bind_before_connect(ctx: Any) -> None:
    """test_inproc_connect: bind first, then connect; a message crosses."""
    ep = endpoint("ic")
    sb = sock(ctx, ZMQ_PAIR)
    bind(sb, ep)
    sc = sock(ctx, ZMQ_PAIR)
    connect(sc, ep)
    send_const_seq(sc, b"foobar")
    recv_seq(sb, b"foobar")
    close(sc, sb)


def test_connect_before_bind(ctx: Any) -> None:
    """test_inproc_connect: connect first and queue a message; the later bind gets it,
    and traffic flows both ways afterwards."""
    ep = endpoint("ic")
    sc = sock(ctx, ZMQ_PAIR)
    connect(sc, ep)
    send_const_seq(sc, b"foobar")
    sb = sock(ctx, ZMQ_PAIR)
    bind(sb, ep)
    recv_seq(sb, b"foobar")
    bounce(sb, sc)
    close(sc, sb)


def test_connect_before_bind_pub_sub(ctx: Any) -> None:
    """test_inproc_connect: a PUB that connects before the SUB binds drops what it
    publishes before the bind (no subscription yet) but delivers later messages once
    the subscription arrived."""
    ep = endpoint("ic")
    pub = sock(ctx, ZMQ_PUB)
    connect(pub, ep)
    send_const_seq(pub, b"before")  # nobody subscribed: dropped
    sub = sock(ctx, ZMQ_SUB)
    setopt(sub, ZMQ_SUBSCRIBE, b"")
    bind(sub, ep)
    deadline = time.monotonic() + JOIN
    while True:  # publish until the subscription has reached the PUB
        send_const_seq(pub, b"after")
        if poll_in([sub], 10):
            break
        assert time.monotonic() < deadline, "subscription never reached the PUB"
    assert recv_msg(sub) == [b"after"]  # never "before"
    close(pub, sub)


def test_multiple_connects_before_bind(ctx: Any) -> None:
    """test_inproc_connect: 10 PUSHes connect before the PULL binds, each queues one
    message; the PULL gets all 10."""
    ep = endpoint("ic")
    pushes = []
    for i in range(10):
        s = sock(ctx, ZMQ_PUSH)
        connect(s, ep)
        send_const_seq(s, b"%d" % i)
        pushes.append(s)
    pull = sock(ctx, ZMQ_PULL)
    bind(pull, ep)
    got = sorted(int(recv_msg(pull)[0]) for _ in range(10))
    assert got == list(range(10))
    assert fails_with(zmq_recv(pull, bytearray(4), 4, ZMQ_DONTWAIT), EAGAIN)
    close(pull, *pushes)


def _concurrent_pushers(ctx: Any, ep: str, n: int, per_thread: int) -> list[threading.Thread]:
    start = threading.Barrier(n)
    errors: list[str] = []

    def pusher(i: int) -> None:
        s = zmq_socket(ctx, ZMQ_PUSH)
        try:
            start.wait(JOIN)
            assert zmq_connect(s, ep) == 0
            for k in range(per_thread):
                payload = b"%d:%d" % (i, k)
                assert zmq_send_const(s, payload, len(payload), 0) == len(payload)
        except BaseException as e:  # noqa: B036 - reported by the main thread
            errors.append(f"pusher {i}: {e!r} errno={zmq_errno()}")
        finally:
            zmq_close(s)  # default linger: queued messages still reach the PULL

    threads = [threading.Thread(target=pusher, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    threads.append(errors)  # type: ignore[arg-type]
    return threads


def test_thirty_threads_connect_concurrently(ctx: Any) -> None:
    """test_inproc_connect (multiple threads): 30 threads each create a PUSH, connect it
    concurrently to one bound PULL and send; every message arrives."""
    ep = endpoint("ic")
    pull = sock(ctx, ZMQ_PULL)
    bind(pull, ep)
    n, per = 30, 20
    *threads, errors = _concurrent_pushers(ctx, ep, n, per)
    got = set()
    for _ in range(n * per):
        got.add(recv_msg(pull)[0])
    for t in threads:
        t.join(JOIN)
        assert not t.is_alive()
    assert errors == []
    assert got == {b"%d:%d" % (i, k) for i in range(n) for k in range(per)}
    assert fails_with(zmq_recv(pull, bytearray(8), 8, ZMQ_DONTWAIT), EAGAIN)
    close(pull)


def test_thirty_threads_connect_while_binding(ctx: Any) -> None:
    """The same 30 connecting threads racing the bind itself (some connects land before
    it, some after); nothing is lost either way."""
    ep = endpoint("ic")
    n, per = 30, 5
    *threads, errors = _concurrent_pushers(ctx, ep, n, per)
    pull = sock(ctx, ZMQ_PULL)
    bind(pull, ep)
    got = {recv_msg(pull)[0] for _ in range(n * per)}
    for t in threads:
        t.join(JOIN)
    assert errors == []
    assert got == {b"%d:%d" % (i, k) for i in range(n) for k in range(per)}
    close(pull)


def test_concurrent_bind_connect_pairs(ctx: Any) -> None:
    """test_inproc_connect (simultaneous connect/bind): 50 pairs of threads, one binding
    and one connecting the same name in no particular order; each pair exchanges a
    message."""
    n = 50
    results: list[bytes] = []
    errors: list[str] = []
    lock = threading.Lock()
    names = [endpoint("pair") for _ in range(n)]

    def binder(i: int) -> None:
        s = zmq_socket(ctx, ZMQ_PULL)
        try:
            assert zmq_setsockopt(s, ZMQ_RCVTIMEO, TIMEOUT) == 0
            assert zmq_bind(s, names[i]) == 0
            buf = bytearray(16)
            rc = zmq_recv(s, buf, 16, 0)
            assert rc > 0, zmq_strerror(zmq_errno())
            with lock:
                results.append(bytes(buf[:rc]))
        except BaseException as e:  # noqa: B036
            errors.append(f"binder {i}: {e!r}")
        finally:
            zmq_close(s)

    def connecter(i: int) -> None:
        s = zmq_socket(ctx, ZMQ_PUSH)
        try:
            assert zmq_connect(s, names[i]) == 0
            payload = b"pair %d" % i
            assert zmq_send_const(s, payload, len(payload), 0) == len(payload)
        except BaseException as e:  # noqa: B036
            errors.append(f"connecter {i}: {e!r}")
        finally:
            zmq_close(s)

    threads = []
    for i in range(n):
        threads.append(threading.Thread(target=binder, args=(i,)))
        threads.append(threading.Thread(target=connecter, args=(i,)))
    for t in threads:
        t.start()
    for t in threads:
        t.join(JOIN * 2)
        assert not t.is_alive()
    assert errors == []
    assert sorted(results) == sorted(b"pair %d" % i for i in range(n))


def test_identity_and_more_connect_before_bind(ctx: Any) -> None:
    """test_inproc_connect (routing): a DEALER with an identity connects before the
    ROUTER binds; the ROUTER sees the identity and the MORE flags, and routes a reply
    back."""
    ep = endpoint("ic")
    dealer = sock(ctx, ZMQ_DEALER, IDENTITY=b"Client")
    connect(dealer, ep)
    send_const_seq(dealer, b"Hello", b"World")
    router = sock(ctx, ZMQ_ROUTER)
    bind(router, ep)
    assert recv_msg(router) == [b"Client", b"Hello", b"World"]
    send_const_seq(router, b"Client", b"Reply")
    recv_seq(dealer, b"Reply")
    close(dealer, router)


def test_unbound_connect_then_ctx_term() -> None:
    """test_inproc_connect: a socket that connected to a name nobody binds is closed;
    zmq_ctx_term returns (no hang waiting for a bind)."""
    ctx = zmq_ctx_new()
    s = zmq_socket(ctx, ZMQ_PAIR)
    connect(s, endpoint("never"))
    close(s)
    done = threading.Event()
    rc: list[int] = []
    t = threading.Thread(target=lambda: (rc.append(zmq_ctx_term(ctx)), done.set()))
    t.start()
    assert done.wait(JOIN)
    assert rc == [0]


# ---------------------------------------------------------------------------- test_disconnect_inproc

def test_disconnect_inproc(ctx: Any) -> None:
    """test_disconnect_inproc: XPUB bound on inproc, SUB subscribed to "foo" before it
    connects. Driven by zmq_poll: the XPUB gets ``\\x01foo`` after the connect, publishes
    three 2-part messages which the SUB receives, then the SUB disconnects and the XPUB
    gets ``\\x00foo``."""
    ep = endpoint("disc")
    pub = sock(ctx, ZMQ_XPUB)
    sub = sock(ctx, ZMQ_SUB)
    setopt(sub, ZMQ_SUBSCRIBE, b"foo")
    bind(pub, ep)
    connect(sub, ep)
    items = [zmq_pollitem_t(socket=sub, events=ZMQ_POLLIN),
             zmq_pollitem_t(socket=pub, events=ZMQ_POLLIN)]
    more_to_send = 3
    received = 0
    subscribed = unsubscribed = False
    deadline = time.monotonic() + JOIN
    while not unsubscribed:
        assert time.monotonic() < deadline, "test_disconnect_inproc made no progress"
        assert zmq_poll(items, 2, 100) >= 0
        if items[0].revents & ZMQ_POLLIN:
            frames = recv_msg(sub)
            assert frames == [b"foo", b"this is foo!"]
            received += 1
            if received == 3:
                assert zmq_disconnect(sub, ep) == 0
        if items[1].revents & ZMQ_POLLIN:
            frames = recv_msg(pub)
            assert len(frames) == 1
            if frames[0][0] == 1:
                assert frames[0] == b"\x01foo" and not subscribed
                subscribed = True
            else:
                assert frames[0] == b"\x00foo" and received == 3
                unsubscribed = True
        if subscribed and more_to_send:
            assert zmq_send(pub, b"foo", 3, ZMQ_SNDMORE) == 3
            assert zmq_send(pub, b"this is foo!", 12, 0) == 12
            more_to_send -= 1
    assert received == 3
    # disconnecting again is ENOENT; the SUB hears nothing more
    assert fails_with(zmq_disconnect(sub, ep), ENOENT)
    assert zmq_send(pub, b"foo", 3, 0) == 3
    assert fails_with(zmq_recv(sub, bytearray(8), 8, ZMQ_DONTWAIT), EAGAIN)
    close(pub, sub)


def test_disconnect_inproc_pending_and_errors(ctx: Any) -> None:
    """§4.6: disconnecting a connect-before-bind endpoint cancels it (a later binder gets
    nothing from it); a malformed endpoint is EINVAL, an unknown transport
    EPROTONOSUPPORT, a name never connected ENOENT."""
    ep = endpoint("disc")
    push = sock(ctx, ZMQ_PUSH)
    connect(push, ep)
    assert zmq_send(push, b"lost", 4, 0) == 4
    assert zmq_disconnect(push, ep) == 0
    pull = sock(ctx, ZMQ_PULL)
    bind(pull, ep)
    assert fails_with(zmq_recv(pull, bytearray(4), 4, ZMQ_DONTWAIT), EAGAIN)
    assert fails_with(zmq_disconnect(push, "inproc"), EINVAL)
    assert fails_with(zmq_disconnect(push, "bogus://x"), EPROTONOSUPPORT)
    assert fails_with(zmq_disconnect(push, endpoint("never")), ENOENT)
    close(push, pull)


# ---------------------------------------------------------------------------- test_unbind_inproc

def test_unbind_inproc(ctx: Any) -> None:
    """test_unbind_inproc: zmq_unbind of a bound inproc name returns 0. The name is free
    again (another socket can bind it), connections made before the unbind keep working,
    and a second unbind is ENOENT."""
    ep = endpoint("unbind")
    sb = sock(ctx, ZMQ_PAIR)
    bind(sb, ep)
    sc = sock(ctx, ZMQ_PAIR)
    connect(sc, ep)
    bounce(sb, sc)
    assert zmq_unbind(sb, ep) == 0
    assert fails_with(zmq_unbind(sb, ep), ENOENT)
    bounce(sb, sc)  # the existing connection survives the unbind
    other = sock(ctx, ZMQ_PAIR)
    bind(other, ep)  # the name can be bound again
    late = sock(ctx, ZMQ_PAIR)
    connect(late, ep)
    bounce(other, late)
    close(sb, sc, other, late)


def test_unbind_inproc_then_connect_waits_for_new_binder(ctx: Any) -> None:
    """After zmq_unbind a connect to the name is a connect-before-bind again: its queued
    message goes to whoever binds the name next, not to the old binder."""
    ep = endpoint("unbind")
    old = sock(ctx, ZMQ_PULL)
    bind(old, ep)
    assert zmq_unbind(old, ep) == 0
    push = sock(ctx, ZMQ_PUSH)
    connect(push, ep)
    assert zmq_send(push, b"next", 4, 0) == 4
    assert fails_with(zmq_recv(old, bytearray(4), 4, ZMQ_DONTWAIT), EAGAIN)
    new = sock(ctx, ZMQ_PULL)
    bind(new, ep)
    recv_seq(new, b"next")
    assert fails_with(zmq_recv(old, bytearray(4), 4, ZMQ_DONTWAIT), EAGAIN)
    close(old, push, new)
