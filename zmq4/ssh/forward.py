"""Local port forwarding over a paramiko SSH transport (what ``ssh -L`` does), for
:func:`zmq4.ssh.tunnel.paramiko_tunnel` (pyzmq's ``zmq.ssh.forward``).

Owns :func:`forward_tunnel`: a TCP server on ``127.0.0.1:local_port`` whose every
accepted connection is relayed, both ways, through a ``direct-tcpip`` channel of the SSH
transport to ``remote_host:remote_port`` as seen from the SSH server. One thread per
connection; a connection the server refuses is closed at once (logged at DEBUG on the
``zmq4.ssh`` logger). It serves until the process ends (paramiko_tunnel runs it in a
process of its own).
"""

from __future__ import annotations

import logging
import select
import socket
import socketserver
from typing import Any

__all__ = ["forward_tunnel"]

log = logging.getLogger("zmq4.ssh")

_CHUNK = 65536


class ForwardServer(socketserver.ThreadingTCPServer):
    """Accepts the local connections (threads die with the process)."""

    daemon_threads = True
    allow_reuse_address = True


class Handler(socketserver.BaseRequestHandler):
    """Relays one accepted connection through one SSH channel."""

    ssh_transport: Any  # paramiko.Transport
    chain_host: str
    chain_port: int

    def handle(self) -> None:
        local: socket.socket = self.request
        target = (self.chain_host, self.chain_port)
        try:
            chan = self.ssh_transport.open_channel("direct-tcpip", target,
                                                   local.getpeername())
        except Exception as e:  # noqa: BLE001 - refused or transport gone: drop this one
            log.debug("zmq4.ssh: forwarding to %s:%d failed: %r", *target, e)
            return
        if chan is None:
            log.debug("zmq4.ssh: the SSH server refused forwarding to %s:%d", *target)
            return
        log.debug("zmq4.ssh: tunnel %r -> %s:%d open", local.getpeername(), *target)
        try:
            while True:
                readable, _, _ = select.select([local, chan], [], [])
                if local in readable:
                    data = local.recv(_CHUNK)
                    if not data:
                        break
                    chan.sendall(data)
                if chan in readable:
                    data = chan.recv(_CHUNK)
                    if not data:
                        break
                    local.sendall(data)
        except OSError as e:
            log.debug("zmq4.ssh: tunnel to %s:%d broke: %r", *target, e)
        finally:
            chan.close()
            local.close()
        log.debug("zmq4.ssh: tunnel to %s:%d closed", *target)


def forward_tunnel(local_port: int, remote_host: str, remote_port: int,
                   transport: Any) -> None:
    """Forward ``127.0.0.1:local_port`` to ``remote_host:remote_port`` through the SSH
    ``transport`` (a connected ``paramiko.Transport``); serves forever."""

    class TunnelHandler(Handler):
        chain_host = remote_host
        chain_port = remote_port
        ssh_transport = transport

    with ForwardServer(("127.0.0.1", local_port), TunnelHandler) as server:
        server.serve_forever()
