"""The object API's module surface: constants as pyzmq's enums, ``has``, versions, keys,
errors, and typing (``py.typed``, annotations on every public name)."""

from __future__ import annotations

import enum
import importlib
import inspect
import os
import pickle

import pytest

import zmq4 as zmq
from zmq4 import zmq_h as constants

ENUMS = [zmq.SocketType, zmq.SocketOption, zmq.ContextOption, zmq.Flag, zmq.PollEvent,
         zmq.Event, zmq.Errno, zmq.SecurityMechanism, zmq.MessageOption, zmq.DeviceType]


def test_top_level_names_are_enum_members_with_the_constant_values() -> None:
    assert zmq.REQ is zmq.SocketType.REQ
    assert zmq.REQ == 3 and isinstance(zmq.REQ, int)
    assert zmq.LINGER is zmq.SocketOption.LINGER
    assert zmq.DONTWAIT is zmq.Flag.DONTWAIT and zmq.NOBLOCK == zmq.DONTWAIT
    assert zmq.POLLIN is zmq.PollEvent.POLLIN
    assert zmq.EVENT_CONNECTED is zmq.Event.CONNECTED
    assert zmq.EAGAIN is zmq.Errno.EAGAIN and zmq.ETERM == constants.ETERM
    assert zmq.CURVE is zmq.SecurityMechanism.CURVE
    assert zmq.IO_THREADS is zmq.ContextOption.IO_THREADS
    assert zmq.MORE is zmq.MessageOption.MORE
    assert zmq.QUEUE is zmq.DeviceType.QUEUE
    for name, value in constants.ALL.items():
        assert getattr(zmq, name) == value, name
    # the numbers module (zmq4.zmq_h) stays plain ints; zmq4.constants holds the members
    assert type(constants.REQ) is int
    import zmq4.constants

    assert zmq4.constants.SUBSCRIBE is zmq.SocketOption.SUBSCRIBE
    assert zmq4.constants.REQ is zmq.REQ


def test_enum_shapes_match_pyzmq_names() -> None:
    assert all(issubclass(e, int) for e in ENUMS)
    assert issubclass(zmq.Flag, enum.IntFlag) and issubclass(zmq.Event, enum.IntFlag)
    assert issubclass(zmq.PollEvent, enum.IntFlag)
    assert {"PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB",
            "XSUB", "STREAM", "XREQ", "XREP"} <= set(zmq.SocketType.__members__)
    assert zmq.SocketType.XREQ == zmq.DEALER
    assert {"IO_THREADS", "MAX_SOCKETS"} <= set(zmq.ContextOption.__members__)
    assert zmq.Event.ALL == 2047 and zmq.Event.MONITOR_STOPPED == 1024
    assert zmq.SecurityMechanism.NULL == 0
    assert zmq.Errno.EFSM == constants.EFSM and zmq.Errno.ENOTSOCK == constants.ENOTSOCK
    assert zmq.SocketOption.ROUTING_ID == zmq.IDENTITY  # libzmq 4.2's name
    assert zmq.SocketOption(5) is zmq.SocketOption.IDENTITY is zmq.SocketOption.ROUTING_ID
    assert zmq.SocketOption.DELAY_ATTACH_ON_CONNECT == zmq.IMMEDIATE
    # members survive pickling (they are used as dict keys and sent around)
    assert pickle.loads(pickle.dumps(zmq.SocketType.ROUTER)) is zmq.ROUTER


def test_every_socket_option_name_is_a_member() -> None:
    names = {"AFFINITY", "IDENTITY", "SUBSCRIBE", "UNSUBSCRIBE", "RATE", "RECOVERY_IVL",
             "SNDBUF", "RCVBUF", "RCVMORE", "FD", "EVENTS", "TYPE", "LINGER",
             "RECONNECT_IVL", "BACKLOG", "RECONNECT_IVL_MAX", "MAXMSGSIZE", "SNDHWM",
             "RCVHWM", "MULTICAST_HOPS", "RCVTIMEO", "SNDTIMEO", "IPV4ONLY", "LAST_ENDPOINT",
             "ROUTER_MANDATORY", "TCP_KEEPALIVE", "TCP_KEEPALIVE_CNT", "TCP_KEEPALIVE_IDLE",
             "TCP_KEEPALIVE_INTVL", "TCP_ACCEPT_FILTER", "IMMEDIATE", "XPUB_VERBOSE",
             "ROUTER_RAW", "IPV6", "MECHANISM", "PLAIN_SERVER", "PLAIN_USERNAME",
             "PLAIN_PASSWORD", "CURVE_SERVER", "CURVE_PUBLICKEY", "CURVE_SECRETKEY",
             "CURVE_SERVERKEY", "PROBE_ROUTER", "REQ_CORRELATE", "REQ_RELAXED", "CONFLATE",
             "ZAP_DOMAIN"}
    assert names <= set(zmq.SocketOption.__members__)
    for n in names:
        assert zmq.SocketOption[n] == constants.ALL[n]


def test_has() -> None:
    assert zmq.has("ipc") is True
    assert zmq.has("curve") is True
    for cap in ("pgm", "tipc", "norm", "gssapi", "draft", "no-such-thing"):
        assert zmq.has(cap) is False
    with pytest.raises(TypeError):
        zmq.has(b"ipc")  # type: ignore[arg-type]
    assert zmq.DRAFT_API is False


def test_versions() -> None:
    assert zmq.zmq_version_info() == (4, 0, 10)
    assert zmq.zmq_version() == "4.0.10"
    assert zmq.pyzmq_version() == "27.2.0" and zmq.pyzmq_version_info() == (27, 2, 0)
    assert zmq.__version__ == "0.1.0" and zmq.__revision__ == ""
    assert zmq.COPY_THRESHOLD == 65536
    assert zmq.IPC_PATH_MAX_LEN == 107


def test_curve_keypair_and_z85() -> None:
    public, secret = zmq.curve_keypair()
    assert len(public) == 40 and len(secret) == 40
    assert zmq.curve_public(secret) == public
    raw = zmq.z85.decode(public)
    assert len(raw) == 32 and zmq.z85.encode(raw) == public


def test_error_classes() -> None:
    for cls, code in ((zmq.Again, zmq.EAGAIN), (zmq.ContextTerminated, zmq.ETERM),
                      (zmq.InterruptedSystemCall, zmq.EINTR)):
        e = cls()
        assert isinstance(e, zmq.ZMQError) and isinstance(e, zmq.ZMQBaseError)
        assert e.errno == code
    assert issubclass(zmq.ZMQBindError, zmq.ZMQBaseError)
    assert issubclass(zmq.NotDone, zmq.ZMQBaseError)
    e = zmq.ZMQError(zmq.EINVAL)
    assert e.errno == zmq.EINVAL and str(e) == "Invalid argument"
    assert zmq.strerror(zmq.ETERM) == "Context was terminated"


def test_public_names_are_exported() -> None:
    for name in ("Context", "Socket", "Frame", "Message", "MessageTracker", "Poller",
                 "select", "zmq_poll", "proxy", "proxy_steerable", "device", "has",
                 "devices", "utils"):
        assert name in zmq.__all__ and hasattr(zmq, name), name
    assert zmq.Message is zmq.Frame
    from zmq4.devices import (  # noqa: F401
        Device,
        MonitoredQueue,
        ProcessProxy,
        Proxy,
        ThreadDevice,
        ThreadProxy,
    )
    from zmq4.utils.monitor import parse_monitor_message, recv_monitor_message  # noqa: F401


def test_py_typed_exists() -> None:
    assert os.path.isfile(os.path.join(os.path.dirname(zmq.__file__), "py.typed"))


OBJECT_MODULES = ["zmq4.sugar.context", "zmq4.sugar.socket", "zmq4.sugar.frame",
                  "zmq4.sugar.poll", "zmq4.sugar.version", "zmq4.sugar.stopwatch",
                  "zmq4.backend.context", "zmq4.backend.socket", "zmq4.backend.frame",
                  "zmq4.backend.poll", "zmq4.backend.devices", "zmq4.backend.utils",
                  "zmq4.devices.basedevice", "zmq4.devices.proxydevice",
                  "zmq4.devices.monitoredqueue", "zmq4.devices.monitoredqueuedevice",
                  "zmq4.devices.functions", "zmq4.utils.monitor", "zmq4.asyncio"]


def _callables(module_name: str) -> list[tuple[str, object]]:
    mod = importlib.import_module(module_name)
    out: list[tuple[str, object]] = []
    for name in getattr(mod, "__all__", []):
        obj = getattr(mod, name)
        if inspect.isclass(obj):
            if issubclass(obj, enum.Enum) or getattr(obj, "__module__", "") != module_name:
                continue
            for attr, member in vars(obj).items():
                if attr.startswith("_") and attr not in ("__init__", "__enter__", "__exit__"):
                    continue
                if isinstance(member, (staticmethod, classmethod)):
                    member = member.__func__
                if isinstance(member, property):
                    member = member.fget
                if inspect.isfunction(member):
                    out.append((f"{name}.{attr}", member))
        elif inspect.isfunction(obj):
            out.append((name, obj))
    return out


@pytest.mark.parametrize("module_name", OBJECT_MODULES)
def test_public_callables_are_annotated(module_name: str) -> None:
    missing = []
    for qual, fn in _callables(module_name):
        sig = inspect.signature(fn)  # type: ignore[arg-type]
        for p in sig.parameters.values():
            if p.name in ("self", "cls"):
                continue
            if p.annotation is inspect.Parameter.empty:
                missing.append(f"{qual}({p.name})")
        if sig.return_annotation is inspect.Signature.empty:
            missing.append(f"{qual} -> ?")
    assert not missing, f"unannotated in {module_name}: {missing}"
