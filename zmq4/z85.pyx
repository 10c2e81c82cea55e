# cython: language_level=3
"""Z85 (RFC 32 / ZMQ RFC 32): binary <-> printable text, compiled.

Owns the codec used by CURVE key options, ``zmq_z85_encode/decode`` and ``zmq4.z85``.
Rules: encode needs a length divisible by 4 and decode a length divisible by 5 (RFC 32);
decode also rejects characters outside the alphabet and 5-char groups whose value exceeds
2**32-1 (libzmq 4.0 silently decodes those to garbage; we refuse). Bad input raises
``ZMQError(EINVAL)`` with a message naming the problem; it never returns a wrong answer.
Leaf module: imports only zmq4.zmq_h and zmq4.errors.
"""

from cpython.bytes cimport PyBytes_FromStringAndSize, PyBytes_AS_STRING
from libc.stdint cimport uint32_t, uint8_t

from zmq4 import zmq_h as _C
from zmq4.errors import ZMQError

cdef const char *ENCODER = (
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
)
cdef uint8_t DECODER[256]
cdef int _i
for _i in range(256):
    DECODER[_i] = 0xFF
for _i in range(85):
    DECODER[<uint8_t>ENCODER[_i]] = _i


def encode(data) -> bytes:
    """Encode ``data`` (bytes-like, length a multiple of 4) as Z85 ASCII bytes."""
    cdef const uint8_t[::1] view
    cdef const uint8_t *src
    cdef Py_ssize_t n
    if type(data) is bytes:  # fast path: no buffer object for the common case (keys)
        src = <const uint8_t *>PyBytes_AS_STRING(data)
        n = len(<bytes>data)
    else:
        if isinstance(data, str):
            raise ZMQError(_C.EINVAL, "z85 encode: expected bytes-like data, got str")
        try:
            view = memoryview(data).cast("B")
        except TypeError:
            raise ZMQError(_C.EINVAL,
                           f"z85 encode: expected bytes-like data, got {type(data).__name__}")
        n = view.shape[0]
        src = &view[0] if n else <const uint8_t *>b""
    if n % 4:
        raise ZMQError(_C.EINVAL, f"z85 encode: length {n} is not a multiple of 4")
    out = PyBytes_FromStringAndSize(NULL, n // 4 * 5)
    cdef char *dst = PyBytes_AS_STRING(out)
    cdef Py_ssize_t i = 0, j = 0
    cdef uint32_t v
    with nogil:
        while i < n:
            v = ((<uint32_t>src[i]) << 24) | ((<uint32_t>src[i + 1]) << 16) | \
                ((<uint32_t>src[i + 2]) << 8) | (<uint32_t>src[i + 3])
            dst[j + 4] = ENCODER[v % 85]; v //= 85
            dst[j + 3] = ENCODER[v % 85]; v //= 85
            dst[j + 2] = ENCODER[v % 85]; v //= 85
            dst[j + 1] = ENCODER[v % 85]; v //= 85
            dst[j] = ENCODER[v]
            i += 4
            j += 5
    return out


def decode(data) -> bytes:
    """Decode Z85 text (str or ASCII bytes-like, length a multiple of 5) to bytes."""
    cdef const uint8_t[::1] view
    cdef const uint8_t *src
    cdef Py_ssize_t n
    if isinstance(data, str):
        try:
            data = (<str>data).encode("ascii")
        except UnicodeEncodeError:
            raise ZMQError(_C.EINVAL, "z85 decode: non-ASCII character in input")
    if type(data) is bytes:
        src = <const uint8_t *>PyBytes_AS_STRING(data)
        n = len(<bytes>data)
    else:
        try:
            view = memoryview(data).cast("B")
        except TypeError:
            raise ZMQError(_C.EINVAL,
                           f"z85 decode: expected str or bytes, got {type(data).__name__}")
        n = view.shape[0]
        src = &view[0] if n else <const uint8_t *>b""
    if n % 5:
        raise ZMQError(_C.EINVAL, f"z85 decode: length {n} is not a multiple of 5")
    out = PyBytes_FromStringAndSize(NULL, n // 5 * 4)
    cdef uint8_t *dst = <uint8_t *>PyBytes_AS_STRING(out)
    cdef Py_ssize_t i = 0, j = 0, bad = -1
    cdef unsigned long long v
    cdef uint8_t d
    cdef int k
    with nogil:
        while i < n:
            v = 0
            for k in range(5):
                d = DECODER[src[i + k]]
                if d == 0xFF:
                    bad = i + k
                    break
                v = v * 85 + d
            if bad >= 0:
                break
            if v > 0xFFFFFFFFULL:
                bad = -2 - i
                break
            dst[j] = <uint8_t>(v >> 24)
            dst[j + 1] = <uint8_t>(v >> 16)
            dst[j + 2] = <uint8_t>(v >> 8)
            dst[j + 3] = <uint8_t>v
            i += 5
            j += 4
    if bad >= 0:
        raise ZMQError(_C.EINVAL, f"z85 decode: character {chr(src[bad])!r} at offset {bad} "
                                  "is not in the Z85 alphabet")
    if bad <= -2:
        raise ZMQError(_C.EINVAL, f"z85 decode: group at offset {-2 - bad} exceeds 32 bits")
    return out
