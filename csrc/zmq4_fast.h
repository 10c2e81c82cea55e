/*
 * zmq4_fast.h -- batching between a C caller of the shim and zmq4's Python core.
 *
 * A C program through the shim used to take the GIL for every zmq_send and
 * zmq_recv: the caller's thread and the I/O thread then hand the GIL back and
 * forth once per message (a futex wake and a context switch each time), so
 * small-message throughput stayed near 0.5 M msg/s whatever the core could
 * do.  This header owns the per-socket state that lets a run of sends or of
 * receives cross into Python once per batch instead:
 *
 *   outbox  (zmq_send, zmq_msg_send on PUSH, DEALER, PAIR)  a single-producer
 *           ring of frames.  The caller's thread pushes without the GIL or any
 *           lock; whoever holds `lock` (the caller's own next call into
 *           Python, or the I/O thread woken through `efd`) drains it into the
 *           socket.  A frame may be queued only while `msgs_pushed <
 *           msg_limit`: the bridge (zmq4/_cabi.pyx) sets the limit to what the
 *           socket's pipes are sure to take (the least room under SNDHWM of
 *           any of them, so even one pipe left can take it all), so a frame in
 *           the ring is never refused later: the send already succeeded.
 *   inbox   (zmq_recv, zmq_msg_recv on PULL, DEALER, PAIR)  frames the
 *           caller's own previous receive fetched ahead, with the GIL it held
 *           anyway.  Touched only by the caller's thread: no lock.
 *
 * The rings turn on only during a run: two whole messages sent (two frames
 * received) in a row on the socket with no other call between them.  Any
 * other call on the socket first drains the outbox and withdraws the credit,
 * so every call that enters Python sees the socket exactly as without
 * batching (ZMQ_EVENTS, zmq_poll, close with LINGER, errors).  A thread has
 * sends queued on one socket at most (the shim's tls_dirty): any of its calls
 * on another socket sends them first, so one thread's messages reach their
 * pipes in the order it sent them.  Request/reply loops, which alternate,
 * never batch and keep their latency.
 *
 * A state is never freed: a closed socket's goes to a pool (the bridge), as
 * another thread may still be waiting for its lock; it gives up on seeing
 * `dead` or a handle that no longer points at the state.

 * Memory order: the producer publishes a frame (store of out_head, seq_cst)
 * before it reads `asleep`; the consumer stores asleep = 1 (seq_cst) before
 * it re-reads out_head.  One of the two sees the other, so a frame is never
 * left in the ring with nobody woken for it.
 *
 * Shared by the shim (csrc/shim.c: push, pop, wake) and the bridge
 * (zmq4/_cabi.pyx: allocation, drain, fill, credit).  Internal header.
 */

#ifndef ZMQ4_FAST_H_INCLUDED
#define ZMQ4_FAST_H_INCLUDED

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ZMQ4_FAST_SLOTS 1024u                 /* frames per ring (a power of two) */
#define ZMQ4_FAST_INLINE 40u                  /* payloads up to this size live in the slot */
#define ZMQ4_FAST_PUSH_MAX (1u << 20)         /* larger frames take the direct path */

typedef struct
{
    size_t size;
    uint32_t more;
    uint32_t spare;
    unsigned char *heap; /* malloc'ed payload when size > ZMQ4_FAST_INLINE */
    unsigned char inl[ZMQ4_FAST_INLINE];
} zmq4_frame_t; /* 64 bytes */

typedef struct zmq4_fast_s
{
    uint32_t *ctx_flag; /* the context record's word: non-zero once it shuts down */

    /* outbox */
    zmq4_frame_t *out;     /* NULL: the socket type does not batch sends */
    uint64_t out_head;     /* frames pushed (producer) */
    uint64_t out_tail;     /* frames drained (consumer) */
    uint64_t msgs_pushed;  /* whole messages pushed (producer) */
    uint64_t msgs_drained; /* whole messages drained (consumer) */
    uint64_t msg_limit;    /* a frame may be queued while msgs_pushed < msg_limit */
    int asleep;            /* 1: no drain is pending; a push must write efd */
    int efd;               /* the eventfd an I/O thread drains on; -1: none yet */

    /* inbox */
    zmq4_frame_t *in; /* NULL: the socket type does not fetch ahead */
    uint32_t in_head; /* next frame to hand out */
    uint32_t in_tail; /* next free slot */
    int rcvmore;      /* ZMQ_RCVMORE as the caller has seen it */

    /* the bridge's bookkeeping (under `lock`, with the GIL) */
    int last_op;   /* what the previous call on the socket was (runs) */
    int dead;      /* the socket is closed: waiters for `lock` give up */
    struct zmq4_fast_s *next_free; /* the bridge's pool of closed sockets' states */

    pthread_mutex_t lock; /* held by a thread inside Python for this socket */
} zmq4_fast_t;

static inline unsigned char *zmq4_frame_data (zmq4_frame_t *fr)
{
    return fr->size > ZMQ4_FAST_INLINE ? fr->heap : fr->inl;
}

/* Fill a free slot with a copy of (buf, len); -1 if out of memory. */
static inline int zmq4_frame_set (zmq4_frame_t *fr, const void *buf, size_t len,
                                  int more)
{
    unsigned char *dst = fr->inl;
    if (len > ZMQ4_FAST_INLINE) {
        dst = (unsigned char *) malloc (len);
        if (dst == NULL)
            return -1;
        fr->heap = dst;
    }
    if (len)
        memcpy (dst, buf, len);
    fr->size = len;
    fr->more = (uint32_t) (more != 0);
    return 0;
}

static inline void zmq4_frame_clear (zmq4_frame_t *fr)
{
    if (fr->size > ZMQ4_FAST_INLINE)
        free (fr->heap);
    fr->heap = NULL;
    fr->size = 0;
}

/* A new state, or a pooled one (rings empty) made new: a state is never freed,
 * because a thread that waited for its lock may still look at it (the bridge
 * then sees `dead` or a handle that no longer points here, and gives up). */
static inline void zmq4_fast_renew (zmq4_fast_t *f, uint32_t *ctx_flag)
{
    f->ctx_flag = ctx_flag;
    f->out_head = f->out_tail = 0;
    f->msgs_pushed = f->msgs_drained = f->msg_limit = 0;
    f->asleep = 1;
    f->efd = -1;
    f->in_head = f->in_tail = 0;
    f->rcvmore = 0;
    f->last_op = 0;
    f->next_free = NULL;
    __atomic_store_n (&f->dead, 0, __ATOMIC_RELEASE);
}

static inline zmq4_fast_t *zmq4_fast_new (int send, int recv, uint32_t *ctx_flag)
{
    zmq4_fast_t *f = (zmq4_fast_t *) calloc (1, sizeof (zmq4_fast_t));
    if (f == NULL)
        return NULL;
    if (send)
        f->out = (zmq4_frame_t *) calloc (ZMQ4_FAST_SLOTS, sizeof (zmq4_frame_t));
    if (recv)
        f->in = (zmq4_frame_t *) calloc (ZMQ4_FAST_SLOTS, sizeof (zmq4_frame_t));
    if ((send && f->out == NULL) || (recv && f->in == NULL)
        || pthread_mutex_init (&f->lock, NULL) != 0) {
        free (f->out);
        free (f->in);
        free (f);
        return NULL;
    }
    zmq4_fast_renew (f, ctx_flag);
    return f;
}

/* Drop what the rings still hold (the socket is closed). */
static inline void zmq4_fast_clear (zmq4_fast_t *f)
{
    if (f->out)
        for (; f->out_tail != f->out_head; f->out_tail++)
            zmq4_frame_clear (&f->out[f->out_tail & (ZMQ4_FAST_SLOTS - 1)]);
    if (f->in)
        for (; f->in_head != f->in_tail; f->in_head++)
            zmq4_frame_clear (&f->in[f->in_head & (ZMQ4_FAST_SLOTS - 1)]);
}

/* -- the caller's thread, no GIL ------------------------------------------ */

/* Queue one frame of a zmq_send; 0 if queued, -1 if the call must go the
 * direct way (no credit, ring full, too big, no memory).  Every frame needs
 * the credit: a message whose first frame went the direct way goes on that
 * way, so a request/reply exchange never wakes an I/O thread. */
static inline int zmq4_fast_push (zmq4_fast_t *f, const void *buf, size_t len,
                                  int more)
{
    uint64_t head = f->out_head;
    if (len > ZMQ4_FAST_PUSH_MAX)
        return -1;
    if (head - __atomic_load_n (&f->out_tail, __ATOMIC_ACQUIRE) >= ZMQ4_FAST_SLOTS)
        return -1;
    if (f->msgs_pushed >= __atomic_load_n (&f->msg_limit, __ATOMIC_ACQUIRE))
        return -1;
    if (zmq4_frame_set (&f->out[head & (ZMQ4_FAST_SLOTS - 1)], buf, len, more) != 0)
        return -1;
    if (!more)
        __atomic_store_n (&f->msgs_pushed, f->msgs_pushed + 1, __ATOMIC_RELEASE);
    __atomic_store_n (&f->out_head, head + 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n (&f->asleep, __ATOMIC_SEQ_CST)
        && __atomic_exchange_n (&f->asleep, 0, __ATOMIC_SEQ_CST)) {
        uint64_t one = 1;
        ssize_t n;
        do
            n = write (f->efd, &one, sizeof one);
        while (n < 0 && errno == EINTR);
    }
    return 0;
}

/* The next fetched-ahead frame, or NULL if the inbox is empty.  Every way a
 * receive hands one out (zmq_recv, zmq_msg_recv, the bridge's calls) takes it
 * with zmq4_fast_next and ends with zmq4_fast_taken. */
static inline zmq4_frame_t *zmq4_fast_next (zmq4_fast_t *f)
{
    return f->in_head == f->in_tail ? NULL : &f->in[f->in_head & (ZMQ4_FAST_SLOTS - 1)];
}

/* The frame zmq4_fast_next gave is handed out: RCVMORE as after it, its slot
 * free for the next fetch; returns its size. */
static inline size_t zmq4_fast_taken (zmq4_fast_t *f, zmq4_frame_t *fr)
{
    size_t size = fr->size;
    f->rcvmore = (int) fr->more;
    zmq4_frame_clear (fr);
    f->in_head++;
    return size;
}

/* Hand out the next fetched-ahead frame as zmq_recv does (copy at most len
 * bytes; its full size in *size); -1 if the inbox is empty. */
static inline int zmq4_fast_pop (zmq4_fast_t *f, void *buf, size_t len, size_t *size)
{
    zmq4_frame_t *fr = zmq4_fast_next (f);
    size_t n;
    if (fr == NULL)
        return -1;
    n = fr->size < len ? fr->size : len;
    if (n)
        memcpy (buf, zmq4_frame_data (fr), n);
    *size = zmq4_fast_taken (f, fr);
    return 0;
}

/* -- the consumer (holds `lock` and the GIL) -------------------------------- */

static inline uint64_t zmq4_fast_head (zmq4_fast_t *f)
{
    return __atomic_load_n (&f->out_head, __ATOMIC_ACQUIRE);
}

static inline void zmq4_fast_set_tail (zmq4_fast_t *f, uint64_t tail)
{
    __atomic_store_n (&f->out_tail, tail, __ATOMIC_RELEASE);
}

static inline void zmq4_fast_set_limit (zmq4_fast_t *f, uint64_t limit)
{
    __atomic_store_n (&f->msg_limit, limit, __ATOMIC_RELEASE);
}

/* The consumer is done: mark it asleep.  1 if frames arrived meanwhile and it
 * took the wake-up back (it must drain again), 0 if it may stop (the ring is
 * empty, or the producer saw `asleep` and wrote efd: a drain comes). */
static inline int zmq4_fast_sleep (zmq4_fast_t *f)
{
    __atomic_store_n (&f->asleep, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n (&f->out_head, __ATOMIC_SEQ_CST)
        == __atomic_load_n (&f->out_tail, __ATOMIC_ACQUIRE))
        return 0;
    return __atomic_exchange_n (&f->asleep, 0, __ATOMIC_SEQ_CST);
}

static inline void zmq4_fast_set_fast (void **slot, zmq4_fast_t *f)
{
    __atomic_store_n (slot, (void *) f, __ATOMIC_RELEASE);
}

#endif /* ZMQ4_FAST_H_INCLUDED */
