# Cython pure-Python-mode declarations for fastpath.py (it must keep working uncompiled).
cimport cython
from zmq4.msg cimport Msg

cdef int _MORE
cdef int _SNDMORE

cpdef send(object sock, Msg frame, int flags)
@cython.locals(m=Msg)
cpdef Msg recv(object sock, int flags)
