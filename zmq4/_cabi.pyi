"""Type stub of the compiled C-ABI bridge (zmq4/_cabi.pyx): used by the shim libzmq.so.5
through the ``_C_API`` capsule; the Python-level names below are for diagnostics and tests."""

from typing import Any

#: The function table (``zmq4_cabi_t``, csrc/zmq4_cabi.h) as a PyCapsule named
#: "zmq4._cabi._C_API".
_C_API: Any

#: Version of that table (``ZMQ4_CABI_VERSION``).
CABI_VERSION: int

def mode() -> int:
    """0 before the shim attached, 1 host mode (ctypes/cffi), 2 embedded (C program)."""

def live_counts() -> int:
    """Context + socket handles currently registered."""
