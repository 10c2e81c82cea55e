"""ZeroMQ guide brokers written pyzmq-style against zmq4: the request-reply broker with a
Poller (rrbroker), the same with zmq.proxy (msgqueue) and with zmq4.devices (a QUEUE
ThreadDevice), and the load-balancing broker (lbbroker: ROUTER-ROUTER with READY messages).
Clients are REQ sockets, workers REP (or REQ for the load balancer), each in a thread."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from support import bind_address

import zmq4 as zmq
from zmq4 import devices

TIMEOUT_MS = 10000
#: Clients close as soon as each is done (False), so peers leave while the broker is in the
#: middle of other peers' messages (the atomicity tests in test_object_socket_io.py).
CLOSE_TOGETHER = False
CLIENTS = 3
WORKERS = 2
REQUESTS = 5


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


def rrclient(context: zmq.Context, endpoint: str, me: int,
             replies: dict[int, list[bytes]], finished: threading.Barrier) -> None:
    socket = context.socket(zmq.REQ)
    socket.rcvtimeo = TIMEOUT_MS
    socket.connect(endpoint)
    got = []
    for request in range(REQUESTS):
        socket.send(b"Hello %d.%d" % (me, request))
        got.append(socket.recv())
    replies[me] = got
    finished.wait(30)  # see CLOSE_TOGETHER
    socket.close()


def rrworker(context: zmq.Context, endpoint: str) -> None:
    socket = context.socket(zmq.REP)
    socket.connect(endpoint)
    try:
        while True:
            message = socket.recv()
            socket.send(b"World for " + message)
    except zmq.ContextTerminated:
        pass
    finally:
        socket.close()


def check_replies(replies: dict[int, list[bytes]]) -> None:
    assert sorted(replies) == list(range(CLIENTS))
    for me, got in replies.items():
        assert got == [b"World for Hello %d.%d" % (me, r) for r in range(REQUESTS)]


def run_clients_and_workers(context: zmq.Context, frontend: str, backend: str) -> None:
    workers = Background()
    for _ in range(WORKERS):
        workers.start(rrworker, context, backend)
    replies: dict[int, list[bytes]] = {}
    finished = threading.Barrier(CLIENTS if CLOSE_TOGETHER else 1)
    clients = Background()
    for me in range(CLIENTS):
        clients.start(rrclient, context, frontend, me, replies, finished)
    clients.join()
    check_replies(replies)
    context.term()  # workers and broker end with ContextTerminated
    workers.join()


# ---------------------------------------------------------------------------- rrbroker

def rrbroker(context: zmq.Context, transport: str, endpoints: queue.Queue[tuple[str, str]]) \
        -> None:
    """Simple request-reply broker: shuttles whole messages with a Poller."""
    frontend = context.socket(zmq.ROUTER)
    backend = context.socket(zmq.DEALER)
    frontend.bind(bind_address(transport))
    backend.bind(bind_address(transport))
    endpoints.put((frontend.last_endpoint.decode(), backend.last_endpoint.decode()))
    poller = zmq.Poller()
    poller.register(frontend, zmq.POLLIN)
    poller.register(backend, zmq.POLLIN)
    try:
        while True:
            socks = dict(poller.poll())
            if socks.get(frontend) == zmq.POLLIN:
                message = frontend.recv_multipart()
                backend.send_multipart(message)
            if socks.get(backend) == zmq.POLLIN:
                message = backend.recv_multipart()
                frontend.send_multipart(message)
    except zmq.ContextTerminated:
        pass
    finally:
        frontend.close()
        backend.close()


def test_rrbroker_with_poller(transport: str) -> None:
    context = zmq.Context()
    endpoints: queue.Queue[tuple[str, str]] = queue.Queue()
    broker = Background()
    broker.start(rrbroker, context, transport, endpoints)
    frontend, backend = endpoints.get(timeout=10)
    run_clients_and_workers(context, frontend, backend)
    broker.join()


# ---------------------------------------------------------------------------- msgqueue

def msgqueue(context: zmq.Context, transport: str, endpoints: queue.Queue[tuple[str, str]]) \
        -> None:
    """Message queue broker: zmq.proxy does the shuttling."""
    frontend = context.socket(zmq.ROUTER)
    frontend.bind(bind_address(transport))
    backend = context.socket(zmq.DEALER)
    backend.bind(bind_address(transport))
    endpoints.put((frontend.last_endpoint.decode(), backend.last_endpoint.decode()))
    try:
        zmq.proxy(frontend, backend)
    except zmq.ContextTerminated:
        pass
    finally:
        frontend.close()
        backend.close()


def test_msgqueue_with_proxy(transport: str) -> None:
    context = zmq.Context()
    endpoints: queue.Queue[tuple[str, str]] = queue.Queue()
    broker = Background()
    broker.start(msgqueue, context, transport, endpoints)
    frontend, backend = endpoints.get(timeout=10)
    run_clients_and_workers(context, frontend, backend)
    broker.join()


def test_queue_device(transport: str) -> None:
    context = zmq.Context()
    frontend, backend = bind_address(transport), bind_address(transport)
    if transport == "tcp":  # a device binds in its own thread: choose the ports here
        with zmq.Context() as probe, probe.socket(zmq.PAIR) as s:
            s.linger = 0
            frontend = f"tcp://127.0.0.1:{s.bind_to_random_port('tcp://127.0.0.1')}"
            backend = f"tcp://127.0.0.1:{s.bind_to_random_port('tcp://127.0.0.1')}"
    device = devices.ThreadDevice(zmq.QUEUE, zmq.ROUTER, zmq.DEALER)
    device.context_factory = lambda: context  # type: ignore[method-assign]
    device.bind_in(frontend)
    device.bind_out(backend)
    device.start()
    run_clients_and_workers(context, frontend, backend)
    device.join(10)
    assert device.done


# ---------------------------------------------------------------------------- lbbroker

def lbworker(context: zmq.Context, endpoint: str, me: int, served: dict[int, int]) -> None:
    """Load-balanced worker: a REQ that says READY, then answers what it is given."""
    socket = context.socket(zmq.REQ)
    socket.identity = b"Worker-%d" % me
    socket.connect(endpoint)
    socket.send(b"READY")
    count = 0
    try:
        while True:
            address, empty, request = socket.recv_multipart()
            count += 1
            socket.send_multipart([address, b"", b"OK " + request])
    except zmq.ContextTerminated:
        pass
    finally:
        served[me] = count
        socket.close()


def lbbroker(context: zmq.Context, transport: str, endpoints: queue.Queue[tuple[str, str]],
             total: int) -> None:
    """Load-balancing broker: routes each client request to the least recently used
    worker (a queue of worker identities filled by READY and by replies)."""
    frontend = context.socket(zmq.ROUTER)
    backend = context.socket(zmq.ROUTER)
    frontend.bind(bind_address(transport))
    backend.bind(bind_address(transport))
    endpoints.put((frontend.last_endpoint.decode(), backend.last_endpoint.decode()))
    workers: list[bytes] = []
    poller = zmq.Poller()
    poller.register(backend, zmq.POLLIN)  # only poll clients while a worker is free
    answered = 0
    try:
        while answered < total:
            sockets = dict(poller.poll(TIMEOUT_MS))
            assert sockets, "broker idle for too long"
            if backend in sockets:
                request = backend.recv_multipart()
                worker, empty, client = request[:3]
                if not workers:
                    poller.register(frontend, zmq.POLLIN)
                workers.append(worker)
                if client != b"READY" and len(request) > 3:
                    empty, reply = request[3:]
                    frontend.send_multipart([client, b"", reply])
                    answered += 1
            if frontend in sockets:
                client, empty, request = frontend.recv_multipart()
                worker = workers.pop(0)
                backend.send_multipart([worker, b"", client, b"", request])
                if not workers:
                    poller.unregister(frontend)
    finally:
        frontend.close()
        backend.close()


def test_load_balancing_broker(transport: str) -> None:
    context = zmq.Context()
    endpoints: queue.Queue[tuple[str, str]] = queue.Queue()
    broker = Background()
    broker.start(lbbroker, context, transport, endpoints, CLIENTS * REQUESTS)
    frontend, backend = endpoints.get(timeout=10)
    served: dict[int, int] = {}
    workers = Background()
    for me in range(WORKERS):
        workers.start(lbworker, context, backend, me, served)
    replies: dict[int, list[bytes]] = {}
    finished = threading.Barrier(CLIENTS if CLOSE_TOGETHER else 1)

    def client(me: int) -> None:
        socket = context.socket(zmq.REQ)
        socket.rcvtimeo = TIMEOUT_MS
        socket.connect(frontend)
        got = []
        for r in range(REQUESTS):
            socket.send(b"HELLO %d.%d" % (me, r))
            got.append(socket.recv())
        replies[me] = got
        finished.wait(30)  # see CLOSE_TOGETHER
        socket.close()

    clients = Background()
    for me in range(CLIENTS):
        clients.start(client, me)
    clients.join()
    broker.join()
    context.term()
    workers.join()
    for me in range(CLIENTS):
        assert replies[me] == [b"OK HELLO %d.%d" % (me, r) for r in range(REQUESTS)]
    assert sum(served.values()) == CLIENTS * REQUESTS
