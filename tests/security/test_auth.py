"""zmq4.auth: the pyzmq-style ZAP authenticator, its policies, its log lines, and real
handshakes through it: zmq4 clients, and libzmq clients (pyzmq) over tcp.

A refused client is detected by the authenticator's DENIED log line (a condition, not a
sleep); the server then sees nothing from that client. Accepted ones round-trip a message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import wait_until

import zmq4
from zmq4 import auth
from zmq4 import zmq_h as C
from zmq4.auth import CURVE_ALLOW_ANY, Authenticator, ThreadAuthenticator

TIMEOUT_MS = 10000


@pytest.fixture
def decisions(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The authenticator's log lines, as they happen."""
    caplog.set_level(logging.INFO, logger="zmq4.auth")

    class View(list):  # type: ignore[type-arg]
        def __iter__(self) -> Iterator[str]:
            return iter([r.getMessage() for r in caplog.records if r.name == "zmq4.auth"])

        def __len__(self) -> int:
            return len(list(iter(self)))

    return View()


def request(mechanism: bytes, *credentials: bytes, address: bytes = b"127.0.0.1",
            domain: bytes = b"", version: bytes = b"1.0") -> list[bytes]:
    return [version, b"7", domain, address, b"", mechanism, *credentials]


# ------------------------------------------------------------------ the policy, unit level

def test_null_is_accepted_unless_the_address_is_denied() -> None:
    a = Authenticator(zmq4.Context())
    assert a.reply_for(request(b"NULL"))[2] == b"200"
    a.deny("10.0.0.1")
    assert a.reply_for(request(b"NULL"))[2] == b"200"
    assert a.reply_for(request(b"NULL", address=b"10.0.0.1"))[2:4] == [b"400",
                                                                       b"address denied"]


def test_an_allow_list_refuses_everyone_else() -> None:
    a = Authenticator(zmq4.Context())
    a.allow("127.0.0.1")
    assert a.reply_for(request(b"NULL"))[2] == b"200"
    assert a.reply_for(request(b"NULL", address=b"10.1.1.1"))[2:4] == [
        b"400", b"address not allowed"]


def test_plain_tables_per_domain() -> None:
    a = Authenticator(zmq4.Context())
    assert a.reply_for(request(b"PLAIN", b"u", b"p"))[3] == b"no PLAIN passwords configured"
    a.configure_plain("*", {"admin": "secret"})
    a.configure_plain("other", {"bob": "pw"})
    ok = a.reply_for(request(b"PLAIN", b"admin", b"secret"))
    assert ok == [b"1.0", b"7", b"200", b"OK", b"admin", b""]  # user id = username
    assert a.reply_for(request(b"PLAIN", b"admin", b"nope"))[2:4] == [b"400", b"wrong password"]
    assert a.reply_for(request(b"PLAIN", b"eve", b"x"))[3] == b"unknown user"
    assert a.reply_for(request(b"PLAIN", b"bob", b"pw", domain=b"other"))[2] == b"200"
    assert a.reply_for(request(b"PLAIN", b"bob", b"pw"))[2] == b"400"  # wrong domain
    assert a.reply_for(request(b"PLAIN", b"bob", b"pw", domain=b"x"))[3] == \
        b"no PLAIN passwords for domain 'x'"


def test_curve_allow_any_directory_and_callback(tmp_path: Path) -> None:
    a = Authenticator(zmq4.Context())
    pub, _ = auth.create_certificates(str(tmp_path), "client")
    known = zmq4.z85.decode(auth.load_certificate(pub)[0])
    stranger = zmq4.z85.decode(zmq4.curve_keypair()[0])
    assert a.reply_for(request(b"CURVE", known))[3] == b"no CURVE keys configured"
    a.configure_curve("*", CURVE_ALLOW_ANY)
    assert a.reply_for(request(b"CURVE", stranger))[2] == b"200"
    a.configure_curve("*", str(tmp_path))
    ok = a.reply_for(request(b"CURVE", known))
    assert ok[2] == b"200" and ok[4] == zmq4.z85.encode(known)  # user id = key
    assert a.reply_for(request(b"CURVE", stranger))[2:4] == [b"400", b"unknown public key"]
    seen: list[tuple[str, bytes]] = []

    def provider(domain: str, key: bytes) -> bool:
        seen.append((domain, key))
        return key == zmq4.z85.encode(stranger)

    a.configure_curve_callback("*", provider)
    assert a.reply_for(request(b"CURVE", stranger))[2] == b"200"
    assert a.reply_for(request(b"CURVE", known))[2] == b"400"
    assert [d for d, _ in seen] == ["*", "*"]
    with pytest.raises(ValueError, match="does not exist"):
        a.configure_curve("*", str(tmp_path / "missing"))


def test_malformed_requests_get_an_error_reply_not_an_exception() -> None:
    a = Authenticator(zmq4.Context())
    assert a.reply_for([b"1.0", b"9"])[:3] == [b"1.0", b"9", b"500"]
    assert a.reply_for(request(b"NULL", version=b"2.0"))[2:4] == [b"400", b"Invalid version"]
    a.configure_plain("*", {"u": "p"})
    assert a.reply_for(request(b"PLAIN", b"only-one"))[3] == b"malformed PLAIN credentials"
    a.configure_curve("*", CURVE_ALLOW_ANY)
    assert a.reply_for(request(b"CURVE", b"short"))[3] == b"malformed CURVE credentials"
    assert a.reply_for(request(b"GSSAPI"))[3] == b"unsupported mechanism GSSAPI"


def test_certificates_are_pyzmq_compatible(tmp_path: Path) -> None:
    import zmq.auth as pyauth

    ours = tmp_path / "ours"
    theirs = tmp_path / "theirs"
    ours.mkdir()
    theirs.mkdir()
    our_pub, our_sec = auth.create_certificates(str(ours), "a")
    their_pub, their_sec = pyauth.create_certificates(str(theirs), "b")
    assert pyauth.load_certificate(our_sec) == auth.load_certificate(our_sec)
    assert pyauth.load_certificate(their_sec) == auth.load_certificate(their_sec)
    assert set(pyauth.load_certificates(str(ours))) == set(auth.load_certificates(str(ours)))
    assert set(pyauth.load_certificates(str(theirs))) == set(
        auth.load_certificates(str(theirs)))


# ------------------------------------------------------------------ full stack, zmq4 peers

def plain_server(ctx: zmq4.Context, domain: bytes = b"global") -> tuple[zmq4.Socket, str]:
    server = ctx.socket(zmq4.PULL)
    server.plain_server = True
    server.zap_domain = domain
    server.rcvtimeo = TIMEOUT_MS
    port = server.bind_to_random_port("tcp://127.0.0.1")
    return server, f"tcp://127.0.0.1:{port}"


def curve_server(ctx: zmq4.Context, secret: bytes) -> tuple[zmq4.Socket, int]:
    server = ctx.socket(zmq4.PULL)
    server.curve_server = True
    server.curve_secretkey = secret
    server.rcvtimeo = TIMEOUT_MS
    return server, server.bind_to_random_port("tcp://127.0.0.1")


def plain_client(ctx: Any, endpoint: str, user: bytes, password: bytes, push: int) -> Any:
    client = ctx.socket(push)
    client.plain_username = user
    client.plain_password = password
    client.linger = 0
    client.connect(endpoint)
    return client


def test_thread_authenticator_plain(context: zmq4.Context, decisions: list[str]) -> None:
    with ThreadAuthenticator(context) as authenticator:
        assert authenticator.is_alive()
        authenticator.configure_plain("global", {"admin": "secret"})
        server, endpoint = plain_server(context)
        good = plain_client(context, endpoint, b"admin", b"secret", zmq4.PUSH)
        good.send(b"let me in")
        assert server.recv() == b"let me in"
        bad = plain_client(context, endpoint, b"admin", b"guess", zmq4.PUSH)
        bad.send(b"should not arrive")
        wait_until(lambda: any("DENIED" in m for m in decisions), what="a DENIED log line")
        assert server.poll(200) == 0
        assert any(m.startswith("zmq4.auth: ALLOWED PLAIN domain='global' address=127.0.0.1 "
                                "user='admin'") for m in decisions)
        assert any(m.startswith("zmq4.auth: DENIED PLAIN") and m.endswith("wrong password")
                   for m in decisions)
    assert not authenticator.is_alive()
    # the handler endpoint is free again: a second authenticator can start
    again = ThreadAuthenticator(context)
    again.start()
    again.stop()


def test_thread_authenticator_null_address_policy(context: zmq4.Context,
                                                  decisions: list[str]) -> None:
    authenticator = ThreadAuthenticator(context)
    authenticator.start()
    try:
        authenticator.deny("127.0.0.1")
        server = context.socket(zmq4.PULL)
        server.zap_domain = b"any"  # NULL asks ZAP only with a domain (4.0)
        port = server.bind_to_random_port("tcp://127.0.0.1")
        client = context.socket(zmq4.PUSH)
        client.linger = 0
        client.connect(f"tcp://127.0.0.1:{port}")
        client.send(b"denied")
        wait_until(lambda: any("DENIED NULL" in m for m in decisions), what="a NULL denial")
        assert server.poll(200) == 0
    finally:
        authenticator.stop()


def test_thread_authenticator_curve_directory(context: zmq4.Context, tmp_path: Path,
                                              decisions: list[str]) -> None:
    allowed_dir = tmp_path / "allowed"
    allowed_dir.mkdir()
    auth.create_certificates(str(allowed_dir), "friend")
    friend_pub, friend_sec = auth.load_certificate(str(allowed_dir / "friend.key_secret"))
    server_pub, server_sec = zmq4.curve_keypair()
    with ThreadAuthenticator(context) as authenticator:
        authenticator.configure_curve("*", str(allowed_dir))
        server, port = curve_server(context, server_sec)

        def client(public: bytes, secret: bytes) -> zmq4.Socket:
            c = context.socket(zmq4.PUSH)
            c.curve_serverkey = server_pub
            c.curve_publickey = public
            c.curve_secretkey = secret
            c.linger = 0
            c.connect(f"tcp://127.0.0.1:{port}")
            return c

        friend = client(friend_pub, friend_sec)  # referenced: a collected socket closes
        friend.send(b"friend")
        assert server.recv() == b"friend"
        stranger = client(*zmq4.curve_keypair())
        stranger.send(b"stranger")
        wait_until(lambda: any("unknown public key" in m for m in decisions),
                   what="the stranger's denial")
        assert server.poll(200) == 0
        assert any(f"user={friend_pub.decode()!r}" in m for m in decisions)


def test_asyncio_authenticator(decisions: list[str]) -> None:
    import zmq4.asyncio as zasyncio

    async def main() -> None:
        ctx = zasyncio.Context()
        authenticator = auth.AsyncioAuthenticator(ctx)
        authenticator.start()
        try:
            authenticator.configure_plain("*", {"u": "p"})
            server = ctx.socket(zmq4.PULL)
            server.plain_server = True
            port = server.bind_to_random_port("tcp://127.0.0.1")
            good = plain_client(ctx, f"tcp://127.0.0.1:{port}", b"u", b"p", zmq4.PUSH)
            await good.send(b"async hello")
            assert await asyncio.wait_for(server.recv(), 10) == b"async hello"
            bad = plain_client(ctx, f"tcp://127.0.0.1:{port}", b"u", b"x", zmq4.PUSH)
            await bad.send(b"no")
            for _ in range(1000):
                if any("DENIED" in m for m in decisions):
                    break
                await asyncio.sleep(0.01)
            assert any("DENIED PLAIN" in m for m in decisions)
        finally:
            authenticator.stop()
            ctx.destroy(linger=0)

    asyncio.run(main())


def test_authenticator_thread_ends_with_its_context(decisions: list[str]) -> None:
    ctx = zmq4.Context()
    authenticator = ThreadAuthenticator(ctx)
    authenticator.start()
    thread = authenticator.thread
    assert thread is not None
    pipe = authenticator._pipe
    assert pipe is not None
    pipe.close()  # what a user's ctx.destroy() would do to the sockets it can see
    ctx.term()  # the handler thread sees ETERM, closes its sockets, term returns
    thread.join(10)
    assert not thread.is_alive()
    authenticator.stop()


# ------------------------------------------------------------------ real libzmq clients

@pytest.mark.interop
def test_libzmq_plain_clients_through_zmq4_auth(context: zmq4.Context,
                                                decisions: list[str]) -> None:
    import zmq
    pctx = zmq.Context()
    try:
        with ThreadAuthenticator(context) as authenticator:
            authenticator.configure_plain("global", {"admin": "secret"})
            server, endpoint = plain_server(context)
            good = plain_client(pctx, endpoint, b"admin", b"secret", zmq.PUSH)
            good.send(b"from libzmq")
            assert server.recv() == b"from libzmq"
            bad = plain_client(pctx, endpoint, b"admin", b"wrong", zmq.PUSH)
            bad.send(b"no")
            wait_until(lambda: any("wrong password" in m for m in decisions),
                       what="the libzmq client's denial")
            assert server.poll(200) == 0
    finally:
        pctx.destroy(linger=0)


@pytest.mark.interop
def test_libzmq_curve_clients_through_zmq4_auth(context: zmq4.Context, tmp_path: Path,
                                                decisions: list[str]) -> None:
    import zmq
    import zmq.auth as pyauth

    pyauth.create_certificates(str(tmp_path), "libzmq-client")  # pyzmq-written cert dir
    pub, sec = pyauth.load_certificate(str(tmp_path / "libzmq-client.key_secret"))
    server_pub, server_sec = zmq4.curve_keypair()
    pctx = zmq.Context()
    try:
        with ThreadAuthenticator(context) as authenticator:
            authenticator.configure_curve("*", str(tmp_path))
            server, port = curve_server(context, server_sec)
            clients = []  # referenced: a collected socket closes
            for public, secret, payload in ((pub, sec, b"known"),
                                            (*zmq.curve_keypair(), b"unknown")):
                c = pctx.socket(zmq.PUSH)
                c.linger = 0
                c.curve_serverkey = server_pub
                c.curve_publickey = public
                c.curve_secretkey = secret
                c.connect(f"tcp://127.0.0.1:{port}")
                c.send(payload)
                clients.append(c)
            assert server.recv() == b"known"
            wait_until(lambda: any("unknown public key" in m for m in decisions),
                       what="the unknown libzmq client's denial")
            assert server.poll(200) == 0
    finally:
        pctx.destroy(linger=0)


@pytest.mark.interop
def test_zmq4_client_against_pyzmq_authenticator(context: zmq4.Context) -> None:
    """The other direction: libzmq's server asks pyzmq's authenticator about zmq4
    clients; the accepted one is heard, the refused one is not."""
    import zmq
    from zmq.auth.thread import ThreadAuthenticator as PyThreadAuthenticator

    pctx = zmq.Context()
    pyauth = PyThreadAuthenticator(pctx)
    pyauth.start()
    try:
        pyauth.configure_plain("*", {"admin": "secret"})
        server = pctx.socket(zmq.PULL)
        server.plain_server = True
        server.linger = 0
        server.rcvtimeo = TIMEOUT_MS
        port = server.bind_to_random_port("tcp://127.0.0.1")
        refused = plain_client(context, f"tcp://127.0.0.1:{port}", b"admin", b"wrong",
                               zmq4.PUSH)
        refused.send(b"refused")
        accepted = plain_client(context, f"tcp://127.0.0.1:{port}", b"admin", b"secret",
                                zmq4.PUSH)
        accepted.send(b"accepted")
        assert server.recv() == b"accepted"
        assert server.poll(200) == 0
    finally:
        pyauth.stop()
        pctx.destroy(linger=0)


def test_start_twice_on_one_context_is_eaddrinuse(context: zmq4.Context) -> None:
    first = ThreadAuthenticator(context)
    first.start()
    try:
        with pytest.raises(zmq4.ZMQError) as info:
            ThreadAuthenticator(context).start()
        assert info.value.errno == C.EADDRINUSE
    finally:
        first.stop()
