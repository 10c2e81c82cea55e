"""CURVE keys: zmq_curve_keypair, certificate files (pyzmq-compatible), the keygen command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nacl.bindings
import pytest

from zmq4 import capi, certs, curve_keypair, curve_public, z85


def test_capi_curve_keypair_is_a_valid_pair() -> None:
    pair = capi.zmq_curve_keypair()
    assert isinstance(pair, tuple)
    public, secret = pair
    assert len(public) == 40 and len(secret) == 40
    raw_public, raw_secret = z85.decode(public), z85.decode(secret)
    assert nacl.bindings.crypto_scalarmult_base(raw_secret) == raw_public


def test_keypairs_differ() -> None:
    assert capi.zmq_curve_keypair() != capi.zmq_curve_keypair()


def test_object_api_keypair_and_public_derivation() -> None:
    public, secret = curve_keypair()
    assert curve_public(secret) == public
    assert curve_public(z85.decode(secret)) == public


def test_certificates_round_trip(tmp_path: "os.PathLike[str]") -> None:
    pub_path, sec_path = certs.create_certificates(str(tmp_path), "server")
    public, secret = certs.load_certificate(sec_path)
    assert secret is not None and curve_public(secret) == public
    assert certs.load_certificate(pub_path) == (public, None)
    assert certs.load_certificates(str(tmp_path)) == {public: True}
    assert oct(os.stat(sec_path).st_mode & 0o777) == oct(0o600)


def test_certificates_readable_by_pyzmq(tmp_path: "os.PathLike[str]") -> None:
    import zmq.auth as zmq_auth
    _, sec_path = certs.create_certificates(str(tmp_path), "c")
    assert zmq_auth.load_certificate(sec_path) == certs.load_certificate(sec_path)


def test_pyzmq_certificates_readable_by_zmq4(tmp_path: "os.PathLike[str]") -> None:
    import zmq.auth as zmq_auth
    _, sec_path = zmq_auth.create_certificates(str(tmp_path), "p")
    assert certs.load_certificate(sec_path) == zmq_auth.load_certificate(sec_path)


def test_load_certificate_without_key_fails(tmp_path: "os.PathLike[str]") -> None:
    p = os.path.join(str(tmp_path), "bad.key")
    with open(p, "w") as f:
        f.write("metadata\ncurve\n")
    with pytest.raises(ValueError, match="no public key"):
        certs.load_certificate(p)


def test_keygen_command(tmp_path: "os.PathLike[str]") -> None:
    # run outside the source tree: `python -m` puts the working directory first on sys.path
    out = subprocess.run([sys.executable, "-m", "zmq4", "keygen", str(tmp_path), "k"],
                         capture_output=True, text=True, check=True, cwd=str(tmp_path)).stdout
    lines = out.splitlines()
    public = lines[lines.index("== CURVE PUBLIC KEY ==") + 1]
    secret = lines[lines.index("== CURVE SECRET KEY ==") + 1]
    assert curve_public(secret).decode() == public
    assert certs.load_certificate(os.path.join(str(tmp_path), "k.key"))[0] == public.encode()


def test_keygen_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """``zmq4 keygen | head -1``: the reader leaves early; no traceback, exit status 1."""
    proc = subprocess.Popen([sys.executable, "-m", "zmq4", "keygen"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=str(tmp_path))
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # nobody reads: the first print gets EPIPE
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1, err
    assert "Traceback" not in err, err
