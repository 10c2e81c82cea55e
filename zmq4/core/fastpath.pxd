# Cython pure-Python-mode declarations for fastpath.py (it must keep working uncompiled).
cimport cython
from zmq4.msg cimport Msg, frame, payload_size
from zmq4.core.sockcore cimport SocketCore
from zmq4.core.mailbox cimport Mailbox
from zmq4.core.fq cimport FQ

cdef int _MORE
cdef int _SNDMORE
cdef int _DONTWAIT
cdef int _EAGAIN, _ETERM, _ENOTSOCK
cdef int _POLLIN, _POLLOUT

@cython.locals(cmd=tuple, mb=Mailbox)
cpdef process_commands(SocketCore sock, int timeout_ms=*)
@cython.locals(pipe=object)
cdef object _far_sink(SocketCore sock)
cdef bint _wait_through(SocketCore sock, Mailbox mb, int timeout_ms) except -1
@cython.locals(ev=int)
cpdef int events(SocketCore sock) except -1
cdef double _deadline(int timeout, int flags) except? -2.0
@cython.locals(wait=int)
cdef _wait_commands(SocketCore sock, double deadline, str doing)
@cython.locals(deadline=double)
cpdef send_wait(SocketCore sock, Msg msg, int flags)
@cython.locals(deadline=double, m=Msg)
cpdef Msg recv_wait(SocketCore sock, int flags)

cpdef bint send_nowait(SocketCore sock, Msg frame, int flags) except -1
@cython.locals(m=Msg)
cpdef Msg recv_nowait(SocketCore sock)
@cython.locals(out=list, m=Msg, total=Py_ssize_t, fq=FQ)
cpdef list recv_ready(SocketCore sock, Py_ssize_t max_frames, Py_ssize_t max_bytes)
cpdef object bound_owner(object method, type cls, str name)
cpdef send(SocketCore sock, Msg frame, int flags=*)
@cython.locals(m=Msg)
cpdef Msg recv(SocketCore sock, int flags=*)
cpdef send_bytes(SocketCore sock, bytes data, int flags=*)
@cython.locals(d=object)
cpdef bytes recv_bytes(SocketCore sock, int flags=*)
