"""zmq4's exceptions and error texts: the one place where errno and exception meet.

The core raises ``ZMQError`` (or a subclass chosen by errno through :func:`error`);
``zmq4.capi`` catches it and turns it into ``-1`` plus a thread-local errno;
the object API lets it propagate. ``strerror`` gives libzmq's texts.

Leaf module: imports only ``zmq4.zmq_h``.
"""

from __future__ import annotations

import os
from typing import Optional

from . import zmq_h as C

_ZMQ_TEXTS = {
    C.EFSM: "Operation cannot be accomplished in current state",
    C.ENOCOMPATPROTO: "The protocol is not compatible with the socket type",
    C.ETERM: "Context was terminated",
    C.EMTHREAD: "No thread available",
}


def strerror(errnum: int) -> str:
    """libzmq's ``zmq_strerror``: 0MQ texts for the native codes, else the OS text."""
    text = _ZMQ_TEXTS.get(errnum)
    if text is not None:
        return text
    return os.strerror(errnum)


class ZMQBaseError(Exception):
    """Base of every zmq4 exception."""


class ZMQError(ZMQBaseError):
    """An operation failed with ``errno``; ``str()`` names the problem.

    ``ZMQError(errno)`` uses libzmq's text; ``ZMQError(errno, msg)`` a specific one.
    """

    errno: int
    strerror: str

    def __init__(self, errno: int, msg: Optional[str] = None) -> None:
        self.errno = int(errno)
        self.strerror = msg if msg is not None else strerror(self.errno)
        super().__init__(self.errno, self.strerror)

    def __str__(self) -> str:
        return self.strerror

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.errno}, {self.strerror!r})"


class Again(ZMQError):
    """EAGAIN: the operation would block (DONTWAIT, or a timeout expired)."""

    def __init__(self, errno: int = C.EAGAIN, msg: Optional[str] = None) -> None:
        super().__init__(errno, msg)


class ContextTerminated(ZMQError):
    """ETERM: the context was shut down or terminated."""

    def __init__(self, errno: int = C.ETERM, msg: Optional[str] = None) -> None:
        super().__init__(errno, msg)


# (typing) OSError declares errno/strerror Optional, ZMQError always set: both hold here
class InterruptedSystemCall(ZMQError, InterruptedError):  # type: ignore[misc]
    """EINTR: a signal interrupted a blocking call."""

    def __init__(self, errno: int = C.EINTR, msg: Optional[str] = None) -> None:
        super().__init__(errno, msg)


class ZMQBindError(ZMQBaseError):
    """``bind_to_random_port`` found no free port in its range."""


class NotDone(ZMQBaseError):
    """A ``MessageTracker`` wait timed out before the message was sent."""


class ZMQVersionError(NotImplementedError):
    """A feature needs a newer libzmq than the one in use (pyzmq's exception, kept so that
    code catching it runs unchanged). zmq4 is libzmq 4.0 with no optional parts to probe,
    so it has no version-dependent feature and does not raise this itself; draft-only
    calls (groups, routing ids) raise RuntimeError, as pyzmq does without draft support."""

    min_version: str
    msg: str

    def __init__(self, min_version: str, msg: str = "Feature") -> None:
        self.min_version = min_version
        self.msg = msg
        super().__init__(min_version, msg)

    def __str__(self) -> str:
        have = f"{C.VERSION_MAJOR}.{C.VERSION_MINOR}.{C.VERSION_PATCH}"
        return f"{self.msg} requires libzmq >= {self.min_version}, have {have}"


class DraftFDWarning(RuntimeWarning):
    """pyzmq warns this when ``ZMQ_FD`` is used on a thread-safe draft socket; zmq4
    (libzmq 4.0) has no such sockets, so it is never raised: the class exists so that code
    filtering or catching it runs unchanged."""

    def __init__(self, msg: str = "") -> None:
        super().__init__(msg or "ZMQ_FD is not supported on thread-safe draft sockets")


_BY_ERRNO: dict[int, type[ZMQError]] = {
    C.EAGAIN: Again,
    C.ETERM: ContextTerminated,
    C.EINTR: InterruptedSystemCall,
}


def error(errnum: int, msg: Optional[str] = None) -> ZMQError:
    """The exception instance for ``errnum`` (the right subclass where there is one)."""
    cls = _BY_ERRNO.get(errnum, ZMQError)
    return cls(errnum, msg)


#: Attribute set on an exception that a signal handler raised while zmq4 was waiting.
INTERRUPTED = "_zmq4_interrupted"


def mark_interrupted(exc: BaseException) -> None:
    """Note that ``exc`` came from a signal handler during a blocking wait (→ EINTR in C)."""
    if not isinstance(exc, ZMQError):
        try:
            setattr(exc, INTERRUPTED, True)
        except (AttributeError, TypeError):
            pass


def errno_of(exc: BaseException) -> int:
    """The errno a C caller sees for ``exc`` (the one mapping capi uses)."""
    if isinstance(exc, ZMQError):
        return exc.errno
    if isinstance(exc, KeyboardInterrupt) or getattr(exc, INTERRUPTED, False):
        return C.EINTR
    if isinstance(exc, MemoryError):
        return C.ENOMEM
    if isinstance(exc, OSError) and exc.errno:
        return exc.errno
    if isinstance(exc, (TypeError, ValueError, OverflowError)):
        return C.EINVAL
    return C.EFAULT
