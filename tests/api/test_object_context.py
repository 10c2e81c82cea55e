"""zmq4.Context: sockets, term/destroy, instance (fork-aware), context manager, options as
attributes, default socket options, underlying/shadow, and the bounded exit."""

from __future__ import annotations

import copy
import gc
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import warnings
from collections.abc import Iterator

import pytest
from support import TRANSPORTS, bind_address

import zmq4 as zmq

TIMEOUT_MS = 10000
ALL_TYPES = [zmq.PAIR, zmq.PUB, zmq.SUB, zmq.REQ, zmq.REP, zmq.DEALER, zmq.ROUTER, zmq.PULL,
             zmq.PUSH, zmq.XPUB, zmq.XSUB, zmq.STREAM]


@pytest.fixture
def context() -> Iterator[zmq.Context]:
    ctx = zmq.Context()
    yield ctx
    ctx.destroy(linger=0)


def bind_to(sock: zmq.Socket, transport: str) -> str:
    sock.bind(bind_address(transport))
    return bytes(sock.last_endpoint).decode()


# ---------------------------------------------------------------------------- sockets

@pytest.mark.parametrize("kind", ALL_TYPES)
def test_socket_of_every_type(context: zmq.Context, kind: int) -> None:
    s = context.socket(kind)
    assert isinstance(s, zmq.Socket)
    assert s.type == kind and isinstance(s.type, zmq.SocketType)
    assert s.context is context
    assert not s.closed
    s.close()
    assert s.closed


def test_socket_argument_errors(context: zmq.Context) -> None:
    with pytest.raises(TypeError, match="socket_type"):
        context.socket("PUSH")  # type: ignore[arg-type]
    with pytest.raises(zmq.ZMQError) as exc:
        context.socket(99)
    assert exc.value.errno == zmq.EINVAL
    with pytest.raises(TypeError):
        zmq.Socket(None, zmq.PUSH)
    with pytest.raises(TypeError, match="socket_type"):
        zmq.Socket(context)


def test_socket_class_argument(context: zmq.Context) -> None:
    class MySocket(zmq.Socket):
        pass

    s = context.socket(zmq.PAIR, socket_class=MySocket)
    assert type(s) is MySocket
    s.close()


def test_repr(context: zmq.Context) -> None:
    assert "zmq4.Context()" in repr(context)
    s = context.socket(zmq.PUSH)
    assert "1 socket" in repr(context)
    assert "zmq4.PUSH" in repr(s)
    s.close()
    assert "closed" in repr(s)
    context.term()
    assert "closed" in repr(context)


def test_max_sockets(context: zmq.Context) -> None:
    context.max_sockets = 2
    a = context.socket(zmq.PAIR)
    b = context.socket(zmq.PAIR)
    with pytest.raises(zmq.ZMQError) as exc:
        context.socket(zmq.PAIR)
    assert exc.value.errno == zmq.EMFILE
    a.close()
    c = context.socket(zmq.PAIR)
    b.close()
    c.close()


# ---------------------------------------------------------------------------- termination

def test_term_is_idempotent_and_closes_the_context() -> None:
    ctx = zmq.Context()
    s = ctx.socket(zmq.PAIR)
    s.close()
    assert not ctx.closed
    ctx.term()
    assert ctx.closed
    ctx.term()  # no-op
    with pytest.raises(zmq.ZMQError) as exc:
        ctx.socket(zmq.PAIR)
    assert exc.value.errno == zmq.ENOTSUP
    with pytest.raises(zmq.ZMQError):
        ctx.get(zmq.IO_THREADS)
    with pytest.raises(zmq.ZMQError):
        ctx.set(zmq.MAX_SOCKETS, 5)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_term_interrupts_a_blocking_recv_in_another_thread(transport: str) -> None:
    ctx = zmq.Context()
    pull = ctx.socket(zmq.PULL)
    bind_to(pull, transport)
    seen: list[BaseException] = []
    started = threading.Event()

    def worker() -> None:
        started.set()
        try:
            pull.recv()
        except zmq.ZMQError as e:
            seen.append(e)
        finally:
            pull.close()

    t = threading.Thread(target=worker)
    t.start()
    started.wait(5)
    ctx.term()  # returns once the worker has closed its socket
    t.join(10)
    assert not t.is_alive()
    assert len(seen) == 1 and isinstance(seen[0], zmq.ContextTerminated)
    assert seen[0].errno == zmq.ETERM
    assert ctx.closed


def test_destroy_closes_sockets_and_sets_linger() -> None:
    ctx = zmq.Context()
    socks = [ctx.socket(t) for t in (zmq.PUSH, zmq.PULL, zmq.PUB)]
    push = socks[0]
    push.connect("inproc://destroy-never-bound")
    push.send(b"pending", zmq.DONTWAIT)  # queued for a peer that never comes
    ctx.destroy(linger=0)
    assert ctx.closed
    assert all(s.closed for s in socks)
    ctx.destroy()  # idempotent


def test_destroy_argument_error(context: zmq.Context) -> None:
    with pytest.raises(TypeError, match="linger"):
        context.destroy(linger="0")  # type: ignore[arg-type]


def test_destroy_with_linger_zero_does_not_wait_for_an_absent_peer() -> None:
    ctx = zmq.Context()
    push = ctx.socket(zmq.PUSH)
    push.connect("tcp://127.0.0.1:9")  # discard port: nobody listens
    push.send(b"never delivered")
    t0 = time.monotonic()
    ctx.destroy(linger=0)
    assert time.monotonic() - t0 < 5


def test_context_manager_destroys_and_warns_about_open_sockets() -> None:
    with pytest.warns(ResourceWarning, match="unclosed socket"):
        with zmq.Context() as ctx:
            s = ctx.socket(zmq.PUSH)
            s.linger = 0
    assert ctx.closed and s.closed


def test_context_manager_clean_exit_is_quiet() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with zmq.Context() as ctx, ctx.socket(zmq.PAIR) as s:
            s.bind("inproc://quiet")
        assert s.closed
    assert ctx.closed


def test_garbage_collected_context_is_destroyed_with_a_warning() -> None:
    def make() -> None:
        ctx = zmq.Context()
        s = ctx.socket(zmq.PAIR)
        s.linger = 0

    with pytest.warns(ResourceWarning):
        make()
        gc.collect()


# ---------------------------------------------------------------------------- instance

def test_instance_is_a_per_process_singleton() -> None:
    a = zmq.Context.instance()
    assert zmq.Context.instance() is a
    a.term()
    b = zmq.Context.instance()
    assert b is not a and not b.closed
    b.term()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_instance_after_fork_is_new() -> None:
    parent = zmq.Context.instance()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        try:
            child = zmq.Context.instance()
            ok = child is not parent and not child.closed
            s = child.socket(zmq.PAIR)
            s.close()
            child.term()
            os.write(w, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(w)
    _, status = os.waitpid(pid, 0)
    answer = os.read(r, 1)
    os.close(r)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert answer == b"1"
    assert zmq.Context.instance() is parent
    parent.term()


# ---------------------------------------------------------------------------- options

def test_context_options_as_attributes(context: zmq.Context) -> None:
    assert context.io_threads == 1
    assert context.max_sockets == 1023
    context.max_sockets = 100
    assert context.max_sockets == 100
    assert context.get(zmq.MAX_SOCKETS) == 100
    context.set(zmq.IO_THREADS, 2)
    assert context.get(zmq.ContextOption.IO_THREADS) == 2
    context.set(zmq.IPV6, 1)  # zmq_ctx_set(ZMQ_IPV6) as in C
    assert context.get(zmq.IPV6) == 1
    assert "io_threads" in dir(context)


def test_context_option_errors(context: zmq.Context) -> None:
    with pytest.raises(TypeError, match="ZMQ_IO_THREADS"):
        context.io_threads = "2"
    with pytest.raises(TypeError):
        context.set("IO_THREADS", 1)  # type: ignore[arg-type]
    with pytest.raises(zmq.ZMQError) as exc:
        context.max_sockets = 0
    assert exc.value.errno == zmq.EINVAL
    with pytest.raises(zmq.ZMQError) as exc:
        context.set(999, 1)
    assert exc.value.errno == zmq.EINVAL
    with pytest.raises(AttributeError, match="no such option"):
        context.no_such_option = 1
    with pytest.raises(AttributeError):
        context.no_such_option  # noqa: B018
    with pytest.raises(TypeError):
        zmq.Context(io_threads="1")  # type: ignore[arg-type]


def test_io_threads_constructor_argument() -> None:
    ctx = zmq.Context(2)
    assert ctx.io_threads == 2
    ctx.term()


def test_default_socket_options_apply_to_new_sockets(context: zmq.Context) -> None:
    context.linger = 0
    context.rcvhwm = 7
    context.subscribe = b""  # only SUB sockets take it; the others skip it
    assert context.linger == 0 and context.rcvhwm == 7
    assert context.getsockopt(zmq.LINGER) == 0
    push = context.socket(zmq.PUSH)
    assert push.linger == 0 and push.rcvhwm == 7
    pub = context.socket(zmq.PUB)
    sub = context.socket(zmq.SUB)
    sub.rcvtimeo = TIMEOUT_MS
    pub.bind("inproc://defaults")
    sub.connect("inproc://defaults")
    pub.send(b"everything")  # the SUB subscribed to b"" when it was created
    assert sub.recv() == b"everything"
    del context.rcvhwm
    assert context.socket(zmq.PULL).rcvhwm == 1000
    with pytest.raises(AttributeError):
        context.rcvhwm  # noqa: B018
    with pytest.raises(AttributeError):
        del context.rcvhwm
    with pytest.raises(KeyError):
        context.getsockopt(zmq.SNDHWM)


def test_default_socket_option_errors(context: zmq.Context) -> None:
    with pytest.raises(TypeError, match="ZMQ_LINGER"):
        context.linger = "0"
    with pytest.raises(TypeError, match="ZMQ_IDENTITY"):
        context.identity = "text"
    with pytest.raises(zmq.ZMQError) as exc:
        context.fd = 3  # read-only
    assert exc.value.errno == zmq.EINVAL and "ZMQ_FD" in str(exc.value)
    with pytest.raises(zmq.ZMQError):
        context.setsockopt(12345, 1)
    context.setsockopt("sndhwm", 9)
    assert context.socket(zmq.PUSH).sndhwm == 9


# ---------------------------------------------------------------------------- shadow

def test_underlying_and_shadow_share_the_context(context: zmq.Context) -> None:
    handle = context.underlying
    assert isinstance(handle, int) and handle == context.underlying
    shadow = zmq.Context.shadow(handle)
    assert shadow.underlying == handle and shadow is not context
    for other in (zmq.Context(context), zmq.Context(shadow=context), copy.copy(context)):
        assert other.underlying == handle
    a = shadow.socket(zmq.PAIR)
    a.bind("inproc://shadowed")
    b = context.socket(zmq.PAIR)
    b.connect("inproc://shadowed")  # same inproc namespace: same context
    b.send(b"via the shadow")
    a.rcvtimeo = TIMEOUT_MS
    assert a.recv() == b"via the shadow"
    a.close()
    del shadow
    gc.collect()
    assert not context.closed  # a shadow never terminates what it wraps


def test_shadow_errors() -> None:
    with pytest.raises(TypeError):
        zmq.Context.shadow("ctx")
    dead = zmq.Context()
    handle = dead.underlying
    dead.term()
    del dead
    gc.collect()
    for bad in (handle, 12345):
        with pytest.raises(zmq.ZMQError) as exc:
            zmq.Context.shadow(bad)
        assert exc.value.errno == zmq.EFAULT


# ---------------------------------------------------------------------------- exit

EXIT_SCRIPT = textwrap.dedent("""
    import sys, threading
    import zmq4 as zmq

    ctx = zmq.Context()
    push = ctx.socket(zmq.PUSH)
    push.connect(sys.argv[1])
    push.send(b"never delivered")      # LINGER -1: term() alone would wait forever
    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://exit-test")
    started = threading.Event()

    def worker():
        started.set()
        try:
            pull.recv()                 # blocked when the interpreter exits
        except zmq.ContextTerminated:
            print("worker: ETERM", flush=True)

    threading.Thread(target=worker, daemon=True).start()
    started.wait()
    print("main: exiting", flush=True)
""")


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-W", "always::ResourceWarning", "-c", script,
                           *args], capture_output=True, text=True, timeout=60,
                          cwd=tempfile.gettempdir())


def test_exit_with_open_sockets_is_bounded_and_warns() -> None:
    target = "tcp://127.0.0.1:9" if "tcp" in TRANSPORTS else "inproc://never-bound"
    t0 = time.monotonic()
    proc = _run(EXIT_SCRIPT, target)
    assert time.monotonic() - t0 < 30
    assert proc.returncode == 0, proc.stderr
    assert "main: exiting" in proc.stdout
    assert "ResourceWarning" in proc.stderr
    assert "2 open socket(s)" in proc.stderr
    assert "zmq4.PUSH" in proc.stderr and target in proc.stderr
    assert "inproc://exit-test" in proc.stderr


def test_exit_after_a_clean_shutdown_is_quiet() -> None:
    script = textwrap.dedent("""
        import zmq4 as zmq
        ctx = zmq.Context()
        s = ctx.socket(zmq.PAIR)
        s.bind("inproc://clean")
        s.close()
        ctx.term()
        zmq.Context.instance()          # never terminated, no sockets: silent
        print("done")
    """)
    proc = _run(script)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "done"
    assert "Warning" not in proc.stderr
