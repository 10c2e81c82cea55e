# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""CurveZMQ crypto for the CURVE mechanism: handshake boxes and the MESSAGE hot path.

Owns (RFC 25 §MESSAGE, RFC 26 §Nonces; spec §5.6, §6.4, §9 #1191):

* thin, strictly length-checked wrappers over libsodium for the handshake
  (``box``/``box_open`` = NaCl crypto_box with explicit keys, ``beforenm``,
  ``box_afternm``/``box_open_afternm`` with a precomputed key, ``secretbox``/
  ``secretbox_open`` for the cookie, ``keypair``, ``public_from_secret``,
  ``random_bytes``, ``wipe`` (sodium_memzero) and ``equal`` (constant time)). Open
  functions return None when the box does not authenticate; the caller turns that
  into a protocol error naming the command.
* ``CurveCodec``: every traffic frame after the handshake as a CURVE MESSAGE,
  boxed/unboxed with the connection's precomputed key, batched so that one Python call
  handles a whole send or receive batch. The boxes are crypto_box_afternm's, byte for
  byte, but the HSalsa20 step of each is done once per direction, since a direction's
  nonces share their 16-byte prefix (``_subkey``, ``_seal_detached``). No Python call
  per frame: libsodium is reached through the function pointers of ``zmq4._sodium``. A batch of at least
  ``NOGIL_THRESHOLD`` payload bytes is (un)boxed with the GIL released: every Python
  object it needs (the parts, pinned; the payloads it decrypts into, made beforehand)
  is in hand before, and the results are handed out after, in wire order.

Wire form of one MESSAGE, carried in a ZMTP *data* frame (flags 0x00, or 0x02 = LONG
when the body exceeds 255 bytes, never MORE/COMMAND — as every libzmq sends it):

    07 'MESSAGE' | short nonce (8, big-endian) | MAC (16) | ciphertext of
    flags (1: bit 0 MORE, bit 1 COMMAND) + payload

Nonce "CurveZMQMESSAGEC" + short nonce from the client, "...MESSAGES" from the server.
Own short nonces are a 64-bit counter written big-endian (libzmq 4.1+; 4.0 wrote host
order); the peer's must be strictly greater than the last one accepted — a replayed or
reordered MESSAGE ends the connection. The counter stops before 2**64-1.

Import rules: cimports ``zmq4._sodium`` and ``zmq4.zmtp._codec`` (``new_body``: large
payloads and the plaintext scratch are recycled bodies, as the decoder's; ``interleave``
cuts the output for a gathering write, as the plain encoder's); imports
``zmq4.zmtp.errors`` only. No I/O, no time.
"""

from cpython.bytes cimport PyBytes_CheckExact, PyBytes_AS_STRING, PyBytes_GET_SIZE
from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.bytearray cimport PyByteArray_GET_SIZE, PyByteArray_Resize
from cpython.buffer cimport (
    PyObject_GetBuffer, PyBuffer_Release, PyBUF_SIMPLE, PyBUF_WRITABLE,
)
from cpython.list cimport (
    PyList_New, PyList_SET_ITEM, PyList_GET_SIZE, PyList_GetSlice,
)
from cpython.ref cimport PyObject, Py_INCREF, Py_XDECREF
from cpython.mem cimport PyMem_Malloc, PyMem_Free
from cpython.sequence cimport (
    PySequence_Fast, PySequence_Fast_GET_SIZE, PySequence_Fast_GET_ITEM,
)
from cpython.tuple cimport PyTuple_CheckExact, PyTuple_GET_SIZE, PyTuple_GET_ITEM
from libc.string cimport memcpy, memcmp, memset
from libc.stdint cimport uint64_t, UINT64_MAX

from zmq4 cimport _sodium as na
from zmq4.zmtp._codec cimport interleave, new_body

from ..errors import LocalProtocolError, RemoteProtocolError

cdef extern from "Python.h":
    PyObject* _bytes_new "PyBytes_FromStringAndSize"(const char* s, Py_ssize_t n)
    char* _bytes_ptr "PyBytes_AS_STRING"(PyObject* o)
    void PyObject_GC_UnTrack(void* o)

#: A batch (one ``encode_messages`` or ``decode_frames`` call) carrying at least this
#: many payload bytes is (un)boxed with the GIL released: the crypto of one connection
#: then runs beside the application's threads (a 64-byte message costs about as much
#: crypto as the rest of its way through zmq4), while a small batch does not pay for
#: giving the GIL up and taking it back.
NOGIL_THRESHOLD = 4096
#: Bytes a MESSAGE adds around a payload: name (8) + short nonce (8) + MAC (16) + flags (1).
MESSAGE_OVERHEAD = 33

cdef enum:
    _ZMTP_MORE = 0x01
    _ZMTP_LONG = 0x02
    _ZMTP_COMMAND = 0x04
    _INNER_MORE = 0x01
    _INNER_COMMAND = 0x02
    _OVERHEAD = 33
    _MAC = 16
    _NOGIL = 4096

cdef const unsigned char* _MESSAGE = b"\x07MESSAGE"

# One frame of a batch: where its bytes are and, boxing, its inner flags; unboxing,
# the payload object the plaintext goes to (made before the GIL is released); boxing a
# large frame, the body of its own it is written to.
cdef struct _Frame:
    const unsigned char* p
    Py_ssize_t n
    unsigned char inner
    PyObject* payload
    unsigned char* dst  # where the output goes (the payload object's bytes, or out's)

# Why unboxing a batch stopped before its end (the frame's index is kept beside it).
cdef enum:
    _OK = 0
    _MALFORMED = 1
    _REPLAYED = 2
    _FORGED = 3


cdef class _Batch:
    """The frames of one ``encode_messages`` or ``decode_frames`` call in C memory:
    where each one's bytes are (a part that is not ``bytes`` stays pinned by a buffer
    view) and, opening, the payload object each frame goes to and the scratch its
    plaintext passes through. All of it is let go when the batch object goes, however
    the call ends."""

    cdef _Frame* fr
    cdef Py_ssize_t count
    cdef Py_buffer* views
    cdef Py_ssize_t nviews
    cdef PyObject* scratch  # a bytes object from new_body (recycled when large)

    def __cinit__(self, Py_ssize_t count):
        self.fr = <_Frame*>PyMem_Malloc((count if count else 1) * sizeof(_Frame))
        if self.fr == NULL:
            raise MemoryError()
        memset(self.fr, 0, (count if count else 1) * sizeof(_Frame))
        self.count = count

    cdef int pin(self, Py_ssize_t i, object part) except -1:
        """Frame ``i``'s bytes are ``part``'s (kept alive by the caller if ``bytes``)."""
        cdef _Frame* f = &self.fr[i]
        if PyBytes_CheckExact(part):
            f.p = <const unsigned char*>PyBytes_AS_STRING(part)
            f.n = PyBytes_GET_SIZE(part)
            return 0
        if self.views == NULL:  # the first that needs a view: at most the rest will
            self.views = <Py_buffer*>PyMem_Malloc((self.count - i) * sizeof(Py_buffer))
            if self.views == NULL:
                raise MemoryError()
        PyObject_GetBuffer(part, &self.views[self.nviews], PyBUF_SIMPLE)
        f.p = <const unsigned char*>self.views[self.nviews].buf
        f.n = self.views[self.nviews].len
        self.nviews += 1
        return 0

    cdef unsigned char* scratch_of(self, Py_ssize_t n) except NULL:
        self.scratch = new_body(n if n else 1)
        return <unsigned char*>_bytes_ptr(self.scratch)

    def __dealloc__(self):
        cdef Py_ssize_t i
        for i in range(self.nviews):
            PyBuffer_Release(&self.views[i])
        if self.fr != NULL:
            for i in range(self.count):
                Py_XDECREF(self.fr[i].payload)  # payloads not handed out
        PyMem_Free(self.views)
        PyMem_Free(self.fr)
        Py_XDECREF(self.scratch)


# ---------------------------------------------------------------------------
# helpers


cdef inline void _put_be64(unsigned char* p, uint64_t v) noexcept nogil:
    cdef int i
    for i in range(7, -1, -1):
        p[i] = <unsigned char>(v & 0xFF)
        v >>= 8


cdef inline uint64_t _get_be64(const unsigned char* p) noexcept nogil:
    cdef uint64_t v = 0
    cdef int i
    for i in range(8):
        v = (v << 8) | p[i]
    return v


# crypto_box_afternm is xsalsa20poly1305 under the precomputed key: HSalsa20(key, nonce[:16])
# gives a subkey, Salsa20(subkey, nonce[16:]) the key stream, whose first 32 bytes key
# Poly1305 and the rest encrypt. Every MESSAGE of a direction shares the 16-byte nonce
# prefix, so ``CurveCodec`` runs HSalsa20 once per direction (``_subkey``) and each box
# below is exactly what crypto_box_detached_afternm gives, without that step.

cdef enum:
    # Key stream made in one call per box (4 Salsa20 blocks): the Poly1305 key and the
    # first 224 bytes of the message, which then needs no second call below that size.
    _SHORT_STREAM = 256


cdef int _subkey(unsigned char* out, const unsigned char* key,
                 const unsigned char* prefix) noexcept nogil:
    """The direction's Salsa20 key: HSalsa20 of the precomputed key and the 16-byte
    nonce prefix."""
    return na.crypto_core_hsalsa20(out, prefix, key, NULL)


cdef inline int _stream_start(unsigned char* ks, Py_ssize_t n,
                              const unsigned char* short_nonce,
                              const unsigned char* subkey) noexcept nogil:
    """The key stream's first blocks into ``ks``: the Poly1305 key (32 bytes), then the
    stream for the first ``min(n, _SHORT_STREAM - 32)`` bytes of an ``n``-byte text."""
    cdef Py_ssize_t head = n if n < _SHORT_STREAM - 32 else _SHORT_STREAM - 32
    return na.crypto_stream_salsa20(ks, (32 + head + 63) & ~63, short_nonce, subkey)


cdef inline int _stream_xor(unsigned char* dst, const unsigned char* src, Py_ssize_t n,
                            const unsigned char* ks, const unsigned char* short_nonce,
                            const unsigned char* subkey) noexcept nogil:
    """``dst`` = ``src`` XOR the key stream after the Poly1305 key (``dst`` may be
    ``src``): the head from ``ks`` (``_stream_start``), the rest from libsodium."""
    cdef Py_ssize_t i
    cdef Py_ssize_t head = n if n < _SHORT_STREAM - 32 else _SHORT_STREAM - 32
    for i in range(head):
        dst[i] = src[i] ^ ks[32 + i]
    if n > head:
        return na.crypto_stream_salsa20_xor_ic(dst + head, src + head, n - head,
                                               short_nonce, _SHORT_STREAM // 64, subkey)
    return 0


cdef int _seal_detached(unsigned char* c, unsigned char* mac, const unsigned char* m,
                        Py_ssize_t mlen, const unsigned char* short_nonce,
                        const unsigned char* subkey) noexcept nogil:
    """crypto_box_detached_afternm for a nonce of the subkey's direction: ``c`` (may be
    ``m``) gets the ciphertext, ``mac`` the 16-byte tag. 0, or -1 if libsodium failed."""
    cdef unsigned char ks[_SHORT_STREAM]
    cdef int rc = _stream_start(ks, mlen, short_nonce, subkey)
    if rc == 0:
        rc = _stream_xor(c, m, mlen, ks, short_nonce, subkey)
    if rc == 0:
        rc = na.crypto_onetimeauth_poly1305(mac, c, mlen, ks)
    na.sodium_memzero(ks, _SHORT_STREAM)
    return -1 if rc != 0 else 0


cdef int _open_detached(unsigned char* m, const unsigned char* c, const unsigned char* mac,
                        Py_ssize_t clen, const unsigned char* short_nonce,
                        const unsigned char* subkey) noexcept nogil:
    """crypto_box_open_detached_afternm for a nonce of the subkey's direction: the tag is
    checked before anything is decrypted into ``m``. 0, or -1 if it does not
    authenticate (``m`` untouched)."""
    cdef unsigned char ks[_SHORT_STREAM]
    cdef int rc = _stream_start(ks, clen, short_nonce, subkey)
    if rc == 0:
        rc = na.crypto_onetimeauth_poly1305_verify(mac, c, clen, ks)
    if rc == 0:
        rc = _stream_xor(m, c, clen, ks, short_nonce, subkey)
    na.sodium_memzero(ks, _SHORT_STREAM)
    return -1 if rc != 0 else 0


cdef inline Py_ssize_t _frame_size(Py_ssize_t n) noexcept nogil:
    """ZMTP 3.0 frame (header + MESSAGE body) carrying an ``n``-byte payload."""
    cdef Py_ssize_t body = n + _OVERHEAD
    return body + (2 if body <= 255 else 9)


cdef inline Py_ssize_t _buffer_len(object part) except -1:
    cdef Py_buffer view
    cdef Py_ssize_t n
    if PyBytes_CheckExact(part):
        return PyBytes_GET_SIZE(part)
    if isinstance(part, str):
        raise TypeError("message parts must be bytes-like, not str")
    PyObject_GetBuffer(part, &view, PyBUF_SIMPLE)
    n = view.len
    PyBuffer_Release(&view)
    return n


cdef int _check_len(const unsigned char[::1] b, Py_ssize_t n, str what) except -1:
    if b.shape[0] != n:
        raise ValueError(f"{what} must be {n} bytes, got {b.shape[0]}")
    return 0


# ---------------------------------------------------------------------------
# handshake primitives (not hot: typed memoryviews accept bytes and bytearray)


def keypair():
    """A fresh Curve25519 key pair ``(public, secret)``; the secret as a bytearray so
    the caller can wipe it."""
    pk = PyBytes_FromStringAndSize(NULL, 32)
    sk = bytearray(32)
    cdef unsigned char[::1] skv = sk
    if na.crypto_box_keypair(<unsigned char*>PyBytes_AS_STRING(pk), &skv[0]) != 0:
        raise RuntimeError("crypto_box_keypair failed")
    return pk, sk


def public_from_secret(const unsigned char[::1] secret):
    """The Curve25519 public key of a 32-byte secret key."""
    _check_len(secret, 32, "secret key")
    pk = PyBytes_FromStringAndSize(NULL, 32)
    if na.crypto_scalarmult_base(<unsigned char*>PyBytes_AS_STRING(pk), &secret[0]) != 0:
        raise ValueError("crypto_scalarmult_base failed")
    return pk


def random_bytes(Py_ssize_t n):
    """``n`` bytes from libsodium's CSPRNG."""
    if n < 0:
        raise ValueError("negative length")
    out = PyBytes_FromStringAndSize(NULL, n)
    if n:
        na.randombytes(<unsigned char*>PyBytes_AS_STRING(out), n)
    return out


def wipe(bytearray buf not None):
    """Overwrite a bytearray holding key material with zeros (sodium_memzero)."""
    cdef Py_ssize_t n = PyByteArray_GET_SIZE(buf)
    cdef unsigned char[::1] v
    if n:
        v = buf
        na.sodium_memzero(&v[0], n)


def equal(const unsigned char[::1] a, const unsigned char[::1] b):
    """Constant-time comparison of two equally long byte strings (sodium_memcmp)."""
    if a.shape[0] != b.shape[0]:
        return False
    if a.shape[0] == 0:
        return True
    return na.sodium_memcmp(&a[0], &b[0], a.shape[0]) == 0


def box(const unsigned char[::1] msg, const unsigned char[::1] nonce,
        const unsigned char[::1] pk, const unsigned char[::1] sk):
    """NaCl ``crypto_box`` (easy form: MAC + ciphertext) from ``sk`` to ``pk``; None if
    libsodium refuses the keys (e.g. a low-order public key)."""
    _check_len(nonce, 24, "nonce")
    _check_len(pk, 32, "public key")
    _check_len(sk, 32, "secret key")
    cdef Py_ssize_t n = msg.shape[0]
    out = PyBytes_FromStringAndSize(NULL, n + _MAC)
    cdef const unsigned char* m = &msg[0] if n else <const unsigned char*>b""
    if na.crypto_box_easy(<unsigned char*>PyBytes_AS_STRING(out), m, n,
                          &nonce[0], &pk[0], &sk[0]) != 0:
        return None
    return out


def box_open(const unsigned char[::1] boxed, const unsigned char[::1] nonce,
             const unsigned char[::1] pk, const unsigned char[::1] sk):
    """Open a ``crypto_box`` sent by ``pk`` to ``sk``; None if it does not authenticate."""
    _check_len(nonce, 24, "nonce")
    _check_len(pk, 32, "public key")
    _check_len(sk, 32, "secret key")
    cdef Py_ssize_t n = boxed.shape[0]
    if n < _MAC:
        return None
    out = PyBytes_FromStringAndSize(NULL, n - _MAC)
    if na.crypto_box_open_easy(<unsigned char*>PyBytes_AS_STRING(out), &boxed[0], n,
                               &nonce[0], &pk[0], &sk[0]) != 0:
        return None
    return out


def beforenm(const unsigned char[::1] pk, const unsigned char[::1] sk):
    """The precomputed shared key of ``pk``/``sk`` as a bytearray (wipe it when done);
    None if libsodium refuses the keys."""
    _check_len(pk, 32, "public key")
    _check_len(sk, 32, "secret key")
    k = bytearray(32)
    cdef unsigned char[::1] kv = k
    if na.crypto_box_beforenm(&kv[0], &pk[0], &sk[0]) != 0:
        return None
    return k


def box_afternm(const unsigned char[::1] msg, const unsigned char[::1] nonce,
                const unsigned char[::1] key):
    """``crypto_box`` (easy form) with a precomputed key."""
    _check_len(nonce, 24, "nonce")
    _check_len(key, 32, "key")
    cdef Py_ssize_t n = msg.shape[0]
    out = PyBytes_FromStringAndSize(NULL, n + _MAC)
    cdef const unsigned char* m = &msg[0] if n else <const unsigned char*>b""
    if na.crypto_box_easy_afternm(<unsigned char*>PyBytes_AS_STRING(out), m, n,
                                  &nonce[0], &key[0]) != 0:
        raise RuntimeError("crypto_box_easy_afternm failed")
    return out


def box_open_afternm(const unsigned char[::1] boxed, const unsigned char[::1] nonce,
                     const unsigned char[::1] key):
    """Open a box made with a precomputed key; None if it does not authenticate."""
    _check_len(nonce, 24, "nonce")
    _check_len(key, 32, "key")
    cdef Py_ssize_t n = boxed.shape[0]
    if n < _MAC:
        return None
    out = PyBytes_FromStringAndSize(NULL, n - _MAC)
    if na.crypto_box_open_easy_afternm(<unsigned char*>PyBytes_AS_STRING(out), &boxed[0], n,
                                       &nonce[0], &key[0]) != 0:
        return None
    return out


def secretbox(const unsigned char[::1] msg, const unsigned char[::1] nonce,
              const unsigned char[::1] key):
    """``crypto_secretbox`` (easy form: MAC + ciphertext)."""
    _check_len(nonce, 24, "nonce")
    _check_len(key, 32, "key")
    cdef Py_ssize_t n = msg.shape[0]
    out = PyBytes_FromStringAndSize(NULL, n + _MAC)
    cdef const unsigned char* m = &msg[0] if n else <const unsigned char*>b""
    if na.crypto_secretbox_easy(<unsigned char*>PyBytes_AS_STRING(out), m, n,
                                &nonce[0], &key[0]) != 0:
        raise RuntimeError("crypto_secretbox_easy failed")
    return out


def secretbox_open(const unsigned char[::1] boxed, const unsigned char[::1] nonce,
                   const unsigned char[::1] key):
    """Open a ``crypto_secretbox``; None if it does not authenticate."""
    _check_len(nonce, 24, "nonce")
    _check_len(key, 32, "key")
    cdef Py_ssize_t n = boxed.shape[0]
    if n < _MAC:
        return None
    out = PyBytes_FromStringAndSize(NULL, n - _MAC)
    if na.crypto_secretbox_open_easy(<unsigned char*>PyBytes_AS_STRING(out), &boxed[0], n,
                                     &nonce[0], &key[0]) != 0:
        return None
    return out


# ---------------------------------------------------------------------------
# the MESSAGE codec


cdef class CurveCodec:
    """Boxes outgoing and unboxes incoming CURVE MESSAGEs for one connection.

    ``CurveCodec(key, is_client, next_nonce, last_peer_nonce)``: ``key`` is the
    precomputed C'/S' key (32 bytes; copied, the caller should wipe its copy);
    ``next_nonce`` the first short nonce this side will use for MESSAGE;
    ``last_peer_nonce`` the peer's last handshake nonce (its first MESSAGE must be
    greater).

    Batch API (used by ``ZmtpConnection`` through ``Mechanism.traffic_codec()``):

    * ``encode_messages(out, messages)`` appends every part of every message as one
      MESSAGE frame to ``out`` (sizes are validated first, ``out`` grows once);
    * ``encode_command(out, body)`` a ZMTP 3.1 command (PING/PONG) as a MESSAGE with
      the COMMAND flag (libzmq 4.2+);
    * ``decode_frames(frames, parts, out)`` unboxes ``(flags, body)`` wire frames:
      complete messages (``list``) and command bodies (``bytes``) are appended to
      ``out`` in wire order; parts of an unfinished message accumulate in ``parts``,
      the caller's list, kept between calls. Returns the number of command items.
      A bad frame raises ``RemoteProtocolError`` after the items decoded before it
      were appended; the codec then stays failed.

    Per-frame API (tests, debugging): ``box(flags, payload)`` -> MESSAGE body,
    ``unbox(body)`` -> ``(flags, payload)``; flags are ZMTP flags (MORE=1, COMMAND=4).
    """

    cdef unsigned char _skey[32]  # Salsa20 key of our MESSAGEs (see ``_subkey``)
    cdef unsigned char _rkey[32]  # ... and of the peer's
    cdef uint64_t _next
    cdef uint64_t _peer
    cdef readonly Py_ssize_t commands
    cdef readonly bint is_client
    cdef object _error

    def __cinit__(self, key, bint is_client, next_nonce, last_peer_nonce):
        cdef const unsigned char[::1] kv = key
        _check_len(kv, 32, "key")
        self.is_client = is_client
        ours, theirs = ((b"CurveZMQMESSAGEC", b"CurveZMQMESSAGES") if is_client
                        else (b"CurveZMQMESSAGES", b"CurveZMQMESSAGEC"))
        if (_subkey(self._skey, &kv[0], <const unsigned char*>PyBytes_AS_STRING(ours)) != 0
                or _subkey(self._rkey, &kv[0],
                           <const unsigned char*>PyBytes_AS_STRING(theirs)) != 0):
            raise RuntimeError("crypto_core_hsalsa20 failed")
        self._next = next_nonce
        self._peer = last_peer_nonce
        self.commands = 0
        self._error = None

    def __dealloc__(self):
        na.sodium_memzero(self._skey, 32)
        na.sodium_memzero(self._rkey, 32)

    @property
    def next_nonce(self):
        """The short nonce the next outgoing MESSAGE will carry."""
        return self._next

    @property
    def peer_nonce(self):
        """The last short nonce accepted from the peer."""
        return self._peer

    @property
    def failed(self):
        """The ``RemoteProtocolError`` that stopped this codec, or None."""
        return self._error

    # -- boxing ----------------------------------------------------------------

    cdef int _reserve(self, uint64_t count) except -1:
        # RFC 26 §Nonces: a short nonce is never reused; stop before the counter wraps.
        if count > UINT64_MAX - 1 - self._next:
            raise LocalProtocolError("CURVE short nonces exhausted: the connection must end")
        return 0

    cdef unsigned char* _seal(self, unsigned char* w, const unsigned char* data,
                              Py_ssize_t n, unsigned char inner) noexcept nogil:
        """Write one ZMTP frame holding a MESSAGE for ``data[:n]`` at ``w``; returns
        the end of what it wrote, or NULL if libsodium failed. C memory only: runs with
        or without the GIL (the caller pins ``data`` and ``w``)."""
        cdef Py_ssize_t body = n + _OVERHEAD
        cdef unsigned char* ct
        if body <= 255:
            w[0] = 0
            w[1] = <unsigned char>body
            w += 2
        else:
            w[0] = _ZMTP_LONG
            _put_be64(w + 1, <uint64_t>body)
            w += 9
        memcpy(w, _MESSAGE, 8)
        _put_be64(w + 8, self._next)
        self._next += 1
        ct = w + 32
        ct[0] = inner
        if n:
            memcpy(ct + 1, data, n)
        if _seal_detached(ct, w + 16, ct, n + 1, w + 8, self._skey) != 0:
            return NULL
        return ct + 1 + n

    cdef unsigned char* _box_into(self, unsigned char* w, const unsigned char* data,
                                  Py_ssize_t n, unsigned char inner) except NULL:
        """``_seal`` for one frame, without the GIL if it is big."""
        cdef unsigned char* end
        if n >= _NOGIL:
            with nogil:
                end = self._seal(w, data, n, inner)
        else:
            end = self._seal(w, data, n, inner)
        if end == NULL:
            raise RuntimeError("libsodium failed to box a CURVE MESSAGE")
        return end

    cdef unsigned char* _seal_all(self, const _Frame* fr, Py_ssize_t count) noexcept nogil:
        """``_seal`` every frame at its ``dst``; NULL if libsodium failed."""
        cdef Py_ssize_t k
        cdef unsigned char* w = <unsigned char*>1
        for k in range(count):
            w = self._seal(fr[k].dst, fr[k].p, fr[k].n, fr[k].inner)
            if w == NULL:
                return NULL
        return w

    def encode_messages(self, bytearray out not None, messages):
        """Append every part of every message (a sequence of sequences of bytes-like
        parts) as MESSAGE frames to ``out``."""
        cdef Py_ssize_t old = PyByteArray_GET_SIZE(out)
        self._encode(out, messages, None, 0)
        return PyByteArray_GET_SIZE(out) - old

    def encode_messages_iov(self, bytearray out not None, messages, list chunks not None,
                            Py_ssize_t threshold):
        """``encode_messages`` for a gathering write, as ``_codec.encode_messages_iov``:
        a frame of ``threshold`` bytes or more is boxed into a ``bytes`` object of its
        own (a recycled body, ``_codec.new_body``: no fresh pages per large message)
        instead of into ``out``. Returns how many frames went into their own objects; if
        any, ``chunks`` received the whole output in order (slices of ``out``, which is
        then exported and must not be appended to again, and those objects)."""
        return self._encode(out, messages, chunks, threshold)

    cdef Py_ssize_t _encode(self, bytearray out, object messages, list chunks,
                            Py_ssize_t threshold) except -1:
        cdef object outer = PySequence_Fast(messages, "messages must be a sequence")
        cdef Py_ssize_t nmsg = PySequence_Fast_GET_SIZE(outer)
        cdef Py_ssize_t i, j, k, nparts, fsize, total = 0, written = 0, inline = 0
        cdef Py_ssize_t payload = 0, old, at, big = 0
        cdef uint64_t frames = 0
        cdef object seq
        cdef list seqs = PyList_New(0)
        cdef list cuts
        cdef Py_buffer oview
        cdef _Batch batch
        cdef _Frame* fr
        cdef unsigned char* w
        # pass 1: validate and size everything before touching ``out``
        for i in range(nmsg):
            msg = <object>PySequence_Fast_GET_ITEM(outer, i)
            if isinstance(msg, (bytes, bytearray, memoryview, str)):
                raise TypeError("a message must be a sequence of bytes-like parts")
            seq = PySequence_Fast(msg, "a message must be a sequence of parts")
            nparts = PySequence_Fast_GET_SIZE(seq)
            if nparts == 0:
                raise ValueError("a message needs at least one part")
            for j in range(nparts):
                total += _frame_size(_buffer_len(<object>PySequence_Fast_GET_ITEM(seq, j)))
            frames += <uint64_t>nparts
            seqs.append(seq)
        if total == 0:
            return 0
        self._reserve(frames)
        # pass 2, with the GIL: where every part's bytes are (``seqs`` keeps them alive)
        # and where its frame goes: its own body when large, else the next bytes of out
        batch = _Batch(<Py_ssize_t>frames)
        fr = batch.fr
        k = 0
        for seq in seqs:
            nparts = PySequence_Fast_GET_SIZE(seq)
            for j in range(nparts):
                batch.pin(k, <object>PySequence_Fast_GET_ITEM(seq, j))
                fr[k].inner = _INNER_MORE if j + 1 < nparts else 0
                fsize = _frame_size(fr[k].n)
                written += fsize
                payload += fr[k].n
                if chunks is not None and fsize >= threshold:
                    fr[k].payload = new_body(fsize)
                    fr[k].dst = <unsigned char*>_bytes_ptr(fr[k].payload)
                    big += 1
                else:
                    inline += fsize
                k += 1
        if written != total:
            raise RuntimeError("a message part changed size while being encoded")
        old = PyByteArray_GET_SIZE(out)
        PyByteArray_Resize(out, old + inline)
        # pin ``out`` (a resize from another thread fails instead of crashing while the
        # GIL is released)
        PyObject_GetBuffer(out, &oview, PyBUF_WRITABLE)
        cuts = [] if big else None
        at = old
        for i in range(k):
            if fr[i].payload == NULL:
                fr[i].dst = <unsigned char*>oview.buf + at
                at += _frame_size(fr[i].n)
            else:
                cuts.append((at, <object>fr[i].payload))
        # pass 3: box them all, without the GIL if the batch is big enough
        if payload >= _NOGIL:
            with nogil:
                w = self._seal_all(fr, k)
        else:
            w = self._seal_all(fr, k)
        PyBuffer_Release(&oview)
        if w == NULL:
            PyByteArray_Resize(out, old)
            raise RuntimeError("libsodium failed to box a CURVE MESSAGE")
        if big:
            interleave(out, cuts, chunks)
        return big

    def encode_command(self, bytearray out not None, body):
        """Append a command (e.g. PONG) as a MESSAGE with the COMMAND flag."""
        cdef Py_buffer view, oview
        cdef Py_ssize_t old, total
        PyObject_GetBuffer(body, &view, PyBUF_SIMPLE)
        try:
            self._reserve(1)
            total = _frame_size(view.len)
            old = PyByteArray_GET_SIZE(out)
            PyByteArray_Resize(out, old + total)
            PyObject_GetBuffer(out, &oview, PyBUF_WRITABLE)
            try:
                self._box_into(<unsigned char*>oview.buf + old,
                               <const unsigned char*>view.buf, view.len, _INNER_COMMAND)
            finally:
                PyBuffer_Release(&oview)
        finally:
            PyBuffer_Release(&view)
        return total

    def box(self, int flags, payload):
        """One MESSAGE body (no ZMTP frame header) for ``payload`` with ZMTP ``flags``."""
        cdef Py_buffer view
        cdef unsigned char inner = 0
        cdef Py_ssize_t hl, n
        if flags & _ZMTP_MORE:
            inner |= _INNER_MORE
        if flags & _ZMTP_COMMAND:
            inner |= _INNER_COMMAND
        PyObject_GetBuffer(payload, &view, PyBUF_SIMPLE)
        n = view.len
        try:
            self._reserve(1)
            frame = PyBytes_FromStringAndSize(NULL, _frame_size(n))
            self._box_into(<unsigned char*>PyBytes_AS_STRING(frame),
                           <const unsigned char*>view.buf, view.len, inner)
        finally:
            PyBuffer_Release(&view)
        hl = 2 if n + _OVERHEAD <= 255 else 9
        return frame[hl:]

    # -- unboxing --------------------------------------------------------------

    cdef int _fail(self, str reason) except -1:
        self._error = RemoteProtocolError(reason)
        raise self._error

    cdef int _open(self, const unsigned char* p, Py_ssize_t n, unsigned char* plain,
                   unsigned char* inner) noexcept nogil:
        """Authenticate and decrypt one MESSAGE body ``p[:n]`` into ``plain`` (``n - 32``
        bytes: the inner flags, then the payload) and advance the peer's nonce; returns
        ``_OK``, or why the frame is refused (``_raise_open`` words it). C memory only:
        runs with or without the GIL."""
        cdef uint64_t nonce_value
        # RFC 25 §MESSAGE: "MESSAGE" + short nonce (8) + box of at least flags + MAC.
        if n < _OVERHEAD or memcmp(p, _MESSAGE, 8) != 0:
            return _MALFORMED
        nonce_value = _get_be64(p + 8)
        # RFC 26 §Nonces (spec §9 #1191): strictly increasing, else replay -> close.
        if nonce_value <= self._peer:
            return _REPLAYED
        if _open_detached(plain, p + 32, p + 16, n - 32, p + 8, self._rkey) != 0:
            return _FORGED
        inner[0] = plain[0]
        self._peer = nonce_value
        return _OK

    cdef int _raise_open(self, int why, const unsigned char* p, Py_ssize_t n) except -1:
        if why == _MALFORMED:
            self._fail("CURVE: expected a MESSAGE command, got a malformed %d-byte frame" % n)
        if why == _REPLAYED:
            self._fail("CURVE: MESSAGE short nonce %d is not greater than the last one (%d): "
                       "replayed or reordered" % (_get_be64(p + 8), self._peer))
        self._fail("CURVE: MESSAGE box does not authenticate (tampered or wrong key)")
        return -1

    cdef object _unbox(self, const unsigned char* p, Py_ssize_t n, unsigned char* flags):
        """Authenticate and decrypt one MESSAGE body; returns the payload (bytes)."""
        cdef unsigned char* plain
        cdef int why
        if self._error is not None:
            raise self._error
        if n < _OVERHEAD:
            self._raise_open(_MALFORMED, p, n)
        plain = <unsigned char*>PyMem_Malloc(n - 32)
        if plain == NULL:
            raise MemoryError()
        try:
            if n >= _NOGIL:
                with nogil:
                    why = self._open(p, n, plain, flags)
            else:
                why = self._open(p, n, plain, flags)
            if why != _OK:
                self._raise_open(why, p, n)
            return PyBytes_FromStringAndSize(<const char*>plain + 1, n - 33)
        finally:
            PyMem_Free(plain)

    def unbox(self, body):
        """``(flags, payload)`` of one MESSAGE body; ZMTP flags (MORE=1, COMMAND=4)."""
        cdef Py_buffer view
        cdef unsigned char inner = 0
        PyObject_GetBuffer(body, &view, PyBUF_SIMPLE)
        try:
            payload = self._unbox(<const unsigned char*>view.buf, view.len, &inner)
        finally:
            PyBuffer_Release(&view)
        return _zmtp_flags(inner), payload

    cdef Py_ssize_t _open_all(self, _Frame* fr, Py_ssize_t count, unsigned char* plain,
                              int* why) noexcept nogil:
        """``_open`` every frame into its payload object, in order; returns how many
        were opened (all, or up to the first refused, whose reason is left in ``why``)."""
        cdef Py_ssize_t i
        for i in range(count):
            why[0] = self._open(fr[i].p, fr[i].n, plain, &fr[i].inner)
            if why[0] != _OK:
                return i
            memcpy(fr[i].dst, plain + 1, fr[i].n - _OVERHEAD)
        return count

    def decode_frames(self, list frames not None, list parts not None, list out not None):
        """Unbox received ``(flags, body)`` wire frames into ``out`` (see the class doc);
        returns the number of command items appended."""
        cdef Py_ssize_t i, count = len(frames)
        cdef Py_ssize_t opened, biggest = 0, total = 0
        cdef int why = _OK
        cdef object item, body, payload
        cdef unsigned char inner
        cdef unsigned char* plain
        cdef list msg
        cdef list bodies
        cdef _Batch batch
        cdef _Frame* fr
        if self._error is not None:
            raise self._error
        self.commands = 0
        if count == 0:
            return 0
        # pass 1, with the GIL: where each body is (``bodies`` keeps them alive), and a
        # payload object for it to be decrypted into
        bodies = PyList_New(0)
        batch = _Batch(count)
        fr = batch.fr
        for i in range(count):
            item = frames[i]
            if PyTuple_CheckExact(item) and PyTuple_GET_SIZE(item) == 2:
                body = <object>PyTuple_GET_ITEM(item, 1)
            else:
                body = item[1]
            # RFC 25: the wire frame's own flags carry nothing (libzmq sends 0x00/0x02);
            # MORE and COMMAND travel inside the box.
            bodies.append(body)
            batch.pin(i, body)
            if fr[i].n < _OVERHEAD:
                break  # refused when reached: nothing after it is opened
            fr[i].payload = new_body(fr[i].n - _OVERHEAD)
            fr[i].dst = <unsigned char*>_bytes_ptr(fr[i].payload)
            if fr[i].n - 32 > biggest:
                biggest = fr[i].n - 32
            total += fr[i].n
        plain = batch.scratch_of(biggest)
        # pass 2: open them all, without the GIL if the batch is big enough
        if total >= _NOGIL:
            with nogil:
                opened = self._open_all(fr, count, plain, &why)
        else:
            opened = self._open_all(fr, count, plain, &why)
        # pass 3, with the GIL: hand the payloads out in wire order
        for i in range(opened):
            payload = <object>fr[i].payload
            Py_XDECREF(fr[i].payload)
            fr[i].payload = NULL
            inner = fr[i].inner
            if inner & _INNER_COMMAND:
                # libzmq 4.2+: PING/PONG/SUBSCRIBE/CANCEL travel boxed with COMMAND set.
                out.append(payload)
                self.commands += 1
            elif inner & _INNER_MORE:
                parts.append(payload)
            elif PyList_GET_SIZE(parts) == 0:
                msg = PyList_New(1)
                Py_INCREF(payload)
                PyList_SET_ITEM(msg, 0, payload)
                PyObject_GC_UnTrack(<void*>msg)
                out.append(msg)
            else:
                parts.append(payload)
                msg = PyList_GetSlice(parts, 0, PyList_GET_SIZE(parts))
                del parts[:]
                PyObject_GC_UnTrack(<void*>msg)
                out.append(msg)
        if opened < count:
            self._raise_open(why, fr[opened].p, fr[opened].n)
        return self.commands


cdef inline int _zmtp_flags(unsigned char inner) noexcept:
    cdef int f = 0
    if inner & _INNER_MORE:
        f |= _ZMTP_MORE
    if inner & _INNER_COMMAND:
        f |= _ZMTP_COMMAND
    return f
