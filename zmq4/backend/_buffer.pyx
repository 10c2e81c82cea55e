# cython: language_level=3
"""Buffer export for Python classes: the base class that lets ``memoryview(obj)``,
``bytearray(obj)`` and ``b"".join([obj])`` read an object's payload on every supported
Python (a class written in Python can only export a buffer from 3.12 on, via
``__buffer__``).

Owns :class:`BufferExporter`. Rule: a subclass implements ``_export_target(flags)``,
returning the object whose buffer to export (its payload); the export holds a buffer of
that object for as long as the view lives, so the memory cannot move or be freed under
it, and the view's ``obj`` is the subclass instance. Leaf module.
"""

from cpython.buffer cimport PyBuffer_Release, PyObject_GetBuffer
from cpython.mem cimport PyMem_Free, PyMem_Malloc


cdef class BufferExporter:
    """Exports the buffer of ``self._export_target(flags)`` as its own."""

    def _export_target(self, int flags):
        raise NotImplementedError(f"{type(self).__name__} must implement _export_target")

    def __getbuffer__(self, Py_buffer *view, int flags):
        cdef Py_buffer *inner = <Py_buffer *> PyMem_Malloc(sizeof(Py_buffer))
        if inner == NULL:
            raise MemoryError()
        try:
            target = self._export_target(flags)
            PyObject_GetBuffer(target, inner, flags)
        except BaseException:
            PyMem_Free(inner)
            raise
        view.buf = inner.buf
        view.len = inner.len
        view.readonly = inner.readonly
        view.itemsize = inner.itemsize
        view.format = inner.format
        view.ndim = inner.ndim
        view.shape = inner.shape
        view.strides = inner.strides
        view.suboffsets = inner.suboffsets
        view.internal = inner
        view.obj = self

    def __releasebuffer__(self, Py_buffer *view):
        cdef Py_buffer *inner = <Py_buffer *> view.internal
        if inner != NULL:
            view.internal = NULL
            PyBuffer_Release(inner)
            PyMem_Free(inner)
