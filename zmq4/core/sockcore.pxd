# Cython pure-Python-mode declarations for sockcore.py (it must keep working uncompiled).
from zmq4.core.mailbox cimport Mailbox

cdef class SocketCore:
    cdef public bint closed
    cdef public bint ctx_terminated
    cdef public bint rcvmore
    cdef public Mailbox mailbox
    cdef public object xsend_fn
    cdef public object xrecv_fn

    cpdef post(self, command)
    cpdef bind_fast(self, object xsend=*, object xrecv=*)
    cpdef unbind_fast(self)
