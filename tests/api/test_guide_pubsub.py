"""ZeroMQ guide publish/subscribe programs written pyzmq-style against zmq4: the weather
server and client (topic filter), pub/sub envelopes (psenvpub/psenvsub), and node
coordination (syncpub/syncsub) without fixed sleeps.

Subscriptions travel to the publisher asynchronously (the "slow joiner"), so publishers here
keep publishing until their subscribers confirm what they need, instead of sleeping."""

from __future__ import annotations

import queue
import random
import threading
from collections.abc import Callable
from typing import Any

from support import bind_address

import zmq4 as zmq

TIMEOUT_MS = 10000


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


# ---------------------------------------------------------------------------- weather

def wuserver(context: zmq.Context, transport: str, endpoints: queue.Queue[str]) -> None:
    """Weather update server: publishes "zipcode temperature relhumidity" forever."""
    publisher = context.socket(zmq.PUB)
    publisher.bind(bind_address(transport))
    endpoints.put(publisher.last_endpoint.decode())
    rng = random.Random(1)
    try:
        while True:
            for _ in range(100):
                zipcode = rng.choice([10001, 10002, 20001, rng.randrange(1, 100000)])
                temperature = rng.randrange(-80, 135)
                relhumidity = rng.randrange(10, 60)
                publisher.send_string(f"{zipcode} {temperature} {relhumidity}")
            publisher.poll(1, zmq.POLLIN)  # pace the bursts (a PUB never becomes readable)
    except zmq.ContextTerminated:
        pass
    finally:
        publisher.close()


def wuclient(context: zmq.Context, endpoint: str, zip_filter: str, updates: int) -> list[int]:
    """Weather update client: subscribes to one zipcode, collects temperatures."""
    subscriber = context.socket(zmq.SUB)
    subscriber.rcvtimeo = TIMEOUT_MS
    subscriber.connect(endpoint)
    subscriber.setsockopt_string(zmq.SUBSCRIBE, zip_filter)
    temperatures = []
    for _ in range(updates):
        string = subscriber.recv_string()
        zipcode, temperature, _relhumidity = string.split()
        assert zipcode == zip_filter.strip()
        temperatures.append(int(temperature))
    subscriber.close()
    return temperatures


def test_weather_updates(transport: str) -> None:
    context = zmq.Context()
    endpoints: queue.Queue[str] = queue.Queue()
    server = Background()
    server.start(wuserver, context, transport, endpoints)
    endpoint = endpoints.get(timeout=10)
    results: dict[str, list[int]] = {}
    clients = Background()
    for zip_filter in ("10001 ", "10002 ", "20001 "):
        clients.start(lambda z: results.__setitem__(z, wuclient(context, endpoint, z, 20)),
                      zip_filter)
    clients.join()
    context.term()
    server.join()
    for temps in results.values():
        assert len(temps) == 20 and all(-80 <= t < 135 for t in temps)


# ---------------------------------------------------------------------------- envelopes

def psenvpub(context: zmq.Context, transport: str, endpoints: queue.Queue[str]) -> None:
    """Pub/sub envelope publisher: [key, contents] multipart messages."""
    publisher = context.socket(zmq.PUB)
    publisher.bind(bind_address(transport))
    endpoints.put(publisher.last_endpoint.decode())
    n = 0
    try:
        while True:
            publisher.send_multipart([b"A", b"We don't want to see this"])
            publisher.send_multipart([b"B", b"We would like to see this %d" % n])
            n += 1
            publisher.poll(1, zmq.POLLIN)  # pace the loop (a PUB never becomes readable)
    except zmq.ContextTerminated:
        pass
    finally:
        publisher.close()


def test_pubsub_envelopes(transport: str) -> None:
    context = zmq.Context()
    endpoints: queue.Queue[str] = queue.Queue()
    pub = Background()
    pub.start(psenvpub, context, transport, endpoints)
    subscriber = context.socket(zmq.SUB)
    subscriber.rcvtimeo = TIMEOUT_MS
    subscriber.connect(endpoints.get(timeout=10))
    subscriber.subscribe(b"B")
    seen = []
    for _ in range(10):
        address, contents = subscriber.recv_multipart()
        seen.append(contents)
        assert address == b"B"
        assert contents.startswith(b"We would like to see this")
    numbers = [int(c.rsplit(b" ", 1)[1]) for c in seen]
    assert numbers == sorted(numbers)  # in order, from one publisher
    subscriber.close()
    context.term()
    pub.join()


# ---------------------------------------------------------------------------- coordination

SUBSCRIBERS = 3
UPDATES = 200


def syncpub(context: zmq.Context, transport: str, endpoints: queue.Queue[tuple[str, str]]) \
        -> None:
    """Synchronized publisher: waits until every subscriber has confirmed (on a REP socket)
    that it receives, then publishes UPDATES messages and b"END"."""
    publisher = context.socket(zmq.PUB)
    publisher.sndhwm = 0  # the subscribers must not lose updates
    publisher.bind(bind_address(transport))
    syncservice = context.socket(zmq.REP)
    syncservice.bind(bind_address(transport))
    endpoints.put((publisher.last_endpoint.decode(), syncservice.last_endpoint.decode()))
    try:
        subscribers = 0
        while subscribers < SUBSCRIBERS:
            # a probe tells each subscriber that its subscription has arrived
            publisher.send(b"PROBE")
            if syncservice.poll(10):
                syncservice.recv()
                syncservice.send(b"")
                subscribers += 1
        for n in range(UPDATES):
            publisher.send(b"Rhubarb %d" % n)
        publisher.send(b"END")
        syncservice.recv()  # wait for the subscribers to report, then end
    except zmq.ContextTerminated:
        pass
    finally:
        publisher.close()
        syncservice.close()


def syncsub(context: zmq.Context, pub_endpoint: str, sync_endpoint: str,
            counts: list[int]) -> None:
    """Synchronized subscriber: subscribes, waits for a probe, checks in, counts updates."""
    subscriber = context.socket(zmq.SUB)
    subscriber.rcvtimeo = TIMEOUT_MS
    subscriber.connect(pub_endpoint)
    subscriber.subscribe(b"")
    while subscriber.recv() != b"PROBE":
        pass
    syncclient = context.socket(zmq.REQ)
    syncclient.rcvtimeo = TIMEOUT_MS
    syncclient.connect(sync_endpoint)
    syncclient.send(b"")
    syncclient.recv()
    received = 0
    while True:
        msg = subscriber.recv()
        if msg == b"END":
            break
        if msg != b"PROBE":
            received += 1
    counts.append(received)
    subscriber.close()
    syncclient.close()


def test_synchronized_publisher(transport: str) -> None:
    context = zmq.Context()
    endpoints: queue.Queue[tuple[str, str]] = queue.Queue()
    pub = Background()
    pub.start(syncpub, context, transport, endpoints)
    pub_endpoint, sync_endpoint = endpoints.get(timeout=10)
    counts: list[int] = []
    subs = Background()
    for _ in range(SUBSCRIBERS):
        subs.start(syncsub, context, pub_endpoint, sync_endpoint, counts)
    subs.join()
    report = context.socket(zmq.REQ)
    report.connect(sync_endpoint)
    report.send(b"done")
    pub.join()
    report.close()
    context.term()
    assert counts == [UPDATES] * SUBSCRIBERS
