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

Failure denies (the rule every path here keeps): a request whose decision raises, a CURVE
callback that raises or answers anything but a bool, an override (``curve_user_id``) that
raises: each gets a 400 reply and an ERROR line on the ``zmq4.auth`` logger naming what
failed. :meth:`Authenticator.reply_for` never raises for a request. A CURVE callback may be
``async def`` (or return any awaitable): :meth:`areply_for` awaits it on the caller's loop,
:meth:`reply_for` runs it to completion on a private loop of the calling thread. The faces
that run the handler (``thread.py``, ``asyncio.py``) keep the handler endpoint bound and
answering 400 if their loop itself fails: with no handler bound, 4.0's rules would accept.

``allow`` and ``deny`` are exclusive (pyzmq's rule): using one after the other raises
``ValueError`` instead of silently ignoring the deny list.

The handler's own sockets are plain blocking :class:`zmq4.Socket` whatever the context's
default socket class (an asyncio context's sockets cannot be used from a thread).

Thread safety: configuration calls may come from any thread while the handler runs;
the policy is guarded by one lock.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .. import z85
from .. import zmq_h as C
from ..certs import load_certificates
from ..errors import ZMQVersionError
from ..sugar.context import Context
from ..sugar.socket import Socket

#: ``configure_curve(location=CURVE_ALLOW_ANY)``: any client key is accepted.
CURVE_ALLOW_ANY = "*"
ZAP_ENDPOINT = "inproc://zeromq.zap.01"
ZAP_VERSION = b"1.0"

_log = logging.getLogger("zmq4.auth")


class _Request:
    """One parsed ZAP request (RFC 27 §Request)."""

    __slots__ = ("rid", "domain", "address", "mechanism", "credentials")

    def __init__(self, rid: bytes, domain: str, address: str, mechanism: str,
                 credentials: list[bytes]) -> None:
        self.rid = rid
        self.domain = domain
        self.address = address
        self.mechanism = mechanism
        self.credentials = credentials


@dataclass
class _Pending:
    """A CURVE decision waiting for an awaitable credentials callback."""

    awaitable: Awaitable[Any]
    user: str


Verdict = tuple[bool, str, str]  # (accepted, reason, user id)


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
        self.credentials_providers: dict[str, Callable[[str, bytes], Any]] = {}
        self.zap_socket: Socket | None = None
        self._lock = threading.RLock()
        self._loops = threading.local()  # a private loop per thread for reply_for

    # ------------------------------------------------------------------ configuration
    def allow(self, *addresses: str) -> None:
        """Accept only these IP addresses (and refuse all others). Exclusive with
        :meth:`deny`: ``ValueError`` once a deny list exists."""
        with self._lock:
            if self.deny_addresses:
                raise ValueError("Only use allow or deny, not both: deny() was called "
                                 "before, and an allow list would ignore it")
            self.allow_addresses.update(addresses)
        self.log.debug("zmq4.auth: allowing %s", ", ".join(addresses))

    def deny(self, *addresses: str) -> None:
        """Refuse these IP addresses. Exclusive with :meth:`allow`: ``ValueError`` once
        an allow list exists."""
        with self._lock:
            if self.allow_addresses:
                raise ValueError("Only use allow or deny, not both: allow() was called "
                                 "before, and it would make this deny list ignored")
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

    def configure_gssapi(self, domain: str = "*", location: str | None = None) -> None:
        """GSSAPI needs libzmq 4.1 (and zmq4 is 4.0, without the mechanism): a GSSAPI
        client can never reach this handler, so there is nothing to configure, and saying
        so beats accepting a configuration that protects nothing: ``ZMQVersionError``."""
        raise ZMQVersionError("4.1", f"GSSAPI authentication (domain {domain!r})")

    def curve_user_id(self, client_public_key: bytes) -> str:
        """The user id of a CURVE client: its Z85 public key (override to map keys)."""
        return z85.encode(client_public_key).decode("ascii")

    # ------------------------------------------------------------------ handler socket
    def start(self) -> None:
        """Bind the handler socket (EADDRINUSE if this context already has one). It is a
        plain blocking socket whatever the context's default socket class."""
        if self.zap_socket is not None:
            return
        s = self.context.socket(C.REP, socket_class=Socket)
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
        self._close_private_loop()

    async def handle_zap_message(self, msg: list[bytes]) -> None:
        """Answer one request read from the handler socket (a coroutine, as in pyzmq:
        an ``async def`` credentials callback is awaited)."""
        if self.zap_socket is None:
            raise RuntimeError("zmq4.auth: start() the authenticator first")
        self.zap_socket.send_multipart(await self.areply_for(msg))

    # ------------------------------------------------------------------ decisions
    def reply_for(self, msg: list[bytes]) -> list[bytes]:
        """The reply frames for one request's frames (RFC 27 §Request, §Reply). Never
        raises for a request: whatever fails denies. An awaitable from a CURVE callback
        runs to completion on a private event loop of the calling thread (from a thread
        whose loop is running, use :meth:`areply_for`)."""
        req: _Request | None = None
        try:
            parsed = self._parse(msg)
            if not isinstance(parsed, _Request):
                return parsed
            req = parsed
            verdict = self._verdict(req)
            if isinstance(verdict, _Pending):
                verdict = self._settle(req.domain or "*", verdict.user,
                                       self._run_private(verdict.awaitable))
            return self._reply(req, verdict)
        except Exception as exc:  # noqa: BLE001 - failure denies
            return self._failure_reply(msg, req, exc)

    async def areply_for(self, msg: list[bytes]) -> list[bytes]:
        """:meth:`reply_for` for a caller on an event loop: an awaitable returned by a
        CURVE callback is awaited here. Never raises for a request (cancellation
        aside): whatever fails denies."""
        req: _Request | None = None
        try:
            parsed = self._parse(msg)
            if not isinstance(parsed, _Request):
                return parsed
            req = parsed
            verdict = self._verdict(req)
            if isinstance(verdict, _Pending):
                verdict = self._settle(req.domain or "*", verdict.user,
                                       await verdict.awaitable)
            return self._reply(req, verdict)
        except Exception as exc:  # noqa: BLE001 - failure denies
            return self._failure_reply(msg, req, exc)

    def refusal_for(self, msg: list[bytes], reason: str = "authenticator failed"
                    ) -> list[bytes]:
        """A 400 reply to ``msg`` that runs no policy code: what a handler whose loop
        failed answers to every request until it is stopped."""
        rid = bytes(msg[1]) if len(msg) > 1 else b""
        return [ZAP_VERSION, rid, b"400", reason.encode("ascii", "replace"), b"", b""]

    def _parse(self, msg: list[bytes]) -> _Request | list[bytes]:
        frames = [bytes(f) for f in msg]
        if len(frames) < 6:
            self.log.error("zmq4.auth: malformed ZAP request (%d frames)", len(frames))
            rid = frames[1] if len(frames) > 1 else b""
            return [ZAP_VERSION, rid, b"500", b"Malformed request", b"", b""]
        version, rid, domain_b, address_b, _identity, mechanism = frames[:6]
        if version != ZAP_VERSION:
            self.log.error("zmq4.auth: ZAP request version %r, expected 1.0", version)
            return [ZAP_VERSION, rid, b"400", b"Invalid version", b"", b""]
        return _Request(rid, domain_b.decode(self.encoding, "replace"),
                        address_b.decode(self.encoding, "replace"),
                        mechanism.decode("ascii", "replace"), frames[6:])

    def _verdict(self, req: _Request) -> Verdict | _Pending:
        with self._lock:
            return self._decide(req.domain, req.address, req.mechanism, req.credentials)

    def _reply(self, req: _Request, verdict: Verdict) -> list[bytes]:
        ok, reason, user = verdict
        self.log.info("zmq4.auth: %s %s domain=%r address=%s%s: %s",
                      "ALLOWED" if ok else "DENIED", req.mechanism, req.domain, req.address,
                      f" user={user!r}" if user else "", reason)
        if ok:
            return [ZAP_VERSION, req.rid, b"200", b"OK", user.encode(self.encoding), b""]
        return [ZAP_VERSION, req.rid, b"400", reason.encode(self.encoding, "replace"),
                b"", b""]

    def _failure_reply(self, msg: list[bytes], req: _Request | None,
                       exc: BaseException) -> list[bytes]:
        where = (f"{req.mechanism} domain={req.domain!r} address={req.address}"
                 if req is not None else "request")
        self.log.error("zmq4.auth: DENIED %s: the decision failed (%s: %s)", where,
                       type(exc).__name__, exc, exc_info=exc)
        return self.refusal_for(msg, "authenticator error")

    def _settle(self, domain: str, user: str, answer: Any) -> Verdict:
        """A CURVE callback's answer: only a bool decides; anything else denies."""
        if isinstance(answer, bool):
            return (answer, "callback accepted the key" if answer
                    else "callback refused the key", user)
        self.log.error("zmq4.auth: CURVE callback for domain %r returned %s, not a bool: "
                       "denied", domain, type(answer).__name__)
        return False, f"callback returned {type(answer).__name__}, not a bool", user

    def _run_private(self, awaitable: Awaitable[Any]) -> Any:
        """Run an awaitable to completion on this thread's private event loop."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            if inspect.iscoroutine(awaitable):
                awaitable.close()  # never awaited: no "was never awaited" warning
            raise RuntimeError("an async CURVE callback was reached through reply_for() "
                               "on a thread whose event loop is running; use "
                               "areply_for() (AsyncioAuthenticator does)")
        loop = getattr(self._loops, "loop", None)
        if loop is None or loop.is_closed():
            loop = self._loops.loop = asyncio.new_event_loop()
        return loop.run_until_complete(_awaited(awaitable))

    def _close_private_loop(self) -> None:
        loop = getattr(self._loops, "loop", None)
        if loop is not None:
            self._loops.loop = None
            loop.close()

    def _decide(self, domain: str, address: str, mech: str,
                credentials: list[bytes]) -> Verdict | _Pending:
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

    def _plain(self, domain: str, credentials: list[bytes]) -> Verdict:
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

    def _curve(self, domain: str, credentials: list[bytes]) -> Verdict | _Pending:
        if len(credentials) != 1 or len(credentials[0]) != 32:
            return False, "malformed CURVE credentials", ""
        key = credentials[0]
        user = self.curve_user_id(key)
        d = domain or "*"
        provider = self.credentials_providers.get(d)
        if provider is not None:
            answer = provider(d, z85.encode(key))  # raising denies (reply_for)
            if inspect.isawaitable(answer):
                return _Pending(answer, user)
            return self._settle(d, user, answer)
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


async def _awaited(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


__all__ = ["Authenticator", "CURVE_ALLOW_ANY"]
