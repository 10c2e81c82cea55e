"""Endpoint addresses for tcp and ipc (libzmq tcp_address_t, ipc_address_t).

Owns: turning the address part of ``tcp://...`` / ``ipc://...`` into a socket family and
sockaddr, with libzmq 4.0's rules (spec §4.2, §4.3, §4.7) and its errno:
- tcp bind: ``*`` (0.0.0.0, or :: with IPV6), an interface name (its IPv4 address), or a
  numeric literal (no DNS on bind); IPv6 literals in brackets and only with IPV6; port
  ``*`` or ``0`` = ephemeral. Unknown interface → ENODEV; bad port → EINVAL. Deviation:
  ports above 65535 are EINVAL here (4.0 wraps them modulo 65536).
- tcp connect: host name or literal, resolved once, now (getaddrinfo); failure → EINVAL.
- ipc: a filesystem path (≤ 107 bytes, else ENAMETOOLONG), ``@name`` for Linux's abstract
  namespace, ``*`` for a fresh unique path. Deviation: the wildcard path is created in the
  system temporary directory, not the working directory as 4.0.8 does.
- ``resolved`` endpoint strings are what ZMQ_LAST_ENDPOINT reports (spec §4.7).
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
import socket
import struct
import tempfile
from dataclasses import dataclass
from typing import Any

from .. import _native
from .. import zmq_h as C
from ..errors import ZMQError

_SIOCGIFADDR = 0x8915


@dataclass(frozen=True)
class Address:
    family: int
    sockaddr: Any
    transport: str  # "tcp" or "ipc"

    def endpoint(self, sockaddr: Any = None) -> str:
        """The LAST_ENDPOINT form for this address (or for an actual bound sockaddr)."""
        sa = self.sockaddr if sockaddr is None else sockaddr
        if self.transport == "ipc":
            path: str = sa.decode("utf-8", "surrogateescape") if isinstance(sa, bytes) else sa
            if path.startswith("\0"):
                return "ipc://@" + path[1:]
            return "ipc://" + path
        host, port = sa[0], sa[1]
        if self.family == socket.AF_INET6:
            return f"tcp://[{host}]:{port}"
        return f"tcp://{host}:{port}"


def _split_host_port(address: str, endpoint: str) -> tuple[str, str]:
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port:
        raise ZMQError(C.EINVAL, f"invalid tcp address in {endpoint!r}: expected host:port")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, port


def _parse_port(port: str, endpoint: str, allow_wildcard: bool) -> int:
    if port == "*":
        if allow_wildcard:
            return 0
        raise ZMQError(C.EINVAL, f"{endpoint!r}: a connect needs a port number, not '*'")
    if not port.isdigit():
        raise ZMQError(C.EINVAL, f"invalid port {port!r} in {endpoint!r}")
    value = int(port)
    if value > 65535:
        raise ZMQError(C.EINVAL, f"port {value} out of range (0-65535) in {endpoint!r}")
    return value


def _interface_ipv4(name: str) -> str | None:
    try:
        names = {n for _, n in socket.if_nameindex()}
    except OSError:
        return None
    if name not in names:
        return None
    s = _native.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        packed = fcntl.ioctl(s.fileno(), _SIOCGIFADDR,
                             struct.pack("256s", name.encode()[:15]))
        return socket.inet_ntoa(packed[20:24])
    except OSError:
        return None
    finally:
        s.close()


def resolve_tcp_bind(address: str, ipv6: bool, endpoint: str) -> Address:
    host, port_s = _split_host_port(address, endpoint)
    port = _parse_port(port_s, endpoint, True)
    if host == "*":
        if ipv6:
            return Address(socket.AF_INET6, ("::", port, 0, 0), "tcp")
        return Address(socket.AF_INET, ("0.0.0.0", port), "tcp")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        iface = _interface_ipv4(host)
        if iface is None:
            raise ZMQError(C.ENODEV, f"no such interface or address {host!r} in {endpoint!r} "
                                     "(bind takes '*', an interface name or a numeric "
                                     "address)") from None
        ip = ipaddress.ip_address(iface)
    if ip.version == 6:
        if not ipv6:
            raise ZMQError(C.ENODEV, f"{endpoint!r}: IPv6 address needs ZMQ_IPV6=1")
        return Address(socket.AF_INET6, (str(ip), port, 0, 0), "tcp")
    if ipv6:
        return Address(socket.AF_INET6, ("::ffff:" + str(ip), port, 0, 0), "tcp")
    return Address(socket.AF_INET, (str(ip), port), "tcp")


def resolve_tcp_connect(address: str, ipv6: bool, endpoint: str) -> Address:
    host, port_s = _split_host_port(address, endpoint)
    port = _parse_port(port_s, endpoint, False)
    family = socket.AF_INET6 if ipv6 else socket.AF_INET
    flags = socket.AI_V4MAPPED if ipv6 else 0
    try:
        infos = _native.getaddrinfo(host, port, family, socket.SOCK_STREAM, 0, flags)
    except (socket.gaierror, UnicodeError) as e:
        if ipv6:
            try:
                infos = _native.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_STREAM)
            except (socket.gaierror, UnicodeError):
                raise ZMQError(C.EINVAL, f"cannot resolve {host!r} in {endpoint!r}: {e}") \
                    from None
        else:
            raise ZMQError(C.EINVAL, f"cannot resolve {host!r} in {endpoint!r}: {e}") from None
    fam, _, _, _, sa = infos[0]
    return Address(fam, sa, "tcp")


def resolve_ipc(address: str, endpoint: str, bind: bool) -> Address:
    if address == "*":
        if not bind:
            raise ZMQError(C.EINVAL, f"{endpoint!r}: only bind accepts the ipc wildcard")
        fd, path = tempfile.mkstemp(prefix="zmq4-", suffix=".ipc")
        os.close(fd)
        os.unlink(path)
        address = path
    if address.startswith("@"):
        if len(address) == 1:
            raise ZMQError(C.EINVAL, f"{endpoint!r}: empty abstract ipc name")
        sa: Any = "\0" + address[1:]
    else:
        sa = address
    if len(sa.encode("utf-8", "surrogateescape")) > 107:
        raise ZMQError(C.ENAMETOOLONG, f"ipc path too long ({len(sa)} bytes, at most 107): "
                                       f"{endpoint!r}")
    return Address(socket.AF_UNIX, sa, "ipc")
