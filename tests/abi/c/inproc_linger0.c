/* inproc with LINGER 0 (issue #19, item 2): what a thread sent on an inproc
 * socket before closing it with ZMQ_LINGER 0 is still read by the peer, as
 * with libzmq 4.0 (the reader drains the pipe up to the delimiter).  PAIR and
 * PUSH/PULL, single and multipart messages, the writer closing while the
 * reader waits and before the reader ever looks. */
#include "testutil.h"

#define ROUNDS 20

typedef struct
{
    void *s;
    int count;
} writer_t;

static void writer (void *arg)
{
    writer_t *w = (writer_t *) arg;
    char text[32];
    int i;
    for (i = 0; i < w->count; i++) {
        snprintf (text, sizeof text, "message %d", i);
        s_send (w->s, "head", ZMQ_SNDMORE);
        s_send (w->s, text, 0);
    }
    s_send (w->s, "goodbye", 0);
    close_zero_linger (w->s);
}

static void round_trip (void *ctx, int type_r, int type_w, int round,
                        int join_first)
{
    char endpoint[64], text[32];
    void *r, *thread;
    writer_t w;
    int i;
    snprintf (endpoint, sizeof endpoint, "inproc://linger0-%d-%d-%d", type_r,
              round, join_first);
    r = zmq_socket (ctx, type_r);
    CHECK (r);
    set_int (r, ZMQ_RCVTIMEO, 10000);
    CHECK (zmq_bind (r, endpoint) == 0);
    w.s = zmq_socket (ctx, type_w);
    CHECK (w.s);
    CHECK (zmq_connect (w.s, endpoint) == 0);
    w.count = round % 4;
    thread = zmq_threadstart (writer, &w);
    if (join_first) /* everything is in the pipe, and the writer is gone */
        zmq_threadclose (thread);
    for (i = 0; i < w.count; i++) {
        snprintf (text, sizeof text, "message %d", i);
        s_expect (r, "head", 1);
        s_expect (r, text, 0);
    }
    s_expect (r, "goodbye", 0);
    CHECK_FAILS (zmq_recv (r, text, sizeof text, ZMQ_DONTWAIT), EAGAIN);
    if (!join_first)
        zmq_threadclose (thread);
    close_zero_linger (r);
}

int main (void)
{
    void *ctx;
    int round;
    setup_test (120);
    ctx = zmq_ctx_new ();
    CHECK (ctx);
    for (round = 0; round < ROUNDS; round++) {
        round_trip (ctx, ZMQ_PAIR, ZMQ_PAIR, round, round % 2);
        round_trip (ctx, ZMQ_PULL, ZMQ_PUSH, round, round % 2);
    }
    CHECK (zmq_ctx_term (ctx) == 0);
    puts ("ok");
    return 0;
}
