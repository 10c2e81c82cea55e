"""zmq4: ZeroMQ 4.0 rebuilt in Python and Cython, wire-compatible with libzmq.

Faces: ``zmq4.capi`` (libzmq's C API under its C names), this package's pyzmq-shaped
objects, and the C-ABI shim (``include/`` + ``csrc/``).

The object API (``import zmq4 as zmq``): ``Context``, ``Socket``, ``Frame``/``Message``,
``MessageTracker``, ``Poller``/``select``, ``proxy``/``proxy_steerable``/``device``,
``zmq4.devices``, ``zmq4.utils.monitor``, ``has()``; ``import zmq4.asyncio`` for awaitable
sockets. Constants are re-exported here without the ``ZMQ_`` prefix, pyzmq style, as
members of pyzmq's enums (``zmq4.REQ is zmq4.SocketType.REQ``, an ``int``); the plain
numbers stay in ``zmq4.constants``.
"""

from __future__ import annotations

try:
    from . import z85
except ImportError as _e:  # pragma: no cover - depends on how zmq4 was imported
    from ._paths import missing_extensions_message as _missing

    raise ImportError(_missing()) from _e
from . import constants, devices, error, utils
from ._paths import get_include, get_library
from .certs import curve_keypair, curve_public
from .constants import *  # noqa: F403
from .context import Context
from .devices.functions import device, proxy, proxy_steerable
from .enums import (
    ContextOption,
    DeviceType,
    Errno,
    Event,
    Flag,
    MessageOption,
    PollEvent,
    SecurityMechanism,
    SocketOption,
    SocketType,
)
from .enums import top_level_members as _top_level_members
from .errors import (
    Again,
    ContextTerminated,
    InterruptedSystemCall,
    NotDone,
    ZMQBaseError,
    ZMQBindError,
    ZMQError,
    ZMQVersionError,
    strerror,
)
from .frame import COPY_THRESHOLD, Frame, Message, MessageTracker
from .poller import Poller, select, zmq_poll
from .socket import Socket
from .utils import jsonapi as _jsonapi  # noqa: F401 - zmq4.utils.jsonapi as an attribute
from .utils import monitor as _monitor  # noqa: F401 - makes zmq4.utils.monitor importable
from .utils import z85 as _utils_z85  # noqa: F401 - zmq4.utils.z85 as an attribute

globals().update(_top_level_members())  # zmq4.REQ is SocketType.REQ (still an int)

#: zmq4 implements libzmq 4.0 without draft APIs.
DRAFT_API = False
#: Longest ipc:// path (sockaddr_un.sun_path without its NUL).
IPC_PATH_MAX_LEN = 107

_CAPABILITIES = {"ipc": True, "curve": True, "pgm": False, "tipc": False, "norm": False,
                 "gssapi": False, "draft": False}

__version__ = "0.1.0"


def zmq_version_info() -> tuple[int, int, int]:
    """The libzmq version zmq4 implements: (4, 0, 10)."""
    return (constants.VERSION_MAJOR, constants.VERSION_MINOR, constants.VERSION_PATCH)


def zmq_version() -> str:
    """The libzmq version zmq4 implements, as a string: "4.0.10"."""
    major, minor, patch = zmq_version_info()
    return f"{major}.{minor}.{patch}"


def pyzmq_version() -> str:
    """zmq4's own version (pyzmq's name for the binding version)."""
    return __version__


def pyzmq_version_info() -> tuple[int, ...]:
    """zmq4's own version as a tuple of ints (pyzmq's name): (0, 1, 0)."""
    return tuple(int(part) for part in __version__.split("."))


def zmq_errno() -> int:
    """The errno of the last failed call of the C-style face (``zmq4.capi``) in this
    thread (libzmq's ``zmq_errno``; the object API raises ZMQError instead)."""
    from .capi import zmq_errno as _errno
    return int(_errno())


def has(capability: str) -> bool:
    """Whether zmq4 supports ``capability`` (libzmq 4.1's ``zmq_has`` names): "ipc" and
    "curve" yes; "pgm", "tipc", "norm", "gssapi", "draft" and anything unknown no."""
    if not isinstance(capability, str):
        raise TypeError(f"capability must be str, not {type(capability).__name__}")
    return _CAPABILITIES.get(capability, False)


__all__ = [
    "Again", "ContextTerminated", "InterruptedSystemCall", "NotDone", "ZMQBaseError",
    "ZMQBindError", "ZMQError", "constants", "curve_keypair", "curve_public", "strerror",
    "z85", "zmq_version", "zmq_version_info", "pyzmq_version", "pyzmq_version_info",
    "zmq_errno", "ZMQVersionError", "error",
] + list(constants.ALL)
__all__ += ["get_include", "get_library"]
__all__ += [
    "COPY_THRESHOLD", "Context", "ContextOption", "DRAFT_API", "DeviceType", "Errno", "Event",
    "Flag", "Frame", "IPC_PATH_MAX_LEN", "Message", "MessageOption", "MessageTracker",
    "PollEvent", "Poller", "SecurityMechanism", "Socket", "SocketOption", "SocketType",
    "device", "devices", "has", "proxy", "proxy_steerable", "select", "utils", "zmq_poll",
]
