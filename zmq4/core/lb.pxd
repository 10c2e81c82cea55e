# Cython pure-Python-mode declarations for lb.py (lb.py must keep working uncompiled).
cimport cython
from zmq4.msg cimport Msg
from zmq4.core.pipe cimport Pipe
from zmq4.core.fq cimport PipeArray

cdef int _MORE

cdef class LB:
    cdef public PipeArray arr
    cdef public Py_ssize_t current
    cdef public bint more
    cdef public bint dropping
    cdef public Pipe last_out

    cpdef attach(self, Pipe pipe)
    cpdef activated(self, Pipe pipe)
    @cython.locals(arr=PipeArray)
    cpdef terminated(self, Pipe pipe)
    @cython.locals(arr=PipeArray, pipe=Pipe, more=bint)
    cpdef bint send(self, Msg msg) except -1
    @cython.locals(arr=PipeArray, n=Py_ssize_t, i=Py_ssize_t, r=Py_ssize_t)
    cpdef Py_ssize_t room(self) except -1
    @cython.locals(arr=PipeArray, pipe=Pipe)
    cpdef bint has_out(self) except -1
