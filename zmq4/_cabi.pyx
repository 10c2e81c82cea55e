# cython: language_level=3
"""The C-ABI bridge: C types <-> ``zmq4.capi`` for the libzmq-compatible shim.

Owns: the versioned function table (``zmq4_cabi_t`` in ``csrc/zmq4_cabi.h``) exported as
the PyCapsule ``_C_API``; the registry that turns zmq4 objects into C handles; the Python
side of a C message (``csrc/zmq4_msg.h``: its payload sent as bytes or as a buffer holding
its content, a received frame copied into one) and of ``zmq_send_const``'s buffer; the
Python side of the shim's batching (``csrc/zmq4_fast.h``, the *batching* section below).

The shim (``csrc/shim.c`` -> ``zmq4/lib/libzmq.so.5``) imports this module, takes the GIL,
calls one table entry, releases the GIL and copies ``*err`` into C ``errno``. Every entry
converts its C arguments, calls the ``zmq4.capi`` function of the same name (errno rules
live there, once) and converts the result back.

Rules:
- Entries run with the GIL held (the shim took it) and never leave a Python exception set;
  failure is ``-1``/``NULL`` with the errno in ``*err``.
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
- A ``zmq_msg_t`` is C memory the shim manages without Python (``csrc/msg.c``); only
  ``zmq_msg_send``/``zmq_msg_recv`` come here, and refuse one that is not initialised
  (``EFAULT``).
- Handle records live in fixed chunks that never move: a record's address is stable even
  while the GIL is released inside ``capi`` and another thread grows the table; after any
  call into ``capi`` a handle is found again by its pointer and tag, never by a kept
  pointer.
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

from zmq4.core.fastpath cimport recv as _recv_frame
from zmq4.core.fastpath cimport bound_owner, recv_ready
from zmq4.core.lb cimport LB
from zmq4.core.sockcore cimport SocketCore
from zmq4.msg cimport Msg, frame

import atexit as _atexit
import errno as _errno_mod
import logging as _logging
import os as _os

from . import capi as _capi
from .core import options as _options
from .errors import errno_of as _errno_of

cdef extern from "Python.h":
    object PyMemoryView_FromMemory(char *mem, Py_ssize_t size, int flags)
    int PyBUF_READ
    int PyBUF_WRITE
    const Py_ssize_t PY_SSIZE_T_MAX

cdef extern from "<pthread.h>" nogil:
    ctypedef struct pthread_mutex_t:
        pass
    int pthread_mutex_lock(pthread_mutex_t *m)
    int pthread_mutex_trylock(pthread_mutex_t *m)
    int pthread_mutex_unlock(pthread_mutex_t *m)

cdef extern from "<sys/eventfd.h>" nogil:
    int eventfd(unsigned int initval, int flags)
    int EFD_NONBLOCK
    int EFD_CLOEXEC

cdef extern from "<unistd.h>" nogil:
    ssize_t c_read "read" (int fd, void *buf, size_t count)

cdef extern from "../csrc/zmq4_msg.h" nogil:
    ctypedef struct zmq4_content_t:
        int user
    ctypedef struct zmq4_cmsg_t:
        uint32_t flags
        size_t size
        unsigned char *data
        zmq4_content_t *content
    ctypedef struct zmq4_msg_ops_t:
        int (*live)(const void *msg) noexcept nogil
        int (*set)(void *msg, const void *buf, size_t len, int more) noexcept nogil
        void (*reset)(void *msg) noexcept nogil
        void (*hold)(zmq4_content_t *c) noexcept nogil
        void (*release)(zmq4_content_t *c) noexcept nogil

cdef extern from "<limits.h>":
    const int INT_MAX

cdef extern from "../csrc/zmq4_fast.h" nogil:
    ctypedef struct zmq4_frame_t:
        size_t size
        uint32_t more
    ctypedef struct zmq4_fast_t:
        uint32_t *ctx_flag
        zmq4_frame_t *out
        uint64_t out_head
        uint64_t out_tail
        uint64_t msgs_pushed
        uint64_t msgs_drained
        uint64_t msg_limit
        int efd
        zmq4_frame_t *inbox "in"
        uint32_t in_head
        uint32_t in_tail
        int rcvmore
        int last_op
        int dead
        zmq4_fast_t *next_free
        pthread_mutex_t lock
    unsigned int ZMQ4_FAST_SLOTS
    unsigned char *zmq4_frame_data(zmq4_frame_t *fr)
    int zmq4_frame_set(zmq4_frame_t *fr, const void *buf, size_t len, int more)
    void zmq4_frame_clear(zmq4_frame_t *fr)
    zmq4_fast_t *zmq4_fast_new(int send, int recv, uint32_t *ctx_flag)
    void zmq4_fast_renew(zmq4_fast_t *f, uint32_t *ctx_flag)
    void zmq4_fast_clear(zmq4_fast_t *f)
    int zmq4_fast_pop(zmq4_fast_t *f, void *buf, size_t len, size_t *size)
    zmq4_frame_t *zmq4_fast_next(zmq4_fast_t *f)
    size_t zmq4_fast_taken(zmq4_fast_t *f, zmq4_frame_t *fr)
    uint64_t zmq4_fast_head(zmq4_fast_t *f)
    void zmq4_fast_set_tail(zmq4_fast_t *f, uint64_t tail)
    void zmq4_fast_set_limit(zmq4_fast_t *f, uint64_t limit)
    int zmq4_fast_sleep(zmq4_fast_t *f)
    void zmq4_fast_set_fast(void **slot, zmq4_fast_t *f)

cdef extern from *:
    """
    #include "../csrc/zmq4_cabi.h"

    typedef zmq_free_fn *zmq4_free_ptr;

    #define ZMQ4_HCHUNK_BYTES 16384     /* a chunk of records, aligned to its size */

    #if defined __STDC_VERSION__ && __STDC_VERSION__ >= 201112L
    _Static_assert (sizeof (zmq4_handle_t) == 32, "a handle record is 32 bytes");
    #endif
    """
    ctypedef void (*zmq4_free_ptr)(void *, void *) noexcept nogil
    ctypedef struct zmq4_handle_t:
        uint32_t tag
        uint32_t stopping
        PyObject *obj
        zmq4_handle_t *next
        zmq4_fast_t *fast
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
        int (*attach)(int, zmq4_drain_fn, const zmq4_msg_ops_t *, int *) noexcept
        void *(*ctx_new)(int *) noexcept
        int (*ctx_term)(void *, int *) noexcept
        int (*ctx_shutdown)(void *, int *) noexcept
        int (*ctx_set)(void *, int, int, int *) noexcept
        int (*ctx_get)(void *, int, int *) noexcept
        void *(*init)(int, int *) noexcept
        int (*msg_send)(zmq_msg_t *, void *, int, int *) noexcept
        int (*msg_recv)(zmq_msg_t *, void *, int, int *) noexcept
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
        int (*flush)(void *, int *) noexcept

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
cdef object _zmq_msg_recv = _capi.zmq_msg_recv
cdef object _zmq_msg_send = _capi.zmq_msg_send
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
cdef int EMSGSIZE_ = _errno_mod.EMSGSIZE
# a message at least this big is sent without a copy (its content is referenced)
cdef size_t ZEROCOPY_MIN = 8192


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
    e.stopping = 0
    e.fast = NULL
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


# ------------------------------------------------------------------------------- batching

# Runs of sends or receives from C cross into Python once per batch (csrc/zmq4_fast.h owns
# the rings and says why). This section owns the Python side: which sockets batch, the
# credit a run of sends gets, the drain of the outbox (by the caller's next call, or by an
# I/O thread woken through the eventfd), the fetch-ahead of a run of receives, and the
# rule every socket entry follows: ``_enter`` (lock, drain, withdraw the credit) ...
# ``_leave`` (grant credit to a send that follows a whole message sent, unlock).

cdef enum:
    OP_OTHER = 0
    OP_SEND = 1       # a send that ended a message
    OP_RECV = 2
    OP_SEND_MORE = 3  # a send with more frames of its message to come

# fetch-ahead stops after this many payload bytes
cdef Py_ssize_t AHEAD_BYTES = 256 * 1024
# a drainer that found the caller's thread inside a call looks again this much later
cdef double RETRY_S = 0.0005

cdef int _MORE_FLAG = _capi.ZMQ_MORE
cdef int _SNDMORE_FLAG = _capi.ZMQ_SNDMORE
cdef int _POLLIN_FLAG = _capi.ZMQ_POLLIN
cdef int _RCVMORE_OPT = _capi.ZMQ_RCVMORE
cdef int _EVENTS_OPT = _capi.ZMQ_EVENTS
# sockets whose send never blocks on anything but their pipes' room (lb or one pipe), and
# whose recv keeps no state between frames (fq or one pipe, no filter)
_SEND_BATCH = frozenset((_capi.ZMQ_PUSH, _capi.ZMQ_DEALER, _capi.ZMQ_PAIR))
_RECV_BATCH = frozenset((_capi.ZMQ_PULL, _capi.ZMQ_DEALER, _capi.ZMQ_PAIR))
_EPOLLIN = __import__("select").EPOLLIN

#: ZMQ4_SHIM_BATCH=0 turns batching off (every call crosses into Python, as before #20)
_BATCHING = _os.environ.get("ZMQ4_SHIM_BATCH", "1") != "0"
_fastlog = _logging.getLogger("zmq4.cabi")
_drainers = {}  # <uintptr_t>zmq4_fast_t -> its _Drainer, once it has one


cdef void _stop_fast_paths() noexcept:
    """Every context stops its sockets' fast paths (calls go to Python, which says ETERM
    once the context is shut down)."""
    cdef Py_ssize_t c, j
    for c in range(_hnchunks):
        for j in range(HRECORDS):
            if _hchunks[c][j].tag == ZMQ4_TAG_CTX:
                _hchunks[c][j].stopping = 1


def _after_fork_in_child():
    """A forked child has no I/O thread to drain outboxes, and a lock another thread held
    stays held: the parent's sockets lose their batching state there (what it holds is
    the parent's) and go call by call (and fail or work as zmq4 decides there)."""
    cdef Py_ssize_t c, j
    _stop_fast_paths()
    for c in range(_hnchunks):
        for j in range(HRECORDS):
            _hchunks[c][j].fast = NULL
    _drainers.clear()


_os.register_at_fork(after_in_child=_after_fork_in_child)


# closed sockets' states, by (sends batched) * 2 + (receives batched): states are never
# freed (a thread waiting for one's lock may still look at it), they are reused
cdef zmq4_fast_t *_fast_pool[4]
memset(_fast_pool, 0, sizeof(_fast_pool))


cdef zmq4_fast_t *_fast_new(object sock, int type, zmq4_handle_t *ctx) noexcept:
    """Batching state for a new socket of ``type``, or NULL (a type that does not batch,
    or no memory: the socket then works call by call)."""
    cdef int send = type in _SEND_BATCH
    cdef int recv = type in _RECV_BATCH
    cdef int kind = send * 2 + recv
    cdef zmq4_fast_t *f = _fast_pool[kind]
    if not _BATCHING or kind == 0:
        return NULL
    if f != NULL:
        _fast_pool[kind] = f.next_free
        zmq4_fast_renew(f, &ctx.stopping)
        return f
    return zmq4_fast_new(send, recv, &ctx.stopping)


cdef void _fast_recycle(zmq4_fast_t *f) noexcept:
    """A closed socket's state back to the pool (its rings emptied, its eventfd closed)."""
    cdef int kind = (f.out != NULL) * 2 + (f.inbox != NULL)
    zmq4_fast_clear(f)
    if f.efd >= 0:
        try:
            _os.close(f.efd)
        except OSError:
            pass  # (only EBADF/EINTR: the descriptor is gone either way)
        f.efd = -1
    f.next_free = _fast_pool[kind]
    _fast_pool[kind] = f


cdef zmq4_fast_t *_fast_lock(void *s) noexcept:
    """The batching state of socket handle ``s``, locked; NULL if it has none, or if the
    socket was closed while this thread waited for the lock (the GIL is released while
    waiting: the holder, an I/O thread draining, may need it to finish)."""
    cdef zmq4_handle_t *h = <zmq4_handle_t *>s
    cdef zmq4_fast_t *f = h.fast
    if f == NULL:
        return NULL
    if pthread_mutex_trylock(&f.lock) != 0:
        with nogil:
            pthread_mutex_lock(&f.lock)
        if h.fast != f or f.dead or h.tag != ZMQ4_TAG_SOCKET:
            pthread_mutex_unlock(&f.lock)
            return NULL
    return f


cdef zmq4_fast_t *_enter(void *s, object sock, int op) noexcept:
    """Start a call on socket handle ``s`` (already validated): its batching state,
    locked and with the outbox drained and its credit withdrawn, or NULL if it has none:
    what the call does then sees the socket as it is."""
    cdef zmq4_fast_t *f = _fast_lock(s)
    if f == NULL:
        return NULL
    if f.out != NULL:
        _drain_out(f, sock)
        # the call may use the room a grant promised the outbox (a send that went the
        # direct way uses it up): withdraw it; a send run gets a new one in _leave
        zmq4_fast_set_limit(f, f.msgs_drained)
    return f


cdef void _leave(zmq4_fast_t *f, object sock, int op, bint ok) noexcept:
    """End a call started by ``_enter``. A send that succeeded right after a whole
    message was sent opens (or keeps open) the outbox for what the socket is sure to
    take: runs count messages, so a request of several frames is not a run."""
    if f == NULL:
        return
    if ok and (op == OP_SEND or op == OP_SEND_MORE) and f.out != NULL \
            and f.last_op == OP_SEND:
        _grant(f, sock)
    f.last_op = op
    pthread_mutex_unlock(&f.lock)


cdef void _grant(zmq4_fast_t *f, object sock) noexcept:
    """Let the caller queue as many new messages as the socket's pipes have room for
    (``send_room``): they can then never be refused. Nothing once the context stops."""
    cdef long long room
    try:
        if f.ctx_flag[0] or sock.closed or sock.ctx_terminated:
            return
        if f.efd < 0 and not _start_drainer(f, sock):
            return
        room = sock.send_room()
        if room > <long long>ZMQ4_FAST_SLOTS:
            room = ZMQ4_FAST_SLOTS
        if room < 0:
            room = 0
        zmq4_fast_set_limit(f, f.msgs_drained + <uint64_t>room)
    except BaseException as exc:
        _fastlog.debug("zmq4: no send batching for %r: %s", sock, exc)


cdef void _drain_out(zmq4_fast_t *f, object sock) noexcept:
    """Send what the outbox holds, in order (caller: the GIL and ``f.lock``). The socket
    had room for every message when it was queued; one it refuses now lost its pipe (the
    peer went), as it would have from the pipe itself; the loss is logged."""
    cdef uint64_t head = zmq4_fast_head(f)
    cdef uint64_t tail = f.out_tail
    cdef zmq4_frame_t *fr
    cdef uint32_t more
    cdef Py_ssize_t lost = 0
    cdef Msg m
    cdef LB lb
    if head == tail:
        return
    xsend = None if sock.closed else sock.xsend
    lb = bound_owner(xsend, LB, "send")  # PUSH, DEALER: LB.send, called in C
    while tail != head:
        fr = &f.out[tail & (ZMQ4_FAST_SLOTS - 1)]
        more = fr.more
        if xsend is not None:
            try:
                m = frame(PyBytes_FromStringAndSize(<char *>zmq4_frame_data(fr), fr.size),
                          _MORE_FLAG if more else 0)
                if not (lb.send(m) if lb is not None else xsend(m)):
                    lost += 1
            except BaseException as exc:
                _fastlog.warning("zmq4: a queued frame for %r was lost: %s", sock, exc)
        else:
            lost += 1
        zmq4_frame_clear(fr)
        tail += 1
        if not more:
            f.msgs_drained += 1
        zmq4_fast_set_tail(f, tail)
        if tail == head:
            head = zmq4_fast_head(f)
    if lost:
        _fastlog.warning("zmq4: %d queued frames for %r were lost with their peers",
                         lost, sock)


cdef bint _start_drainer(zmq4_fast_t *f, object sock) except -1:
    """Give the outbox an eventfd and an I/O thread that drains it when the caller's
    thread pushes to an outbox nobody is draining. False: no I/O thread (IO_THREADS 0)."""
    cdef int fd
    try:
        io = sock.ctx.io_pool().choose()
    except BaseException:
        return False
    fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)
    if fd < 0:
        return False
    d = _Drainer(sock, io, fd)
    d.f = f
    if not io.post(io.add, fd, d, _EPOLLIN):
        _os.close(fd)
        return False
    f.efd = fd
    _drainers[<uintptr_t>f] = d
    return True


cdef class _Drainer:
    """The I/O-thread side of one socket's outbox: ``on_readable`` when the caller's
    thread pushed to an outbox nobody was draining."""

    cdef zmq4_fast_t *f
    cdef object sock
    cdef object io
    cdef int fd

    def __init__(self, sock, io, int fd):
        self.sock = sock
        self.io = io
        self.fd = fd

    def on_readable(self):
        cdef uint64_t count
        cdef zmq4_fast_t *f = self.f
        if f == NULL:
            return
        c_read(self.fd, &count, 8)
        if pthread_mutex_trylock(&f.lock) != 0:
            # the caller's thread is inside a call, which drains first; frames can only
            # have been pushed just before it took the lock: look again a little later
            # (not at once: this thread has its connections to serve meanwhile)
            if zmq4_fast_sleep(f):
                self.io.add_timer(RETRY_S, self.on_readable)
            return
        try:
            while not f.dead:
                _drain_out(f, self.sock)
                if f.last_op == OP_SEND or f.last_op == OP_SEND_MORE:
                    _grant(f, self.sock)
                if not zmq4_fast_sleep(f):
                    break
        finally:
            pthread_mutex_unlock(&f.lock)

    def on_writable(self):
        pass

    def on_error(self, exc):
        _fastlog.warning("zmq4: send batching of %r failed: %s", self.sock, exc)

    def remove(self):
        """In the I/O thread, after the socket closed: stop watching, pool the state."""
        cdef zmq4_fast_t *f = self.f
        self.f = NULL
        self.io.remove(self.fd)
        if f != NULL:
            _fast_recycle(f)


cdef int b_flush(void *s, int *err) noexcept:
    """The shim, before any other call of a thread that queued sends on socket ``s``:
    they reach their pipes first, so that thread (and whoever it then tells) sees them
    there, as after a zmq_send in libzmq. Not a call on the socket: no run ends."""
    cdef zmq4_handle_t *h = _find(s, TAG_SOCK)
    cdef zmq4_fast_t *f
    if h == NULL or h.fast == NULL or h.fast.out == NULL:
        return 0
    if zmq4_fast_head(h.fast) == h.fast.out_tail:
        return 0
    f = _fast_lock(s)
    if f == NULL:
        return 0  # closed meanwhile: its close sent what it held
    _drain_out(f, <object>h.obj)
    pthread_mutex_unlock(&f.lock)
    return 0


cdef void _fast_close(void *s, zmq4_fast_t *f) noexcept:
    """The socket closed (caller holds ``f.lock``): detach the state from the handle,
    drop what the inbox holds, and pool it here or, if an I/O thread watches its
    eventfd, there (after it stopped watching)."""
    cdef _Drainer d
    zmq4_fast_set_fast(<void **>&(<zmq4_handle_t *>s).fast, NULL)
    f.dead = 1
    zmq4_fast_clear(f)
    pthread_mutex_unlock(&f.lock)
    d = _drainers.pop(<uintptr_t>f, None)
    if d is not None:
        try:
            if d.io.post(d.remove):
                return
        except BaseException as exc:
            _fastlog.debug("zmq4: pooling batching state here: %s", exc)
        d.f = NULL
    _fast_recycle(f)


cdef bint _inbox_ready(zmq4_fast_t *f) noexcept:
    """Frames are waiting in the inbox (and the context still runs: once it stops,
    they are dropped and every receive fails with ETERM, as in libzmq)."""
    if f == NULL or f.inbox == NULL or f.in_head == f.in_tail:
        return False
    if f.ctx_flag[0]:
        zmq4_fast_clear(f)
        return False
    return True


cdef object _inbox_pop(zmq4_fast_t *f):
    """The next inbox frame as (bytes, more); the caller checked ``_inbox_ready``."""
    cdef zmq4_frame_t *fr = zmq4_fast_next(f)
    data = PyBytes_FromStringAndSize(<char *>zmq4_frame_data(fr), fr.size)
    more = fr.more != 0
    zmq4_fast_taken(f, fr)
    return data, more


cdef void _fetch_ahead(zmq4_fast_t *f, object sock) noexcept:
    """After the second receive in a row: move what the socket has ready now into the
    inbox, so the next receives need no GIL (caller: the GIL and ``f.lock``)."""
    cdef uint32_t slots = ZMQ4_FAST_SLOTS
    cdef Py_ssize_t i, n
    cdef Msg m
    cdef Py_buffer view
    cdef zmq4_frame_t *fr
    cdef int rc
    try:
        hwm = sock.options.rcvhwm
        if 0 < hwm < slots:
            slots = hwm  # what is fetched early adds at most RCVHWM to the socket's queue
        frames = recv_ready(<SocketCore>sock, slots - (f.in_tail - f.in_head), AHEAD_BYTES)
        n = len(frames)
        for i in range(n):
            m = <Msg>frames[i]
            fr = &f.inbox[f.in_tail & (ZMQ4_FAST_SLOTS - 1)]
            data = m.data
            if type(data) is bytes:
                rc = zmq4_frame_set(fr, PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data),
                                    m.flags & _MORE_FLAG)
            else:
                PyObject_GetBuffer(data, &view, PyBUF_SIMPLE)
                rc = zmq4_frame_set(fr, view.buf, view.len, m.flags & _MORE_FLAG)
                PyBuffer_Release(&view)
            if rc != 0:
                raise MemoryError(f"zmq4: no memory for the {n - i} frames fetched ahead")
            f.in_tail += 1
    except _capi.ZMQError as exc:  # ETERM: the receive that comes next says so
        _fastlog.debug("zmq4: fetching ahead on %r stopped: %s", sock, exc)
    except BaseException as exc:
        _fastlog.error("zmq4: fetching ahead on %r failed: %s", sock, exc)
    (<SocketCore>sock).rcvmore = f.rcvmore != 0


# ------------------------------------------------------------------------------- messages

cdef char _empty[1]


cdef class _CBuffer:
    """C memory as a Python buffer: a message's payload sent without a copy (holding a
    reference to its content, released when the frame is gone: a zmq_msg_init_data free
    function runs then) and zmq_send_const's buffer (never freed)."""

    cdef void *data        # as given by the caller (may be NULL for an empty message)
    cdef Py_ssize_t size
    cdef zmq4_content_t *content
    cdef bint readonly

    def __getbuffer__(self, Py_buffer *view, int flags):
        cdef void *p = self.data if self.data != NULL else <void *>_empty
        PyBuffer_FillInfo(view, self, p, self.size, self.readonly, flags)

    def __releasebuffer__(self, Py_buffer *view):
        pass

    def __dealloc__(self):
        cdef zmq4_content_t *c = self.content
        self.content = NULL
        if c != NULL:
            _mops.release(c)


cdef _CBuffer _cbuffer(const void *data, size_t size, bint readonly):
    cdef _CBuffer b = _CBuffer.__new__(_CBuffer)
    b.data = <void *>data
    b.size = <Py_ssize_t>size
    b.content = NULL
    b.readonly = readonly
    return b


# ------------------------------------------------------------------------------- attach

cdef zmq4_drain_fn _drain = NULL
cdef int _mode = 0
cdef const zmq4_msg_ops_t *_mops = NULL  # the shim's message records (csrc/zmq4_msg.h)


def _host_atexit():
    """Host mode, Python exiting: C threads still calling in would race the interpreter's
    teardown. Shut every C-created context down (blocked calls return ETERM), then let the
    shim refuse new calls and wait for the ones in flight."""
    global _drain
    cdef zmq4_drain_fn d = _drain
    if d == NULL:
        return
    _drain = NULL
    _stop_fast_paths()
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


cdef int b_attach(int mode, zmq4_drain_fn drain, const zmq4_msg_ops_t *msg_ops,
                  int *err) noexcept:
    global _drain, _mode, _mops
    try:
        _mode = mode
        _mops = msg_ops
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
        _find(ctx, TAG_CTX).stopping = 1
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
        _find(ctx, TAG_CTX).stopping = 1
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

cdef object _payload_of(zmq4_cmsg_t *m):
    """What Python sends for the C message ``m``: a bytes copy of a small payload; for a
    zmq_msg_init_data buffer or a large one, a buffer over it that holds a reference to
    its content (so the free function runs when the frame is gone, not before)."""
    cdef _CBuffer b
    if m.content == NULL or m.size == 0:
        return b""
    if m.content.user == 0 and m.size < ZEROCOPY_MIN:
        return PyBytes_FromStringAndSize(<char *>m.data, <Py_ssize_t>m.size)
    b = _cbuffer(m.data, m.size, False)
    _mops.hold(m.content)
    b.content = m.content
    return b


cdef int b_msg_send(zmq_msg_t *msg, void *s, int flags, int *err) noexcept:
    cdef zmq4_fast_t *f = NULL
    cdef zmq4_cmsg_t *m = <zmq4_cmsg_t *>msg
    cdef int rc = -1
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        if not _mops.live(msg):
            return _fail(err, EFAULT)
        if m.content != NULL and m.size > <size_t>INT_MAX:
            return _fail(err, EMSGSIZE_)
        payload = _payload_of(m)
        f = _enter(s, sock, OP_SEND)
        try:
            if type(payload) is bytes:
                rc = _rc(_zmq_send(sock, payload, <Py_ssize_t>m.size, flags), err)
            else:
                rc = _rc(_zmq_send_const(sock, payload, <Py_ssize_t>m.size, flags), err)
        finally:
            _leave(f, sock, OP_SEND_MORE if flags & _SNDMORE_FLAG else OP_SEND, rc >= 0)
        if rc >= 0:
            _mops.reset(msg)  # sent: the message is empty, as libzmq leaves it
        return rc
    except BaseException:
        return _exc(err)


cdef int b_msg_recv(zmq_msg_t *msg, void *s, int flags, int *err) noexcept:
    cdef zmq4_fast_t *f = NULL
    cdef zmq4_frame_t *fr_in
    cdef size_t size
    cdef Msg fr
    cdef Py_buffer view
    cdef int rc = -1
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        if not _mops.live(msg):
            return _fail(err, EFAULT)
        f = _enter(s, sock, OP_RECV)
        try:
            if _inbox_ready(f):
                fr_in = zmq4_fast_next(f)
                if _mops.set(msg, zmq4_frame_data(fr_in), fr_in.size, fr_in.more) != 0:
                    return _fail(err, ENOMEM)
                size = zmq4_fast_taken(f, fr_in)
                rc = <int>size if size <= <size_t>INT_MAX else INT_MAX
                return rc
            fr = _recv_frame(<SocketCore>sock, flags)
            PyObject_GetBuffer(fr.data, &view, PyBUF_SIMPLE)
            try:
                if view.len > INT_MAX:
                    return _fail(err, EMSGSIZE_)
                if _mops.set(msg, view.buf, <size_t>view.len, fr.flags & _MORE_FLAG) != 0:
                    return _fail(err, ENOMEM)
                rc = <int>view.len
            finally:
                PyBuffer_Release(&view)
            if f != NULL and f.inbox != NULL:
                f.rcvmore = (<SocketCore>sock).rcvmore
                if f.last_op == OP_RECV and not sock.options.conflate:
                    _fetch_ahead(f, sock)
            return rc
        finally:
            _leave(f, sock, OP_RECV, rc >= 0)
    except BaseException:
        return _exc(err)


# ------------------------------------------------------------------------------- sockets

cdef void *b_socket(void *ctx, int type, int *err) noexcept:
    cdef void *h
    try:
        c = _obj(ctx, TAG_CTX)
        if c is None:
            err[0] = EFAULT
            return NULL
        s = _zmq_socket(c, type)
        if s is None:
            err[0] = _capi_errno()
            return NULL
        h = _register(s, TAG_SOCK)
        (<zmq4_handle_t *>h).fast = _fast_new(s, type, _find(ctx, TAG_CTX))
        return h
    except BaseException:
        _exc(err)
        return NULL


cdef int b_close(void *s, int *err) noexcept:
    cdef zmq4_fast_t *f = NULL
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        f = _enter(s, sock, OP_OTHER)
        try:
            rc = _rc(_zmq_close(sock), err)
            if rc == 0 or err[0] == ENOTSOCK:
                if f != NULL:
                    _fast_close(s, f)  # unlocks
                    f = NULL
                _unregister(s, TAG_SOCK)
        finally:
            _leave(f, sock, OP_OTHER, False)
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
    cdef zmq4_fast_t *f = NULL
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
        f = _enter(s, sock, OP_OTHER)
        try:
            return _rc(_zmq_setsockopt(sock, option, value, <Py_ssize_t>optvallen), err)
        finally:
            _leave(f, sock, OP_OTHER, False)
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
    cdef zmq4_fast_t *f = NULL
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        if optvallen == NULL or optval == NULL:
            return _fail(err, EFAULT)
        size = optvallen[0]
        f = _enter(s, sock, OP_OTHER)
        try:
            value = (<object>sock).getsockopt(
                option, <Py_ssize_t>(size if size < <size_t>PY_SSIZE_T_MAX else PY_SSIZE_T_MAX))
            if f != NULL and f.inbox != NULL:
                # frames fetched ahead count as unread, and RCVMORE is the caller's
                if option == _RCVMORE_OPT:
                    value = f.rcvmore
                elif option == _EVENTS_OPT and _inbox_ready(f):
                    value |= _POLLIN_FLAG
        except BaseException:
            return _exc(err)
        finally:
            _leave(f, sock, OP_OTHER, False)
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
    cdef zmq4_fast_t *f = NULL
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        f = _enter(s, sock, OP_OTHER)
        try:
            return _rc(_zmq_bind(sock, _cstr(addr)), err)
        finally:
            _leave(f, sock, OP_OTHER, False)
    except BaseException:
        return _exc(err)


cdef int b_connect(void *s, const char *addr, int *err) noexcept:
    cdef zmq4_fast_t *f = NULL
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        f = _enter(s, sock, OP_OTHER)
        try:
            return _rc(_zmq_connect(sock, _cstr(addr)), err)
        finally:
            _leave(f, sock, OP_OTHER, False)
    except BaseException:
        return _exc(err)


cdef int b_unbind(void *s, const char *addr, int *err) noexcept:
    cdef zmq4_fast_t *f = NULL
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        f = _enter(s, sock, OP_OTHER)
        try:
            return _rc(_zmq_unbind(sock, _cstr(addr)), err)
        finally:
            _leave(f, sock, OP_OTHER, False)
    except BaseException:
        return _exc(err)


cdef int b_disconnect(void *s, const char *addr, int *err) noexcept:
    cdef zmq4_fast_t *f = NULL
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        f = _enter(s, sock, OP_OTHER)
        try:
            return _rc(_zmq_disconnect(sock, _cstr(addr)), err)
        finally:
            _leave(f, sock, OP_OTHER, False)
    except BaseException:
        return _exc(err)


cdef int b_socket_monitor(void *s, const char *addr, int events, int *err) noexcept:
    cdef zmq4_fast_t *f = NULL
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        f = _enter(s, sock, OP_OTHER)
        try:
            return _rc(_zmq_socket_monitor(sock, _cstr(addr), events), err)
        finally:
            _leave(f, sock, OP_OTHER, False)
    except BaseException:
        return _exc(err)


# ------------------------------------------------------------------------------- send/recv

cdef inline object _rview(const void *buf, size_t length):
    """A read-only view of C memory for the duration of one capi call (capi copies)."""
    if buf == NULL:
        return None
    return PyMemoryView_FromMemory(<char *>buf, <Py_ssize_t>length, PyBUF_READ)


cdef int b_send(void *s, const void *buf, size_t length, int flags, int *err) noexcept:
    cdef zmq4_fast_t *f = NULL
    cdef int rc = -1
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        if length > <size_t>PY_SSIZE_T_MAX:
            return _fail(err, ENOMEM)
        f = _enter(s, sock, OP_SEND)
        try:
            rc = _rc(_zmq_send(sock, _rview(buf, length), <Py_ssize_t>length, flags), err)
        finally:
            _leave(f, sock, OP_SEND_MORE if flags & _SNDMORE_FLAG else OP_SEND, rc >= 0)
        return rc
    except BaseException:
        return _exc(err)


cdef int b_send_const(void *s, const void *buf, size_t length, int flags,
                      int *err) noexcept:
    cdef zmq4_fast_t *f = NULL
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        if buf == NULL and length > 0:
            return _fail(err, EFAULT)
        if length > <size_t>PY_SSIZE_T_MAX:
            return _fail(err, ENOMEM)
        f = _enter(s, sock, OP_OTHER)
        try:
            data = _cbuffer(buf, length, True)
            return _rc(_zmq_send_const(sock, data, <Py_ssize_t>length, flags), err)
        finally:
            _leave(f, sock, OP_OTHER, False)
    except BaseException:
        return _exc(err)


cdef int b_recv(void *s, void *buf, size_t length, int flags, int *err) noexcept:
    cdef zmq4_fast_t *f = NULL
    cdef size_t popped = 0
    cdef int rc = -1
    cdef bint run
    try:
        sock = _obj(s, TAG_SOCK)
        if sock is None:
            return _fail(err, ENOTSOCK)
        if buf == NULL and length:
            return _fail(err, EFAULT)
        f = _enter(s, sock, OP_RECV)
        try:
            if _inbox_ready(f):
                zmq4_fast_pop(f, buf, length, &popped)
                rc = <int>popped if popped <= <size_t>INT_MAX else INT_MAX
                return rc
            if buf == NULL:
                target = None
            else:
                if length > <size_t>PY_SSIZE_T_MAX:
                    length = <size_t>PY_SSIZE_T_MAX
                target = PyMemoryView_FromMemory(<char *>buf, <Py_ssize_t>length,
                                                 PyBUF_WRITE)
            rc = _rc(_zmq_recv(sock, target, <Py_ssize_t>length, flags), err)
            if rc >= 0 and f != NULL and f.inbox != NULL:
                f.rcvmore = (<SocketCore>sock).rcvmore
                # (CONFLATE: the newest message is the one to get, not one fetched early)
                if f.last_op == OP_RECV and not sock.options.conflate:
                    _fetch_ahead(f, sock)
        finally:
            _leave(f, sock, OP_RECV, rc >= 0)
        return rc
    except BaseException:
        return _exc(err)


cdef int b_sendiov(void *s, iovec *iov, size_t count, int flags, int *err) noexcept:
    cdef zmq4_fast_t *f = NULL
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
        f = _enter(s, sock, OP_OTHER)
        try:
            return _rc(_zmq_sendiov(sock, parts, <Py_ssize_t>count, flags), err)
        finally:
            _leave(f, sock, OP_OTHER, False)
    except BaseException:
        return _exc(err)


cdef int b_recviov(void *s, iovec *iov, size_t *count, int flags, int *err) noexcept:
    cdef size_t want, i, n
    cdef void *p
    cdef zmq4_fast_t *f = NULL
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
        f = _enter(s, sock, OP_RECV)
        try:
            # frames fetched ahead come first; the rest of their message from the socket
            parts = []
            more = False
            while want > <size_t>len(parts) and _inbox_ready(f):
                data, more = _inbox_pop(f)
                parts.append(data)
                if not more:
                    break
            if not parts or (more and want > <size_t>len(parts)):
                rest = _zmq_recviov(sock, <Py_ssize_t>(want - len(parts)), flags)
                if not isinstance(rest, list):
                    return _rc(rest, err)  # (as libzmq: the frames read so far are lost)
                parts.extend(rest)
                if f != NULL and f.inbox != NULL:
                    f.rcvmore = (<SocketCore>sock).rcvmore
        finally:
            _leave(f, sock, OP_RECV, False)
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
    cdef zmq4_fast_t *f
    try:
        if nitems < 0:
            return _fail(err, EINVAL)
        if items == NULL and nitems > 0:
            return _fail(err, EFAULT)
        pyitems = []
        ready = []  # items whose socket has frames fetched ahead: readable now
        for i in range(nitems):
            if items[i].socket != NULL:
                sock = _obj(items[i].socket, TAG_SOCK)
                if sock is None:
                    return _fail(err, ENOTSOCK)
                f = _enter(items[i].socket, sock, OP_OTHER)
                if (items[i].events & _POLLIN_FLAG) and _inbox_ready(f):
                    ready.append(i)
                _leave(f, sock, OP_OTHER, False)
                pyitems.append(_PollItem(sock, -1, items[i].events))
            else:
                pyitems.append(_PollItem(None, items[i].fd, items[i].events))
        rc = _rc(_zmq_poll(pyitems, nitems, 0 if ready else timeout), err)
        if rc >= 0:
            for i in range(nitems):
                items[i].revents = <short>(<object>pyitems[i]).revents
            for i in ready:
                if not items[i].revents:
                    rc += 1
                items[i].revents |= <short>_POLLIN_FLAG
        return rc
    except BaseException:
        return _exc(err)


cdef void _forward_inbox(void *h, object src, object dst, object capture) except *:
    """zmq_proxy on a socket with frames fetched ahead: send them on (and to capture), as
    the proxy would have, whole messages only (a message begun in the inbox is completed
    from the socket first, so capture never sees two messages' frames mixed)."""
    cdef zmq4_fast_t *f
    cdef Msg m
    if src is None or dst is None:
        return
    frames = []
    f = _enter(h, src, OP_OTHER)
    try:
        while _inbox_ready(f):
            frames.append(_inbox_pop(f))
        while frames and frames[len(frames) - 1][1]:
            m = _recv_frame(<SocketCore>src, 0)
            frames.append((m.data, (m.flags & _MORE_FLAG) != 0))
        if f != NULL:
            f.rcvmore = 0
    finally:
        _leave(f, src, OP_OTHER, False)
    for data, more in frames:
        flags = _SNDMORE_FLAG if more else 0
        if capture is not None:
            _zmq_send(capture, data, len(data), flags)
        if _zmq_send(dst, data, len(data), flags) < 0:
            raise _capi.ZMQError(_capi_errno())


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
        for h in (<uintptr_t>frontend, <uintptr_t>backend, <uintptr_t>capture,
                  <uintptr_t>control):
            if h != 0:  # queued sends go out, and no run continues into the proxy
                _leave(_enter(<void *>h, _obj(<void *>h, TAG_SOCK), OP_OTHER),
                       None, OP_OTHER, False)
        # frames fetched ahead are forwarded first, as the proxy would have
        _forward_inbox(frontend, socks[0], socks[1], socks[2])
        _forward_inbox(backend, socks[1], socks[0], socks[2])
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
_table.msg_send = b_msg_send
_table.msg_recv = b_msg_recv
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
_table.flush = b_flush

if sizeof(void *) < 8:
    raise ImportError("zmq4._cabi: the C-ABI shim needs 64-bit pointers")

_C_API = PyCapsule_New(<void *>&_table, b"zmq4._cabi._C_API", NULL)

#: Version of the function table behind ``_C_API`` (``ZMQ4_CABI_VERSION``).
CABI_VERSION = ZMQ4_CABI_VERSION


def mode():
    """How the shim reached this interpreter: 0 not attached, 1 host, 2 embedded."""
    return _mode


def live_counts():
    """Handles currently registered: contexts + sockets. For leak tests."""
    return _hlive
