"""zmq4.eventloop (pyzmq's zmq.eventloop on tornado): ZMQStream callbacks, its send queue,
flush, closing (by the stream, behind its back, by the loop), a terminated context, and
the tornado-future sockets. Most tests run side by side on zmq4 and on pyzmq (libzmq
4.3): the same scenario must give the same observable result on both."""

from __future__ import annotations

import asyncio
import importlib
import logging
import subprocess
import sys
import tempfile
import threading
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from tornado import gen
from tornado.ioloop import IOLoop

TIMEOUT = 20.0


@pytest.fixture(params=["zmq4", "pyzmq"])
def impl(request: pytest.FixtureRequest) -> Any:
    """The implementation under test: its ``zmq`` module, ``zmqstream`` and ``future``."""
    yield from _impl(request.param)


@pytest.fixture
def z4() -> Any:
    """zmq4 alone, for behaviour where pyzmq differs (each such test says how)."""
    yield from _impl("zmq4")


def _impl(name: str) -> Any:
    base = "zmq4" if name == "zmq4" else "zmq"
    zmq = importlib.import_module(base)
    ns = SimpleNamespace(
        name=name, zmq=zmq,
        zmqstream=importlib.import_module(base + ".eventloop.zmqstream"),
        future=importlib.import_module(base + ".eventloop.future"),
        asyncio=importlib.import_module(base + ".asyncio"))
    ctx = zmq.Context()
    ns.ctx = ctx
    yield ns
    ctx.destroy(linger=0)


def run(fn: Callable[[], Awaitable[Any]], timeout: float = TIMEOUT) -> Any:
    """Run ``fn()`` on a fresh tornado IOLoop, then close the loop with its fds."""
    loop = IOLoop(make_current=False)
    try:
        return loop.run_sync(fn, timeout=timeout)
    finally:
        loop.close(all_fds=True)


async def until(predicate: Callable[[], bool], what: str = "condition",
                timeout: float = TIMEOUT) -> None:
    """Let the loop run until ``predicate()`` holds (a condition wait, not a sleep)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, f"timed out after {timeout} s waiting for {what}"
        await asyncio.sleep(0.005)


_names = iter(range(1 << 30))


def streams(impl: Any, kinds: tuple[str, str] = ("PUSH", "PULL"),
            transport: str = "tcp") -> tuple[Any, Any]:
    """Two connected streams (bound one first); inproc delivers at once."""
    zmq = impl.zmq
    a = impl.zmqstream.ZMQStream(impl.ctx.socket(getattr(zmq, kinds[0])))
    b = impl.zmqstream.ZMQStream(impl.ctx.socket(getattr(zmq, kinds[1])))
    a.socket.linger = b.socket.linger = 0
    if transport == "inproc":
        endpoint = f"inproc://eventloop-{next(_names)}"
        a.bind(endpoint)
    else:
        endpoint = f"tcp://127.0.0.1:{a.bind_to_random_port('tcp://127.0.0.1')}"
    b.connect(endpoint)
    return a, b


# ------------------------------------------------------------------ receiving

def test_on_recv_delivers_every_message_in_order(impl: Any) -> None:
    async def main() -> list[Any]:
        push, pull = streams(impl)
        got: list[Any] = []
        pull.on_recv(got.append)
        for i in range(2000):  # more than one wake-up's worth: readiness must not be lost
            push.send_multipart([b"n", str(i).encode()])
        await until(lambda: len(got) == 2000, "2000 messages")
        push.close()
        pull.close()
        return got

    got = run(main)
    assert got == [[b"n", str(i).encode()] for i in range(2000)]


def test_on_recv_copy_false_gives_frames_and_on_recv_stream_the_stream(impl: Any) -> None:
    async def main() -> None:
        push, pull = streams(impl)
        got: list[Any] = []
        pull.on_recv_stream(lambda stream, msg: got.append((stream, msg)), copy=False)
        push.send_multipart([b"a", b"bc"])
        await until(lambda: bool(got))
        stream, msg = got[0]
        assert stream is pull
        assert all(isinstance(f, impl.zmq.Frame) for f in msg)
        assert [f.bytes for f in msg] == [b"a", b"bc"]
        push.close()
        pull.close()

    run(main)


def test_a_message_waiting_before_on_recv_is_delivered(impl: Any) -> None:
    """The message arrived (and ZMQ_FD fired) before anyone listened: on_recv must look
    at ZMQ_EVENTS instead of waiting for a wake-up that already came."""
    async def main() -> None:
        push, pull = streams(impl)
        push.send(b"early")
        await until(lambda: bool(pull.socket.poll(0)), "the message to arrive")
        got: list[Any] = []
        pull.on_recv(got.append)
        await until(lambda: got == [[b"early"]], "the early message")
        push.close()
        pull.close()

    run(main)


def test_stop_on_recv_leaves_messages_queued(impl: Any) -> None:
    async def main() -> None:
        push, pull = streams(impl)
        got: list[Any] = []
        pull.on_recv(got.append)
        push.send(b"one")
        await until(lambda: len(got) == 1)
        pull.stop_on_recv()
        assert not pull.receiving()
        push.send(b"two")
        await asyncio.sleep(0.2)  # a chance to deliver it wrongly
        assert got == [[b"one"]]
        assert pull.socket.recv_multipart() == [b"two"]  # still queued
        push.close()
        pull.close()

    run(main)


def test_callbacks_must_be_callable(impl: Any) -> None:
    async def main() -> None:
        push, pull = streams(impl)
        pull.on_recv(lambda msg: None)
        push.on_send(lambda msg, status: None)
        for bad in (1, "text", impl.zmq):
            with pytest.raises(AssertionError):
                pull.on_recv(bad)
            with pytest.raises(AssertionError):
                push.on_send(bad)
        push.close()
        pull.close()

    run(main)


def test_coroutine_callbacks_are_run(impl: Any) -> None:
    async def main() -> None:
        push, pull = streams(impl)
        got: list[Any] = []

        async def callback(msg: list[bytes]) -> None:
            await asyncio.sleep(0.01)
            got.append(msg)

        pull.on_recv(callback)
        push.send(b"x")
        push.send(b"y")
        await until(lambda: len(got) == 2)
        assert sorted(got) == [[b"x"], [b"y"]]
        push.close()
        pull.close()

    run(main)


def test_failing_callbacks_are_logged_and_the_stream_goes_on(
        z4: Any, caplog: pytest.LogCaptureFixture) -> None:
    """zmq4 only: pyzmq 27's stream stops delivering once a plain callback raised while
    more messages were queued (the exception skips its re-arming, and the fd does not
    fire again for messages already there); zmq4's re-arms first, then re-raises."""
    async def main() -> list[Any]:
        push, pull = streams(z4)
        got: list[Any] = []

        async def async_fail(msg: list[bytes]) -> None:
            got.append(msg)
            raise ZeroDivisionError("on purpose, asynchronously")

        pull.on_recv(async_fail)
        push.send(b"first")
        await until(lambda: len(got) == 1)
        await until(lambda: "Uncaught exception in ZMQStream callback" in caplog.text,
                    "the error of the coroutine callback to be logged")

        def sync_fail(msg: list[bytes]) -> None:
            got.append(msg)
            raise ValueError("on purpose")

        pull.on_recv(sync_fail)
        for word in (b"second", b"third", b"fourth"):
            push.send(word)
        await until(lambda: len(got) == 4, "every message despite the failures")
        push.close()
        pull.close()
        return got

    with caplog.at_level(logging.ERROR, logger="tornado.general"):
        got = run(main)
    assert got == [[b"first"], [b"second"], [b"third"], [b"fourth"]]
    assert "ValueError: on purpose" in caplog.text


# ------------------------------------------------------------------ sending

def test_send_variants_and_send_callbacks(impl: Any) -> None:
    async def main() -> tuple[list[Any], list[Any], list[Any]]:
        push, pull = streams(impl)
        got: list[Any] = []
        pull.on_recv(got.append)
        every: list[Any] = []
        push.on_send(lambda msg, status: every.append((msg, status)))
        assert not push.sending()
        push.send(b"raw")
        push.send_multipart([b"multi", b"part"])
        push.send_string("text é")
        push.send_json({"k": [1, 2]})
        push.send_pyobj(("py", 3))
        await until(lambda: len(every) == 5, "five send callbacks")
        own: list[Any] = []
        push.send(b"own", callback=lambda msg, status: own.append(msg))
        await until(lambda: len(got) == 6, "six messages")
        push.close()
        pull.close()
        return got, every, own

    got, every, own = run(main)
    import json
    import pickle
    assert got[:3] == [[b"raw"], [b"multi", b"part"], ["text é".encode()]]
    assert json.loads(got[3][0]) == {"k": [1, 2]}
    assert pickle.loads(got[4][0]) == ("py", 3)
    assert got[5] == [[b"own"]][0]
    # each queued message is reported once, with send_multipart's result (None: copied)
    assert [status for _msg, status in every] == [None] * 5
    assert [msg for msg, _status in every][:2] == [[b"raw"], [b"multi", b"part"]]
    assert own == [[b"own"]]


def test_a_per_send_callback_replaces_on_send(impl: Any) -> None:
    """pyzmq's rule: send(..., callback=f) makes f the send callback from then on."""
    async def main() -> tuple[list[Any], list[Any]]:
        push, pull = streams(impl)
        first: list[Any] = []
        second: list[Any] = []
        push.on_send(lambda msg, status: first.append(msg))
        push.send(b"1", callback=lambda msg, status: second.append(msg))
        push.send(b"2")
        await until(lambda: len(second) == 2)
        push.close()
        pull.close()
        return first, second

    first, second = run(main)
    assert first == []
    assert second == [[b"1"], [b"2"]]


def test_on_send_stream_stop_on_send_and_the_deprecated_on_err(
        impl: Any, caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> list[Any]:
        push, pull = streams(impl)
        seen: list[Any] = []
        push.on_send_stream(lambda stream, msg, status: seen.append((stream, msg)))
        push.send(b"one")
        await until(lambda: len(seen) == 1)
        assert seen[0] == (push, [b"one"])
        push.stop_on_send()
        push.send(b"two")
        await until(lambda: not push.sending(), "the queue to drain")
        assert len(seen) == 1  # sent, no callback
        got: list[Any] = []
        pull.on_recv(got.append)
        await until(lambda: len(got) == 2)
        assert got == [[b"one"], [b"two"]]
        assert pull.receiving() and not push.receiving()
        pull.on_recv_stream(None)  # None stops, as stop_on_recv
        assert not pull.receiving()
        push.on_err(lambda *a: None)
        push.stop_on_err()
        push.close()
        pull.close()
        return seen

    with caplog.at_level(logging.WARNING, logger="tornado.general"):
        run(main)
    assert caplog.text.count("does nothing") == 2


def test_tracked_sends_report_their_tracker(impl: Any) -> None:
    async def main() -> list[Any]:
        push, pull = streams(impl)
        statuses: list[Any] = []
        push.on_send(lambda msg, status: statuses.append(status))
        push.send(b"x" * 100_000, copy=False, track=True)
        await until(lambda: len(statuses) == 1)
        assert await asyncio.wait_for(asyncio.to_thread(pull.socket.recv), TIMEOUT) \
            == b"x" * 100_000
        push.close()
        pull.close()
        return statuses

    (status,) = run(main)
    assert type(status).__name__ == "MessageTracker"


def test_flush_handles_pending_messages_now(impl: Any) -> None:
    async def main() -> None:
        zmq = impl.zmq
        push, pull = streams(impl, transport="inproc")
        for i in range(5):
            push.socket.send(str(i).encode())  # inproc: all five are queued at once
        got: list[Any] = []
        pull.on_recv(got.append)
        assert pull.flush(zmq.POLLIN, limit=2) == 2
        assert got == [[b"0"], [b"1"]]  # synchronously, before the loop ran
        assert pull.flush() == 3
        assert got == [[str(i).encode()] for i in range(5)]
        assert pull.flush() == 0
        # flush also sends, running the send callback synchronously
        sent: list[Any] = []
        push.on_send(lambda msg, status: sent.append(msg))
        push.send(b"queued")
        assert push.sending()
        assert push.flush(zmq.POLLOUT) == 1
        assert sent == [[b"queued"]] and not push.sending()
        push.close()
        pull.close()

    run(main)


# ------------------------------------------------------------------ closing

def test_close_closes_the_socket_and_runs_the_close_callback(impl: Any) -> None:
    async def main() -> None:
        push, pull = streams(impl)
        calls: list[str] = []
        pull.set_close_callback(lambda: calls.append("closed"))
        sock = pull.socket
        assert not pull.closed()
        pull.close()
        assert pull.closed() and sock.closed and pull.socket is None
        assert calls == ["closed"]
        pull.close()  # idempotent
        assert calls == ["closed"]
        with pytest.raises(OSError, match="closed"):
            pull.on_recv(lambda msg: None)
        with pytest.raises(OSError, match="closed"):
            pull.flush()
        push.close()

    run(main)


def test_a_socket_closed_behind_the_streams_back(
        impl: Any, caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> list[warnings.WarningMessage]:
        zmq = impl.zmq
        push = impl.ctx.socket(zmq.PUSH)
        pull = impl.ctx.socket(zmq.PULL)
        push.linger = pull.linger = 0
        port = push.bind_to_random_port("tcp://127.0.0.1")
        pull.connect(f"tcp://127.0.0.1:{port}")
        stream = impl.zmqstream.ZMQStream(zmq.Socket.shadow(pull))
        for i in range(10):
            push.send(str(i).encode())
        assert pull.recv() == b"0"
        with warnings.catch_warnings(record=True) as records:
            warnings.simplefilter("always")
            stream.on_recv(lambda msg: None)
            pull.close()
            await until(lambda: stream.socket is None, "the stream to notice")
        push.close()
        return records

    with caplog.at_level(logging.WARNING, logger="tornado.general"):
        records = run(main)
    assert "closed socket" in caplog.text
    assert any("after closing socket" in str(r.message) for r in records)


def test_closing_the_loop_with_its_fds_closes_stream_sockets(impl: Any) -> None:
    loop = IOLoop(make_current=False)
    holder: list[Any] = []

    async def main() -> None:
        holder.extend(streams(impl))

    loop.run_sync(main)
    loop.close(all_fds=True)
    assert all(s.socket is None or s.socket.closed for s in holder)


def test_stream_of_an_awaitable_socket_warns_and_uses_a_plain_shadow(impl: Any) -> None:
    async def main() -> None:
        zmq = impl.zmq
        with impl.ctx.socket(zmq.PUSH, socket_class=impl.asyncio.Socket) as sock:
            with pytest.warns(RuntimeWarning):
                stream = impl.zmqstream.ZMQStream(sock)
            assert type(stream.socket) is zmq.Socket
            assert stream.socket.underlying == sock.underlying
            stream.close()

    run(main)


def test_passthrough_methods_are_the_sockets(impl: Any) -> None:
    async def main() -> None:
        zmq = impl.zmq
        stream = impl.zmqstream.ZMQStream(impl.ctx.socket(zmq.SUB))
        for name in ("bind", "bind_to_random_port", "connect", "setsockopt", "getsockopt",
                     "setsockopt_string", "getsockopt_string"):
            assert getattr(stream, name) == getattr(stream.socket, name), name
        stream.setsockopt(zmq.LINGER, 0)
        assert stream.getsockopt(zmq.LINGER) == 0
        stream.setsockopt_string(zmq.SUBSCRIBE, "topic")
        stream.close()

    run(main)


def test_a_terminated_context_does_not_spin_the_loop(z4: Any) -> None:
    """term() in another thread while a stream watches a socket: the stream hears ETERM,
    says so, and the loop stays idle (no wake-up storm) until the stream is closed.
    zmq4 only: on pyzmq 27 the stream's close() then raises ContextTerminated (it asks
    the socket for its fd to unregister it), so the context's term() never returns."""
    impl = z4

    class Counting(impl.zmqstream.ZMQStream):  # type: ignore[name-defined,misc]
        calls = 0

        def _handle_events(self, fd: Any, events: int) -> None:
            self.calls += 1
            super()._handle_events(fd, events)

    async def main() -> int:
        zmq = impl.zmq
        ctx = zmq.Context()
        stream = Counting(ctx.socket(zmq.PULL))
        stream.socket.linger = 0
        stream.bind_to_random_port("tcp://127.0.0.1")
        stream.on_recv(lambda msg: None)
        term = threading.Thread(target=ctx.term)
        term.start()
        await until(lambda: stream.calls > 0, "the stream to hear of the termination")
        await asyncio.sleep(0.5)
        storm = stream.calls
        stream.close()
        term.join(TIMEOUT)
        assert not term.is_alive()
        return storm

    storm = run(main)
    assert storm < 50, f"{storm} wake-ups in 0.5 s after ETERM"


# ------------------------------------------------------------------ tornado futures

def test_future_sockets_return_tornado_futures_and_cancel_the_pyzmq_way(impl: Any) -> None:
    future = impl.future

    async def main() -> None:
        zmq = impl.zmq
        ctx = future.Context()
        a = ctx.socket(zmq.PUSH)
        b = ctx.socket(zmq.PULL)
        assert isinstance(a, future.Socket)
        port = a.bind_to_random_port("tcp://127.0.0.1")
        b.connect(f"tcp://127.0.0.1:{port}")
        f1 = b.recv()
        f2 = b.recv_multipart()
        assert f1.cancel() and f1.done() and f1.cancelled()
        with pytest.raises(future.CancelledError):
            f1.result()
        assert issubclass(future.CancelledError, Exception)
        await a.send_multipart([b"hi", b"there"])
        assert await gen.with_timeout(timedelta(seconds=TIMEOUT), f2) == [b"hi", b"there"]
        # a cancelled recv_json leaves its message to the next receive
        f3 = b.recv_json()
        f3.cancel()
        await gen.sleep(0)
        await a.send_json({"n": 1})
        with pytest.raises(future.CancelledError):
            await f3
        assert await b.poll(timeout=TIMEOUT * 1000) == zmq.POLLIN
        assert await b.recv_json() == {"n": 1}
        p = future.Poller()
        p.register(b, zmq.POLLIN)
        pf = p.poll(TIMEOUT * 1000)
        await a.send(b"polled")
        assert await pf == [(b, zmq.POLLIN)]
        assert await b.recv() == b"polled"
        a.close()
        b.close()
        ctx.term()

    run(main)


def test_future_context_instance_and_deprecated_io_loop(impl: Any) -> None:
    future = impl.future
    zmq = impl.zmq
    actx = future.Context.instance()
    ctx = zmq.Context.instance()
    try:
        assert type(actx) is future.Context and type(ctx) is zmq.Context
        with pytest.warns(DeprecationWarning):
            c = future.Context(io_loop=object())
        c.term()
    finally:
        actx.term()
        ctx.term()


def test_future_socket_is_closed_with_its_loops_fds(impl: Any) -> None:
    future = impl.future
    s = future.Context.instance().socket(impl.zmq.PUB)
    loop = IOLoop(make_current=False)

    async def attach() -> None:
        s._get_loop()

    loop.run_sync(attach)
    loop.close(all_fds=True)
    assert s.closed


# ------------------------------------------------------------------ ioloop

def test_ioloop_module_is_tornados_and_deprecated() -> None:
    code = ("import warnings; warnings.simplefilter('error', DeprecationWarning)\n"
            "try:\n    import zmq4.eventloop.ioloop\nexcept DeprecationWarning as w:\n"
            "    print('warned:', w)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, cwd=tempfile.gettempdir())
    assert "warned:" in out.stdout, out.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from zmq4.eventloop import ioloop
    import tornado.ioloop
    assert ioloop.IOLoop is tornado.ioloop.IOLoop is ioloop.ZMQIOLoop
    assert ioloop.PeriodicCallback is tornado.ioloop.PeriodicCallback
    with pytest.warns(DeprecationWarning):
        ioloop.install()
    from zmq4 import eventloop
    assert eventloop.IOLoop is tornado.ioloop.IOLoop
