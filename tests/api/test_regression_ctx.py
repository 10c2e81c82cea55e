"""The libzmq 4.0 regression suite (spec ZMQ40.md §7), context side, C style through
zmq4.capi: test_ctx_destroy (shutdown/term from another thread, §8.1), test_fork (§8.2),
test_many_sockets (§8.24), and blocking calls interrupted by signals (§1 "may return
EINTR").

tests/api/test_capi_basics.py already covers a recv blocked in one thread and ended by
zmq_ctx_shutdown, term blocking until the sockets are closed, and MAX_SOCKETS=2.
"""

# ruff: noqa: F405 - C names come from the star import, as in a ported C test
from __future__ import annotations

import os
import resource
import signal
import threading
import time
from typing import Any, Callable

import pytest
from _regression40 import (
    TIMEOUT, bind, close, connect, endpoint, fails_with, recv_seq, send_seq, setopt, sock,
)

from zmq4.capi import *  # noqa: F403 - the C names, as a ported C test reads

JOIN = TIMEOUT / 1000


def in_thread(fn: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run ``fn`` in a thread; its result (or (-1, errno)) lands in the list."""
    out: list[Any] = []

    def run() -> None:
        out.append(fn())

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, out


def call_errno(fn: Callable[[], Any]) -> Callable[[], tuple[Any, int]]:
    return lambda: (fn(), zmq_errno())


# ---------------------------------------------------------------------------- test_ctx_destroy

def test_ctx_destroy_after_close() -> None:
    """test_ctx_destroy: zmq_ctx_destroy after closing every socket returns 0; a second
    destroy of the freed context is EFAULT."""
    ctx = zmq_ctx_new()
    a, b = sock(ctx, ZMQ_PAIR), sock(ctx, ZMQ_PAIR)
    ep = endpoint("destroy")
    bind(a, ep)
    connect(b, ep)
    close(a, b)
    assert zmq_ctx_destroy(ctx) == 0
    assert fails_with(zmq_ctx_destroy(ctx), EFAULT)
    assert fails_with(zmq_ctx_shutdown(ctx), EFAULT)
    assert zmq_socket(ctx, ZMQ_PAIR) is None and zmq_errno() == EFAULT


@pytest.mark.parametrize("how", ["shutdown", "term"])
@pytest.mark.parametrize("blocked", ["recv", "send", "poll", "msg_recv"])
def test_blocking_call_ended_from_another_thread(how: str, blocked: str) -> None:
    """test_ctx_destroy / §8.1: a call blocked in one thread (recv, send on a PUSH
    without peers, zmq_poll, zmq_msg_recv) returns -1/ETERM at once when another thread
    calls zmq_ctx_shutdown or zmq_ctx_term; later calls on the socket are ETERM; then
    close + term complete."""
    ctx = zmq_ctx_new()
    kind = ZMQ_PUSH if blocked == "send" else ZMQ_PULL
    s = sock(ctx, kind, timeo=None)
    bind(s, endpoint("blocked"))
    started = threading.Event()

    def block() -> Any:
        started.set()
        if blocked == "recv":
            return zmq_recv(s, bytearray(8), 8, 0), zmq_errno()
        if blocked == "send":
            return zmq_send(s, b"x", 1, 0), zmq_errno()
        if blocked == "msg_recv":
            m = zmq_msg_t()
            zmq_msg_init(m)
            return zmq_msg_recv(m, s, 0), zmq_errno()
        items = [zmq_pollitem_t(socket=s, events=ZMQ_POLLIN)]
        return zmq_poll(items, 1, -1), zmq_errno()

    t, out = in_thread(block)
    assert started.wait(JOIN)
    if how == "shutdown":
        assert zmq_ctx_shutdown(ctx) == 0
        t.join(JOIN)
        assert not t.is_alive(), "the blocked call did not return after zmq_ctx_shutdown"
        assert out == [(-1, ETERM)]
        assert fails_with(zmq_recv(s, bytearray(1), 1, ZMQ_DONTWAIT), ETERM)
        assert fails_with(zmq_setsockopt(s, ZMQ_LINGER, 0), ETERM)
        assert zmq_socket(ctx, ZMQ_PAIR) is None and zmq_errno() == ETERM
        assert zmq_close(s) == 0
        assert zmq_ctx_term(ctx) == 0
    else:
        term, term_out = in_thread(lambda: zmq_ctx_term(ctx))
        t.join(JOIN)
        assert not t.is_alive(), "the blocked call did not return after zmq_ctx_term"
        assert out == [(-1, ETERM)]
        assert term.is_alive()  # term waits for the socket to be closed
        assert zmq_close(s) == 0
        term.join(JOIN)
        assert not term.is_alive() and term_out == [0]


def test_ctx_shutdown_quirks() -> None:
    """§1.2: zmq_ctx_shutdown before the first socket is a no-op (a later zmq_socket
    still succeeds); after a socket exists it makes zmq_socket fail with ETERM; repeated
    shutdowns are no-ops; zmq_ctx_term still frees the context."""
    ctx = zmq_ctx_new()
    assert zmq_ctx_shutdown(ctx) == 0
    s = zmq_socket(ctx, ZMQ_PAIR)
    assert s is not None
    assert zmq_ctx_shutdown(ctx) == 0
    assert zmq_ctx_shutdown(ctx) == 0
    assert zmq_socket(ctx, ZMQ_PAIR) is None and zmq_errno() == ETERM
    assert fails_with(zmq_bind(s, endpoint()), ETERM)
    assert fails_with(zmq_connect(s, endpoint()), ETERM)
    assert fails_with(zmq_getsockopt(s, ZMQ_TYPE), ETERM)
    assert fails_with(zmq_socket_monitor(s, endpoint(), ZMQ_EVENT_ALL), ETERM)
    assert zmq_close(s) == 0
    assert fails_with(zmq_close(s), ENOTSOCK)
    assert zmq_ctx_term(ctx) == 0


def test_ctx_term_many_threads_with_sockets() -> None:
    """§8.1 "usual pattern": several threads block on their own sockets; zmq_ctx_term in
    the main thread makes each see ETERM, each closes its socket, term returns."""
    ctx = zmq_ctx_new()
    ep = endpoint("workers")
    results: list[tuple[int, int]] = []
    lock = threading.Lock()
    ready = threading.Barrier(9)

    def worker(kind: int, bind_it: bool) -> None:
        s = sock(ctx, kind, linger=-1, timeo=None)
        if bind_it:
            bind(s, ep)
        else:
            connect(s, ep)
        ready.wait(JOIN)
        rc = zmq_recv(s, bytearray(4), 4, 0)
        err = zmq_errno()
        assert zmq_close(s) == 0
        with lock:
            results.append((rc, err))

    threads = [threading.Thread(target=worker, args=(ZMQ_PULL, True))]
    threads += [threading.Thread(target=worker, args=(ZMQ_DEALER, False)) for _ in range(7)]
    for t in threads:
        t.start()
    ready.wait(JOIN)
    term, out = in_thread(lambda: zmq_ctx_term(ctx))
    term.join(JOIN * 2)
    assert not term.is_alive() and out == [0]
    for t in threads:
        t.join(JOIN)
    assert results == [(-1, ETERM)] * 8


def test_ctx_term_with_connect_only_socket() -> None:
    """test_inproc_connect: a socket that only connected to a never-bound inproc name
    (with queued messages and infinite linger) does not make zmq_ctx_term hang once it
    is closed."""
    ctx = zmq_ctx_new()
    s = sock(ctx, ZMQ_PUSH, linger=-1)
    connect(s, endpoint("never-bound"))
    assert zmq_send(s, b"queued", 6, 0) == 6
    close(s)
    term, out = in_thread(lambda: zmq_ctx_term(ctx))
    term.join(JOIN)
    assert not term.is_alive() and out == [0]


# ---------------------------------------------------------------------------- test_fork

def _wait_child(pid: int, timeout: float = 20.0) -> int:
    """os.waitpid with a timeout guard: a hanging child is killed and the test fails."""
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail("forked child hung (killed)")
        time.sleep(0.01)


def _child(body: Callable[[], None]) -> None:
    """Run ``body`` in the child; exit 0 on success, 1 on any failure; never return."""
    code = 1
    try:
        signal.alarm(15)  # a hang in the child ends the child, not the test run
        body()
        code = 0
    except BaseException:  # noqa: B036 - report through the exit status
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


def _fresh_context_round_trip(n: int = 5) -> None:
    ctx = zmq_ctx_new()
    ep = endpoint("child")
    pull = sock(ctx, ZMQ_PULL)
    bind(pull, ep)
    push = sock(ctx, ZMQ_PUSH)
    connect(push, ep)
    for i in range(n):
        send_seq(push, b"child %d" % i)
    for i in range(n):
        recv_seq(pull, b"child %d" % i)
    close(push, pull)
    assert zmq_ctx_term(ctx) == 0


def test_fork_child_uses_its_own_context() -> None:
    """test_fork: the parent has a context with a connected inproc pair; the forked
    child closes the inherited sockets and terminates the inherited context without
    hanging, creates a fresh context, uses it (5 messages) and terminates it, exit 0.
    The parent's sockets are untouched by all this."""
    ctx = zmq_ctx_new()
    ep = endpoint("parent")
    pull = sock(ctx, ZMQ_PULL)
    bind(pull, ep)
    push = sock(ctx, ZMQ_PUSH)
    connect(push, ep)
    send_seq(push, b"before fork")

    def child() -> None:
        assert zmq_close(pull) == 0
        assert zmq_close(push) == 0
        rc = zmq_ctx_term(ctx)
        assert rc == 0 or fails_with(rc, EINTR)
        _fresh_context_round_trip()

    pid = os.fork()
    if pid == 0:
        _child(child)
    assert _wait_child(pid) == 0
    # the parent's pair still works and still holds its message
    recv_seq(pull, b"before fork")
    send_seq(push, b"after fork")
    recv_seq(pull, b"after fork")
    assert fails_with(zmq_recv(pull, bytearray(16), 16, ZMQ_DONTWAIT), EAGAIN)
    close(push, pull)
    assert zmq_ctx_term(ctx) == 0


def test_fork_child_terms_inherited_context_with_open_sockets() -> None:
    """§8.2: in a forked child zmq_ctx_term of an inherited context returns without
    waiting for the parent's sockets (which the child never closed), even with a
    message queued under infinite linger; the child then works with a new context."""
    ctx = zmq_ctx_new()
    ep = endpoint("parent")
    push = sock(ctx, ZMQ_PUSH, linger=-1)
    connect(push, ep)  # never bound: the queued message could linger forever
    assert zmq_send(push, b"stuck", 5, 0) == 5

    def child() -> None:
        rc = zmq_ctx_term(ctx)
        assert rc == 0 or fails_with(rc, EINTR)
        _fresh_context_round_trip()

    pid = os.fork()
    if pid == 0:
        _child(child)
    assert _wait_child(pid) == 0
    pull = sock(ctx, ZMQ_PULL)
    bind(pull, ep)
    recv_seq(pull, b"stuck")  # the parent's queue survived the child's term
    close(push, pull)
    assert zmq_ctx_term(ctx) == 0


def test_fork_child_blocked_parent_thread_context() -> None:
    """§8.2: the child inherits a context whose socket is blocked in a recv in another
    parent thread (a thread the child does not have); the child's zmq_ctx_term still
    returns at once, and the parent's blocked thread is not disturbed."""
    ctx = zmq_ctx_new()
    ep = endpoint("parent")
    pull = sock(ctx, ZMQ_PULL, timeo=None)
    bind(pull, ep)
    push = sock(ctx, ZMQ_PUSH)
    connect(push, ep)
    t, out = in_thread(lambda: (zmq_recv(pull, bytearray(8), 8, 0), zmq_errno()))

    def child() -> None:
        rc = zmq_ctx_term(ctx)
        assert rc == 0 or fails_with(rc, EINTR)
        _fresh_context_round_trip(1)

    pid = os.fork()
    if pid == 0:
        _child(child)
    assert _wait_child(pid) == 0
    assert t.is_alive() and out == []
    send_seq(push, b"wake")
    t.join(JOIN)
    assert out == [(4, 0)] or (out and out[0][0] == 4)
    close(push, pull)
    assert zmq_ctx_term(ctx) == 0


# ---------------------------------------------------------------------------- test_many_sockets

def test_many_sockets_default_limit() -> None:
    """test_many_sockets: with defaults exactly ZMQ_MAX_SOCKETS_DFLT sockets can be
    created, the next one fails with EMFILE (and keeps failing); closing one frees a
    slot."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < ZMQ_MAX_SOCKETS_DFLT + 64:
        pytest.skip(f"RLIMIT_NOFILE {soft} is below ZMQ_MAX_SOCKETS_DFLT")
    ctx = zmq_ctx_new()
    assert zmq_ctx_get(ctx, ZMQ_MAX_SOCKETS) == ZMQ_MAX_SOCKETS_DFLT
    socks = []
    try:
        for _ in range(ZMQ_MAX_SOCKETS_DFLT):
            s = zmq_socket(ctx, ZMQ_PAIR)
            assert s is not None, zmq_strerror(zmq_errno())
            socks.append(s)
        for _ in range(3):
            assert zmq_socket(ctx, ZMQ_PAIR) is None and zmq_errno() == EMFILE
        close(socks.pop())
        s = zmq_socket(ctx, ZMQ_PAIR)
        assert s is not None
        socks.append(s)
    finally:
        close(*socks)
        assert zmq_ctx_term(ctx) == 0


def test_many_sockets_os_limit() -> None:
    """test_many_sockets: with MAX_SOCKETS far above what the OS allows, socket creation
    fails (NULL + EMFILE) before the configured limit, keeps failing, and leaves the
    context usable once sockets are closed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    in_use = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 64
    limit = in_use + 40
    if limit > soft:
        pytest.skip("cannot lower RLIMIT_NOFILE for the test")
    ctx = zmq_ctx_new()
    assert zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 131072) == 0
    socks: list[Any] = []
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
    try:
        while len(socks) < 1000:
            s = zmq_socket(ctx, ZMQ_PAIR)
            if s is None:
                break
            socks.append(s)
        assert zmq_errno() == EMFILE
        assert 0 < len(socks) < 1000
        for _ in range(3):
            assert zmq_socket(ctx, ZMQ_PAIR) is None and zmq_errno() == EMFILE
    finally:
        for s in socks:
            zmq_close(s)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    s = zmq_socket(ctx, ZMQ_PAIR)
    assert s is not None
    close(s)
    assert zmq_ctx_term(ctx) == 0


# ---------------------------------------------------------------------------- signals (EINTR)

class Alarm(Exception):
    """What the test's SIGALRM handler raises."""


# KeyboardInterrupt is what Ctrl-C raises; Alarm stands for any other exception a
# handler raises. Both must come out of the C face as -1/EINTR.
SIGNAL_EXCEPTIONS = [
    pytest.param(KeyboardInterrupt, id="KeyboardInterrupt"),
    pytest.param(Alarm, id="Alarm"),
]


@pytest.fixture
def alarm() -> Any:
    """``arm(seconds, exc)``: SIGALRM after ``seconds``, its handler raising ``exc``.
    The previous handler and timer are restored afterwards."""
    raised: list[type[BaseException]] = []

    def arm(seconds: float, exc: type[BaseException] = Alarm) -> None:
        raised[:] = [exc]
        signal.setitimer(signal.ITIMER_REAL, seconds)

    def handler(signum: int, frame: Any) -> None:
        raise raised[0]()

    old = signal.signal(signal.SIGALRM, handler)
    try:
        yield arm
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("exc", SIGNAL_EXCEPTIONS)
def test_signal_interrupts_blocking_recv(ctx: Any, alarm: Any, exc: type) -> None:
    """§1 "Any call that processes the socket's command mailbox may return EINTR if a
    signal interrupted a wait": a zmq_recv blocked forever is interrupted by SIGALRM whose
    Python handler raises — the call returns -1 with zmq_errno() == EINTR (the C face
    never lets the exception out); the socket stays usable."""
    ep = endpoint("eintr")
    pull = sock(ctx, ZMQ_PULL, timeo=None)
    bind(pull, ep)
    alarm(0.1, exc)
    t0 = time.monotonic()
    rc = zmq_recv(pull, bytearray(8), 8, 0)
    assert rc == -1 and zmq_errno() == EINTR, (rc, zmq_strerror(zmq_errno()))
    assert time.monotonic() - t0 < JOIN
    push = sock(ctx, ZMQ_PUSH)
    connect(push, ep)
    send_seq(push, b"after")
    setopt(pull, ZMQ_RCVTIMEO, TIMEOUT)
    recv_seq(pull, b"after")
    close(push, pull)


@pytest.mark.parametrize("exc", SIGNAL_EXCEPTIONS)
@pytest.mark.parametrize("call", ["send", "poll", "msg_recv", "recviov"])
def test_signal_interrupts_other_blocking_calls(ctx: Any, alarm: Any, call: str,
                                                exc: type) -> None:
    """EINTR from the other blocking calls: a send on a PUSH without peers, zmq_poll with
    an infinite timeout, zmq_msg_recv, zmq_recviov."""
    s = sock(ctx, ZMQ_PUSH if call == "send" else ZMQ_PULL, timeo=None)
    bind(s, endpoint("eintr"))
    alarm(0.1, exc)
    if call == "send":
        rc = zmq_send(s, b"x", 1, 0)
    elif call == "poll":
        rc = zmq_poll([zmq_pollitem_t(socket=s, events=ZMQ_POLLIN)], 1, -1)
    elif call == "msg_recv":
        m = zmq_msg_t()
        zmq_msg_init(m)
        rc = zmq_msg_recv(m, s, 0)
    else:
        rc = zmq_recviov(s, 4, 0)
    assert rc == -1 and zmq_errno() == EINTR, (rc, zmq_strerror(zmq_errno()))
    close(s)


@pytest.mark.parametrize("exc", SIGNAL_EXCEPTIONS)
def test_signal_interrupts_ctx_term_which_is_restartable(alarm: Any, exc: type) -> None:
    """§1.2: zmq_ctx_term blocked on an open socket returns -1/EINTR when a signal
    interrupts it, and can be called again; once the socket is closed it returns 0."""
    ctx = zmq_ctx_new()
    s = sock(ctx, ZMQ_PAIR)
    alarm(0.1, exc)
    rc = zmq_ctx_term(ctx)
    assert rc == -1 and zmq_errno() == EINTR, (rc, zmq_strerror(zmq_errno()))
    # the context is terminating: the socket sees ETERM, then is closed
    assert fails_with(zmq_recv(s, bytearray(1), 1, 0), ETERM)
    assert zmq_close(s) == 0
    assert zmq_ctx_term(ctx) == 0
