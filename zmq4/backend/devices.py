"""Forwarding between sockets (pyzmq's backend ``proxy``, ``proxy_steerable``,
``monitored_queue``, and the deprecated ``device``).

Owns the object-API entry points to the core proxy (:func:`zmq4.core.proxy.proxy`, which
runs in the caller's thread) and the ``monitored_queue`` relay.

Rules: arguments are zmq4 sockets (any class built on the backend socket; ``capture``/
``control`` optional). ``proxy`` and ``device`` return only through an exception —
``ContextTerminated`` when the context is terminated — and ``proxy_steerable`` returns 0
after TERMINATE on ``control`` (PAUSE and RESUME suspend and restart forwarding).
``monitored_queue`` relays whole messages both ways without copying frames, sends a copy of
each to the monitor socket prefixed with its direction, and — unlike the core proxy —
allows ROUTER on both sides (the two routing-id frames are swapped so replies find their
way back); it also returns only through an exception.
Imports: the core proxy, the backend socket and poll, the leaves.
"""

from __future__ import annotations

from typing import Any

from .. import zmq_h as C
from ..core import proxy as _proxy
from ..core.socket_base import SocketBase
from ..errors import ZMQError
from .host import host_of
from .poll import zmq_poll
from .socket import Socket


def _core(sock: Any, name: str, optional: bool = False) -> SocketBase | None:
    if sock is None and optional:
        return None
    if not isinstance(sock, Socket):
        raise TypeError(f"{name} must be a zmq4 Socket, not {type(sock).__name__}")
    return sock._core


def proxy_steerable(frontend: Socket, backend: Socket, capture: Socket | None = None,
                    control: Socket | None = None) -> int:
    """Forward messages between ``frontend`` and ``backend`` (copies to ``capture``),
    steered by PAUSE / RESUME / TERMINATE messages on ``control``; returns 0 after
    TERMINATE."""
    f = _core(frontend, "frontend")
    b = _core(backend, "backend")
    assert f is not None and b is not None
    c = _core(capture, "capture", optional=True)
    k = _core(control, "control", optional=True)
    try:
        return _proxy.proxy(f, b, c, k)
    except ZMQError as e:
        raise host_of(type(frontend)).exception(e) from None


def proxy(frontend: Socket, backend: Socket, capture: Socket | None = None) -> int:
    """Forward messages between ``frontend`` and ``backend`` until the context is
    terminated (raises ``ContextTerminated``); every message is also sent to ``capture``."""
    return proxy_steerable(frontend, backend, capture, None)


def device(device_type: int, frontend: Socket, backend: Socket) -> int:
    """Deprecated ``zmq_device``: a :func:`proxy` (``device_type`` is ignored)."""
    if isinstance(device_type, bool) or not isinstance(device_type, int):
        raise TypeError(f"device_type must be an int, not {type(device_type).__name__}")
    return proxy(frontend, backend)


def _relay(ins: Socket, outs: Socket, mons: Socket, prefix: bytes, swap_ids: bool) -> None:
    frames = [ins.recv(0, copy=False)]
    while frames[-1].more:
        frames.append(ins.recv(0, copy=False))
    if swap_ids and len(frames) >= 2:
        frames[0], frames[1] = frames[1], frames[0]
    last = len(frames) - 1
    for i, f in enumerate(frames):
        outs.send(f, C.SNDMORE if i < last else 0, copy=False)
    mons.send(prefix, C.SNDMORE)
    for i, f in enumerate(frames):
        mons.send(f, C.SNDMORE if i < last else 0, copy=False)


def monitored_queue(in_socket: Socket, out_socket: Socket, mon_socket: Socket,
                    in_prefix: bytes = b"in", out_prefix: bytes = b"out") -> int:
    """Relay whole messages both ways between ``in_socket`` and ``out_socket``, sending a
    copy of each, prefixed by the direction, to ``mon_socket``."""
    for name, sock in (("in_socket", in_socket), ("out_socket", out_socket),
                       ("mon_socket", mon_socket)):
        if not isinstance(sock, Socket):
            raise TypeError(f"{name} must be a zmq4 Socket, not {type(sock).__name__}")
    for name, prefix in (("in_prefix", in_prefix), ("out_prefix", out_prefix)):
        if not isinstance(prefix, bytes):
            raise TypeError(f"{name} must be bytes, not {type(prefix).__name__}")
    swap_ids = in_socket.get(C.TYPE) == C.ROUTER and out_socket.get(C.TYPE) == C.ROUTER
    items = [(in_socket, C.POLLIN), (out_socket, C.POLLIN)]
    while True:
        ready = dict(zmq_poll(items, -1))
        if in_socket in ready:
            _relay(in_socket, out_socket, mon_socket, in_prefix, swap_ids)
        if out_socket in ready:
            _relay(out_socket, in_socket, mon_socket, out_prefix, swap_ids)


__all__ = ["device", "monitored_queue", "proxy", "proxy_steerable"]
