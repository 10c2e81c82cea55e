"""Security mechanisms of ZMTP 3.x (RFC 23 §Authentication and Confidentiality).

Owns one class per mechanism; ``base.Mechanism`` is the interface the connection
drives: NULL (RFC 23), PLAIN (RFC 24), CURVE (RFC 25/26, ``transparent = False``: its
Cython ``CurveCodec`` boxes/unboxes every traffic frame in batches).

``create_mechanism(options)`` builds a fresh mechanism for one connection from a socket
options snapshot (``zmq4.core.options.Options`` or anything with the same attributes).

Import rules: only ``zmq4.zmq_h`` and ``zmq4.zmtp`` modules; no I/O, no time.
"""

from __future__ import annotations

from typing import Any

from ... import zmq_h as C
from .base import FrameHookCodec, Mechanism, MechanismStatus, TrafficCodec, ZapState
from .curve import CurveMechanism, InvalidCurveKey
from .null import NullMechanism
from .plain import PlainMechanism

__all__ = [
    "Mechanism",
    "MechanismStatus",
    "ZapState",
    "TrafficCodec",
    "FrameHookCodec",
    "NullMechanism",
    "PlainMechanism",
    "CurveMechanism",
    "InvalidCurveKey",
    "create_mechanism",
    "for_options",
]


def create_mechanism(options: Any) -> Mechanism:
    """A new mechanism for one connection, chosen from local options only (spec §6.1,
    CVE-2014-7202): ``options.mechanism`` (C.NULL / C.PLAIN / C.CURVE),
    ``options.as_server``, ``plain_username``/``plain_password``,
    ``curve_public_key``/``curve_secret_key``/``curve_server_key`` (32 raw bytes)."""
    kind = options.mechanism
    as_server = bool(options.as_server)
    if kind == C.PLAIN:
        return PlainMechanism(
            as_server=as_server,
            username=options.plain_username or b"",
            password=options.plain_password or b"",
        )
    if kind == C.CURVE:
        return CurveMechanism(
            as_server=as_server,
            public_key=options.curve_public_key,
            secret_key=options.curve_secret_key,
            server_key=options.curve_server_key,
        )
    if kind != C.NULL:
        raise ValueError(f"unknown security mechanism {kind!r}")
    return NullMechanism(as_server=as_server)


#: The name ``zmq4.core.socket_base.SocketBase.make_mechanism`` looks up.
for_options = create_mechanism
