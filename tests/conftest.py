"""Shared fixtures: a fresh context per test and the transport parameter.

Helpers (``bind``, ``bind_address``, ``settle``, ``wait_until``, ``TRANSPORTS``...) live in
tests/support.py; import them from there (``from support import bind``), never from
``conftest`` (tests/abi has a conftest of its own, and the module name would collide).
"""

from __future__ import annotations

import faulthandler
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from support import TRANSPORTS  # noqa: F401 - re-exported for old imports

from zmq4 import capi

WATCHDOG_S = 300.0


@pytest.fixture(autouse=True)
def _hang_watchdog() -> Iterator[None]:
    """Backstop for pytest-timeout: its SIGALRM handler only runs when the main thread
    returns to bytecode, so a wait stuck below Python would stall the whole run. This
    dumps every thread's stack and exits the process if one test (setup, call and
    teardown together) takes longer than WATCHDOG_S."""
    faulthandler.dump_traceback_later(WATCHDOG_S, exit=True, file=sys.stderr)
    yield
    faulthandler.cancel_dump_traceback_later()


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


@pytest.fixture
def context() -> Iterator[Any]:
    """An object-API context (``zmq4.Context``), destroyed with linger 0 afterwards."""
    import zmq4

    c = zmq4.Context()
    yield c
    c.destroy(linger=0)


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)
