# Cython pure-Python-mode declarations for msg.py (msg.py must keep working uncompiled).
# Msg becomes a cdef class: attribute access from other compiled modules (pipe, fq, lb,
# capi) is a struct field load. Attributes stay public: sockets and engines set them.
cimport cython

cdef class Msg:
    cdef public object data
    cdef public int flags
    cdef public object owner

    @cython.locals(m=Msg)
    cpdef Msg copy(self)

cdef extern from "Python.h":
    void PyObject_GC_UnTrack(void *o)

@cython.locals(m=Msg)  # typed: the new frame's fields are set as struct fields
cpdef Msg frame(object data, int flags=*)
cpdef object untrack(object o)
cpdef Py_ssize_t payload_size(object d) except -1
