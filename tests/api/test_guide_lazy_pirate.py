"""ZeroMQ guide chapter 4, "Lazy Pirate" client-side reliability, written pyzmq-style
against zmq4: a REQ client that polls with a timeout, and on timeout closes its socket
(LINGER 0), opens a new one and resends, giving up after a number of retries. The servers
are unreliable on purpose: one loses every third request, one crashes."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from support import bind_address

import zmq4 as zmq

REQUEST_TIMEOUT = 300  # ms
REQUEST_RETRIES = 3


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


def lpclient(context: zmq.Context, endpoint: str, requests: int,
             log: list[str]) -> list[bytes]:
    """The Lazy Pirate client: returns the replies it got, in order; logs its retries."""
    def new_client() -> zmq.Socket:
        client = context.socket(zmq.REQ)
        # a send to a server that is gone (inproc: no peer left) must not block forever
        client.sndtimeo = REQUEST_TIMEOUT
        client.connect(endpoint)
        return client

    def send(client: zmq.Socket, request: bytes) -> bool:
        try:
            client.send(request)
            return True
        except zmq.Again:
            return False

    client = new_client()
    replies = []
    for sequence in range(1, requests + 1):
        request = str(sequence).encode()
        sent = send(client, request)
        retries_left = REQUEST_RETRIES
        while True:
            if sent and (client.poll(REQUEST_TIMEOUT) & zmq.POLLIN) != 0:
                reply = client.recv()
                if int(reply) == sequence:
                    replies.append(reply)
                    break
                log.append(f"malformed reply from server: {reply!r}")
                continue
            retries_left -= 1
            log.append("no response from server")
            # the socket is confused: close it and open a new one
            client.setsockopt(zmq.LINGER, 0)
            client.close()
            if retries_left == 0:
                log.append("server seems to be offline, abandoning")
                return replies
            log.append("reconnecting to server")
            client = new_client()
            log.append(f"resending ({request.decode()})")
            sent = send(client, request)
    client.close()
    return replies


def lossy_server(context: zmq.Context, transport: str, endpoints: queue.Queue[str],
                 seen: list[bytes]) -> None:
    """Answers requests, but "loses" every third one it receives (no reply)."""
    server = context.socket(zmq.ROUTER)
    server.bind(bind_address(transport))
    endpoints.put(server.last_endpoint.decode())
    received = 0
    try:
        while True:
            identity, empty, request = server.recv_multipart()
            seen.append(request)
            received += 1
            if received % 3 == 0:
                continue  # simulate a lost request
            server.send_multipart([identity, empty, request])
    except zmq.ContextTerminated:
        pass
    finally:
        server.close()


def test_lazy_pirate_survives_lost_requests(transport: str) -> None:
    context = zmq.Context()
    endpoints: queue.Queue[str] = queue.Queue()
    seen: list[bytes] = []
    server = Background()
    server.start(lossy_server, context, transport, endpoints, seen)
    log: list[str] = []
    replies = lpclient(context, endpoints.get(timeout=10), 10, log)
    assert replies == [str(n).encode() for n in range(1, 11)]
    assert log.count("no response from server") >= 3
    assert "server seems to be offline, abandoning" not in log
    assert len(seen) > 10  # the lost requests were resent
    context.term()
    server.join()


def crashing_server(context: zmq.Context, transport: str, endpoints: queue.Queue[str],
                    cycles: int) -> None:
    """The guide's lpserver after a "crash": serves ``cycles`` requests, then exits."""
    server = context.socket(zmq.REP)
    server.bind(bind_address(transport))
    endpoints.put(server.last_endpoint.decode())
    for _ in range(cycles):
        request = server.recv()
        server.send(request)
    server.close()  # crashed


def test_lazy_pirate_abandons_a_dead_server(transport: str) -> None:
    context = zmq.Context()
    endpoints: queue.Queue[str] = queue.Queue()
    server = Background()
    server.start(crashing_server, context, transport, endpoints, 3)
    log: list[str] = []
    replies = lpclient(context, endpoints.get(timeout=10), 10, log)
    server.join()
    assert replies == [b"1", b"2", b"3"]
    assert log.count("no response from server") == REQUEST_RETRIES
    assert log[-1] == "server seems to be offline, abandoning"
    context.term()  # nothing left open: the client closed its sockets with LINGER 0
