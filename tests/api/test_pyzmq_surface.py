"""pyzmq's public surface, name by name, in zmq4: every name of a pyzmq module's
``__all__`` exists in the zmq4 module of the same path (and is the same kind of thing),
every public attribute of pyzmq's main classes exists on zmq4's, and the layout itself
(``zmq4.sugar.socket.Socket is zmq4.Socket``, ``zmq4.backend``'s API). Names zmq4
deliberately lacks are listed with the reason."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
import zmq as pyzmq

import zmq4

#: pyzmq modules (relative to the package) whose ``__all__`` zmq4 mirrors.
MODULES = ["", ".sugar", ".sugar.context", ".sugar.socket", ".sugar.frame", ".sugar.poll",
           ".sugar.tracker", ".sugar.version", ".sugar.stopwatch", ".sugar.attrsettr",
           ".backend", ".constants", ".error", ".utils.monitor", ".utils.z85",
           ".utils.jsonapi", ".utils.win32", ".devices", ".asyncio", ".auth", ".auth.base",
           ".auth.thread", ".auth.asyncio", ".auth.certs"]

#: Class attributes zmq4 does not have, and why.
MISSING_ATTRIBUTES = {
    "shadow_pyczmq": "Context interop with pyczmq (a CFFI binding of libzmq's C API "
                     "objects): zmq4 has no libzmq context pointer to share",
    "errno": "ZMQError: pyzmq has a class-level default; zmq4's is an instance attribute "
             "every constructor sets",
}

CLASSES = ["Context", "Socket", "Frame", "MessageTracker", "Poller", "ZMQError",
           "asyncio.Context", "asyncio.Socket", "asyncio.Poller", "auth.Authenticator",
           "auth.thread.ThreadAuthenticator", "auth.asyncio.AsyncioAuthenticator",
           "devices.ThreadDevice",
           "devices.ThreadProxy", "devices.ThreadProxySteerable",
           "devices.ThreadMonitoredQueue"]


def _resolve(root: Any, dotted: str) -> Any:
    obj = root
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("rel", MODULES)
def test_module_has_pyzmqs_public_names(rel: str) -> None:
    theirs = importlib.import_module("zmq" + rel)
    ours = importlib.import_module("zmq4" + rel)
    names = getattr(theirs, "__all__", None) or [
        n for n in dir(theirs) if not n.startswith("_") and (
            getattr(getattr(theirs, n), "__module__", None) == theirs.__name__
            or (n.isupper() and not callable(getattr(theirs, n))))]
    missing = [n for n in names if not hasattr(ours, n)]
    assert not missing, f"zmq4{rel} lacks {missing}"
    for n in names:
        a, b = getattr(theirs, n), getattr(ours, n)
        if isinstance(a, type):
            assert isinstance(b, type), f"zmq4{rel}.{n} is not a class"
        elif callable(a):
            assert callable(b), f"zmq4{rel}.{n} is not callable"
        elif isinstance(a, int):
            assert isinstance(b, int), f"zmq4{rel}.{n} is not an int"


@pytest.mark.parametrize("path", CLASSES)
def test_classes_have_pyzmqs_public_attributes(path: str) -> None:
    import zmq.asyncio  # noqa: F401 - submodules as attributes

    import zmq4.asyncio  # noqa: F401
    import zmq4.auth  # noqa: F401

    theirs, ours = _resolve(pyzmq, path), _resolve(zmq4, path)
    missing = [n for n in dir(theirs) if not n.startswith("_") and not hasattr(ours, n)
               and n not in MISSING_ATTRIBUTES]
    assert not missing, f"zmq4.{path} lacks {missing}"


def test_layout_is_pyzmqs() -> None:
    import zmq4.backend
    import zmq4.sugar.context
    import zmq4.sugar.frame
    import zmq4.sugar.poll
    import zmq4.sugar.socket
    import zmq4.sugar.tracker

    assert zmq4.sugar.socket.Socket is zmq4.Socket
    assert zmq4.sugar.context.Context is zmq4.Context
    # pyzmq's: aliases of the generic classes, usable as constructors
    assert zmq4.SyncSocket.__origin__ is zmq4.Socket  # type: ignore[attr-defined]
    assert zmq4.SyncContext.__origin__ is zmq4.Context  # type: ignore[attr-defined]
    assert zmq4.sugar.frame.Frame is zmq4.Frame is zmq4.Message
    assert zmq4.sugar.poll.Poller is zmq4.Poller
    assert zmq4.sugar.tracker.MessageTracker is zmq4.MessageTracker
    # pyzmq's layering: the sugar classes subclass the backend's
    assert issubclass(zmq4.Socket, zmq4.backend.Socket)
    assert issubclass(zmq4.Context, zmq4.backend.Context)
    assert issubclass(zmq4.Frame, zmq4.backend.Frame)
    # the old module paths still name the same objects
    import zmq4.context
    import zmq4.enums
    import zmq4.frame
    import zmq4.poller
    import zmq4.socket

    assert zmq4.socket.Socket is zmq4.Socket and zmq4.context.Context is zmq4.Context
    assert zmq4.frame.Frame is zmq4.Frame and zmq4.poller.Poller is zmq4.Poller
    assert zmq4.enums.SocketType is zmq4.constants.SocketType


def test_generic_classes_are_subscriptable() -> None:
    alias = zmq4.Socket[bytes]
    assert alias.__origin__ is zmq4.Socket  # type: ignore[attr-defined]
    assert zmq4.Context[zmq4.Socket[bytes]].__origin__ is zmq4.Context  # type: ignore[attr-defined,misc]
    ctx = zmq4.SyncContext()
    s = ctx.socket(zmq4.PAIR)
    assert type(ctx) is zmq4.Context and type(s) is zmq4.Socket
    s.close()
    ctx.term()


def test_backend_api_is_pyzmqs() -> None:
    from zmq.backend.select import public_api

    import zmq4.backend

    for name in [*public_api, "monitored_queue"]:
        assert hasattr(zmq4.backend, name), name
    assert zmq4.backend.PYZMQ_DRAFT_API is False
    assert zmq4.backend.zmq_version_info() == (4, 0, 10)


def test_top_level_extras() -> None:
    assert zmq4.HWM is zmq4.SocketOption.HWM
    assert zmq4.__revision__ == ""
    includes = zmq4.get_includes()
    assert includes[1].endswith("utils") and any(
        __import__("os").path.isfile(__import__("os").path.join(d, "zmq.h")) for d in includes)
    assert zmq4.get_library_dirs() == [__import__("os").path.dirname(zmq4.get_library())]
    with pytest.warns(DeprecationWarning):
        sw = zmq4.Stopwatch()
    sw.start()
    assert isinstance(sw.stop(), int)
    with pytest.warns(DeprecationWarning):
        fresh = zmq4.Stopwatch()
    with pytest.raises(zmq4.ZMQError):
        fresh.stop()
