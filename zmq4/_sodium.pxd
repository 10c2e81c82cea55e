# Function pointers into PyNaCl's bundled libsodium, resolved once at import of zmq4._sodium.
# Other Cython modules `cimport zmq4._sodium` and call these without a Python call per use.
ctypedef int (*keypair_t)(unsigned char *pk, unsigned char *sk) noexcept nogil
ctypedef int (*scalarmult_base_t)(unsigned char *q, const unsigned char *n) noexcept nogil
ctypedef int (*beforenm_t)(unsigned char *k, const unsigned char *pk,
                           const unsigned char *sk) noexcept nogil
ctypedef int (*box_afternm_t)(unsigned char *c, const unsigned char *m, unsigned long long mlen,
                              const unsigned char *n, const unsigned char *k) noexcept nogil
ctypedef int (*box_t)(unsigned char *c, const unsigned char *m, unsigned long long mlen,
                      const unsigned char *n, const unsigned char *pk,
                      const unsigned char *sk) noexcept nogil
ctypedef void (*randombytes_t)(unsigned char *buf, unsigned long long size) noexcept nogil

cdef keypair_t crypto_box_keypair
cdef scalarmult_base_t crypto_scalarmult_base
cdef beforenm_t crypto_box_beforenm
cdef box_afternm_t crypto_box_easy_afternm
cdef box_afternm_t crypto_box_open_easy_afternm
cdef box_t crypto_box_easy
cdef box_t crypto_box_open_easy
cdef box_afternm_t crypto_secretbox_easy
cdef box_afternm_t crypto_secretbox_open_easy
cdef randombytes_t randombytes

ctypedef void (*memzero_t)(void *pnt, size_t length) noexcept nogil
ctypedef int (*memcmp_t)(const void *b1, const void *b2, size_t length) noexcept nogil

cdef memzero_t sodium_memzero
cdef memcmp_t sodium_memcmp

# The xsalsa20poly1305 pieces, for CURVE MESSAGE boxes whose 16-byte nonce prefix is the
# same for every message of a direction: the HSalsa20 step runs once per connection
# direction instead of once per message (zmq4.zmtp.mechanisms._curve). They are not in
# PyNaCl's cffi cdef; they are resolved with dlsym on PyNaCl's _sodium.abi3.so, which
# exports the real libsodium symbols.
ctypedef int (*core_hsalsa20_t)(unsigned char *out, const unsigned char *inp,
                                const unsigned char *k, const unsigned char *c) noexcept nogil
ctypedef int (*stream_salsa20_t)(unsigned char *c, unsigned long long clen,
                                 const unsigned char *n, const unsigned char *k) noexcept nogil
ctypedef int (*stream_salsa20_xor_ic_t)(unsigned char *c, const unsigned char *m,
                                        unsigned long long mlen, const unsigned char *n,
                                        unsigned long long ic,
                                        const unsigned char *k) noexcept nogil
ctypedef int (*onetimeauth_t)(unsigned char *out, const unsigned char *inp,
                              unsigned long long inlen, const unsigned char *k) noexcept nogil
ctypedef int (*onetimeauth_verify_t)(const unsigned char *h, const unsigned char *inp,
                                     unsigned long long inlen,
                                     const unsigned char *k) noexcept nogil

cdef core_hsalsa20_t crypto_core_hsalsa20
cdef stream_salsa20_t crypto_stream_salsa20
cdef stream_salsa20_xor_ic_t crypto_stream_salsa20_xor_ic
cdef onetimeauth_t crypto_onetimeauth_poly1305
cdef onetimeauth_verify_t crypto_onetimeauth_poly1305_verify
