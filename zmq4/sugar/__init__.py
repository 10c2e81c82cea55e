"""zmq4's object API laid out as pyzmq's ``zmq.sugar``: ``context``, ``socket``, ``frame``,
``poll``, ``tracker``, ``version``, ``stopwatch``, ``attrsettr``.

The classes here are zmq4's classes (``zmq4.sugar.socket.Socket is zmq4.Socket``): pyzmq's
conveniences over the backend (:mod:`zmq4.backend`), which does the work.
"""

from __future__ import annotations

from .. import error  # noqa: F401 - pyzmq's sugar namespace has these too
from ..backend import device, proxy, proxy_steerable  # noqa: F401
from ..constants import DeviceType  # noqa: F401
from ..errors import (
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
from . import (  # noqa: F401 - the submodules, as attributes (pyzmq's layout)
    attrsettr,
    context,
    frame,
    poll,
    socket,
    stopwatch,
    tracker,
    version,
)
from .context import Context, SyncContext
from .frame import Frame, Message
from .poll import Poller, select
from .socket import Socket, SyncSocket
from .stopwatch import Stopwatch
from .tracker import _FINISHED_TRACKER, MessageTracker
from .version import (
    __revision__,
    __version__,
    pyzmq_version,
    pyzmq_version_info,
    zmq_version,
    zmq_version_info,
)

__all__ = [
    "Again", "Context", "ContextTerminated", "DraftFDWarning", "Frame",
    "InterruptedSystemCall", "Message", "MessageTracker", "NotDone", "Poller", "Socket",
    "Stopwatch", "SyncContext", "SyncSocket", "ZMQBaseError", "ZMQBindError", "ZMQError",
    "ZMQVersionError", "_FINISHED_TRACKER", "__revision__", "__version__", "device",
    "pyzmq_version", "pyzmq_version_info", "select", "zmq_version", "zmq_version_info",
]
