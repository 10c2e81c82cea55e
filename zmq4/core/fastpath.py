# cython: annotation_typing=False
"""Send/recv fast path shared by the faces (capi, the object API).

Owns: ``send(sock, frame, flags)`` and ``recv(sock, flags)``, which do what
``SocketBase.send``/``recv`` do, with their first attempt in compiled code: for the
common case (socket open, no pending commands, the frame fits / a frame is queued) no
Python frame runs around the socket type's compiled ``xsend``/``xrecv``. Anything else
(closed or terminated socket, commands to process, no room, nothing queued) goes through
the socket's own methods, which own the rules (checks, waits, timeouts, EAGAIN).

Compiled by Cython in pure-Python mode (``fastpath.pxd``); works the same interpreted.
"""

from __future__ import annotations

from typing import Any

from .. import constants as _C
from ..msg import MORE as _MORE
from ..msg import Msg

_SNDMORE = _C.SNDMORE  # a C int when compiled


def send(sock: Any, frame: Msg, flags: int) -> None:
    """``sock.send(frame, flags)``: the same checks in the same order, first try inline."""
    if sock.closed or sock.ctx_terminated or sock.mailbox.commands:
        sock.send(frame, flags)
        return
    if flags & _SNDMORE:
        frame.flags |= _MORE
    else:
        frame.flags &= ~_MORE
    if not sock.xsend(frame):
        sock._send_wait(frame, flags)


def recv(sock: Any, flags: int) -> Msg:
    """``sock.recv(flags)``, first try inline (sets RCVMORE as recv does)."""
    if sock.closed or sock.ctx_terminated or sock.mailbox.commands:
        return sock.recv(flags)  # type: ignore[no-any-return]
    m = sock.xrecv()
    if m is None:
        return sock._recv_wait(flags)  # type: ignore[no-any-return]
    sock.rcvmore = (m.flags & _MORE) != 0
    return m  # type: ignore[no-any-return]
