# cython: language_level=3
"""Mailbox: the command queue of a socket (libzmq mailbox_t + signaler_t), compiled.

Owns: a FIFO of commands plus an eventfd that becomes readable when commands are posted.
The eventfd is the socket's ``ZMQ_FD``: edge-triggered in effect, because the owner drains
it whenever it processes commands. Any thread may ``post``; only the owner thread calls
``clear_signal``/``wait``. Waiting releases the GIL (``poll``), retries on EINTR after
signal handlers ran (PEP 475), and lets a handler's exception (KeyboardInterrupt)
propagate, marked as an interruption (EINTR for C callers). On the main thread (the only
one that runs Python signal handlers) a wait is cut into slices of at most
SIGNAL_SLICE_MS with the handlers run between them: a signal that arrives after the
interpreter last looked and before ``poll`` starts interrupts nothing, and without the
slices Ctrl-C would wait for the next message.

The GIL is this object's lock: every method runs with it held and no Python code runs
between a state check and the syscall it guards. The one GIL-free moment is ``poll``'s
wait, bracketed by a pin.

fd lifetime: ``close`` must never release the eventfd while another thread still uses it
(closing a socket from a thread other than the one using it is unsupported, as in
libzmq, but must not corrupt the process). A released fd number is reused at once by the
next ``open``/``socket``/``eventfd``, and a stale eventfd read or write would then hit some
unrelated file or connection. So every read and write checks ``closed`` in the same
GIL-held step, and a thread waiting on the fd (``wait``, ``zmq_poll``) *pins* it for the
length of its syscall; ``close`` wakes pinned waiters and the last one to unpin releases
the fd.
"""

import os
import threading
from collections import deque

from libc.errno cimport EINTR, errno
from libc.stdint cimport uint64_t

from ..errors import mark_interrupted


cdef extern from "<sys/eventfd.h>":
    int eventfd(unsigned int initval, int flags)
    int EFD_NONBLOCK
    int EFD_CLOEXEC

cdef extern from "<unistd.h>" nogil:
    ssize_t read(int fd, void *buf, size_t count)
    ssize_t write(int fd, const void *buf, size_t count)
    int close(int fd)

cdef extern from "<time.h>" nogil:
    struct timespec:
        long tv_sec
        long tv_nsec
    int clock_gettime(int clk, timespec *tp)
    int CLOCK_MONOTONIC

cdef extern from "Python.h":
    int PyErr_CheckSignals() except -1
    unsigned long PyThread_get_thread_ident()

#: Longest uninterrupted wait on the main thread, in ms (see the module rules).
SIGNAL_SLICE_MS = 250
cdef int _SLICE = SIGNAL_SLICE_MS
_main_thread = threading.main_thread


cdef inline long long _now_ms() noexcept nogil:
    cdef timespec ts
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return <long long>ts.tv_sec * 1000 + ts.tv_nsec // 1000000


cdef class Mailbox:
    """libzmq mailbox_t: commands for one owner thread, with a pollable wake-up fd.
    (Fields and C-level methods are declared in mailbox.pxd.)"""

    def __cinit__(self):
        self.fd = -1
        self.commands = deque()
        fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)
        if fd < 0:
            raise OSError(errno, os.strerror(errno))
        self.fd = fd

    def __dealloc__(self):
        if self.fd >= 0:
            close(self.fd)
            self.fd = -1

    cpdef bint post(self, command) except -1:
        """Queue a command from any thread and wake the owner; False (dropped) once
        closed."""
        if self._closed:
            return False
        self.commands.append(command)
        self._write()
        return True

    cdef void _write(self) noexcept:
        cdef uint64_t one = 1
        if not self._closed and not self._quiet:
            self._signalled = True
            write(self.fd, &one, 8)

    cpdef clear_signal(self):
        """Reset the fd (owner thread), before draining the queue: a read only if it was
        written since the last reset."""
        cdef uint64_t value
        if not self._closed and self._signalled:
            self._signalled = False
            read(self.fd, &value, 8)

    cpdef quiet(self, bint on):
        """(Owner thread) while on, posts queue without signalling the fd: for a stretch
        right before the owner drains the queue itself (zmq4.io.session's recv-through,
        delivering to its own socket: two syscalls less). A stretch that does not end in
        that drain after all calls ``signal_pending``."""
        self._quiet = on

    cpdef signal_pending(self):
        """Signal the fd if commands are queued (the end of a ``quiet`` stretch that is not
        followed by a drain)."""
        if self.commands:
            self._write()

    cpdef bint pin(self) except -1:
        """Keep fd open while the caller polls it; False if the mailbox is closed."""
        if self._closed:
            return False
        self._pins += 1
        return True

    cpdef unpin(self):
        self._pins -= 1
        if self._closed and self._pins == 0:
            self._release()

    cdef void _release(self) noexcept:
        if self.fd >= 0:
            close(self.fd)
            self.fd = -1

    cpdef bint wait(self, int timeout_ms) except -1:
        """Block until something is posted or ``timeout_ms`` passes (-1: forever).

        Returns True if the fd was signalled. GIL released while waiting."""
        cdef pollfd pfd
        if self.commands or self._closed:
            return True  # closed under us: the caller's next check reports it
        pfd.fd = self.fd
        pfd.events = POLLIN
        return self._poll(&pfd, 1, timeout_ms) > 0

    cpdef int wait_fd(self, int other, int timeout_ms) except -1:
        """``wait`` that also watches ``other`` (a connection the caller reads itself,
        zmq4.io.session's recv-through): 1 if commands came, 2 if ``other`` is ready (or
        failed), 3 both, 0 when ``timeout_ms`` passed. GIL released while waiting."""
        cdef pollfd[2] pfd
        if self.commands or self._closed:
            return 1
        pfd[0].fd = self.fd
        pfd[0].events = POLLIN
        pfd[1].fd = other
        pfd[1].events = POLLIN
        if self._poll(pfd, 2, timeout_ms) == 0:
            return 0
        return (1 if pfd[0].revents else 0) | (2 if pfd[1].revents else 0)

    cdef int _poll(self, pollfd *pfd, int n, int timeout_ms) except -1:
        """``poll`` the ``n`` entries (this mailbox's fd first), the fd pinned and the GIL
        released: the number ready, 0 on timeout. EINTR runs the signal handlers (one
        that raises ends the wait, marked as an interruption), then retries with what is
        left of the timeout; a close meanwhile counts as this fd ready."""
        cdef int rc, i, step, left = timeout_ms
        cdef long long deadline = 0
        cdef bint main = PyThread_get_thread_ident() == _main_thread().ident
        if timeout_ms > 0:
            deadline = _now_ms() + timeout_ms
        self._pins += 1
        try:
            while True:
                for i in range(n):
                    pfd[i].revents = 0
                step = left
                if main and (left < 0 or left > _SLICE):
                    step = _SLICE
                with nogil:
                    rc = poll(pfd, n, step)
                if rc > 0 or (rc == 0 and step == left):
                    return rc
                if rc < 0 and errno != EINTR:
                    raise OSError(errno, os.strerror(errno))
                try:
                    PyErr_CheckSignals()
                except BaseException as exc:  # a signal handler raised: EINTR for C callers
                    mark_interrupted(exc)
                    raise
                if self._closed:
                    pfd[0].revents = POLLIN
                    return 1
                if timeout_ms > 0:
                    left = <int>max(0, deadline - _now_ms())
        finally:
            self.unpin()

    def close(self) -> list:
        """Stop accepting commands; returns those queued and never processed."""
        cdef uint64_t one = 1
        if self._closed:
            return []
        self._closed = True  # first: a post from here on is refused
        dropped = list(self.commands)
        self.commands.clear()
        # wake the pinned waiters (the last to unpin releases fd) and anyone watching a
        # duplicate of the fd (an event loop's reader: zmq4.asyncio) to see the close
        write(self.fd, &one, 8)
        if not self._pins:
            self._release()
        return dropped

    def after_fork_in_child(self) -> None:
        """A forked child has none of the threads that pinned the fd."""
        self._pins = 0
