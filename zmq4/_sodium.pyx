# cython: language_level=3
"""libsodium for zmq4, reached through PyNaCl's bundled copy (no build-time libsodium).

Owns: resolving the handful of libsodium functions CurveZMQ needs, once, as C function
pointers taken from PyNaCl's cffi ``lib`` (``ffi.addressof`` gives a callable trampoline),
so Cython code calls them with no Python call per box and may release the GIL.
Rules: nothing here allocates per call; callers pass correctly sized buffers.
"""

from libc.stdint cimport uintptr_t
from cpython.bytes cimport PyBytes_FromStringAndSize, PyBytes_AS_STRING

import nacl.bindings  # noqa: F401  (runs sodium_init())
from nacl._sodium import ffi as _ffi, lib as _lib

PUBLICKEYBYTES = 32
SECRETKEYBYTES = 32


cdef void *_resolve(str name) except NULL:
    cdef uintptr_t addr = int(_ffi.cast("uintptr_t", _ffi.addressof(_lib, name)))
    if addr == 0:
        raise ImportError(f"libsodium function {name} not found in PyNaCl")
    return <void *>addr


crypto_box_keypair = <keypair_t>_resolve("crypto_box_keypair")
crypto_scalarmult_base = <scalarmult_base_t>_resolve("crypto_scalarmult_base")
crypto_box_beforenm = <beforenm_t>_resolve("crypto_box_beforenm")
crypto_box_easy_afternm = <box_afternm_t>_resolve("crypto_box_easy_afternm")
crypto_box_open_easy_afternm = <box_afternm_t>_resolve("crypto_box_open_easy_afternm")
crypto_box_easy = <box_t>_resolve("crypto_box_easy")
crypto_box_open_easy = <box_t>_resolve("crypto_box_open_easy")
crypto_secretbox_easy = <box_afternm_t>_resolve("crypto_secretbox_easy")
crypto_secretbox_open_easy = <box_afternm_t>_resolve("crypto_secretbox_open_easy")
randombytes = <randombytes_t>_resolve("randombytes")
sodium_memzero = <memzero_t>_resolve("sodium_memzero")
sodium_memcmp = <memcmp_t>_resolve("sodium_memcmp")


cdef void *_resolve_dlsym(str name) except NULL:
    """A libsodium symbol missing from PyNaCl's cdef, looked up in the loaded module's
    dynamic symbol table (the library is already loaded; dlopen returns its handle)."""
    import ctypes
    import nacl._sodium as _mod
    cdef uintptr_t addr
    try:
        fn = getattr(ctypes.CDLL(_mod.__file__), name)
    except (OSError, AttributeError):
        raise ImportError(f"libsodium function {name} not found in PyNaCl") from None
    addr = <uintptr_t>ctypes.cast(fn, ctypes.c_void_p).value
    if addr == 0:
        raise ImportError(f"libsodium function {name} not found in PyNaCl")
    return <void *>addr


crypto_core_hsalsa20 = <core_hsalsa20_t>_resolve_dlsym("crypto_core_hsalsa20")
crypto_stream_salsa20 = <stream_salsa20_t>_resolve_dlsym("crypto_stream_salsa20")
crypto_stream_salsa20_xor_ic = <stream_salsa20_xor_ic_t>_resolve_dlsym(
    "crypto_stream_salsa20_xor_ic")
crypto_onetimeauth_poly1305 = <onetimeauth_t>_resolve_dlsym("crypto_onetimeauth_poly1305")
crypto_onetimeauth_poly1305_verify = <onetimeauth_verify_t>_resolve_dlsym(
    "crypto_onetimeauth_poly1305_verify")


def keypair() -> tuple:
    """A new Curve25519 key pair as (public, secret), 32 raw bytes each."""
    pk = PyBytes_FromStringAndSize(NULL, 32)
    sk = PyBytes_FromStringAndSize(NULL, 32)
    if crypto_box_keypair(<unsigned char *>PyBytes_AS_STRING(pk),
                          <unsigned char *>PyBytes_AS_STRING(sk)) != 0:
        raise RuntimeError("crypto_box_keypair failed")
    return pk, sk


def public_from_secret(const unsigned char[::1] secret) -> bytes:
    """The Curve25519 public key of a 32-byte secret key."""
    if secret.shape[0] != 32:
        raise ValueError(f"secret key must be 32 bytes, got {secret.shape[0]}")
    pk = PyBytes_FromStringAndSize(NULL, 32)
    if crypto_scalarmult_base(<unsigned char *>PyBytes_AS_STRING(pk), &secret[0]) != 0:
        raise ValueError("crypto_scalarmult_base failed")
    return pk


def random_bytes(Py_ssize_t n) -> bytes:
    """``n`` cryptographically random bytes."""
    out = PyBytes_FromStringAndSize(NULL, n)
    randombytes(<unsigned char *>PyBytes_AS_STRING(out), n)
    return out
