# Cython pure-Python-mode declarations for pipe.py (pipe.py must keep working uncompiled).
# Pipe becomes a cdef class; every attribute stays public (sockets, the ctx and sessions set
# identity, hwm, sink, endpoint, tag). See pipe.py's docstring for the ordering rule the
# compiled code keeps.
cimport cython
from zmq4.msg cimport Msg, frame, payload_size, untrack

cdef int _MORE
cdef int _ACTIVE, _TERMINATING, _TERMINATED
cdef object _DELIM

@cython.locals(half=Py_ssize_t)
cpdef Py_ssize_t resume_room(Py_ssize_t hwm) noexcept

cdef class Pipe:
    cdef public object inq
    cdef public Pipe peer
    cdef public object sink
    cdef public Py_ssize_t hwm
    cdef public Py_ssize_t msgs_read
    cdef public Py_ssize_t msgs_written
    cdef public list out_buf
    cdef public bint in_sleeping
    cdef public bint out_sleeping
    cdef public int state
    cdef public object identity
    cdef public bint conflate
    cdef public object endpoint
    cdef public object tag
    cdef public bint in_msg
    cdef public bint discard
    cdef public bint ran_dry
    cdef public bint frames_read_only
    cdef object _push  # inq.append, bound once
    cdef object _pop  # inq.popleft, bound once
    cdef object __weakref__

    cpdef bint check_read(self) except -1
    @cython.locals(m=Msg, peer=Pipe)
    cpdef Msg read(self)
    @cython.locals(peer=Pipe, hwm=Py_ssize_t)
    cpdef bint check_write(self) except -1
    @cython.locals(hwm=Py_ssize_t, n=Py_ssize_t)
    cpdef Py_ssize_t room(self) except -1
    @cython.locals(peer=Pipe, out_buf=list)
    cpdef bint write(self, Msg msg) except -1
    @cython.locals(peer=Pipe, n=Py_ssize_t, i=Py_ssize_t, last=Py_ssize_t, j=Py_ssize_t,
                   parts=list, frames=list, m=Msg)
    cpdef Py_ssize_t write_messages(self, list messages, Py_ssize_t start=*) except -1
    @cython.locals(batch=list, m=Msg, size=Py_ssize_t, data=object)
    cpdef tuple read_messages(self, list parts, Py_ssize_t limit, list held=*,
                              Py_ssize_t max_bytes=*)
    cpdef rollback(self)
    @cython.locals(peer=Pipe)
    cpdef terminate(self, bint delay=*)
    @cython.locals(m=Msg, keep=list, discard=bint)
    cpdef bint process_term(self, bint drop=*) except -1
    cpdef _reached_delimiter(self, bint notify=*)

cpdef tuple pipepair(object sink_a, object sink_b, Py_ssize_t hwm_a, Py_ssize_t hwm_b,
                     bint conflate_a=*, bint conflate_b=*)
