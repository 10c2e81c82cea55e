"""The small pyzmq modules old code imports: zmq4.utils.strtypes, zmq4.utils.interop,
zmq4.utils.garbage, zmq4._future and zmq4._typing — with the same results as pyzmq's
where both can be asked the same question."""

from __future__ import annotations

import threading
import warnings
from typing import Any

import pytest


@pytest.mark.parametrize("base", ["zmq4", "zmq"])
def test_strtypes(base: str) -> None:
    import importlib

    st = importlib.import_module(base + ".utils.strtypes")
    assert st.bytes is bytes and st.unicode is str and st.basestring == (str,)
    assert st.b is st.asbytes is st.cast_bytes and st.u is st.cast_unicode
    with pytest.warns(DeprecationWarning):
        assert st.cast_bytes("é") == "é".encode()
    with pytest.warns(DeprecationWarning):
        assert st.cast_bytes(b"x") == b"x"
    with pytest.warns(DeprecationWarning):
        assert st.cast_unicode(b"\xc3\xa9") == "é"
    with pytest.warns(DeprecationWarning):
        assert st.cast_bytes("é", "latin-1") == b"\xe9"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(TypeError):
            st.cast_bytes(5)
        with pytest.raises(TypeError):
            st.cast_unicode(None)
        with pytest.raises(UnicodeDecodeError):
            st.cast_unicode(b"\xff")
    assert sorted(st.__all__) == sorted(["asbytes", "bytes", "unicode", "basestring", "b",
                                         "u", "cast_bytes", "cast_unicode"])


@pytest.mark.parametrize("base", ["zmq4", "zmq"])
def test_interop_cast_int_addr(base: str) -> None:
    import importlib

    interop = importlib.import_module(base + ".utils.interop")
    assert interop.cast_int_addr(1234) == 1234
    with pytest.raises(ValueError):
        interop.cast_int_addr("1234")
    import cffi  # installed with pynacl, a zmq4 dependency

    ffi = cffi.FFI()
    assert interop.cast_int_addr(ffi.cast("void *", 4096)) == 4096


def test_interop_address_shadows_a_zmq4_context() -> None:
    import zmq4
    from zmq4.utils.interop import cast_int_addr

    ctx = zmq4.Context()
    shadow = zmq4.Context.shadow(cast_int_addr(ctx.underlying))
    s = shadow.socket(zmq4.PAIR)
    s.close()
    ctx.term()


def test_garbage_has_pyzmqs_shape_and_keeps_what_it_is_given() -> None:
    import zmq
    import zmq.utils.garbage as theirs

    import zmq4
    from zmq4.utils import garbage

    for name in ("gc", "GarbageCollector", "gcref"):
        assert hasattr(theirs, name) and hasattr(garbage, name)
    gc = garbage.GarbageCollector()
    assert gc.url == theirs.GarbageCollector.url
    assert not gc.is_alive()  # zmq4 has no collector thread
    gc.start()
    assert not gc.is_alive()
    event = threading.Event()
    obj = bytearray(b"payload")
    key = gc.store(obj, event)
    assert isinstance(key, int) and gc.refs[key] == garbage.gcref(obj, event)
    assert not event.is_set()
    assert gc.release(key) and event.is_set() and key not in gc.refs
    assert not gc.release(key)
    gc.store(b"other")
    gc.stop()
    assert gc.refs == {}
    assert isinstance(gc.context, zmq4.Context)
    gc.context.term()
    assert isinstance(garbage.gc, garbage.GarbageCollector)
    del zmq


def test_garbage_is_not_needed_for_zero_copy_sends() -> None:
    """What pyzmq's collector exists for, done by zmq4 without it: a zero-copy send's
    tracker finishes once the buffer was sent, and the collector holds nothing."""
    import zmq4
    from zmq4.utils.garbage import gc

    with zmq4.Context() as ctx:
        a = ctx.socket(zmq4.PAIR)
        b = ctx.socket(zmq4.PAIR)
        port = a.bind_to_random_port("tcp://127.0.0.1")
        b.connect(f"tcp://127.0.0.1:{port}")
        tracker = a.send(b"z" * 200_000, copy=False, track=True)
        assert b.recv() == b"z" * 200_000
        tracker.wait(10)
        assert tracker.done
        assert gc.refs == {}
        ctx.destroy(linger=0)


def test_future_and_typing_names() -> None:
    import zmq4._future as fut
    import zmq4._typing as typ
    import zmq4.asyncio
    from zmq4.eventloop import future as tfuture

    assert issubclass(zmq4.asyncio.Socket, fut._AsyncSocket)
    assert issubclass(tfuture.Socket, fut._AsyncSocket)
    assert issubclass(tfuture.Poller, fut._AsyncPoller)
    assert not issubclass(zmq4.Socket, fut._AsyncSocket)
    from typing import TypeAlias
    assert typ.TypeAlias is TypeAlias

    ctx: Any = zmq4.asyncio.Context()
    s = ctx.socket(zmq4.PUSH)
    assert isinstance(s, fut._AsyncSocket)
    s.close()
    ctx.term()
