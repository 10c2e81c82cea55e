# Cython pure-Python-mode declarations for session.py (it must keep working uncompiled).
# Session becomes a cdef class: the fields a message's way in and out (post, _pull_out,
# engine_messages) touches are C fields; an instance __dict__ keeps every other
# attribute as it was.

cimport cython
from zmq4.io.engine cimport _EngineBase

cdef class Session:
    cdef dict __dict__
    cdef public object io
    cdef public object pipe
    cdef public _EngineBase engine
    cdef public list pending_in
    cdef public list out_parts
    cdef public list out_held
    cdef public bint terminating
    cdef public bint ended
    cdef public bint _pulling
    cdef public bint _send_through
    cdef public object _signals

    cpdef post(self, command)
    cpdef engine_messages(self, list messages)
    @cython.locals(engine=_EngineBase, parts=list, held=list, batch=list)
    cpdef _pull_out(self)
    cdef bint _reading_idle(self, _EngineBase engine)
