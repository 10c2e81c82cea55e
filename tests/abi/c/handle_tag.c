/* Handles are pointers to memory the library owns (issue #19, item 1): C code
 * in the wild reads behind them (CZMQ tells its own objects from libzmq's by a
 * tag word at offset 0).  As with libzmq, a live context starts with the
 * uint32 0xabadcafe and a live socket with 0xbaddecaf; closed, the tag is
 * 0xdeadbeef, the memory stays readable, and every call still validates the
 * handle: a closed, foreign or wrong-kind pointer gives ENOTSOCK (sockets) or
 * EFAULT (contexts), never a crash, and a closed handle does not come back
 * to life soon (its record is reused only after 4096 later closes, oldest
 * first: here 3000 sockets come and go after it).  The CZMQ probe: read the
 * tag, then zmq_getsockopt (ZMQ_TYPE) on anything that is not a CZMQ
 * object. */
#include "testutil.h"
#include <stdint.h>

#define TAG_CTX 0xabadcafeu
#define TAG_SOCKET 0xbaddecafu
#define TAG_DEAD 0xdeadbeefu
#define MANY 3000

static uint32_t tag_of (const void *handle)
{
    uint32_t tag;
    memcpy (&tag, handle, sizeof tag);
    return tag;
}

/* a CZMQ-style object: its own tag first */
typedef struct
{
    uint32_t tag;
    void *handle;
} wrapper_t;

/* zsock_resolve's logic: a wrapper, a libzmq socket, or something else */
static void *resolve (void *self)
{
    int type;
    size_t size = sizeof type;
    if (tag_of (self) == 0xcafe0004u)
        return ((wrapper_t *) self)->handle;
    if (zmq_getsockopt (self, ZMQ_TYPE, &type, &size) == 0)
        return self;
    return NULL;
}

int main (void)
{
    void *ctx, *ctx2, *s, *t, *closed, *many[MANY];
    wrapper_t wrapper;
    uint32_t words[8] = {TAG_SOCKET, 0, 0, 0, 0, 0, 0, 0};
    int i, value = 0;
    size_t size = sizeof value;

    setup_test (120);
    ctx = zmq_ctx_new ();
    CHECK (ctx && tag_of (ctx) == TAG_CTX);
    s = zmq_socket (ctx, ZMQ_PUSH);
    t = zmq_socket (ctx, ZMQ_PULL);
    CHECK (s && t && s != t);
    CHECK (tag_of (s) == TAG_SOCKET && tag_of (t) == TAG_SOCKET);
    CHECK (((uintptr_t) s & 7) == 0); /* aligned like heap memory */

    /* the CZMQ probe */
    wrapper.tag = 0xcafe0004u;
    wrapper.handle = t;
    CHECK (resolve (&wrapper) == t);
    CHECK (resolve (s) == s);
    CHECK (resolve (&value) == NULL && zmq_errno () == ENOTSOCK);
    CHECK (resolve (ctx) == NULL && zmq_errno () == ENOTSOCK);

    /* a copy of the tag elsewhere is not a socket */
    CHECK_FAILS (zmq_getsockopt (words, ZMQ_TYPE, &value, &size), ENOTSOCK);
    CHECK_FAILS (zmq_ctx_get (words, ZMQ_IO_THREADS), EFAULT);
    /* a pointer inside a record, and one between records */
    CHECK_FAILS (zmq_getsockopt ((char *) s + 4, ZMQ_TYPE, &value, &size),
                 ENOTSOCK);
    CHECK_FAILS (zmq_getsockopt ((char *) s + 8, ZMQ_TYPE, &value, &size),
                 ENOTSOCK);
    /* wrong kinds */
    CHECK_NULL (zmq_socket (s, ZMQ_PAIR), EFAULT);
    CHECK_FAILS (zmq_close (ctx), ENOTSOCK);

    /* it works through the same pointers */
    CHECK (zmq_bind (t, "inproc://handle-tag") == 0);
    CHECK (zmq_connect (s, "inproc://handle-tag") == 0);
    s_send (s, "through a pointer", 0);
    s_expect (t, "through a pointer", 0);

    /* closed: the tag is cleared, the memory still readable, the handle dead */
    closed = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (closed && tag_of (closed) == TAG_SOCKET);
    CHECK (zmq_close (closed) == 0);
    CHECK (tag_of (closed) == TAG_DEAD);
    CHECK_FAILS (zmq_close (closed), ENOTSOCK);
    CHECK_FAILS (zmq_send (closed, "x", 1, 0), ENOTSOCK);
    CHECK (resolve (closed) == NULL);

    /* ... and it stays dead while many sockets come and go after it */
    for (i = 0; i < MANY; i++) {
        many[i] = zmq_socket (ctx, ZMQ_PAIR);
        CHECK (many[i] && many[i] != closed);
        CHECK (tag_of (many[i]) == TAG_SOCKET);
        CHECK (zmq_close (many[i]) == 0);
        if (i % 500 == 0)
            CHECK_FAILS (zmq_close (closed), ENOTSOCK);
    }
    /* several alive at once: distinct records */
    for (i = 0; i < 600; i++) {
        many[i] = zmq_socket (ctx, ZMQ_PAIR);
        CHECK (many[i] && tag_of (many[i]) == TAG_SOCKET);
        CHECK (i == 0 || many[i] != many[i - 1]);
    }
    for (i = 0; i < 600; i++)
        CHECK (zmq_close (many[i]) == 0);

    /* contexts: a terminated one is tagged dead and refused */
    ctx2 = zmq_ctx_new ();
    CHECK (ctx2 && tag_of (ctx2) == TAG_CTX && ctx2 != ctx);
    CHECK (zmq_ctx_term (ctx2) == 0);
    CHECK (tag_of (ctx2) == TAG_DEAD);
    CHECK_FAILS (zmq_ctx_term (ctx2), EFAULT);
    CHECK_NULL (zmq_socket (ctx2, ZMQ_PAIR), EFAULT);

    close_zero_linger (s);
    close_zero_linger (t);
    CHECK (zmq_ctx_term (ctx) == 0);
    CHECK (tag_of (ctx) == TAG_DEAD);
    puts ("ok");
    return 0;
}
