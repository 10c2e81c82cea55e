"""The ZAP policy engine: decides each handshake from a ZAP request (RFC 27).

Owns: the allow/deny address lists, the PLAIN password tables and CURVE key sets per ZAP
domain, the decision for one request, its reply frames and its log line. It binds the
handler socket (a REP at ``inproc://zeromq.zap.01``) but runs no loop: the thread and
asyncio faces (``thread.py``, ``asyncio.py``) feed it requests.

Decision order (the one pyzmq users rely on):

1. The address lists. With an allow list, only listed addresses pass (and pass the
   address check only: PLAIN passwords and CURVE keys are still checked). Without one,
   addresses on the deny list are refused.
2. The mechanism. NULL: accepted unless denied by address. PLAIN: the username and
   password must match the domain's table (domain ``*`` when the request's is empty).
   CURVE: the client's long-term key must be allowed for the domain (any key, a key
   from the certificate directory, or what the domain's callback says).

Replies (RFC 27 §Reply): 200 accepts; 400 denies (status text names the reason); 500 for
a request that cannot be understood. The user id is the PLAIN username, or for CURVE
``curve_user_id(key)`` (the Z85 public key unless overridden).

Thread safety: configuration calls may come from any thread while the handler runs;
the policy is guarded by one lock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from .. import constants as C
from .. import z85
from ..certs import load_certificates
from ..context import Context
from ..socket import Socket

#: ``configure_curve(location=CURVE_ALLOW_ANY)``: any client key is accepted.
CURVE_ALLOW_ANY = "*"
ZAP_ENDPOINT = "inproc://zeromq.zap.01"
ZAP_VERSION = b"1.0"

_log = logging.getLogger("zmq4.auth")


class Authenticator:
    """A ZAP handler's policy (pyzmq's ``zmq.auth.Authenticator`` interface)."""

    def __init__(self, context: Context | None = None, encoding: str = "utf-8",
                 log: logging.Logger | None = None) -> None:
        self.context = context if context is not None else Context.instance()
        self.encoding = encoding
        self.log = log if log is not None else _log
        self.allow_addresses: set[str] = set()
        self.deny_addresses: set[str] = set()
        self.passwords: dict[str, dict[str, str]] = {}
        self.certs: dict[str, Any] = {}  # domain -> {z85 key: True} or CURVE_ALLOW_ANY
        self.credentials_providers: dict[str, Callable[[str, bytes], bool]] = {}
        self.zap_socket: Socket | None = None
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ configuration
    def allow(self, *addresses: str) -> None:
        """Accept only these IP addresses (and refuse all others). An allow list makes
        the deny list irrelevant, as in pyzmq."""
        with self._lock:
            self.allow_addresses.update(addresses)
        self.log.debug("zmq4.auth: allowing %s", ", ".join(addresses))

    def deny(self, *addresses: str) -> None:
        """Refuse these IP addresses (ignored once an allow list exists)."""
        with self._lock:
            self.deny_addresses.update(addresses)
        self.log.debug("zmq4.auth: denying %s", ", ".join(addresses))

    def configure_plain(self, domain: str = "*",
                        passwords: dict[str, str] | None = None) -> None:
        """PLAIN: the {username: password} table for ``domain`` (``*`` for any)."""
        with self._lock:
            self.passwords[domain] = dict(passwords or {})
        self.log.debug("zmq4.auth: PLAIN table for domain %r: %d users", domain,
                       len(passwords or {}))

    def configure_curve(self, domain: str = "*", location: Any = "") -> None:
        """CURVE: accept any client (``location=CURVE_ALLOW_ANY``) or only clients whose
        public key is in a ``*.key`` certificate file of the directory ``location``.
        Call again to reload the directory."""
        if location == CURVE_ALLOW_ANY:
            keys: Any = CURVE_ALLOW_ANY
        else:
            keys = load_certificates(str(location))  # ValueError: no such directory
        with self._lock:
            self.certs[domain] = keys
            self.credentials_providers.pop(domain, None)
        self.log.debug("zmq4.auth: CURVE for domain %r: %s", domain,
                       "any key" if keys == CURVE_ALLOW_ANY else f"{len(keys)} keys")

    def configure_curve_callback(self, domain: str = "*",
                                 credentials_provider: Any = None) -> None:
        """CURVE: ask ``credentials_provider.callback(domain, key)`` (or call it, if it is
        a function) for each client; ``key`` is the Z85 public key as bytes."""
        if credentials_provider is None:
            raise TypeError("configure_curve_callback needs a credentials_provider")
        fn = getattr(credentials_provider, "callback", credentials_provider)
        if not callable(fn):
            raise TypeError("credentials_provider must be callable or have .callback")
        with self._lock:
            self.credentials_providers[domain] = fn
            self.certs.pop(domain, None)

    def curve_user_id(self, client_public_key: bytes) -> str:
        """The user id of a CURVE client: its Z85 public key (override to map keys)."""
        return z85.encode(client_public_key).decode("ascii")

    # ------------------------------------------------------------------ handler socket
    def start(self) -> None:
        """Bind the handler socket (EADDRINUSE if this context already has one)."""
        if self.zap_socket is not None:
            return
        s = self.context.socket(C.REP)
        s.linger = 0
        try:
            s.bind(ZAP_ENDPOINT)
        except BaseException:
            s.close()
            raise
        self.zap_socket = s

    def stop(self) -> None:
        if self.zap_socket is not None:
            s, self.zap_socket = self.zap_socket, None
            s.close()

    def handle_zap_message(self, msg: list[bytes]) -> None:
        """Answer one request read from the handler socket."""
        assert self.zap_socket is not None, "start() the authenticator first"
        self.zap_socket.send_multipart(self.reply_for(msg))

    # ------------------------------------------------------------------ decisions
    def reply_for(self, msg: list[bytes]) -> list[bytes]:
        """The reply frames for one request's frames (RFC 27 §Request, §Reply)."""
        frames = [bytes(f) for f in msg]
        if len(frames) < 6:
            self.log.error("zmq4.auth: malformed ZAP request (%d frames)", len(frames))
            rid = frames[1] if len(frames) > 1 else b""
            return [ZAP_VERSION, rid, b"500", b"Malformed request", b"", b""]
        version, rid, domain_b, address_b, _identity, mechanism = frames[:6]
        credentials = frames[6:]
        if version != ZAP_VERSION:
            self.log.error("zmq4.auth: ZAP request version %r, expected 1.0", version)
            return [ZAP_VERSION, rid, b"400", b"Invalid version", b"", b""]
        domain = domain_b.decode(self.encoding, "replace")
        address = address_b.decode(self.encoding, "replace")
        mech = mechanism.decode("ascii", "replace")
        with self._lock:
            ok, reason, user = self._decide(domain, address, mech, credentials)
        self.log.info("zmq4.auth: %s %s domain=%r address=%s%s: %s",
                      "ALLOWED" if ok else "DENIED", mech, domain, address,
                      f" user={user!r}" if user else "", reason)
        if ok:
            return [ZAP_VERSION, rid, b"200", b"OK", user.encode(self.encoding), b""]
        return [ZAP_VERSION, rid, b"400", reason.encode(self.encoding, "replace"), b"", b""]

    def _decide(self, domain: str, address: str, mech: str,
                credentials: list[bytes]) -> tuple[bool, str, str]:
        by_address = False
        if self.allow_addresses:
            if address not in self.allow_addresses:
                return False, "address not allowed", ""
            by_address = True
        elif address in self.deny_addresses:
            return False, "address denied", ""
        if mech == "NULL":
            return True, "allowed address" if by_address else "NULL, address not denied", ""
        if mech == "PLAIN":
            return self._plain(domain, credentials)
        if mech == "CURVE":
            return self._curve(domain, credentials)
        return False, f"unsupported mechanism {mech}", ""

    def _plain(self, domain: str, credentials: list[bytes]) -> tuple[bool, str, str]:
        if len(credentials) != 2:
            return False, "malformed PLAIN credentials", ""
        user = credentials[0].decode(self.encoding, "replace")
        password = credentials[1].decode(self.encoding, "replace")
        if not self.passwords:
            return False, "no PLAIN passwords configured", user
        table = self.passwords.get(domain or "*")
        if table is None:
            return False, f"no PLAIN passwords for domain {domain or '*'!r}", user
        if user not in table:
            return False, "unknown user", user
        if table[user] != password:
            return False, "wrong password", user
        return True, "password matches", user

    def _curve(self, domain: str, credentials: list[bytes]) -> tuple[bool, str, str]:
        if len(credentials) != 1 or len(credentials[0]) != 32:
            return False, "malformed CURVE credentials", ""
        key = credentials[0]
        user = self.curve_user_id(key)
        d = domain or "*"
        provider = self.credentials_providers.get(d)
        if provider is not None:
            z = z85.encode(key)
            try:
                ok = bool(provider(d, z))
            except Exception as exc:  # noqa: BLE001 - a failing callback denies
                self.log.exception("zmq4.auth: CURVE callback failed")
                return False, f"callback failed: {exc!r}", user
            return ok, "callback accepted the key" if ok else "callback refused the key", user
        keys = self.certs.get(d)
        if keys is None:
            if not self.certs:
                return False, "no CURVE keys configured", user
            return False, f"no CURVE keys for domain {d!r}", user
        if keys == CURVE_ALLOW_ANY:
            return True, "any key allowed", user
        if z85.encode(key) in keys:
            return True, "key in certificate directory", user
        return False, "unknown public key", user

