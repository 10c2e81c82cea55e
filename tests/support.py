"""Shared test support: transport-parametrised endpoints and condition waits.

Imported by tests as ``from support import ...`` (tests/ is on sys.path through the rootdir
conftest); the fixtures built on it live in tests/conftest.py.

``TRANSPORTS`` lists what the core can carry; tests parametrised over it run on every
transport (add one here, nowhere else).

Connection timing: inproc connects at once, tcp/ipc connect and handshake in an I/O thread.
A test whose assertion needs a connection state first (round-robin over N peers, fair
queuing over queued messages, a peer that must be gone) waits for that state with
``settle`` / ``wait_queued`` / ``wait_until``: condition waits with a deadline, the
condition-based counterpart of the ``msleep (SETTLE_TIME)`` in libzmq's own tests. They are
white-box test support (they read the core socket's pipes), never fixed sleeps.
"""

from __future__ import annotations

import itertools
import os
import socket as _socket
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

from zmq4 import capi

TRANSPORTS = ["inproc", "tcp", "ipc"]
_counter = itertools.count()





def bind_address(transport: str) -> str:
    """A fresh endpoint to bind for ``transport`` (port 0 / unique names)."""
    n = next(_counter)
    if transport == "inproc":
        return f"inproc://test-{os.getpid()}-{n}"
    if transport == "tcp":
        return "tcp://127.0.0.1:*"
    if transport == "ipc":
        return f"ipc://{tempfile.gettempdir()}/zmq4-test-{os.getpid()}-{n}.sock"
    raise ValueError(transport)


def raw_connect(endpoint: str, timeout: float = 10.0) -> _socket.socket:
    """A plain OS socket connected to a tcp:// or ipc:// endpoint (``@name``: abstract)."""
    transport, _, address = endpoint.partition("://")
    if transport == "tcp":
        host, _, port = address.rpartition(":")
        return _socket.create_connection((host, int(port)), timeout=timeout)
    s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect("\0" + address[1:] if address.startswith("@") else address)
    return s


def bind(sock: Any, transport: str) -> str:
    """Bind ``sock`` on a fresh endpoint; return the address peers should connect to."""
    ep = bind_address(transport)
    rc = capi.zmq_bind(sock, ep)
    assert rc == 0, capi.zmq_strerror(capi.zmq_errno())
    last = capi.zmq_getsockopt(sock, capi.ZMQ_LAST_ENDPOINT)
    return last.decode() if isinstance(last, bytes) else last





# ---------------------------------------------------------------------------- settling

SETTLE_TIMEOUT = 10.0  # s: generous, reached only when a test fails


def core_socket(sock: Any) -> Any:
    """The zmq4.core socket behind a capi handle or an object-API ``Socket``."""
    return getattr(sock, "_core", sock)


def wait_until(predicate: Callable[[], bool], sock: Any = None,
               timeout: float = SETTLE_TIMEOUT, what: str = "condition",
               poll_events: bool = True) -> None:
    """Wait until ``predicate()`` holds, failing the test after ``timeout`` seconds.

    With ``sock``, the socket is driven while waiting as an application polling it would
    be: ZMQ_EVENTS is read (pending commands — new pipes, activations, terminations —
    are processed and the inbound queues looked at, so a pipe whose peer went away ends
    once its last message was read). ``poll_events=False`` only processes commands and
    leaves the queues alone (ZMQ_EVENTS may prefetch or discard on ROUTER/REQ/REP).
    The wait sleeps on the socket's mailbox, so it wakes as soon as something arrives."""
    core = core_socket(sock) if sock is not None else None
    deadline = time.monotonic() + timeout
    while True:
        if core is not None:
            if poll_events:
                core.events()
            else:
                core.process_commands(0)
        if predicate():
            return
        left = deadline - time.monotonic()
        assert left > 0, f"timed out after {timeout} s waiting for {what}"
        if core is not None:
            core.mailbox.wait(int(min(left, 0.05) * 1000) + 1)
        else:
            time.sleep(min(left, 0.005))


def settle(sock: Any, n_peers: int, timeout: float = SETTLE_TIMEOUT) -> None:
    """Wait until ``sock`` has exactly ``n_peers`` attached peers (pipes).

    On a bind side a tcp/ipc peer attaches once its handshake completed; a closed peer
    detaches once the socket has heard about it and read what the peer had sent (the
    socket is polled meanwhile, as ``zmq_poll`` would). (A connect side has its pipe from
    ``zmq_connect`` on, unless ZMQ_IMMEDIATE: use ``wait_until`` with a delivery there.)"""
    core = core_socket(sock)
    wait_until(lambda: len(core.pipes) == n_peers, sock, timeout,
               f"{n_peers} attached peers on {core!r} (has {len(core.pipes)})")


def queued_messages(sock: Any) -> int:
    """Complete inbound messages queued for ``sock`` on all its pipes, not read yet."""
    core = core_socket(sock)
    return sum(p.peer.msgs_written - p.msgs_read for p in list(core.pipes)
               if p.peer is not None)


def wait_queued(sock: Any, n_msgs: int, timeout: float = SETTLE_TIMEOUT) -> None:
    """Wait until at least ``n_msgs`` complete messages wait in ``sock``'s inbound
    queues (e.g. before checking fair queuing, which needs every peer's messages there)."""
    wait_until(lambda: queued_messages(sock) >= n_msgs, sock, timeout,
               f"{n_msgs} queued messages on {core_socket(sock)!r}", poll_events=False)


class RecordingSink:
    """Stands in for a socket or session at one end of a pipe: records what the pipe
    posts (``activate_read``, ``pipe_term``...) and the ends that finished."""

    def __init__(self) -> None:
        self.commands: list[Any] = []
        self.ended: list[Any] = []

    def post(self, command: Any) -> None:
        self.commands.append(command)

    def pipe_ended(self, pipe: Any) -> None:
        self.ended.append(pipe)


# ------------------------------------------------------- who reads a tcp/ipc connection

def engine_of(sock: Any) -> Any:
    """White box: the engine of the socket's one tcp/ipc connection."""
    (pipe,) = core_socket(sock).pipes
    return pipe.peer.sink.engine


def spy_reads(engine: Any) -> list[int]:
    """Record the thread of every read of ``engine`` (an instance attribute in front of
    the class's method: the I/O loop, a recv-through and a read-on-loop all look it
    up)."""
    threads: list[int] = []
    read = engine.on_readable

    def on_readable() -> None:
        threads.append(threading.get_ident())
        read()

    engine.on_readable = on_readable
    return threads


# ---------------------------------------------------------------------- hostile peers

def oversized_answer_server(listener: _socket.socket, got_request: Any,
                            timeout: float = 10.0) -> None:
    """A ZMTP 3.0 REP server (NULL, on ``listener``) that completes the handshake, waits
    for a request containing b"request" (then sets ``got_request``, a threading.Event),
    and 0.3 s later answers with a 100-byte frame: over a client MAXMSGSIZE of 50 (its
    27-byte READY command passes). Returns once the client dropped the connection."""
    conn, _ = listener.accept()
    with conn:
        conn.settimeout(timeout)
        ready = b"\x05READY\x0bSocket-Type\x00\x00\x00\x03REP"
        conn.sendall(b"\xff" + (1).to_bytes(8, "big") + b"\x7f" + b"\x03\x00"
                     + b"NULL".ljust(20, b"\0") + b"\0" * 32
                     + b"\x04" + bytes([len(ready)]) + ready)
        seen = b""
        while b"request" not in seen:
            chunk = conn.recv(4096)
            assert chunk, "the client hung up"
            seen += chunk
        got_request.set()
        time.sleep(0.3)  # the client is waiting for its answer by now
        conn.sendall(b"\x01\x00" + b"\x00\x64" + b"x" * 100)  # [delimiter][100 B]
        conn.recv(1)  # until the client drops the connection
