"""zmq4.decorators (pyzmq's zmq.decorators), side by side with pyzmq's: the same decorated
functions get the same kinds of objects, closed after the call, with the same naming and
context-finding rules and the same errors."""

from __future__ import annotations

import importlib
import threading
from types import SimpleNamespace
from typing import Any

import pytest


@pytest.fixture(params=["zmq4", "pyzmq"])
def impl(request: pytest.FixtureRequest) -> Any:
    base = "zmq4" if request.param == "zmq4" else "zmq"
    zmq = importlib.import_module(base)
    yield SimpleNamespace(zmq=zmq, dec=importlib.import_module(base + ".decorators"))
    inst = zmq.Context.__dict__.get("_instance")
    if inst is not None and not inst.closed:
        inst.destroy(linger=0)


def test_context_is_passed_and_terminated_after_the_call(impl: Any) -> None:
    zmq, dec = impl.zmq, impl.dec
    seen: list[Any] = []

    @dec.context()
    def f(a: int, b: bool, ctx: Any, c: Any = None) -> str:
        assert isinstance(ctx, zmq.Context) and not ctx.closed
        seen.append((a, b, c, ctx))
        return "result"

    assert f(42, True, c="kw") == "result"
    (a, b, c, ctx), = seen
    assert (a, b, c) == (42, True, "kw")
    assert ctx.closed


@pytest.mark.parametrize("how", ["positional", "keyword"])
def test_context_by_name_with_constructor_arguments(impl: Any, how: str) -> None:
    zmq, dec = impl.zmq, impl.dec
    deco = dec.context("myctx", 3) if how == "positional" \
        else dec.context(name="myctx", io_threads=3)
    seen: list[int] = []

    @deco
    def f(myctx: Any = None) -> None:
        assert isinstance(myctx, zmq.Context)
        seen.append(myctx.IO_THREADS)

    f()
    assert seen == [3]


def test_naming_errors_are_type_errors(impl: Any) -> None:
    dec = impl.dec

    @dec.context(name="ctx")
    def wrong_parameter(other: Any) -> None:
        pass

    with pytest.raises(TypeError):
        wrong_parameter()

    @dec.context(name="ctx")
    def given_twice(ctx: Any) -> None:
        pass

    with pytest.raises(TypeError):
        given_twice(ctx="mine")

    @dec.context()
    @dec.socket("sock")  # no socket type
    def no_type(ctx: Any, sock: Any) -> None:
        pass

    with pytest.raises(TypeError):
        no_type()


def test_sockets_find_their_context_and_close_after_the_call(impl: Any) -> None:
    zmq, dec = impl.zmq, impl.dec
    seen: dict[str, Any] = {}

    @dec.context()
    @dec.socket(zmq.PUB)
    @dec.socket("sub", zmq.SUB)
    @dec.socket(zmq.PUSH, name="push")
    def f(ctx: Any, pub: Any, sub: Any = None, push: Any = None) -> None:
        seen.update(ctx=ctx, pub=pub, sub=sub, push=push)
        assert {pub.type, sub.type, push.type} == {zmq.PUB, zmq.SUB, zmq.PUSH}
        assert pub.context is ctx and sub.context is ctx and push.context is ctx

    f()
    assert all(s.closed for s in (seen["pub"], seen["sub"], seen["push"]))
    assert seen["ctx"].closed

    @dec.context("c")
    @dec.socket("s", zmq.PAIR, context_name="c")
    def g(c: Any, s: Any) -> None:
        assert s.context is c

    g()

    @dec.socket(zmq.PUB)
    def h(sock: Any) -> Any:
        return sock.context

    assert h() is zmq.Context.instance()
    ctx = zmq.Context()
    try:
        @dec.socket(zmq.REQ)
        def by_keyword(sock: Any, context: Any = None) -> Any:
            return sock.context

        @dec.socket(zmq.REQ)
        def by_position(c: Any, sock: Any) -> Any:
            return sock.context

        assert by_keyword(context=ctx) is ctx  # the keyword argument named context_name
        assert by_position(ctx) is ctx  # a positional Context
    finally:
        ctx.term()


def test_each_call_and_each_thread_gets_its_own(impl: Any) -> None:
    zmq, dec = impl.zmq, impl.dec
    got: list[tuple[Any, Any]] = []
    lock = threading.Lock()

    @dec.context()
    @dec.socket(zmq.PUB)
    def f(ctx: Any, sock: Any) -> None:
        with lock:
            got.append((ctx, sock))

    threads = [threading.Thread(target=f) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(got) == 6
    assert len({id(c) for c, _ in got}) == 6 and len({id(s) for _, s in got}) == 6
