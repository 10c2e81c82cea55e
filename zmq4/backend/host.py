"""The package a backend object serves: zmq4's own object API, or pyzmq's Python layer
running on zmq4's backend (``PYZMQ_BACKEND=zmq4.backend``).

Owns :func:`host_of`: for a class built on a backend class, the :class:`Host` whose
``Frame`` class ``recv(copy=False)`` returns, whose ``MessageTracker`` a tracked frame
gets, and whose exception classes the backend raises. pyzmq's layer catches
``zmq.Again``, checks ``isinstance(frame, zmq.Frame)`` and ``tracker is
zmq._FINISHED_TRACKER``, so on its behalf the backend must produce pyzmq's objects, while
zmq4's own classes get zmq4's.

Rule: the host of a class is the first package along its MRO that defines a ``Frame``
built on the backend frame and an ``error`` module with ``ZMQError`` (``zmq4`` itself for
zmq4's classes and any subclass of them); found hosts are cached per class. A zmq4
exception is mapped to the host's class of the same meaning (``Again``,
``ContextTerminated``, ``InterruptedSystemCall`` by errno, else ``ZMQError``;
``ZMQVersionError``; ``NotDone``), keeping errno, text and traceback.
Imports: the leaves and the backend frame.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

from .. import zmq_h as C
from .._face import translate
from ..errors import NotDone, ZMQError, ZMQVersionError
from . import frame as _frame


class Host:
    """What a backend object produces for the package it serves."""

    __slots__ = ("package", "_frame_class")

    def __init__(self, package: ModuleType | None) -> None:
        self.package = package  # None: zmq4 itself
        self._frame_class: type[_frame.Frame] | None = None

    def _pkg(self) -> Any:
        return self.package if self.package is not None else sys.modules["zmq4"]

    @property
    def frame_class(self) -> type[_frame.Frame]:
        cls = self._frame_class
        if cls is None:
            found = getattr(self._pkg(), "Frame", None)
            if not (isinstance(found, type) and issubclass(found, _frame.Frame)):
                return _frame.Frame  # the package is still importing: ask again later
            cls = self._frame_class = found
        return cls

    def tracker(self, *towatch: Any) -> Any:
        return self._pkg().MessageTracker(*towatch)

    @property
    def finished_tracker(self) -> Any:
        return self._pkg()._FINISHED_TRACKER

    def exception(self, exc: BaseException) -> BaseException:
        """``exc`` as this host raises it (see the module rules)."""
        if self.package is None:
            return translate(exc) if isinstance(exc, ZMQError) else exc
        errors = self.package.error
        new: BaseException
        if isinstance(exc, ZMQError):
            cls = {C.EAGAIN: errors.Again, C.ETERM: errors.ContextTerminated,
                   C.EINTR: errors.InterruptedSystemCall}.get(exc.errno, errors.ZMQError)
            err: Any = cls(exc.errno, exc.strerror)
            err.errno = exc.errno  # pyzmq's InterruptedSystemCall ignores its arguments
            new = err
        elif isinstance(exc, ZMQVersionError):
            new = errors.ZMQVersionError(exc.min_version, exc.msg)
        elif isinstance(exc, NotDone):
            new = errors.NotDone(*exc.args)
        else:
            return exc
        return new.with_traceback(exc.__traceback__)


ZMQ4 = Host(None)
_HOSTS: dict[type, Host] = {}


def _is_host(package: Any) -> bool:
    frame_cls = getattr(package, "Frame", None)
    error = getattr(package, "error", None)
    return (isinstance(frame_cls, type) and issubclass(frame_cls, _frame.Frame)
            and isinstance(getattr(error, "ZMQError", None), type))


def host_of(cls: type) -> Host:
    """The host of objects of class ``cls`` (see the module rules)."""
    host = _HOSTS.get(cls)
    if host is not None:
        return host
    for klass in cls.__mro__:
        top = klass.__module__.partition(".")[0]
        if top == "zmq4":
            host = ZMQ4
            break
        package = sys.modules.get(top)
        if package is not None and _is_host(package):
            host = Host(package)
            break
    else:
        return ZMQ4  # not cached: a host package may still be importing
    _HOSTS[cls] = host
    return host


__all__ = ["Host", "ZMQ4", "host_of"]
