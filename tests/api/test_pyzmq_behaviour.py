"""Behaviour programs written for pyzmq rely on, checked side by side with pyzmq (issue #18
section 2): the Frame buffer protocol, an asyncio context's ``_socket_class``, string
message properties, the awaitable ``recv_monitor_message``, strided buffers, ``dir()``,
``instance()`` on a subclass, a shadow of a terminated context, unknown options, the enum
``zmq4.constants.SUBSCRIBE``, and the two version numbers."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import zmq as pyzmq
import zmq.asyncio as pyzmq_asyncio
from zmq.utils.monitor import recv_monitor_message as pyzmq_recv_monitor_message

import zmq4
import zmq4.asyncio
import zmq4.constants
from zmq4.utils.monitor import recv_monitor_message

_n = itertools.count()


@pytest.fixture(params=["zmq4", "pyzmq"])
def zmq(request: pytest.FixtureRequest) -> Any:
    """The module under test: every case runs on zmq4 and on pyzmq, same assertions."""
    return zmq4 if request.param == "zmq4" else pyzmq


@pytest.fixture
def pair(zmq: Any) -> Iterator[tuple[Any, Any]]:
    ctx = zmq.Context()
    a, b = ctx.socket(zmq.PAIR), ctx.socket(zmq.PAIR)
    addr = f"inproc://behaviour-{next(_n)}"
    a.bind(addr)
    b.connect(addr)
    yield a, b
    ctx.destroy(linger=0)


# ------------------------------------------------------------------ Frame / buffers

def test_frame_buffer_protocol(zmq: Any) -> None:
    for f in (zmq.Frame(b"abc"), zmq.Frame(b"abc" * 30000, copy=False),
              zmq.Frame(bytearray(b"abc"))):
        view = memoryview(f)
        assert not view.readonly and view.format == "B" and view.ndim == 1
        assert bytearray(f)[:3] == b"abc"
        assert b"".join([f])[:3] == b"abc"
        assert bytes(f)[:3] == b"abc"
        assert f.buffer[:3] == b"abc"


def test_received_frame_view_is_writable(zmq: Any, pair: tuple[Any, Any]) -> None:
    a, b = pair
    a.send(b"hello")
    f = b.recv(copy=False)
    view = memoryview(f)
    assert not view.readonly and view.tobytes() == b"hello"
    view[0] = ord("J")
    assert bytes(f) == b"Jello" and f.buffer.tobytes() == b"Jello"
    assert b"".join([f, b"!"]) == b"Jello!"


def test_writing_through_a_view_never_touches_a_bytes_object(pair: tuple[Any, Any]) -> None:
    a, b = pair
    payload = b"shared payload, larger than nothing"
    a.send(payload, copy=False)
    f = b.recv(copy=False)
    memoryview(f)[0] = ord("X")
    assert payload.startswith(b"shared")  # zmq4 copied the immutable payload first
    assert bytes(f).startswith(b"Xhared")


@pytest.mark.parametrize("call", ["Frame", "Frame-nocopy", "send", "send-nocopy",
                                  "send_multipart"])
def test_strided_buffers_are_buffer_errors_up_front(zmq: Any, pair: tuple[Any, Any],
                                                    call: str) -> None:
    a, b = pair
    strided = memoryview(bytearray(b"abcdef"))[::2]
    with pytest.raises(BufferError):
        if call == "Frame":
            zmq.Frame(strided)
        elif call == "Frame-nocopy":
            zmq.Frame(strided, copy=False)
        elif call == "send":
            a.send(strided)
        elif call == "send-nocopy":
            a.send(strided, copy=False)
        else:
            a.send_multipart([strided, b"tail"])
    a.send(b"after")
    assert b.recv() == b"after"  # nothing of the refused send reached the peer


def test_recv_into_strided_buffer_keeps_the_message_queued(zmq: Any,
                                                           pair: tuple[Any, Any]) -> None:
    a, b = pair
    a.send(b"queued")
    with pytest.raises(BufferError):
        b.recv_into(memoryview(bytearray(16))[::2])
    assert b.poll(5000) and b.recv() == b"queued"


# ------------------------------------------------------------------ message properties

@pytest.mark.parametrize("prop", ["User-Id", "Socket-Type", "Identity", "Peer-Address"])
def test_string_properties_are_version_errors_on_a_4_0_library(prop: str) -> None:
    # pyzmq's contract for libzmq < 4.1 (zmq_msg_gets), which callers catch
    f = zmq4.Frame(b"x")
    with pytest.raises(zmq4.ZMQVersionError) as exc:
        f.get(prop)
    assert exc.value.min_version == "4.1" and prop in str(exc.value)
    with pytest.raises(zmq4.ZMQVersionError):
        f[prop]
    assert isinstance(exc.value, NotImplementedError)


def test_more_property(zmq: Any, pair: tuple[Any, Any]) -> None:
    a, b = pair
    a.send_multipart([b"1", b"2"])
    f = b.recv(copy=False)
    assert f.get(zmq.MORE) == 1 and f[zmq.MORE] == 1
    assert b.recv(copy=False).get(zmq.MORE) == 0


# ------------------------------------------------------------------ asyncio

def test_asyncio_context_socket_class_is_assignable(zmq: Any) -> None:
    aio = zmq4.asyncio if zmq is zmq4 else pyzmq_asyncio
    ctx = aio.Context()
    try:
        ctx._socket_class = zmq.Socket  # jupyter_client's as_zmqstream does this
        s = ctx.socket(zmq.PAIR)
        assert type(s) is zmq.Socket
        s.close()
        other = aio.Context.shadow(ctx.underlying)
        s = other.socket(zmq.PAIR)  # the class attribute is untouched
        assert isinstance(s, aio.Socket)
        s.close()
    finally:
        ctx.destroy(linger=0)


def test_recv_monitor_message_on_asyncio_socket_is_awaitable(zmq: Any) -> None:
    aio = zmq4.asyncio if zmq is zmq4 else pyzmq_asyncio
    recv = recv_monitor_message if zmq is zmq4 else pyzmq_recv_monitor_message

    async def main() -> Any:
        ctx = aio.Context()
        s = ctx.socket(zmq.PULL)
        mon = s.get_monitor_socket()
        s.bind("tcp://127.0.0.1:*")
        try:
            pending = recv(mon)
            assert hasattr(pending, "__await__")
            return await asyncio.wait_for(pending, 10)
        finally:
            s.disable_monitor()
            mon.close(0)
            s.close(0)
            ctx.term()

    event = asyncio.run(main())
    assert event["event"] == zmq.EVENT_LISTENING
    assert event["endpoint"].startswith(b"tcp://127.0.0.1:")


def test_asyncio_instance_is_its_own(zmq: Any) -> None:
    aio = zmq4.asyncio if zmq is zmq4 else pyzmq_asyncio
    assert aio.Context.instance() is not zmq.Context.instance()
    assert isinstance(aio.Context.instance(), aio.Context)


# ------------------------------------------------------------------ context & socket

def test_dir_lists_option_names(zmq: Any) -> None:
    ctx = zmq.Context()
    s = ctx.socket(zmq.PUB)
    try:
        for name in ("send", "IDENTITY", "AFFINITY", "FD", "LINGER"):
            assert name in dir(s), name
        for name in ("socket", "IO_THREADS", "MAX_SOCKETS"):
            assert name in dir(ctx), name
    finally:
        s.close()
        ctx.term()


def test_subclass_instance_returns_the_existing_instance(zmq: Any) -> None:
    class Sub(zmq.Context):  # type: ignore[misc, name-defined]
        pass

    base = zmq.Context.instance()
    assert Sub.instance() is base
    assert type(Sub.instance()) is type(base)


def test_socket_on_shadow_of_terminated_context_is_efault(zmq: Any) -> None:
    ctx = zmq.Context()
    shadow = zmq.Context.shadow(ctx.underlying)
    ctx.term()
    with pytest.raises(zmq.ZMQError) as exc:
        shadow.socket(zmq.PAIR)
    assert exc.value.errno == zmq.EFAULT
    with pytest.raises(zmq.ZMQError) as exc:
        ctx.socket(zmq.PAIR)
    assert exc.value.errno == zmq.ENOTSUP


def test_unknown_option_types(zmq: Any, pair: tuple[Any, Any]) -> None:
    a, _ = pair
    with pytest.raises(TypeError):
        a.setsockopt(9999, b"x")
    with pytest.raises(zmq.ZMQError) as exc:
        a.setsockopt(9999, 1)
    assert exc.value.errno == zmq.EINVAL
    with pytest.raises(TypeError):
        a.setsockopt(zmq.LINGER, b"x")


def test_constants_module_names_are_enum_members(zmq: Any) -> None:
    constants = zmq4.constants if zmq is zmq4 else pyzmq.constants
    assert constants.SUBSCRIBE is zmq.SocketOption.SUBSCRIBE is zmq.SUBSCRIBE
    assert constants.IDENTITY._opt_type is constants._OptType.bytes
    assert constants.AFFINITY._opt_type is constants._OptType.int64
    assert constants.FD._opt_type is constants._OptType.fd
    assert zmq.RECONNECT_STOP_AFTER_DISCONNECT is constants.ReconnectStop.AFTER_DISCONNECT
    assert zmq.EVENT_HANDSHAKE_SUCCEEDED is zmq.Event.HANDSHAKE_SUCCEEDED


def test_constant_names_match_pyzmqs() -> None:
    assert set(pyzmq.constants.__all__) <= set(zmq4.constants.__all__)
    for name in pyzmq.constants.__all__:
        ours, theirs = getattr(zmq4.constants, name), getattr(pyzmq.constants, name)
        if isinstance(theirs, int) and name not in ("EVENT_ALL",):
            assert ours == theirs, name
            assert type(ours).__name__ == type(theirs).__name__, name
    assert zmq4.EVENT_ALL == 2047  # libzmq 4.0's union of the events it emits


def test_versions() -> None:
    assert zmq4.__version__ == "0.1.0"
    assert zmq4.pyzmq_version_info()[:1] == pyzmq.pyzmq_version_info()[:1] == (27,)
    assert zmq4.pyzmq_version() == "27.2.0"
