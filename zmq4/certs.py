"""CURVE key pairs and certificate files (the format pyzmq's ``zmq.auth`` reads and writes).

Owns: ``curve_keypair`` (Z85 pair from libsodium), ``curve_public`` (derive the public key),
and ``create_certificates`` / ``load_certificate`` for ``NAME.key`` (public) and
``NAME.key_secret`` (public + secret) files in ZPL form, so existing pyzmq certificate
directories work unchanged. Imports the z85 and sodium leaves only.
"""

from __future__ import annotations

import datetime
import os
from typing import Optional

from . import _sodium, z85

_HEADER = """#   ****  Generated on {when} by zmq4  ****
#   ZeroMQ CURVE {kind} Certificate
#   {advice}

"""
_PUBLIC_ADVICE = "Exchange securely, or use a secure mechanism to verify the contents\n#   of this file after exchange."
_SECRET_ADVICE = "DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions."


def curve_keypair() -> tuple[bytes, bytes]:
    """A new CURVE key pair as (public, secret), each 40 Z85 bytes."""
    pk, sk = _sodium.keypair()
    return z85.encode(pk), z85.encode(sk)


def curve_public(secret_key: bytes | str) -> bytes:
    """The Z85 public key of a Z85 (40 chars) or raw (32 bytes) secret key."""
    raw = secret_key if isinstance(secret_key, (bytes, bytearray)) and len(secret_key) == 32 \
        else z85.decode(secret_key)
    if len(raw) != 32:
        raise ValueError(f"a CURVE secret key is 32 bytes, got {len(raw)}")
    return z85.encode(_sodium.public_from_secret(bytes(raw)))


def _write(path: str, kind: str, advice: str, public: bytes, secret: Optional[bytes],
           metadata: Optional[dict[str, str]]) -> None:
    when = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    lines = [_HEADER.format(when=when, kind=kind, advice=advice), "metadata\n"]
    for k, v in (metadata or {}).items():
        lines.append(f'    {k} = "{v}"\n')
    lines.append("curve\n")
    lines.append(f'    public-key = "{public.decode("ascii")}"\n')
    if secret is not None:
        lines.append(f'    secret-key = "{secret.decode("ascii")}"\n')
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(lines)


def create_certificates(key_dir: str, name: str,
                        metadata: Optional[dict[str, str]] = None) -> tuple[str, str]:
    """Write ``NAME.key`` and ``NAME.key_secret`` into ``key_dir``; return both paths."""
    public, secret = curve_keypair()
    pub_path = os.path.join(key_dir, f"{name}.key")
    sec_path = os.path.join(key_dir, f"{name}.key_secret")
    _write(pub_path, "Public", _PUBLIC_ADVICE, public, None, metadata)
    _write(sec_path, "Secret", _SECRET_ADVICE, public, secret, metadata)
    os.chmod(sec_path, 0o600)
    return pub_path, sec_path


def load_certificate(path: str) -> tuple[bytes, Optional[bytes]]:
    """(public, secret or None), Z85 bytes, from a certificate file; ValueError if none."""
    public = secret = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            text = line.strip()
            if text.startswith("#") or "=" not in text:
                continue
            key, _, value = text.partition("=")
            key, value = key.strip(), value.strip().strip('"').strip("'")
            if key == "public-key":
                public = value.encode("ascii")
            elif key == "secret-key":
                secret = value.encode("ascii")
    if public is None:
        raise ValueError(f"no public key found in {path}")
    for k in (public, secret):
        if k is not None and len(z85.decode(k)) != 32:
            raise ValueError(f"bad key length in {path}")
    return public, secret


def load_certificates(directory: str) -> dict[bytes, bool]:
    """All public keys in ``*.key`` files of a directory, as {z85_public_key: True}."""
    keys: dict[bytes, bool] = {}
    if not os.path.isdir(directory):
        raise ValueError(f"certificate directory {directory} does not exist")
    for entry in sorted(os.listdir(directory)):
        if entry.endswith(".key"):
            public, _ = load_certificate(os.path.join(directory, entry))
            keys[public] = True
    return keys
