# cython: language_level=3
"""The C-ABI bridge: C types <-> ``zmq4.capi`` for the libzmq-compatible shim.

Owns: the versioned function table (``zmq4_cabi_t`` in ``csrc/zmq4_cabi.h``) exported as
the PyCapsule ``_C_API``; the registries that turn zmq4 objects into C handles; the layout of
a ``zmq_msg_t`` as zmq4 fills it; the C side of buffers (``zmq_msg_data`` pointers,
``zmq_msg_init_data`` free functions, ``zmq_send_const``).

The shim (``csrc/shim.c`` -> ``zmq4/lib/libzmq.so.5``) imports this module, takes the GIL,
calls one table entry, releases the GIL and copies ``*err`` into C ``errno``. Every entry
converts its C arguments, calls the ``zmq4.capi`` function of the same name (errno rules
live there, once) and converts the result back.

Rules:
- Entries run with the GIL held (the shim took it) and never leave a Python exception set;
  failure is ``-1``/``NULL`` (``0`` for ``zmq_msg_size``) with the errno in ``*err``.
- A context or socket handle is a real pointer to a 32-byte record this module owns, which
  starts, as libzmq's objects do, with a tag word C code may read (CZMQ does, to tell its
  own objects from libzmq's): ``uint32_t`` 0xabadcafe for a context, 0xbaddecaf for a
  socket, 0xdeadbeef once terminated/closed. Records live in 16 KiB chunks aligned to
  their size and never freed; a pointer is checked before it is read: aligned to a record,
  inside a chunk of ours (a hash set of chunk addresses), tag of the wanted kind. So a
  foreign, stale or wrong-kind pointer is refused without touching memory we do not own:
  ``ENOTSOCK`` for sockets, ``EFAULT`` for contexts. A closed record is reused only after
  ``QUARANTINE`` later closes (first in, first out), so a stale handle does not turn into
  a live one again soon.
- A ``zmq_msg_t`` holds (magic, slot, generation) of a registry entry that owns a
  ``capi.zmq_msg_t``; anything else in the 32 bytes (uninitialised stack, closed message)
  gives ``EFAULT``. ``zmq_msg_data`` exports the payload with a held ``Py_buffer``, so the
  pointer stays valid until the message is closed, received into, sent, moved or re-copied.
- Registry entries (handle records and messages) live in fixed chunks that never move: an
  entry's address is stable even while the GIL is released inside ``capi`` and another
  thread grows the table; after any call into ``capi`` an entry is found again (a message
  by slot and generation, a handle by its pointer and tag), never by a kept pointer.
- Imports: ``zmq4.capi``, ``zmq4.errors``, ``zmq4.core.options`` (the option kinds that size C
  values). ``zmq_getsockopt`` calls the socket object itself (see its docstring).
"""

from cpython.buffer cimport PyBUF_SIMPLE, PyBuffer_FillInfo, PyBuffer_Release, PyObject_GetBuffer
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromString, PyBytes_FromStringAndSize
from cpython.bytes cimport PyBytes_GET_SIZE
from cpython.pycapsule cimport PyCapsule_New
from cpython.ref cimport Py_INCREF, Py_XDECREF, PyObject
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t, uintptr_t
from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memcpy, memset

import atexit as _atexit
import errno as _errno_mod
import os as _os

from . import capi as _capi
from .core import options as _options
from .errors import errno_of as _errno_of

cdef extern from "Python.h":
    object PyMemoryView_FromMemory(char *mem, Py_ssize_t size, int flags)
    int PyBUF_READ
    int PyBUF_WRITE
    const Py_ssize_t PY_SSIZE_T_MAX

cdef extern from *:
    """
    #include "../csrc/zmq4_cabi.h"

    typedef zmq_free_fn *zmq4_free_ptr;

    /* What zmq4 keeps inside a zmq_msg_t's 32 opaque bytes. */
    typedef struct {
        uint64_t magic;  /* ZMQ4_MSG_LIVE or ZMQ4_MSG_CLOSED */
        uint32_t slot;   /* registry slot of the live message */
        uint32_t gen;    /* generation of that slot */
        uint32_t more;   /* ZMQ_MORE as of close (zmq_msg_more works after close) */
        uint32_t spare;
        uint64_t spare2;
    } zmq4_msg_repr_t;

    #define ZMQ4_MSG_LIVE 0x7a6d7134724d7347ULL   /* "zmq4rMsG" */
    #define ZMQ4_MSG_CLOSED 0x7a6d71346d736743ULL /* "zmq4msgC" */

    #if defined __STDC_VERSION__ && __STDC_VERSION__ >= 201112L
    _Static_assert (sizeof (zmq4_msg_repr_t) <= sizeof (zmq_msg_t),
                    "zmq4_msg_repr_t must fit in zmq_msg_t");
    #endif

    /* What a context or socket handle points at (see the module docstring). */
    typedef struct zmq4_handle_s {
        uint32_t tag;                  /* offset 0, as libzmq's tag */
        uint32_t spare;
        PyObject *obj;                 /* owned reference; NULL when closed */
        struct zmq4_handle_s *next;    /* the queue of closed records */
        void *spare2;
    } zmq4_handle_t;

    #define ZMQ4_TAG_CTX 0xabadcafeU    /* libzmq ctx_t's tag */
    #define ZMQ4_TAG_SOCKET 0xbaddecafU /* libzmq socket_base_t's tag */
    #define ZMQ4_TAG_DEAD 0xdeadbeefU   /* what libzmq leaves behind */
    #define ZMQ4_HCHUNK_BYTES 16384     /* a chunk of records, aligned to its size */

    #if defined __STDC_VERSION__ && __STDC_VERSION__ >= 201112L
    _Static_assert (sizeof (zmq4_handle_t) == 32, "a handle record is 32 bytes");
    #endif
    """
    ctypedef void (*zmq4_free_ptr)(void *, void *) noexcept nogil
    ctypedef struct zmq4_msg_repr_t:
        uint64_t magic
        uint32_t slot
        uint32_t gen
        uint32_t more
    uint64_t ZMQ4_MSG_LIVE
    uint64_t ZMQ4_MSG_CLOSED
    ctypedef struct zmq4_handle_t:
        uint32_t tag
        PyObject *obj
        zmq4_handle_t *next
    uint32_t ZMQ4_TAG_CTX
    uint32_t ZMQ4_TAG_SOCKET
    uint32_t ZMQ4_TAG_DEAD
    size_t ZMQ4_HCHUNK_BYTES

cdef extern from "<stdlib.h>" nogil:
    int posix_memalign(void **memptr, size_t alignment, size_t size)

cdef extern from "../csrc/zmq4_cabi.h":
    ctypedef struct zmq_msg_t:
        unsigned char _[32]
    ctypedef struct zmq_pollitem_t:
        void *socket
        int fd
        short events
        short revents
    cdef struct iovec:
        void *iov_base
        size_t iov_len

    ctypedef void (*zmq4_drain_fn)() noexcept nogil

    ctypedef struct zmq4_cabi_t:
        uint32_t version
        uint32_t size
        int (*attach)(int, zmq4_drain_fn, int *) noexcept
        void *(*ctx_new)(int *) noexcept
        int (*ctx_term)(void *, int *) noexcept
        int (*ctx_shutdown)(void *, int *) noexcept
        int (*ctx_set)(void *, int, int, int *) noexcept
        int (*ctx_get)(void *, int, int *) noexcept
        void *(*init)(int, int *) noexcept
        int (*msg_init)(zmq_msg_t *, int *) noexcept
        int (*msg_init_size)(zmq_msg_t *, size_t, int *) noexcept
        int (*msg_init_data)(zmq_msg_t *, void *, size_t, zmq4_free_ptr, void *,
                             int *) noexcept
        int (*msg_send)(zmq_msg_t *, void *, int, int *) noexcept
        int (*msg_recv)(zmq_msg_t *, void *, int, int *) noexcept
        int (*msg_close)(zmq_msg_t *, int *) noexcept
        int (*msg_move)(zmq_msg_t *, zmq_msg_t *, int *) noexcept
        int (*msg_copy)(zmq_msg_t *, zmq_msg_t *, int *) noexcept
        void *(*msg_data)(zmq_msg_t *, int *) noexcept
        size_t (*msg_size)(zmq_msg_t *, int *) noexcept
        int (*msg_more)(zmq_msg_t *, int *) noexcept
        int (*msg_get)(zmq_msg_t *, int, int *) noexcept
        int (*msg_set)(zmq_msg_t *, int, int, int *) noexcept
        void *(*socket)(void *, int, int *) noexcept
        int (*close)(void *, int *) noexcept
        int (*setsockopt)(void *, int, const void *, size_t, int *) noexcept
        int (*getsockopt)(void *, int, void *, size_t *, int *) noexcept
        int (*bind)(void *, const char *, int *) noexcept
        int (*connect)(void *, const char *, int *) noexcept
        int (*unbind)(void *, const char *, int *) noexcept
        int (*disconnect)(void *, const char *, int *) noexcept
        int (*send)(void *, const void *, size_t, int, int *) noexcept
        int (*send_const)(void *, const void *, size_t, int, int *) noexcept
        int (*recv)(void *, void *, size_t, int, int *) noexcept
        int (*socket_monitor)(void *, const char *, int, int *) noexcept
        int (*sendiov)(void *, iovec *, size_t, int, int *) noexcept
        int (*recviov)(void *, iovec *, size_t *, int, int *) noexcept
        int (*poll)(zmq_pollitem_t *, int, long, int *) noexcept
        int (*proxy_steerable)(void *, void *, void *, void *, int *) noexcept
        char *(*z85_encode)(char *, uint8_t *, size_t, int *) noexcept
        uint8_t *(*z85_decode)(uint8_t *, char *, int *) noexcept
        int (*curve_keypair)(char *, char *, int *) noexcept

    int ZMQ4_CABI_VERSION
    int ZMQ4_MODE_HOST
    int ZMQ4_MODE_EMBEDDED


# capi's functions, looked up once (a module attribute lookup per call is measurable)
cdef object _zmq_bind = _capi.zmq_bind
cdef object _zmq_close = _capi.zmq_close
cdef object _zmq_connect = _capi.zmq_connect
cdef object _zmq_ctx_get = _capi.zmq_ctx_get
cdef object _zmq_ctx_new = _capi.zmq_ctx_new
cdef object _zmq_ctx_set = _capi.zmq_ctx_set
cdef object _zmq_ctx_shutdown = _capi.zmq_ctx_shutdown
cdef object _zmq_ctx_term = _capi.zmq_ctx_term
cdef object _zmq_curve_keypair = _capi.zmq_curve_keypair
cdef object _zmq_disconnect = _capi.zmq_disconnect
cdef object _zmq_errno = _capi.zmq_errno
cdef object _zmq_init = _capi.zmq_init
cdef object _zmq_msg_close = _capi.zmq_msg_close
cdef object _zmq_msg_copy = _capi.zmq_msg_copy
cdef object _zmq_msg_data = _capi.zmq_msg_data
cdef object _zmq_msg_get = _capi.zmq_msg_get
cdef object _zmq_msg_init = _capi.zmq_msg_init
cdef object _zmq_msg_init_data = _capi.zmq_msg_init_data
cdef object _zmq_msg_init_size = _capi.zmq_msg_init_size
cdef object _zmq_msg_more = _capi.zmq_msg_more
cdef object _zmq_msg_move = _capi.zmq_msg_move
cdef object _zmq_msg_recv = _capi.zmq_msg_recv
cdef object _zmq_msg_send = _capi.zmq_msg_send
cdef object _zmq_msg_set = _capi.zmq_msg_set
cdef object _zmq_msg_size = _capi.zmq_msg_size
cdef object _zmq_poll = _capi.zmq_poll
cdef object _zmq_proxy_steerable = _capi.zmq_proxy_steerable
cdef object _zmq_recv = _capi.zmq_recv
cdef object _zmq_recviov = _capi.zmq_recviov
cdef object _zmq_send = _capi.zmq_send
cdef object _zmq_send_const = _capi.zmq_send_const
cdef object _zmq_sendiov = _capi.zmq_sendiov
cdef object _zmq_setsockopt = _capi.zmq_setsockopt
cdef object _zmq_socket = _capi.zmq_socket
cdef object _zmq_socket_monitor = _capi.zmq_socket_monitor
cdef object _zmq_unbind = _capi.zmq_unbind
cdef object _zmq_z85_decode = _capi.zmq_z85_decode
cdef object _zmq_z85_encode = _capi.zmq_z85_encode


# ------------------------------------------------------------------------------- errno

cdef int EFAULT = _errno_mod.EFAULT
cdef int EINVAL = _errno_mod.EINVAL
cdef int ENOMEM = _errno_mod.ENOMEM
cdef int ENOTSOCK = _errno_mod.ENOTSOCK


cdef inline int _fail(int *err, int code) noexcept:
    err[0] = code
    return -1


cdef int _exc(int *err) noexcept:
    """Inside ``except BaseException``: the errno for the exception being handled."""
    import sys
    try:
        err[0] = _errno_of(sys.exc_info()[1])
    except BaseException:
        err[0] = EFAULT
    return -1


cdef inline int _capi_errno() noexcept:
    try:
        return _zmq_errno()
    except BaseException:
        return EFAULT


cdef inline int _rc(object r, int *err) noexcept:
    """A capi int result as the C int; -1 copies capi's thread errno."""
    cdef long long v
    try:
        v = r
    except BaseException:
        return _exc(err)
    if v == -1:
        err[0] = _capi_errno()
        return -1
    return <int>v


# ------------------------------------------------------------------------------- registries

cdef enum:
    CHUNK_SHIFT = 8
    CHUNK = 256
    KIND_FREE = 0
    KIND_MSG = 3

cdef uint32_t GEN_MASK = 0x7FFFFFFF
cdef uintptr_t SLOT_LIMIT = (<uintptr_t>1) << 29

cdef struct Entry:
    PyObject *obj       # owned reference, NULL when free
    uint32_t gen        # bumped at every allocation, never 0
    int kind
    Py_ssize_t next_free
    int has_view
    Py_buffer view      # held export behind zmq_msg_data's pointer

cdef struct Table:
    Entry **chunks
    Py_ssize_t nchunks
    Py_ssize_t used     # slots handed out so far
    Py_ssize_t free_head
    Py_ssize_t live

cdef Table _msgs
memset(&_msgs, 0, sizeof(Table))
_msgs.free_head = -1


cdef inline Entry *_entry(Table *t, Py_ssize_t slot) noexcept:
    return &t.chunks[slot >> CHUNK_SHIFT][slot & (CHUNK - 1)]


cdef Py_ssize_t _alloc(Table *t, object obj, int kind) except -1:
    cdef Py_ssize_t slot
    cdef Entry *e
    cdef Entry **chunks
    if t.free_head >= 0:
        slot = t.free_head
        e = _entry(t, slot)
        t.free_head = e.next_free
    else:
        slot = t.used
        if <uintptr_t>slot >= SLOT_LIMIT:
            raise MemoryError("zmq4 handle registry is full")
        if (slot >> CHUNK_SHIFT) >= t.nchunks:
            chunks = <Entry **>realloc(t.chunks, (t.nchunks + 1) * sizeof(Entry *))
            if chunks == NULL:
                raise MemoryError()
            t.chunks = chunks
            t.chunks[t.nchunks] = <Entry *>calloc(CHUNK, sizeof(Entry))
            if t.chunks[t.nchunks] == NULL:
                raise MemoryError()
            t.nchunks += 1
        t.used += 1
        e = _entry(t, slot)
    e.gen = (e.gen + 1) & GEN_MASK
    if e.gen == 0:
        e.gen = 1
    Py_INCREF(obj)
    e.obj = <PyObject *>obj
    e.kind = kind
    e.has_view = 0
    e.next_free = -1
    t.live += 1
    return slot


cdef inline void _drop_view(Entry *e) noexcept:
    if e.has_view:
        e.has_view = 0
        PyBuffer_Release(&e.view)


cdef void _free(Table *t, Py_ssize_t slot) noexcept:
    """Free a slot. Its object is released last: that may run any code (a free function)."""
    cdef Entry *e = _entry(t, slot)
    cdef PyObject *obj = e.obj
    _drop_view(e)
    e.obj = NULL
    e.kind = KIND_FREE
    e.next_free = t.free_head
    t.free_head = slot
    t.live -= 1
    Py_XDECREF(obj)


# ------------------------------------------------------------------------------- handles

cdef uint32_t TAG_CTX = ZMQ4_TAG_CTX
cdef uint32_t TAG_SOCK = ZMQ4_TAG_SOCKET

cdef enum:
    HRECORDS = 512          # records per chunk: ZMQ4_HCHUNK_BYTES / 32
    QUARANTINE = 4096       # closed records waiting before one is reused (128 KiB)

cdef zmq4_handle_t **_hchunks = NULL    # every chunk, oldest first (for iteration)
cdef Py_ssize_t _hnchunks = 0
cdef uintptr_t *_hset = NULL            # chunk addresses, open addressing; 0 = empty slot
cdef size_t _hset_cap = 0               # a power of two, or 0
cdef zmq4_handle_t *_hnext = NULL       # next never-used record of the newest chunk
cdef zmq4_handle_t *_hend = NULL
cdef zmq4_handle_t *_hfree_head = NULL  # closed records, oldest first
cdef zmq4_handle_t *_hfree_tail = NULL
cdef Py_ssize_t _hfree_n = 0
cdef Py_ssize_t _hlive = 0


cdef inline size_t _hset_slot(uintptr_t base) noexcept:
    return <size_t>(((base // ZMQ4_HCHUNK_BYTES) * <uintptr_t>0x9E3779B97F4A7C15ULL) >> 17)


cdef inline bint _hset_has(uintptr_t base) noexcept:
    cdef size_t mask, i
    if _hset_cap == 0:
        return False
    mask = _hset_cap - 1
    i = _hset_slot(base) & mask
    while _hset[i] != 0:
        if _hset[i] == base:
            return True
        i = (i + 1) & mask
    return False


cdef void _hset_put(uintptr_t *table, size_t cap, uintptr_t base) noexcept:
    cdef size_t mask = cap - 1
    cdef size_t i = _hset_slot(base) & mask
    while table[i] != 0:
        i = (i + 1) & mask
    table[i] = base


cdef int _hnew_chunk() except -1:
    """One more chunk of records: zeroed, aligned to its size, never freed."""
    global _hchunks, _hnchunks, _hset, _hset_cap, _hnext, _hend
    cdef void *mem = NULL
    cdef zmq4_handle_t **chunks
    cdef uintptr_t *table
    cdef size_t cap, i
    chunks = <zmq4_handle_t **>realloc(_hchunks, (_hnchunks + 1) * sizeof(void *))
    if chunks == NULL:
        raise MemoryError()
    _hchunks = chunks
    if 2 * (<size_t>_hnchunks + 1) > _hset_cap:  # keep the set at most half full
        cap = _hset_cap * 2 if _hset_cap else 16
        table = <uintptr_t *>calloc(cap, sizeof(uintptr_t))
        if table == NULL:
            raise MemoryError()
        for i in range(<size_t>_hnchunks):
            _hset_put(table, cap, <uintptr_t>_hchunks[i])
        free(_hset)
        _hset = table
        _hset_cap = cap
    if posix_memalign(&mem, ZMQ4_HCHUNK_BYTES, ZMQ4_HCHUNK_BYTES) != 0:
        raise MemoryError()
    memset(mem, 0, ZMQ4_HCHUNK_BYTES)
    _hchunks[_hnchunks] = <zmq4_handle_t *>mem
    _hnchunks += 1
    _hset_put(_hset, _hset_cap, <uintptr_t>mem)
    _hnext = <zmq4_handle_t *>mem
    _hend = _hnext + HRECORDS
    return 0


cdef inline zmq4_handle_t *_find(void *h, uint32_t tag) noexcept:
    """The live record behind handle ``h`` if it has ``tag``, else NULL. ``h`` is read only
    once known to be a record of ours."""
    cdef uintptr_t v = <uintptr_t>h
    cdef zmq4_handle_t *e
    if v == 0 or (v & (sizeof(zmq4_handle_t) - 1)) != 0:
        return NULL
    if not _hset_has(v & ~(<uintptr_t>ZMQ4_HCHUNK_BYTES - 1)):
        return NULL
    e = <zmq4_handle_t *>h
    if e.tag != tag or e.obj == NULL:
        return NULL
    return e


cdef inline object _obj(void *h, uint32_t tag):
    cdef zmq4_handle_t *e = _find(h, tag)
    if e == NULL:
        return None
    return <object>e.obj


cdef void *_register(object obj, uint32_t tag) except NULL:
    """A new handle owning a reference to ``obj``: the oldest closed record once
    QUARANTINE others wait behind it, else a fresh one."""
    global _hnext, _hfree_head, _hfree_tail, _hfree_n, _hlive
    cdef zmq4_handle_t *e
    if _hfree_n > QUARANTINE:
        e = _hfree_head
        _hfree_head = e.next
        if _hfree_head == NULL:
            _hfree_tail = NULL
        _hfree_n -= 1
    else:
        if _hnext == _hend:
            _hnew_chunk()
        e = _hnext
        _hnext += 1
    Py_INCREF(obj)
    e.obj = <PyObject *>obj
    e.next = NULL
    e.tag = tag
    _hlive += 1
    return <void *>e


cdef void _unregister(void *h, uint32_t tag) noexcept:
    """Close a handle: its tag becomes 0xdeadbeef, its record joins the quarantine queue.
    The object is released last: that may run any code."""
    global _hfree_head, _hfree_tail, _hfree_n, _hlive
    cdef zmq4_handle_t *e = _find(h, tag)
    cdef PyObject *obj
    if e == NULL:
        return
    obj = e.obj
    e.tag = ZMQ4_TAG_DEAD
    e.obj = NULL
    e.next = NULL
    if _hfree_tail == NULL:
        _hfree_head = e
    else:
        _hfree_tail.next = e
    _hfree_tail = e
    _hfree_n += 1
    _hlive -= 1
    Py_XDECREF(obj)


cdef list _live_objects(uint32_t tag):
    """The objects of every live handle with ``tag`` (the atexit hook's contexts)."""
    cdef Py_ssize_t c, j
    cdef zmq4_handle_t *e
    out = []
    for c in range(_hnchunks):
        for j in range(HRECORDS):
            e = &_hchunks[c][j]
            if e.tag == tag and e.obj != NULL:
                out.append(<object>e.obj)
    return out


# ------------------------------------------------------------------------------- messages

cdef object _MsgT = _capi.zmq_msg_t


cdef Py_ssize_t _msg_slot(zmq_msg_t *m) noexcept:
    """Registry slot of a live zmq_msg_t, or -1 (NULL, uninitialised, closed, stale)."""
    cdef zmq4_msg_repr_t *r = <zmq4_msg_repr_t *>m
    cdef Entry *e
    if m == NULL or r.magic != ZMQ4_MSG_LIVE:
        return -1
    if <Py_ssize_t>r.slot >= _msgs.used:
        return -1
    e = _entry(&_msgs, r.slot)
    if e.obj == NULL or e.kind != KIND_MSG or e.gen != r.gen:
        return -1
    return r.slot


cdef inline object _msg_obj(Py_ssize_t slot):
    return <object>_entry(&_msgs, slot).obj


cdef inline void _msg_drop_view(zmq_msg_t *m) noexcept:
    cdef Py_ssize_t slot = _msg_slot(m)
    if slot >= 0:
        _drop_view(_entry(&_msgs, slot))


cdef int _msg_adopt(zmq_msg_t *m, object obj) except -1:
    """Point the C message at a new registry entry owning ``obj``."""
    cdef Py_ssize_t slot = _alloc(&_msgs, obj, KIND_MSG)
    cdef zmq4_msg_repr_t *r = <zmq4_msg_repr_t *>m
    memset(m, 0, sizeof(zmq_msg_t))
    r.slot = <uint32_t>slot
    r.gen = _entry(&_msgs, slot).gen
    r.magic = ZMQ4_MSG_LIVE
    return 0


cdef char _empty[1]


cdef class _CBuffer:
    """C memory as a Python buffer: zmq_msg_init_data (``ffn(data, hint)`` runs exactly
    once, when the last view of it is gone) and zmq_send_const (never freed)."""

    cdef void *data        # as given by the caller (may be NULL for an empty message)
    cdef Py_ssize_t size
    cdef zmq4_free_ptr ffn
    cdef void *hint
    cdef bint readonly

    def __getbuffer__(self, Py_buffer *view, int flags):
        cdef void *p = self.data if self.data != NULL else <void *>_empty
        PyBuffer_FillInfo(view, self, p, self.size, self.readonly, flags)

    def __releasebuffer__(self, Py_buffer *view):
        pass

    def __dealloc__(self):
        cdef zmq4_free_ptr f = self.ffn
        self.ffn = NULL
        if f != NULL:
            f(self.data, self.hint)


cdef _CBuffer _cbuffer(const void *data, size_t size, zmq4_free_ptr ffn, void *hint,
                       bint readonly):
    cdef _CBuffer b = _CBuffer.__new__(_CBuffer)
    b.data = <void *>data
    b.size = <Py_ssize_t>size
    b.ffn = ffn
    b.hint = hint
    b.readonly = readonly
    return b


# ------------------------------------------------------------------------------- attach

cdef zmq4_drain_fn _drain = NULL
cdef int _mode = 0


def _host_atexit():
    """Host mode, Python exiting: C threads still calling in would race the interpreter's
    teardown. Shut every C-created context down (blocked calls return ETERM), then let the
    shim refuse new calls and wait for the ones in flight."""
    global _drain
    cdef zmq4_drain_fn d = _drain
    if d == NULL:
        return
    _drain = NULL
    ctxs = _live_objects(TAG_CTX)
    pid = _os.getpid()
    for c in ctxs:
        if getattr(c, "pid", pid) != pid:
            continue  # a forked child: the parent's contexts are not ours to stop
        try:
            _zmq_ctx_shutdown(c)
        except BaseException:
            pass
    with nogil:
        d()


cdef int b_attach(int mode, zmq4_drain_fn drain, int *err) noexcept:
    global _drain, _mode
    try:
        _mode = mode
        if mode == ZMQ4_MODE_HOST and drain != NULL and _drain == NULL:
            _drain = drain
            _atexit.register(_host_atexit)
        return 0
    except BaseException:
        return _exc(err)


# ------------------------------------------------------------------------------- contexts

cdef void *b_ctx_new(int *err) noexcept:
    try:
        c = _zmq_ctx_new()
        if c is None:
            err[0] = _capi_errno()
            return NULL
        return _register(c, TAG_CTX)
    except BaseException:
        _exc(err)
        return NULL


cdef void *b_init(int io_threads, int *err) noexcept:
    try:
        c = _zmq_init(io_threads)
        if c is None:
            err[0] = _capi_errno()
            return NULL
        return _register(c, TAG_CTX)
    except BaseException:
        _exc(err)
        return NULL


cdef int b_ctx_term(void *ctx, int *err) noexcept:
    try:
        c = _obj(ctx, TAG_CTX)
        if c is None:
            return _fail(err, EFAULT)
        rc = _rc(_zmq_ctx_term(c), err)
        if rc == 0:
            _unregister(ctx, TAG_CTX)
        return rc
    except BaseException:
        return _exc(err)


cdef int b_ctx_shutdown(void *ctx, int *err) noexcept:
    try:
        c = _obj(ctx, TAG_CTX)
        if c is None:
            return _fail(err, EFAULT)
        return _rc(_zmq_ctx_shutdown(c), err)
    except BaseException:
        return _exc(err)


cdef int b_ctx_set(void *ctx, int option, int optval, int *err) noexcept:
    try:
        c = _obj(ctx, TAG_CTX)
        if c is None:
            return _fail(err, EFAULT)
        return _rc(_zmq_ctx_set(c, option, optval), err)
    except BaseException:
        return _exc(err)


cdef int b_ctx_get(void *ctx, int option, int *err) noexcept:
    try:
        c = _obj(ctx, TAG_CTX)
        if c is None:
            return _fail(err, EFAULT)
        return _rc(_zmq_ctx_get(c, option), err)
    except BaseException:
        return _exc(err)


# ------------------------------------------------------------------------------- messages

cdef int b_msg_init(zmq_msg_t *msg, int *err) noexcept:
    try:
        if msg == NULL:
            return _fail(err, EFAULT)
        m = _MsgT()
        if _rc(_zmq_msg_init(m), err) < 0:
            return -1
        return _msg_adopt(msg, m)
    except BaseException:
        return _exc(err)


cdef int b_msg_init_size(zmq_msg_t *msg, size_t size, int *err) noexcept:
    try:
        if msg == NULL:
            return _fail(err, EFAULT)
        if size > <size_t>PY_SSIZE_T_MAX:
            return _fail(err, ENOMEM)
        m = _MsgT()
        if _rc(_zmq_msg_init_size(m, <Py_ssize_t>size), err) < 0:
            return -1
        return _msg_adopt(msg, m)
    except BaseException:
        return _exc(err)


cdef int b_msg_init_data(zmq_msg_t *msg, void *data, size_t size, zmq4_free_ptr ffn,
                         void *hint, int *err) noexcept:
    cdef _CBuffer buf = None
    try:
        if msg == NULL or (data == NULL and size > 0):
            return _fail(err, EFAULT)
        if size > <size_t>PY_SSIZE_T_MAX:
            return _fail(err, ENOMEM)
        buf = _cbuffer(data, size, NULL, NULL, False)
        m = _MsgT()
        if _rc(_zmq_msg_init_data(m, buf, <Py_ssize_t>size), err) < 0:
            return -1
        # armed only once capi holds the buffer: a failed init never calls ffn (as libzmq)
        buf.ffn = ffn
        buf.hint = hint
        buf = None
        return _msg_adopt(msg, m)
    except BaseException:
        if buf is not None:
            buf.ffn = NULL
        return _exc(err)


cdef int b_msg_send(zmq_msg_t *msg, void *s, int flags, int *err) noexcept:
    cdef Py_ssize_t slot
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        slot = _msg_slot(msg)
        if slot < 0:
            return _fail(err, EFAULT)
        rc = _rc(_zmq_msg_send(_msg_obj(slot), sock, flags), err)
        if rc >= 0:
            _msg_drop_view(msg)  # the payload left with the frame; msg is empty now
        return rc
    except BaseException:
        return _exc(err)


cdef int b_msg_recv(zmq_msg_t *msg, void *s, int flags, int *err) noexcept:
    cdef Py_ssize_t slot
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        slot = _msg_slot(msg)
        if slot < 0:
            return _fail(err, EFAULT)
        _drop_view(_entry(&_msgs, slot))
        return _rc(_zmq_msg_recv(_msg_obj(slot), sock, flags), err)
    except BaseException:
        return _exc(err)


cdef int b_msg_close(zmq_msg_t *msg, int *err) noexcept:
    cdef Py_ssize_t slot
    cdef zmq4_msg_repr_t *r = <zmq4_msg_repr_t *>msg
    cdef int more
    try:
        slot = _msg_slot(msg)
        if slot < 0:
            return _fail(err, EFAULT)
        m = _msg_obj(slot)
        more = _zmq_msg_more(m) == 1
        if _rc(_zmq_msg_close(m), err) < 0:
            return -1
        r.magic = ZMQ4_MSG_CLOSED
        r.more = more
        if _entry(&_msgs, slot).obj == <PyObject *>m:
            del m
            _free(&_msgs, slot)  # may call a zmq_msg_init_data free function
        return 0
    except BaseException:
        return _exc(err)


cdef int b_msg_move(zmq_msg_t *dest, zmq_msg_t *src, int *err) noexcept:
    cdef Py_ssize_t ds, ss
    try:
        ss = _msg_slot(src)
        ds = _msg_slot(dest)
        if ss < 0 or ds < 0:
            return _fail(err, EFAULT)
        _drop_view(_entry(&_msgs, ds))
        _drop_view(_entry(&_msgs, ss))
        return _rc(_zmq_msg_move(_msg_obj(ds), _msg_obj(ss)), err)
    except BaseException:
        return _exc(err)


cdef int b_msg_copy(zmq_msg_t *dest, zmq_msg_t *src, int *err) noexcept:
    cdef Py_ssize_t ds, ss
    try:
        ss = _msg_slot(src)
        ds = _msg_slot(dest)
        if ss < 0 or ds < 0:
            return _fail(err, EFAULT)
        if ds != ss:
            _drop_view(_entry(&_msgs, ds))
        return _rc(_zmq_msg_copy(_msg_obj(ds), _msg_obj(ss)), err)
    except BaseException:
        return _exc(err)


cdef void *b_msg_data(zmq_msg_t *msg, int *err) noexcept:
    cdef Py_ssize_t slot
    cdef Entry *e
    try:
        slot = _msg_slot(msg)
        if slot < 0:
            err[0] = EFAULT
            return NULL
        e = _entry(&_msgs, slot)
        if e.has_view:
            return e.view.buf
        m = _msg_obj(slot)
        view = _zmq_msg_data(m)
        if view is None:
            err[0] = _capi_errno()
            return NULL
        if view.readonly:
            # zmq_msg_data's pointer is writable in C, but a read-only payload is an
            # immutable Python object that others may share: a bytes object an inproc
            # sender still holds (a code constant, say), or CPython's one shared object per
            # 1-byte value. A C write there would change it for everyone. The message gets
            # a private copy once, on its first zmq_msg_data.
            try:
                m._msg.data = bytearray(view)
                view = _zmq_msg_data(m)
            except AttributeError:
                pass
        e = _entry(&_msgs, slot)
        if e.obj != <PyObject *>m or e.has_view:
            err[0] = EFAULT
            return NULL
        PyObject_GetBuffer(view, &e.view, PyBUF_SIMPLE)
        e.has_view = 1
        return e.view.buf
    except BaseException:
        _exc(err)
        return NULL


cdef size_t b_msg_size(zmq_msg_t *msg, int *err) noexcept:
    cdef Py_ssize_t slot
    cdef Entry *e
    cdef long long n
    try:
        slot = _msg_slot(msg)
        if slot < 0:
            err[0] = EFAULT
            return 0
        e = _entry(&_msgs, slot)
        if e.has_view:
            return <size_t>e.view.len
        n = _zmq_msg_size(_msg_obj(slot))
        if n < 0:
            err[0] = _capi_errno()
            return 0
        return <size_t>n
    except BaseException:
        _exc(err)
        return 0


cdef int b_msg_more(zmq_msg_t *msg, int *err) noexcept:
    cdef Py_ssize_t slot
    cdef zmq4_msg_repr_t *r = <zmq4_msg_repr_t *>msg
    try:
        if msg != NULL and r.magic == ZMQ4_MSG_CLOSED:
            return 1 if r.more else 0
        slot = _msg_slot(msg)
        if slot < 0:
            err[0] = EFAULT
            return 0
        return _rc(_zmq_msg_more(_msg_obj(slot)), err)
    except BaseException:
        _exc(err)
        return 0


cdef int b_msg_get(zmq_msg_t *msg, int option, int *err) noexcept:
    cdef Py_ssize_t slot
    cdef zmq4_msg_repr_t *r = <zmq4_msg_repr_t *>msg
    try:
        if msg != NULL and r.magic == ZMQ4_MSG_CLOSED:
            if option == _capi.ZMQ_MORE:
                return 1 if r.more else 0
            return _fail(err, EINVAL)
        slot = _msg_slot(msg)
        if slot < 0:
            return _fail(err, EFAULT)
        return _rc(_zmq_msg_get(_msg_obj(slot), option), err)
    except BaseException:
        return _exc(err)


cdef int b_msg_set(zmq_msg_t *msg, int option, int optval, int *err) noexcept:
    cdef Py_ssize_t slot
    try:
        slot = _msg_slot(msg)
        m = _msg_obj(slot) if slot >= 0 else None
        return _rc(_zmq_msg_set(m, option, optval), err)
    except BaseException:
        return _exc(err)


# ------------------------------------------------------------------------------- sockets

cdef void *b_socket(void *ctx, int type, int *err) noexcept:
    try:
        c = _obj(ctx, TAG_CTX)
        if c is None:
            err[0] = EFAULT
            return NULL
        s = _zmq_socket(c, type)
        if s is None:
            err[0] = _capi_errno()
            return NULL
        return _register(s, TAG_SOCK)
    except BaseException:
        _exc(err)
        return NULL


cdef int b_close(void *s, int *err) noexcept:
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        rc = _rc(_zmq_close(sock), err)
        if rc == 0 or err[0] == ENOTSOCK:
            _unregister(s, TAG_SOCK)
        return rc
    except BaseException:
        return _exc(err)


# option number -> C value kind: 0 unknown, 1 int, 2 int64_t, 3 uint64_t, 4 binary/string,
# 5 string (NUL on get), 6 CURVE key
cdef enum:
    OPT_MAX = 256
    OK_UNKNOWN = 0
    OK_INT = 1
    OK_INT64 = 2
    OK_UINT64 = 3
    OK_BYTES = 4
    OK_STR = 5
    OK_KEY = 6

cdef unsigned char _optkind[256]
memset(_optkind, 0, sizeof(_optkind))


def _load_option_kinds():
    kinds = {_options.INT: OK_INT, _options.INT_SOCKET: OK_INT, _options.INT64: OK_INT64,
             _options.UINT64: OK_UINT64, _options.BYTES: OK_BYTES,
             _options.BYTES_SOCKET: OK_BYTES, _options.STR: OK_STR, _options.KEY: OK_KEY}
    for num, spec in _options.OPTIONS.items():
        if 0 <= num < OPT_MAX:
            _optkind[num] = kinds.get(spec.kind, OK_UNKNOWN)
    for num in (_capi.ZMQ_RCVMORE, _capi.ZMQ_FD, _capi.ZMQ_EVENTS):
        _optkind[num] = OK_INT


_load_option_kinds()


cdef inline int _optkind_of(int option) noexcept:
    if option < 0 or option >= OPT_MAX:
        return OK_UNKNOWN
    return _optkind[option]


cdef inline size_t _intsize(int kind) noexcept:
    return 8 if kind == OK_INT64 or kind == OK_UINT64 else 4


cdef int b_setsockopt(void *s, int option, const void *optval, size_t optvallen,
                      int *err) noexcept:
    cdef int kind
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        if optvallen > <size_t>PY_SSIZE_T_MAX:
            return _fail(err, EINVAL)
        kind = _optkind_of(option)
        if optval == NULL:
            value = None
        elif kind == OK_UNKNOWN or (kind <= OK_UINT64 and optvallen != _intsize(kind)):
            # never read memory the option does not define: capi rejects it (EINVAL)
            value = b""
        else:
            value = PyBytes_FromStringAndSize(<const char *>optval, <Py_ssize_t>optvallen)
        return _rc(_zmq_setsockopt(sock, option, value, <Py_ssize_t>optvallen), err)
    except BaseException:
        return _exc(err)


cdef int b_getsockopt(void *s, int option, void *optval, size_t *optvallen,
                      int *err) noexcept:
    """Calls the socket directly: ``capi.zmq_getsockopt`` returns -1 both for failure and
    for options whose value is -1 (LINGER, RCVTIMEO...), so the C face needs the
    exception itself. errno still comes from ``zmq4.errors.errno_of``, as in capi."""
    cdef int kind
    cdef size_t size, n
    cdef int32_t i32
    cdef int64_t i64
    cdef uint64_t u64
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        if optvallen == NULL or optval == NULL:
            return _fail(err, EFAULT)
        size = optvallen[0]
        try:
            value = (<object>sock).getsockopt(
                option, <Py_ssize_t>(size if size < <size_t>PY_SSIZE_T_MAX else PY_SSIZE_T_MAX))
        except BaseException:
            return _exc(err)
        kind = _optkind_of(option)
        if isinstance(value, int):
            n = _intsize(kind)
            if size < n:
                return _fail(err, EINVAL)
            if kind == OK_INT64:
                i64 = value
                memcpy(optval, &i64, 8)
            elif kind == OK_UINT64:
                u64 = value
                memcpy(optval, &u64, 8)
            else:
                i32 = value
                memcpy(optval, &i32, 4)
            optvallen[0] = n
            return 0
        if isinstance(value, str):
            value = value.encode("utf-8")
        value = bytes(value)
        n = <size_t>PyBytes_GET_SIZE(value)
        if kind == OK_STR or (kind == OK_KEY and n == 40):
            if size < n + 1:
                return _fail(err, EINVAL)
            memcpy(optval, PyBytes_AS_STRING(value), n)
            (<char *>optval)[n] = 0
            if kind == OK_STR:
                optvallen[0] = n + 1
            return 0
        if size < n:
            return _fail(err, EINVAL)
        memcpy(optval, PyBytes_AS_STRING(value), n)
        if kind != OK_KEY:
            optvallen[0] = n
        return 0
    except BaseException:
        return _exc(err)


cdef inline object _cstr(const char *p):
    return None if p == NULL else PyBytes_FromString(p)


cdef int b_bind(void *s, const char *addr, int *err) noexcept:
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        return _rc(_zmq_bind(sock, _cstr(addr)), err)
    except BaseException:
        return _exc(err)


cdef int b_connect(void *s, const char *addr, int *err) noexcept:
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        return _rc(_zmq_connect(sock, _cstr(addr)), err)
    except BaseException:
        return _exc(err)


cdef int b_unbind(void *s, const char *addr, int *err) noexcept:
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        return _rc(_zmq_unbind(sock, _cstr(addr)), err)
    except BaseException:
        return _exc(err)


cdef int b_disconnect(void *s, const char *addr, int *err) noexcept:
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        return _rc(_zmq_disconnect(sock, _cstr(addr)), err)
    except BaseException:
        return _exc(err)


cdef int b_socket_monitor(void *s, const char *addr, int events, int *err) noexcept:
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        return _rc(_zmq_socket_monitor(sock, _cstr(addr), events), err)
    except BaseException:
        return _exc(err)


# ------------------------------------------------------------------------------- send/recv

cdef inline object _rview(const void *buf, size_t length):
    """A read-only view of C memory for the duration of one capi call (capi copies)."""
    if buf == NULL:
        return None
    return PyMemoryView_FromMemory(<char *>buf, <Py_ssize_t>length, PyBUF_READ)


cdef int b_send(void *s, const void *buf, size_t length, int flags, int *err) noexcept:
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        if length > <size_t>PY_SSIZE_T_MAX:
            return _fail(err, ENOMEM)
        return _rc(_zmq_send(sock, _rview(buf, length), <Py_ssize_t>length, flags), err)
    except BaseException:
        return _exc(err)


cdef int b_send_const(void *s, const void *buf, size_t length, int flags,
                      int *err) noexcept:
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        if buf == NULL and length > 0:
            return _fail(err, EFAULT)
        if length > <size_t>PY_SSIZE_T_MAX:
            return _fail(err, ENOMEM)
        data = _cbuffer(buf, length, NULL, NULL, True)
        return _rc(_zmq_send_const(sock, data, <Py_ssize_t>length, flags), err)
    except BaseException:
        return _exc(err)


cdef int b_recv(void *s, void *buf, size_t length, int flags, int *err) noexcept:
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        if buf == NULL:
            if length:
                return _fail(err, EFAULT)
            target = None
        else:
            if length > <size_t>PY_SSIZE_T_MAX:
                length = <size_t>PY_SSIZE_T_MAX
            target = PyMemoryView_FromMemory(<char *>buf, <Py_ssize_t>length, PyBUF_WRITE)
        return _rc(_zmq_recv(sock, target, <Py_ssize_t>length, flags), err)
    except BaseException:
        return _exc(err)


cdef int b_sendiov(void *s, iovec *iov, size_t count, int flags, int *err) noexcept:
    cdef size_t i
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        if iov == NULL and count > 0:
            return _fail(err, EFAULT)
        if count > <size_t>PY_SSIZE_T_MAX:
            return _fail(err, EINVAL)
        parts = []
        for i in range(count):
            if iov[i].iov_base == NULL and iov[i].iov_len > 0:
                return _fail(err, EFAULT)
            if iov[i].iov_base == NULL:
                parts.append(b"")
            else:
                parts.append(_rview(iov[i].iov_base, iov[i].iov_len))
        return _rc(_zmq_sendiov(sock, parts, <Py_ssize_t>count, flags), err)
    except BaseException:
        return _exc(err)


cdef int b_recviov(void *s, iovec *iov, size_t *count, int flags, int *err) noexcept:
    cdef size_t want, i, n
    cdef void *p
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        if count == NULL or (iov == NULL and count[0] > 0):
            return _fail(err, EFAULT)
        want = count[0]
        count[0] = 0
        if want > <size_t>PY_SSIZE_T_MAX:
            want = <size_t>PY_SSIZE_T_MAX
        parts = _zmq_recviov(sock, <Py_ssize_t>want, flags)
        if not isinstance(parts, list):
            return _rc(parts, err)
        for i in range(<size_t>len(parts)):
            part = bytes(parts[i])
            n = <size_t>PyBytes_GET_SIZE(part)
            p = malloc(n if n else 1)   # the caller free()s every iov_base, as with libzmq
            if p == NULL:
                return _fail(err, ENOMEM)
            memcpy(p, PyBytes_AS_STRING(part), n)
            iov[i].iov_base = p
            iov[i].iov_len = n
            count[0] = i + 1
        return <int>count[0]
    except BaseException:
        return _exc(err)


# ------------------------------------------------------------------------------- poll, proxy

cdef object _PollItem = _capi.zmq_pollitem_t


cdef int b_poll(zmq_pollitem_t *items, int nitems, long timeout, int *err) noexcept:
    cdef int i
    try:
        if nitems < 0:
            return _fail(err, EINVAL)
        if items == NULL and nitems > 0:
            return _fail(err, EFAULT)
        pyitems = []
        for i in range(nitems):
            if items[i].socket != NULL:
                sock = _obj(items[i].socket, TAG_SOCK)
                if sock is None:
                    return _fail(err, ENOTSOCK)
                pyitems.append(_PollItem(sock, -1, items[i].events))
            else:
                pyitems.append(_PollItem(None, items[i].fd, items[i].events))
        rc = _rc(_zmq_poll(pyitems, nitems, timeout), err)
        if rc >= 0:
            for i in range(nitems):
                items[i].revents = <short>(<object>pyitems[i]).revents
        return rc
    except BaseException:
        return _exc(err)


cdef int b_proxy_steerable(void *frontend, void *backend, void *capture, void *control,
                           int *err) noexcept:
    try:
        socks = []
        for h in (<uintptr_t>frontend, <uintptr_t>backend, <uintptr_t>capture,
                  <uintptr_t>control):
            if h == 0:
                socks.append(None)
                continue
            sock = _obj(<void *><uintptr_t>h, TAG_SOCK)
            if sock is None:
                return _fail(err, ENOTSOCK)
            socks.append(sock)
        return _rc(_zmq_proxy_steerable(socks[0], socks[1], socks[2], socks[3]), err)
    except BaseException:
        return _exc(err)


# ------------------------------------------------------------------------------- Z85, keys

cdef char *b_z85_encode(char *dest, uint8_t *data, size_t size, int *err) noexcept:
    cdef Py_ssize_t n
    try:
        if size > <size_t>PY_SSIZE_T_MAX:
            err[0] = EINVAL
            return NULL
        text = _zmq_z85_encode(_rview(data, size), <Py_ssize_t>size)
        if text is None:
            err[0] = _capi_errno()
            return NULL
        if dest == NULL:
            err[0] = EFAULT
            return NULL
        raw = text.encode("ascii")
        n = PyBytes_GET_SIZE(raw)
        memcpy(dest, PyBytes_AS_STRING(raw), n)
        dest[n] = 0
        return dest
    except BaseException:
        _exc(err)
        return NULL


cdef uint8_t *b_z85_decode(uint8_t *dest, char *string, int *err) noexcept:
    try:
        if string == NULL:
            err[0] = EFAULT
            return NULL
        raw = _zmq_z85_decode(PyBytes_FromString(string))
        if raw is None:
            err[0] = _capi_errno()
            return NULL
        if dest == NULL:
            err[0] = EFAULT
            return NULL
        raw = bytes(raw)
        memcpy(dest, PyBytes_AS_STRING(raw), PyBytes_GET_SIZE(raw))
        return dest
    except BaseException:
        _exc(err)
        return NULL


cdef int b_curve_keypair(char *public_key, char *secret_key, int *err) noexcept:
    try:
        if public_key == NULL or secret_key == NULL:
            return _fail(err, EFAULT)
        pair = _zmq_curve_keypair()
        if not isinstance(pair, tuple):
            return _rc(pair, err)
        for dest, text in ((<uintptr_t>public_key, pair[0]), (<uintptr_t>secret_key, pair[1])):
            raw = text.encode("ascii") if isinstance(text, str) else bytes(text)
            memcpy(<char *><uintptr_t>dest, PyBytes_AS_STRING(raw), PyBytes_GET_SIZE(raw))
            (<char *><uintptr_t>dest)[PyBytes_GET_SIZE(raw)] = 0
        return 0
    except BaseException:
        return _exc(err)


# ------------------------------------------------------------------------------- the table

cdef zmq4_cabi_t _table
memset(&_table, 0, sizeof(_table))
_table.version = ZMQ4_CABI_VERSION
_table.size = sizeof(zmq4_cabi_t)
_table.attach = b_attach
_table.ctx_new = b_ctx_new
_table.ctx_term = b_ctx_term
_table.ctx_shutdown = b_ctx_shutdown
_table.ctx_set = b_ctx_set
_table.ctx_get = b_ctx_get
_table.init = b_init
_table.msg_init = b_msg_init
_table.msg_init_size = b_msg_init_size
_table.msg_init_data = b_msg_init_data
_table.msg_send = b_msg_send
_table.msg_recv = b_msg_recv
_table.msg_close = b_msg_close
_table.msg_move = b_msg_move
_table.msg_copy = b_msg_copy
_table.msg_data = b_msg_data
_table.msg_size = b_msg_size
_table.msg_more = b_msg_more
_table.msg_get = b_msg_get
_table.msg_set = b_msg_set
_table.socket = b_socket
_table.close = b_close
_table.setsockopt = b_setsockopt
_table.getsockopt = b_getsockopt
_table.bind = b_bind
_table.connect = b_connect
_table.unbind = b_unbind
_table.disconnect = b_disconnect
_table.send = b_send
_table.send_const = b_send_const
_table.recv = b_recv
_table.socket_monitor = b_socket_monitor
_table.sendiov = b_sendiov
_table.recviov = b_recviov
_table.poll = b_poll
_table.proxy_steerable = b_proxy_steerable
_table.z85_encode = b_z85_encode
_table.z85_decode = b_z85_decode
_table.curve_keypair = b_curve_keypair

if sizeof(void *) < 8:
    raise ImportError("zmq4._cabi: the C-ABI shim needs 64-bit pointers")

_C_API = PyCapsule_New(<void *>&_table, b"zmq4._cabi._C_API", NULL)

#: Version of the function table behind ``_C_API`` (``ZMQ4_CABI_VERSION``).
CABI_VERSION = ZMQ4_CABI_VERSION


def mode():
    """How the shim reached this interpreter: 0 not attached, 1 host, 2 embedded."""
    return _mode


def live_counts():
    """(handles, messages) currently registered: contexts + sockets, and zmq_msg_t's
    initialised and not closed. For leak tests."""
    return (_hlive, _msgs.live)
