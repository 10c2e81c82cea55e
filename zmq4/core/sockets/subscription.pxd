# Cython pure-Python-mode declarations for subscription.py (it must keep working
# uncompiled). The paths become cdef classes; their fields stay public.
cimport cython
from zmq4.msg cimport Msg
from zmq4.core.pipe cimport Pipe
from zmq4.core.fq cimport FQ
from zmq4.core.dist cimport Dist
from zmq4.core.mtrie cimport MTrie
from zmq4.core.trie cimport Trie

cdef int _MORE

cdef class PublishPath:
    cdef public MTrie subscriptions
    cdef public Dist dist
    cdef public bint more_out
    cdef public object seen
    cdef public Py_ssize_t seen_changes
    cdef public bint seen_covers

    @cython.locals(dist=Dist, pipe=Pipe)
    cpdef bint xsend(self, Msg msg) except -1

cdef class SubscribePath:
    cdef public FQ fq
    cdef public Trie subscriptions
    cdef public bint more_in
    cdef public Msg prefetched

    @cython.locals(fq=FQ, subscriptions=Trie, m=Msg)
    cpdef Msg next_match(self)
    @cython.locals(m=Msg)
    cpdef Msg xrecv(self)
    @cython.locals(m=Msg)
    cpdef bint xhas_in(self) except -1
