/*
 * msg.c -- the zmq_msg_* functions of libzmq.so.5 that need no Python, and
 * the records that own message payloads (csrc/zmq4_msg.h says why).
 *
 * A zmq_msg_t is a message in C memory: initialising, reading, copying,
 * moving and closing one never takes the GIL.  Only zmq_msg_send and
 * zmq_msg_recv (shim.c) reach Python, and only when they cannot be batched.
 * Errors are libzmq 4.0's: EFAULT for a message that is not a live one (and
 * for NULL), ENOMEM when the payload cannot be allocated, EINVAL for
 * properties 4.0 does not have.
 *
 * Records: 64 bytes each, carved from one address range reserved at first
 * use (REGION_BYTES of address space, no memory) and committed COMMIT_BYTES
 * at a time; never returned to the system, so checking one is a range check
 * plus a generation compare.  A thread keeps up to CACHE_MAX free records for
 * itself (no lock on the common path) and trades batches with a global list
 * under a mutex; a thread's cache goes back to the global list when it exits.
 */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "zmq4_msg.h"

#define REGION_BYTES ((size_t) 1 << 34) /* 16 GiB of addresses: 256 Mi records */
#define COMMIT_BYTES ((size_t) 1 << 20) /* 16 Ki records at a time */
#define CACHE_MAX 256
#define CACHE_BATCH 64

#define CMSG(msg) ((zmq4_cmsg_t *) (msg))

static unsigned char empty_payload[1];

static pthread_once_t region_once = PTHREAD_ONCE_INIT;
static unsigned char *region;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t committed;         /* under pool_lock */
static size_t carved;            /* atomic: records below this offset exist */
static zmq4_content_t *pool_free; /* under pool_lock */
static pthread_key_t cache_key;

static __thread zmq4_content_t *tls_free;
static __thread int tls_nfree;

/* A thread exits: its cached records go back to the global list. */
static void cache_return (void *unused)
{
    zmq4_content_t *c, *next;
    (void) unused;
    pthread_mutex_lock (&pool_lock);
    for (c = tls_free; c != NULL; c = next) {
        next = c->next;
        c->next = pool_free;
        pool_free = c;
    }
    pthread_mutex_unlock (&pool_lock);
    tls_free = NULL;
    tls_nfree = 0;
}

/* A forked child: only the forking thread came along; a lock another thread
 * held would stay held. */
static void pool_child (void)
{
    pthread_mutex_init (&pool_lock, NULL);
}

static void reserve (void)
{
    void *p = mmap (NULL, REGION_BYTES, PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED || pthread_key_create (&cache_key, cache_return) != 0
        || pthread_atfork (NULL, NULL, pool_child) != 0) {
        if (p != MAP_FAILED)
            munmap (p, REGION_BYTES);
        return;
    }
    __atomic_store_n (&region, (unsigned char *) p, __ATOMIC_RELEASE);
}

static inline int is_record (const zmq4_content_t *c)
{
    uintptr_t p = (uintptr_t) c;
    uintptr_t base = (uintptr_t) __atomic_load_n (&region, __ATOMIC_ACQUIRE);
    return base != 0 && p >= base
           && p - base < __atomic_load_n (&carved, __ATOMIC_ACQUIRE)
           && ((p - base) & (sizeof (zmq4_content_t) - 1)) == 0;
}

/* Refill this thread's cache from the global list or new records. */
static int refill (void)
{
    int n;
    pthread_once (&region_once, reserve);
    if (region == NULL)
        return -1;
    (void) pthread_setspecific (cache_key, (void *) 1); /* run cache_return at exit */
    pthread_mutex_lock (&pool_lock);
    for (n = 0; n < CACHE_BATCH && pool_free != NULL; n++) {
        zmq4_content_t *c = pool_free;
        pool_free = c->next;
        c->next = tls_free;
        tls_free = c;
        tls_nfree++;
    }
    if (n == 0) {
        size_t need = (size_t) CACHE_BATCH * sizeof (zmq4_content_t);
        size_t at = __atomic_load_n (&carved, __ATOMIC_RELAXED);
        if (at + need > committed) {
            if (committed + COMMIT_BYTES > REGION_BYTES
                || mprotect (region + committed, COMMIT_BYTES, PROT_READ | PROT_WRITE)
                     != 0) {
                pthread_mutex_unlock (&pool_lock);
                return -1;
            }
            committed += COMMIT_BYTES;
        }
        for (n = 0; n < CACHE_BATCH; n++) {
            zmq4_content_t *c = (zmq4_content_t *) (region + at) + n;
            c->gen = 1;
            c->refs = 0;
            c->next = tls_free;
            tls_free = c;
            tls_nfree++;
        }
        __atomic_store_n (&carved, at + need, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock (&pool_lock);
    return 0;
}

static zmq4_content_t *record_alloc (void)
{
    zmq4_content_t *c;
    if (tls_free == NULL && refill () != 0)
        return NULL;
    c = tls_free;
    tls_free = c->next;
    tls_nfree--;
    return c;
}

static void record_free (zmq4_content_t *c)
{
    uint32_t gen = c->gen + 1;
    __atomic_store_n (&c->gen, gen ? gen : 1, __ATOMIC_RELEASE); /* stale copies: EFAULT */
    if (tls_free == NULL)
        (void) pthread_setspecific (cache_key, (void *) 1); /* run cache_return at exit */
    c->next = tls_free;
    tls_free = c;
    if (++tls_nfree > CACHE_MAX) {
        int n;
        pthread_mutex_lock (&pool_lock);
        for (n = 0; n < CACHE_MAX / 2; n++) {
            zmq4_content_t *x = tls_free;
            tls_free = x->next;
            x->next = pool_free;
            pool_free = x;
        }
        pthread_mutex_unlock (&pool_lock);
        tls_nfree -= CACHE_MAX / 2;
    }
}

static void content_hold (zmq4_content_t *c)
{
    if (c != NULL)
        __atomic_add_fetch (&c->refs, 1, __ATOMIC_RELAXED);
}

static void content_release (zmq4_content_t *c)
{
    if (c == NULL || __atomic_sub_fetch (&c->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    if (c->user) {
        if (c->ffn != NULL)
            c->ffn (c->data, c->hint);
    } else if (c->heap)
        free (c->data);
    record_free (c);
}

/* A new content: `size` bytes of payload (uninitialised), or the caller's
 * buffer when user is set. */
static zmq4_content_t *content_new (size_t size, int user)
{
    zmq4_content_t *c = record_alloc ();
    if (c == NULL)
        return NULL;
    c->refs = 1;
    c->user = user;
    c->heap = 0;
    c->ffn = NULL;
    c->hint = NULL;
    c->data = c->inl;
    if (!user && size > ZMQ4_CONTENT_INLINE) {
        c->data = (unsigned char *) malloc (size);
        if (c->data == NULL) {
            record_free (c);
            return NULL;
        }
        c->heap = 1;
    }
    return c;
}

int zmq4_msg_live (const zmq_msg_t *msg)
{
    const zmq4_cmsg_t *m = (const zmq4_cmsg_t *) msg;
    if (m == NULL || m->magic != ZMQ4_CMSG_LIVE)
        return 0;
    if (m->content == NULL)
        return 1; /* empty */
    return is_record (m->content)
           && __atomic_load_n (&m->content->gen, __ATOMIC_ACQUIRE) == m->gen
           && __atomic_load_n (&m->content->refs, __ATOMIC_RELAXED) > 0;
}

static void set_empty (zmq4_cmsg_t *m, uint16_t flags)
{
    m->magic = ZMQ4_CMSG_LIVE;
    m->flags = flags;
    m->gen = 0;
    m->content = NULL;
    m->size = 0;
    m->data = empty_payload;
}

static void set_content (zmq4_cmsg_t *m, zmq4_content_t *c, size_t size)
{
    m->magic = ZMQ4_CMSG_LIVE;
    m->flags = 0;
    m->gen = c->gen;
    m->content = c;
    m->size = size;
    m->data = c->data;
}

void zmq4_msg_reset (zmq_msg_t *msg)
{
    zmq4_content_t *c = CMSG (msg)->content;
    set_empty (CMSG (msg), 0);
    content_release (c);
}

int zmq4_msg_set (zmq_msg_t *msg, const void *buf, size_t len, int more)
{
    zmq4_content_t *c = NULL;
    zmq4_msg_reset (msg);
    if (len > 0) {
        c = content_new (len, 0);
        if (c == NULL)
            return -1;
        memcpy (c->data, buf, len);
        set_content (CMSG (msg), c, len);
    }
    CMSG (msg)->flags = more ? ZMQ4_CMSG_MORE : 0;
    return 0;
}

int zmq4_msg_adopt (zmq_msg_t *msg, unsigned char *data, size_t len, int more)
{
    zmq4_content_t *c;
    zmq4_msg_reset (msg);
    c = content_new (0, 0); /* a record with no payload of its own */
    if (c == NULL)
        return -1;
    c->data = data;
    c->heap = 1; /* freed with the content, as content_new's own */
    set_content (CMSG (msg), c, len);
    CMSG (msg)->flags = more ? ZMQ4_CMSG_MORE : 0;
    return 0;
}

const zmq4_msg_ops_t zmq4_msg_ops = {zmq4_msg_live, zmq4_msg_set, zmq4_msg_reset,
                                     content_hold, content_release};

/* ------------------------------------------------------------------------ */

int zmq_msg_init (zmq_msg_t *msg)
{
    if (msg == NULL) {
        errno = EFAULT;
        return -1;
    }
    set_empty (CMSG (msg), 0);
    return 0;
}

int zmq_msg_init_size (zmq_msg_t *msg, size_t size)
{
    zmq4_content_t *c;
    if (msg == NULL) {
        errno = EFAULT;
        return -1;
    }
    if (size == 0) {
        set_empty (CMSG (msg), 0);
        return 0;
    }
    c = size <= (size_t) PTRDIFF_MAX ? content_new (size, 0) : NULL;
    if (c == NULL) {
        CMSG (msg)->magic = 0;
        errno = ENOMEM;
        return -1;
    }
    set_content (CMSG (msg), c, size);
    return 0;
}

int zmq_msg_init_data (
  zmq_msg_t *msg, void *data, size_t size, zmq_free_fn *ffn, void *hint)
{
    zmq4_content_t *c;
    if (msg == NULL || (data == NULL && size > 0)) {
        errno = EFAULT;
        return -1;
    }
    c = content_new (size, 1);
    if (c == NULL) { /* a failed init never calls ffn, as libzmq */
        CMSG (msg)->magic = 0;
        errno = ENOMEM;
        return -1;
    }
    c->ffn = ffn;
    c->hint = hint;
    c->data = (unsigned char *) data;
    set_content (CMSG (msg), c, size);
    return 0;
}

int zmq_msg_close (zmq_msg_t *msg)
{
    zmq4_content_t *c;
    if (!zmq4_msg_live (msg)) {
        errno = EFAULT;
        return -1;
    }
    c = CMSG (msg)->content;
    CMSG (msg)->magic = ZMQ4_CMSG_CLOSED; /* the flags stay: zmq_msg_more after close */
    CMSG (msg)->content = NULL;
    CMSG (msg)->size = 0;
    CMSG (msg)->data = NULL;
    content_release (c);
    return 0;
}

/* zmq_msg_move (share 0: src ends empty) and zmq_msg_copy (share 1: both hold
 * the content): dest's old payload is released last. */
static int transfer (zmq_msg_t *dest, zmq_msg_t *src, int share)
{
    zmq4_content_t *old;
    if (!zmq4_msg_live (dest) || !zmq4_msg_live (src)) {
        errno = EFAULT;
        return -1;
    }
    if (dest == src)
        return 0;
    old = CMSG (dest)->content;
    if (share)
        content_hold (CMSG (src)->content);
    *CMSG (dest) = *CMSG (src);
    if (!share)
        set_empty (CMSG (src), 0);
    content_release (old);
    return 0;
}

int zmq_msg_move (zmq_msg_t *dest, zmq_msg_t *src)
{
    return transfer (dest, src, 0);
}

int zmq_msg_copy (zmq_msg_t *dest, zmq_msg_t *src)
{
    return transfer (dest, src, 1);
}

void *zmq_msg_data (zmq_msg_t *msg)
{
    if (!zmq4_msg_live (msg)) {
        errno = EFAULT;
        return NULL;
    }
    return CMSG (msg)->content != NULL ? CMSG (msg)->data : empty_payload;
}

size_t zmq_msg_size (zmq_msg_t *msg)
{
    if (!zmq4_msg_live (msg)) {
        errno = EFAULT;
        return 0;
    }
    return CMSG (msg)->content != NULL ? CMSG (msg)->size : 0;
}

int zmq_msg_more (zmq_msg_t *msg)
{
    if (msg != NULL && CMSG (msg)->magic == ZMQ4_CMSG_CLOSED)
        return (CMSG (msg)->flags & ZMQ4_CMSG_MORE) != 0;
    if (!zmq4_msg_live (msg)) {
        errno = EFAULT;
        return 0;
    }
    return (CMSG (msg)->flags & ZMQ4_CMSG_MORE) != 0;
}

int zmq_msg_get (zmq_msg_t *msg, int option)
{
    if (msg == NULL
        || (CMSG (msg)->magic != ZMQ4_CMSG_CLOSED && !zmq4_msg_live (msg))) {
        errno = EFAULT;
        return -1;
    }
    if (option == ZMQ_MORE)
        return (CMSG (msg)->flags & ZMQ4_CMSG_MORE) != 0;
    errno = EINVAL;
    return -1;
}

int zmq_msg_set (zmq_msg_t *msg, int option, int optval)
{
    (void) msg;
    (void) option;
    (void) optval;
    errno = EINVAL; /* nothing is settable in 4.0 */
    return -1;
}
