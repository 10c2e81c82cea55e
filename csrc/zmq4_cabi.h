/*
 * zmq4_cabi.h -- the function table between the C shim (csrc/shim.c, built
 * as zmq4/lib/libzmq.so.5) and the Cython bridge (zmq4/_cabi.pyx).
 *
 * The bridge exports one static zmq4_cabi_t as the PyCapsule
 * "zmq4._cabi._C_API".  The shim imports zmq4._cabi, checks `version` and
 * `size`, and from then on every exported zmq_* function is: acquire the GIL,
 * call the table entry, release the GIL, copy *err into errno.
 *
 * Calling convention of every entry:
 *   - the caller holds the GIL (entries never take or release it themselves,
 *     except inside zmq4's blocking waits, which release it while waiting);
 *   - the last argument `err` points to an int that is 0 on entry; on failure
 *     the entry stores the errno value there and returns -1 (int results),
 *     NULL (pointer results);
 *   - no Python exception is ever left set on return.
 *
 * Bump ZMQ4_CABI_VERSION on any incompatible change (new entries go at the
 * end and only grow `size`).  Internal header: not installed, not part of the
 * public API.
 */

#ifndef ZMQ4_CABI_H_INCLUDED
#define ZMQ4_CABI_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "../include/zmq.h"
#include "zmq4_fast.h"
#include "zmq4_msg.h"

#define ZMQ4_CABI_VERSION 2
#define ZMQ4_CABI_CAPSULE "zmq4._cabi._C_API"

/* What a context or socket handle points at: a 32-byte record the bridge owns
 * (never freed; see zmq4/_cabi.pyx), starting, as libzmq's objects do, with a
 * tag word C code may read. */
typedef struct zmq4_handle_s
{
    uint32_t tag;               /* offset 0, as libzmq's tag */
    uint32_t stopping;          /* contexts: non-zero once shut down (fast paths stop) */
    struct _object *obj;        /* owned PyObject reference; NULL when closed */
    struct zmq4_handle_s *next; /* the queue of closed records */
    zmq4_fast_t *fast;          /* sockets: the batching state, or NULL */
} zmq4_handle_t;

#define ZMQ4_TAG_CTX 0xabadcafeU    /* libzmq ctx_t's tag */
#define ZMQ4_TAG_SOCKET 0xbaddecafU /* libzmq socket_base_t's tag */
#define ZMQ4_TAG_DEAD 0xdeadbeefU   /* what libzmq leaves behind */

/* How the shim reached Python (zmq4_cabi_t.attach's `mode`). */
#define ZMQ4_MODE_HOST 1     /* loaded into a running interpreter (ctypes, cffi) */
#define ZMQ4_MODE_EMBEDDED 2 /* started the interpreter itself (plain C program) */

/* Set by the shim, called by the bridge's Python atexit hook in host mode with
 * the GIL released: refuse new calls (ETERM) and wait, bounded, for the calls
 * in flight to return.  */
typedef void (*zmq4_drain_fn) (void);

typedef struct zmq4_cabi_t
{
    uint32_t version; /* ZMQ4_CABI_VERSION */
    uint32_t size;    /* sizeof (zmq4_cabi_t) as the bridge was compiled */

    int (*attach) (int mode, zmq4_drain_fn drain, const zmq4_msg_ops_t *msg_ops,
                   int *err);

    /* contexts */
    void *(*ctx_new) (int *err);
    int (*ctx_term) (void *ctx, int *err);
    int (*ctx_shutdown) (void *ctx, int *err);
    int (*ctx_set) (void *ctx, int option, int optval, int *err);
    int (*ctx_get) (void *ctx, int option, int *err);
    void *(*init) (int io_threads, int *err);

    /* messages */
    int (*msg_send) (zmq_msg_t *msg, void *s, int flags, int *err);
    int (*msg_recv) (zmq_msg_t *msg, void *s, int flags, int *err);

    /* sockets */
    void *(*socket) (void *ctx, int type, int *err);
    int (*close) (void *s, int *err);
    int (*setsockopt) (void *s, int option, const void *optval,
                       size_t optvallen, int *err);
    int (*getsockopt) (void *s, int option, void *optval, size_t *optvallen,
                       int *err);
    int (*bind) (void *s, const char *addr, int *err);
    int (*connect) (void *s, const char *addr, int *err);
    int (*unbind) (void *s, const char *addr, int *err);
    int (*disconnect) (void *s, const char *addr, int *err);
    int (*send) (void *s, const void *buf, size_t len, int flags, int *err);
    int (*send_const) (void *s, const void *buf, size_t len, int flags,
                       int *err);
    int (*recv) (void *s, void *buf, size_t len, int flags, int *err);
    int (*socket_monitor) (void *s, const char *addr, int events, int *err);
    int (*sendiov) (void *s, struct iovec *iov, size_t count, int flags,
                    int *err);
    int (*recviov) (void *s, struct iovec *iov, size_t *count, int flags,
                    int *err);

    /* polling, proxy */
    int (*poll) (zmq_pollitem_t *items, int nitems, long timeout, int *err);
    int (*proxy_steerable) (void *frontend, void *backend, void *capture,
                            void *control, int *err);

    /* Z85, keys */
    char *(*z85_encode) (char *dest, uint8_t *data, size_t size, int *err);
    uint8_t *(*z85_decode) (uint8_t *dest, char *string, int *err);
    int (*curve_keypair) (char *z85_public_key, char *z85_secret_key,
                          int *err);

    /* batching (zmq4_fast.h): send what socket s's outbox holds; called before
     * any other call of the thread that queued it */
    int (*flush) (void *s, int *err);
} zmq4_cabi_t;

#endif /* ZMQ4_CABI_H_INCLUDED */
