"""zmq4.auth.ioloop (pyzmq's IOLoopAuthenticator) keeps zmq4.auth's fail-closed rules on a
tornado IOLoop: started before the loop runs (tornado's usual order), it accepts the right
PLAIN password and CURVE key and refuses the wrong ones; its handler socket is a plain
blocking socket whatever the context's class; an ``async def`` CURVE callback is awaited
on the loop; a handler whose decisions die refuses everyone (CRITICAL in the log); a
handler whose loop is gone keeps the endpoint bound, so handshakes time out instead of
passing. pyzmq's IOLoopAuthenticator answers the same clients the same way.

A client counts as refused when its connection is closed on it (the monitor's
DISCONNECTED event) and the server received nothing. Every wait runs on the loop (the
handler is a task on it): condition waits, never a blocking call.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from _auth_clients import Watched, curve_client, curve_server, plain_client, plain_server
from tornado.ioloop import IOLoop

import zmq4
from zmq4 import constants as C
from zmq4.utils.monitor import recv_monitor_message

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from zmq4.auth.ioloop import IOLoopAuthenticator

TIMEOUT = 20.0


@pytest.fixture
def records(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.INFO, logger="zmq4.auth")

    class View:
        def __iter__(self) -> Iterator[logging.LogRecord]:
            return iter([r for r in caplog.records if r.name == "zmq4.auth"])

    return View()


def run_on_ioloop(setup: Callable[[], Any], main: Callable[[Any], Awaitable[None]]) -> None:
    """``setup()`` before the IOLoop runs (where tornado programs start authenticators),
    then ``main(setup's result)`` on it."""
    loop = IOLoop(make_current=False)
    try:
        loop.make_current()
        state = setup()
        loop.run_sync(lambda: main(state), timeout=60)
    finally:
        loop.clear_current()
        loop.close(all_fds=True)


async def refused(client: Watched, server: Any) -> None:
    """The server closed the client's connection, and received nothing from it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while True:
        try:
            event = recv_monitor_message(client.monitor, C.DONTWAIT)
        except zmq4.Again:
            assert loop.time() < deadline, "the client was never refused"
            await asyncio.sleep(0.01)
            continue
        assert event["event"] == C.EVENT_DISCONNECTED
        break
    assert server.poll(0) == 0
    await asyncio.sleep(0.2)
    assert server.poll(0) == 0


async def received(server: Any) -> bytes:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while not server.poll(0):
        assert loop.time() < deadline, "nothing arrived"
        await asyncio.sleep(0.01)
    return bytes(server.recv())


# ------------------------------------------------------------------ the module

def test_importing_warns_and_io_loop_is_deprecated() -> None:
    code = ("import warnings; warnings.simplefilter('error', DeprecationWarning)\n"
            "try:\n    import zmq4.auth.ioloop\nexcept DeprecationWarning as w:\n"
            "    print('warned:', w)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, cwd=tempfile.gettempdir())
    assert "warned:" in out.stdout and "AsyncioAuthenticator" in out.stdout, out.stderr
    ctx = zmq4.Context()
    with pytest.warns(DeprecationWarning, match="io_loop"):
        a = IOLoopAuthenticator(ctx, io_loop=IOLoop(make_current=False))
    a.io_loop.close()  # type: ignore[union-attr]
    ctx.term()


def test_start_without_any_loop_binds_nothing() -> None:
    """No running loop and no IOLoop to name: start() fails before binding, so no
    half-started handler holds the endpoint."""
    code = ("import warnings, asyncio, zmq4\n"
            "warnings.simplefilter('ignore', DeprecationWarning)\n"
            "from zmq4.auth.ioloop import IOLoopAuthenticator\n"
            "from zmq4.auth.asyncio import AsyncioAuthenticator\n"
            "ctx = zmq4.Context()\n"
            "a = AsyncioAuthenticator(ctx)\n"
            "try:\n    a.start()\nexcept RuntimeError as e:\n    print('refused:', e)\n"
            "print('bound:', ctx._core.find_inproc('inproc://zeromq.zap.01') is not None)\n"
            "ctx.term()\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, cwd=tempfile.gettempdir())
    assert "refused:" in out.stdout and "bound: False" in out.stdout, out.stdout + out.stderr


# ------------------------------------------------------------------ decisions on the loop

def test_plain_and_curve_decisions_started_before_the_loop_runs(
        tmp_path: Any, records: Any) -> None:
    from zmq4 import auth
    from zmq4.eventloop import future

    auth.create_certificates(str(tmp_path), "friend")
    friend = auth.load_certificate(str(tmp_path / "friend.key_secret"))

    def setup() -> tuple[Any, IOLoopAuthenticator]:
        ctx = future.Context()  # a tornado-future context: the handler stays blocking
        a = IOLoopAuthenticator(ctx)
        a.start()
        a.configure_plain("*", {"admin": "secret"})
        a.configure_curve("*", str(tmp_path))
        assert type(a.zap_socket) is zmq4.Socket
        return ctx, a

    async def main(state: tuple[Any, IOLoopAuthenticator]) -> None:
        ctx, a = state
        try:
            server, endpoint = plain_server(ctx)
            await refused(plain_client(ctx, endpoint, b"guess"), server)
            good = plain_client(ctx, endpoint, b"secret")  # noqa: F841
            assert await received(server) == b"from a client"
            server_public, server_secret = zmq4.curve_keypair()
            cserver, cendpoint = curve_server(ctx, server_secret)
            await refused(curve_client(ctx, cendpoint, server_public), cserver)
            ok = curve_client(ctx, cendpoint, server_public, friend)  # noqa: F841
            assert await received(cserver) == b"from a client"
        finally:
            a.stop()
            ctx.destroy(linger=0)

    run_on_ioloop(setup, main)
    messages = [r.getMessage() for r in records]
    assert any("DENIED PLAIN" in m for m in messages)
    assert any("DENIED CURVE" in m for m in messages)
    assert not [r for r in records if r.levelno >= logging.CRITICAL]


def test_an_async_curve_callback_is_awaited_on_the_loop() -> None:
    friend = zmq4.curve_keypair()
    seen: list[bytes] = []

    async def provider(domain: str, key: bytes) -> bool:
        await asyncio.sleep(0.001)
        seen.append(key)
        return key == friend[0]

    def setup() -> tuple[Any, IOLoopAuthenticator]:
        ctx = zmq4.Context()
        a = IOLoopAuthenticator(ctx)
        a.start()
        a.configure_curve_callback("*", provider)
        return ctx, a

    async def main(state: tuple[Any, IOLoopAuthenticator]) -> None:
        ctx, a = state
        try:
            server_public, server_secret = zmq4.curve_keypair()
            server, endpoint = curve_server(ctx, server_secret)
            await refused(curve_client(ctx, endpoint, server_public), server)
            ok = curve_client(ctx, endpoint, server_public, friend)  # noqa: F841
            assert await received(server) == b"from a client"
        finally:
            a.stop()
            ctx.destroy(linger=0)

    run_on_ioloop(setup, main)
    assert friend[0] in seen and len(set(seen)) == 2  # the stranger's key was asked too


def test_started_on_a_running_loop_too() -> None:
    async def main(_: Any) -> None:
        ctx = zmq4.Context()
        a = IOLoopAuthenticator(ctx)
        a.start()
        try:
            a.configure_plain("*", {"admin": "secret"})
            server, endpoint = plain_server(ctx)
            await refused(plain_client(ctx, endpoint, b"nope"), server)
        finally:
            a.stop()
            ctx.destroy(linger=0)

    run_on_ioloop(lambda: None, main)


# ------------------------------------------------------------------ failures deny

def test_a_handler_whose_decisions_die_refuses_everyone(records: Any) -> None:
    def setup() -> tuple[Any, IOLoopAuthenticator]:
        ctx = zmq4.Context()
        a = IOLoopAuthenticator(ctx)

        async def dies(msg: list[bytes]) -> list[bytes]:
            raise RuntimeError("killed on purpose")

        a.areply_for = dies  # type: ignore[method-assign]
        a.start()
        a.configure_plain("*", {"admin": "secret"})
        return ctx, a

    async def main(state: tuple[Any, IOLoopAuthenticator]) -> None:
        ctx, a = state
        try:
            server, endpoint = plain_server(ctx)
            await refused(plain_client(ctx, endpoint, b"secret"), server)  # right password
            await refused(plain_client(ctx, endpoint, b"secret"), server)  # and again
        finally:
            a.stop()
            ctx.destroy(linger=0)

    run_on_ioloop(setup, main)
    critical = [r.getMessage() for r in records if r.levelno == logging.CRITICAL]
    assert any("refused until stop()" in m for m in critical)


def test_a_handler_whose_loop_is_gone_stays_bound_and_handshakes_time_out() -> None:
    """The authenticator's IOLoop ran and was closed without stop(): its task is gone,
    the endpoint stays bound and unanswered, and a client with the right password is
    refused by the handshake deadline rather than let in by 4.0's no-handler rule."""
    ctx = zmq4.Context()
    loop = IOLoop(make_current=False)
    loop.make_current()
    a = IOLoopAuthenticator(ctx)
    a.start()
    a.configure_plain("*", {"admin": "secret"})

    async def tick() -> None:
        await asyncio.sleep(0.05)

    loop.run_sync(tick)
    loop.clear_current()
    loop.close(all_fds=True)
    try:
        assert ctx._core.find_inproc("inproc://zeromq.zap.01") is not None  # still bound
        server, endpoint = plain_server(ctx)
        server.handshake_ivl = 300
        client = plain_client(ctx, endpoint, b"secret")
        client.monitor.rcvtimeo = int(TIMEOUT * 1000)
        event = recv_monitor_message(client.monitor)
        assert event["event"] == C.EVENT_DISCONNECTED
        assert server.poll(300) == 0
    finally:
        a.stop()
    assert ctx._core.find_inproc("inproc://zeromq.zap.01") is None  # stop() releases it
    ctx.destroy(linger=0)


# ------------------------------------------------------------------ as pyzmq's

@pytest.mark.interop
@pytest.mark.parametrize("impl", ["zmq4", "pyzmq"])
def test_the_same_clients_get_the_same_answers_as_from_pyzmqs(impl: str) -> None:
    """One scenario run with each implementation end to end (handler, server, clients):
    the right password gets in, the wrong one is disconnected with nothing delivered."""
    import importlib

    zmq = importlib.import_module("zmq4" if impl == "zmq4" else "zmq")
    monitor = importlib.import_module(zmq.__name__ + ".utils.monitor")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        cls = importlib.import_module(zmq.__name__ + ".auth.ioloop").IOLoopAuthenticator

    def setup() -> tuple[Any, Any]:
        ctx = zmq.Context()
        a = cls(ctx)
        a.start()
        a.configure_plain("*", {"admin": "secret"})
        return ctx, a

    outcome: list[str] = []

    async def main(state: tuple[Any, Any]) -> None:
        ctx, a = state
        loop = asyncio.get_running_loop()
        try:
            server = ctx.socket(zmq.PULL)
            server.plain_server = True
            server.linger = 0
            port = server.bind_to_random_port("tcp://127.0.0.1")
            for password in (b"secret", b"wrong"):
                client = ctx.socket(zmq.PUSH)
                client.plain_username = b"admin"
                client.plain_password = password
                client.linger = 0
                mon = client.get_monitor_socket(zmq.EVENT_DISCONNECTED)
                client.connect(f"tcp://127.0.0.1:{port}")
                client.send(b"hi")
                deadline = loop.time() + TIMEOUT
                while True:
                    if server.poll(0):
                        outcome.append("in:" + server.recv().decode())
                        break
                    try:
                        monitor.recv_monitor_message(mon, zmq.DONTWAIT)
                    except zmq.Again:
                        pass
                    else:
                        await asyncio.sleep(0.2)
                        outcome.append("out" if not server.poll(0) else "out, yet in")
                        break
                    assert loop.time() < deadline, "neither delivered nor refused"
                    await asyncio.sleep(0.01)
                client.disable_monitor()
                mon.close()
                client.close()
            server.close()
        finally:
            a.stop()
            ctx.destroy(linger=0)

    run_on_ioloop(setup, main)
    assert outcome == ["in:hi", "out"]


def test_asyncio_authenticator_stop_after_its_loop_closed_releases_the_endpoint() -> None:
    """The shared AsyncioAuthenticator.stop(): cancelling a task of a closed loop raises
    in asyncio; stop() must still unbind (else the endpoint stayed bound for good)."""
    from zmq4.auth.asyncio import AsyncioAuthenticator

    ctx = zmq4.Context()
    a = AsyncioAuthenticator(ctx)

    async def main() -> None:
        a.start()
        await asyncio.sleep(0.01)

    loop = asyncio.new_event_loop()
    loop.run_until_complete(main())
    loop.close()
    assert ctx._core.find_inproc("inproc://zeromq.zap.01") is not None
    a.stop()
    assert ctx._core.find_inproc("inproc://zeromq.zap.01") is None
    ctx.destroy(linger=0)
