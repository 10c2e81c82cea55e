"""``python -m zmq4.curve_keygen`` (pyzmq's ``python -m zmq.curve_keygen``): the same
layout and JSON as pyzmq's, keys that work for a CURVE connection (with a pyzmq peer
too), ``--secret`` deriving the public key, and a bad key refused with a message."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile

import pytest

import zmq4
from zmq4.utils import z85


def keygen(*args: str, module: str = "zmq4.curve_keygen",
           check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True,
                          text=True, timeout=60, check=check,
                          cwd=tempfile.gettempdir())


def curve_roundtrip(public: bytes, secret: bytes) -> None:
    """A zmq4 CURVE server with these keys, a pyzmq client: one message through."""
    import zmq

    with zmq4.Context() as ctx, zmq.Context() as pctx:
        server = ctx.socket(zmq4.PULL)
        server.curve_server = True
        server.curve_secretkey = secret
        server.linger = 0
        server.rcvtimeo = 10000
        port = server.bind_to_random_port("tcp://127.0.0.1")
        client = pctx.socket(zmq.PUSH)
        client.curve_serverkey = public
        client.curve_publickey, client.curve_secretkey = zmq.curve_keypair()
        client.linger = 0
        client.connect(f"tcp://127.0.0.1:{port}")
        client.send(b"keys work")
        assert server.recv() == b"keys work"
        client.close()
        server.close()


def test_help_names_the_module_and_options() -> None:
    out = keygen("-h").stdout
    assert "python3 -m zmq4.curve_keygen" in out
    assert "--json" in out and "--secret" in out


def test_text_layout_is_pyzmqs() -> None:
    ours = keygen().stdout
    theirs = keygen(module="zmq.curve_keygen").stdout
    shape = [line if line.startswith("==") or not line else "<key>"
             for line in ours.splitlines()]
    assert shape == [line if line.startswith("==") or not line else "<key>"
                     for line in theirs.splitlines()]
    assert shape == ["== CURVE PUBLIC KEY ==", "<key>", "", "== CURVE SECRET KEY ==", "<key>"]
    lines = ours.splitlines()
    public, secret = lines[1], lines[4]
    assert len(z85.decode(public)) == len(z85.decode(secret)) == 32
    curve_roundtrip(public.encode(), secret.encode())


def test_json_and_secret() -> None:
    out = keygen("--json").stdout
    assert out.endswith("\n")
    keys = json.loads(out)
    assert sorted(keys) == ["public", "secret"]
    curve_roundtrip(keys["public"].encode(), keys["secret"].encode())
    derived = json.loads(keygen("--secret", keys["secret"], "--json").stdout)
    assert derived == keys
    public, secret = zmq4.curve_keypair()
    text = keygen("--secret", secret.decode()).stdout.splitlines()
    assert text[1] == public.decode() and text[4] == secret.decode()
    # a Z85 key may start with '-': still the key, not an option
    dash = b"-" + secret[1:]
    text = keygen("--secret", dash.decode()).stdout.splitlines()
    assert text[1] == zmq4.curve_public(dash).decode() and text[4] == dash.decode()


@pytest.mark.parametrize("bad", ["abc", "x" * 39, "é" * 40])
def test_a_bad_secret_is_refused_with_a_message(bad: str) -> None:
    p = keygen("--secret", bad, check=False)
    assert p.returncode == 2
    assert "--secret" in p.stderr and "Traceback" not in p.stderr


def test_python_dash_m_zmq_curve_keygen_through_the_switch() -> None:
    """pyzmq's spelling, ``python -m zmq.curve_keygen``, run by a program on the switch:
    zmq4's module runs, under pyzmq's name."""
    out = keygen("-m", "zmq.curve_keygen", "--json", module="zmq4.run").stdout
    keys = json.loads(out)
    assert len(z85.decode(keys["public"])) == 32
    help_text = keygen("-m", "zmq.curve_keygen", "-h", module="zmq4.run").stdout
    assert "python3 -m zmq.curve_keygen" in help_text
