"""zmq4's backend: pyzmq's ``zmq.backend`` API on zmq4's engine.

The lean classes and functions the object API is built on — :class:`Context`,
:class:`Socket`, :class:`Frame` (alias ``Message``), ``proxy``, ``proxy_steerable``,
``device``, ``monitored_queue``, ``zmq_poll``, ``strerror``, ``zmq_errno``, ``has``,
``curve_keypair``, ``curve_public``, ``zmq_version_info``, ``IPC_PATH_MAX_LEN``,
``PYZMQ_DRAFT_API`` — with the constructor signatures and methods pyzmq's Python layer
expects of a backend. Two layers build on them: zmq4's own (:mod:`zmq4.sugar`, i.e.
``zmq4.Context`` & co.), and pyzmq's, when pyzmq is installed and run with
``PYZMQ_BACKEND=zmq4.backend``: its ``zmq/backend/__init__.py`` imports this module and its
sugar classes subclass these.
"""

from __future__ import annotations

from ..certs import curve_keypair, curve_public
from ..errors import strerror
from .context import Context
from .devices import device, monitored_queue, proxy, proxy_steerable
from .frame import Frame, Message
from .poll import zmq_poll
from .socket import Socket
from .utils import IPC_PATH_MAX_LEN, PYZMQ_DRAFT_API, has, zmq_errno, zmq_version_info

#: pyzmq's list of what a backend provides.
public_api = [
    "Context", "Socket", "Frame", "Message", "proxy", "proxy_steerable", "zmq_poll",
    "strerror", "zmq_errno", "has", "curve_keypair", "curve_public", "zmq_version_info",
    "IPC_PATH_MAX_LEN", "PYZMQ_DRAFT_API",
]

__all__ = [
    "Context", "Socket", "Frame", "Message", "proxy", "proxy_steerable", "zmq_poll",
    "strerror", "zmq_errno", "has", "curve_keypair", "curve_public", "zmq_version_info",
    "IPC_PATH_MAX_LEN", "PYZMQ_DRAFT_API", "device", "monitored_queue",
]
