# Cython pure-Python-mode declarations for trie.py (see its docstring).  Only the
# hot path (Trie.check, run for every message a SUB receives) is typed; everything
# else compiles as ordinary Python.  trie.py must keep working uncompiled.
cimport cython

cdef class Trie:
    cdef readonly object _root
    cdef dict _vals
    cdef list _lens
    cdef dict _kids
    cdef readonly Py_ssize_t _size

    @cython.locals(buf=bytes, n=Py_ssize_t, size=Py_ssize_t, vals=dict)
    cpdef bint check(self, object data)
