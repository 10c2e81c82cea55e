# cython: language_level=3
"""Non-blocking socket reads and writes for the engines (compiled).

Owns: ``send_chunks(fd, chunks)`` (one ``send``, or one gathering ``sendmsg`` for several
chunks) and ``recv_into(fd, buf)``, the syscalls that move a connection's bytes. They do
what the ``socket`` methods do, minus what costs there: no argument parsing and no
timeout machinery (the engines' sockets are non-blocking: these syscalls never wait).
Both release the GIL around the syscall, as the socket methods do: a send may wake a
thread of this process that needs the GIL at once, and a read copies up to the engine's
256 KB buffer while the socket's thread works through what the last read delivered
(holding the GIL over such reads cut tcp 1 KB throughput by a third).

Rules: "not now" (EAGAIN/EWOULDBLOCK, or EINTR: the readiness is reported again by
epoll, and the caller's thread runs the signal handler at its next check) is -1, never an
exception; any other error raises ``OSError`` with its errno. Sends pass MSG_NOSIGNAL: a
peer that closed costs EPIPE on that connection, never SIGPIPE for the process (Python
ignores SIGPIPE, a C program using the shim may not). At most ``IOV_MAX_CHUNKS`` chunks
go per call; the caller queues the rest. A chunk is any object with the buffer protocol.
"""

from cpython.buffer cimport PyBUF_SIMPLE, PyBUF_WRITABLE, PyBuffer_Release, PyObject_GetBuffer
from libc.errno cimport EAGAIN, EINTR, errno

cdef extern from "<errno.h>":
    int EWOULDBLOCK

import os

cdef extern from "<sys/uio.h>" nogil:
    struct iovec:
        void *iov_base
        size_t iov_len

cdef extern from "<sys/socket.h>" nogil:
    struct msghdr:
        void *msg_name
        unsigned int msg_namelen
        iovec *msg_iov
        size_t msg_iovlen
        void *msg_control
        size_t msg_controllen
        int msg_flags
    ssize_t send(int fd, const void *buf, size_t n, int flags)
    ssize_t sendmsg(int fd, const msghdr *msg, int flags)
    ssize_t recv(int fd, void *buf, size_t n, int flags)
    int MSG_NOSIGNAL

cdef extern from "<string.h>" nogil:
    void *memset(void *s, int c, size_t n)

cdef enum:
    _MAX = 64

#: chunks per ``send_chunks`` call (the kernel allows 1024)
IOV_MAX_CHUNKS = _MAX


cdef inline ssize_t _send(int fd, msghdr *mh) noexcept nogil:
    if mh.msg_iovlen == 1:
        return send(fd, mh.msg_iov[0].iov_base, mh.msg_iov[0].iov_len, MSG_NOSIGNAL)
    return sendmsg(fd, mh, MSG_NOSIGNAL)


cdef inline bint _not_now(int err) noexcept:
    return err == EAGAIN or err == EWOULDBLOCK or err == EINTR


cpdef Py_ssize_t send_chunks(int fd, list chunks) except -2:
    """Send the first ``IOV_MAX_CHUNKS`` of ``chunks`` (non-empty) as one stream write;
    bytes the kernel took, or -1 if it took none now."""
    cdef Py_buffer views[_MAX]
    cdef iovec iov[_MAX]
    cdef msghdr mh
    cdef Py_ssize_t i, count = min(len(chunks), _MAX), got = 0
    cdef ssize_t n
    cdef int err
    if count == 0:
        return 0
    try:
        for i in range(count):
            PyObject_GetBuffer(chunks[i], &views[i], PyBUF_SIMPLE)
            got += 1
            iov[i].iov_base = views[i].buf
            iov[i].iov_len = <size_t>views[i].len
        memset(&mh, 0, sizeof(mh))
        mh.msg_iov = iov
        mh.msg_iovlen = <size_t>count
        with nogil:  # the peer this wakes may be a thread of this process
            n = _send(fd, &mh)
            err = errno
    finally:
        for i in range(got):
            PyBuffer_Release(&views[i])
    if n >= 0:
        return n
    if _not_now(err):
        return -1
    raise OSError(err, os.strerror(err))


cpdef Py_ssize_t recv_into(int fd, object buf, Py_ssize_t size=-1) except -2:
    """Read into writable ``buf`` (at most ``size`` bytes of it when ``size`` >= 0):
    bytes read (0 at EOF), or -1 if nothing is there now."""
    cdef Py_buffer view
    cdef ssize_t n
    cdef int err
    PyObject_GetBuffer(buf, &view, PyBUF_SIMPLE | PyBUF_WRITABLE)
    if size < 0 or size > view.len:
        size = view.len
    try:
        with nogil:  # the copy can be long: the socket's thread decodes meanwhile
            n = recv(fd, view.buf, <size_t>size, 0)
            err = errno
    finally:
        PyBuffer_Release(&view)
    if n >= 0:
        return n
    if _not_now(err):
        return -1
    raise OSError(err, os.strerror(err))
