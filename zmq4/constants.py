"""pyzmq's ``zmq.constants``: the enum classes and every constant name as an enum member.

Owns pyzmq's enum classes with pyzmq's class and member names and libzmq's numbers —
``SocketType``, ``SocketOption`` (with ``_opt_type``), ``ContextOption``, ``Flag``,
``PollEvent``, ``Event``, ``Errno``, ``SecurityMechanism``, ``MessageOption``,
``DeviceType``, ``ReconnectStop``, ``RouterNotify``, ``NormMode`` — and the module-level
names, each the enum member itself (``zmq4.constants.SUBSCRIBE is SocketOption.SUBSCRIBE``,
an ``int``), derived from the members by one rule (:data:`PREFIXES`: ``EVENT_CONNECTED``,
``RECONNECT_STOP_CONN_REFUSED``, ``NORM_CC``, ``NOTIFY_CONNECT``; other members keep their
names).

Rules: libzmq 4.0's members take their numbers from :mod:`zmq4.zmq_h` (the single source,
parity-tested against include/zmq.h); names libzmq defines only in other versions (2.x's
``HWM``, 4.1+ options, socket types and events) exist so that code written for newer
pyzmq imports and runs, but zmq4 implements 4.0: setting such an option or creating such a
socket is ``ZMQError(EINVAL)``, and the newer events are never emitted. ``__all__`` is
pyzmq's list plus the names of ``zmq4.zmq_h`` pyzmq lacks (``VERSION``..., plain ints).
The core never imports this module: it computes with the plain ints of ``zmq_h``.
Imports: ``zmq_h`` and the option table only.
"""

from __future__ import annotations

from enum import Enum, IntEnum, IntFlag

from . import zmq_h as C
from .core import options as _options


class _OptType(Enum):
    """The type of a socket option's value (pyzmq's private ``_OptType``)."""

    int = "int"
    int64 = "int64"
    bytes = "bytes"
    fd = "fd"


class Errno(IntEnum):
    """errno values (``ZMQError.errno``): Linux numbers, and the 0MQ-native ones based on
    HAUSNUMERO. Beyond pyzmq's members, the OS codes zmq4 itself reports."""

    EAGAIN = C.EAGAIN
    EFAULT = C.EFAULT
    EINVAL = C.EINVAL
    ENOTSUP = C.ENOTSUP
    EPROTONOSUPPORT = C.EPROTONOSUPPORT
    ENOBUFS = C.ENOBUFS
    ENETDOWN = C.ENETDOWN
    EADDRINUSE = C.EADDRINUSE
    EADDRNOTAVAIL = C.EADDRNOTAVAIL
    ECONNREFUSED = C.ECONNREFUSED
    EINPROGRESS = C.EINPROGRESS
    ENOTSOCK = C.ENOTSOCK
    EMSGSIZE = C.EMSGSIZE
    EAFNOSUPPORT = C.EAFNOSUPPORT
    ENETUNREACH = C.ENETUNREACH
    ECONNABORTED = C.ECONNABORTED
    ECONNRESET = C.ECONNRESET
    ENOTCONN = C.ENOTCONN
    ETIMEDOUT = C.ETIMEDOUT
    EHOSTUNREACH = C.EHOSTUNREACH
    ENETRESET = C.ENETRESET
    EFSM = C.EFSM
    ENOCOMPATPROTO = C.ENOCOMPATPROTO
    ETERM = C.ETERM
    EMTHREAD = C.EMTHREAD
    # zmq4 also reports these OS codes (pyzmq's Errno does not list them)
    ENOENT = C.ENOENT
    EINTR = C.EINTR
    ENOMEM = C.ENOMEM
    EACCES = C.EACCES
    ENODEV = C.ENODEV
    EMFILE = C.EMFILE
    ENAMETOOLONG = C.ENAMETOOLONG
    EPROTO = C.EPROTO


class ContextOption(IntEnum):
    """Context options (``Context.set``/``get``, attributes)."""

    IO_THREADS = C.IO_THREADS
    MAX_SOCKETS = C.MAX_SOCKETS
    SOCKET_LIMIT = 3  # later libzmq
    THREAD_PRIORITY = 3  # later libzmq
    THREAD_SCHED_POLICY = 4  # later libzmq
    MAX_MSGSZ = 5  # later libzmq
    MSG_T_SIZE = 6  # later libzmq
    THREAD_AFFINITY_CPU_ADD = 7  # later libzmq
    THREAD_AFFINITY_CPU_REMOVE = 8  # later libzmq
    THREAD_NAME_PREFIX = 9  # later libzmq


class SocketType(IntEnum):
    """Socket types (``Context.socket``)."""

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
    XREQ = C.XREQ
    XREP = C.XREP
    SERVER = 12  # later libzmq
    CLIENT = 13  # later libzmq
    RADIO = 14  # later libzmq
    DISH = 15  # later libzmq
    GATHER = 16  # later libzmq
    SCATTER = 17  # later libzmq
    DGRAM = 18  # later libzmq
    PEER = 19  # later libzmq
    CHANNEL = 20  # later libzmq


class SocketOption(IntEnum):
    """Socket options (``Socket.set``/``get``, attributes). ``_opt_type`` tells the value
    type (pyzmq's ``_OptType``); libzmq 4.0's rows are checked at import against zmq4's
    option table (:mod:`zmq4.core.options`)."""

    _opt_type: _OptType

    def __new__(cls, value: int, opt_type: _OptType = _OptType.int) -> SocketOption:
        member = int.__new__(cls, value)
        member._value_ = value
        member._opt_type = opt_type
        return member

    HWM = 1  # libzmq 2.x (SNDHWM + RCVHWM in one): see Socket.hwm
    AFFINITY = C.AFFINITY, _OptType.int64
    ROUTING_ID = C.IDENTITY, _OptType.bytes  # libzmq 4.2's name for IDENTITY
    SUBSCRIBE = C.SUBSCRIBE, _OptType.bytes
    UNSUBSCRIBE = C.UNSUBSCRIBE, _OptType.bytes
    RATE = C.RATE
    RECOVERY_IVL = C.RECOVERY_IVL
    SNDBUF = C.SNDBUF
    RCVBUF = C.RCVBUF
    RCVMORE = C.RCVMORE
    FD = C.FD, _OptType.fd
    EVENTS = C.EVENTS
    TYPE = C.TYPE
    LINGER = C.LINGER
    RECONNECT_IVL = C.RECONNECT_IVL
    BACKLOG = C.BACKLOG
    RECONNECT_IVL_MAX = C.RECONNECT_IVL_MAX
    MAXMSGSIZE = C.MAXMSGSIZE, _OptType.int64
    SNDHWM = C.SNDHWM
    RCVHWM = C.RCVHWM
    MULTICAST_HOPS = C.MULTICAST_HOPS
    RCVTIMEO = C.RCVTIMEO
    SNDTIMEO = C.SNDTIMEO
    LAST_ENDPOINT = C.LAST_ENDPOINT, _OptType.bytes
    ROUTER_MANDATORY = C.ROUTER_MANDATORY
    TCP_KEEPALIVE = C.TCP_KEEPALIVE
    TCP_KEEPALIVE_CNT = C.TCP_KEEPALIVE_CNT
    TCP_KEEPALIVE_IDLE = C.TCP_KEEPALIVE_IDLE
    TCP_KEEPALIVE_INTVL = C.TCP_KEEPALIVE_INTVL
    IMMEDIATE = C.IMMEDIATE
    XPUB_VERBOSE = C.XPUB_VERBOSE
    ROUTER_RAW = C.ROUTER_RAW
    IPV6 = C.IPV6
    MECHANISM = C.MECHANISM
    PLAIN_SERVER = C.PLAIN_SERVER
    PLAIN_USERNAME = C.PLAIN_USERNAME, _OptType.bytes
    PLAIN_PASSWORD = C.PLAIN_PASSWORD, _OptType.bytes
    CURVE_SERVER = C.CURVE_SERVER
    CURVE_PUBLICKEY = C.CURVE_PUBLICKEY, _OptType.bytes
    CURVE_SECRETKEY = C.CURVE_SECRETKEY, _OptType.bytes
    CURVE_SERVERKEY = C.CURVE_SERVERKEY, _OptType.bytes
    PROBE_ROUTER = C.PROBE_ROUTER
    REQ_CORRELATE = C.REQ_CORRELATE
    REQ_RELAXED = C.REQ_RELAXED
    CONFLATE = C.CONFLATE
    ZAP_DOMAIN = C.ZAP_DOMAIN, _OptType.bytes
    ROUTER_HANDOVER = C.ROUTER_HANDOVER
    TOS = 57  # later libzmq
    CONNECT_ROUTING_ID = 61, _OptType.bytes  # later libzmq
    GSSAPI_SERVER = 62  # later libzmq
    GSSAPI_PRINCIPAL = 63, _OptType.bytes  # later libzmq
    GSSAPI_SERVICE_PRINCIPAL = 64, _OptType.bytes  # later libzmq
    GSSAPI_PLAINTEXT = 65  # later libzmq
    HANDSHAKE_IVL = C.HANDSHAKE_IVL
    SOCKS_PROXY = 68, _OptType.bytes  # later libzmq
    XPUB_NODROP = 69  # later libzmq
    BLOCKY = 70  # later libzmq
    XPUB_MANUAL = 71  # later libzmq
    XPUB_WELCOME_MSG = 72, _OptType.bytes  # later libzmq
    STREAM_NOTIFY = C.STREAM_NOTIFY
    INVERT_MATCHING = 74  # later libzmq
    HEARTBEAT_IVL = 75  # later libzmq
    HEARTBEAT_TTL = 76  # later libzmq
    HEARTBEAT_TIMEOUT = 77  # later libzmq
    XPUB_VERBOSER = 78  # later libzmq
    CONNECT_TIMEOUT = 79  # later libzmq
    TCP_MAXRT = 80  # later libzmq
    THREAD_SAFE = 81  # later libzmq
    MULTICAST_MAXTPDU = 84  # later libzmq
    VMCI_BUFFER_SIZE = 85, _OptType.int64  # later libzmq
    VMCI_BUFFER_MIN_SIZE = 86, _OptType.int64  # later libzmq
    VMCI_BUFFER_MAX_SIZE = 87, _OptType.int64  # later libzmq
    VMCI_CONNECT_TIMEOUT = 88  # later libzmq
    USE_FD = 89  # later libzmq
    GSSAPI_PRINCIPAL_NAMETYPE = 90  # later libzmq
    GSSAPI_SERVICE_PRINCIPAL_NAMETYPE = 91  # later libzmq
    BINDTODEVICE = 92, _OptType.bytes  # later libzmq
    IDENTITY = C.IDENTITY, _OptType.bytes
    CONNECT_RID = 61, _OptType.bytes  # later libzmq (old name of CONNECT_ROUTING_ID)
    TCP_ACCEPT_FILTER = C.TCP_ACCEPT_FILTER, _OptType.bytes
    IPC_FILTER_PID = 58  # later libzmq
    IPC_FILTER_UID = 59  # later libzmq
    IPC_FILTER_GID = 60  # later libzmq
    IPV4ONLY = C.IPV4ONLY
    DELAY_ATTACH_ON_CONNECT = C.DELAY_ATTACH_ON_CONNECT
    FAIL_UNROUTABLE = C.FAIL_UNROUTABLE
    ROUTER_BEHAVIOR = C.ROUTER_BEHAVIOR
    ZAP_ENFORCE_DOMAIN = 93  # later libzmq
    LOOPBACK_FASTPATH = 94  # later libzmq
    METADATA = 95, _OptType.bytes  # later libzmq
    MULTICAST_LOOP = 96  # later libzmq
    ROUTER_NOTIFY = 97  # later libzmq
    XPUB_MANUAL_LAST_VALUE = 98  # later libzmq
    SOCKS_USERNAME = 99, _OptType.bytes  # later libzmq
    SOCKS_PASSWORD = 100, _OptType.bytes  # later libzmq
    IN_BATCH_SIZE = 101  # later libzmq
    OUT_BATCH_SIZE = 102  # later libzmq
    WSS_KEY_PEM = 103, _OptType.bytes  # later libzmq
    WSS_CERT_PEM = 104, _OptType.bytes  # later libzmq
    WSS_TRUST_PEM = 105, _OptType.bytes  # later libzmq
    WSS_HOSTNAME = 106, _OptType.bytes  # later libzmq
    WSS_TRUST_SYSTEM = 107  # later libzmq
    ONLY_FIRST_SUBSCRIBE = 108  # later libzmq
    RECONNECT_STOP = 109  # later libzmq
    HELLO_MSG = 110, _OptType.bytes  # later libzmq
    DISCONNECT_MSG = 111, _OptType.bytes  # later libzmq
    PRIORITY = 112  # later libzmq
    BUSY_POLL = 113  # later libzmq
    HICCUP_MSG = 114, _OptType.bytes  # later libzmq
    XSUB_VERBOSE_UNSUBSCRIBE = 115  # later libzmq
    TOPICS_COUNT = 116  # later libzmq
    NORM_MODE = 117  # later libzmq
    NORM_UNICAST_NACK = 118  # later libzmq
    NORM_BUFFER_SIZE = 119  # later libzmq
    NORM_SEGMENT_SIZE = 120  # later libzmq
    NORM_BLOCK_SIZE = 121  # later libzmq
    NORM_NUM_PARITY = 122  # later libzmq
    NORM_NUM_AUTOPARITY = 123  # later libzmq
    NORM_PUSH = 124  # later libzmq


class MessageOption(IntEnum):
    """Message properties (``Frame.get``)."""

    MORE = C.MORE
    SHARED = 3  # later libzmq
    SRCFD = 2  # later libzmq


class Flag(IntFlag):
    """send/recv flags."""

    DONTWAIT = C.DONTWAIT
    SNDMORE = C.SNDMORE
    NOBLOCK = C.NOBLOCK


class RouterNotify(IntEnum):
    """``ROUTER_NOTIFY`` values (libzmq >= 4.3)."""

    CONNECT = 1  # later libzmq
    DISCONNECT = 2  # later libzmq


class NormMode(IntEnum):
    """``NORM_MODE`` values (libzmq >= 4.3, NORM transport)."""

    FIXED = 0  # later libzmq
    CC = 1  # later libzmq
    CCL = 2  # later libzmq
    CCE = 3  # later libzmq
    CCE_ECNONLY = 4  # later libzmq


class SecurityMechanism(IntEnum):
    """Security mechanisms (``MECHANISM``)."""

    NULL = C.NULL
    PLAIN = C.PLAIN
    CURVE = C.CURVE
    GSSAPI = 3  # later libzmq


class ReconnectStop(IntEnum):
    """``RECONNECT_STOP`` flags (libzmq >= 4.3)."""

    CONN_REFUSED = 1  # later libzmq
    HANDSHAKE_FAILED = 2  # later libzmq
    AFTER_DISCONNECT = 4  # later libzmq


class Event(IntFlag):
    """Socket monitor events (``Socket.monitor``); ``PROTOCOL_ERROR_*`` are the values of
    a ``HANDSHAKE_FAILED_PROTOCOL`` event. zmq4 emits the libzmq 4.0 events (up to
    ``MONITOR_STOPPED``; ``ALL`` is their union, as in 4.0's zmq.h)."""

    PROTOCOL_ERROR_WS_UNSPECIFIED = 805306368  # later libzmq
    PROTOCOL_ERROR_ZMTP_UNSPECIFIED = 268435456  # later libzmq
    PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND = 268435457  # later libzmq
    PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE = 268435458  # later libzmq
    PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE = 268435459  # later libzmq
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED = 268435473  # later libzmq
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE = 268435474  # later libzmq
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO = 268435475  # later libzmq
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE = 268435476  # later libzmq
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR = 268435477  # later libzmq
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY = 268435478  # later libzmq
    PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME = 268435479  # later libzmq
    PROTOCOL_ERROR_ZMTP_INVALID_METADATA = 268435480  # later libzmq
    PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC = 285212673  # later libzmq
    PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH = 285212674  # later libzmq
    PROTOCOL_ERROR_ZAP_UNSPECIFIED = 536870912  # later libzmq
    PROTOCOL_ERROR_ZAP_MALFORMED_REPLY = 536870913  # later libzmq
    PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID = 536870914  # later libzmq
    PROTOCOL_ERROR_ZAP_BAD_VERSION = 536870915  # later libzmq
    PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE = 536870916  # later libzmq
    PROTOCOL_ERROR_ZAP_INVALID_METADATA = 536870917  # later libzmq
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
    HANDSHAKE_FAILED_NO_DETAIL = 2048  # later libzmq
    HANDSHAKE_SUCCEEDED = 4096  # later libzmq
    HANDSHAKE_FAILED_PROTOCOL = 8192  # later libzmq
    HANDSHAKE_FAILED_AUTH = 16384  # later libzmq
    ALL = C.EVENT_ALL  # 4.0's: every event above (2047)
    ALL_V1 = 65535  # later libzmq
    PIPES_STATS = 65536  # later libzmq
    ALL_V2 = 131071  # later libzmq


class PollEvent(IntFlag):
    """Poll event bits (``Poller``, ``EVENTS``)."""

    POLLIN = C.POLLIN
    POLLOUT = C.POLLOUT
    POLLERR = C.POLLERR
    POLLPRI = 8  # later libzmq


class DeviceType(IntEnum):
    """Deprecated ``zmq_device`` types (all behave as a proxy)."""

    STREAMER = C.STREAMER
    FORWARDER = C.FORWARDER
    QUEUE = C.QUEUE


#: Enum classes in the order their member names become module names (first wins).
ENUMS: tuple[type[Enum], ...] = (
    SocketType, SocketOption, ContextOption, Flag, PollEvent, Errno, SecurityMechanism,
    MessageOption, DeviceType, Event, ReconnectStop, NormMode, RouterNotify,
)
#: The module-name prefix of each enum's members (``Event.CONNECTED`` -> ``EVENT_CONNECTED``;
#: ``Event.PROTOCOL_ERROR_*`` keep their names).
PREFIXES: dict[type[Enum], str] = {
    Event: "EVENT_", ReconnectStop: "RECONNECT_STOP_", NormMode: "NORM_",
    RouterNotify: "NOTIFY_",
}

_OPT_KIND = {_options.UINT64: _OptType.int64, _options.INT64: _OptType.int64,
             _options.BYTES: _OptType.bytes, _options.STR: _OptType.bytes,
             _options.KEY: _OptType.bytes, _options.BYTES_SOCKET: _OptType.bytes}


def _check_against_option_table() -> None:
    """Every option of zmq4's table is a member with the same number and value type."""
    for spec in _options.OPTIONS.values():
        member = SocketOption.__members__.get(spec.name)
        if member is None or int(member) != spec.id:  # pragma: no cover - guarded by tests
            raise ImportError(f"SocketOption lacks {spec.c_name} ({spec.id})")
        want = _OptType.fd if spec.id == C.FD else _OPT_KIND.get(spec.kind, _OptType.int)
        if member._opt_type is not want:  # pragma: no cover - guarded by tests
            raise ImportError(f"SocketOption.{spec.name}: type {member._opt_type} != {want}")
        if C.ALL.get(spec.name) != spec.id:  # pragma: no cover
            raise ImportError(f"{spec.c_name}: option table and zmq_h disagree")


_check_against_option_table()


def _module_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for cls in ENUMS:
        prefix = PREFIXES.get(cls, "")
        for member_name, member in cls.__members__.items():
            name = member_name if member_name.startswith("PROTOCOL_ERROR_") \
                else prefix + member_name
            names.setdefault(name, member)  # type: ignore[arg-type]
    for name, value in C.ALL.items():  # zmq4's 4.0 numbers pyzmq has no member for
        names.setdefault(name, value)
    for name, value in names.items():
        plain = C.ALL.get(name)
        if plain is not None and plain != value:  # pragma: no cover - guarded by tests
            raise ImportError(f"{name}: enum {value!r} != zmq_h {plain}")
    return names


_NAMES = _module_names()
globals().update(_NAMES)

__all__ = ["ContextOption", "DeviceType", "Enum", "Errno", "Event", "Flag", "IntEnum",
           "IntFlag", "MessageOption", "NormMode", "PollEvent", "ReconnectStop",
           "RouterNotify", "SecurityMechanism", "SocketOption", "SocketType"]
__all__ += list(_NAMES)
del _NAMES
