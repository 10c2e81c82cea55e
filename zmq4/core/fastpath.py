# cython: annotation_typing=False
"""Send/recv fast path shared by the faces (capi, the object API), and the socket's
waiting loops.

Owns: ``send(sock, frame, flags)`` and ``recv(sock, flags)``, bound as ``SocketBase``'s
methods and called directly by the faces: the closed/terminated checks, pending commands,
then the socket type's ``xsend``/``xrecv``, with no interpreted frame around them.
``send_bytes``/``recv_bytes`` are the same for a one-part ``bytes`` payload, frame
built / payload taken in compiled code. ``send_nowait``/``recv_nowait`` are that first
attempt on its own, reporting "not now" as a value, not EAGAIN (what an event loop
wants); ``events`` is ZMQ_EVENTS. Also owns the loops every blocking call spends its
time in: ``process_commands`` (bound as a ``SocketBase`` method too: mailbox wait +
command dispatch; the per-message ``activate_read`` is handled inline; a REQ or REP with
one tcp/ipc peer may have its session wait in its place, ``_wait_through``), ``send_wait``
and ``recv_wait`` (the rest of a send/recv whose first attempt found no room / nothing:
DONTWAIT and SNDTIMEO/RCVTIMEO 0 give EAGAIN at once, otherwise wait for commands until
the deadline).

Compiled by Cython in pure-Python mode (``fastpath.pxd``); works the same interpreted.
"""

from __future__ import annotations

import math
import time
from typing import Any

from .. import zmq_h as _C
from ..errors import ZMQError
from ..msg import MORE as _MORE
from ..msg import Msg, frame, payload_size
from .fq import FQ

_SNDMORE = _C.SNDMORE  # a C int when compiled
_DONTWAIT = _C.DONTWAIT
_EAGAIN = _C.EAGAIN
_ETERM = _C.ETERM
_ENOTSOCK = _C.ENOTSOCK
_POLLIN = _C.POLLIN
_POLLOUT = _C.POLLOUT


def process_commands(sock: Any, timeout_ms: int = 0) -> None:
    """``SocketBase.process_commands``: handle queued commands, waiting up to
    ``timeout_ms`` for one (-1: forever); ETERM once the context stopped the socket."""
    mb = sock.mailbox
    if timeout_ms != 0 and not mb.commands and not _wait_through(sock, mb, timeout_ms):
        mb.wait(timeout_ms)
    mb.clear_signal()
    cmds = mb.commands
    while cmds:
        cmd = cmds.popleft()
        if cmd[0] == "activate_read":  # the per-message command: no _dispatch frame
            pipe = cmd[1]
            if pipe in sock.pipes:
                sock.xread_activated(pipe)
        else:
            sock._dispatch(cmd)
    if sock.ctx_terminated:
        raise ZMQError(_ETERM)


def _far_sink(sock: Any) -> Any:
    """The sink at the far end of the one pipe of a send-through socket (REQ, REP): where
    its recv-through and read-on-loop are offered (a tcp/ipc session, zmq4.io.session).
    None for other socket types and other numbers of pipes."""
    if not sock.SEND_THROUGH:
        return None
    pipes = sock.pipes
    if len(pipes) != 1:
        return None
    for pipe in pipes:
        return pipe.peer.sink
    return None


def _wait_through(sock: Any, mb: Any, timeout_ms: int) -> bool:
    """A wait of a send-through socket with one peer: let the far sink of its pipe, if it
    can, wait for its input in this thread as well as for our commands (``wait_through``:
    a tcp/ipc session's recv-through). False: nobody did, wait for commands as usual."""
    wait_through = getattr(_far_sink(sock), "wait_through", None)
    if wait_through is None:
        return False
    return wait_through(mb, timeout_ms)  # type: ignore[no-any-return]


def lend_reads(sock: Any) -> Any:
    """For an event loop about to wait for a recv on a send-through socket with one peer:
    ask the far sink of its pipe to let the loop read its input (``lend_reads``: a tcp/ipc
    session's read-on-loop). ``(sink, token, fd)``: watch fd, then
    ``sink.read_lent(token, sock.mailbox)`` when it is readable and ``sink.unlend(token)``
    when done; None: nobody offered, wait for commands as usual."""
    sink = _far_sink(sock)
    lend = getattr(sink, "lend_reads", None)
    if lend is None:
        return None
    lent = lend()
    if lent is None:
        return None
    return sink, lent[0], lent[1]


def take_back_reads(sock: Any) -> None:
    """A blocking wait on ``sock`` outside its event loop (zmq_poll): reads lent to a loop
    (``lend_reads``) go back to the I/O thread, so a loop that is not running cannot
    strand them (a blocking recv does the same through ``wait_through``)."""
    take_back = getattr(_far_sink(sock), "take_back", None)
    if take_back is not None:
        take_back()


def events(sock: Any) -> int:
    """``SocketBase.events`` (ZMQ_EVENTS): process pending commands, then report
    POLLIN/POLLOUT."""
    if sock.closed:
        raise ZMQError(_ENOTSOCK, "socket is closed")
    process_commands(sock, 0)
    ev = 0
    if sock.CAN_RECV and sock.xhas_in():
        ev |= _POLLIN
    if sock.CAN_SEND and sock.xhas_out():
        ev |= _POLLOUT
    return ev


def _deadline(timeout: int, flags: int) -> float:
    """When a blocking call waiting ``timeout`` ms (SNDTIMEO/RCVTIMEO) gives up, in
    monotonic seconds; -1.0: never. EAGAIN at once for DONTWAIT or a timeout of 0."""
    if flags & _DONTWAIT or timeout == 0:
        raise ZMQError(_EAGAIN)
    if timeout < 0:
        return -1.0
    return time.monotonic() + timeout / 1000.0


def _wait_commands(sock: Any, deadline: float, doing: str) -> None:
    """One wait of a blocking call: process commands, sleeping until one comes or the
    deadline passes (the remaining milliseconds rounded up, so the last one is slept, not
    spun); ENOTSOCK if the socket was closed meanwhile (by another thread: unsupported,
    but it must stop the wait, not spin it)."""
    if deadline < 0:
        wait = -1
    else:
        wait = max(0, math.ceil((deadline - time.monotonic()) * 1000))
    process_commands(sock, wait)
    if sock.closed:
        raise ZMQError(_ENOTSOCK, "socket closed while " + doing)


def send_wait(sock: Any, msg: Msg, flags: int) -> None:
    """The rest of a send whose first ``xsend`` found no room."""
    deadline = _deadline(sock.options.sndtimeo, flags)
    while True:
        _wait_commands(sock, deadline, "sending")
        if sock.xsend(msg):
            return
        if deadline >= 0 and time.monotonic() >= deadline:
            raise ZMQError(_EAGAIN)


def recv_wait(sock: Any, flags: int) -> Msg:
    """The rest of a recv whose first ``xrecv`` found nothing."""
    deadline = _deadline(sock.options.rcvtimeo, flags)
    while True:
        _wait_commands(sock, deadline, "receiving")
        m = sock.xrecv()
        if m is not None:
            sock.rcvmore = (m.flags & _MORE) != 0
            return m  # type: ignore[no-any-return]
        if deadline >= 0 and time.monotonic() >= deadline:
            raise ZMQError(_EAGAIN)


def send_nowait(sock: Any, frame: Msg, flags: int) -> bool:
    """``sock.send(frame, flags | DONTWAIT)`` reporting no room as False instead of
    raising EAGAIN (an event loop's attempt, where no room is the common case)."""
    if sock.closed or sock.ctx_terminated:
        sock._check()
    if sock.mailbox.commands:
        process_commands(sock, 0)
    if flags & _SNDMORE:
        frame.flags |= _MORE
    else:
        frame.flags &= ~_MORE
    fn = sock.xsend_fn  # the socket type's compiled xsend, if it bound one
    if fn is not None:
        return fn(frame)  # type: ignore[no-any-return]
    return sock.xsend(frame)  # type: ignore[no-any-return]


def recv_nowait(sock: Any) -> Msg | None:
    """``sock.recv(DONTWAIT)`` returning None instead of raising EAGAIN."""
    if sock.closed or sock.ctx_terminated:
        sock._check()
    if sock.mailbox.commands:
        process_commands(sock, 0)
    fn = sock.xrecv_fn  # the socket type's compiled xrecv, if it bound one
    m = fn() if fn is not None else sock.xrecv()
    if m is not None:
        sock.rcvmore = (m.flags & _MORE) != 0
    return m  # type: ignore[no-any-return]


def recv_ready(sock: Any, max_frames: int, max_bytes: int) -> list[Msg]:
    """The frames ``recv_nowait`` would return one by one now, as a list: at most
    ``max_frames``, stopping after ``max_bytes`` of payload (the C shim's fetch-ahead).
    ``rcvmore`` ends as after the last one."""
    out: list[Msg] = []
    m = recv_nowait(sock)
    if m is None:
        return out
    xrecv = sock.xrecv
    fq = bound_owner(xrecv, FQ, "recv")  # PULL, DEALER, XSUB: FQ.recv, called in C
    total = 0
    while True:
        out.append(m)
        total += payload_size(m.data)
        if len(out) >= max_frames or total >= max_bytes:
            break
        m = fq.recv() if fq is not None else xrecv()
        if m is None:
            break
        sock.rcvmore = (m.flags & _MORE) != 0
    return out


def bound_owner(method: Any, cls: type, name: str) -> Any:
    """The ``cls`` instance whose method ``name`` the bound ``method`` is, else None: a
    socket type binds its ``xsend``/``xrecv`` to its LB/FQ's ``send``/``recv``, and a
    loop over many frames calls those in C rather than through the bound method."""
    owner = getattr(method, "__self__", None)
    if type(owner) is cls and getattr(method, "__name__", None) == name:
        return owner
    return None


def send(sock: Any, frame: Msg, flags: int = 0) -> None:
    """``SocketBase.send`` (bound as the method): queue one frame, blocking per SNDTIMEO
    unless DONTWAIT."""
    if not send_nowait(sock, frame, flags):
        send_wait(sock, frame, flags)


def recv(sock: Any, flags: int = 0) -> Msg:
    """``SocketBase.recv`` (bound as the method): the next frame, blocking per RCVTIMEO
    unless DONTWAIT; sets RCVMORE."""
    m = recv_nowait(sock)
    if m is None:
        return recv_wait(sock, flags)
    return m


def send_bytes(sock: Any, data: bytes, flags: int = 0) -> None:
    """``send`` of a new one-part frame holding ``data`` (exact ``bytes``: the object
    API's common case, with no interpreted call to build the frame)."""
    send(sock, frame(data, 0), flags)


def recv_bytes(sock: Any, flags: int = 0) -> bytes:
    """``recv``, returning the payload as ``bytes`` (copied only if it is not already
    ``bytes``)."""
    d = recv(sock, flags).data
    if type(d) is bytes:
        return d
    return bytes(d)
