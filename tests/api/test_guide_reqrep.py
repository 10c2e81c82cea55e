"""ZeroMQ guide, chapter 1-3 request/reply programs written pyzmq-style against zmq4:
hwserver/hwclient, several clients sharing one ROUTER server (rtreq-like), and the
extended request/reply with identities (DEALER client, ROUTER server).

As in the guide, servers loop forever; here "forever" ends when the test terminates the
context (``ContextTerminated``), after which each server closes its socket."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from support import bind_address

import zmq4 as zmq

TIMEOUT_MS = 10000


@pytest.fixture
def context() -> Iterator[zmq.Context]:
    ctx = zmq.Context()
    yield ctx
    ctx.destroy(linger=0)


class Background:
    """Run guide programs in threads; re-raise their exceptions in the test."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []
        self.errors: list[BaseException] = []

    def start(self, target: Callable[..., Any], *args: Any) -> None:
        def run() -> None:
            try:
                target(*args)
            except BaseException as e:  # noqa: B036 - reported by join()
                self.errors.append(e)

        t = threading.Thread(target=run, daemon=True)
        t.start()
        self.threads.append(t)

    def join(self) -> None:
        for t in self.threads:
            t.join(30)
            assert not t.is_alive(), "a guide program did not finish"
        if self.errors:
            raise self.errors[0]


# ---------------------------------------------------------------------------- hello world

def hwserver(context: zmq.Context, transport: str, endpoints: queue.Queue[str]) -> None:
    """Hello World server: binds REP, expects b"Hello", replies b"World"."""
    socket = context.socket(zmq.REP)
    socket.bind(bind_address(transport))
    endpoints.put(socket.last_endpoint.decode())
    try:
        while True:
            message = socket.recv()
            assert message.startswith(b"Hello")
            socket.send(b"World " + message[6:])
    except zmq.ContextTerminated:
        pass
    finally:
        socket.close()


def hwclient(context: zmq.Context, endpoint: str, requests: int) -> list[bytes]:
    """Hello World client: connects REQ, sends requests, collects replies."""
    socket = context.socket(zmq.REQ)
    socket.rcvtimeo = TIMEOUT_MS
    socket.connect(endpoint)
    replies = []
    for request in range(requests):
        socket.send(b"Hello %d" % request)
        replies.append(socket.recv())
    socket.close()
    return replies


def test_hello_world(transport: str) -> None:
    context = zmq.Context()
    endpoints: queue.Queue[str] = queue.Queue()
    bg = Background()
    bg.start(hwserver, context, transport, endpoints)
    replies = hwclient(context, endpoints.get(timeout=10), 10)
    context.term()
    bg.join()
    assert replies == [b"World %d" % i for i in range(10)]


def test_hello_world_with_strings_and_json(context: zmq.Context, transport: str) -> None:
    server = context.socket(zmq.REP)
    server.bind(bind_address(transport))
    client = context.socket(zmq.REQ)
    client.connect(server.last_endpoint.decode())
    for s in (server, client):
        s.rcvtimeo = TIMEOUT_MS
    client.send_string("What is 6 x 7?")
    assert server.recv_string() == "What is 6 x 7?"
    server.send_json({"answer": 42})
    assert client.recv_json() == {"answer": 42}
    client.send_pyobj(("again", 1))
    assert server.recv_pyobj() == ("again", 1)
    server.send_multipart([b"two", b"frames"])
    assert client.recv_multipart() == [b"two", b"frames"]


# ---------------------------------------------------------------------------- ROUTER server

def router_server(context: zmq.Context, transport: str, endpoints: queue.Queue[str]) -> None:
    """A ROUTER answering REQ clients by identity (the envelope is kept intact)."""
    server = context.socket(zmq.ROUTER)
    server.bind(bind_address(transport))
    endpoints.put(server.last_endpoint.decode())
    try:
        while True:
            identity, empty, request = server.recv_multipart()
            assert empty == b""
            server.send_multipart([identity, b"", b"reply to " + identity + b": " + request])
    except zmq.ContextTerminated:
        pass
    finally:
        server.close()


def named_client(context: zmq.Context, endpoint: str, name: bytes, count: int,
                 results: dict[bytes, list[bytes]]) -> None:
    client = context.socket(zmq.REQ)
    client.identity = name
    client.rcvtimeo = TIMEOUT_MS
    client.connect(endpoint)
    got = []
    for i in range(count):
        client.send(b"%d" % i)
        got.append(client.recv())
    results[name] = got
    client.close()


def test_several_clients_one_router(transport: str) -> None:
    context = zmq.Context()
    endpoints: queue.Queue[str] = queue.Queue()
    names = [b"client-%d" % i for i in range(4)]
    results: dict[bytes, list[bytes]] = {}
    server = Background()
    server.start(router_server, context, transport, endpoints)
    endpoint = endpoints.get(timeout=10)
    clients = Background()
    for name in names:
        clients.start(named_client, context, endpoint, name, 5, results)
    clients.join()
    context.term()
    server.join()
    for name in names:
        assert results[name] == [b"reply to " + name + b": %d" % i for i in range(5)]


# ---------------------------------------------------------------------------- DEALER/ROUTER

def test_asynchronous_client_server(context: zmq.Context, transport: str) -> None:
    """The guide's asyncsrv shape: DEALER clients send many requests without waiting;
    the ROUTER server answers each, out of lock-step."""
    server = context.socket(zmq.ROUTER)
    server.rcvtimeo = TIMEOUT_MS
    server.bind(bind_address(transport))
    endpoint = server.last_endpoint.decode()
    clients = []
    for i in range(3):
        c = context.socket(zmq.DEALER)
        c.identity = b"dealer-%d" % i
        c.rcvtimeo = TIMEOUT_MS
        c.connect(endpoint)
        clients.append(c)
    for c in clients:
        for n in range(10):
            c.send_multipart([b"", b"request %d" % n])
    for _ in range(30):
        identity, empty, body = server.recv_multipart()
        server.send_multipart([identity, empty, body.replace(b"request", b"reply")])
    for c in clients:
        replies = [c.recv_multipart() for _ in range(10)]
        assert replies == [[b"", b"reply %d" % n] for n in range(10)]
