"""pyzmq's ``zmq.utils.z85``: Z85 (RFC 32) with pyzmq's exceptions.

``encode``/``decode`` run :mod:`zmq4.z85`'s compiled codec. That codec reports bad input as
the C face does (``ZMQError`` EINVAL, as ``zmq_z85_encode`` returning NULL); code written
for pyzmq catches ``ValueError`` for a bad length or character and ``TypeError`` for a
non-bytes argument, so this module raises those, with the codec's message.
"""

from __future__ import annotations

from .. import z85 as _z85
from ..errors import ZMQError

__all__ = ["decode", "encode"]

#: The Z85 alphabet (RFC 32), in value order.
Z85CHARS = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
#: character (byte value) -> its value in :data:`Z85CHARS`.
Z85MAP = {c: i for i, c in enumerate(Z85CHARS)}


def encode(rawbytes: bytes | bytearray | memoryview) -> bytes:
    """Z85 text of ``rawbytes`` (a multiple of 4 bytes long)."""
    if not isinstance(rawbytes, (bytes, bytearray, memoryview)):
        raise TypeError(f"z85 encode: expected bytes-like data, got "
                        f"{type(rawbytes).__name__}")
    try:
        return _z85.encode(rawbytes)
    except ZMQError as e:
        raise ValueError(str(e)) from None


def decode(z85bytes: str | bytes | bytearray | memoryview) -> bytes:
    """The bytes encoded by the Z85 text ``z85bytes`` (a multiple of 5 characters)."""
    if not isinstance(z85bytes, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"z85 decode: expected str or bytes, got {type(z85bytes).__name__}")
    try:
        return _z85.decode(z85bytes)
    except ZMQError as e:
        raise ValueError(str(e)) from None
