# cython: language_level=3
"""The object API's per-message socket methods, compiled: ``SocketFace``, the base class
of :class:`zmq4.backend.socket.Socket` (and so of ``zmq4.Socket``).

Owns: the ``_core`` field (the core socket a face speaks for) and ``send``/``recv``,
whose common case (a ``bytes`` payload in, ``bytes`` out, no routing or group) reaches
the core's fast path (``zmq4.core.fastpath``) in C: no interpreted frame, and no
attribute lookup through the option-attribute hook that ``zmq4.Socket`` has
(``AttributeSetter.__getattr__`` puts every lookup on a slower path). Every other case
is handed to the subclass's Python methods (``_send_other``, ``Frame._from_msg``).

Rules: behaviour is the backend socket's, stated in ``zmq4.backend.socket``; this module
changes only where it runs. Errors surface as there: a core ``ZMQError`` becomes the
host package's class for its errno (``host_of``); flags that are not an int raise the
backend's ``TypeError`` naming them. On a face whose ``_core`` was never set (a
subclass's ``__init__`` failed before setting it) the compiled paths raise ENOTSOCK: they
never reach the core with a null socket.
Typing: ``_socketface.pyi``.
"""

from zmq4.core.fastpath cimport recv as _fast_recv
from zmq4.core.fastpath cimport recv_bytes as _fast_recv_bytes
from zmq4.core.fastpath cimport send_bytes as _fast_send_bytes
from zmq4.core.sockcore cimport SocketCore
from zmq4.msg cimport Msg

from zmq4 import zmq_h as _C
from zmq4.backend.host import host_of
from zmq4.errors import ZMQError


cdef SocketCore _core_of(SocketFace face):
    core = face._core
    if core is None:
        raise ZMQError(_C.ENOTSOCK, "socket was never created")
    return core


cdef class SocketFace:
    """Base of the backend ``Socket``: its core socket and its compiled send/recv."""

    cdef public SocketCore _core

    def send(self, data, flags=0, copy=True, track=False, routing_id=None, group=None):
        """Queue one frame (``flags``: ``DONTWAIT``, ``SNDMORE``).

        ``data`` is bytes-like or a :class:`Frame`. ``copy=False`` references buffers of at
        least ``copy_threshold`` bytes instead of copying them (returns the frame's
        :class:`MessageTracker` when ``track=True``, else None; smaller buffers are copied
        and a finished tracker returned). Frames are always sent without copying."""
        if copy and type(data) is bytes and routing_id is None and group is None:
            try:
                _fast_send_bytes(_core_of(self), <bytes>data, flags)
            except ZMQError as e:
                raise host_of(type(self)).exception(e) from None
            except TypeError:
                self._check_flags(flags)
                raise
            return None
        return self._send_other(data, flags, copy, track, routing_id, group)

    def recv(self, flags=0, copy=True, track=False):
        """The next frame: ``bytes`` (``copy=True``) or a :class:`Frame` sharing the
        payload (``copy=False``; ``frame.more`` tells whether more frames follow).
        ``DONTWAIT`` (or RCVTIMEO) raises ``zmq4.Again`` when nothing is queued."""
        cdef SocketCore core
        cdef Msg m
        try:
            core = _core_of(self)
            if copy:
                return _fast_recv_bytes(core, flags)
            m = _fast_recv(core, flags)
        except ZMQError as e:
            raise host_of(type(self)).exception(e) from None
        except TypeError:
            self._check_flags(flags)
            raise
        return host_of(type(self)).frame_class._from_msg(m, core.rcvmore, track)
