# Cython pure-Python-mode declarations for mtrie.py (see its docstring).  Only the
# hot path (MTrie.match, run for every message a PUB/XPUB sends) is typed;
# everything else compiles as ordinary Python.  mtrie.py must keep working uncompiled.
cimport cython

cdef class MTrie:
    cdef readonly object _root
    cdef dict _vals
    cdef list _lens
    cdef dict _kids
    cdef readonly dict _by_pipe
    cdef readonly Py_ssize_t _size

    @cython.locals(buf=bytes, n=Py_ssize_t, size=Py_ssize_t, vals=dict, rec=list, acc=set)
    cpdef object match(self, object data)
