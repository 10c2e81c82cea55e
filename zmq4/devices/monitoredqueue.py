"""``monitored_queue``: a queue between two sockets that also publishes every message,
prefixed with its direction, on a monitor socket (pyzmq's ``zmq.devices.monitored_queue``).

Owns: the relay loop. Unlike the core proxy it supports ROUTER on both sides (the two
routing-id frames are swapped so replies find their way back) and prefixes each copy with
``in_prefix`` / ``out_prefix``. Frames are relayed without copying (``copy=False``).
Returns only through ``ContextTerminated`` (or another error). Imports: the object face.
"""

from __future__ import annotations

from .. import constants as C
from ..poller import Poller
from ..socket import Socket


def _relay(ins: Socket, outs: Socket, mons: Socket, prefix: bytes, swap_ids: bool) -> None:
    msg = ins.recv_multipart(copy=False)
    if swap_ids and len(msg) >= 2:
        msg[0], msg[1] = msg[1], msg[0]
    outs.send_multipart(msg, copy=False)
    mons.send_multipart([prefix, *msg], copy=False)


def monitored_queue(in_socket: Socket, out_socket: Socket, mon_socket: Socket,
                    in_prefix: bytes = b"in", out_prefix: bytes = b"out") -> int:
    """Relay whole messages both ways between ``in_socket`` and ``out_socket``, sending a
    copy of each, prefixed by the direction, to ``mon_socket``."""
    for name, sock in (("in_socket", in_socket), ("out_socket", out_socket),
                       ("mon_socket", mon_socket)):
        if not isinstance(sock, Socket):
            raise TypeError(f"{name} must be a zmq4.Socket, not {type(sock).__name__}")
    for name, prefix in (("in_prefix", in_prefix), ("out_prefix", out_prefix)):
        if not isinstance(prefix, bytes):
            raise TypeError(f"{name} must be bytes, not {type(prefix).__name__}")
    swap_ids = in_socket.type == C.ROUTER and out_socket.type == C.ROUTER
    poller = Poller()
    poller.register(in_socket, C.POLLIN)
    poller.register(out_socket, C.POLLIN)
    while True:
        events = dict(poller.poll())
        if in_socket in events:
            _relay(in_socket, out_socket, mon_socket, in_prefix, swap_ids)
        if out_socket in events:
            _relay(out_socket, in_socket, mon_socket, out_prefix, swap_ids)


__all__ = ["monitored_queue"]
