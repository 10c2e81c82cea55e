"""gevent-cooperative ``device`` (pyzmq's ``zmq.green.device``)."""

from __future__ import annotations

from typing import Any

from .. import zmq_h as C
from .poll import Poller

__all__ = ["device"]


def device(device_type: int, isocket: Any, osocket: Any) -> None:
    """Forward messages both ways between ``isocket`` and ``osocket`` (``-1``: the same
    socket) in this greenlet, forever (until a socket error ends it). ``device_type``
    (QUEUE, FORWARDER, STREAMER) is accepted for the signature, as in pyzmq: the direction
    follows from the sockets."""
    if osocket == -1:
        osocket = isocket
    poller = Poller()
    poller.register(isocket, C.POLLIN)
    poller.register(osocket, C.POLLIN)
    while True:
        ready = dict(poller.poll())
        if isocket in ready:
            osocket.send_multipart(isocket.recv_multipart())
        if osocket in ready and osocket is not isocket:
            isocket.send_multipart(osocket.recv_multipart())
