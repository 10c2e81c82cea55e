"""Shared fixtures: a fresh context per test and the transport parameter.

Helpers (``bind``, ``bind_address``, ``settle``, ``wait_until``, ``TRANSPORTS``...) live in
tests/support.py; import them from there (``from support import bind``), never from
``conftest`` (tests/abi has a conftest of its own, and the module name would collide).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support import TRANSPORTS  # noqa: F401 - re-exported for old imports

from zmq4 import capi


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


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)
