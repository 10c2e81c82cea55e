"""Read-on-loop (zmq4.io.session, zmq4.asyncio): while a ``zmq4.asyncio`` REQ or REP with
one tcp/ipc connection awaits a recv, its event loop reads that connection itself instead
of the I/O thread. What must hold: it engages (the loop's thread does the reads, on the
default loop and on uvloop); the reads go back to the I/O thread when the loop stops
waiting, so the socket keeps working from blocking code after its loop ended, even one
stopped with a recv pending; RCVHWM pauses and resumes reading; a peer going away, a close
during the wait and a hostile peer cost that connection only; large answers arrive whole;
and it interoperates with libzmq (pyzmq) peers, CURVE included.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest
import support
import uvloop  # a test dependency (pyproject test extra)
import zmq as pyzmq  # the real-libzmq peer (pyproject test extra)
from support import bind_address

import zmq4
import zmq4.asyncio as azmq

TIMEOUT_MS = 10000


@pytest.fixture(params=["asyncio", "uvloop"])
def new_loop(request: pytest.FixtureRequest) -> Callable[[], asyncio.AbstractEventLoop]:
    def make() -> asyncio.AbstractEventLoop:
        if request.param == "uvloop":
            return uvloop.new_event_loop()
        return asyncio.new_event_loop()
    return make


@pytest.fixture
def run(new_loop: Callable[[], asyncio.AbstractEventLoop]) \
        -> Callable[[Coroutine[Any, Any, Any]], Any]:
    """Run a coroutine to completion on a fresh loop of the parametrised kind."""
    def runner(coro: Coroutine[Any, Any, Any]) -> Any:
        loop = new_loop()
        try:
            return loop.run_until_complete(asyncio.wait_for(coro, 60))
        finally:
            loop.close()
    return runner


@pytest.fixture
def actx() -> Iterator[azmq.Context]:
    ctx = azmq.Context()
    yield ctx
    ctx.destroy(linger=0)


def _socket(ctx: Any, kind: int) -> Any:
    s = ctx.socket(kind)
    s.linger = 0
    s.rcvtimeo = TIMEOUT_MS
    s.sndtimeo = TIMEOUT_MS
    return s


def _bind(sock: Any, transport: str) -> str:
    sock.bind(bind_address(transport))
    return str(sock.getsockopt_string(zmq4.LAST_ENDPOINT))


async def _exchanges(client: Any, count: int) -> list[int]:
    """One round trip on asyncio REQ ``client`` to an echo server, then ``count`` more
    with the reads of its connection spied on: the threads that did them."""
    await client.send(b"start")
    assert await client.recv() == b"start"
    reads = support.spy_reads(support.engine_of(client))
    for i in range(count):
        await client.send(b"request %d" % i)
        assert await client.recv() == b"request %d" % i
    return reads


def _serve(server: Any, count: int) -> threading.Thread:
    """A blocking echo server in a thread, for ``count`` requests."""
    def serve() -> None:
        for _ in range(count):
            server.send(server.recv())

    t = threading.Thread(target=serve)
    t.start()
    return t


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_the_loop_reads_its_answers(actx: azmq.Context, transport: str,
                                    run: Callable[[Any], Any]) -> None:
    """Both ends on one loop (two I/O-thread connections in one context): the loop's
    thread reads the requests and the replies, which arrive intact and in order."""
    async def main() -> tuple[list[int], list[int]]:
        server = _socket(actx, zmq4.REP)
        client = _socket(actx, zmq4.REQ)
        server.bind(bind_address(transport))
        client.connect(server.getsockopt_string(zmq4.LAST_ENDPOINT))
        await client.send(b"hello")
        assert await server.recv() == b"hello"
        await server.send(b"welcome")
        assert await client.recv() == b"welcome"
        client_reads = support.spy_reads(support.engine_of(client))
        server_reads = support.spy_reads(support.engine_of(server))

        async def echo() -> None:
            for _ in range(100):
                await server.send(await server.recv())

        task = asyncio.ensure_future(echo())
        for i in range(100):
            await client.send(b"request %d" % i)
            assert await client.recv() == b"request %d" % i
        await task
        return client_reads, server_reads

    client_reads, server_reads = run(main())
    me = threading.get_ident()
    for reads in (client_reads, server_reads):
        assert reads.count(me) >= 90, f"read by the loop {reads.count(me)} of {len(reads)}"


def test_the_loop_sleeps_while_a_lent_recv_waits(actx: azmq.Context,
                                                 run: Callable[[Any], Any]) -> None:
    """A recv waiting on a lent connection with nothing coming, then with the peer gone
    (EOF read, the watch ended): the loop sleeps both times, it does not spin on the fd."""
    async def main() -> None:
        server = _socket(actx, zmq4.REP)
        client = _socket(actx, zmq4.REQ)
        endpoint = _bind(server, "tcp")
        client.connect(endpoint)
        await client.send(b"hello")
        assert await server.recv() == b"hello"
        waiting = asyncio.ensure_future(client.recv())
        await asyncio.sleep(0.05)
        assert support.engine_of(client).lent
        cpu = time.process_time()
        await asyncio.sleep(0.5)
        # a spinning loop burns the whole half second; an idle one almost nothing
        assert time.process_time() - cpu < 0.25
        server.close()
        await asyncio.sleep(0.1)
        cpu = time.process_time()
        await asyncio.sleep(0.5)
        assert time.process_time() - cpu < 0.25
        assert not waiting.done()  # REQ waits on (it reconnects; nobody answers)
        waiting.cancel()

    run(main())


def test_blocking_use_after_the_loop_ended(actx: azmq.Context,
                                           run: Callable[[Any], Any]) -> None:
    """The loop gives the reads back once no recv waits: the same socket then works from
    blocking code (a shadow), the I/O thread reading for it."""
    server = _socket(zmq4.Context.instance(), zmq4.REP)
    server.bind("tcp://127.0.0.1:*")
    client = _socket(actx, zmq4.REQ)
    client.connect(server.getsockopt_string(zmq4.LAST_ENDPOINT))
    t = _serve(server, 6)

    async def main() -> None:
        for i in range(5):
            await client.send(b"%d" % i)
            assert await client.recv() == b"%d" % i
        assert support.engine_of(client).lent, "the loop never read the connection"

    run(main())
    try:  # the give-back is the I/O thread's to carry out
        support.wait_until(lambda: not support.engine_of(client).lent, what="the reads given back")
        blocking = zmq4.Socket.shadow(client)
        blocking.send(b"after")
        assert blocking.recv() == b"after"
    finally:
        t.join(30)
        server.close()


@pytest.fixture
def stopped(actx: azmq.Context, new_loop: Callable[[], Any]) -> Iterator[tuple[Any, Any]]:
    """An asyncio REQ whose loop stopped while its recv waited, the reads still lent to
    that loop, and its REP (blocking, the request taken). The server is in the same
    context: one I/O thread serves both connections, so a blocking recv on the client
    cannot read for itself (zmq4.io.session's recv-through)."""
    owner = _socket(actx, zmq4.REP)
    server = zmq4.Socket.shadow(owner)
    server.bind("tcp://127.0.0.1:*")
    client = _socket(actx, zmq4.REQ)
    client.connect(server.getsockopt_string(zmq4.LAST_ENDPOINT))
    loop = new_loop()
    try:
        async def exchange() -> None:
            await client.send(b"first")
            assert server.recv() == b"first"
            server.send(b"first")
            assert await client.recv() == b"first"
            await client.send(b"second")
            pending = asyncio.ensure_future(client.recv())
            await asyncio.sleep(0.05)
            assert support.engine_of(client).lent and not pending.done()

        loop.run_until_complete(asyncio.wait_for(exchange(), 60))
        assert server.recv() == b"second"
        yield client, server
    finally:
        loop.close()
        server.close()


def test_loop_stopped_then_a_blocking_recv(stopped: tuple[Any, Any]) -> None:
    """A blocking recv takes the reads back instead of waiting for that loop forever."""
    client, server = stopped
    server.send(b"answer")  # nobody runs the loop that holds the reads
    assert zmq4.Socket.shadow(client).recv() == b"answer"


def test_loop_stopped_then_a_blocking_poll(stopped: tuple[Any, Any]) -> None:
    """A blocking poll (zmq_poll) takes the reads back too and sees the answer."""
    client, server = stopped
    server.send(b"answer")
    blocking = zmq4.Socket.shadow(client)
    assert blocking.poll(TIMEOUT_MS, zmq4.POLLIN) == zmq4.POLLIN
    assert blocking.recv() == b"answer"


def test_taken_back_connection_still_closes(stopped: tuple[Any, Any]) -> None:
    """Reads taken back from a stopped loop that still holds its duplicate of the fd: a
    disconnect then still ends the connection (the peer sees it go)."""
    client, server = stopped
    events = server.get_monitor_socket(zmq4.EVENT_DISCONNECTED)
    try:
        server.send(b"answer")
        blocking = zmq4.Socket.shadow(client)
        assert blocking.recv() == b"answer"
        blocking.disconnect(server.getsockopt_string(zmq4.LAST_ENDPOINT))
        # (the monitor socket is of the asyncio context: poll it the blocking way)
        assert zmq4.Socket.poll(events, TIMEOUT_MS) == zmq4.POLLIN, \
            "the peer never saw the connection go"
    finally:
        server.disable_monitor()
        events.close()


def test_peer_close_seen_while_the_loop_is_stopped(stopped: tuple[Any, Any]) -> None:
    """The peer closing a connection lent to a loop that is not running: the I/O thread
    still sees it (DISCONNECTED), as it would if it were reading."""
    client, server = stopped
    blocking = zmq4.Socket.shadow(client)
    events = blocking.get_monitor_socket(zmq4.EVENT_DISCONNECTED)
    try:
        server.close()
        assert zmq4.Socket.poll(events, TIMEOUT_MS) == zmq4.POLLIN, \
            "the closed connection went unnoticed"
    finally:
        blocking.disable_monitor()
        events.close()


def test_rcvhwm_pauses_and_resumes_reading(actx: azmq.Context,
                                           run: Callable[[Any], Any]) -> None:
    """A DEALER pushes 2000 requests at an asyncio REP with RCVHWM 1: reading pauses at
    the limit (the reads go back to the I/O thread, which resumes them) and every request
    is answered, in order."""
    dealer = _socket(zmq4.Context.instance(), zmq4.DEALER)
    dealer.sndhwm = 0
    dealer.rcvhwm = 0
    count = 2000

    async def main() -> None:
        server = _socket(actx, zmq4.REP)
        server.rcvhwm = 1
        dealer.connect(_bind(server, "tcp"))
        for i in range(count):
            dealer.send_multipart([b"", b"%d" % i])
        for _ in range(count):
            await server.send(await server.recv())

    try:
        run(main())
        for i in range(count):
            assert dealer.recv_multipart() == [b"", b"%d" % i]
    finally:
        dealer.close()


def test_peer_going_away_during_the_wait(actx: azmq.Context,
                                         run: Callable[[Any], Any]) -> None:
    """An asyncio REP awaiting a request from its one peer, which then goes away: that
    connection ends, and the next peer's request is received and answered."""
    async def main() -> None:
        server = _socket(actx, zmq4.REP)
        endpoint = _bind(server, "tcp")
        sync_ctx = zmq4.Context()
        try:
            first = _socket(sync_ctx, zmq4.REQ)
            first.connect(endpoint)
            first.send(b"one")
            assert await server.recv() == b"one"
            await server.send(b"one")
            assert first.recv() == b"one"
            waiting = asyncio.ensure_future(server.recv())
            await asyncio.sleep(0.05)
            assert support.engine_of(server).lent
            first.close()
            await asyncio.sleep(0.2)
            second = _socket(sync_ctx, zmq4.REQ)
            second.connect(endpoint)
            second.send(b"two")
            assert await waiting == b"two"
            await server.send(b"two")
            assert second.recv() == b"two"
            second.close()
        finally:
            sync_ctx.destroy(linger=0)

    run(main())


async def _waiting_client(actx: azmq.Context, server: Any,
                          endpoint: str) -> tuple[Any, asyncio.Future[Any]]:
    """An asyncio REQ connected to the blocking REP ``server``, its request taken, its recv
    waiting on the connection lent to the loop (no RCVTIMEO: only the test ends it)."""
    client = _socket(actx, zmq4.REQ)
    client.rcvtimeo = -1
    client.connect(endpoint)
    await client.send(b"request")
    assert server.recv() == b"request"
    waiting = asyncio.ensure_future(client.recv())
    await asyncio.sleep(0.05)
    assert support.engine_of(client).lent
    return client, waiting


def test_close_during_the_wait_ends_the_connection(actx: azmq.Context,
                                                   run: Callable[[Any], Any]) -> None:
    """Closing an asyncio REQ whose recv waits on a lent connection closes that connection
    for real (the peer sees it go), and the pending recv ends."""
    server = _socket(zmq4.Context.instance(), zmq4.REP)
    events = server.get_monitor_socket(zmq4.EVENT_DISCONNECTED)
    endpoint = _bind(server, "tcp")

    async def main() -> None:
        client, waiting = await _waiting_client(actx, server, endpoint)
        client.close()
        with pytest.raises((asyncio.CancelledError, zmq4.ZMQError)):
            await waiting

    try:
        run(main())
        assert events.poll(TIMEOUT_MS), "the peer never saw the connection go"
    finally:
        server.disable_monitor()
        events.close()
        server.close()


def test_disconnect_during_the_wait_ends_the_connection(actx: azmq.Context,
                                                        run: Callable[[Any], Any]) -> None:
    """``disconnect`` while a recv waits on the lent connection: the I/O thread closes it
    and the loop's watch ends with it, so the peer sees it go while the socket lives on."""
    server = _socket(zmq4.Context.instance(), zmq4.REP)
    events = server.get_monitor_socket(zmq4.EVENT_DISCONNECTED)
    endpoint = _bind(server, "tcp")

    async def main() -> None:
        client, waiting = await _waiting_client(actx, server, endpoint)
        client.disconnect(endpoint)
        loop = asyncio.get_running_loop()
        assert await loop.run_in_executor(None, events.poll, TIMEOUT_MS), \
            "the peer never saw the connection go"
        waiting.cancel()
        client.close()

    try:
        run(main())
    finally:
        server.disable_monitor()
        events.close()
        server.close()


def test_hostile_server_costs_its_connection_only(actx: azmq.Context,
                                                  run: Callable[[Any], Any]) -> None:
    """A server that completes the handshake, then answers with a frame over the
    client's MAXMSGSIZE while the loop reads for the client: that connection ends
    (DISCONNECTED), the recv times out, and the loop goes on."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    got_request = threading.Event()

    async def main() -> None:
        client = _socket(actx, zmq4.REQ)
        client.rcvtimeo = 1500
        client.maxmsgsize = 50  # the READY command (27 bytes) is a frame too
        events = client.get_monitor_socket(zmq4.EVENT_DISCONNECTED)
        client.connect(f"tcp://127.0.0.1:{port}")
        await client.send(b"request")
        assert await asyncio.get_running_loop().run_in_executor(
            None, got_request.wait, TIMEOUT_MS / 1000)
        with pytest.raises(zmq4.Again):
            await client.recv()
        assert await events.poll(TIMEOUT_MS) == zmq4.POLLIN, "no DISCONNECTED event"
        client.disable_monitor()
        events.close()
        await asyncio.sleep(0)  # the loop is fine

    t = threading.Thread(target=support.oversized_answer_server,
                         args=(listener, got_request, TIMEOUT_MS / 1000))
    t.start()
    try:
        run(main())
    finally:
        t.join(30)
        listener.close()


@pytest.mark.parametrize("size", [300_000, 3_000_000])
def test_large_answers_arrive_whole(actx: azmq.Context, size: int,
                                    run: Callable[[Any], Any]) -> None:
    """Answers larger than one read arrive whole when the loop reads them."""
    server = _socket(zmq4.Context.instance(), zmq4.REP)
    endpoint = _bind(server, "tcp")
    payload = bytes(range(256)) * (size // 256)
    t = _serve(server, 3)

    async def main() -> None:
        client = _socket(actx, zmq4.REQ)
        client.connect(endpoint)
        for i in range(3):
            await client.send(payload[i:] + payload[:i])
            assert await client.recv() == payload[i:] + payload[:i]

    try:
        run(main())
    finally:
        t.join(30)
        server.close()


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_against_libzmq_peers(actx: azmq.Context, transport: str,
                              run: Callable[[Any], Any]) -> None:
    """libzmq (pyzmq) at the far end, both ways round: an asyncio zmq4 REQ whose loop
    reads the replies of a pyzmq REP, and an asyncio zmq4 REP serving a pyzmq REQ."""
    pctx = pyzmq.Context()
    try:
        prep = pctx.socket(pyzmq.REP)
        prep.linger = 0
        prep.bind(bind_address(transport))
        preq = pctx.socket(pyzmq.REQ)
        preq.linger = 0
        preq.rcvtimeo = TIMEOUT_MS

        def pyzmq_server() -> None:
            for _ in range(50):
                prep.send(prep.recv())

        async def main() -> list[int]:
            client = _socket(actx, zmq4.REQ)
            client.connect(prep.getsockopt(pyzmq.LAST_ENDPOINT).decode())
            server = _socket(actx, zmq4.REP)
            preq.connect(_bind(server, transport))
            reads = await _exchanges(client, 49)
            loop = asyncio.get_running_loop()
            for i in range(20):
                fut = loop.run_in_executor(None, lambda: (preq.send(b"r%d" % i), preq.recv()))
                await server.send(await server.recv())
                assert (await fut)[1] == b"r%d" % i
            return reads

        t = threading.Thread(target=pyzmq_server)
        t.start()
        try:
            reads = run(main())
        finally:
            t.join(30)
        assert reads.count(threading.get_ident()) >= 40
    finally:
        pctx.destroy(linger=0)


def test_curve_against_a_libzmq_server(actx: azmq.Context,
                                       run: Callable[[Any], Any]) -> None:
    """CURVE: the loop reads (and the engine decrypts) the answers of a pyzmq CURVE REP."""
    server_public, server_secret = zmq4.curve_keypair()
    client_public, client_secret = zmq4.curve_keypair()
    pctx = pyzmq.Context()
    try:
        prep = pctx.socket(pyzmq.REP)
        prep.linger = 0
        prep.curve_server = True
        prep.curve_secretkey = server_secret
        port = prep.bind_to_random_port("tcp://127.0.0.1")
        t = threading.Thread(target=lambda: [prep.send(prep.recv()) for _ in range(30)])
        t.start()

        async def main() -> list[int]:
            client = _socket(actx, zmq4.REQ)
            client.curve_serverkey = server_public
            client.curve_publickey = client_public
            client.curve_secretkey = client_secret
            client.connect(f"tcp://127.0.0.1:{port}")
            return await _exchanges(client, 29)

        try:
            reads = run(main())
        finally:
            t.join(30)
        assert reads.count(threading.get_ident()) >= 25
    finally:
        pctx.destroy(linger=0)
