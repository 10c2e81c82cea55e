"""ZeroMQ guide's asynchronous client/server (asyncsrv) with asyncio workers, written with
zmq4.asyncio: DEALER clients, a ROUTER frontend and DEALER backend shuttled by an async
Poller loop, and worker tasks that answer each request several times — everything as tasks
on one event loop (the default loop, and uvloop)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
import uvloop  # a test dependency (pyproject test extra)
from support import bind_address

import zmq4 as zmq
import zmq4.asyncio as azmq

CLIENTS = 3
WORKERS = 4
REQUESTS = 5
REPLIES_PER_REQUEST = 2


@pytest.fixture(params=["asyncio", "uvloop"])
def new_loop(request: pytest.FixtureRequest) -> Callable[[], asyncio.AbstractEventLoop]:
    if request.param == "uvloop":
        return uvloop.new_event_loop  # type: ignore[no-any-return]
    return asyncio.new_event_loop


async def server_task(ctx: azmq.Context, frontend_ep: str, backend_ep: str,
                      stop: asyncio.Event) -> None:
    """The broker: ROUTER frontend <-> DEALER backend, shuttled with an async Poller."""
    frontend = ctx.socket(zmq.ROUTER)
    frontend.bind(frontend_ep)
    backend = ctx.socket(zmq.DEALER)
    backend.bind(backend_ep)
    poller = azmq.Poller()
    poller.register(frontend, zmq.POLLIN)
    poller.register(backend, zmq.POLLIN)
    try:
        while not stop.is_set():
            events = dict(await poller.poll(100))
            if frontend in events:
                await backend.send_multipart(await frontend.recv_multipart())
            if backend in events:
                await frontend.send_multipart(await backend.recv_multipart())
    finally:
        frontend.close(linger=0)
        backend.close(linger=0)


async def worker_task(ctx: azmq.Context, backend_ep: str, stop: asyncio.Event) -> int:
    """A worker: answers each request REPLIES_PER_REQUEST times (the guide's asyncsrv)."""
    worker = ctx.socket(zmq.DEALER)
    worker.connect(backend_ep)
    handled = 0
    try:
        while not stop.is_set():
            if not await worker.poll(100):
                continue
            ident, msg = await worker.recv_multipart()
            for n in range(REPLIES_PER_REQUEST):
                await worker.send_multipart([ident, msg + b" reply %d" % n])
            handled += 1
    finally:
        worker.close(linger=0)
    return handled


async def client_task(ctx: azmq.Context, frontend_ep: str, me: int) -> list[bytes]:
    client = ctx.socket(zmq.DEALER)
    client.identity = b"client-%d" % me
    client.rcvtimeo = 10000
    client.connect(frontend_ep)
    try:
        for r in range(REQUESTS):
            await client.send(b"request %d" % r)
        return [await client.recv() for _ in range(REQUESTS * REPLIES_PER_REQUEST)]
    finally:
        client.close(linger=0)


def test_asyncsrv_with_asyncio_workers(transport: str,
                                       new_loop: Callable[[], asyncio.AbstractEventLoop]) \
        -> None:
    frontend_ep = bind_address(transport)
    backend_ep = bind_address("inproc")  # workers live in the same process, as in the guide
    if transport == "tcp":
        with zmq.Context() as probe, probe.socket(zmq.PAIR) as s:
            s.linger = 0
            frontend_ep = f"tcp://127.0.0.1:{s.bind_to_random_port('tcp://127.0.0.1')}"
    ctx = azmq.Context()

    async def main() -> tuple[list[list[bytes]], list[int]]:
        stop = asyncio.Event()
        server = asyncio.ensure_future(server_task(ctx, frontend_ep, backend_ep, stop))
        workers = [asyncio.ensure_future(worker_task(ctx, backend_ep, stop))
                   for _ in range(WORKERS)]
        replies = await asyncio.gather(*[client_task(ctx, frontend_ep, me)
                                         for me in range(CLIENTS)])
        stop.set()
        handled = await asyncio.gather(*workers)
        await server
        return list(replies), list(handled)

    loop = new_loop()
    try:
        replies, handled = loop.run_until_complete(asyncio.wait_for(main(), 60))
    finally:
        loop.close()
        ctx.term()
    for got in replies:
        expected = sorted(b"request %d reply %d" % (r, n) for r in range(REQUESTS)
                          for n in range(REPLIES_PER_REQUEST))
        assert sorted(got) == expected
    assert sum(handled) == CLIENTS * REQUESTS
