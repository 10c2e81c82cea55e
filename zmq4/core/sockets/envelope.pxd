# Cython pure-Python-mode declarations for envelope.py (it must keep working uncompiled).
# The paths become cdef classes; their fields stay public (the socket-type modules read
# and set them: options, identities, pipe termination).
cimport cython
from zmq4.msg cimport Msg
from zmq4.core.pipe cimport Pipe
from zmq4.core.fq cimport FQ
from zmq4.core.lb cimport LB

cdef int _MORE
cdef int _EFSM, _EHOSTUNREACH
cdef int _EXPECT_ID, _EXPECT_DELIMITER, _EXPECT_BODY, _SKIPPING

cdef class RouterPath:
    cdef public object sock
    cdef public FQ fq
    cdef public dict outpipes
    cdef public dict pipe_ids
    cdef public set unidentified
    cdef public bint prefetched
    cdef public Msg prefetched_id
    cdef public Msg prefetched_msg
    cdef public bint identity_sent
    cdef public bint more_in
    cdef public Pipe current_out
    cdef public bint more_out
    cdef public bint mandatory
    cdef public bint raw_sock

    cpdef read_activated(self, Pipe pipe)
    @cython.locals(pipe=Pipe, more=bint)
    cpdef bint xsend(self, Msg msg) except -1
    @cython.locals(m=Msg)
    cpdef Msg xrecv(self)
    @cython.locals(m=Msg)
    cpdef bint xhas_in(self) except -1

cdef class RepPath(RouterPath):
    cdef public bint sending_reply
    cdef public bint request_begins
    cdef public list envelope
    cdef public list partial
    cdef public bint in_body
    cdef public Msg body_first

    @cython.locals(env=list, more=bint, i=Py_ssize_t)
    cpdef bint xsend(self, Msg msg) except -1
    cpdef reply_done(self)
    cpdef bint xhas_out(self) except -1
    @cython.locals(m=Msg)
    cdef Msg _next_body(self)
    @cython.locals(m=Msg)
    cpdef Msg xrecv(self)
    cpdef bint xhas_in(self) except -1

cdef class ReqPath:
    cdef public object sock
    cdef public FQ fq
    cdef public LB lb
    cdef public bint receiving_reply
    cdef public bint message_begins
    cdef public Pipe reply_pipe
    cdef public object request_id
    cdef public bint correlate
    cdef public bint strict
    cdef public bytes expected_id
    cdef public int state
    cdef public int start_state
    cdef public Msg body_first

    @cython.locals(pipe=Pipe, more=bint)
    cpdef bint xsend(self, Msg msg) except -1
    @cython.locals(lb=LB, frame=bytes)
    cdef bint _send_envelope(self) except -1
    cpdef bint xhas_out(self) except -1
    @cython.locals(fq=FQ, m=Msg)
    cdef Msg _recv_reply_pipe(self)
    @cython.locals(fq=FQ, m=Msg, more=int, state=int)
    cdef Msg _next_body(self)
    @cython.locals(m=Msg)
    cpdef Msg xrecv(self)
    cpdef bint xhas_in(self) except -1
