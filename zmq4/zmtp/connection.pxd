# Cython pure-Python-mode declarations for connection.py (it must keep working
# uncompiled). ZmtpConnection becomes a cdef class: the fields the per-message paths
# (send_messages, chunks_to_send, receive_messages) touch are C fields; an instance
# __dict__ keeps every other attribute as it was.
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
