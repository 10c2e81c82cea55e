# Cython pure-Python-mode declarations for fastpath.py (it must keep working uncompiled).
cimport cython
from zmq4.msg cimport Msg

cdef int _MORE
cdef int _SNDMORE
cdef int _DONTWAIT
cdef int _EAGAIN, _ETERM, _ENOTSOCK

@cython.locals(cmd=tuple)
cpdef process_commands(object sock, int timeout_ms=*)
cdef int _wait_ms(double deadline) except -1
@cython.locals(timeout=int, wait=int, deadline=double)
cpdef send_wait(object sock, Msg msg, int flags)
@cython.locals(timeout=int, wait=int, deadline=double, m=Msg)
cpdef Msg recv_wait(object sock, int flags)

cpdef bint send_nowait(object sock, Msg frame, int flags) except -1
@cython.locals(m=Msg)
cpdef Msg recv_nowait(object sock)
cpdef send(object sock, Msg frame, int flags)
@cython.locals(m=Msg)
cpdef Msg recv(object sock, int flags)
