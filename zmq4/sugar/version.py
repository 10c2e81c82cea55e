"""Versions (pyzmq's ``zmq.sugar.version``): zmq4's own, the pyzmq API it implements, and
the libzmq version it implements.

Rules: ``__version__`` is zmq4's release; ``pyzmq_version()``/``pyzmq_version_info()`` (and
``VERSION_MAJOR``/``MINOR``/``PATCH``/``version_info``) are the pyzmq API level zmq4
implements (:data:`PYZMQ_API_VERSION`), so version gates in pyzmq-era code take the modern
branch; ``zmq_version()``/``zmq_version_info()`` are libzmq's (4.0.10, from zmq.h's
numbers). ``__revision__`` is empty (a release, not a development build).
Imports: the backend's version query.
"""

from __future__ import annotations

from ..backend.utils import zmq_version_info

#: zmq4's own version.
__version__: str = "0.1.0"
#: The git revision of a development build ("" for a release).
__revision__: str = ""

#: The pyzmq API level zmq4 implements (the pyzmq whose test suite it runs).
PYZMQ_API_VERSION = "27.2.0"
VERSION_MAJOR, VERSION_MINOR, VERSION_PATCH = (int(p) for p in PYZMQ_API_VERSION.split("."))
VERSION_EXTRA = ""
version_info: tuple[int, int, int] = (VERSION_MAJOR, VERSION_MINOR, VERSION_PATCH)


def pyzmq_version() -> str:
    """The pyzmq API level zmq4 implements, as a string ("27.2.0")."""
    return PYZMQ_API_VERSION


def pyzmq_version_info() -> tuple[int, int, int]:
    """The pyzmq API level zmq4 implements, as ints: (27, 2, 0)."""
    return version_info


def zmq_version() -> str:
    """The libzmq version zmq4 implements, as a string: "4.0.10"."""
    return "{}.{}.{}".format(*zmq_version_info())


__all__ = ["__revision__", "__version__", "pyzmq_version", "pyzmq_version_info",
           "zmq_version", "zmq_version_info"]
