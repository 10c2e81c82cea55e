"""pyzmq-shaped enums over zmq4's constants (``zmq4.SocketType.REQ``, ``zmq4.Event``...).

Owns: the IntEnum / IntFlag classes users of the object API see — ``SocketType``,
``SocketOption``, ``ContextOption``, ``Flag``, ``PollEvent``, ``Event``, ``Errno``,
``SecurityMechanism``, ``MessageOption``, ``DeviceType`` — with pyzmq's class and member names,
restricted to what libzmq 4.0 has; and :func:`top_level_members`, the map that makes
``zmq4.REQ`` *be* ``SocketType.REQ`` (an ``int`` subclass, so it still compares, hashes and
packs as the plain number).

Rules: the numbers come from :mod:`zmq4.constants` (the single source); ``SocketOption`` is
checked at import against the option table (:mod:`zmq4.core.options`), so nothing here can
drift silently.
Imports: constants and the option table only.
"""

from __future__ import annotations

import enum

from . import constants as C
from .core import options as _options


class SocketType(enum.IntEnum):
    """Socket types (``zmq_socket``'s ``type``)."""

    PAIR = C.PAIR
    PUB = C.PUB
    SUB = C.SUB
    REQ = C.REQ
    REP = C.REP
    DEALER = C.DEALER
    ROUTER = C.ROUTER
    PULL = C.PULL
    PUSH = C.PUSH
    XPUB = C.XPUB
    XSUB = C.XSUB
    STREAM = C.STREAM
    XREQ = C.XREQ  # deprecated alias of DEALER
    XREP = C.XREP  # deprecated alias of ROUTER


class SocketOption(enum.IntEnum):
    """Socket options (``setsockopt``/``getsockopt``): one member per row of the option
    table (:data:`zmq4.core.options.OPTIONS`, checked at import), plus the deprecated
    aliases and ``ROUTING_ID`` (libzmq 4.2's name for IDENTITY, so newer pyzmq code runs).
    """

    AFFINITY = C.AFFINITY
    IDENTITY = C.IDENTITY
    SUBSCRIBE = C.SUBSCRIBE
    UNSUBSCRIBE = C.UNSUBSCRIBE
    RATE = C.RATE
    RECOVERY_IVL = C.RECOVERY_IVL
    SNDBUF = C.SNDBUF
    RCVBUF = C.RCVBUF
    RCVMORE = C.RCVMORE
    FD = C.FD
    EVENTS = C.EVENTS
    TYPE = C.TYPE
    LINGER = C.LINGER
    RECONNECT_IVL = C.RECONNECT_IVL
    BACKLOG = C.BACKLOG
    RECONNECT_IVL_MAX = C.RECONNECT_IVL_MAX
    MAXMSGSIZE = C.MAXMSGSIZE
    SNDHWM = C.SNDHWM
    RCVHWM = C.RCVHWM
    MULTICAST_HOPS = C.MULTICAST_HOPS
    RCVTIMEO = C.RCVTIMEO
    SNDTIMEO = C.SNDTIMEO
    IPV4ONLY = C.IPV4ONLY
    LAST_ENDPOINT = C.LAST_ENDPOINT
    ROUTER_MANDATORY = C.ROUTER_MANDATORY
    TCP_KEEPALIVE = C.TCP_KEEPALIVE
    TCP_KEEPALIVE_CNT = C.TCP_KEEPALIVE_CNT
    TCP_KEEPALIVE_IDLE = C.TCP_KEEPALIVE_IDLE
    TCP_KEEPALIVE_INTVL = C.TCP_KEEPALIVE_INTVL
    TCP_ACCEPT_FILTER = C.TCP_ACCEPT_FILTER
    IMMEDIATE = C.IMMEDIATE
    XPUB_VERBOSE = C.XPUB_VERBOSE
    ROUTER_RAW = C.ROUTER_RAW
    IPV6 = C.IPV6
    MECHANISM = C.MECHANISM
    PLAIN_SERVER = C.PLAIN_SERVER
    PLAIN_USERNAME = C.PLAIN_USERNAME
    PLAIN_PASSWORD = C.PLAIN_PASSWORD
    CURVE_SERVER = C.CURVE_SERVER
    CURVE_PUBLICKEY = C.CURVE_PUBLICKEY
    CURVE_SECRETKEY = C.CURVE_SECRETKEY
    CURVE_SERVERKEY = C.CURVE_SERVERKEY
    PROBE_ROUTER = C.PROBE_ROUTER
    REQ_CORRELATE = C.REQ_CORRELATE
    REQ_RELAXED = C.REQ_RELAXED
    CONFLATE = C.CONFLATE
    ZAP_DOMAIN = C.ZAP_DOMAIN
    HANDSHAKE_IVL = C.HANDSHAKE_IVL
    STREAM_NOTIFY = C.STREAM_NOTIFY
    DELAY_ATTACH_ON_CONNECT = C.IMMEDIATE  # deprecated alias
    FAIL_UNROUTABLE = C.ROUTER_MANDATORY  # deprecated alias
    ROUTER_BEHAVIOR = C.ROUTER_MANDATORY  # deprecated alias
    ROUTING_ID = C.IDENTITY  # libzmq 4.2's name for IDENTITY


class ContextOption(enum.IntEnum):
    """Context options (``zmq_ctx_set``/``zmq_ctx_get``)."""

    IO_THREADS = C.IO_THREADS
    MAX_SOCKETS = C.MAX_SOCKETS


class Flag(enum.IntFlag):
    """send/recv flags."""

    DONTWAIT = C.DONTWAIT
    SNDMORE = C.SNDMORE
    NOBLOCK = C.NOBLOCK  # deprecated alias of DONTWAIT


class PollEvent(enum.IntFlag):
    """Poll event bits (``zmq_pollitem_t.events``/``revents``, ``ZMQ_EVENTS``)."""

    POLLIN = C.POLLIN
    POLLOUT = C.POLLOUT
    POLLERR = C.POLLERR


class Event(enum.IntFlag):
    """Socket monitor events (``zmq_socket_monitor``), without the ``EVENT_`` prefix."""

    CONNECTED = C.EVENT_CONNECTED
    CONNECT_DELAYED = C.EVENT_CONNECT_DELAYED
    CONNECT_RETRIED = C.EVENT_CONNECT_RETRIED
    LISTENING = C.EVENT_LISTENING
    BIND_FAILED = C.EVENT_BIND_FAILED
    ACCEPTED = C.EVENT_ACCEPTED
    ACCEPT_FAILED = C.EVENT_ACCEPT_FAILED
    CLOSED = C.EVENT_CLOSED
    CLOSE_FAILED = C.EVENT_CLOSE_FAILED
    DISCONNECTED = C.EVENT_DISCONNECTED
    MONITOR_STOPPED = C.EVENT_MONITOR_STOPPED
    ALL = C.EVENT_ALL


class Errno(enum.IntEnum):
    """errno values zmq4 reports (``ZMQError.errno``): Linux numbers, and the 0MQ-native
    ones (EFSM, ENOCOMPATPROTO, ETERM, EMTHREAD) based on HAUSNUMERO."""

    ENOENT = C.ENOENT
    EINTR = C.EINTR
    EAGAIN = C.EAGAIN
    ENOMEM = C.ENOMEM
    EACCES = C.EACCES
    EFAULT = C.EFAULT
    ENODEV = C.ENODEV
    EINVAL = C.EINVAL
    EMFILE = C.EMFILE
    ENAMETOOLONG = C.ENAMETOOLONG
    EPROTO = C.EPROTO
    ENOTSOCK = C.ENOTSOCK
    EMSGSIZE = C.EMSGSIZE
    EPROTONOSUPPORT = C.EPROTONOSUPPORT
    ENOTSUP = C.ENOTSUP
    EAFNOSUPPORT = C.EAFNOSUPPORT
    EADDRINUSE = C.EADDRINUSE
    EADDRNOTAVAIL = C.EADDRNOTAVAIL
    ENETDOWN = C.ENETDOWN
    ENETUNREACH = C.ENETUNREACH
    ENETRESET = C.ENETRESET
    ECONNABORTED = C.ECONNABORTED
    ECONNRESET = C.ECONNRESET
    ENOBUFS = C.ENOBUFS
    ENOTCONN = C.ENOTCONN
    ETIMEDOUT = C.ETIMEDOUT
    ECONNREFUSED = C.ECONNREFUSED
    EHOSTUNREACH = C.EHOSTUNREACH
    EINPROGRESS = C.EINPROGRESS
    EFSM = C.EFSM
    ENOCOMPATPROTO = C.ENOCOMPATPROTO
    ETERM = C.ETERM
    EMTHREAD = C.EMTHREAD


class SecurityMechanism(enum.IntEnum):
    """Security mechanisms (``ZMQ_MECHANISM``)."""

    NULL = C.NULL
    PLAIN = C.PLAIN
    CURVE = C.CURVE


class MessageOption(enum.IntEnum):
    """Message properties (``zmq_msg_get``)."""

    MORE = C.MORE


class DeviceType(enum.IntEnum):
    """Deprecated ``zmq_device`` types (all behave as a proxy)."""

    STREAMER = C.STREAMER
    FORWARDER = C.FORWARDER
    QUEUE = C.QUEUE


def _check_option_members() -> None:
    table = {spec.name: spec.id for spec in _options.OPTIONS.values()}
    table.update({name: spec.id for name, spec in _options.BY_NAME.items()})
    table["ROUTING_ID"] = C.IDENTITY
    members = {name: int(m) for name, m in SocketOption.__members__.items()}
    if members != table:  # pragma: no cover - a new option row without its member
        raise ImportError(f"SocketOption and the option table differ: {members} != {table}")


_check_option_members()

_ENUM_OF_NAME: dict[str, type[enum.Enum]] = {}
for _cls in (SocketType, ContextOption, Flag, PollEvent, Errno, SecurityMechanism,
             MessageOption, DeviceType):
    for _name in _cls.__members__:
        _ENUM_OF_NAME.setdefault(_name, _cls)
for _name in SocketOption.__members__:
    _ENUM_OF_NAME.setdefault(_name, SocketOption)
del _cls, _name


def top_level_members() -> dict[str, int]:
    """``{name: member}`` for every name of :data:`zmq4.constants.ALL` that has an enum
    member (``"REQ" -> SocketType.REQ``, ``"EVENT_CONNECTED" -> Event.CONNECTED``,
    ``"EAGAIN" -> Errno.EAGAIN``); names without one (``VERSION``...) are left out."""
    out: dict[str, int] = {}
    for name, value in C.ALL.items():
        if name.startswith("EVENT_"):
            member: int = Event[name[6:]]
        else:
            cls = _ENUM_OF_NAME.get(name)
            if cls is None:
                continue
            member = cls[name]  # type: ignore[assignment]
        if member != value:  # pragma: no cover - guarded by tests
            raise AssertionError(f"{name}: enum {member!r} != constant {value}")
        out[name] = member
    return out


__all__ = [
    "ContextOption", "DeviceType", "Errno", "Event", "Flag", "MessageOption", "PollEvent",
    "SecurityMechanism", "SocketOption", "SocketType", "top_level_members",
]
