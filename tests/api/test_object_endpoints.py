"""bind/connect (and their context managers), unbind/disconnect, bind_to_random_port, and
endpoint argument errors through the object API."""

from __future__ import annotations

import socket as pysocket
from collections.abc import Iterator

import pytest
from support import TRANSPORTS, bind_address

import zmq4 as zmq

TIMEOUT_MS = 10000


@pytest.fixture
def context() -> Iterator[zmq.Context]:
    ctx = zmq.Context()
    yield ctx
    ctx.destroy(linger=0)


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_bind_and_connect_return_context_managers(context: zmq.Context, transport: str) \
        -> None:
    pull = context.socket(zmq.PULL)
    push = context.socket(zmq.PUSH)
    pull.rcvtimeo = TIMEOUT_MS
    with pull.bind(bind_address(transport)) as bound:
        assert bound is pull
        addr = bytes(pull.last_endpoint).decode()
        if transport != "inproc":
            assert not addr.endswith(":*")
        with push.connect(addr) as connected:
            assert connected is push
            push.send(b"inside")
            assert pull.recv() == b"inside"
        with pytest.raises(zmq.ZMQError) as exc:  # already disconnected by the with
            push.disconnect(addr)
        assert exc.value.errno == zmq.ENOENT
    with pytest.raises(zmq.ZMQError) as exc:  # already unbound by the with
        pull.unbind(addr)
    assert exc.value.errno == zmq.ENOENT
    if transport == "inproc":  # (tcp/ipc listeners close asynchronously, as in libzmq)
        other = context.socket(zmq.PULL)
        other.bind(addr)  # the name is free again at once
        other.unbind(addr)


def test_bind_result_outside_with(context: zmq.Context) -> None:
    s = context.socket(zmq.PAIR)
    cm = s.bind("inproc://no-with")
    assert "inproc://no-with" in repr(cm)
    s.unbind("inproc://no-with")
    with pytest.raises(zmq.ZMQError) as exc:
        with cm:  # exiting unbinds again: ENOENT after the manual unbind, as in pyzmq
            pass
    assert exc.value.errno == zmq.ENOENT


def test_context_manager_exit_on_closed_socket_is_quiet(context: zmq.Context) -> None:
    s = context.socket(zmq.PAIR)
    with s.bind("inproc://closed-inside"):
        s.close()


def test_unbind_disconnect(context: zmq.Context, transport: str) -> None:
    pull = context.socket(zmq.PULL)
    addr = bind_address(transport)
    pull.bind(addr)
    real = bytes(pull.last_endpoint).decode()
    push = context.socket(zmq.PUSH)
    push.connect(real)
    push.disconnect(real)
    pull.unbind(real)
    for call in (lambda: pull.unbind(real), lambda: push.disconnect(real)):
        with pytest.raises(zmq.ZMQError) as exc:
            call()
        assert exc.value.errno == zmq.ENOENT


def test_endpoint_argument_errors(context: zmq.Context) -> None:
    s = context.socket(zmq.PAIR)
    for call in (s.bind, s.connect, s.unbind, s.disconnect):
        with pytest.raises(TypeError, match="addr"):
            call(12345)  # type: ignore[arg-type]
    with pytest.raises(zmq.ZMQError) as exc:
        s.bind("no-transport")
    assert exc.value.errno == zmq.EINVAL
    with pytest.raises(zmq.ZMQError) as exc:
        s.connect("bogus://x")
    assert exc.value.errno == zmq.EPROTONOSUPPORT
    with pytest.raises(zmq.ZMQError) as exc:
        s.bind(b"inproc://\xff")
    assert exc.value.errno == zmq.EINVAL


def test_bytes_endpoints(context: zmq.Context) -> None:
    a = context.socket(zmq.PAIR)
    b = context.socket(zmq.PAIR)
    a.bind(b"inproc://bytes-endpoint")
    b.connect(b"inproc://bytes-endpoint")
    b.send(b"ok")
    a.rcvtimeo = TIMEOUT_MS
    assert a.recv() == b"ok"
    b.disconnect(b"inproc://bytes-endpoint")
    a.unbind(b"inproc://bytes-endpoint")


def test_double_bind_is_eaddrinuse(context: zmq.Context, transport: str) -> None:
    if transport == "ipc":
        # libzmq 4.0 unlinks an existing ipc path and binds again: the second binder wins
        a = context.socket(zmq.PAIR)
        b = context.socket(zmq.PAIR)
        addr = bind_address(transport)
        a.bind(addr)
        b.bind(bytes(a.last_endpoint).decode())
        assert bytes(b.last_endpoint) == bytes(a.last_endpoint)
        a.close(linger=0)
        b.close(linger=0)
        return
    a = context.socket(zmq.PAIR)
    b = context.socket(zmq.PAIR)
    addr = bind_address(transport)
    a.bind(addr)
    real = bytes(a.last_endpoint).decode()
    with pytest.raises(zmq.ZMQError) as exc:
        b.bind(real)
    assert exc.value.errno == zmq.EADDRINUSE


def test_connect_before_bind_inproc(context: zmq.Context) -> None:
    push = context.socket(zmq.PUSH)
    pull = context.socket(zmq.PULL)
    push.connect("inproc://late-binder")
    push.send(b"early")
    pull.bind("inproc://late-binder")
    pull.rcvtimeo = TIMEOUT_MS
    assert pull.recv() == b"early"


def test_bind_to_random_port_default_range(context: zmq.Context) -> None:
    pull = context.socket(zmq.PULL)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    assert 0 < port < 65536
    assert bytes(pull.last_endpoint) == f"tcp://127.0.0.1:{port}".encode()
    push = context.socket(zmq.PUSH)
    push.connect(f"tcp://127.0.0.1:{port}")
    push.send(b"random")
    pull.rcvtimeo = TIMEOUT_MS
    assert pull.recv() == b"random"


def test_bind_to_random_port_range(context: zmq.Context) -> None:
    s = context.socket(zmq.PULL)
    port = s.bind_to_random_port("tcp://127.0.0.1", min_port=40000, max_port=40100,
                                 max_tries=100)
    assert 40000 <= port < 40100


def test_bind_to_random_port_gives_up_with_zmqbinderror(context: zmq.Context) -> None:
    holder = pysocket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    taken = holder.getsockname()[1]
    try:
        s = context.socket(zmq.PULL)
        with pytest.raises(zmq.ZMQBindError):
            s.bind_to_random_port("tcp://127.0.0.1", min_port=taken, max_port=taken + 1,
                                  max_tries=3)
        with pytest.raises(zmq.ZMQBindError):
            s.bind_to_random_port("tcp://127.0.0.1", min_port=taken, max_port=taken + 1,
                                  max_tries=0)
    finally:
        holder.close()


def test_bind_to_random_port_argument_errors(context: zmq.Context) -> None:
    s = context.socket(zmq.PULL)
    with pytest.raises(TypeError, match="min_port"):
        s.bind_to_random_port("tcp://127.0.0.1", min_port="1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="max_tries"):
        s.bind_to_random_port("tcp://127.0.0.1", max_tries=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="range"):
        s.bind_to_random_port("tcp://127.0.0.1", min_port=5000, max_port=5000)
    with pytest.raises(TypeError, match="addr"):
        s.bind_to_random_port(None)  # type: ignore[arg-type]
