# Cython pure-Python-mode declarations for dist.py (dist.py must keep working uncompiled).
cimport cython
from zmq4.msg cimport Msg
from zmq4.core.pipe cimport Pipe
from zmq4.core.fq cimport PipeArray

cdef int _MORE

cdef class Dist:
    cdef public PipeArray arr
    cdef public Py_ssize_t matching
    cdef public bint more
    cdef public list deferred
    cdef public Py_ssize_t skipped
    cdef public Py_ssize_t handoffs
    cdef public Py_ssize_t changes

    cpdef attach(self, Pipe pipe)
    cpdef activated(self, Pipe pipe)
    @cython.locals(arr=PipeArray)
    cpdef _activate(self, Pipe pipe)
    @cython.locals(arr=PipeArray)
    cpdef terminated(self, Pipe pipe)
    @cython.locals(arr=PipeArray)
    cpdef match(self, Pipe pipe)
    @cython.locals(arr=PipeArray, pipe=Pipe)
    cpdef bint covered_by(self, object pipes) except -1
    @cython.locals(arr=PipeArray, full=Py_ssize_t)
    cpdef match_all(self)
    cpdef unmatch(self)
    cpdef _hand_off(self)
    cdef _skip(self, Py_ssize_t n)
    cpdef send_to_all(self, Msg msg)
    @cython.locals(arr=PipeArray, pipe=Pipe, more=bint, i=Py_ssize_t, filled=bint)
    cpdef send_to_matching(self, Msg msg)
    cpdef bint has_out(self) except -1
