# cython: language_level=3
"""Holding off asynchronous signals for a short critical section (compiled).

Owns: ``SignalHold``, used by a session's send-through (``zmq4.io.session``): the caller's
thread briefly does the I/O thread's work (pull from the pipe, encode, ``send``), and an
exception raised there by a Python signal handler (KeyboardInterrupt from Ctrl-C) could
leave bytes read from the pipe but not written, corrupting the ZMTP stream. The I/O thread
never runs signal handlers; this gives the borrowed section the same guarantee.

Rules: ``hold()`` blocks every signal for this thread, then runs the handlers of signals
that had already arrived (their exception is raised from ``hold()``, before anything was
touched, with the mask restored); ``release()`` restores the previous mask, and the kernel then
delivers what arrived meanwhile, so its handler runs right after the section. Not reentrant:
one ``SignalHold`` per user (a session is used by one socket thread at a time).
"""

cdef extern from "<signal.h>" nogil:
    ctypedef struct sigset_t:
        pass
    int sigfillset(sigset_t *s)
    int pthread_sigmask(int how, const sigset_t *new, sigset_t *old)
    int SIG_BLOCK
    int SIG_SETMASK

cdef extern from "Python.h":
    int PyErr_CheckSignals() except -1

cdef sigset_t _ALL
sigfillset(&_ALL)


cdef class SignalHold:
    """Block this thread's signals between ``hold()`` and ``release()``."""

    cdef sigset_t saved

    cpdef hold(self):
        pthread_sigmask(SIG_BLOCK, &_ALL, &self.saved)
        try:
            PyErr_CheckSignals()  # handlers of signals already caught run now, outside
        except BaseException:
            pthread_sigmask(SIG_SETMASK, &self.saved, NULL)
            raise

    cpdef release(self):
        pthread_sigmask(SIG_SETMASK, &self.saved, NULL)
