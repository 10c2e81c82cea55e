"""``zmq4.proxy``, ``zmq4.proxy_steerable`` and ``zmq4.device``: the object-API entry points
to the core proxy (:func:`zmq4.core.proxy.proxy`), which runs in the caller's thread.

Rules: arguments are zmq4 ``Socket`` objects (``capture``/``control`` optional); ``proxy`` and
``device`` return only through an exception — ``ContextTerminated`` when the context is
terminated — and ``proxy_steerable`` returns 0 after TERMINATE on ``control`` (PAUSE and
RESUME suspend and restart forwarding). Imports: the core proxy and the socket face.
"""

from __future__ import annotations

from typing import Any

from .._face import translate
from ..core import proxy as _proxy
from ..core.socket_base import SocketBase
from ..errors import ZMQError
from ..socket import Socket


def _core(sock: Any, name: str, optional: bool = False) -> SocketBase | None:
    if sock is None and optional:
        return None
    if not isinstance(sock, Socket):
        raise TypeError(f"{name} must be a zmq4.Socket, not {type(sock).__name__}")
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
        raise translate(e) from None


def proxy(frontend: Socket, backend: Socket, capture: Socket | None = None) -> int:
    """Forward messages between ``frontend`` and ``backend`` until the context is
    terminated (raises ``ContextTerminated``); every message is also sent to ``capture``."""
    return proxy_steerable(frontend, backend, capture, None)


def device(device_type: int, frontend: Socket, backend: Socket) -> int:
    """Deprecated ``zmq_device``: a :func:`proxy` (``device_type`` is ignored)."""
    if isinstance(device_type, bool) or not isinstance(device_type, int):
        raise TypeError(f"device_type must be an int, not {type(device_type).__name__}")
    return proxy(frontend, backend)


__all__ = ["device", "proxy", "proxy_steerable"]
