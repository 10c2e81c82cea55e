/*
 * zmq4_msg.h -- what a zmq_msg_t holds in the shim: a message in C memory.
 *
 * zmq_msg_init, _init_size, _init_data, _data, _size, _more, _get, _set, _copy,
 * _move and _close are plain C (csrc/msg.c): no GIL, no Python object.  Only
 * zmq_msg_send and zmq_msg_recv cross into Python (zmq4/_cabi.pyx), where the
 * payload becomes a bytes object (a copy) or, for a zmq_msg_init_data buffer or
 * a large one, a buffer object that holds a reference to the content and
 * releases it when Python drops the frame; a received frame is copied into a
 * new content.  CZMQ and libzmq's perf tools spend most of their calls here.
 *
 * Layout (32 bytes, the size of libzmq 4.0's zmq_msg_t):
 *   magic    ZMQ4_CMSG_LIVE once initialised, ZMQ4_CMSG_CLOSED after close
 *   flags    ZMQ_MORE of the frame it was received as (kept after close:
 *            zmq_msg_more still answers then, as 4.0's does)
 *   gen      the generation of `content` it refers to
 *   content  the shared, reference-counted owner of the payload (zmq_msg_copy
 *            shares it); NULL for an empty message
 *   size, data  the payload; `data` never points into the zmq_msg_t, so a
 *            zmq_msg_t moved by memcpy (returned by value) stays good
 *
 * Checked on every call, as socket handles are: a content is a 64-byte record
 * in one address range reserved for them at start-up, committed as needed and
 * never returned to the system, and its generation changes whenever it is
 * freed.  So a zmq_msg_t that was never initialised, was closed, is a stale
 * byte copy of one closed since, or has forged bytes, is refused with EFAULT
 * without reading memory that is not ours, and never frees anything twice.
 *
 * The records and their allocator live in the shim (csrc/msg.c); the bridge
 * reaches them through zmq4_msg_ops_t, which the shim hands it at attach.
 * Internal header.
 */

#ifndef ZMQ4_MSG_H_INCLUDED
#define ZMQ4_MSG_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "../include/zmq.h"

#define ZMQ4_CMSG_LIVE 0x344cU   /* "4L" */
#define ZMQ4_CMSG_CLOSED 0x3443U /* "4C" */
#define ZMQ4_CMSG_MORE 1u
#define ZMQ4_CONTENT_INLINE 16u /* payloads up to this size live in the record */

typedef struct zmq4_content_s
{
    uint32_t gen;  /* changes when the record is freed */
    int32_t refs;  /* atomic */
    int32_t user;  /* 1: the caller's buffer (zmq_msg_init_data) */
    uint32_t heap; /* 1: `data` was malloc'ed for this record */
    zmq_free_fn *ffn;
    void *hint;
    unsigned char *data;
    struct zmq4_content_s *next; /* the free lists */
    unsigned char inl[ZMQ4_CONTENT_INLINE];
} zmq4_content_t;

typedef struct
{
    uint16_t magic;
    uint16_t flags;
    uint32_t gen;
    zmq4_content_t *content;
    size_t size;
    unsigned char *data;
} zmq4_cmsg_t;

#if defined __STDC_VERSION__ && __STDC_VERSION__ >= 201112L
_Static_assert (sizeof (zmq4_cmsg_t) <= sizeof (zmq_msg_t),
                "zmq4_cmsg_t must fit in zmq_msg_t");
_Static_assert (sizeof (zmq4_content_t) == 64, "a content record is 64 bytes");
#endif

/* What the bridge may do with messages (functions of csrc/msg.c). */
typedef struct
{
    /* 1 if msg is a live message (all of the checks above) */
    int (*live) (const zmq_msg_t *msg);
    /* make the live msg hold a copy of (buf, len) with ZMQ_MORE `more` (its old
     * payload released); -1 if out of memory (msg is then live and empty) */
    int (*set) (zmq_msg_t *msg, const void *buf, size_t len, int more);
    /* drop the payload: msg is live and empty (as zmq_msg_send leaves it) */
    void (*reset) (zmq_msg_t *msg);
    /* one more / one less reference to the live msg's content (may be NULL);
     * the last release frees it, running a zmq_msg_init_data free function */
    void (*hold) (zmq4_content_t *content);
    void (*release) (zmq4_content_t *content);
} zmq4_msg_ops_t;

/* In the shim (msg.c); the bridge uses zmq4_msg_ops instead. */
int zmq4_msg_live (const zmq_msg_t *msg);
int zmq4_msg_set (zmq_msg_t *msg, const void *buf, size_t len, int more);
/* make the live msg hold `data` itself (malloc'ed, len > ZMQ4_CONTENT_INLINE):
 * freed with the content, no copy; -1 if out of memory (msg is then live and
 * empty, and data is still the caller's) */
int zmq4_msg_adopt (zmq_msg_t *msg, unsigned char *data, size_t len, int more);
void zmq4_msg_reset (zmq_msg_t *msg);
extern const zmq4_msg_ops_t zmq4_msg_ops;

#endif /* ZMQ4_MSG_H_INCLUDED */
