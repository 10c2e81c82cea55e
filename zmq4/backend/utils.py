"""Library-level queries of the backend (pyzmq's ``zmq.backend`` functions ``has``,
``zmq_errno``, ``zmq_version_info`` and the constants ``IPC_PATH_MAX_LEN``,
``PYZMQ_DRAFT_API``).

Rules: zmq4 implements libzmq 4.0.10 without draft APIs; ``has`` answers with libzmq 4.1's
capability names ("ipc" and "curve" yes; "pgm", "tipc", "norm", "gssapi", "draft" and
anything unknown no); ``zmq_errno`` is the errno of the last failed call of the C-style face
(``zmq4.capi``) in this thread (the object API raises instead).
Imports: the leaves (``zmq4.capi`` lazily).
"""

from __future__ import annotations

from .. import zmq_h as C

#: zmq4 implements libzmq 4.0 without draft APIs.
PYZMQ_DRAFT_API = False
#: Longest ipc:// path (sockaddr_un.sun_path without its NUL).
IPC_PATH_MAX_LEN = 107

_CAPABILITIES = {"ipc": True, "curve": True, "pgm": False, "tipc": False, "norm": False,
                 "gssapi": False, "draft": False}


def has(capability: str) -> bool:
    """Whether zmq4 supports ``capability`` (libzmq 4.1's ``zmq_has`` names)."""
    if not isinstance(capability, str):
        raise TypeError(f"capability must be str, not {type(capability).__name__}")
    return _CAPABILITIES.get(capability, False)


def zmq_errno() -> int:
    """The errno of the last failed call of ``zmq4.capi`` in this thread (libzmq's
    ``zmq_errno``)."""
    from ..capi import zmq_errno as _errno

    return int(_errno())


def zmq_version_info() -> tuple[int, int, int]:
    """The libzmq version zmq4 implements: (4, 0, 10)."""
    return (C.VERSION_MAJOR, C.VERSION_MINOR, C.VERSION_PATCH)


__all__ = ["IPC_PATH_MAX_LEN", "PYZMQ_DRAFT_API", "has", "zmq_errno", "zmq_version_info"]
