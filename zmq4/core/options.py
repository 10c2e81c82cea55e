"""The one socket-option table and the per-socket option values (libzmq ``options_t``).

What this module owns
---------------------
* :data:`OPTIONS` / :data:`BY_NAME`: one :class:`OptionSpec` per socket option number of
  libzmq 4.0.10 (spec §2.3, 47 numbers including the deprecated ``IPV4ONLY``), with its
  value kind, default, access, liveness, the socket types that accept it and its
  validator. ``zmq_setsockopt``/``zmq_getsockopt`` (``zmq4.capi`` and the C shim), the
  object API's attributes (``sock.linger``...) and the tests that walk every option all
  read this table; nothing else lists options.
* :func:`decode_value`: C-convention decoding of an ``(optval, optvallen)`` pair, so the
  C-ABI shim and the Python face share one set of errno rules.
* :class:`Options`: one socket's values (libzmq ``options_t``), with :meth:`Options.set`
  and :meth:`Options.get` implementing every option the table stores, and
  :meth:`Options.copy` for the snapshot an endpoint takes at bind/connect (spec §8.23).
* :class:`TcpAddressMask`: a parsed ``ZMQ_TCP_ACCEPT_FILTER`` entry (libzmq
  ``tcp_address_mask_t``) and its matching rule.

Rules
-----
* Every failure is ``ZMQError(EINVAL, "ZMQ_<NAME>: <problem>")``: unknown option number,
  get of a write-only option, set of a read-only option, wrong option length, value out
  of range, bad identity / filter / key (spec §2.3 "Gaps").
* Integer options take a C ``int`` of exactly ``sizeof(int)`` bytes (4), ``MAXMSGSIZE``
  an ``int64_t`` and ``AFFINITY`` a ``uint64_t`` (8 bytes), on set and on get. A Python
  ``int`` stands for a correctly sized C value; native-order bytes of the exact size are
  accepted too.
* Byte/string options: ``optvallen`` (when given) truncates the buffer like C, and may
  not exceed it. ``None`` is C's ``NULL``; ``(None, 0)`` is the C ``(NULL, 0)`` pair
  that clears ``TCP_ACCEPT_FILTER`` and resets a PLAIN credential's mechanism to NULL.
  String getters return the bytes without the C NUL, but a given ``optvallen`` must
  have room for it (``len + 1``), as in C.
* Security options follow 4.0 (spec §6.1): the last security option set chooses the
  mechanism. ``PLAIN_SERVER``/``CURVE_SERVER`` set ``as_server`` to the value and the
  mechanism to PLAIN/CURVE (1) or NULL (0); ``PLAIN_USERNAME``/``PLAIN_PASSWORD`` set
  the credential, ``as_server = 0`` and PLAIN, or with ``(NULL, 0)`` only the mechanism
  to NULL (the stored value is kept); ``CURVE_PUBLICKEY``/``CURVE_SECRETKEY`` set the key
  and CURVE (``as_server`` unchanged); ``CURVE_SERVERKEY`` also sets ``as_server = 0``.
  Keys are 32 raw bytes or 40 Z85 characters (41 with a trailing NUL); get answers raw
  for a 32-byte buffer and Z85 (40 bytes, no NUL) for 41 or ``None``.
* Options a socket type implements (``SUBSCRIBE``, ``ROUTER_MANDATORY``...; kinds
  ``"int-socket"``/``"bytes-socket"``) are listed here but :meth:`Options.set` refuses
  them: socket_base calls :func:`decode_value`, then the type's handler, and falls back
  to :meth:`Options.set` only when the type did not handle the option, which then fails
  with EINVAL exactly as libzmq's ``options_t::setsockopt`` does. The dynamic read-only
  options ``RCVMORE``, ``FD`` and ``EVENTS`` are answered by the socket.
* 4.0 quirks kept on purpose: ``TCP_KEEPALIVE`` accepts any int (4.0's range test is
  always true); ``RECONNECT_IVL = 0`` is accepted (the connecter must guard the
  division, spec §8.4); ``IDENTITY`` is accepted on every socket type.
* Gap: libzmq resolves a ``TCP_ACCEPT_FILTER`` address with ``getaddrinfo`` (host
  names allowed, resolved once). This module never does I/O, so only IP literals are
  accepted; a host name gives EINVAL. As with ``getaddrinfo(AI_V4MAPPED)`` in 4.0, an
  IPv4 literal on an ``IPV6`` socket becomes a v4-mapped IPv6 address, default mask 128.

Imports: only the leaves ``zmq4.zmq_h``, ``zmq4.errors`` and (lazily, for Z85 keys)
``zmq4.z85``.
"""

from __future__ import annotations

import ipaddress
import socket as _socket
import struct
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

from .. import zmq_h as C
from ..errors import ZMQError

__all__ = [
    "BY_NAME",
    "OPTIONS",
    "OptionSpec",
    "Options",
    "TcpAddressMask",
    "decode_value",
    "lookup",
    "parse_accept_filter",
]

# -- value kinds ---------------------------------------------------------------------
INT = "int"  # C int, 4 bytes
INT64 = "int64"  # int64_t, 8 bytes
UINT64 = "uint64"  # uint64_t, 8 bytes
BYTES = "bytes"  # binary blob
STR = "str"  # C string (get: NUL-terminated in C)
KEY = "key"  # CURVE key: 32 raw bytes or Z85
INT_SOCKET = "int-socket"  # int option the socket (type) answers itself
BYTES_SOCKET = "bytes-socket"  # binary option the socket type handles (SUBSCRIBE)

KINDS = frozenset({INT, INT64, UINT64, BYTES, STR, KEY, INT_SOCKET, BYTES_SOCKET})
_INT_KINDS = frozenset({INT, INT64, UINT64, INT_SOCKET})
_STRUCT = {INT: struct.Struct("=i"), INT_SOCKET: struct.Struct("=i"),
           INT64: struct.Struct("=q"), UINT64: struct.Struct("=Q")}
_BOUNDS = {INT: (-(2**31), 2**31 - 1), INT_SOCKET: (-(2**31), 2**31 - 1),
           INT64: (-(2**63), 2**63 - 1), UINT64: (0, 2**64 - 1)}
_CTYPE = {INT: "C int", INT_SOCKET: "C int", INT64: "int64_t", UINT64: "uint64_t"}

CURVE_KEYSIZE = 32
CURVE_KEYSIZE_Z85 = 40
_ZERO_KEY = bytes(CURVE_KEYSIZE)

_TYPE_NAMES = {
    C.PAIR: "PAIR", C.PUB: "PUB", C.SUB: "SUB", C.REQ: "REQ", C.REP: "REP",
    C.DEALER: "DEALER", C.ROUTER: "ROUTER", C.PULL: "PULL", C.PUSH: "PUSH",
    C.XPUB: "XPUB", C.XSUB: "XSUB", C.STREAM: "STREAM",
}


def _type_name(socket_type: int) -> str:
    return _TYPE_NAMES.get(socket_type, str(socket_type))


Validator = Callable[["OptionSpec", Any], Any]


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One row of the option table.

    ``default`` is the value a fresh socket stores, in the form ``get`` returns with an
    exact-size buffer (ints as int, keys as 32 raw bytes, strings as bytes); ``None`` for
    options without a stored value. Per-type and per-context defaults come from
    :meth:`default_for`. ``live`` means the core reads the socket's current value at use
    time instead of the copy an endpoint took at bind/connect (spec §8.23).
    ``applies_to`` lists the socket types that accept the option (``None`` = all).
    ``attr`` is the :class:`Options` attribute holding the value, if any.
    """

    id: int
    name: str
    kind: str
    default: Any
    readable: bool
    writable: bool
    live: bool = False
    applies_to: Optional[frozenset[int]] = None
    validator: Optional[Validator] = None
    attr: Optional[str] = None
    doc: str = ""

    @property
    def c_name(self) -> str:
        """The C macro name, e.g. ``ZMQ_LINGER``."""
        return "ZMQ_" + self.name

    @property
    def socket_handled(self) -> bool:
        """True for options the socket or its type implements, not :class:`Options`."""
        return self.kind in (INT_SOCKET, BYTES_SOCKET)

    @property
    def is_int(self) -> bool:
        return self.kind in _INT_KINDS

    @property
    def size(self) -> Optional[int]:
        """Native size in bytes of an integer option (None for byte/string kinds)."""
        st = _STRUCT.get(self.kind)
        return st.size if st is not None else None

    def accepts(self, socket_type: int) -> bool:
        return self.applies_to is None or socket_type in self.applies_to

    def default_for(self, socket_type: int, ipv6: bool = False) -> Any:
        """The default a new socket of ``socket_type`` reports (spec §2.3, §8.1)."""
        if self.id == C.LINGER and socket_type in (C.SUB, C.XSUB):
            return 0
        if self.id == C.TYPE:
            return socket_type
        if self.id == C.IPV6:
            return int(ipv6)
        if self.id == C.IPV4ONLY:
            return int(not ipv6)
        return self.default

    def error(self, problem: str) -> ZMQError:
        """``ZMQError(EINVAL)`` whose message names this option."""
        return ZMQError(C.EINVAL, f"{self.c_name}: {problem}")

    def validate(self, value: Any) -> Any:
        """Check a decoded value; return it (normalised, e.g. a key as 32 raw bytes)."""
        if self.validator is None:
            return value
        return self.validator(self, value)


# -- validators (spec, decoded value) -> normalised value ---------------------------

def _ge(lo: int) -> Validator:
    def check(spec: OptionSpec, v: int) -> int:
        if v < lo:
            raise spec.error(f"value {v} out of range (>= {lo})")
        return v
    return check


def _one_of(*allowed: int) -> Validator:
    text = " or ".join(str(a) for a in allowed)

    def check(spec: OptionSpec, v: int) -> int:
        if v not in allowed:
            raise spec.error(f"value {v} out of range ({text})")
        return v
    return check


def _identity(spec: OptionSpec, v: Optional[bytes]) -> bytes:
    # Empty, > 255 bytes, or a leading 0x00 (reserved for generated ids) -> EINVAL.
    if not v:
        raise spec.error("identity must be 1..255 bytes, got 0")
    if len(v) > 255:
        raise spec.error(f"identity must be 1..255 bytes, got {len(v)}")
    if v[0] == 0:
        raise spec.error("identity must not start with a zero byte")
    return v


def _subscription(spec: OptionSpec, v: Optional[bytes]) -> bytes:
    return b"" if v is None else v


def _plain_credential(spec: OptionSpec, v: Optional[bytes]) -> Optional[bytes]:
    # None = C (NULL, 0): resets the mechanism to NULL; otherwise 1..255 bytes.
    if v is None:
        return None
    if not 0 < len(v) < 256:
        raise spec.error(f"length {len(v)} out of range (1..255, or NULL with length 0)")
    return v


def _zap_domain(spec: OptionSpec, v: Optional[bytes]) -> bytes:
    if v is None:
        return b""
    if len(v) > 255:
        raise spec.error(f"length {len(v)} out of range (0..255)")
    return v


def _accept_filter(spec: OptionSpec, v: Optional[bytes]) -> Optional[bytes]:
    # None = (NULL, 0): clear. Otherwise 1..255 bytes, first byte not NUL. The address
    # itself is parsed against the socket's IPV6 setting by Options.
    if v is None:
        return None
    if not 0 < len(v) < 256:
        raise spec.error(f"length {len(v)} out of range (1..255, or NULL with length 0)")
    if v[0] == 0:
        raise spec.error("filter must not start with a NUL byte")
    return v


def _curve_key(spec: OptionSpec, v: Optional[bytes]) -> bytes:
    n = 0 if v is None else len(v)
    if v is not None and n == CURVE_KEYSIZE:
        return bytes(v)
    if v is not None and n == CURVE_KEYSIZE_Z85 + 1:
        if v[CURVE_KEYSIZE_Z85] != 0:
            raise spec.error("41-byte Z85 key must end with a NUL byte")
        v = v[:CURVE_KEYSIZE_Z85]
        n = CURVE_KEYSIZE_Z85
    if v is not None and n == CURVE_KEYSIZE_Z85:
        from .. import z85  # lazy: a sibling leaf

        try:
            raw = z85.decode(bytes(v))
        except (ZMQError, ValueError, TypeError) as exc:
            raise spec.error(f"invalid Z85 key ({exc})") from None
        if len(raw) != CURVE_KEYSIZE:
            raise spec.error(f"Z85 key decodes to {len(raw)} bytes, expected 32")
        return raw
    raise spec.error(f"key length {n}, expected 32 (binary) or 40/41 (Z85)")


# -- the table -----------------------------------------------------------------------

_ALL_TYPES = frozenset(_TYPE_NAMES)


def _row(id_: int, name: str, kind: str, default: Any, access: str, *,
         live: bool = False, applies_to: Optional[frozenset[int]] = None,
         validator: Optional[Validator] = None, attr: Optional[str] = None,
         doc: str = "") -> OptionSpec:
    return OptionSpec(id=id_, name=name, kind=kind, default=default,
                      readable="G" in access, writable="S" in access, live=live,
                      applies_to=applies_to, validator=validator, attr=attr, doc=doc)


_ROWS = (
    _row(C.AFFINITY, "AFFINITY", UINT64, 0, "SG", attr="affinity",
         doc="Bitmask of I/O threads for new connections; 0 = any."),
    _row(C.IDENTITY, "IDENTITY", BYTES, b"", "SG", validator=_identity, attr="identity",
         doc="Identity announced to ROUTER peers: 1..255 bytes, first byte != 0."),
    _row(C.SUBSCRIBE, "SUBSCRIBE", BYTES_SOCKET, None, "S", live=True,
         applies_to=frozenset({C.SUB}), validator=_subscription,
         doc="Add a prefix filter (SUB)."),
    _row(C.UNSUBSCRIBE, "UNSUBSCRIBE", BYTES_SOCKET, None, "S", live=True,
         applies_to=frozenset({C.SUB}), validator=_subscription,
         doc="Remove one instance of a prefix filter (SUB)."),
    _row(C.RATE, "RATE", INT, 100, "SG", validator=_ge(1), attr="rate",
         doc="Multicast rate, kbit/s (pgm/epgm)."),
    _row(C.RECOVERY_IVL, "RECOVERY_IVL", INT, 10000, "SG", validator=_ge(0),
         attr="recovery_ivl", doc="Multicast recovery window, ms (pgm/epgm)."),
    _row(C.SNDBUF, "SNDBUF", INT, 0, "SG", validator=_ge(0), attr="sndbuf",
         doc="SO_SNDBUF when non-zero."),
    _row(C.RCVBUF, "RCVBUF", INT, 0, "SG", validator=_ge(0), attr="rcvbuf",
         doc="SO_RCVBUF when non-zero."),
    _row(C.RCVMORE, "RCVMORE", INT_SOCKET, None, "G", live=True,
         doc="1 if the last received frame had MORE (socket)."),
    _row(C.FD, "FD", INT_SOCKET, None, "G", live=True,
         doc="The socket's signalling fd (socket)."),
    _row(C.EVENTS, "EVENTS", INT_SOCKET, None, "G", live=True,
         doc="POLLIN/POLLOUT now possible (socket)."),
    _row(C.TYPE, "TYPE", INT, None, "G", attr="socket_type", doc="The socket type."),
    _row(C.LINGER, "LINGER", INT, -1, "SG", live=True, validator=_ge(-1), attr="linger",
         doc="Linger at close, ms; -1 forever (0 default for SUB/XSUB)."),
    _row(C.RECONNECT_IVL, "RECONNECT_IVL", INT, 100, "SG", validator=_ge(-1),
         attr="reconnect_ivl", doc="Base reconnect delay, ms; -1 never."),
    _row(C.BACKLOG, "BACKLOG", INT, 100, "SG", validator=_ge(0), attr="backlog",
         doc="listen() backlog."),
    _row(C.RECONNECT_IVL_MAX, "RECONNECT_IVL_MAX", INT, 0, "SG", validator=_ge(0),
         attr="reconnect_ivl_max", doc="Reconnect backoff cap, ms; 0 = no backoff."),
    _row(C.MAXMSGSIZE, "MAXMSGSIZE", INT64, -1, "SG", attr="maxmsgsize",
         doc="Max inbound frame size; negative = no limit."),
    _row(C.SNDHWM, "SNDHWM", INT, 1000, "SG", validator=_ge(0), attr="sndhwm",
         doc="Outbound messages queued per peer; 0 = unlimited."),
    _row(C.RCVHWM, "RCVHWM", INT, 1000, "SG", validator=_ge(0), attr="rcvhwm",
         doc="Inbound messages queued per peer; 0 = unlimited."),
    _row(C.MULTICAST_HOPS, "MULTICAST_HOPS", INT, 1, "SG", validator=_ge(1),
         attr="multicast_hops", doc="Multicast TTL (pgm/epgm)."),
    _row(C.RCVTIMEO, "RCVTIMEO", INT, -1, "SG", live=True, validator=_ge(-1),
         attr="rcvtimeo", doc="Receive timeout, ms; -1 infinite."),
    _row(C.SNDTIMEO, "SNDTIMEO", INT, -1, "SG", live=True, validator=_ge(-1),
         attr="sndtimeo", doc="Send timeout, ms; -1 infinite."),
    _row(C.IPV4ONLY, "IPV4ONLY", INT, 1, "SG", validator=_one_of(0, 1),
         doc="Deprecated inverse view of IPV6."),
    _row(C.LAST_ENDPOINT, "LAST_ENDPOINT", STR, b"", "G", live=True, attr="last_endpoint",
         doc="Last bound/connected endpoint, resolved."),
    _row(C.ROUTER_MANDATORY, "ROUTER_MANDATORY", INT_SOCKET, 0, "S", live=True,
         applies_to=frozenset({C.ROUTER, C.REP}), validator=_ge(0),
         doc="Unroutable -> EHOSTUNREACH, full -> EAGAIN instead of dropping."),
    _row(C.TCP_KEEPALIVE, "TCP_KEEPALIVE", INT, -1, "SG", attr="tcp_keepalive",
         doc="SO_KEEPALIVE unless -1 (4.0 accepts any int)."),
    _row(C.TCP_KEEPALIVE_CNT, "TCP_KEEPALIVE_CNT", INT, -1, "SG", validator=_ge(-1),
         attr="tcp_keepalive_cnt", doc="TCP_KEEPCNT unless -1."),
    _row(C.TCP_KEEPALIVE_IDLE, "TCP_KEEPALIVE_IDLE", INT, -1, "SG", validator=_ge(-1),
         attr="tcp_keepalive_idle", doc="TCP_KEEPIDLE unless -1."),
    _row(C.TCP_KEEPALIVE_INTVL, "TCP_KEEPALIVE_INTVL", INT, -1, "SG", validator=_ge(-1),
         attr="tcp_keepalive_intvl", doc="TCP_KEEPINTVL unless -1."),
    _row(C.TCP_ACCEPT_FILTER, "TCP_ACCEPT_FILTER", STR, None, "S",
         validator=_accept_filter, attr="tcp_accept_filters",
         doc="Append an addr[/mask] filter for accepted tcp peers; (NULL, 0) clears."),
    _row(C.IMMEDIATE, "IMMEDIATE", INT, 0, "SG", validator=_one_of(0, 1),
         attr="immediate", doc="Queue only to completed connections."),
    _row(C.XPUB_VERBOSE, "XPUB_VERBOSE", INT_SOCKET, 0, "S", live=True,
         applies_to=frozenset({C.XPUB, C.PUB}), validator=_ge(0),
         doc="Pass every subscribe message to the XPUB application."),
    _row(C.ROUTER_RAW, "ROUTER_RAW", INT_SOCKET, 0, "S",
         applies_to=frozenset({C.ROUTER, C.REP}), validator=_ge(0),
         doc="Deprecated raw-TCP ROUTER; set before bind/connect."),
    _row(C.IPV6, "IPV6", INT, 0, "SG", validator=_one_of(0, 1), attr="ipv6",
         doc="IPv6 (dual-stack) tcp; default from the context."),
    _row(C.MECHANISM, "MECHANISM", INT, C.NULL, "G", attr="mechanism",
         doc="Current security mechanism (NULL, PLAIN, CURVE)."),
    _row(C.PLAIN_SERVER, "PLAIN_SERVER", INT, 0, "SG", validator=_one_of(0, 1),
         doc="1: PLAIN server; 0: mechanism NULL."),
    _row(C.PLAIN_USERNAME, "PLAIN_USERNAME", STR, b"", "SG", validator=_plain_credential,
         attr="plain_username", doc="PLAIN client user name (1..255 bytes)."),
    _row(C.PLAIN_PASSWORD, "PLAIN_PASSWORD", STR, b"", "SG", validator=_plain_credential,
         attr="plain_password", doc="PLAIN client password (1..255 bytes)."),
    _row(C.CURVE_SERVER, "CURVE_SERVER", INT, 0, "SG", validator=_one_of(0, 1),
         doc="1: CURVE server; 0: mechanism NULL."),
    _row(C.CURVE_PUBLICKEY, "CURVE_PUBLICKEY", KEY, _ZERO_KEY, "SG", validator=_curve_key,
         attr="curve_public_key", doc="Long-term public key (client)."),
    _row(C.CURVE_SECRETKEY, "CURVE_SECRETKEY", KEY, _ZERO_KEY, "SG", validator=_curve_key,
         attr="curve_secret_key", doc="Long-term secret key."),
    _row(C.CURVE_SERVERKEY, "CURVE_SERVERKEY", KEY, _ZERO_KEY, "SG", validator=_curve_key,
         attr="curve_server_key", doc="Server's long-term public key (client)."),
    _row(C.PROBE_ROUTER, "PROBE_ROUTER", INT_SOCKET, 0, "S", live=True,
         applies_to=frozenset({C.ROUTER, C.DEALER, C.REQ, C.REP}), validator=_ge(0),
         doc="Send an empty message on every new pipe."),
    _row(C.REQ_CORRELATE, "REQ_CORRELATE", INT_SOCKET, 0, "S", live=True,
         applies_to=frozenset({C.REQ}), validator=_ge(0),
         doc="Prefix requests with a request-id frame."),
    _row(C.REQ_RELAXED, "REQ_RELAXED", INT_SOCKET, 0, "S", live=True,
         applies_to=frozenset({C.REQ}), validator=_ge(0),
         doc="Allow a new request while a reply is pending."),
    _row(C.CONFLATE, "CONFLATE", INT, 0, "SG", validator=_one_of(0, 1), attr="conflate",
         doc="Keep only the newest message (effective on PULL/PUSH/SUB/PUB/DEALER)."),
    _row(C.ZAP_DOMAIN, "ZAP_DOMAIN", STR, b"", "SG", validator=_zap_domain,
         attr="zap_domain", doc="RFC 27 ZAP domain (0..255 bytes)."),
    _row(C.ROUTER_HANDOVER, "ROUTER_HANDOVER", INT_SOCKET, 0, "S", live=True,
         applies_to=frozenset({C.ROUTER, C.REP}), validator=_ge(0),
         doc="Extension (libzmq 4.1): a connection announcing an identity already in use "
             "takes it over; the older connection is closed. 0 (default): the newcomer "
             "is refused, as in libzmq 4.0."),
    _row(C.HANDSHAKE_IVL, "HANDSHAKE_IVL", INT, 30000, "SG", validator=_ge(0),
         attr="handshake_ivl",
         doc="Extension (libzmq 4.1): ms a new tcp/ipc connection may take to complete "
             "its ZMTP handshake (security included) before it is dropped; 0 = no limit. "
             "Applies to connections made after it is set."),
    _row(C.STREAM_NOTIFY, "STREAM_NOTIFY", INT_SOCKET, 1, "S",
         applies_to=frozenset({C.STREAM}), validator=_one_of(0, 1),
         doc="Extension (libzmq 4.2): 1 (default) delivers [id][empty] when a STREAM "
             "connection opens and when the peer closes it; 0 is libzmq 4.0's silence. "
             "Applies to endpoints bound/connected after it is set."),
)

#: Option number -> spec, in number order.
OPTIONS: dict[int, OptionSpec] = {s.id: s for s in sorted(_ROWS, key=lambda s: s.id)}

#: Option name (without ``ZMQ_``) -> spec, including the deprecated aliases of §2.12.
BY_NAME: dict[str, OptionSpec] = {s.name: s for s in OPTIONS.values()}
BY_NAME["DELAY_ATTACH_ON_CONNECT"] = OPTIONS[C.IMMEDIATE]
BY_NAME["FAIL_UNROUTABLE"] = OPTIONS[C.ROUTER_MANDATORY]
BY_NAME["ROUTER_BEHAVIOR"] = OPTIONS[C.ROUTER_MANDATORY]


def lookup(option: Union[int, str]) -> OptionSpec:
    """The spec for an option number or name (``"LINGER"``, ``"zmq_linger"``...)."""
    if isinstance(option, str):
        key = option.upper()
        if key.startswith("ZMQ_"):
            key = key[4:]
        spec = BY_NAME.get(key)
        if spec is None:
            raise ZMQError(C.EINVAL, f"unknown socket option {option!r}")
        return spec
    spec = OPTIONS.get(option)
    if spec is None:
        raise ZMQError(C.EINVAL, f"unknown socket option {option}")
    return spec


# -- C-convention decoding -----------------------------------------------------------

def _as_buffer(spec: OptionSpec, optval: Any) -> Optional[bytes]:
    if isinstance(optval, bytes):
        return optval
    if isinstance(optval, str):
        return optval.encode("utf-8")
    if isinstance(optval, (int, float)) or optval is None:
        return None
    try:
        return memoryview(optval).tobytes()
    except TypeError:
        return None


def decode_value(spec: OptionSpec, optval: Any, optvallen: Optional[int] = None) -> Any:
    """Decode a setsockopt ``(optval, optvallen)`` pair the way libzmq 4.0 reads it.

    Integer kinds return an ``int``: ``optval`` is a Python int (``optvallen`` None or
    exactly the native size) or a bytes-like of exactly the native size (``'=i'``,
    ``'=q'``, ``'=Q'``). Byte/string/key kinds return ``bytes`` (``str`` is UTF-8
    encoded; ``optvallen`` truncates and must not exceed the buffer) or ``None`` for
    C's ``(NULL, 0)``. Range and content checks are :meth:`OptionSpec.validate`'s.
    Raises ``ZMQError(EINVAL)`` naming the option.
    """
    if optvallen is not None:
        if isinstance(optvallen, bool) or not isinstance(optvallen, int):
            raise spec.error(f"option length must be an int, got {type(optvallen).__name__}")
        if optvallen < 0:
            raise spec.error(f"negative option length {optvallen}")
    kind = spec.kind
    if kind in _INT_KINDS:
        st = _STRUCT[kind]
        if isinstance(optval, int):
            if optvallen is not None and optvallen != st.size:
                raise spec.error(f"option length {optvallen}, expected {st.size}")
            lo, hi = _BOUNDS[kind]
            if not lo <= optval <= hi:
                raise spec.error(f"value {optval} does not fit in a {_CTYPE[kind]}")
            return int(optval)
        if optval is None:
            raise spec.error(f"NULL value, expected a {_CTYPE[kind]}")
        if isinstance(optval, str):
            raise spec.error(f"expected int, got str {optval!r}")
        data = _as_buffer(spec, optval)
        if data is None:
            raise spec.error(f"expected int, got {type(optval).__name__}")
        n = len(data)
        if optvallen is not None:
            if optvallen > n:
                raise spec.error(f"option length {optvallen} exceeds buffer of {n} bytes")
            n = optvallen
        if n != st.size:
            raise spec.error(f"option length {n}, expected {st.size}")
        return st.unpack_from(data)[0]
    # byte / string / key kinds
    if optval is None:
        if optvallen:
            raise spec.error(f"NULL value with option length {optvallen}")
        return None
    data = _as_buffer(spec, optval)
    if data is None:
        raise spec.error(f"expected bytes or str, got {type(optval).__name__}")
    if optvallen is not None:
        if optvallen > len(data):
            raise spec.error(f"option length {optvallen} exceeds buffer of {len(data)} bytes")
        if optvallen < len(data):
            data = data[:optvallen]
    return data


# -- TCP accept filters --------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TcpAddressMask:
    """A parsed ``ZMQ_TCP_ACCEPT_FILTER`` entry (libzmq ``tcp_address_mask_t``).

    ``family`` is ``socket.AF_INET`` or ``socket.AF_INET6``, ``address`` the packed
    address (4 or 16 bytes), ``mask`` the prefix length. Families must match exactly:
    an IPv4 filter never matches a v4-mapped IPv6 peer (spec §8.14).
    """

    family: int
    address: bytes
    mask: int

    def match(self, family: int, packed: bytes) -> bool:
        """Whether a peer address (family, packed bytes) lies inside this filter."""
        if family != self.family or len(packed) != len(self.address):
            return False
        full, rest = divmod(self.mask, 8)
        if packed[:full] != self.address[:full]:
            return False
        if rest:
            bits = (0xFF << (8 - rest)) & 0xFF
            if (packed[full] & bits) != (self.address[full] & bits):
                return False
        return True

    def match_address(self, host: str) -> bool:
        """Whether a peer host string (as ``accept()`` reports it) matches."""
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return False
        family = _socket.AF_INET if ip.version == 4 else _socket.AF_INET6
        return self.match(family, ip.packed)

    def __str__(self) -> str:
        if self.family == _socket.AF_INET:
            return f"{ipaddress.IPv4Address(self.address)}/{self.mask}"
        return f"{ipaddress.IPv6Address(self.address)}/{self.mask}"


def parse_accept_filter(text: Union[bytes, str], ipv6: bool) -> TcpAddressMask:
    """Parse ``addr[/mask]`` as 4.0's ``tcp_address_mask_t::resolve`` does.

    The value is cut at the first NUL (C string). The part after the last ``/`` is the
    mask: missing = full length, ``"0"`` = 0, otherwise decimal 1..32 (IPv4) or 1..128
    (IPv6); ``addr/`` is invalid. The address must be an IP literal (no DNS, see the
    module notes); without ``ipv6`` only IPv4 is accepted, with ``ipv6`` an IPv4 literal
    becomes v4-mapped IPv6 (``getaddrinfo`` with ``AI_V4MAPPED``).
    """
    spec = OPTIONS[C.TCP_ACCEPT_FILTER]
    raw = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    raw = raw.split(b"\0", 1)[0]
    try:
        s = raw.decode("ascii")
    except UnicodeDecodeError:
        raise spec.error(f"filter {raw!r} is not an IP address") from None
    addr, sep, mask_text = s.rpartition("/")
    mask_str: Optional[str] = mask_text
    if not sep:
        addr, mask_str = s, None
    elif not mask_str:
        raise spec.error(f"filter {s!r} has an empty mask")
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        raise spec.error(
            f"address {addr!r} is not an IP literal (host names are not resolved)") from None
    if ip.version == 6:
        if not ipv6:
            raise spec.error(f"IPv6 address {addr!r} needs ZMQ_IPV6")
        family, packed = _socket.AF_INET6, ip.packed
    elif ipv6:
        family, packed = _socket.AF_INET6, b"\0" * 10 + b"\xff\xff" + ip.packed
    else:
        family, packed = _socket.AF_INET, ip.packed
    bits = len(packed) * 8
    if mask_str is None:
        mask = bits
    elif mask_str == "0":
        mask = 0
    else:
        if not (mask_str.isascii() and mask_str.isdigit()):
            raise spec.error(f"mask {mask_str!r} is not a number")
        mask = int(mask_str)
        if not 1 <= mask <= bits:
            raise spec.error(f"mask {mask} out of range (0..{bits})")
    return TcpAddressMask(family, packed, mask)


# -- per-socket values ---------------------------------------------------------------

_SECURITY = frozenset({C.PLAIN_SERVER, C.PLAIN_USERNAME, C.PLAIN_PASSWORD, C.CURVE_SERVER,
                       C.CURVE_PUBLICKEY, C.CURVE_SECRETKEY, C.CURVE_SERVERKEY})


class Options:
    """One socket's option values (libzmq ``options_t``).

    ``Options(socket_type, ipv6=False)``: defaults of spec §2.3, ``ipv6`` from the
    context's ``ZMQ_IPV6``, ``linger = 0`` for SUB and XSUB. The core reads the plain
    attributes on its hot paths; only :meth:`set` validates.

    Attributes (C option in brackets):

    * ``socket_type`` [TYPE] int
    * ``sndhwm``, ``rcvhwm`` [SNDHWM, RCVHWM] int, 1000; 0 = unlimited
    * ``affinity`` [AFFINITY] int (uint64), 0
    * ``identity`` [IDENTITY] bytes, ``b""``; STREAM writes the last attached id here
    * ``rate``, ``recovery_ivl``, ``multicast_hops`` [RATE, RECOVERY_IVL,
      MULTICAST_HOPS] int, 100 / 10000 / 1
    * ``sndbuf``, ``rcvbuf`` [SNDBUF, RCVBUF] int, 0 = OS default
    * ``linger`` [LINGER] int ms, -1 (0 for SUB/XSUB)
    * ``reconnect_ivl``, ``reconnect_ivl_max`` [RECONNECT_IVL, RECONNECT_IVL_MAX] int ms,
      100 / 0 (``reconnect_ivl`` may be 0: guard the division)
    * ``backlog`` [BACKLOG] int, 100
    * ``maxmsgsize`` [MAXMSGSIZE] int (int64), -1 = unlimited
    * ``rcvtimeo``, ``sndtimeo`` [RCVTIMEO, SNDTIMEO] int ms, -1
    * ``ipv6`` [IPV6, inverse IPV4ONLY] bool
    * ``immediate`` [IMMEDIATE] bool
    * ``conflate`` [CONFLATE] bool
    * ``tcp_keepalive``, ``tcp_keepalive_cnt``, ``tcp_keepalive_idle``,
      ``tcp_keepalive_intvl`` [TCP_KEEPALIVE*] int, -1 = OS default
    * ``tcp_accept_filters`` [TCP_ACCEPT_FILTER] list of :class:`TcpAddressMask`
    * ``mechanism`` [MECHANISM] int ``C.NULL``/``C.PLAIN``/``C.CURVE``
    * ``as_server`` [PLAIN_SERVER/CURVE_SERVER] bool
    * ``plain_username``, ``plain_password`` [PLAIN_*] bytes
    * ``curve_public_key``, ``curve_secret_key``, ``curve_server_key`` [CURVE_*KEY]
      bytes, 32 raw bytes (all zero until set)
    * ``zap_domain`` [ZAP_DOMAIN] bytes
    * ``handshake_ivl`` [HANDSHAKE_IVL, extension] int ms, 30000; 0 = no deadline
    * ``last_endpoint`` [LAST_ENDPOINT] str, ``""``; written by socket_base
    * ``recv_identity`` bool: the socket receives peer identities (ROUTER, REP); set by
      the socket type (ROUTER_RAW clears it)
    * ``raw_sock`` bool: raw TCP, no ZMTP (STREAM, ROUTER_RAW); set by the socket type
    * ``raw_notify`` [STREAM_NOTIFY, extension] bool: a raw connection's open and its
      peer's close reach the application as an empty frame (STREAM; True by default)
    * ``filter`` bool: the socket filters by subscription locally (SUB)
    """

    __slots__ = (
        "socket_type", "sndhwm", "rcvhwm", "affinity", "identity", "rate", "recovery_ivl",
        "multicast_hops", "sndbuf", "rcvbuf", "linger", "reconnect_ivl",
        "reconnect_ivl_max", "backlog", "maxmsgsize", "rcvtimeo", "sndtimeo", "ipv6",
        "immediate", "conflate", "tcp_keepalive", "tcp_keepalive_cnt",
        "tcp_keepalive_idle", "tcp_keepalive_intvl", "tcp_accept_filters", "mechanism",
        "as_server", "plain_username", "plain_password", "curve_public_key",
        "curve_secret_key", "curve_server_key", "zap_domain", "handshake_ivl",
        "last_endpoint", "recv_identity", "raw_sock", "raw_notify", "filter",
    )

    socket_type: int
    sndhwm: int
    rcvhwm: int
    affinity: int
    identity: bytes
    rate: int
    recovery_ivl: int
    multicast_hops: int
    sndbuf: int
    rcvbuf: int
    linger: int
    reconnect_ivl: int
    reconnect_ivl_max: int
    backlog: int
    maxmsgsize: int
    rcvtimeo: int
    sndtimeo: int
    ipv6: bool
    immediate: bool
    conflate: bool
    tcp_keepalive: int
    tcp_keepalive_cnt: int
    tcp_keepalive_idle: int
    tcp_keepalive_intvl: int
    tcp_accept_filters: list[TcpAddressMask]
    mechanism: int
    as_server: bool
    plain_username: bytes
    plain_password: bytes
    curve_public_key: bytes
    curve_secret_key: bytes
    curve_server_key: bytes
    zap_domain: bytes
    handshake_ivl: int
    last_endpoint: str
    recv_identity: bool
    raw_sock: bool
    raw_notify: bool
    filter: bool

    def __init__(self, socket_type: int, ipv6: bool = False) -> None:
        self.socket_type = socket_type
        self.sndhwm = 1000
        self.rcvhwm = 1000
        self.affinity = 0
        self.identity = b""
        self.rate = 100
        self.recovery_ivl = 10000
        self.multicast_hops = 1
        self.sndbuf = 0
        self.rcvbuf = 0
        # spec §8.1: SUB and XSUB default to LINGER 0.
        self.linger = 0 if socket_type in (C.SUB, C.XSUB) else -1
        self.reconnect_ivl = 100
        self.reconnect_ivl_max = 0
        self.backlog = 100
        self.maxmsgsize = -1
        self.rcvtimeo = -1
        self.sndtimeo = -1
        self.ipv6 = bool(ipv6)
        self.immediate = False
        self.conflate = False
        self.tcp_keepalive = -1
        self.tcp_keepalive_cnt = -1
        self.tcp_keepalive_idle = -1
        self.tcp_keepalive_intvl = -1
        self.tcp_accept_filters = []
        self.mechanism = C.NULL
        self.as_server = False
        self.plain_username = b""
        self.plain_password = b""
        self.curve_public_key = _ZERO_KEY
        self.curve_secret_key = _ZERO_KEY
        self.curve_server_key = _ZERO_KEY
        self.zap_domain = b""
        self.handshake_ivl = 30000
        self.last_endpoint = ""
        self.recv_identity = socket_type in (C.ROUTER, C.REP)
        self.raw_sock = socket_type == C.STREAM
        self.raw_notify = socket_type == C.STREAM
        self.filter = socket_type == C.SUB

    def copy(self) -> Options:
        """An independent copy: the snapshot an endpoint takes at bind/connect."""
        new = Options.__new__(Options)
        for name in Options.__slots__:
            setattr(new, name, getattr(self, name))
        new.tcp_accept_filters = list(self.tcp_accept_filters)
        return new

    def __repr__(self) -> str:
        return (f"<Options {_type_name(self.socket_type)} mechanism={self.mechanism} "
                f"as_server={int(self.as_server)} linger={self.linger}>")

    # -- set -------------------------------------------------------------------------

    def set(self, option: int, optval: Any, optvallen: Optional[int] = None) -> None:
        """``options_t::setsockopt``: decode, validate and store one option.

        Raises ``ZMQError(EINVAL)`` for an unknown or read-only option, an option that
        belongs to the socket type (the type must intercept it first), a wrong length or
        an invalid value.
        """
        spec = OPTIONS.get(option)
        if spec is None:
            raise ZMQError(C.EINVAL, f"unknown socket option {option}")
        self._check_settable(spec)
        self._store(spec, spec.validate(decode_value(spec, optval, optvallen)))

    def apply(self, spec: OptionSpec, value: Any) -> None:
        """Store a value already produced by :func:`decode_value` for ``spec``."""
        self._check_settable(spec)
        self._store(spec, spec.validate(value))

    def _check_settable(self, spec: OptionSpec) -> None:
        if not spec.writable:
            raise spec.error("option is read-only")
        if spec.socket_handled:
            if spec.accepts(self.socket_type):
                raise spec.error(
                    f"handled by the {_type_name(self.socket_type)} socket type, "
                    "not the option table")
            types = ", ".join(sorted(_type_name(t) for t in spec.applies_to or ()))
            raise spec.error(
                f"not supported by socket type {_type_name(self.socket_type)} "
                f"(only {types})")

    def _store(self, spec: OptionSpec, value: Any) -> None:
        option = spec.id
        if option in _SECURITY:
            self._store_security(option, value)
        elif option == C.IPV6:
            self.ipv6 = value == 1
        elif option == C.IPV4ONLY:
            self.ipv6 = value == 0
        elif option in (C.IMMEDIATE, C.CONFLATE):
            setattr(self, spec.attr, value == 1)  # type: ignore[arg-type]
        elif option == C.TCP_ACCEPT_FILTER:
            if value is None:
                self.tcp_accept_filters.clear()
            else:
                self.tcp_accept_filters.append(parse_accept_filter(value, self.ipv6))
        else:
            setattr(self, spec.attr, value)  # type: ignore[arg-type]

    def _store_security(self, option: int, value: Any) -> None:
        # spec §6.1: the last security option set chooses the mechanism.
        if option == C.PLAIN_SERVER:
            self.as_server = value == 1
            self.mechanism = C.PLAIN if value else C.NULL
        elif option == C.CURVE_SERVER:
            self.as_server = value == 1
            self.mechanism = C.CURVE if value else C.NULL
        elif option in (C.PLAIN_USERNAME, C.PLAIN_PASSWORD):
            if value is None:
                self.mechanism = C.NULL  # (NULL, 0): value kept, as in 4.0
                return
            if option == C.PLAIN_USERNAME:
                self.plain_username = value
            else:
                self.plain_password = value
            self.as_server = False
            self.mechanism = C.PLAIN
        elif option == C.CURVE_PUBLICKEY:
            self.curve_public_key = value
            self.mechanism = C.CURVE
        elif option == C.CURVE_SECRETKEY:
            self.curve_secret_key = value
            self.mechanism = C.CURVE
        else:  # CURVE_SERVERKEY
            self.curve_server_key = value
            self.as_server = False
            self.mechanism = C.CURVE

    # -- get -------------------------------------------------------------------------

    def get(self, option: int, optvallen: Optional[int] = None) -> Union[int, bytes]:
        """``options_t::getsockopt``: the value of one stored option.

        ``optvallen`` is the caller's buffer size (``None`` = "big enough"): integers
        need exactly their native size; IDENTITY needs ``len``; strings need ``len + 1``
        (returned without the NUL); CURVE keys answer raw for 32 and Z85 (40 bytes) for
        41 or ``None``. Raises ``ZMQError(EINVAL)`` for unknown, write-only or
        socket-answered options and for a wrong buffer size.
        """
        spec = OPTIONS.get(option)
        if spec is None:
            raise ZMQError(C.EINVAL, f"unknown socket option {option}")
        if not spec.readable:
            raise spec.error("option is write-only")
        if spec.socket_handled:
            raise spec.error("answered by the socket, not the option table")
        if optvallen is not None:
            if isinstance(optvallen, bool) or not isinstance(optvallen, int):
                raise spec.error(
                    f"option length must be an int, got {type(optvallen).__name__}")
            if optvallen < 0:
                raise spec.error(f"negative option length {optvallen}")
        kind = spec.kind
        if kind in _INT_KINDS:
            size = _STRUCT[kind].size
            if optvallen is not None and optvallen != size:
                raise spec.error(f"option length {optvallen}, expected {size}")
            return self._int_value(option, spec)
        if kind == KEY:
            key: bytes = getattr(self, spec.attr)  # type: ignore[arg-type]
            if optvallen == CURVE_KEYSIZE:
                return key
            if optvallen is None or optvallen == CURVE_KEYSIZE_Z85 + 1:
                from .. import z85  # lazy: a sibling leaf

                return bytes(z85.encode(key))
            raise spec.error(
                f"option length {optvallen}, expected 32 (binary) or 41 (Z85 + NUL)")
        value = getattr(self, spec.attr)  # type: ignore[arg-type]
        if isinstance(value, str):
            value = value.encode("utf-8")
        if kind == BYTES:
            if optvallen is not None and optvallen < len(value):
                raise spec.error(
                    f"option length {optvallen} too small for {len(value)}-byte value")
            return bytes(value)
        if optvallen is not None and optvallen < len(value) + 1:
            raise spec.error(
                f"option length {optvallen} too small for {len(value)}-byte value "
                "plus NUL")
        return bytes(value)

    def _int_value(self, option: int, spec: OptionSpec) -> int:
        if option == C.IPV4ONLY:
            return int(not self.ipv6)
        if option == C.PLAIN_SERVER:
            return int(self.as_server and self.mechanism == C.PLAIN)
        if option == C.CURVE_SERVER:
            return int(self.as_server and self.mechanism == C.CURVE)
        return int(getattr(self, spec.attr))  # type: ignore[arg-type]
