"""Listeners: bound tcp/ipc endpoints accepting connections (libzmq tcp_listener_t,
ipc_listener_t).

Owns: the listening socket of one bind, accepting (after TCP_ACCEPT_FILTER), tuning each
accepted connection, and the sessions born from it (its children: unbind ends them too).
``bind`` runs in the socket's thread so errors (EADDRINUSE, ENOENT...) return from
``zmq_bind``; accepting runs in the I/O thread. The ipc socket file is removed on close,
unless another bind has replaced it meanwhile (closing is asynchronous).
"""

from __future__ import annotations

import errno as _errno
import ipaddress
import os
import socket as _socket
from typing import Any

from .. import _native
from .. import zmq_h as C
from ..errors import ZMQError
from .address import Address
from .reactor import EPOLLIN, IOPool, IOThread
from .session import Session, tune_socket

_ACCEPT_BATCH = 64


class Listener:
    """One bound endpoint."""

    def __init__(self, socket: Any, pool: IOPool, io: IOThread, options: Any,
                 address: Address) -> None:
        self.socket = socket
        self.pool = pool
        self.io = io
        self.options = options
        self.address = address
        self.sock: _socket.socket | None = None
        self.fd = -1
        self.endpoint = ""
        self.children: set[Session] = set()
        self.closed = False
        self._ipc_path: str | None = None
        self._ipc_file: tuple[int, int] | None = None  # (st_dev, st_ino) of our socket file

    def bind(self) -> str:
        """(socket thread) Create, bind and listen; returns the resolved endpoint."""
        a = self.address
        try:
            s = _native.socket(a.family, _socket.SOCK_STREAM)
        except OSError as e:
            raise ZMQError(e.errno or C.EINVAL, f"cannot create socket: {e.strerror}") from None
        try:
            if a.family == _socket.AF_UNIX:
                path = a.sockaddr
                if not path.startswith("\0"):
                    # 4.0: bind unlinks any existing file first (a second binder steals it)
                    try:
                        os.unlink(path)
                    except FileNotFoundError:
                        pass
                    except OSError:
                        pass
                    self._ipc_path = path
            else:
                s.setsockopt(_socket.SOL_SOCKET, _socket.SO_REUSEADDR, 1)
                if a.family == _socket.AF_INET6:
                    s.setsockopt(_socket.IPPROTO_IPV6, _socket.IPV6_V6ONLY, 0)
            if self.options.sndbuf:
                s.setsockopt(_socket.SOL_SOCKET, _socket.SO_SNDBUF, self.options.sndbuf)
            if self.options.rcvbuf:
                s.setsockopt(_socket.SOL_SOCKET, _socket.SO_RCVBUF, self.options.rcvbuf)
            s.bind(a.sockaddr)
            s.listen(self.options.backlog)
            if self._ipc_path is not None:
                st = os.stat(self._ipc_path)
                self._ipc_file = (st.st_dev, st.st_ino)
        except OSError as e:
            s.close()
            code = e.errno or C.EINVAL
            if code == _errno.EACCES and self._ipc_path is None and a.family != _socket.AF_UNIX:
                code = _errno.EACCES
            self._ipc_path = None
            self.socket.event(C.EVENT_BIND_FAILED, code, a.endpoint())
            raise ZMQError(code, f"bind to {a.endpoint()} failed: {e.strerror}") from None
        s.setblocking(False)
        self.sock = s
        self.fd = s.fileno()
        self.endpoint = a.endpoint(s.getsockname())
        return self.endpoint

    def start(self) -> None:
        self.io.post(self._plug)

    def _plug(self) -> None:
        if self.closed or self.sock is None:
            return
        self.io.add(self.fd, self, EPOLLIN)
        self.socket.event(C.EVENT_LISTENING, self.fd, self.endpoint)

    def on_readable(self) -> None:
        for _ in range(_ACCEPT_BATCH):
            if self.sock is None:
                return
            try:
                conn, peer = _native.accept(self.sock)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                self.socket.event(C.EVENT_ACCEPT_FAILED, e.errno or 0, self.endpoint)
                return
            if not self._accept_filter(peer):
                conn.close()
                continue
            conn.setblocking(False)
            try:
                tune_socket(conn, self.options, self.address.family)
            except OSError:
                conn.close()
                continue
            self.socket.event(C.EVENT_ACCEPTED, conn.fileno(), self.endpoint)
            session = Session(self.socket, self.pool, self.io, self.options, self.address,
                              self.endpoint, connect=False, listener=self)
            self.children.add(session)
            session.attach_socket(conn)

    def on_writable(self) -> None:
        pass

    def on_error(self, exc: BaseException) -> None:
        self.socket.event(C.EVENT_ACCEPT_FAILED, C.EINVAL, self.endpoint)

    def _accept_filter(self, peer: Any) -> bool:
        filters = getattr(self.options, "tcp_accept_filters", None)
        if not filters or self.address.family == _socket.AF_UNIX:
            return True
        host = peer[0]
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return False
        fam = _socket.AF_INET6 if ip.version == 6 else _socket.AF_INET
        return any(f.match(fam, ip.packed) for f in filters)

    def child_ended(self, session: Session) -> None:
        self.children.discard(session)

    def terminate(self, linger: int) -> None:
        """(socket thread) unbind/close: stop listening and end the accepted sessions."""
        self.io.post(self._close, linger)

    def _close(self, linger: int) -> None:
        if self.closed:
            return
        self.closed = True
        if self.sock is not None:
            self.io.remove(self.fd)
            fd = self.fd
            self.sock.close()
            self.sock = None
            self.socket.event(C.EVENT_CLOSED, fd, self.endpoint)
        if self._ipc_path is not None:
            self._unlink_ipc_file()
        for child in list(self.children):
            child._terminate(linger)

    def _unlink_ipc_file(self) -> None:
        """Remove our socket file — only if it still is ours: closing is asynchronous, and
        a socket that bound the same path since (a restarted server; 4.0 lets a second
        binder take the path over) must not lose its endpoint to our late unlink."""
        path, self._ipc_path = self._ipc_path, None
        assert path is not None
        try:
            st = os.stat(path)
            if (st.st_dev, st.st_ino) == self._ipc_file:
                os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError as e:
            self.socket.event(C.EVENT_CLOSE_FAILED, e.errno or 0, self.endpoint)

    def force_close(self) -> None:
        self._close(0)
