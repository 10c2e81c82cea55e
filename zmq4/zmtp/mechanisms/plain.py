"""The PLAIN security mechanism (RFC 24 ZMTP-PLAIN; spec §6.3, §6.5).

Commands (ZMTP command frames, length-prefixed names as on the wire):

    C -> S  HELLO     05 'HELLO' + ulen(1) + username + plen(1) + password
    S -> C  WELCOME   07 'WELCOME'                      (exactly 8 bytes)
    C -> S  INITIATE  08 'INITIATE' + metadata
    S -> C  READY     05 'READY' + metadata

Server flow (libzmq 4.0): HELLO is parsed strictly (each length checked against the
frame, no trailing bytes), then ZAP is asked with the credentials as two frames
(username, password); WELCOME is withheld until a ``200`` reply. When no ZAP handler is
bound the session answers ``zap_reply(200)`` itself — 4.0 accepts every user without a
handler — the same contract ``NullMechanism`` uses. INITIATE's metadata is checked
(socket type, spec §3.3), then READY is sent and the server is done. Client flow: HELLO,
expect WELCOME, send INITIATE, expect READY (metadata checked), done.

Any other command, a command out of order, or ERROR (4.0 never sends it; 4.1+ servers
send it after a ZAP refusal) fails the handshake with ``RemoteProtocolError``
(``PeerError`` for ERROR, ``AuthenticationFailed`` for a ZAP refusal). This side never
sends ERROR (4.0 just closes).

Import rules: imports ``zmq4.zmtp`` leaf modules and ``mechanisms.base`` only.
"""

from __future__ import annotations

from ..commands import ERROR, READY, encode_command, encode_metadata, parse_command, parse_error
from ..errors import PeerError, RemoteProtocolError
from .base import Mechanism

__all__ = ["PlainMechanism", "MAX_CREDENTIAL"]

HELLO = b"HELLO"
WELCOME = b"WELCOME"
INITIATE = b"INITIATE"

#: RFC 24 §HELLO: username and password are each 0..255 octets (1-byte length).
MAX_CREDENTIAL = 255

_WELCOME_BODY = b"\x07WELCOME"

# client states
_C_SEND_HELLO = 0
_C_EXPECT_WELCOME = 1
_C_SEND_INITIATE = 2
_C_EXPECT_READY = 3
# server states
_S_EXPECT_HELLO = 10
_S_ZAP = 11
_S_SEND_WELCOME = 12
_S_EXPECT_INITIATE = 13
_S_SEND_READY = 14
_DONE = 20


class PlainMechanism(Mechanism):
    """libzmq's ``plain_mechanism_t``, both roles.

    ``PlainMechanism(as_server=False, username=b"", password=b"")``. The client sends
    its ``username``/``password``; a server's own are unused. Credentials longer than
    255 bytes are a local error (``ValueError``): they cannot be encoded.
    """

    name = b"PLAIN"
    transparent = True

    def __init__(
        self, *, as_server: bool = False, username: bytes = b"", password: bytes = b""
    ) -> None:
        super().__init__(as_server=as_server)
        username = bytes(username)
        password = bytes(password)
        if len(username) > MAX_CREDENTIAL or len(password) > MAX_CREDENTIAL:
            raise ValueError("PLAIN username and password are at most 255 bytes each")
        self.username = username
        self.password = password
        self._state = _S_EXPECT_HELLO if self.as_server else _C_SEND_HELLO
        #: The credentials the client presented (server side, after HELLO).
        self.peer_username: bytes | None = None
        self.peer_password: bytes | None = None

    # -- sending -------------------------------------------------------------

    def next_handshake_command(self) -> bytes | None:
        if self._error is not None:
            return None
        st = self._state
        if st == _C_SEND_HELLO:
            self._state = _C_EXPECT_WELCOME
            return (
                b"\x05HELLO"
                + bytes((len(self.username),))
                + self.username
                + bytes((len(self.password),))
                + self.password
            )
        if st == _C_SEND_INITIATE:
            self._state = _C_EXPECT_READY
            return encode_command(INITIATE, self._encoded_metadata())
        if st == _S_SEND_WELCOME:
            self._state = _S_EXPECT_INITIATE
            return _WELCOME_BODY
        if st == _S_SEND_READY:
            self._state = _DONE
            body = encode_command(READY, self._encoded_metadata())
            self._update_status()
            return body
        return None

    def _encoded_metadata(self) -> bytes:
        return encode_metadata(self.local_metadata())

    # -- receiving -----------------------------------------------------------

    def process_handshake_command(self, body: bytes) -> None:
        self._guarded(self._process, bytes(body))

    def _process(self, body: bytes) -> None:
        name, data = parse_command(body)
        if name == ERROR:
            # RFC 24 / RFC 23 §ERROR: a 4.1+ peer explains a refusal; fatal either way.
            reason = parse_error(data)
            self._fail(PeerError(f"PLAIN: peer sent ERROR: {reason!r}", reason))
        st = self._state
        if st == _S_EXPECT_HELLO and name == HELLO:
            self._on_hello(data)
        elif st == _C_EXPECT_WELCOME and name == WELCOME:
            if data:
                # RFC 24 §WELCOME: the command has no body.
                self._fail(RemoteProtocolError(f"PLAIN: WELCOME with {len(data)} trailing bytes"))
            self._state = _C_SEND_INITIATE
        elif st == _S_EXPECT_INITIATE and name == INITIATE:
            self._accept_metadata(data)
            self._state = _S_SEND_READY
        elif st == _C_EXPECT_READY and name == READY:
            self._accept_metadata(data)
            self._state = _DONE
            self._update_status()
        else:
            self._fail(
                RemoteProtocolError(
                    f"PLAIN {'server' if self.as_server else 'client'}: unexpected command "
                    f"{name[:32]!r} in state {_STATE_NAMES.get(st, st)}"
                )
            )

    def _on_hello(self, data: bytes) -> None:
        # RFC 24 §HELLO: username = OCTET *VCHAR, password = OCTET *VCHAR; every
        # length is checked against what the frame holds, nothing may follow.
        end = len(data)
        if end < 2:
            self._fail(RemoteProtocolError(f"PLAIN: HELLO of {end} bytes is too short"))
        ulen = data[0]
        if 1 + ulen + 1 > end:
            self._fail(
                RemoteProtocolError(
                    f"PLAIN: HELLO username length {ulen} exceeds the {end - 1} bytes left"
                )
            )
        username = data[1 : 1 + ulen]
        plen = data[1 + ulen]
        pos = 2 + ulen
        if pos + plen > end:
            self._fail(
                RemoteProtocolError(
                    f"PLAIN: HELLO password length {plen} exceeds the {end - pos} bytes left"
                )
            )
        if pos + plen != end:
            self._fail(RemoteProtocolError(f"PLAIN: HELLO has {end - pos - plen} trailing bytes"))
        self.peer_username = username
        self.peer_password = data[pos : pos + plen]
        self._state = _S_ZAP
        # spec §6.5: a PLAIN server always asks ZAP (the session answers 200 itself when
        # no handler is bound); credentials = username frame + password frame.
        self._request_zap((self.peer_username, self.peer_password))

    def _on_zap_accepted(self) -> None:
        if self._state == _S_ZAP:
            self._state = _S_SEND_WELCOME

    def _handshake_done(self) -> bool:
        return self._state == _DONE


_STATE_NAMES = {
    _C_SEND_HELLO: "SEND_HELLO",
    _C_EXPECT_WELCOME: "EXPECT_WELCOME",
    _C_SEND_INITIATE: "SEND_INITIATE",
    _C_EXPECT_READY: "EXPECT_READY",
    _S_EXPECT_HELLO: "EXPECT_HELLO",
    _S_ZAP: "WAIT_ZAP",
    _S_SEND_WELCOME: "SEND_WELCOME",
    _S_EXPECT_INITIATE: "EXPECT_INITIATE",
    _S_SEND_READY: "SEND_READY",
    _DONE: "DONE",
}
