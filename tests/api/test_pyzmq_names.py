"""pyzmq's spellings that programs reach after ``import zmq4 as zmq``: the ``zmq.error``
module, ``zmq.utils.z85`` / ``zmq.utils.jsonapi``, ``ZMQVersionError``, ``zmq_errno``,
``pyzmq_version_info``, ``Socket.socket_type`` and the draft-only ``join``/``leave``.
Each is checked against pyzmq's own where pyzmq defines the result."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import zmq as pyzmq
from zmq.utils import jsonapi as pyzmq_jsonapi
from zmq.utils import z85 as pyzmq_z85

import zmq4 as zmq
from zmq4 import capi


@pytest.fixture
def ctx() -> Iterator[zmq.Context]:
    c = zmq.Context()
    yield c
    c.destroy(linger=0)


def test_error_module_holds_the_same_exception_classes() -> None:
    for name in ("Again", "ContextTerminated", "InterruptedSystemCall", "NotDone",
                 "ZMQBaseError", "ZMQBindError", "ZMQError", "ZMQVersionError", "strerror"):
        assert getattr(zmq.error, name) is getattr(zmq, name), name
    import zmq4.error
    assert zmq4.error is zmq.error


def test_error_module_catches_what_the_api_raises(ctx: zmq.Context) -> None:
    s = ctx.socket(zmq.PULL)
    with pytest.raises(zmq.error.Again) as info:
        s.recv(zmq.NOBLOCK)
    assert info.value.errno == zmq.EAGAIN
    s.close()
    with pytest.raises(zmq.error.ZMQError) as closed:
        s.recv()
    assert closed.value.errno == zmq.ENOTSOCK


def test_version_error_is_pyzmqs_shape() -> None:
    e = zmq.ZMQVersionError("4.2", "Groups")
    assert isinstance(e, NotImplementedError)
    assert (e.min_version, e.msg) == ("4.2", "Groups")
    assert str(e) == "Groups requires libzmq >= 4.2, have 4.0.10"
    assert str(zmq.ZMQVersionError("4.1")) == "Feature requires libzmq >= 4.1, have 4.0.10"


def test_pyzmq_version_is_the_api_level_and_version_stays_zmq4s() -> None:
    info = zmq.pyzmq_version_info()
    assert all(isinstance(p, int) for p in info)
    assert ".".join(map(str, info)) == zmq.pyzmq_version() == "27.2.0"
    assert info >= (27,) and info[:2] >= pyzmq.pyzmq_version_info()[:1]
    assert zmq.__version__ == "0.1.0"  # zmq4's own release


def test_zmq_errno_reports_the_c_faces_last_error() -> None:
    assert capi.zmq_socket(None, zmq.PAIR) is None
    assert zmq.zmq_errno() == capi.zmq_errno() == zmq.EFAULT
    ctx = capi.zmq_ctx_new()
    assert capi.zmq_socket(ctx, 99) is None
    assert zmq.zmq_errno() == zmq.EINVAL
    assert capi.zmq_ctx_term(ctx) == 0


def test_utils_z85_is_the_rfc32_codec_and_matches_pyzmq() -> None:
    data = bytes([0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B])
    assert zmq.utils.z85.encode(data) == b"HelloWorld"  # RFC 32's test vector
    assert zmq.utils.z85.decode(b"HelloWorld") == data
    assert zmq.utils.z85.decode("HelloWorld") == data
    key = bytes(range(32))
    assert zmq.utils.z85.encode(key) == pyzmq_z85.encode(key)
    # pyzmq's exceptions (zmq4.z85 itself raises ZMQError EINVAL, as the C face)
    with pytest.raises(ValueError, match="multiple of 4"):
        zmq.utils.z85.encode(b"abc")
    with pytest.raises(ValueError, match="multiple of 5"):
        zmq.utils.z85.decode(b"abcd")
    with pytest.raises(ValueError, match="alphabet"):
        zmq.utils.z85.decode(b"~~~~~")
    with pytest.raises(TypeError, match="str"):
        zmq.utils.z85.encode("abcd")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="int"):
        zmq.utils.z85.decode(12345)  # type: ignore[arg-type]


def test_utils_jsonapi_round_trips_and_matches_pyzmq() -> None:
    obj = {"name": "zmq4 \u00e9", "n": [1, 2.5, None, True]}
    data = zmq.utils.jsonapi.dumps(obj)
    assert data == pyzmq_jsonapi.dumps(obj)
    assert zmq.utils.jsonapi.loads(data) == obj
    assert zmq.utils.jsonapi.loads(data.decode("utf-8")) == obj
    assert zmq.utils.jsonapi.loads(bytearray(data)) == obj
    assert zmq.utils.jsonapi.dumps([1], separators=(",", ":")) == b"[1]"
    with pytest.raises(TypeError):
        zmq.utils.jsonapi.dumps({1, 2})  # a set is not JSON
    with pytest.raises(json.JSONDecodeError):
        zmq.utils.jsonapi.loads(b"{nope")
    with pytest.raises(TypeError, match="bytes or str"):
        zmq.utils.jsonapi.loads(42)  # type: ignore[arg-type]


def test_jsonapi_reads_what_send_json_sends(ctx: zmq.Context) -> None:
    a, b = ctx.socket(zmq.PAIR), ctx.socket(zmq.PAIR)
    a.bind("inproc://jsonapi")
    b.connect("inproc://jsonapi")
    a.send_json({"x": [1, "y"]})
    assert zmq.utils.jsonapi.loads(b.recv()) == {"x": [1, "y"]}
    b.send(zmq.utils.jsonapi.dumps({"z": 3}))
    assert a.recv_json() == {"z": 3}


@pytest.mark.parametrize("kind", ["PAIR", "REQ", "ROUTER", "STREAM"])
def test_socket_type_is_the_type(ctx: zmq.Context, kind: str) -> None:
    s = ctx.socket(getattr(zmq, kind))
    assert s.socket_type == s.type == getattr(zmq.SocketType, kind)
    assert s.socket_type == getattr(pyzmq, kind)
    s.close()


def test_join_and_leave_need_draft_sockets(ctx: zmq.Context) -> None:
    s = ctx.socket(zmq.SUB)
    # pyzmq on a libzmq older than 4.2 raises ZMQVersionError (a NotImplementedError)
    with pytest.raises(zmq.ZMQVersionError, match=r"join\('news'\).*4\.2"):
        s.join("news")
    with pytest.raises(zmq.ZMQVersionError, match=r"leave\(b'news'\).*4\.2"):
        s.leave(b"news")
    s.close()
