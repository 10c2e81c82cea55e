# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""ZMTP frame encoding and decoding: the hot path of the protocol layer.

Owns the bytes of ZMTP frames, nothing else (no greeting, no commands, no state
beyond a partially received frame/message):

* ZMTP 3.0 / 2.0 framing (RFC 23 §Framing, RFC 15): ``flags | size | body`` where
  flags bit 0 = MORE, bit 1 = LONG (8-byte big-endian size follows), bit 2 = COMMAND
  (3.0 only). Encoders use the 1-byte size iff the body is <= 255 bytes, as libzmq.
* ZMTP 1.0 framing (RFC 13): ``length | flags | body`` with ``length = len(body)+1``,
  1 byte if < 255 else ``0xFF`` + 8-byte big-endian; flags bit 0 = MORE.

Encoders append whole messages (or batches of messages) to a caller-owned
``bytearray`` with one resize and one memcpy per part; ``encode_messages_iov`` leaves
large ``bytes`` bodies out and returns the output as a list of chunks for one gathering
write (no copy of big payloads, no page faults on a fresh multi-megabyte buffer). ``Decoder`` is incremental: feed
it chunks of any size (1 byte, split headers, many frames at once) and it returns every
complete frame or message decoded in one compiled loop per call.

Decoder rules (libzmq 4.0 decoders, spec §5.4 and §8.12):
* the frame size limit (MAXMSGSIZE semantics, -1 = unlimited) is checked against the
  header *before* anything is allocated for the payload;
* an 8-byte size with the top bit set (> 2**63-1, beyond ``Py_ssize_t``) is rejected;
* a ZMTP 1.0 length of 0 is rejected (RFC 13);
* reserved flag bits (3-7; and bit 2 in 2.0/1.0 framing) are ignored, as libzmq 4.0
  does; MORE/LONG/COMMAND keep their meaning. Returned flags are normalised to
  ``MORE | COMMAND`` (LONG and reserved bits stripped).
* a frame is allocated once its header is known and filled by memcpy; frames larger
  than ``PREALLOC_LIMIT`` that are not yet fully received grow geometrically with the
  bytes actually received, so a forged huge header cannot make the decoder allocate
  memory the peer has not sent (no quadratic copying either way).
* large bodies are recycled once nobody holds them (``new_body``, "recycled frame
  bodies" below): no fresh pages to fault in per message.

Import rules: imports only ``zmq4.zmtp.errors`` (and the CPython C API). No I/O, no
time, no threads. Errors are ``RemoteProtocolError``.
"""

from cpython.bytes cimport PyBytes_CheckExact, PyBytes_AS_STRING, PyBytes_GET_SIZE
from cpython.bytearray cimport (
    PyByteArray_AS_STRING, PyByteArray_FromStringAndSize, PyByteArray_GET_SIZE, PyByteArray_Resize,
)
from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_SIMPLE
from cpython.list cimport PyList_New, PyList_SET_ITEM, PyList_Append, PyList_GET_SIZE
from cpython.ref cimport PyObject, Py_INCREF, Py_XDECREF
from cpython.exc cimport PyErr_Clear
from cpython.sequence cimport PySequence_Fast, PySequence_Fast_GET_SIZE, PySequence_Fast_GET_ITEM
from libc.string cimport memcpy
from libc.stdint cimport uint64_t

from .errors import RemoteProtocolError

cdef extern from "Python.h":
    PyObject* _bytes_new "PyBytes_FromStringAndSize"(const char* s, Py_ssize_t n)
    char* _bytes_ptr "PyBytes_AS_STRING"(PyObject* o)
    int _PyBytes_Resize(PyObject** o, Py_ssize_t n)
    object _bytes_obj "PyBytes_FromStringAndSize"(const char* s, Py_ssize_t n)
    Py_ssize_t PY_SSIZE_T_MAX
    void PyObject_GC_UnTrack(void* o)
    object PyMemoryView_FromMemory(char* mem, Py_ssize_t size, int flags)
    int PyBUF_WRITE

#: Flag bits (RFC 23 §Framing).
MORE = 0x01
LONG = 0x02
COMMAND = 0x04

#: Frames above this size that are only partly received grow with the received data
#: instead of being allocated whole up front.
PREALLOC_LIMIT = 1 << 20

#: ``encode_messages_iov`` default: ``bytes`` bodies this large are sent by reference
#: (libzmq's encoder likewise stops copying at its 8 KB batch size).
BY_REFERENCE = 1 << 14

cdef enum:
    _MORE = 0x01
    _LONG = 0x02
    _COMMAND = 0x04
    _PREALLOC = 1 << 20


# ---------------------------------------------------------------------------
# helpers


cdef inline uint64_t _get_be64(const unsigned char* p) noexcept nogil:
    return ((<uint64_t>p[0] << 56) | (<uint64_t>p[1] << 48) | (<uint64_t>p[2] << 40) |
            (<uint64_t>p[3] << 32) | (<uint64_t>p[4] << 24) | (<uint64_t>p[5] << 16) |
            (<uint64_t>p[6] << 8) | <uint64_t>p[7])


cdef inline void _put_be64(unsigned char* p, uint64_t v) noexcept nogil:
    p[0] = <unsigned char>(v >> 56)
    p[1] = <unsigned char>(v >> 48)
    p[2] = <unsigned char>(v >> 40)
    p[3] = <unsigned char>(v >> 32)
    p[4] = <unsigned char>(v >> 24)
    p[5] = <unsigned char>(v >> 16)
    p[6] = <unsigned char>(v >> 8)
    p[7] = <unsigned char>v


cdef inline Py_ssize_t _part_len(object part) except -1:
    """Byte length of a bytes-like part (fast path for exact bytes)."""
    cdef Py_buffer view
    cdef Py_ssize_t n
    if PyBytes_CheckExact(part):
        return PyBytes_GET_SIZE(part)
    PyObject_GetBuffer(part, &view, PyBUF_SIMPLE)
    n = view.len
    PyBuffer_Release(&view)
    return n


cdef inline Py_ssize_t _hdr_len_v3(Py_ssize_t n) noexcept nogil:
    return 2 if n <= 255 else 9


cdef inline Py_ssize_t _hdr_len_v1(Py_ssize_t n) noexcept nogil:
    # length = n + 1 (flags byte included); 1-byte form iff length < 255
    return 2 if n < 254 else 10


cdef inline unsigned char* _put_hdr_v3(unsigned char* w, Py_ssize_t n,
                                       unsigned char flags) noexcept nogil:
    if n <= 255:
        w[0] = flags
        w[1] = <unsigned char>n
        return w + 2
    w[0] = flags | _LONG
    _put_be64(w + 1, <uint64_t>n)
    return w + 9


cdef inline unsigned char* _put_hdr_v1(unsigned char* w, Py_ssize_t n,
                                       unsigned char flags) noexcept nogil:
    if n < 254:
        w[0] = <unsigned char>(n + 1)
        w[1] = flags
        return w + 2
    w[0] = 0xFF
    _put_be64(w + 1, <uint64_t>n + 1)
    w[9] = flags
    return w + 10


cdef inline unsigned char* _put_body(unsigned char* w, object part, Py_ssize_t n) except NULL:
    cdef Py_buffer view
    if PyBytes_CheckExact(part):
        if PyBytes_GET_SIZE(part) != n:
            raise RuntimeError("message part changed size while being encoded")
        memcpy(w, PyBytes_AS_STRING(part), n)
        return w + n
    PyObject_GetBuffer(part, &view, PyBUF_SIMPLE)
    try:
        if view.len != n:
            raise RuntimeError("message part changed size while being encoded")
        memcpy(w, view.buf, n)
    finally:
        PyBuffer_Release(&view)
    return w + n


cdef inline unsigned char* _grow(bytearray out, Py_ssize_t extra, Py_ssize_t* old) except NULL:
    """Resize ``out`` by ``extra`` bytes; returns the write pointer at the old end."""
    old[0] = PyByteArray_GET_SIZE(out)
    PyByteArray_Resize(out, old[0] + extra)
    return <unsigned char*>PyByteArray_AS_STRING(out) + old[0]


cdef Py_ssize_t _message_size(object seq, bint v1) except -1:
    """Total encoded size of one message given as a PySequence_Fast result."""
    cdef Py_ssize_t i, n, total = 0
    cdef Py_ssize_t count = PySequence_Fast_GET_SIZE(seq)
    if count == 0:
        raise ValueError("a message needs at least one part")
    for i in range(count):
        n = _part_len(<object>PySequence_Fast_GET_ITEM(seq, i))
        total += n + (_hdr_len_v1(n) if v1 else _hdr_len_v3(n))
    return total


cdef unsigned char* _write_message(unsigned char* w, object seq, bint v1) except NULL:
    cdef Py_ssize_t i, n
    cdef Py_ssize_t count = PySequence_Fast_GET_SIZE(seq)
    cdef object part
    cdef unsigned char flags
    for i in range(count):
        part = <object>PySequence_Fast_GET_ITEM(seq, i)
        n = _part_len(part)
        flags = _MORE if i + 1 < count else 0
        if v1:
            w = _put_hdr_v1(w, n, flags)
        else:
            w = _put_hdr_v3(w, n, flags)
        w = _put_body(w, part, n)
    return w


cdef inline object _as_parts(object parts):
    if PyBytes_CheckExact(parts) or isinstance(parts, (bytearray, memoryview, str)):
        raise TypeError("parts must be a sequence of bytes-like objects, not a single buffer")
    return PySequence_Fast(parts, "parts must be a sequence of bytes-like objects")


cdef Py_ssize_t _encode_message(bytearray out, object parts, bint v1) except -1:
    cdef object seq = _as_parts(parts)
    cdef Py_ssize_t total = _message_size(seq, v1)
    cdef Py_ssize_t old
    cdef unsigned char* start = _grow(out, total, &old)
    cdef unsigned char* end
    try:
        end = _write_message(start, seq, v1)
    except BaseException:
        PyByteArray_Resize(out, old)
        raise
    if end - start != total:
        PyByteArray_Resize(out, old)
        raise RuntimeError("message changed while being encoded")
    return total


cdef Py_ssize_t _encode_messages(bytearray out, object messages, bint v1) except -1:
    """Every message into ``out`` with one resize (``_encode_messages_iov`` with no
    body sent by reference). Returns the bytes appended."""
    cdef Py_ssize_t old = PyByteArray_GET_SIZE(out)
    _encode_messages_iov(out, messages, v1, PY_SSIZE_T_MAX, None)
    return PyByteArray_GET_SIZE(out) - old


cdef inline bint _by_reference(object part, Py_ssize_t threshold) noexcept:
    # Only immutable ``bytes`` may be sent from the caller's object: the engine holds it
    # until the kernel has taken it, and nobody can change it meanwhile.
    return PyBytes_CheckExact(part) and PyBytes_GET_SIZE(part) >= threshold


cdef Py_ssize_t _encode_messages_iov(bytearray out, object messages, bint v1,
                                     Py_ssize_t threshold, list chunks) except -1:
    """``_encode_messages`` leaving the bodies of large ``bytes`` parts out of ``out``.

    Returns how many bodies were left out. When
    that is > 0, ``chunks`` received the whole output in order: slices of ``out``
    (which is then exported, the caller must stop appending to it) interleaved with the
    large parts themselves."""
    cdef object outer = PySequence_Fast(messages, "messages must be a sequence of messages")
    cdef Py_ssize_t count = PySequence_Fast_GET_SIZE(outer)
    cdef Py_ssize_t i, j, k, n, nparts, total = 0, old, big = 0
    cdef object seq, part
    cdef unsigned char* start
    cdef unsigned char* w
    cdef unsigned char flags
    cdef list cuts
    for i in range(count):
        seq = _as_parts(<object>PySequence_Fast_GET_ITEM(outer, i))
        nparts = PySequence_Fast_GET_SIZE(seq)
        if nparts == 0:
            raise ValueError("a message needs at least one part")
        for j in range(nparts):
            part = <object>PySequence_Fast_GET_ITEM(seq, j)
            n = _part_len(part)
            total += _hdr_len_v1(n) if v1 else _hdr_len_v3(n)
            if _by_reference(part, threshold):
                big += 1
            else:
                total += n
    start = _grow(out, total, &old)
    w = start
    cuts = [] if big else None
    try:
        for i in range(count):
            seq = _as_parts(<object>PySequence_Fast_GET_ITEM(outer, i))
            nparts = PySequence_Fast_GET_SIZE(seq)
            for j in range(nparts):
                part = <object>PySequence_Fast_GET_ITEM(seq, j)
                n = _part_len(part)
                flags = _MORE if j + 1 < nparts else 0
                w = _put_hdr_v1(w, n, flags) if v1 else _put_hdr_v3(w, n, flags)
                if big and _by_reference(part, threshold):
                    cuts.append((w - <unsigned char*>PyByteArray_AS_STRING(out), part))
                else:
                    w = _put_body(w, part, n)
    except BaseException:
        PyByteArray_Resize(out, old)
        raise
    if w - start != total:
        PyByteArray_Resize(out, old)
        raise RuntimeError("messages changed while being encoded")
    if big:
        interleave(out, cuts, chunks)
    return big


cdef int interleave(bytearray out, list cuts, list chunks) except -1:
    """Append to ``chunks`` the whole of ``out`` in order with the objects of ``cuts``,
    ``(offset, obj)`` pairs in offset order, each standing at its offset: memoryview
    slices of ``out`` (which is then exported) between them."""
    cdef Py_ssize_t at = 0, cut
    view = memoryview(out)
    for cut, obj in cuts:
        if cut > at:
            chunks.append(view[at:cut])
        chunks.append(obj)
        at = cut
    if at < PyByteArray_GET_SIZE(out):
        chunks.append(view[at:])
    return 0


# ---------------------------------------------------------------------------
# public encoders


def encode_message(bytearray out not None, parts):
    """Append one multipart message (sequence of bytes-like parts) in ZMTP 3.0/2.0
    framing: MORE on every part but the last. Returns the number of bytes appended."""
    return _encode_message(out, parts, False)


def encode_messages(bytearray out not None, messages):
    """Append many messages (sequence of part sequences) in ZMTP 3.0/2.0 framing with a
    single resize of ``out``. Returns the number of bytes appended."""
    return _encode_messages(out, messages, False)


def encode_message_v1(bytearray out not None, parts):
    """``encode_message`` in ZMTP 1.0 framing (RFC 13)."""
    return _encode_message(out, parts, True)


def encode_messages_v1(bytearray out not None, messages):
    """``encode_messages`` in ZMTP 1.0 framing (RFC 13)."""
    return _encode_messages(out, messages, True)


def encode_messages_iov(bytearray out not None, messages, list chunks not None,
                        Py_ssize_t threshold=BY_REFERENCE, bint v1=False):
    """``encode_messages`` (``encode_messages_v1`` if ``v1``) for a gathering write:
    bodies of exact ``bytes`` parts of ``threshold`` bytes or more are not copied.

    Returns how many bodies were left out. If none, everything went into ``out`` as
    ``encode_messages`` does and ``chunks`` is untouched. Otherwise ``chunks`` received
    the complete output in order (what ``out`` held before the call included):
    memoryview slices of ``out`` interleaved with the large ``bytes`` parts, for one
    ``sendmsg``; ``out`` is then exported and must not be appended to again."""
    return _encode_messages_iov(out, messages, v1, threshold, chunks)


def encode_frame(bytearray out not None, data, int flags=0):
    """Append one ZMTP 3.0/2.0 frame with the given ``MORE``/``COMMAND`` flags (LONG is
    chosen from the size; reserved bits are cleared). Returns the bytes appended."""
    cdef Py_ssize_t n = _part_len(data)
    cdef Py_ssize_t total = n + _hdr_len_v3(n)
    cdef Py_ssize_t old
    cdef unsigned char* w = _grow(out, total, &old)
    w = _put_hdr_v3(w, n, <unsigned char>(flags & (_MORE | _COMMAND)))
    try:
        _put_body(w, data, n)
    except BaseException:
        PyByteArray_Resize(out, old)
        raise
    return total


def encode_frame_v1(bytearray out not None, data, int flags=0):
    """Append one ZMTP 1.0 frame (only the MORE flag exists). Returns the bytes appended."""
    cdef Py_ssize_t n = _part_len(data)
    cdef Py_ssize_t total = n + _hdr_len_v1(n)
    cdef Py_ssize_t old
    cdef unsigned char* w = _grow(out, total, &old)
    w = _put_hdr_v1(w, n, <unsigned char>(flags & _MORE))
    try:
        _put_body(w, data, n)
    except BaseException:
        PyByteArray_Resize(out, old)
        raise
    return total


# ---------------------------------------------------------------------------
# recycled frame bodies
#
# A fresh multi-hundred-kilobyte allocation is fresh pages: glibc hands large chunks back
# to the kernel (munmap, or trimming a thread arena's heap) whenever a burst of them is
# freed, so the next body faults in every page and the kernel zeroes it before ``recv``
# copies over it. On 1 MB messages that was up to half of a receiver's system time, and
# whether it happened changed from run to run. Bodies from RECYCLE_MIN to RECYCLE_MAX
# bytes are therefore remembered (when allocated; above PREALLOC_LIMIT, once grown to
# their full size) in a small process-wide table kept oldest first: messages are mostly
# consumed in order, so the oldest is the likeliest to be free. When a body of the same
# size is needed and the table holds the only reference left to one of the RECYCLE_SCAN
# oldest (everyone else dropped the message), that object is filled again instead, and
# becomes the newest. Nobody can observe the reuse: with a reference count of one, no
# other reference to the object exists; its cached hash is invalidated by a resize. All
# of this runs under the GIL (decoders and codecs are not used without it). The table
# holds at most RECYCLE_SLOTS bodies and RECYCLE_BYTES bytes: that much may stay alive
# after the messages are gone (``recycled_clear`` lets it go).

#: Smallest frame body drawn from the recycled set (smaller ones are cheap to allocate).
RECYCLE_MIN = 1 << 17  # glibc's default mmap threshold: below it, malloc reuses memory
#: Entries looked at per new body, oldest first: if those are still in use, younger ones
#: (queued behind them) are too, and each look costs a cache miss.
RECYCLE_SCAN = 4
#: Most bodies the table remembers.
RECYCLE_SLOTS = 64
#: Most bytes of bodies the table keeps alive (the oldest are forgotten first).
RECYCLE_BYTES = 8 << 20
#: Largest body remembered. A frame above PREALLOC_LIMIT still grows with the data
#: received, unless a remembered body of its exact size is free: that costs no memory
#: the peer has not sent.
RECYCLE_MAX = 4 << 20

cdef enum:
    _RECYCLE_MIN = 1 << 17
    _RECYCLE_SCAN = 4
    _RECYCLE_SLOTS = 64
    _RECYCLE_BYTES = 8 << 20
    _RECYCLE_MAX = 4 << 20

cdef extern from *:
    """
    #ifdef Py_GIL_DISABLED
    #define ZMQ4_CODEC_RECYCLE 0  /* a reference count of 1 proves nothing without the GIL */
    #else
    #define ZMQ4_CODEC_RECYCLE 1
    #endif
    """
    int ZMQ4_CODEC_RECYCLE
    Py_ssize_t Py_REFCNT(PyObject* o)
    Py_ssize_t Py_SIZE(PyObject* o)

cdef PyObject* _recycled[_RECYCLE_SLOTS]  # oldest first; one reference each
cdef int _recycled_count = 0
cdef Py_ssize_t _recycled_bytes = 0


cdef inline PyObject* _recycled_take(int i) noexcept:
    """Remove entry ``i`` from the table; its reference passes to the caller."""
    global _recycled_count, _recycled_bytes
    cdef PyObject* o = _recycled[i]
    cdef int j
    for j in range(i, _recycled_count - 1):
        _recycled[j] = _recycled[j + 1]
    _recycled_count -= 1
    _recycled[_recycled_count] = NULL
    _recycled_bytes -= Py_SIZE(o)
    return o


cdef inline void _recycled_add(PyObject* o) noexcept:
    """Remember ``o`` as the newest entry (the table takes a reference of its own),
    forgetting the oldest ones until it fits."""
    global _recycled_count, _recycled_bytes
    cdef Py_ssize_t size = Py_SIZE(o)
    while _recycled_count and (_recycled_count == _RECYCLE_SLOTS
                               or _recycled_bytes + size > _RECYCLE_BYTES):
        Py_XDECREF(_recycled_take(0))
    Py_INCREF(<object>o)
    _recycled[_recycled_count] = o
    _recycled_count += 1
    _recycled_bytes += size


cdef inline bint _recyclable(Py_ssize_t size) noexcept:
    return ZMQ4_CODEC_RECYCLE and _RECYCLE_MIN <= size <= _RECYCLE_MAX


cdef PyObject* _recycled_find(Py_ssize_t size) noexcept:
    """A new reference to a remembered body of ``size`` bytes that nobody else holds
    (now the newest entry), or NULL."""
    cdef PyObject* o
    cdef int i
    for i in range(_recycled_count if _recycled_count < _RECYCLE_SCAN else _RECYCLE_SCAN):
        o = _recycled[i]
        if Py_REFCNT(o) == 1 and Py_SIZE(o) == size:
            # The table's reference is the only one: take it over. Resizing away and
            # back (in place: the chunk already has the room) resets the cached hash.
            o = _recycled_take(i)
            if _PyBytes_Resize(&o, size - 1) < 0 or _PyBytes_Resize(&o, size) < 0:
                PyErr_Clear()
                return NULL  # the failed resize released o
            _recycled_add(o)
            return o
    return NULL


cdef PyObject* new_body(Py_ssize_t size) except NULL:
    """A new reference to a ``bytes`` object of ``size`` bytes, contents undefined (the
    caller fills all of it): a recycled one when the table has one nobody else holds.
    ``size`` must be one the caller may allocate outright: data it holds, or a peer's
    claim within PREALLOC_LIMIT."""
    cdef PyObject* o = NULL
    if _recyclable(size):
        o = _recycled_find(size)
        if o != NULL:
            return o
    o = _bytes_new(NULL, size)
    if o == NULL:
        raise MemoryError()
    if _recyclable(size):
        _recycled_add(o)
    return o


def recycled_bodies():
    """The bodies the recycled set holds now, oldest first (for tests)."""
    return [<object>_recycled[i] for i in range(_recycled_count)]


def recycled_clear():
    """Forget every remembered body (the memory of those no message holds is freed)."""
    while _recycled_count:
        Py_XDECREF(_recycled_take(_recycled_count - 1))


# ---------------------------------------------------------------------------
# decoder


cdef inline int _grow_payload(Decoder self, Py_ssize_t need) except -1:
    """Make room for at least ``need`` bytes of the pending body (``need`` <= its size):
    capacity doubles, so it stays within twice what was received."""
    cdef Py_ssize_t newcap = self._pcap * 2
    if newcap < need:
        newcap = need
    if newcap > self._psize:
        newcap = self._psize
    if _PyBytes_Resize(&self._pay, newcap) < 0:
        self._pay = NULL
        raise MemoryError()
    self._pcap = newcap
    return 0


cdef inline int _emit(Decoder self, unsigned char flags, object payload, list out,
                      bint frames) except -1:
    """Hand over one complete frame: returns 1 if it produced an item in ``out``, 0 if
    it was kept as a part of an unfinished message."""
    cdef list msg
    if frames:
        out.append((flags, payload))
        return 1
    if flags & _COMMAND:
        out.append(payload)
        self.commands += 1
        return 1
    if flags & _MORE:
        self._parts.append(payload)
        return 0
    if PyList_GET_SIZE(self._parts) == 0:
        msg = PyList_New(1)
        Py_INCREF(payload)
        PyList_SET_ITEM(msg, 0, payload)
    else:
        msg = self._parts
        msg.append(payload)
        self._parts = []
    PyObject_GC_UnTrack(<void*>msg)
    PyList_Append(out, msg)
    return 1


cdef class Decoder:
    """Incremental ZMTP frame decoder (one per connection and direction).

    ``Decoder(max_msg_size=-1, version=3)``; ``version`` is 3 (ZMTP 3.x framing with
    COMMAND frames), 2 (ZMTP 2.0: bit 2 is reserved and ignored) or 1 (ZMTP 1.0).

    Two output shapes, chosen per call:

    * ``decode_frames(data)`` -> ``[(flags, payload), ...]`` (flags normalised to
      MORE|COMMAND);
    * ``decode_messages(data)`` -> items in wire order: a ``list`` of ``bytes`` per
      complete data message, a ``bytes`` object (the command body) per command frame.
      Partial messages are kept inside the decoder until their last frame arrives.
      After the call ``commands`` holds how many command items it returned, so a caller
      can skip filtering when it is 0. Message lists hold only ``bytes`` and are
      created untracked by the cyclic GC (halves the per-message cost): they are
      ordinary lists, but do not build reference cycles through them.

    Both accept ``out`` (a list appended to, which keeps the items decoded before a
    protocol error) and ``limit`` (stop after that many items; input not yet decoded is
    copied and kept for the next call). ``data`` may be any contiguous bytes-like
    object; it is not referenced after the call returns, so a ``recv_into`` buffer may
    be reused at once.

    A protocol error raises ``RemoteProtocolError``; the decoder then stays failed.
    """

    def __cinit__(self):
        self._pay = NULL
        self._hlen = 0

    def __init__(self, max_msg_size=-1, int version=3):
        if version not in (1, 2, 3):
            raise ValueError("version must be 1, 2 or 3")
        self.version = version
        self.max_msg_size = max_msg_size
        self._parts = []
        self._left = None
        self._error = None
        self.commands = 0

    def __dealloc__(self):
        Py_XDECREF(self._pay)
        self._pay = NULL

    @property
    def max_msg_size(self):
        """Largest accepted frame body in bytes; -1 (any negative value) = unlimited."""
        return self._max

    @max_msg_size.setter
    def max_msg_size(self, value):
        cdef long long v = value
        self._max = -1 if v < 0 else <Py_ssize_t>min(v, PY_SSIZE_T_MAX)

    @property
    def at_boundary(self):
        """True when no partial frame, partial message or undecoded input is held."""
        return (self._hlen == 0 and self._pay == NULL and PyList_GET_SIZE(self._parts) == 0
                and (self._left is None or PyByteArray_GET_SIZE(self._left) == 0))

    @property
    def buffered(self):
        """Bytes held inside the decoder (partial header/payload, undecoded input)."""
        cdef Py_ssize_t n = self._hlen + (self._pfill if self._pay != NULL else 0)
        if self._left is not None:
            n += PyByteArray_GET_SIZE(self._left)
        return n

    @property
    def failed(self):
        """The ``RemoteProtocolError`` that stopped this decoder, or None."""
        return self._error

    def take_partial(self):
        """Discard and return the parts of an unfinished multipart message (for
        teardown: the pipe-leak fix of 4.0.10 says partial messages are dropped)."""
        parts = self._parts
        self._parts = []
        return parts

    def decode_frames(self, data=b"", list out=None, Py_ssize_t limit=-1):
        """Decode every complete frame: returns ``out`` with ``(flags, payload)`` tuples."""
        if out is None:
            out = []
        self._decode(data, out, True, limit)
        return out

    def decode_messages(self, data=b"", list out=None, Py_ssize_t limit=-1):
        """Decode every complete message: ``list`` items are messages, ``bytes`` items
        are command bodies (ZMTP 3.x only). Returns ``out``."""
        if out is None:
            out = []
        self._decode(data, out, False, limit)
        return out

    @property
    def missing(self):
        """Bytes still to come of the frame body being received (0: none pending)."""
        return self._psize - self._pfill if self._pay != NULL else 0

    def payload_room(self, Py_ssize_t minimum=0):
        """Where the rest of a partly received frame body can be read to directly.

        Returns a writable ``memoryview`` over the unfilled part of the body being
        received, or None when no body is pending, fewer than ``minimum`` bytes of it
        are missing, undecoded input is held, or the decoder failed. Lets a transport
        ``recv_into`` a large frame's own memory (no copy through a read buffer); then
        call ``payload_received(n)``. The view points into the decoder: use it at once,
        release it, and call nothing else on the decoder meanwhile. A body larger than
        ``PREALLOC_LIMIT`` still grows with the data actually received (at most twice
        what arrived), so a forged size costs no memory the peer did not send."""
        if self._pay == NULL or self._error is not None:
            return None
        if self._left is not None and PyByteArray_GET_SIZE(self._left) > 0:
            return None
        if self._psize - self._pfill < minimum:
            return None
        if self._pcap == self._pfill:
            _grow_payload(self, self._pfill + 1)
        return PyMemoryView_FromMemory(_bytes_ptr(self._pay) + self._pfill,
                                       self._pcap - self._pfill, PyBUF_WRITE)

    def payload_received(self, Py_ssize_t n, list out=None):
        """``n`` bytes were written into the view ``payload_room`` returned. Returns
        ``out`` (a new list if None) with what completed, in ``decode_messages`` form:
        the finished message (or command body) if the frame is now complete and ends
        one, else nothing; ``commands`` counts command items as after a decode."""
        cdef PyObject* tmp
        cdef object payload
        if out is None:
            out = []
        self.commands = 0
        if self._pay == NULL or n < 0 or n > self._pcap - self._pfill:
            raise ValueError("payload_received: %d bytes do not fit the pending frame" % n)
        self._pfill += n
        if self._pfill == self._psize:
            tmp = self._pay
            self._pay = NULL
            if self._pkeep:
                _recycled_add(tmp)  # grown to its full size: remember it now
            payload = <object>tmp
            Py_XDECREF(tmp)      # <object> took its own reference
            _emit(self, self._pflags, payload, out, False)
        return out

    cdef int _decode(self, object data, list out, bint frames, Py_ssize_t limit) except -1:
        cdef object buf
        if self._error is not None:
            raise self._error
        self.commands = 0
        if self._left is not None and PyByteArray_GET_SIZE(self._left) > 0:
            buf = self._left
            self._left = None
            if _part_len(data):
                buf += data
            self._feed(buf, out, frames, limit)
        else:
            self._feed(data, out, frames, limit)
        return 0

    cdef int _feed(self, object data, list out, bint frames, Py_ssize_t limit) except -1:
        cdef Py_buffer view
        cdef Py_ssize_t used
        PyObject_GetBuffer(data, &view, PyBUF_SIMPLE)
        try:
            try:
                used = self._run(<const unsigned char*>view.buf, view.len, out, frames, limit)
            except RemoteProtocolError as exc:
                self._error = exc
                raise
            if used < view.len:
                self._left = PyByteArray_FromStringAndSize(
                    <const char*>view.buf + used, view.len - used)
        finally:
            PyBuffer_Release(&view)
        return 0

    cdef int _fail(self, str reason) except -1:
        raise RemoteProtocolError(reason)

    cdef Py_ssize_t _run(self, const unsigned char* p, Py_ssize_t n, list out,
                         bint frames, Py_ssize_t limit) except -1:
        """The decode loop. Returns how many input bytes were consumed."""
        cdef Py_ssize_t pos = 0
        cdef Py_ssize_t produced = 0
        cdef Py_ssize_t hl, take, avail, size, newcap
        cdef const unsigned char* h
        cdef unsigned char c0, flags, fmask
        cdef uint64_t u
        cdef int ver = self.version
        cdef object payload
        cdef PyObject* tmp

        # Flags kept after normalisation. RFC 23 §Framing: bit 2 is COMMAND in 3.x;
        # reserved bits 3-7 are ignored as libzmq 4.0 does (spec §5.4 [quirk]).
        fmask = (_MORE | _COMMAND) if ver == 3 else _MORE

        while pos < n:
            if limit >= 0 and produced >= limit:
                break

            if self._pay != NULL:
                # ---- continue a payload that spans chunks
                take = self._psize - self._pfill
                if take > n - pos:
                    take = n - pos
                if self._pfill + take > self._pcap:
                    _grow_payload(self, self._pfill + take)
                memcpy(_bytes_ptr(self._pay) + self._pfill, p + pos, take)
                self._pfill += take
                pos += take
                if self._pfill < self._psize:
                    break
                tmp = self._pay
                self._pay = NULL
                if self._pkeep:
                    _recycled_add(tmp)  # grown to its full size: remember it now
                payload = <object>tmp
                Py_XDECREF(tmp)      # <object> took its own reference
                flags = self._pflags
            else:
                # ---- frame header
                if self._hlen == 0:
                    c0 = p[pos]
                    if ver == 1:
                        if c0 == 0:
                            self._fail("ZMTP 1.0 frame with length 0")  # RFC 13: length >= 1
                        hl = 10 if c0 == 0xFF else 2
                    else:
                        hl = 9 if (c0 & _LONG) else 2
                    avail = n - pos
                    if avail >= hl:
                        h = p + pos
                        pos += hl
                    else:
                        memcpy(self._hdr, p + pos, avail)
                        self._hlen = avail
                        pos = n
                        break
                else:
                    c0 = self._hdr[0]
                    if ver == 1:
                        hl = 10 if c0 == 0xFF else 2
                    else:
                        hl = 9 if (c0 & _LONG) else 2
                    take = hl - self._hlen
                    if take > n - pos:
                        take = n - pos
                    memcpy(self._hdr + self._hlen, p + pos, take)
                    self._hlen += take
                    pos += take
                    if self._hlen < hl:
                        break
                    h = self._hdr
                    self._hlen = 0

                if ver == 1:
                    # RFC 13: length counts the flags byte; 1 byte if < 255 else 0xFF + u64
                    if h[0] == 0xFF:
                        u = _get_be64(h + 1)
                        flags = h[9]
                    else:
                        u = h[0]
                        flags = h[1]
                    if u == 0:
                        self._fail("ZMTP 1.0 frame with length 0")  # RFC 13: length >= 1
                    u -= 1
                    if u > <uint64_t>PY_SSIZE_T_MAX:
                        self._fail("ZMTP 1.0 frame length %d out of range" % (u + 1))
                else:
                    flags = h[0]
                    if flags & _LONG:
                        u = _get_be64(h + 1)
                        # RFC 23 §Framing: 8-byte size in network order; a size with
                        # the top bit set cannot be a real frame (spec §5.4 size_t check)
                        if u > <uint64_t>PY_SSIZE_T_MAX:
                            self._fail("frame size %d out of range" % u)
                    else:
                        u = h[1]
                size = <Py_ssize_t>u
                flags = flags & fmask
                # spec §8.12: MAXMSGSIZE is checked per frame before any allocation
                if self._max >= 0 and size > self._max:
                    self._fail("frame of %d bytes exceeds the maximum message size %d"
                               % (size, self._max))

                avail = n - pos
                if size <= avail:
                    if size < _RECYCLE_MIN:
                        payload = _bytes_obj(<const char*>(p + pos), size)
                    else:
                        tmp = new_body(size)
                        memcpy(_bytes_ptr(tmp), p + pos, size)
                        payload = <object>tmp
                        Py_XDECREF(tmp)      # <object> took its own reference
                    pos += size
                else:
                    # start a payload spanning several chunks: preallocate (bounded)
                    self._pkeep = False
                    newcap = size
                    if size <= _PREALLOC:
                        tmp = new_body(size)
                    else:
                        tmp = _recycled_find(size) if _recyclable(size) else NULL
                        if tmp == NULL:
                            # grows with the data (_PyBytes_Resize wants it unshared);
                            # remembered once complete
                            newcap = _PREALLOC if avail < _PREALLOC else avail
                            tmp = _bytes_new(NULL, newcap)
                            if tmp == NULL:
                                raise MemoryError()
                            self._pkeep = _recyclable(size)
                    self._pay = tmp
                    self._psize = size
                    self._pcap = newcap
                    self._pfill = avail
                    self._pflags = flags
                    memcpy(_bytes_ptr(tmp), p + pos, avail)
                    pos = n
                    break

            produced += _emit(self, flags, payload, out, frames)
        return pos


# ---------------------------------------------------------------------------
# GIL-free frame scanner (for an I/O thread that must count messages, e.g. RCVHWM)


cdef Py_ssize_t scan_frames(ScanState* st, const unsigned char* p, Py_ssize_t n,
                            Py_ssize_t max_messages, Py_ssize_t* messages) noexcept nogil:
    """Walk frame headers without copying payloads.

    Counts complete data messages (commands are not counted) and stops right after the
    ``max_messages``-th one (negative = no limit). Returns the bytes consumed, or -1 on
    a protocol error (same rules as ``Decoder``); ``st.error`` then holds a code.
    """
    cdef Py_ssize_t pos = 0, take, hl
    cdef const unsigned char* h
    cdef unsigned char c0, flags
    cdef uint64_t u
    messages[0] = 0
    if st.error:
        return -1
    while pos < n:
        if max_messages >= 0 and messages[0] >= max_messages:
            break
        if st.in_payload:
            if <uint64_t>(n - pos) < st.remaining:
                st.remaining -= <uint64_t>(n - pos)
                return n
            pos += <Py_ssize_t>st.remaining
            st.remaining = 0
            st.in_payload = 0
            flags = st.flags
        else:
            c0 = st.hdr[0] if st.hlen > 0 else p[pos]
            if st.version == 1:
                if c0 == 0:
                    st.error = 1
                    return -1
                hl = 10 if c0 == 0xFF else 2
            else:
                hl = 9 if (c0 & _LONG) else 2
            if st.hlen == 0 and n - pos >= hl:
                h = p + pos
                pos += hl
            else:
                take = hl - st.hlen
                if take > n - pos:
                    take = n - pos
                memcpy(st.hdr + st.hlen, p + pos, take)
                st.hlen += <int>take
                pos += take
                if st.hlen < hl:
                    return pos
                h = st.hdr
                st.hlen = 0
            if st.version == 1:
                if h[0] == 0xFF:
                    u = _get_be64(h + 1)
                    flags = h[9]
                else:
                    u = h[0]
                    flags = h[1]
                if u == 0:
                    st.error = 1
                    return -1
                u -= 1
                flags &= _MORE
            else:
                flags = h[0]
                if flags & _LONG:
                    u = _get_be64(h + 1)
                else:
                    u = h[1]
                flags &= (_MORE | _COMMAND) if st.version == 3 else _MORE
            if u > <uint64_t>PY_SSIZE_T_MAX:
                st.error = 2
                return -1
            if st.max_size >= 0 and u > <uint64_t>st.max_size:
                st.error = 3
                return -1
            if <uint64_t>(n - pos) < u:
                st.remaining = u - <uint64_t>(n - pos)
                st.in_payload = 1
                st.flags = flags
                return n
            pos += <Py_ssize_t>u
        if not (flags & _COMMAND) and not (flags & _MORE):
            messages[0] += 1
    return pos


cdef void scan_init(ScanState* st, int version, long long max_size) noexcept nogil:
    st.version = version
    st.hlen = 0
    st.in_payload = 0
    st.remaining = 0
    st.flags = 0
    st.error = 0
    st.max_size = max_size if max_size >= 0 else -1


cdef class FrameScanner:
    """Python face of ``scan_frames`` (the C function is for ``cimport`` by the I/O
    layer, which can call it with the GIL released)."""

    def __init__(self, int version=3, max_msg_size=-1):
        if version not in (1, 2, 3):
            raise ValueError("version must be 1, 2 or 3")
        scan_init(&self._st, version, max_msg_size)

    def scan(self, data, Py_ssize_t max_messages=-1):
        """Returns ``(bytes_consumed, complete_messages)``; RemoteProtocolError on bad
        framing."""
        cdef Py_buffer view
        cdef Py_ssize_t used, count = 0
        PyObject_GetBuffer(data, &view, PyBUF_SIMPLE)
        try:
            with nogil:
                used = scan_frames(&self._st, <const unsigned char*>view.buf, view.len,
                                   max_messages, &count)
        finally:
            PyBuffer_Release(&view)
        if used < 0:
            raise RemoteProtocolError(
                {1: "ZMTP 1.0 frame with length 0", 2: "frame size out of range",
                 3: "frame exceeds the maximum message size"}.get(self._st.error,
                                                                  "bad framing"))
        return used, count
