"""zmq4: ZeroMQ 4.0 rebuilt in Python and Cython, wire-compatible with libzmq.

Faces: ``zmq4.capi`` (libzmq's C API under its C names), this package's pyzmq-shaped
objects, and the C-ABI shim (``include/`` + ``csrc/``).

The object API (``import zmq4 as zmq``), laid out as pyzmq's: ``Context``, ``Socket``,
``Frame``/``Message``, ``MessageTracker``, ``Poller``/``select`` (:mod:`zmq4.sugar`) on
:mod:`zmq4.backend`; ``proxy``/``proxy_steerable``/``device``, ``zmq4.devices``,
``zmq4.utils.monitor``, ``has()``; ``import zmq4.asyncio`` for awaitable sockets.
Constants are re-exported here without the ``ZMQ_`` prefix, pyzmq style, as members of
pyzmq's enums (``zmq4.REQ is zmq4.SocketType.REQ``, an ``int``; :mod:`zmq4.constants`); the
plain numbers are in :mod:`zmq4.zmq_h`. ``python -m zmq4.run prog.py`` runs a pyzmq program
unmodified on zmq4 (``import zmq`` resolves here; see ``_zmq4_switch``).
"""

from __future__ import annotations

try:
    from . import z85
except ImportError as _e:  # pragma: no cover - depends on how zmq4 was imported
    from ._paths import missing_extensions_message as _missing

    raise ImportError(_missing()) from _e
from . import backend, constants, error, sugar, utils, zmq_h
from . import devices as devices
from ._paths import get_include, get_includes, get_library, get_library_dirs
from .backend import (
    IPC_PATH_MAX_LEN,
    PYZMQ_DRAFT_API,
    curve_keypair,
    curve_public,
    device,
    has,
    proxy,
    proxy_steerable,
    strerror,
    zmq_errno,
    zmq_poll,
)
from .backend.frame import COPY_THRESHOLD
from .constants import *  # noqa: F403 - every pyzmq constant name, as its enum member
from .constants import __all__ as _constant_names
from .errors import (
    Again,
    ContextTerminated,
    DraftFDWarning,
    InterruptedSystemCall,
    NotDone,
    ZMQBaseError,
    ZMQBindError,
    ZMQError,
    ZMQVersionError,
)
from .sugar import (
    _FINISHED_TRACKER,
    Context,
    Frame,
    Message,
    MessageTracker,
    Poller,
    Socket,
    Stopwatch,
    SyncContext,
    SyncSocket,
    __revision__,
    __version__,
    pyzmq_version,
    pyzmq_version_info,
    select,
    zmq_version,
    zmq_version_info,
)
from .utils import jsonapi as _jsonapi  # noqa: F401 - zmq4.utils.jsonapi as an attribute
from .utils import monitor as _monitor  # noqa: F401 - makes zmq4.utils.monitor importable
from .utils import z85 as _utils_z85  # noqa: F401 - zmq4.utils.z85 as an attribute

#: pyzmq's name for :data:`PYZMQ_DRAFT_API`: zmq4 implements libzmq 4.0, no draft APIs.
DRAFT_API = PYZMQ_DRAFT_API

__all__ = [
    "Again", "COPY_THRESHOLD", "Context", "ContextTerminated", "DRAFT_API", "DraftFDWarning",
    "Frame", "IPC_PATH_MAX_LEN", "InterruptedSystemCall", "Message", "MessageTracker",
    "NotDone", "PYZMQ_DRAFT_API", "Poller", "Socket", "Stopwatch", "SyncContext",
    "SyncSocket", "ZMQBaseError", "ZMQBindError", "ZMQError", "ZMQVersionError",
    "_FINISHED_TRACKER", "__revision__", "__version__", "curve_keypair", "curve_public",
    "device", "get_includes", "get_library_dirs", "has", "proxy", "proxy_steerable",
    "pyzmq_version", "pyzmq_version_info", "select", "strerror", "zmq_errno", "zmq_poll",
    "zmq_version", "zmq_version_info",
    # zmq4's own
    "backend", "constants", "devices", "error", "get_include", "get_library", "sugar",
    "utils", "z85", "zmq_h",
    *_constant_names,
]
