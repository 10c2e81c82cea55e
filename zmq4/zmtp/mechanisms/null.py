"""The NULL security mechanism (RFC 23 §The NULL Security Mechanism; spec §6.2).

Each side sends READY + metadata right after the greeting and expects exactly one READY
from the peer. Anything else — including ERROR, which 4.0 neither sends nor accepts,
and any command after READY — is fatal.

ZAP (4.0 rule): only when the local socket has a non-empty ZMQ_ZAP_DOMAIN. The request
(mechanism "NULL", no credentials) is raised before this side's READY, and READY is
withheld until a 200 reply arrives; this applies on whichever side has the domain set.
When no handler is bound to ``inproc://zeromq.zap.01`` the session answers the
request itself with ``zap_reply(200)`` (4.0: no handler means no ZAP, i.e. accept).

Import rules: imports ``zmq4.zmtp`` leaf modules and ``mechanisms.base`` only.
"""

from __future__ import annotations

from typing import Any

from ..commands import ERROR, READY, encode_ready, parse_command, parse_error
from ..errors import PeerError, RemoteProtocolError
from .base import Mechanism

__all__ = ["NullMechanism"]


class NullMechanism(Mechanism):
    """libzmq's ``null_mechanism_t``."""

    name = b"NULL"
    transparent = True

    def __init__(self, *, as_server: bool = False) -> None:
        super().__init__(as_server=as_server)
        self._ready_sent = False
        self._ready_received = False

    def setup(self, **kwargs: Any) -> None:
        super().setup(**kwargs)
        if self.zap_domain:
            self._request_zap(())

    def next_handshake_command(self) -> bytes | None:
        if self._ready_sent or self._error is not None or self.zap_blocking:
            return None
        self._ready_sent = True
        body = encode_ready(self.local_metadata())
        self._update_status()
        return body

    def process_handshake_command(self, body: bytes) -> None:
        self._guarded(self._process, body)

    def _process(self, body: bytes) -> None:
        if self._ready_received:
            # RFC 23 §NULL: exactly one READY; 4.0 rejects anything after it.
            self._fail(RemoteProtocolError("NULL handshake: unexpected command after READY"))
        name, data = parse_command(body)
        if name == READY:
            self._accept_metadata(data)
            self._ready_received = True
            self._update_status()
        elif name == ERROR:
            reason = parse_error(data)
            self._fail(PeerError(f"peer sent ERROR: {reason!r}", reason))
        else:
            self._fail(RemoteProtocolError(f"NULL handshake: unexpected command {name!r}"))

    def _handshake_done(self) -> bool:
        return self._ready_sent and self._ready_received
