# Cython pure-Python-mode declarations for fq.py (fq.py must keep working uncompiled).
cimport cython
from zmq4.msg cimport Msg
from zmq4.core.pipe cimport Pipe

cdef int _MORE

cdef class PipeArray:
    cdef public list pipes
    cdef public Py_ssize_t active
    cdef public dict pos

    cpdef _swap(self, Py_ssize_t i, Py_ssize_t j)
    cpdef add(self, Pipe pipe, bint active=*)
    cpdef bint activate(self, Pipe pipe) except -1
    cpdef deactivate_at(self, Py_ssize_t i)
    cpdef object remove(self, Pipe pipe)

cdef class FQ:
    cdef public PipeArray arr
    cdef public Py_ssize_t current
    cdef public bint more
    cdef public Pipe last_in

    cpdef attach(self, Pipe pipe)
    cpdef activated(self, Pipe pipe)
    @cython.locals(arr=PipeArray)
    cpdef terminated(self, Pipe pipe)
    @cython.locals(i=Py_ssize_t)
    cdef _retire(self, Pipe pipe)
    @cython.locals(arr=PipeArray, pipe=Pipe, m=Msg, misses=Py_ssize_t)
    cpdef Msg recv(self)
    @cython.locals(arr=PipeArray, pipe=Pipe, misses=Py_ssize_t)
    cpdef bint has_in(self) except -1
