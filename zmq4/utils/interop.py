"""pyzmq's ``zmq.utils.interop``: addresses handed between libraries as plain ints.

``cast_int_addr(n)`` turns what another binding gives for a context or socket address
into the int that ``Context.shadow`` / ``Socket.shadow`` take: an int as it is, a cffi
pointer (``void *``) as its integer value. Anything else is ``ValueError``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["cast_int_addr"]


def cast_int_addr(n: Any) -> int:
    """``n`` (an int, or a cffi pointer) as an int address."""
    if isinstance(n, int) and not isinstance(n, bool):
        return n
    try:
        import cffi
    except ImportError:
        pass
    else:
        ffi = cffi.FFI()
        if isinstance(n, ffi.CData):
            return int(ffi.cast("size_t", n))
    raise ValueError(f"cannot cast {n!r} to an int address")
