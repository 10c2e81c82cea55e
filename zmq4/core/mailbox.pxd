# Declarations of zmq4.core.mailbox for cimport (zmq4.core.sockcore types a socket's
# mailbox, so the compiled fast path reads ``commands`` and calls ``wait`` in C).

cdef extern from "<poll.h>" nogil:
    struct pollfd:
        int fd
        short events
        short revents
    int poll(pollfd *fds, unsigned long nfds, int timeout)
    short POLLIN

cdef class Mailbox:
    cdef readonly object commands
    cdef readonly int fd
    cdef bint _closed
    cdef int _pins
    cdef bint _signalled  # written since the owner last reset it
    cdef bint _quiet  # see ``quiet``

    cpdef bint post(self, command) except -1
    cdef void _write(self) noexcept
    cpdef clear_signal(self)
    cpdef quiet(self, bint on)
    cpdef signal_pending(self)
    cpdef bint pin(self) except -1
    cpdef unpin(self)
    cdef void _release(self) noexcept
    cpdef bint wait(self, int timeout_ms) except -1
    cpdef int wait_fd(self, int other, int timeout_ms) except -1
    cdef int _poll(self, pollfd *pfd, int n, int timeout_ms) except -1
