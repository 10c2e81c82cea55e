"""Handshake failures are observable: the ``zmq4.io`` log says why a connection ended
(issue 5, and libzmq#2227's silent-retry trap). Each case waits for its log line."""

from __future__ import annotations

import logging

import pytest
from support import wait_until

import zmq4
from zmq4.auth import ThreadAuthenticator


@pytest.fixture
def reasons(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="zmq4.io")
    return caplog


def ended(caplog: pytest.LogCaptureFixture, text: str) -> None:
    wait_until(lambda: any("connection ended" in r.getMessage() and text in r.getMessage()
                           for r in caplog.records), what=f"a log line with {text!r}")


def client(ctx: zmq4.Context, port: int, **options: object) -> zmq4.Socket:
    c = ctx.socket(zmq4.PUSH)
    c.linger = 0
    for name, value in options.items():
        setattr(c, name, value)
    c.connect(f"tcp://127.0.0.1:{port}")
    return c


def test_wrong_server_key(context: zmq4.Context, reasons: pytest.LogCaptureFixture) -> None:
    _, server_sec = zmq4.curve_keypair()
    wrong_pub, _ = zmq4.curve_keypair()
    server = context.socket(zmq4.PULL)
    server.curve_server = True
    server.curve_secretkey = server_sec
    port = server.bind_to_random_port("tcp://127.0.0.1")
    public, secret = zmq4.curve_keypair()
    c = client(context, port, curve_serverkey=wrong_pub, curve_publickey=public,
               curve_secretkey=secret)
    ended(reasons, "does not know this server's key")
    c.close()


def test_zap_denial_with_status_code(context: zmq4.Context,
                                     reasons: pytest.LogCaptureFixture) -> None:
    with ThreadAuthenticator(context) as authenticator:
        authenticator.configure_plain("*", {"user": "right"})
        server = context.socket(zmq4.PULL)
        server.plain_server = True
        port = server.bind_to_random_port("tcp://127.0.0.1")
        c = client(context, port, plain_username=b"user", plain_password=b"wrong")
        ended(reasons, "ZAP denied the peer (status b'400')")
        c.close()


def test_mechanism_mismatch(context: zmq4.Context,
                            reasons: pytest.LogCaptureFixture) -> None:
    server = context.socket(zmq4.PULL)
    server.plain_server = True
    port = server.bind_to_random_port("tcp://127.0.0.1")
    c = client(context, port)  # NULL against PLAIN
    ended(reasons, "mechanism mismatch: peer announced 'PLAIN', local mechanism is 'NULL'")
    c.close()


# ------------------------------------------------------------------ 4.0's test_security_curve
# The regression cases of libzmq 4.0's CURVE test, against a whole CURVE server guarded by
# zmq4.auth (only the good client's key allowed): none of the bad clients delivers a
# message, each leaves its reason in the log; the good client is served.

BAD_CLIENTS = {
    "garbage server key": "does not know this server's key",
    "client public key not matching its secret": "vouch does not open",
    "unknown client key": "ZAP denied the peer (status b'400')",
    "NULL client": "mechanism mismatch",
    "PLAIN client": "mechanism mismatch",
    "client configured as a server": "handshake timed out",
    "raw ZMTP 1.0 peer": "ZMTP/1.0 peer refused: security is configured",
}


@pytest.mark.parametrize("case", list(BAD_CLIENTS))
def test_curve_server_refuses(context: zmq4.Context, reasons: pytest.LogCaptureFixture,
                              case: str) -> None:
    import socket

    server_pub, server_sec = zmq4.curve_keypair()
    good_pub, good_sec = zmq4.curve_keypair()
    with ThreadAuthenticator(context) as authenticator:
        authenticator.configure_curve_callback(
            "*", lambda domain, key: key == good_pub)
        server = context.socket(zmq4.PULL)
        server.curve_server = True
        server.curve_secretkey = server_sec
        server.handshake_ivl = 500  # two CURVE servers wait for each other's HELLO
        server.rcvtimeo = 10000
        port = server.bind_to_random_port("tcp://127.0.0.1")
        other_pub, other_sec = zmq4.curve_keypair()
        raw = None
        if case == "garbage server key":
            bad = client(context, port, curve_serverkey=other_pub, curve_publickey=good_pub,
                         curve_secretkey=good_sec)
        elif case == "client public key not matching its secret":
            bad = client(context, port, curve_serverkey=server_pub,
                         curve_publickey=other_pub, curve_secretkey=good_sec)
        elif case == "unknown client key":
            bad = client(context, port, curve_serverkey=server_pub,
                         curve_publickey=other_pub, curve_secretkey=other_sec)
        elif case == "NULL client":
            bad = client(context, port)
        elif case == "PLAIN client":
            bad = client(context, port, plain_username=b"admin", plain_password=b"pw")
        elif case == "client configured as a server":
            bad = client(context, port, curve_server=True, curve_secretkey=other_sec)
        else:
            bad = None
            raw = socket.create_connection(("127.0.0.1", port))
            raw.sendall(b"\x01\x00" + b"\x06\x00hello")  # RFC 13 identity, then a message
        try:
            if bad is not None:
                bad.send(b"must not arrive")
            ended(reasons, BAD_CLIENTS[case])
            assert server.poll(200) == 0
            good = client(context, port, curve_serverkey=server_pub, curve_publickey=good_pub,
                          curve_secretkey=good_sec)
            good.send(b"served")
            assert server.recv() == b"served"
            good.close()
        finally:
            if bad is not None:
                bad.close()
            if raw is not None:
                raw.close()


def test_key_of_the_wrong_size_is_einval(context: zmq4.Context) -> None:
    s = context.socket(zmq4.PULL)
    with pytest.raises(zmq4.ZMQError) as info:
        s.curve_secretkey = b"x" * 123
    assert info.value.errno == zmq4.EINVAL
