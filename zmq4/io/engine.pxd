# Cython pure-Python-mode declarations for engine.py (it must keep working uncompiled).
# The engines become cdef classes: the fields every read and write touches are C fields;
# an instance __dict__ keeps any other attribute working.

cimport cython
from zmq4.zmtp.connection cimport ZmtpConnection

cdef class _EngineBase:
    cdef dict __dict__
    cdef public object io
    cdef public object sock
    cdef public int fd
    cdef public object session
    cdef public object out
    cdef public Py_ssize_t out_bytes
    cdef public bint reading
    cdef public bint closed
    cdef public bint lent  # an event loop reads this connection (zmq4.io.session)
    cdef public bint shared  # a duplicate of fd is (or was) watched elsewhere
    cdef public unsigned int _mask  # epoll flags (EPOLLET is bit 31)
    cdef public Py_ssize_t read_size

    cpdef write_chunks(self, list chunks)
    cpdef send_messages(self, list messages)

cdef class StreamEngine(_EngineBase):
    cdef public ZmtpConnection conn
    cdef public bint ready
    cdef public object _timer

    @cython.locals(conn=ZmtpConnection)
    cpdef send_messages(self, list messages)

cdef class RawEngine(_EngineBase):
    cpdef send_messages(self, list messages)
