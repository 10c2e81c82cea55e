# Cython pure-Python-mode declarations for capi.py (capi.py must keep working uncompiled).
# Only the message type and the send/recv hot paths are typed; the rest compiles as
# ordinary Python (same semantics, less interpreter overhead).
cimport cython
from zmq4.msg cimport Msg
from zmq4.msg cimport frame as _frame
from zmq4.msg cimport payload_size as _payload_size

from zmq4.core.fastpath cimport recv as _recv
from zmq4.core.fastpath cimport send as _send

cdef int _MORE

cdef class zmq_msg_t:
    cdef public Msg _msg
    cdef public bint _more
    cdef object __weakref__

cpdef object _sock(object s)
cpdef Msg _live(object msg)
cpdef zmq_msg_t _msg_obj(object msg)

@cython.locals(frame=Msg)
cpdef zmq_msg_send(object msg, object s, object flags)
@cython.locals(m=zmq_msg_t, frame=Msg)
cpdef zmq_msg_recv(object msg, object s, object flags)
