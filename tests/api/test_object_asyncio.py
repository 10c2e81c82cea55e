"""zmq4.asyncio: awaitable send/recv/poll on the default loop and uvloop, many concurrent
tasks on one socket pair, cancellation without message loss, RCVTIMEO/SNDTIMEO, ETERM,
close, readiness that is never lost (the edge-triggered ZMQ_FD trap), the async Poller,
mixing with the blocking API, and a long run without leaks."""

from __future__ import annotations

import asyncio
import gc
import os
import threading
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
import uvloop  # a test dependency (pyproject test extra)
from support import TRANSPORTS, bind_address

import zmq4 as zmq
import zmq4.asyncio as azmq

TIMEOUT_MS = 10000

LOOPS = ["asyncio", "uvloop"]


@pytest.fixture(params=LOOPS)
def run(request: pytest.FixtureRequest) -> Callable[[Coroutine[Any, Any, Any]], Any]:
    """Run a coroutine to completion on a fresh loop of the parametrised kind."""
    def runner(coro: Coroutine[Any, Any, Any]) -> Any:
        if request.param == "uvloop":
            loop = uvloop.new_event_loop()
        else:
            loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(asyncio.wait_for(coro, 60))
        finally:
            loop.close()
    return runner


def pair(ctx: zmq.Context, transport: str, kinds: tuple[int, int] = (zmq.PAIR, zmq.PAIR)) \
        -> tuple[azmq.Socket, azmq.Socket]:
    a = ctx.socket(kinds[0])
    b = ctx.socket(kinds[1])
    a.bind(bind_address(transport))
    b.connect(a.last_endpoint.decode())
    return a, b  # type: ignore[return-value]


@pytest.fixture
def actx() -> Any:
    ctx = azmq.Context()
    yield ctx
    ctx.destroy(linger=0)


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# ---------------------------------------------------------------------------- basics

def test_context_and_socket_types(actx: azmq.Context) -> None:
    s = actx.socket(zmq.PUSH)
    assert isinstance(s, azmq.Socket) and isinstance(s, zmq.Socket)
    assert "zmq4.asyncio" in repr(s) and "zmq4.asyncio" in repr(actx)
    assert azmq.Context.instance() is not zmq.Context.instance()
    assert isinstance(azmq.Context.instance(), azmq.Context)
    sync = zmq.Context(actx)  # a sync view of the same context
    assert sync.underlying == actx.underlying
    assert isinstance(azmq.Socket.from_socket(zmq.Socket(s)), azmq.Socket)
    azmq.Context.instance().term()
    zmq.Context.instance().term()


def test_send_recv_family(actx: azmq.Context, transport: str,
                          run: Callable[[Any], Any]) -> None:
    a, b = pair(actx, transport)

    async def main() -> None:
        recv = b.recv()
        assert isinstance(recv, asyncio.Future) and not recv.done()
        await a.send(b"hello")
        assert await recv == b"hello"
        await a.send_multipart([b"x", b"y", b""])
        assert await b.recv_multipart() == [b"x", b"y", b""]
        await a.send_string("héllo")
        assert await b.recv_string() == "héllo"
        await a.send_json({"k": [1, 2]})
        assert await b.recv_json() == {"k": [1, 2]}
        await a.send_pyobj({1, 2})
        assert await b.recv_pyobj() == {1, 2}
        await a.send_serialized({"a": "b"}, lambda m: [k.encode() + v.encode()
                                                      for k, v in m.items()])
        assert await b.recv_serialized(lambda frames: frames) == [b"ab"]
        await a.send(b"frame")
        f = await b.recv(copy=False)
        assert isinstance(f, zmq.Frame) and f.bytes == b"frame"
        await a.send(b"into")
        buf = bytearray(10)
        assert await b.recv_into(buf) == 4 and buf[:4] == b"into"
        tracker = await a.send(bytearray(200_000), copy=False, track=True)
        assert isinstance(tracker, zmq.MessageTracker)
        assert len(await b.recv()) == 200_000
        tracker.wait(10)

    run(main())


def test_errors_are_futures_or_raised(actx: azmq.Context, run: Callable[[Any], Any]) -> None:
    a, b = pair(actx, "inproc")

    async def main() -> None:
        with pytest.raises(zmq.Again):
            await b.recv(zmq.DONTWAIT)
        with pytest.raises(TypeError, match="send_string"):
            await a.send("text")
        with pytest.raises(TypeError, match="flags"):
            await a.send(b"x", "0")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="empty"):
            await a.send_multipart([])
        req = actx.socket(zmq.REQ)
        with pytest.raises(zmq.ZMQError) as exc:
            await req.recv()
        assert exc.value.errno == zmq.EFSM
        await a.send(b"not json")
        with pytest.raises(ValueError):
            await b.recv_json()

    run(main())


# ---------------------------------------------------------------------------- readiness

def test_queued_messages_are_all_delivered(actx: azmq.Context, transport: str,
                                           run: Callable[[Any], Any]) -> None:
    """The edge-triggered trap: one wake-up for many queued messages, and operations that
    drain ZMQ_FD (events, options, bind) while receives wait."""
    push, pull = pair(actx, transport, (zmq.PUSH, zmq.PULL))
    sync_push = zmq.Socket(push)  # blocking API on the same socket

    async def main() -> None:
        waiting = [pull.recv() for _ in range(5)]
        for i in range(50):
            sync_push.send(b"%d" % i)
        pull.events  # noqa: B018 - reading ZMQ_EVENTS drains ZMQ_FD
        pull.rcvhwm = 1000
        assert [await w for w in waiting] == [b"%d" % i for i in range(5)]
        for i in range(5, 50):
            assert await pull.recv() == b"%d" % i
        extra = pull.recv()
        await asyncio.sleep(0)
        assert not extra.done()
        sync_push.send(b"later")
        assert await extra == b"later"

    run(main())


def test_sender_in_a_thread(actx: azmq.Context, transport: str,
                            run: Callable[[Any], Any]) -> None:
    pull = actx.socket(zmq.PULL)
    pull.bind(bind_address(transport))
    endpoint = pull.last_endpoint.decode()
    count = 5000

    sync_ctx = zmq.Context(actx)  # a blocking view of the same context (inproc needs it)

    def sender() -> None:
        with sync_ctx.socket(zmq.PUSH) as push:
            push.sndtimeo = TIMEOUT_MS
            push.connect(endpoint)
            for i in range(count):
                push.send(b"%d" % i)
                if i % 500 == 0:
                    push.poll(1, zmq.POLLIN)  # let the receiver fall behind and catch up

    async def main() -> None:
        t = threading.Thread(target=sender)
        t.start()
        try:
            for i in range(count):
                assert await pull.recv() == b"%d" % i
        finally:
            await asyncio.get_running_loop().run_in_executor(None, t.join, 30)

    run(main())


def test_many_concurrent_tasks_on_one_pair(actx: azmq.Context, transport: str,
                                           run: Callable[[Any], Any]) -> None:
    push, pull = pair(actx, transport, (zmq.PUSH, zmq.PULL))
    tasks_n, each = 20, 50

    async def main() -> None:
        got: list[bytes] = []

        async def consumer() -> None:
            for _ in range(each):
                got.append(await pull.recv())

        async def producer(me: int) -> None:
            for i in range(each):
                await push.send(b"%d.%d" % (me, i))

        await asyncio.gather(*[consumer() for _ in range(tasks_n)],
                             *[producer(me) for me in range(tasks_n)])
        assert sorted(got) == sorted(b"%d.%d" % (m, i) for m in range(tasks_n)
                                     for i in range(each))

    run(main())


def test_req_rep_round_trips(actx: azmq.Context, transport: str,
                             run: Callable[[Any], Any]) -> None:
    rep, req = pair(actx, transport, (zmq.REP, zmq.REQ))

    async def server() -> None:
        for _ in range(200):
            await rep.send(b"re: " + await rep.recv())

    async def main() -> None:
        srv = asyncio.ensure_future(server())
        for i in range(200):
            await req.send(b"%d" % i)
            assert await req.recv() == b"re: %d" % i
        await srv

    run(main())


# ---------------------------------------------------------------------------- cancellation

def test_cancelled_recv_loses_no_message(actx: azmq.Context, transport: str,
                                         run: Callable[[Any], Any]) -> None:
    push, pull = pair(actx, transport, (zmq.PUSH, zmq.PULL))

    async def main() -> None:
        first = pull.recv()
        first.cancel()
        task = asyncio.ensure_future(pull.recv_string())
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await push.send(b"kept")
        assert await pull.recv() == b"kept"
        # cancel receives while messages are flowing: every message arrives exactly once
        sent = [b"%d" % i for i in range(300)]
        got: list[bytes] = []

        async def produce() -> None:
            for m in sent:
                await push.send(m)
                if len(got) % 7 == 0:
                    await asyncio.sleep(0)

        prod = asyncio.ensure_future(produce())
        while len(got) < len(sent):
            try:
                got.append(await asyncio.wait_for(pull.recv(), 0.002))
            except asyncio.TimeoutError:
                pass
        await prod
        assert got == sent

    run(main())


def test_wait_for_timeouts_then_success(actx: azmq.Context, run: Callable[[Any], Any]) -> None:
    push, pull = pair(actx, "inproc", (zmq.PUSH, zmq.PULL))

    async def main() -> None:
        for _ in range(20):
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(pull.recv_multipart(), 0.001)
        await push.send_multipart([b"a", b"b"])
        assert await pull.recv_multipart() == [b"a", b"b"]

    run(main())


# ---------------------------------------------------------------------------- timeouts / end

def test_rcvtimeo_and_sndtimeo_raise_again(actx: azmq.Context,
                                           run: Callable[[Any], Any]) -> None:
    pull = actx.socket(zmq.PULL)
    pull.bind("inproc://aio-timeouts")
    pull.rcvtimeo = 30
    push = actx.socket(zmq.PUSH)  # no peer: cannot queue
    push.sndtimeo = 30

    async def main() -> None:
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        with pytest.raises(zmq.Again):
            await pull.recv()
        assert loop.time() - t0 >= 0.025
        with pytest.raises(zmq.Again):
            await push.send(b"x")
        pull.rcvtimeo = 0
        with pytest.raises(zmq.Again):
            await pull.recv()

    run(main())


def test_context_termination_fails_pending_futures(run: Callable[[Any], Any]) -> None:
    ctx = azmq.Context()
    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://aio-eterm")

    async def main() -> None:
        pending = pull.recv()
        loop = asyncio.get_running_loop()
        term = loop.run_in_executor(None, ctx.term)  # term() blocks: not in the loop
        with pytest.raises(zmq.ContextTerminated):
            await pending
        pull.close()
        await term

    run(main())
    assert ctx.closed


def test_close_cancels_pending_futures(actx: azmq.Context, run: Callable[[Any], Any]) -> None:
    pull = actx.socket(zmq.PULL)
    pull.bind("inproc://aio-close")

    async def main() -> None:
        pending = pull.recv()
        pull.close()
        assert pending.cancelled()
        with pytest.raises(zmq.ZMQError) as exc:
            await pull.recv()
        assert exc.value.errno == zmq.ENOTSOCK

    run(main())


# ---------------------------------------------------------------------------- poll

def test_socket_poll(actx: azmq.Context, transport: str, run: Callable[[Any], Any]) -> None:
    a, b = pair(actx, transport)

    async def main() -> None:
        assert await b.poll(10) == 0
        assert await a.poll(TIMEOUT_MS, zmq.POLLOUT) == zmq.POLLOUT
        waiting = b.poll()
        await asyncio.sleep(0)
        assert not waiting.done()
        await a.send(b"x")
        assert await waiting == zmq.POLLIN
        assert await b.recv() == b"x"
        cancelled = b.poll()
        cancelled.cancel()
        with pytest.raises(ValueError):
            b.poll(0, 0)

    run(main())


def test_async_poller(actx: azmq.Context, transport: str, run: Callable[[Any], Any]) -> None:
    a, b = pair(actx, transport)
    sync_a = zmq.Socket(a)
    r, w = os.pipe()

    async def main() -> None:
        p = azmq.Poller()
        p.register(b, zmq.POLLIN)
        p.register(r, zmq.POLLIN)
        assert await p.poll(10) == []
        loop = asyncio.get_running_loop()
        loop.call_later(0.02, sync_a.send, b"wake")
        assert await p.poll(TIMEOUT_MS) == [(b, zmq.POLLIN)]
        assert await b.recv() == b"wake"
        loop.call_later(0.02, os.write, w, b"!")
        assert await p.poll() == [(r, zmq.POLLIN)]
        os.read(r, 1)
        pending = p.poll()
        pending.cancel()
        await asyncio.sleep(0)
        p2 = azmq.Poller()  # sync sockets work in an async Poller too
        p2.register(sync_a, zmq.POLLOUT)
        assert await p2.poll(TIMEOUT_MS) == [(sync_a, zmq.POLLOUT)]

    try:
        run(main())
    finally:
        os.close(r)
        os.close(w)


# ---------------------------------------------------------------------------- mixing / leaks

def test_async_front_with_blocking_workers(actx: azmq.Context, transport: str,
                                           run: Callable[[Any], Any]) -> None:
    router = actx.socket(zmq.ROUTER)
    router.bind(bind_address(transport))
    endpoint = router.last_endpoint.decode()
    sync_ctx = zmq.Context(actx)  # blocking sockets in the same context (inproc needs it)

    def worker(me: int) -> None:
        with sync_ctx.socket(zmq.DEALER) as s:
            s.rcvtimeo = TIMEOUT_MS
            s.identity = b"w%d" % me
            s.connect(endpoint)
            s.send(b"ready")
            while True:
                job = s.recv()
                if job == b"stop":
                    return
                s.send(job.upper())

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()

    async def main() -> None:
        idle = [(await router.recv_multipart())[0] for _ in range(3)]
        results = []
        for n in range(30):
            who = idle.pop(0)
            await router.send_multipart([who, b"job %d" % n])
            who, answer = await router.recv_multipart()
            results.append(answer)
            idle.append(who)
        for who in idle:
            await router.send_multipart([who, b"stop"])
        assert results == [b"JOB %d" % n for n in range(30)]

    try:
        run(main())
    finally:
        for t in threads:
            t.join(10)


def test_long_run_without_leaks(actx: azmq.Context, run: Callable[[Any], Any]) -> None:
    push, pull = pair(actx, "inproc", (zmq.PUSH, zmq.PULL))
    total = 100_000

    async def main() -> None:
        async def produce() -> None:
            for _ in range(total):
                await push.send(b"m")

        async def consume() -> int:
            n = 0
            for _ in range(total):
                await pull.recv()
                n += 1
            return n

        gc.collect()
        before = len(gc.get_objects())
        _, n = await asyncio.gather(produce(), consume())
        assert n == total
        gc.collect()
        assert len(gc.get_objects()) - before < 2000  # nothing accumulates per message

    run(main())


def test_socket_moves_to_a_new_loop_when_idle(actx: azmq.Context) -> None:
    a, b = pair(actx, "inproc")

    async def once(tag: bytes) -> bytes:
        await a.send(tag)
        return await b.recv()  # type: ignore[no-any-return]

    for tag in (b"first loop", b"second loop"):
        loop = asyncio.new_event_loop()
        try:
            assert loop.run_until_complete(once(tag)) == tag
        finally:
            loop.close()


def test_socket_closed_elsewhere_leaves_no_stale_reader(actx: azmq.Context,
                                                       run: Callable[[Any], Any]) -> None:
    """The reader stays armed between operations; a close through another wrapper must
    not leave the loop's selector holding a released fd number that the next socket's
    mailbox reuses (that would fail or misroute its readiness)."""
    async def main() -> None:
        for round_ in range(20):
            a, b = pair(actx, "inproc")
            got = b.recv()  # waits: b's reader is armed now, and stays
            await asyncio.sleep(0)
            await a.send(b"x")
            assert await got == b"x"
            zmq.Socket.shadow(b.underlying).close()  # closed behind the asyncio wrapper
            a.close(linger=0)
            await asyncio.sleep(0)  # the close wake-up reaches the reader
        # fresh sockets (their eventfds reuse the numbers just released) work normally
        c, d = pair(actx, "inproc")
        got = d.recv()
        await asyncio.sleep(0)
        await c.send(b"after")
        assert await got == b"after"
        c.close(linger=0)
        d.close(linger=0)

    run(main())


def test_idle_armed_reader_does_not_spin(actx: azmq.Context, transport: str,
                                         run: Callable[[Any], Any]) -> None:
    """Messages arriving while nothing awaits wake the armed reader once; the loop then
    sleeps (a level-triggered selector must not see the fd readable forever)."""
    import time

    a, b = pair(actx, transport)

    async def main() -> None:
        got = b.recv()  # waits: the reader is armed, and stays
        await asyncio.sleep(0)
        await a.send(b"first")
        assert await got == b"first"
        gone = b.recv()  # finds nothing (the pipe is marked for a wake-up)...
        await asyncio.sleep(0)
        gone.cancel()  # ...and nobody waits any more
        await asyncio.sleep(0)
        for i in range(3):
            await a.send(b"%d" % i)
        cpu = time.process_time()
        await asyncio.sleep(0.5)
        # a spinning loop burns the whole half second; an idle one almost nothing
        assert time.process_time() - cpu < 0.25
        assert [await b.recv() for _ in range(3)] == [b"0", b"1", b"2"]

    run(main())


def test_sockets_closed_after_their_loop_ended_release_the_reader() -> None:
    """asyncio.run returns with a reader armed, then the sockets are closed behind their
    asyncio wrappers (through sync shadows): the loop can no longer clean up, so the
    close does (no file descriptor is left behind, cycle after cycle)."""
    def open_fds() -> int:
        return len(os.listdir("/proc/self/fd"))

    def cycle() -> None:
        ctx = azmq.Context()

        async def main() -> tuple[azmq.Socket, azmq.Socket]:
            a, b = pair(ctx, "inproc")
            got = b.recv()  # waits: b's reader is armed, and stays when the loop ends
            await asyncio.sleep(0)
            await a.send(b"x")
            assert await got == b"x"
            return a, b

        for s in asyncio.run(main()):
            zmq.Socket.shadow(s.underlying).close(linger=0)
        ctx.term()

    cycle()
    before = open_fds()
    for _ in range(10):
        cycle()
    assert open_fds() <= before
