"""zmq4.green (pyzmq's zmq.green): blocking calls that block only the calling greenlet, the
green Poller and device, readiness that is never lost between greenlets sharing a socket,
closing under a waiting greenlet, and zmq4 under ``gevent.monkey.patch_all()`` (before and
after zmq4 is imported: its I/O threads must stay OS threads). Behaviour shared with
pyzmq's zmq.green runs side by side on both."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import gevent
import pytest

import zmq4

TIMEOUT = 20


@pytest.fixture(params=["zmq4", "pyzmq"])
def green(request: pytest.FixtureRequest) -> Any:
    """The green module of the implementation under test, and a context of it."""
    g = importlib.import_module("zmq4.green" if request.param == "zmq4" else "zmq.green")
    ctx = g.Context()
    yield g, ctx
    ctx.destroy(linger=0)


@pytest.fixture
def zgreen() -> Any:
    import zmq4.green as g

    ctx = g.Context()
    yield g, ctx
    ctx.destroy(linger=0)


def pair(g: Any, ctx: Any, kinds: tuple[int, int] | None = None) -> tuple[Any, Any]:
    a = ctx.socket(kinds[0] if kinds else g.PAIR)
    b = ctx.socket(kinds[1] if kinds else g.PAIR)
    a.linger = b.linger = 0
    port = a.bind_to_random_port("tcp://127.0.0.1")
    b.connect(f"tcp://127.0.0.1:{port}")
    return a, b


def test_a_blocked_recv_lets_other_greenlets_run(green: Any) -> None:
    g, ctx = green
    a, b = pair(g, ctx)
    ticks: list[int] = []

    def ticker() -> None:
        for i in range(10):
            ticks.append(i)
            gevent.sleep(0.01)

    t = gevent.spawn(ticker)
    gevent.spawn_later(0.3, a.send, b"late")
    assert gevent.with_timeout(TIMEOUT, b.recv) == b"late"
    t.join(TIMEOUT)
    assert ticks == list(range(10))  # all ran while recv waited


def test_gevent_timeout_interrupts_a_wait(green: Any) -> None:
    g, ctx = green
    a, b = pair(g, ctx)
    with pytest.raises(gevent.Timeout):
        with gevent.Timeout(0.2):
            b.recv()
    a.send(b"after")
    assert gevent.with_timeout(TIMEOUT, b.recv) == b"after"  # the socket still works


def test_rcvtimeo_and_sndtimeo_are_honoured(zgreen: Any) -> None:
    """zmq4 only: pyzmq's green sockets ignore RCVTIMEO/SNDTIMEO (with a warning) and
    wait forever."""
    g, ctx = zgreen
    a, b = pair(g, ctx)
    b.rcvtimeo = 200
    started = gevent.get_hub().loop.now()
    with pytest.raises(g.Again):
        b.recv()
    assert gevent.get_hub().loop.now() - started >= 0.15
    push = ctx.socket(g.PUSH)  # no peer: a send has nowhere to go
    push.sndtimeo = 100
    with pytest.raises(g.Again):
        push.send(b"nowhere")
    push.close(0)


def test_many_greenlets_share_one_socket(zgreen: Any) -> None:
    """zmq4 only: pyzmq's green socket allows one waiting greenlet per direction
    (AssertionError "Only one greenlet can be waiting on this event")."""
    g, ctx = zgreen
    push, pull = pair(g, ctx, (g.PUSH, g.PULL))
    got: list[bytes] = []
    readers = [gevent.spawn(lambda: got.append(pull.recv())) for _ in range(20)]
    gevent.sleep(0.05)
    for i in range(20):
        push.send(b"%d" % i)
    gevent.joinall(readers, timeout=TIMEOUT, raise_error=True)
    assert sorted(got) == sorted(b"%d" % i for i in range(20))


def test_sender_and_receiver_greenlets_on_one_socket_wake_each_other(green: Any) -> None:
    """A DEALER whose send waits at its HWM while another greenlet receives on it: every
    operation drains ZMQ_FD, so the waiting sender must be woken by the receiver's work
    (or the peer's), never left asleep."""
    g, ctx = green
    dealer = ctx.socket(g.DEALER)
    router = ctx.socket(g.ROUTER)
    dealer.linger = router.linger = 0
    dealer.sndhwm = router.rcvhwm = 5
    port = router.bind_to_random_port("tcp://127.0.0.1")
    dealer.connect(f"tcp://127.0.0.1:{port}")
    n = 300
    echoed: list[bytes] = []

    def echo() -> None:
        for _ in range(n):
            ident, body = router.recv_multipart()
            router.send_multipart([ident, body])

    def send_all() -> None:
        for i in range(n):
            dealer.send(b"%d" % i)

    def recv_all() -> None:
        for _ in range(n):
            echoed.append(dealer.recv())

    jobs = [gevent.spawn(echo), gevent.spawn(send_all), gevent.spawn(recv_all)]
    gevent.joinall(jobs, timeout=TIMEOUT, raise_error=True)
    assert all(j.successful() for j in jobs), [j.exception for j in jobs]
    assert echoed == [b"%d" % i for i in range(n)]


def test_req_rep_between_greenlets(green: Any) -> None:
    g, ctx = green
    rep, req = pair(g, ctx, (g.REP, g.REQ))

    def serve() -> None:
        for _ in range(500):
            rep.send(rep.recv() + b"!")

    server = gevent.spawn(serve)
    for i in range(500):
        req.send(b"%d" % i)
        assert req.recv() == b"%d!" % i
    server.join(TIMEOUT)
    assert server.successful()


def test_green_poller_waits_cooperatively_on_sockets_and_fds(green: Any) -> None:
    g, ctx = green
    a, b = pair(g, ctx)
    r, w = os.pipe()
    try:
        poller = g.Poller()
        poller.register(b, g.POLLIN)
        poller.register(r, g.POLLIN)
        assert poller.poll(50) == []
        gevent.spawn_later(0.1, a.send, b"x")
        assert gevent.with_timeout(TIMEOUT, poller.poll, TIMEOUT * 1000) == [(b, g.POLLIN)]
        assert b.recv() == b"x"
        gevent.spawn_later(0.1, os.write, w, b"!")
        assert gevent.with_timeout(TIMEOUT, poller.poll, TIMEOUT * 1000) == [(r, g.POLLIN)]
        # socket.poll is green too
        gevent.spawn_later(0.1, a.send, b"y")
        assert gevent.with_timeout(TIMEOUT, b.poll, TIMEOUT * 1000) == g.POLLIN
    finally:
        os.close(r)
        os.close(w)


def test_green_device(green: Any) -> None:
    g, ctx = green
    rep = ctx.socket(g.REP)
    req = ctx.socket(g.REQ)
    rep.linger = req.linger = 0
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    req.connect(f"tcp://127.0.0.1:{port}")
    dev = gevent.spawn(g.device, g.QUEUE, rep, rep)  # echoes every request back
    try:
        req.send(b"echo me")
        assert gevent.with_timeout(TIMEOUT, req.recv) == b"echo me"
    finally:
        dev.kill()


def test_closing_a_socket_wakes_its_waiter(zgreen: Any) -> None:
    g, ctx = zgreen
    a, b = pair(g, ctx)
    waiter = gevent.spawn(b.recv)
    gevent.sleep(0.05)
    b.close()
    waiter.join(TIMEOUT)
    assert isinstance(waiter.exception, g.ZMQError)
    assert waiter.exception.errno == g.ENOTSOCK


def test_exports(green: Any) -> None:
    g, _ = green
    base = importlib.import_module(g.__name__.rsplit(".", 1)[0])
    for name in base.__all__:
        assert hasattr(g, name), name
    for name in ("RCVTIMEO", "PUSH", "zmq_version_info", "SocketOption"):
        assert name in g.__all__ and getattr(g, name) is getattr(base, name)
    for name in ("Socket", "Context", "device", "Poller"):
        assert getattr(g, name) is not getattr(base, name)
    assert issubclass(g.Socket, base.Socket) and issubclass(g.Context, base.Context)
    assert type(g.Context.instance()) is g.Context
    assert type(base.Context.instance()) is base.Context
    g.Context.instance().term()
    importlib.import_module(g.__name__ + ".eventloop.zmqstream")


# ------------------------------------------------------------------ monkey patching

PATCHED = """
import threading, time
{first}
import gevent
import zmq4.green as zmq
import zmq4
ctx = zmq.Context()
a = ctx.socket(zmq.PAIR); b = ctx.socket(zmq.PAIR)
a.linger = b.linger = 0
port = a.bind_to_random_port("tcp://127.0.0.1")
b.connect(f"tcp://127.0.0.1:{{port}}")
ticks = []
def ticker():
    for i in range(5):
        ticks.append(i); gevent.sleep(0.02)
t = gevent.spawn(ticker)
gevent.spawn_later(0.2, a.send, b"over tcp")
assert gevent.with_timeout(20, b.recv) == b"over tcp"
assert ticks == list(range(5)), ticks
# the I/O thread is an OS thread, not a greenlet: it runs while this one sleeps in C
plain = zmq4.Context()
p1 = plain.socket(zmq4.PUSH); p2 = plain.socket(zmq4.PULL)
p1.linger = p2.linger = 0
port = p2.bind_to_random_port("tcp://127.0.0.1"); p1.connect(f"tcp://127.0.0.1:{{port}}")
p1.send(b"blocking"); p2.rcvtimeo = 20000
assert p2.recv() == b"blocking"
assert {check_patched}
for s in (a, b, p1, p2):
    s.close()
ctx.term(); plain.term()
print("ok")
"""


@pytest.mark.parametrize("order", ["patch first", "zmq4 first"])
def test_works_under_monkey_patch_all(order: str, tmp_path: Path) -> None:
    if order == "patch first":
        first = "from gevent import monkey; monkey.patch_all()\nimport zmq4"
    else:
        first = "import zmq4\nfrom gevent import monkey; monkey.patch_all()"
    code = PATCHED.format(first=first,
                          check_patched="'gevent' in type(threading.Lock()).__module__")
    script = tmp_path / "patched.py"
    script.write_text(textwrap.dedent(code))
    env = dict(os.environ)
    root = str(Path(zmq4.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, env=env)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stdout + proc.stderr
