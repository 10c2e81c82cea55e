"""Shared fixtures: a fresh context per test and transport-parametrised endpoints.

``TRANSPORTS`` lists what the core can carry today; tests parametrised over it pick up
tcp and ipc as soon as the transport layer lands (add them here, nowhere else).
"""

from __future__ import annotations

import itertools
import os
import tempfile
from typing import Any, Iterator

import pytest

from zmq4 import capi

TRANSPORTS = ["inproc"]
_counter = itertools.count()


@pytest.fixture
def ctx() -> Iterator[Any]:
    """A context; sockets a test forgets are closed with linger 0 before terminating."""
    c = capi.zmq_ctx_new()
    yield c
    for s in list(c.sockets):
        if not s.closed:
            s.options.linger = 0
            s.close()
    assert capi.zmq_ctx_term(c) == 0


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


def bind(sock: Any, transport: str) -> str:
    """Bind ``sock`` on a fresh endpoint; return the address peers should connect to."""
    ep = bind_address(transport)
    rc = capi.zmq_bind(sock, ep)
    assert rc == 0, capi.zmq_strerror(capi.zmq_errno())
    last = capi.zmq_getsockopt(sock, capi.ZMQ_LAST_ENDPOINT)
    return last.decode() if isinstance(last, bytes) else last


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)
