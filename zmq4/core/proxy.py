"""zmq_proxy / zmq_proxy_steerable / zmq_device (libzmq proxy.cpp), in the caller's thread.

Owns: shuttling whole multipart messages frontend→backend and backend→frontend (frames
passed through without copying; each frame also copied by reference to ``capture``), the
steerable control commands PAUSE / RESUME / TERMINATE, and the single-socket case
(frontend is backend: echo). A direction is served only when its source has a message and
its destination has room (4.0.6, #1382); while one side cannot take more, the proxy waits
for POLLOUT on it instead of spinning. Unknown control commands are an error (EINVAL), not
an abort as in 4.0.
"""

from __future__ import annotations

from typing import Optional

from .. import zmq_h as C
from ..errors import ZMQError
from .poll import poll
from .socket_base import SocketBase

_BATCH = 1000  # whole messages forwarded per direction before polling again


def _forward(src: SocketBase, dst: SocketBase, capture: Optional[SocketBase]) -> None:
    for _ in range(_BATCH):
        while True:
            msg = src.recv(C.DONTWAIT)
            more = src.rcvmore
            if capture is not None:
                capture.send(msg.copy(), C.SNDMORE if more else 0)
            dst.send(msg, C.SNDMORE if more else 0)
            if not more:
                break
        if not (src.events() & C.POLLIN and (dst is src or dst.events() & C.POLLOUT)):
            return


def proxy(frontend: SocketBase, backend: SocketBase, capture: Optional[SocketBase] = None,
          control: Optional[SocketBase] = None) -> int:
    """Run until ETERM (raised) or TERMINATE on ``control`` (returns 0)."""
    paused = False
    single = frontend is backend
    while True:
        fe = frontend.events()
        be = fe if single else backend.events()
        if not paused:
            if fe & C.POLLIN and (single or be & C.POLLOUT):
                _forward(frontend, backend, capture)
                continue
            if not single and be & C.POLLIN and fe & C.POLLOUT:
                _forward(backend, frontend, capture)
                continue
        items: list[tuple[object, int]] = []
        if not paused:
            # wait for what would unblock each direction
            if fe & C.POLLIN and not single:
                items.append((backend, C.POLLOUT))
            else:
                items.append((frontend, C.POLLIN))
            if not single:
                if be & C.POLLIN:
                    items.append((frontend, C.POLLOUT))
                else:
                    items.append((backend, C.POLLIN))
        if control is not None:
            items.append((control, C.POLLIN))
        revents = poll(items, -1)
        if control is not None and revents[-1] & C.POLLIN:
            msg = control.recv(C.DONTWAIT)
            if control.rcvmore:
                while control.rcvmore:
                    control.recv(C.DONTWAIT)
                raise ZMQError(C.EINVAL, "proxy control message must be a single frame")
            if capture is not None:
                capture.send(msg.copy(), 0)
            cmd = msg.bytes()
            if cmd == b"PAUSE":
                paused = True
            elif cmd == b"RESUME":
                paused = False
            elif cmd == b"TERMINATE":
                return 0
            else:
                raise ZMQError(C.EINVAL, f"unknown proxy control command {cmd[:32]!r} "
                                         "(expected PAUSE, RESUME or TERMINATE)")
