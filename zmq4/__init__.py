"""zmq4: ZeroMQ 4.0 rebuilt in Python and Cython, wire-compatible with libzmq.

Faces: ``zmq4.capi`` (libzmq's C API under its C names), this package's pyzmq-shaped
objects (growing), and the C-ABI shim (``include/`` + ``csrc/``). Constants are re-exported
here without the ``ZMQ_`` prefix (``zmq4.REQ``), pyzmq style.
"""

from __future__ import annotations

try:
    from . import z85
except ImportError as _e:  # pragma: no cover - depends on how zmq4 was imported
    import os as _os

    raise ImportError(
        f"zmq4's compiled extensions are missing in {_os.path.dirname(__file__)}: this looks "
        "like the source tree. Build it in place (pip install --no-build-isolation -e .) "
        "or run from another directory so the installed zmq4 is imported."
    ) from _e
from . import constants
from .certs import curve_keypair, curve_public
from .constants import *  # noqa: F403
from .errors import (
    Again,
    ContextTerminated,
    InterruptedSystemCall,
    NotDone,
    ZMQBaseError,
    ZMQBindError,
    ZMQError,
    strerror,
)

__version__ = "0.1.0"


def zmq_version_info() -> tuple[int, int, int]:
    """The libzmq version zmq4 implements: (4, 0, 10)."""
    return (constants.VERSION_MAJOR, constants.VERSION_MINOR, constants.VERSION_PATCH)


def zmq_version() -> str:
    """The libzmq version zmq4 implements, as a string: "4.0.10"."""
    return "%d.%d.%d" % zmq_version_info()


def pyzmq_version() -> str:
    """zmq4's own version (pyzmq's name for the binding version)."""
    return __version__


__all__ = [
    "Again", "ContextTerminated", "InterruptedSystemCall", "NotDone", "ZMQBaseError",
    "ZMQBindError", "ZMQError", "constants", "curve_keypair", "curve_public", "strerror",
    "z85", "zmq_version", "zmq_version_info", "pyzmq_version",
] + list(constants.ALL)
