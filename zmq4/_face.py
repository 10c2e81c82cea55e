"""Plumbing shared by the object face (Context, Socket, Poller, devices): nothing here has
semantics of its own.

Owns:
- :func:`reraise`: the core raises ``ZMQError(errno)``; users catch ``zmq4.Again``,
  ``zmq4.ContextTerminated``, ``zmq4.InterruptedSystemCall``. This turns a plain
  ``ZMQError`` whose errno has a subclass into that subclass (same errno, same text,
  same traceback), in the one place the object face needs it.
- :func:`package_name`: the name reprs give the package: ``zmq`` when the switch made
  ``import zmq`` this package (``sys.modules["zmq"] is sys.modules["zmq4"]``), else
  ``zmq4``, so a repr names what the program imported.
- :func:`endpoint`: ``str``/``bytes`` endpoint arguments → ``str``; anything else is a
  ``TypeError`` naming the argument (pyzmq's rule).
- The handle registry behind ``Context.underlying`` / ``Socket.underlying`` and
  ``shadow``: an integer (``id`` of the core object) that maps back to the live core object,
  so a handle can be passed around as a plain int (pyzmq's "address"). Entries are weak:
  a freed context or a collected socket no longer resolves.

Imports: errors and constants (leaves) only.
"""

from __future__ import annotations

import sys
import weakref
from typing import Any, NoReturn, TypeVar

from . import zmq_h as C
from .errors import ZMQError, error

T = TypeVar("T")

_SUBCLASSED = frozenset((C.EAGAIN, C.ETERM, C.EINTR))


def package_name() -> str:
    """``"zmq"`` when the switch is on (``import zmq`` gives zmq4), else ``"zmq4"``."""
    return "zmq" if sys.modules.get("zmq") is sys.modules.get("zmq4") else "zmq4"


def translate(exc: ZMQError) -> ZMQError:
    """The exception users should see for ``exc`` (the errno's subclass, when it has one)."""
    if type(exc) is ZMQError and exc.errno in _SUBCLASSED:
        new = error(exc.errno, exc.strerror)
        return new.with_traceback(exc.__traceback__)
    return exc


def reraise(exc: ZMQError) -> NoReturn:
    """Raise :func:`translate` (``exc``), without chaining the original."""
    new = translate(exc)
    if new is exc:
        raise exc
    raise new from None


def endpoint(addr: Any, name: str = "addr") -> str:
    """An endpoint argument as ``str`` (bytes are UTF-8); ``TypeError`` otherwise."""
    if isinstance(addr, str):
        return addr
    if isinstance(addr, (bytes, bytearray)):
        try:
            return bytes(addr).decode("utf-8")
        except UnicodeDecodeError:
            raise ZMQError(C.EINVAL, f"{name} {addr!r} is not valid UTF-8") from None
    raise TypeError(f"{name} must be str or bytes, not {type(addr).__name__}: {addr!r}")


def timeout_ms(timeout: Any, name: str = "timeout") -> int:
    """A poll-style timeout in milliseconds: None or negative → -1 (forever), float → int."""
    if timeout is None:
        return -1
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"{name} must be a number of milliseconds or None, "
                        f"not {type(timeout).__name__}")
    if timeout < 0:
        return -1
    return int(timeout)


# ---------------------------------------------------------------------------- handles

_handles: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()


def handle_of(obj: Any) -> int:
    """The integer handle of a core object (registered on first use)."""
    h = id(obj)
    if _handles.get(h) is not obj:
        _handles[h] = obj
    return h


def resolve(handle: int, kind: type[T], errnum: int) -> T:
    """The live core object of ``kind`` behind ``handle``; ``ZMQError(errnum)`` if there is
    none (never registered, collected, or of another kind)."""
    if isinstance(handle, bool) or not isinstance(handle, int):
        raise TypeError(f"handle must be an int, not {type(handle).__name__}")
    obj = _handles.get(handle)
    if obj is None or not isinstance(obj, kind):
        raise ZMQError(errnum, f"no live zmq4 {kind.__name__.lower()} with handle {handle:#x}")
    return obj


__all__ = ["endpoint", "handle_of", "reraise", "resolve", "timeout_ms", "translate"]
