"""zmq4.auth never fails open (issue #17): each path that used to let a refused client in.

1. A ``ThreadAuthenticator`` on a :mod:`zmq4.asyncio` context: its handler thread used
   the context's asyncio sockets, died on its first request, and with the ZAP endpoint
   unbound every handshake passed (a wrong PLAIN password, a refused CURVE key).
2. An ``async def`` CURVE credentials callback: ``bool(coroutine)`` is true, so every key
   passed. Awaitables are awaited; a callback that raises or answers a non-bool denies.
3. ``allow()`` after ``deny()`` (or the reverse) was accepted and the deny list ignored:
   ``ValueError``, as in pyzmq.
4. A handler whose loop dies keeps the endpoint bound and answering 400 (or, if it cannot
   answer at all, bound and silent so the handshake deadline refuses): never unbound.

A client counts as refused when its connection is closed on it (the monitor's
DISCONNECTED event) and the server received nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _auth_clients import (
    curve_client,
    curve_server,
    plain_client,
    plain_server,
)
from support import wait_until

import zmq4
from zmq4 import auth
from zmq4 import zmq_h as C
from zmq4.auth import Authenticator, ThreadAuthenticator
from zmq4.auth.asyncio import AsyncioAuthenticator
from zmq4.utils.monitor import recv_monitor_message


@pytest.fixture
def records(caplog: pytest.LogCaptureFixture) -> Any:
    """The zmq4.auth log records of the running test, read when iterated."""
    caplog.set_level(logging.INFO, logger="zmq4.auth")

    class View:
        def __iter__(self) -> Iterator[logging.LogRecord]:
            return iter([r for r in caplog.records if r.name == "zmq4.auth"])

    return View()


def request(mechanism: bytes, *credentials: bytes, domain: bytes = b"") -> list[bytes]:
    return [b"1.0", b"7", domain, b"127.0.0.1", b"", mechanism, *credentials]


# ------------------------------------------------------------------ helpers, full stack

# ------------------------------------------------------------------ 1. asyncio context

def test_thread_authenticator_on_an_asyncio_context_refuses_bad_clients(
        tmp_path: Path, records: list[logging.LogRecord]) -> None:
    import zmq4.asyncio as zasyncio

    ctx = zasyncio.Context()
    authenticator = ThreadAuthenticator(ctx)
    authenticator.start()
    try:
        authenticator.configure_plain("*", {"admin": "secret"})
        server, endpoint = plain_server(ctx)
        plain_client(ctx, endpoint, b"guess").refused(server)
        good = plain_client(ctx, endpoint, b"secret")
        assert server.recv() == b"from a client"
        assert authenticator.is_alive()

        auth.create_certificates(str(tmp_path), "friend")
        friend = auth.load_certificate(str(tmp_path / "friend.key_secret"))
        authenticator.configure_curve("*", str(tmp_path))
        server_public, server_secret = zmq4.curve_keypair()
        cserver, cendpoint = curve_server(ctx, server_secret)
        curve_client(ctx, cendpoint, server_public).refused(cserver)
        friendly = curve_client(ctx, cendpoint, server_public, friend)  # noqa: F841
        assert cserver.recv() == b"from a client"
        assert authenticator.is_alive()
        assert not [r for r in records if r.levelno >= logging.CRITICAL]
        del good
    finally:
        authenticator.stop()
        ctx.destroy(linger=0)


def test_the_handler_sockets_are_blocking_whatever_the_context_class() -> None:
    import zmq4.asyncio as zasyncio

    ctx = zasyncio.Context()
    authenticator = ThreadAuthenticator(ctx)
    authenticator.start()
    try:
        assert type(authenticator.zap_socket) is zmq4.Socket
        assert type(authenticator._pipe) is zmq4.Socket
    finally:
        authenticator.stop()
        ctx.destroy(linger=0)


# ------------------------------------------------------------------ 2. async callbacks

def _key() -> bytes:
    return zmq4.z85.decode(zmq4.curve_keypair()[0])


@pytest.mark.parametrize("answer", [True, False])
def test_an_async_callback_is_awaited_by_reply_for(answer: bool) -> None:
    a = Authenticator(zmq4.Context())
    seen: list[bytes] = []

    async def provider(domain: str, key: bytes) -> bool:
        await asyncio.sleep(0)
        seen.append(key)
        return answer

    a.configure_curve_callback("*", provider)
    key = _key()
    assert a.reply_for(request(b"CURVE", key))[2] == (b"200" if answer else b"400")
    assert seen == [zmq4.z85.encode(key)]
    a.stop()


@pytest.mark.parametrize("answer", [True, False])
def test_an_async_callback_is_awaited_by_areply_for(answer: bool) -> None:
    a = Authenticator(zmq4.Context())

    class Provider:
        async def callback(self, domain: str, key: bytes) -> bool:
            await asyncio.sleep(0)
            return answer

    a.configure_curve_callback("*", Provider())
    reply = asyncio.run(a.areply_for(request(b"CURVE", _key())))
    assert reply[2] == (b"200" if answer else b"400")


@pytest.mark.parametrize("answer", [1, "yes", None, object(), [True]])
def test_a_callback_answering_a_non_bool_denies(answer: Any,
                                                records: list[logging.LogRecord]) -> None:
    a = Authenticator(zmq4.Context())
    a.configure_curve_callback("*", lambda domain, key: answer)
    reply = a.reply_for(request(b"CURVE", _key()))
    assert reply[2] == b"400"
    assert b"not a bool" in reply[3]

    async def later(domain: str, key: bytes) -> Any:
        return answer

    a.configure_curve_callback("*", later)
    assert a.reply_for(request(b"CURVE", _key()))[2] == b"400"
    assert asyncio.run(a.areply_for(request(b"CURVE", _key())))[2] == b"400"
    assert any("not a bool" in r.getMessage() for r in records)
    a.stop()


def test_a_raising_callback_denies_sync_and_async(records: list[logging.LogRecord]) -> None:
    a = Authenticator(zmq4.Context())

    def boom(domain: str, key: bytes) -> bool:
        raise KeyError("no such key store")

    async def aboom(domain: str, key: bytes) -> bool:
        raise OSError("key server down")

    a.configure_curve_callback("*", boom)
    assert a.reply_for(request(b"CURVE", _key()))[2:4] == [b"400", b"authenticator error"]
    a.configure_curve_callback("*", aboom)
    assert a.reply_for(request(b"CURVE", _key()))[2] == b"400"
    assert asyncio.run(a.areply_for(request(b"CURVE", _key())))[2] == b"400"
    failures = [r.getMessage() for r in records if r.levelno == logging.ERROR]
    assert any("KeyError" in m for m in failures)
    assert any("OSError" in m for m in failures)
    a.stop()


def test_a_raising_user_id_override_denies() -> None:
    class Mapped(Authenticator):
        def curve_user_id(self, client_public_key: bytes) -> str:
            raise LookupError("unmapped key")

    a = Mapped(zmq4.Context())
    a.configure_curve("*", auth.CURVE_ALLOW_ANY)
    assert a.reply_for(request(b"CURVE", _key()))[2] == b"400"


def test_reply_for_inside_a_running_loop_denies_an_async_callback() -> None:
    a = Authenticator(zmq4.Context())

    async def yes(domain: str, key: bytes) -> bool:
        return True

    a.configure_curve_callback("*", yes)

    async def main() -> list[bytes]:
        return a.reply_for(request(b"CURVE", _key()))  # wrong face: must not accept

    assert asyncio.run(main())[2] == b"400"


def test_thread_authenticator_with_an_async_callback(
        records: list[logging.LogRecord]) -> None:
    friend = zmq4.curve_keypair()

    async def provider(domain: str, key: bytes) -> bool:
        await asyncio.sleep(0.001)
        return key == friend[0]

    ctx = zmq4.Context()
    with ThreadAuthenticator(ctx) as authenticator:
        authenticator.configure_curve_callback("*", provider)
        server_public, server_secret = zmq4.curve_keypair()
        server, endpoint = curve_server(ctx, server_secret)
        curve_client(ctx, endpoint, server_public).refused(server)
        ok = curve_client(ctx, endpoint, server_public, friend)  # noqa: F841
        assert server.recv() == b"from a client"
    ctx.destroy(linger=0)


def test_asyncio_authenticator_with_an_async_callback() -> None:
    import zmq4.asyncio as zasyncio

    friend = zmq4.curve_keypair()

    async def main() -> None:
        ctx = zasyncio.Context()

        async def provider(domain: str, key: bytes) -> bool:
            await asyncio.sleep(0.001)
            return key == friend[0]

        authenticator = AsyncioAuthenticator(ctx)
        authenticator.start()
        try:
            authenticator.configure_curve_callback("*", provider)
            server_public, server_secret = zmq4.curve_keypair()
            server, endpoint = curve_server(ctx, server_secret)
            server.rcvtimeo = -1
            stranger = curve_client(ctx, endpoint, server_public)
            friendly = curve_client(ctx, endpoint, server_public, friend)  # noqa: F841
            aserver = zasyncio.Socket.shadow(server)
            assert await asyncio.wait_for(aserver.recv(), 10) == b"from a client"
            stranger.monitor.rcvtimeo = 0
            for _ in range(1000):
                try:
                    event = recv_monitor_message(stranger.monitor, C.DONTWAIT)
                except zmq4.Again:
                    await asyncio.sleep(0.01)
                    continue
                assert event["event"] == C.EVENT_DISCONNECTED
                break
            else:
                pytest.fail("the stranger was never refused")
            assert server.poll(200) == 0
        finally:
            authenticator.stop()
            ctx.destroy(linger=0)

    asyncio.run(main())


# ------------------------------------------------------------------ 3. allow xor deny

def test_allow_after_deny_and_deny_after_allow_raise() -> None:
    a = Authenticator(zmq4.Context())
    a.deny("10.0.0.1")
    with pytest.raises(ValueError, match="allow or deny"):
        a.allow("127.0.0.1")
    assert a.allow_addresses == set()
    assert a.reply_for([b"1.0", b"1", b"", b"10.0.0.1", b"", b"NULL"])[2] == b"400"
    b = Authenticator(zmq4.Context())
    b.allow("127.0.0.1")
    with pytest.raises(ValueError, match="allow or deny"):
        b.deny("127.0.0.1")
    assert b.deny_addresses == set()
    b.allow("127.0.0.2")  # the same list may grow
    assert b.allow_addresses == {"127.0.0.1", "127.0.0.2"}


# ------------------------------------------------------------------ 4. a dying handler

def test_a_thread_handler_whose_loop_dies_refuses_everyone(
        records: list[logging.LogRecord]) -> None:
    ctx = zmq4.Context()
    authenticator = ThreadAuthenticator(ctx)

    def dies(msg: list[bytes]) -> list[bytes]:
        raise SystemExit("killed on purpose")

    authenticator.reply_for = dies  # type: ignore[method-assign]
    authenticator.start()
    try:
        authenticator.configure_plain("*", {"admin": "secret"})
        server, endpoint = plain_server(ctx)
        plain_client(ctx, endpoint, b"secret").refused(server)  # the right password
        wait_until(lambda: any(r.levelno == logging.CRITICAL for r in records),
                   what="the CRITICAL log line")
        assert "refused until stop()" in [r for r in records
                                          if r.levelno == logging.CRITICAL][0].getMessage()
        plain_client(ctx, endpoint, b"secret").refused(server)  # and every later one
        assert authenticator.is_alive()
    finally:
        authenticator.stop()
    assert not authenticator.is_alive()
    ctx.destroy(linger=0)


def test_a_handler_that_cannot_answer_stays_bound_and_handshakes_time_out(
        monkeypatch: pytest.MonkeyPatch, records: list[logging.LogRecord]) -> None:
    from zmq4.auth import thread as auth_thread

    class BrokenPoller(auth_thread.Poller):
        def poll(self, timeout: Any = None) -> list[Any]:
            raise RuntimeError("broken on purpose")

    monkeypatch.setattr(auth_thread, "Poller", BrokenPoller)
    ctx = zmq4.Context()
    authenticator = ThreadAuthenticator(ctx)
    authenticator.start()
    try:
        authenticator.configure_plain("*", {"admin": "secret"})
        wait_until(lambda: not authenticator.thread.is_alive(),  # type: ignore[union-attr]
                   what="the handler thread to give up")
        assert ctx._core.find_inproc("inproc://zeromq.zap.01") is not None  # still bound
        server, endpoint = plain_server(ctx)
        server.handshake_ivl = 300
        plain_client(ctx, endpoint, b"secret").refused(server)  # by the handshake deadline
        messages = [r.getMessage() for r in records if r.levelno == logging.CRITICAL]
        assert any("stays bound" in m for m in messages)
    finally:
        authenticator.stop()
    assert ctx._core.find_inproc("inproc://zeromq.zap.01") is None
    ctx.destroy(linger=0)


def test_an_asyncio_handler_whose_loop_dies_refuses_everyone(
        records: list[logging.LogRecord]) -> None:
    import zmq4.asyncio as zasyncio

    async def main() -> None:
        ctx = zasyncio.Context()
        authenticator = AsyncioAuthenticator(ctx)

        async def dies(msg: list[bytes]) -> list[bytes]:
            raise RuntimeError("killed on purpose")

        authenticator.areply_for = dies  # type: ignore[method-assign]
        authenticator.start()
        try:
            authenticator.configure_plain("*", {"admin": "secret"})
            server, endpoint = plain_server(ctx)
            client = plain_client(ctx, endpoint, b"secret")
            client.monitor.rcvtimeo = 0
            for _ in range(1000):
                try:
                    event = recv_monitor_message(client.monitor, C.DONTWAIT)
                except zmq4.Again:
                    await asyncio.sleep(0.01)
                    continue
                assert event["event"] == C.EVENT_DISCONNECTED
                break
            else:
                pytest.fail("the client was never refused")
            assert server.poll(200) == 0
            assert any(r.levelno == logging.CRITICAL and "refused until stop()" in
                       r.getMessage() for r in records)
        finally:
            authenticator.stop()
            ctx.destroy(linger=0)

    asyncio.run(main())


def test_asyncio_authenticator_started_without_a_loop_binds_nothing() -> None:
    ctx = zmq4.Context()
    authenticator = AsyncioAuthenticator(ctx)
    with pytest.raises(RuntimeError):
        authenticator.start()
    assert authenticator.zap_socket is None
    assert ctx._core.find_inproc("inproc://zeromq.zap.01") is None
    ctx.term()
