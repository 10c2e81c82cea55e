"""Every ``ZMQ_*`` name and number of libzmq 4.0.10 (its ``zmq.h``), and the errno values
zmq4 uses, as plain ``int``.

This module is a leaf: it imports nothing from zmq4. It is the single source of the
numbers: the core and every face import them from here (``from zmq4 import zmq_h as C``:
plain ints keep the hot paths free of enum arithmetic); ``zmq4.capi`` re-exports each name
with the ``ZMQ_`` prefix; :mod:`zmq4.constants` builds pyzmq's enum classes on top of them
(``zmq4.REQ``, ``zmq4.constants.REQ`` are enum members with these values); and
``include/zmq.h`` is parity-tested against it (tests/unit/test_header_parity.py).
Names are the interface (libzmq's zmq.h 4.0.10).
"""

from __future__ import annotations

import errno as _errno

# -- version ----------------------------------------------------------------
VERSION_MAJOR = 4
VERSION_MINOR = 0
VERSION_PATCH = 10
VERSION = VERSION_MAJOR * 10000 + VERSION_MINOR * 100 + VERSION_PATCH

# -- errors -----------------------------------------------------------------
HAUSNUMERO = 156384712
# POSIX codes: Linux values (libzmq takes them from errno.h when defined).
ENOTSUP = _errno.ENOTSUP
EPROTONOSUPPORT = _errno.EPROTONOSUPPORT
ENOBUFS = _errno.ENOBUFS
ENETDOWN = _errno.ENETDOWN
EADDRINUSE = _errno.EADDRINUSE
EADDRNOTAVAIL = _errno.EADDRNOTAVAIL
ECONNREFUSED = _errno.ECONNREFUSED
EINPROGRESS = _errno.EINPROGRESS
ENOTSOCK = _errno.ENOTSOCK
EMSGSIZE = _errno.EMSGSIZE
EAFNOSUPPORT = _errno.EAFNOSUPPORT
ENETUNREACH = _errno.ENETUNREACH
ECONNABORTED = _errno.ECONNABORTED
ECONNRESET = _errno.ECONNRESET
ENOTCONN = _errno.ENOTCONN
ETIMEDOUT = _errno.ETIMEDOUT
EHOSTUNREACH = _errno.EHOSTUNREACH
ENETRESET = _errno.ENETRESET
# Native 0MQ error codes (always HAUSNUMERO-based).
EFSM = HAUSNUMERO + 51
ENOCOMPATPROTO = HAUSNUMERO + 52
ETERM = HAUSNUMERO + 53
EMTHREAD = HAUSNUMERO + 54
# Other OS codes the API returns.
EINVAL = _errno.EINVAL
EFAULT = _errno.EFAULT
EAGAIN = _errno.EAGAIN
EINTR = _errno.EINTR
ENOMEM = _errno.ENOMEM
EMFILE = _errno.EMFILE
ENODEV = _errno.ENODEV
ENOENT = _errno.ENOENT
ENAMETOOLONG = _errno.ENAMETOOLONG
EACCES = _errno.EACCES
EPROTO = _errno.EPROTO

# -- context options -------------------------------------------------------
IO_THREADS = 1
MAX_SOCKETS = 2
IO_THREADS_DFLT = 1
MAX_SOCKETS_DFLT = 1023

# -- socket types ----------------------------------------------------------
PAIR = 0
PUB = 1
SUB = 2
REQ = 3
REP = 4
DEALER = 5
ROUTER = 6
PULL = 7
PUSH = 8
XPUB = 9
XSUB = 10
STREAM = 11
XREQ = DEALER  # deprecated
XREP = ROUTER  # deprecated

# -- socket options --------------------------------------------------------
AFFINITY = 4
IDENTITY = 5
SUBSCRIBE = 6
UNSUBSCRIBE = 7
RATE = 8
RECOVERY_IVL = 9
SNDBUF = 11
RCVBUF = 12
RCVMORE = 13
FD = 14
EVENTS = 15
TYPE = 16
LINGER = 17
RECONNECT_IVL = 18
BACKLOG = 19
RECONNECT_IVL_MAX = 21
MAXMSGSIZE = 22
SNDHWM = 23
RCVHWM = 24
MULTICAST_HOPS = 25
RCVTIMEO = 27
SNDTIMEO = 28
LAST_ENDPOINT = 32
ROUTER_MANDATORY = 33
TCP_KEEPALIVE = 34
TCP_KEEPALIVE_CNT = 35
TCP_KEEPALIVE_IDLE = 36
TCP_KEEPALIVE_INTVL = 37
TCP_ACCEPT_FILTER = 38
IMMEDIATE = 39
XPUB_VERBOSE = 40
ROUTER_RAW = 41
IPV6 = 42
MECHANISM = 43
PLAIN_SERVER = 44
PLAIN_USERNAME = 45
PLAIN_PASSWORD = 46
CURVE_SERVER = 47
CURVE_PUBLICKEY = 48
CURVE_SECRETKEY = 49
CURVE_SERVERKEY = 50
PROBE_ROUTER = 51
REQ_CORRELATE = 52
REQ_RELAXED = 53
CONFLATE = 54
ZAP_DOMAIN = 55
# zmq4 extension (libzmq 4.1's number and meaning): ROUTER identity handover
ROUTER_HANDOVER = 56
# zmq4 extension (libzmq 4.1's number and meaning): handshake deadline in ms, 0 = none
HANDSHAKE_IVL = 66
STREAM_NOTIFY = 73
# deprecated option names
IPV4ONLY = 31
DELAY_ATTACH_ON_CONNECT = IMMEDIATE
FAIL_UNROUTABLE = ROUTER_MANDATORY
ROUTER_BEHAVIOR = ROUTER_MANDATORY

# -- message options -------------------------------------------------------
MORE = 1

# -- send/recv flags -------------------------------------------------------
DONTWAIT = 1
SNDMORE = 2
NOBLOCK = DONTWAIT  # deprecated

# -- security mechanisms ---------------------------------------------------
NULL = 0
PLAIN = 1
CURVE = 2

# -- socket monitor events -------------------------------------------------
EVENT_CONNECTED = 1
EVENT_CONNECT_DELAYED = 2
EVENT_CONNECT_RETRIED = 4
EVENT_LISTENING = 8
EVENT_BIND_FAILED = 16
EVENT_ACCEPTED = 32
EVENT_ACCEPT_FAILED = 64
EVENT_CLOSED = 128
EVENT_CLOSE_FAILED = 256
EVENT_DISCONNECTED = 512
EVENT_MONITOR_STOPPED = 1024
EVENT_ALL = 2047

# -- poll ------------------------------------------------------------------
POLLIN = 1
POLLOUT = 2
POLLERR = 4
POLLITEMS_DFLT = 16

# -- devices (deprecated) --------------------------------------------------
STREAMER = 1
FORWARDER = 2
QUEUE = 3


def _collect() -> dict[str, int]:
    return {
        k: v
        for k, v in globals().items()
        if k.isupper() and not k.startswith("_") and isinstance(v, int)
    }


#: Every public constant name (without the ``ZMQ_`` prefix) -> value, errno names included.
ALL: dict[str, int] = _collect()

#: Errno names that libzmq's zmq.h defines (H+n fallbacks plus native codes).
ERRNO_NAMES: tuple[str, ...] = (
    "ENOTSUP", "EPROTONOSUPPORT", "ENOBUFS", "ENETDOWN", "EADDRINUSE", "EADDRNOTAVAIL",
    "ECONNREFUSED", "EINPROGRESS", "ENOTSOCK", "EMSGSIZE", "EAFNOSUPPORT", "ENETUNREACH",
    "ECONNABORTED", "ECONNRESET", "ENOTCONN", "ETIMEDOUT", "EHOSTUNREACH", "ENETRESET",
    "EFSM", "ENOCOMPATPROTO", "ETERM", "EMTHREAD",
)

#: Every errno name in ALL (these keep their bare names: ``EAGAIN``, not ``ZMQ_EAGAIN``).
ERRNOS: frozenset[str] = frozenset(ERRNO_NAMES) | frozenset(
    ("EINVAL", "EFAULT", "EAGAIN", "EINTR", "ENOMEM", "EMFILE", "ENODEV", "ENOENT",
     "ENAMETOOLONG", "EACCES", "EPROTO")
)
