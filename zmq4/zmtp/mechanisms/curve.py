"""The CURVE security mechanism (RFC 25 ZMTP-CURVE, RFC 26 CurveZMQ; spec §6.4, §9).

Keys (32 raw bytes each): long-term client C/c and server S/s, per-connection
short-term C'/c' and S'/s' (generated here, wiped when no longer needed).
``Box[X](A->B)`` is NaCl crypto_box from secret a to public B (MAC + ciphertext).

    C -> S  HELLO     05 'HELLO' 01 00 | 72 zeros | C' | nonce(8) |
                      Box[64 zeros](C'->S), "CurveZMQHELLO---"+nonce        200 bytes
    S -> C  WELCOME   07 'WELCOME' | nonce(16) |
                      Box[S' + cookie](S->C'), "WELCOME-"+nonce              168 bytes
              cookie = nonce(16) + SecretBox[C' + s'](K), "COOKIE--"+nonce    96 bytes
    C -> S  INITIATE  08 'INITIATE' | cookie | nonce(8) |
                      Box[C + vouch nonce(16) + vouch + metadata](C'->S')    >= 257
              vouch = Box[C' + S](C->S'), "VOUCH---"+vouch nonce (4.0.1+)     80 bytes
    S -> C  READY     05 'READY' | nonce(8) | Box[metadata](S'->C')          >= 30
    either  MESSAGE   see ``_curve.CurveCodec`` (traffic after the handshake)

What this implementation guarantees (spec §9):

* every length is checked before use and every buffer is sized from the received
  length — no fixed metadata buffers (CVE-2019-13132 and the unfixed 4.0.10 READY
  parser); HELLO and WELCOME must have their exact sizes; INITIATE/READY are bounded by
  the connection's handshake frame cap;
* the vouch is verified in **both** halves (C' and S; 4.0 compared only C');
* the cookie key K is random per connection (as 4.0 does) and wiped once INITIATE
  was checked; the cookie must open and hold exactly this connection's C' and s';
* short nonces are 64-bit big-endian counters (client: HELLO 1, INITIATE 2, MESSAGE
  3…; server: READY 1, MESSAGE 2…); the peer's must strictly increase across
  HELLO -> INITIATE -> MESSAGE and READY -> MESSAGE (replay ends the connection);
* any failure raises ``RemoteProtocolError`` (``PeerError`` for a received ERROR,
  ``AuthenticationFailed`` for a ZAP refusal); this side never sends ERROR (4.0 just
  closes).

ZAP (server only, spec §6.5): asked after INITIATE was fully verified, with the
client's long-term public key C (32 raw bytes) as the single credential frame; READY
is withheld until ``zap_reply(200)``. Without a handler the session answers 200 itself
(4.0: any client that knows S is accepted).

Import rules: imports ``zmq4.zmtp`` leaf modules, ``mechanisms.base`` and
``mechanisms._curve`` only. No I/O, no time.
"""

from __future__ import annotations

from typing import NoReturn

from ..commands import ERROR, READY, encode_metadata, parse_command, parse_error
from ..errors import PeerError, RemoteProtocolError, ZmtpError
from . import _curve
from .base import Mechanism

__all__ = ["CurveMechanism", "InvalidCurveKey", "KEY_SIZE"]

KEY_SIZE = 32
_ZERO_KEY = bytes(KEY_SIZE)

HELLO = b"HELLO"
WELCOME = b"WELCOME"
INITIATE = b"INITIATE"

_HELLO_SIZE = 200
_WELCOME_SIZE = 168
_INITIATE_MIN = 257
_READY_MIN = 30
_HELLO_PREFIX = b"\x05HELLO"
_WELCOME_PREFIX = b"\x07WELCOME"
_INITIATE_PREFIX = b"\x08INITIATE"
_READY_PREFIX = b"\x05READY"
_VERSION = b"\x01\x00"

# client states
_C_SEND_HELLO = 0
_C_EXPECT_WELCOME = 1
_C_SEND_INITIATE = 2
_C_EXPECT_READY = 3
# server states
_S_EXPECT_HELLO = 10
_S_SEND_WELCOME = 11
_S_EXPECT_INITIATE = 12
_S_ZAP = 13
_S_SEND_READY = 14
_DONE = 20


class InvalidCurveKey(ZmtpError):
    """A locally configured CURVE key is unusable (libsodium refuses it, e.g. an unset
    all-zero server key). Ends the connection like a protocol error."""


def _be64(value: int) -> bytes:
    return value.to_bytes(8, "big")


def _wipe(buf: bytearray | None) -> None:
    if buf is not None:
        _curve.wipe(buf)


class CurveMechanism(Mechanism):
    """libzmq's ``curve_client_t`` / ``curve_server_t``.

    ``CurveMechanism(as_server=False, public_key=..., secret_key=..., server_key=...)``:
    a server needs only its long-term ``secret_key`` (its public key is derived); a
    client needs ``server_key`` (S) and its own ``public_key``/``secret_key`` (C/c).
    Unset keys are 32 zero bytes, as in libzmq. Keys must be 32 raw bytes
    (``ValueError`` otherwise).

    After the handshake: ``peer_public_key`` is the client's C on a server (the ZAP
    credential), the server's S on a client; ``traffic_codec()`` returns the
    ``CurveCodec`` that boxes every frame.
    """

    name = b"CURVE"
    transparent = False

    def __init__(
        self,
        *,
        as_server: bool = False,
        public_key: bytes = _ZERO_KEY,
        secret_key: bytes = _ZERO_KEY,
        server_key: bytes = _ZERO_KEY,
    ) -> None:
        super().__init__(as_server=as_server)
        for what, key in (
            ("public_key", public_key),
            ("secret_key", secret_key),
            ("server_key", server_key),
        ):
            if len(key) != KEY_SIZE:
                raise ValueError(f"CURVE {what} must be {KEY_SIZE} raw bytes, got {len(key)}")
        self._secret: bytearray | None = bytearray(secret_key)
        self._public = bytes(public_key)
        self._server_key = bytes(server_key)
        self._state = _S_EXPECT_HELLO if self.as_server else _C_SEND_HELLO
        self._cn_public: bytes | None = None  # C' (client) / S' (server)
        self._cn_secret: bytearray | None = None  # c' / s'
        self._cn_peer: bytes | None = None  # S' (client) / C' (server)
        self._precom: bytearray | None = None  # beforenm(peer', own')
        self._cookie_key: bytearray | None = None  # server: K
        self._cookie: bytes | None = None  # client: the cookie from WELCOME
        self._nonce = 1  # own next short nonce
        self._peer_nonce = -1  # last short nonce received (-1: none yet)
        self._codec: _curve.CurveCodec | None = None
        self.peer_public_key: bytes | None = None if self.as_server else self._server_key

    def __del__(self) -> None:  # best-effort hygiene; key bytes may survive elsewhere
        try:
            self._wipe_secrets()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass

    def _wipe_secrets(self) -> None:
        _wipe(self._cn_secret)
        _wipe(self._cookie_key)
        _wipe(self._secret)
        _wipe(self._precom)
        self._cn_secret = self._cookie_key = self._secret = self._precom = None

    def _on_error(self) -> None:
        self._wipe_secrets()

    def _proto(self, reason: str) -> NoReturn:
        self._fail(RemoteProtocolError(f"CURVE {self._role}: {reason}"))

    @property
    def _role(self) -> str:
        return "server" if self.as_server else "client"

    def _take_nonce(self) -> bytes:
        n = self._nonce
        self._nonce = n + 1
        return _be64(n)

    def _check_peer_nonce(self, short: bytes, command: str) -> int:
        value = int.from_bytes(short, "big")
        # RFC 26 §Nonces / spec §9 #1191: the peer's short nonces strictly increase.
        if value <= self._peer_nonce:
            self._proto(
                f"{command} short nonce {value} is not greater than the previous one "
                f"({self._peer_nonce}): replayed or reordered"
            )
        return value

    # -- sending -------------------------------------------------------------

    def next_handshake_command(self) -> bytes | None:
        if self._error is not None:
            return None
        st = self._state
        if st == _C_SEND_HELLO:
            return self._produce_hello()
        if st == _C_SEND_INITIATE:
            return self._produce_initiate()
        if st == _S_SEND_WELCOME:
            return self._produce_welcome()
        if st == _S_SEND_READY:
            return self._produce_ready()
        return None

    def _produce_hello(self) -> bytes:
        self._cn_public, self._cn_secret = _curve.keypair()
        short = self._take_nonce()
        box = _curve.box(bytes(64), b"CurveZMQHELLO---" + short, self._server_key, self._cn_secret)
        if box is None:
            self._fail(InvalidCurveKey("CURVE client: the configured server key is unusable"))
        self._state = _C_EXPECT_WELCOME
        body = _HELLO_PREFIX + _VERSION + bytes(72) + self._cn_public + short + box
        assert len(body) == _HELLO_SIZE
        return body

    def _produce_welcome(self) -> bytes:
        assert self._cn_peer is not None and self._cn_secret is not None
        assert self._cn_public is not None and self._secret is not None
        self._cookie_key = bytearray(_curve.random_bytes(32))
        cookie_nonce = _curve.random_bytes(16)
        cookie_plain = bytearray(self._cn_peer) + self._cn_secret
        cookie = cookie_nonce + _curve.secretbox(
            cookie_plain, b"COOKIE--" + cookie_nonce, self._cookie_key
        )
        _wipe(cookie_plain)
        welcome_nonce = _curve.random_bytes(16)
        box = _curve.box(
            self._cn_public + cookie, b"WELCOME-" + welcome_nonce, self._cn_peer, self._secret
        )
        if box is None:  # pragma: no cover - C' was already accepted by the HELLO box
            self._proto("cannot box WELCOME to the client's short-term key")
        self._state = _S_EXPECT_INITIATE
        body = _WELCOME_PREFIX + welcome_nonce + box
        assert len(body) == _WELCOME_SIZE
        return body

    def _produce_initiate(self) -> bytes:
        assert self._cn_peer is not None and self._precom is not None
        assert self._cn_public is not None and self._cookie is not None
        assert self._secret is not None
        vouch_nonce = _curve.random_bytes(16)
        # 4.0.1+ vouch: Box[C' + S](C->S')
        vouch = _curve.box(
            self._cn_public + self._server_key,
            b"VOUCH---" + vouch_nonce,
            self._cn_peer,
            self._secret,
        )
        if vouch is None:
            self._fail(InvalidCurveKey("CURVE client: the configured secret key is unusable"))
        plaintext = self._public + vouch_nonce + vouch + encode_metadata(self.local_metadata())
        short = self._take_nonce()
        box = _curve.box_afternm(plaintext, b"CurveZMQINITIATE" + short, self._precom)
        # c and c' are no longer needed
        _wipe(self._secret)
        _wipe(self._cn_secret)
        self._secret = self._cn_secret = None
        self._state = _C_EXPECT_READY
        return _INITIATE_PREFIX + self._cookie + short + box

    def _produce_ready(self) -> bytes:
        assert self._precom is not None
        short = self._take_nonce()
        box = _curve.box_afternm(
            encode_metadata(self.local_metadata()), b"CurveZMQREADY---" + short, self._precom
        )
        self._state = _DONE
        self._update_status()
        return _READY_PREFIX + short + box

    # -- receiving -----------------------------------------------------------

    def process_handshake_command(self, body: bytes) -> None:
        self._guarded(self._process, bytes(body))

    def _process(self, body: bytes) -> None:
        name, data = parse_command(body)
        if name == ERROR:
            # 4.1+ servers send ERROR (unencrypted) after a ZAP refusal; fatal.
            reason = parse_error(data)
            self._fail(PeerError(f"CURVE {self._role}: peer sent ERROR: {reason!r}", reason))
        st = self._state
        if st == _S_EXPECT_HELLO and name == HELLO:
            self._on_hello(body)
        elif st == _C_EXPECT_WELCOME and name == WELCOME:
            self._on_welcome(body)
        elif st == _S_EXPECT_INITIATE and name == INITIATE:
            self._on_initiate(body)
        elif st == _C_EXPECT_READY and name == READY:
            self._on_ready(body)
        else:
            self._proto(
                f"unexpected command {name[:32]!r} ({len(body)} bytes) in state "
                f"{_STATE_NAMES.get(st, st)}"
            )

    def _on_hello(self, body: bytes) -> None:
        # RFC 25 §HELLO: exactly 200 bytes (anti-amplification), version 1.0.
        if len(body) != _HELLO_SIZE:
            self._proto(f"HELLO is {len(body)} bytes, expected {_HELLO_SIZE}")
        if body[6:8] != _VERSION:
            self._proto(f"HELLO announces CurveZMQ version {body[6]}.{body[7]}, expected 1.0")
        assert self._secret is not None
        client_transient = body[80:112]
        short = body[112:120]
        value = self._check_peer_nonce(short, "HELLO")
        signature = _curve.box_open(
            body[120:200], b"CurveZMQHELLO---" + short, client_transient, self._secret
        )
        # RFC 26 §HELLO: the box must open (the client knows S) and hold 64 zeros.
        if signature is None:
            self._proto("HELLO box does not open (the client does not know this server's key)")
        if not _curve.equal(signature, bytes(64)):
            self._proto("HELLO signature box does not hold 64 zero bytes")
        self._peer_nonce = value
        self._cn_peer = client_transient
        self._cn_public, self._cn_secret = _curve.keypair()
        self._state = _S_SEND_WELCOME

    def _on_welcome(self, body: bytes) -> None:
        if len(body) != _WELCOME_SIZE:
            self._proto(f"WELCOME is {len(body)} bytes, expected {_WELCOME_SIZE}")
        assert self._cn_secret is not None
        plain = _curve.box_open(
            body[24:168], b"WELCOME-" + body[8:24], self._server_key, self._cn_secret
        )
        if plain is None:
            # RFC 26: only the holder of s can make this box: wrong server key.
            self._proto("WELCOME box does not open (wrong server key?)")
        self._cn_peer = plain[:32]
        self._cookie = plain[32:128]
        self._precom = _curve.beforenm(self._cn_peer, self._cn_secret)
        if self._precom is None:
            self._proto("server short-term key is unusable")
        self._state = _C_SEND_INITIATE

    def _on_initiate(self, body: bytes) -> None:
        n = len(body)
        if n < _INITIATE_MIN:
            self._proto(f"INITIATE is {n} bytes, expected at least {_INITIATE_MIN}")
        assert self._cookie_key is not None and self._cn_peer is not None
        assert self._cn_secret is not None
        cookie = body[9:105]
        opened = _curve.secretbox_open(cookie[16:], b"COOKIE--" + cookie[:16], self._cookie_key)
        # RFC 26 §INITIATE: the cookie must be ours and hold this connection's keys.
        if opened is None:
            self._proto("INITIATE cookie does not open")
        expected = bytearray(self._cn_peer) + self._cn_secret
        same = _curve.equal(opened, expected)
        _wipe(expected)
        if not same:
            self._proto("INITIATE cookie does not belong to this connection")
        _wipe(self._cookie_key)
        self._cookie_key = None
        short = body[105:113]
        value = self._check_peer_nonce(short, "INITIATE")
        precom = _curve.beforenm(self._cn_peer, self._cn_secret)
        if precom is None:
            self._proto("client short-term key is unusable")
        self._precom = precom
        plain = _curve.box_open_afternm(body[113:], b"CurveZMQINITIATE" + short, precom)
        if plain is None:
            self._proto("INITIATE box does not open")
        if len(plain) < 128:  # pragma: no cover - implied by the length check above
            self._proto("INITIATE box too short")
        client_key = plain[:32]
        vouch = _curve.box_open(
            plain[48:128], b"VOUCH---" + plain[32:48], client_key, self._cn_secret
        )
        if vouch is None:
            self._proto("INITIATE vouch does not open with the client's long-term key")
        assert self._secret is not None
        server_public = _curve.public_from_secret(self._secret)
        # spec §9 (4.0.1 vouch change): verify both halves; 4.0 compared only C'.
        if not _curve.equal(vouch, self._cn_peer + server_public):
            self._proto("INITIATE vouch does not match this connection's keys")
        _wipe(self._cn_secret)
        _wipe(self._secret)
        self._cn_secret = self._secret = None
        self._accept_metadata(plain[128:])
        self._peer_nonce = value
        self.peer_public_key = client_key
        self._state = _S_ZAP
        # spec §6.5: the CURVE server asks ZAP with the client's long-term key.
        self._request_zap((client_key,))

    def _on_ready(self, body: bytes) -> None:
        n = len(body)
        if n < _READY_MIN:
            self._proto(f"READY is {n} bytes, expected at least {_READY_MIN}")
        assert self._precom is not None
        short = body[6:14]
        value = self._check_peer_nonce(short, "READY")
        plain = _curve.box_open_afternm(body[14:], b"CurveZMQREADY---" + short, self._precom)
        if plain is None:
            self._proto("READY box does not open")
        self._accept_metadata(plain)
        self._peer_nonce = value
        self._state = _DONE
        self._update_status()

    def _on_zap_accepted(self) -> None:
        if self._state == _S_ZAP:
            self._state = _S_SEND_READY

    def _handshake_done(self) -> bool:
        return self._state == _DONE

    # -- traffic -------------------------------------------------------------

    def traffic_codec(self) -> _curve.CurveCodec:
        """The MESSAGE codec (created once, when the handshake is complete)."""
        if self._codec is None:
            if self._state != _DONE or self._precom is None:
                raise RuntimeError("CURVE traffic codec requested before the handshake completed")
            self._codec = _curve.CurveCodec(
                self._precom, not self.as_server, self._nonce, self._peer_nonce
            )
            _wipe(self._precom)
            self._precom = None
        return self._codec

    def encode_frame(self, flags: int, body: bytes) -> tuple[int, bytes]:
        """One frame as a MESSAGE body (per-frame hook; the batch path is the codec)."""
        return 0, self.traffic_codec().box(flags, body)

    def decode_frame(self, flags: int, body: bytes) -> tuple[int, bytes]:
        return self.traffic_codec().unbox(body)


_STATE_NAMES = {
    _C_SEND_HELLO: "SEND_HELLO",
    _C_EXPECT_WELCOME: "EXPECT_WELCOME",
    _C_SEND_INITIATE: "SEND_INITIATE",
    _C_EXPECT_READY: "EXPECT_READY",
    _S_EXPECT_HELLO: "EXPECT_HELLO",
    _S_SEND_WELCOME: "SEND_WELCOME",
    _S_EXPECT_INITIATE: "EXPECT_INITIATE",
    _S_ZAP: "WAIT_ZAP",
    _S_SEND_READY: "SEND_READY",
    _DONE: "DONE",
}
