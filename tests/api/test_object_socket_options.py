"""Socket options through the object API: attributes named after the option table,
``set``/``get``/``setsockopt``/``getsockopt`` by number or name, the string forms, ``hwm``,
and the type and value errors (each naming the option)."""

from __future__ import annotations

from typing import Any

import pytest

import zmq4 as zmq
from zmq4.core.options import OPTIONS

#: Options zmq_getsockopt refuses (write-only in libzmq 4.0).
WRITE_ONLY = {"SUBSCRIBE", "UNSUBSCRIBE", "ROUTER_MANDATORY", "XPUB_VERBOSE", "ROUTER_RAW",
              "PROBE_ROUTER", "REQ_CORRELATE", "REQ_RELAXED", "TCP_ACCEPT_FILTER",
              "FAIL_UNROUTABLE", "ROUTER_BEHAVIOR", "STREAM_NOTIFY", "ROUTER_HANDOVER"}
#: A socket type each type-specific option applies to.
TYPE_FOR = {"SUBSCRIBE": zmq.SUB, "UNSUBSCRIBE": zmq.SUB, "ROUTER_MANDATORY": zmq.ROUTER,
            "XPUB_VERBOSE": zmq.XPUB, "ROUTER_RAW": zmq.ROUTER, "PROBE_ROUTER": zmq.DEALER,
            "REQ_CORRELATE": zmq.REQ, "REQ_RELAXED": zmq.REQ, "STREAM_NOTIFY": zmq.STREAM}

INT_VALUES: dict[str, tuple[int, int]] = {  # option: (default, a valid new value)
    "LINGER": (-1, 250), "SNDHWM": (1000, 5), "RCVHWM": (1000, 6), "RCVTIMEO": (-1, 100),
    "SNDTIMEO": (-1, 200), "RATE": (100, 1000), "RECOVERY_IVL": (10000, 5000),
    "SNDBUF": (0, 65536), "RCVBUF": (0, 65536), "RECONNECT_IVL": (100, 250),
    "RECONNECT_IVL_MAX": (0, 1000), "BACKLOG": (100, 10), "MAXMSGSIZE": (-1, 1 << 40),
    "MULTICAST_HOPS": (1, 4), "AFFINITY": (0, 3), "TCP_KEEPALIVE": (-1, 1),
    "TCP_KEEPALIVE_CNT": (-1, 5), "TCP_KEEPALIVE_IDLE": (-1, 60),
    "TCP_KEEPALIVE_INTVL": (-1, 10), "IMMEDIATE": (0, 1), "IPV6": (0, 1), "CONFLATE": (0, 1),
}


@pytest.fixture
def sock(context: zmq.Context) -> zmq.Socket:
    return context.socket(zmq.DEALER)


def test_every_readable_option_reads_as_an_attribute(context: zmq.Context) -> None:
    for name, opt in zmq.SocketOption.__members__.items():
        if name in WRITE_ONLY or int(opt) not in OPTIONS:  # later libzmq's: EINVAL
            continue
        s = context.socket(TYPE_FOR.get(name, zmq.DEALER))
        value = getattr(s, name.lower())
        assert value == s.getsockopt(opt) == s.get(name) == s.get(int(opt)), name
        assert isinstance(value, (int, bytes)), name
        s.close()


def test_write_only_options_are_not_readable_attributes(context: zmq.Context) -> None:
    for name in WRITE_ONLY:
        s = context.socket(TYPE_FOR.get(name, zmq.ROUTER))
        if name in ("SUBSCRIBE", "UNSUBSCRIBE"):
            assert callable(getattr(s, name.lower()))  # the methods (pyzmq)
        else:
            with pytest.raises(AttributeError, match="write-only"):
                getattr(s, name.lower())
        with pytest.raises(zmq.ZMQError) as exc:
            s.getsockopt(zmq.SocketOption[name])
        assert exc.value.errno == zmq.EINVAL
        s.close()


@pytest.mark.parametrize("name", sorted(INT_VALUES))
def test_int_option_round_trip(sock: zmq.Socket, name: str) -> None:
    default, new = INT_VALUES[name]
    attr = name.lower()
    assert getattr(sock, attr) == default
    setattr(sock, attr, new)
    assert getattr(sock, attr) == new
    sock.setsockopt(zmq.SocketOption[name], default)
    assert sock.getsockopt(zmq.SocketOption[name]) == default
    sock.set(name, new)
    assert sock.get("zmq_" + name.lower()) == new


def test_linger_defaults_follow_the_socket_type(context: zmq.Context) -> None:
    assert context.socket(zmq.SUB).linger == 0
    assert context.socket(zmq.XSUB).linger == 0
    assert context.socket(zmq.PUB).linger == -1


def test_read_only_options(sock: zmq.Socket) -> None:
    assert sock.type == zmq.DEALER and isinstance(sock.type, zmq.SocketType)
    assert sock.getsockopt(zmq.TYPE) == zmq.DEALER
    assert sock.fd == sock.fileno() and sock.fd >= 0
    assert sock.rcvmore == 0
    assert sock.mechanism == zmq.NULL
    assert sock.last_endpoint == b""
    assert sock.ipv4only == 1
    for name in ("fd", "events", "rcvmore", "mechanism", "last_endpoint"):
        with pytest.raises(zmq.ZMQError) as exc:
            setattr(sock, name, 1 if name != "last_endpoint" else b"x")
        assert exc.value.errno == zmq.EINVAL


def test_identity(sock: zmq.Socket) -> None:
    assert sock.identity == b""
    sock.identity = b"me"
    assert sock.identity == b"me" and sock.routing_id == b"me"
    sock.routing_id = b"you"
    assert sock.getsockopt(zmq.IDENTITY) == b"you"
    sock.setsockopt(zmq.IDENTITY, bytearray(b"ba"))
    assert sock.identity == b"ba"
    for bad in (b"", b"\x00reserved", b"x" * 256):
        with pytest.raises(zmq.ZMQError) as exc:
            sock.identity = bad
        assert exc.value.errno == zmq.EINVAL and "ZMQ_IDENTITY" in str(exc.value)


def test_string_forms(sock: zmq.Socket) -> None:
    sock.setsockopt_string(zmq.IDENTITY, "héllo")
    assert sock.getsockopt_string(zmq.IDENTITY) == "héllo"
    assert sock.identity == "héllo".encode()
    sock.set_string(zmq.ZAP_DOMAIN, "global")
    assert sock.get_string(zmq.ZAP_DOMAIN) == "global"
    sock.setsockopt_unicode(zmq.IDENTITY, "ascii", encoding="ascii")
    assert sock.getsockopt_unicode(zmq.IDENTITY, encoding="ascii") == "ascii"
    with pytest.raises(TypeError):
        sock.setsockopt_string(zmq.IDENTITY, b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not a string option"):
        sock.getsockopt_string(zmq.LINGER)


def test_type_errors_name_the_option(sock: zmq.Socket) -> None:
    with pytest.raises(TypeError, match="ZMQ_LINGER"):
        sock.linger = "0"
    with pytest.raises(TypeError, match="ZMQ_LINGER"):
        sock.setsockopt(zmq.LINGER, 1.5)
    with pytest.raises(TypeError, match="ZMQ_LINGER"):
        sock.setsockopt(zmq.LINGER, b"\x00\x00\x00\x00")
    with pytest.raises(TypeError, match="ZMQ_IDENTITY.*setsockopt_string"):
        sock.identity = "text"
    with pytest.raises(TypeError, match="ZMQ_IDENTITY"):
        sock.setsockopt(zmq.IDENTITY, 5)
    with pytest.raises(TypeError):
        sock.setsockopt(True, 1)
    with pytest.raises(TypeError):
        sock.getsockopt(1.0)  # type: ignore[arg-type]


def test_value_errors_name_the_option(sock: zmq.Socket) -> None:
    for name, bad in (("linger", -2), ("sndhwm", -1), ("rcvtimeo", -5), ("ipv6", 2),
                      ("linger", 1 << 40)):
        with pytest.raises(zmq.ZMQError) as exc:
            setattr(sock, name, bad)
        assert exc.value.errno == zmq.EINVAL
        assert "ZMQ_" + name.upper() in str(exc.value)


def test_unknown_options(sock: zmq.Socket) -> None:
    with pytest.raises(AttributeError, match="no such option: NO_SUCH_OPTION"):
        sock.no_such_option = 1
    with pytest.raises(AttributeError, match="NO_SUCH_OPTION"):
        sock.no_such_option  # noqa: B018
    with pytest.raises(zmq.ZMQError) as exc:
        sock.setsockopt(9999, 1)
    assert exc.value.errno == zmq.EINVAL and "9999" in str(exc.value)
    with pytest.raises(zmq.ZMQError) as exc:
        sock.getsockopt(9999)
    assert exc.value.errno == zmq.EINVAL
    with pytest.raises(zmq.ZMQError) as exc:
        sock.set("NO_SUCH_OPTION", 1)
    assert exc.value.errno == zmq.EINVAL and "NO_SUCH_OPTION" in str(exc.value)
    assert "linger" in dir(sock) and "rcvhwm" in dir(sock)


def test_hwm(sock: zmq.Socket) -> None:
    assert sock.hwm == 1000
    sock.hwm = 10
    assert (sock.sndhwm, sock.rcvhwm, sock.hwm) == (10, 10, 10)
    sock.set_hwm(20)
    assert sock.get_hwm() == 20 and sock.rcvhwm == 20


def test_subscribe_forms(context: zmq.Context) -> None:
    pub = context.socket(zmq.PUB)
    sub = context.socket(zmq.SUB)
    sub.rcvtimeo = 10000
    pub.bind("inproc://subscribe-forms")
    sub.connect("inproc://subscribe-forms")
    sub.subscribe = "a"  # attribute form, str encoded
    sub.subscribe(b"b")
    sub.setsockopt(zmq.SUBSCRIBE, b"c")
    sub.setsockopt_string(zmq.SUBSCRIBE, "d")
    sub.unsubscribe("b")
    sub.unsubscribe = b"c"
    for topic in (b"a1", b"b1", b"c1", b"d1"):
        pub.send(topic)
    assert sub.recv() == b"a1"
    assert sub.recv() == b"d1"
    with pytest.raises(zmq.ZMQError) as exc:
        pub.subscribe(b"x")
    assert exc.value.errno == zmq.EINVAL and "ZMQ_SUBSCRIBE" in str(exc.value)
    with pytest.raises(TypeError):
        sub.subscribe(5)  # type: ignore[arg-type]


def test_type_specific_write_only_options(context: zmq.Context) -> None:
    router = context.socket(zmq.ROUTER)
    router.router_mandatory = 1
    with pytest.raises(zmq.ZMQError) as exc:
        router.send_multipart([b"nobody", b"hello"])
    assert exc.value.errno == zmq.EHOSTUNREACH
    req = context.socket(zmq.REQ)
    req.req_relaxed = 1
    req.req_correlate = 1
    with pytest.raises(zmq.ZMQError) as exc:
        context.socket(zmq.PUSH).req_relaxed = 1
    assert exc.value.errno == zmq.EINVAL and "ZMQ_REQ_RELAXED" in str(exc.value)


def test_security_options(sock: zmq.Socket) -> None:
    public, secret = zmq.curve_keypair()
    server_public, _ = zmq.curve_keypair()
    sock.curve_secretkey = secret
    sock.curve_publickey = public
    sock.curve_serverkey = server_public
    assert sock.mechanism == zmq.CURVE
    assert sock.curve_secretkey == secret and sock.curve_publickey == public
    assert sock.curve_serverkey == server_public
    sock.curve_secretkey = zmq.z85.decode(secret)  # 32 raw bytes work too
    assert sock.curve_secretkey == secret
    with pytest.raises(zmq.ZMQError) as exc:
        sock.curve_secretkey = b"short"
    assert exc.value.errno == zmq.EINVAL and "ZMQ_CURVE_SECRETKEY" in str(exc.value)
    sock.plain_username = b"admin"
    sock.plain_password = b"secret"
    assert sock.mechanism == zmq.PLAIN and sock.plain_username == b"admin"
    sock.plain_server = 1
    assert sock.plain_server == 1
    sock.curve_server = 1
    assert sock.mechanism == zmq.CURVE and sock.curve_server == 1


def test_accept_filter(sock: zmq.Socket) -> None:
    sock.tcp_accept_filter = b"127.0.0.1"
    sock.setsockopt(zmq.TCP_ACCEPT_FILTER, b"10.0.0.0/8")
    sock.tcp_accept_filter = None  # C's (NULL, 0): clear
    with pytest.raises(zmq.ZMQError) as exc:
        sock.tcp_accept_filter = b"not-an-address"
    assert exc.value.errno == zmq.EINVAL and "ZMQ_TCP_ACCEPT_FILTER" in str(exc.value)


def test_options_on_a_closed_socket(sock: zmq.Socket) -> None:
    sock.close()
    calls: list[Any] = [lambda: sock.linger, lambda: setattr(sock, "linger", 0),
                        lambda: sock.getsockopt(zmq.TYPE), lambda: sock.setsockopt(zmq.LINGER, 0),
                        lambda: sock.fileno(), lambda: sock.subscribe(b"")]
    for call in calls:
        with pytest.raises(zmq.ZMQError) as exc:
            call()
        assert exc.value.errno == zmq.ENOTSOCK
    assert sock.type == zmq.DEALER  # known without asking the closed socket


def test_plain_attributes_stay_attributes(sock: zmq.Socket) -> None:
    sock.copy_threshold = 10
    assert sock.copy_threshold == 10
    with pytest.raises(AttributeError):
        sock.send = None  # type: ignore[method-assign]
