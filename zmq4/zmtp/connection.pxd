# Cython pure-Python-mode declarations for connection.py (it must keep working
# uncompiled). ZmtpConnection becomes a cdef class: the fields the per-message paths
# (send_messages, chunks_to_send, receive_messages) touch are C fields; an instance
# __dict__ keeps every other attribute as it was.
cimport cython
from zmq4.zmtp._codec cimport Decoder

cdef class ZmtpConnection:
    cdef dict __dict__
    cdef public object _state
    cdef public object _out
    cdef public list _chunks
    cdef public object _events
    cdef public Decoder _decoder
    cdef public bint _v1
    cdef public bint _fast
    cdef public Decoder direct_decoder

    cpdef list chunks_to_send(self)
    @cython.locals(dec=Decoder, items=list)
    cpdef receive_messages(self, data)
    cpdef send_messages(self, messages)
