# Cython pure-Python-mode declarations for fastpath.py (it must keep working uncompiled).
cimport cython
from zmq4.msg cimport Msg

cdef int _MORE
cdef int _SNDMORE
cdef int _DONTWAIT
cdef int _EAGAIN, _ETERM, _ENOTSOCK

@cython.locals(cmd=tuple)
cpdef process_commands(object sock, int timeout_ms=*)
cdef double _deadline(int timeout, int flags) except? -2.0
@cython.locals(wait=int)
cdef _wait_commands(object sock, double deadline, str doing)
@cython.locals(deadline=double)
cpdef send_wait(object sock, Msg msg, int flags)
@cython.locals(deadline=double, m=Msg)
cpdef Msg recv_wait(object sock, int flags)

cpdef bint send_nowait(object sock, Msg frame, int flags) except -1
@cython.locals(m=Msg)
cpdef Msg recv_nowait(object sock)
cpdef send(object sock, Msg frame, int flags=*)
@cython.locals(m=Msg)
cpdef Msg recv(object sock, int flags=*)
