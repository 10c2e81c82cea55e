/* Many C threads at once, each with its own sockets: two pthreads and one
 * zmq_threadstart thread push to a PULL in the main thread, while another
 * thread sits blocked in zmq_recv (a blocked call must not stall the rest:
 * the GIL is released while waiting). Then 8 threads each run a private
 * REQ/REP pair concurrently. */
#include "testutil.h"
#include <pthread.h>

#define PER_THREAD 300
static void *ctx;
static const char *transport;
static char endpoint[256];

static void *pusher (void *arg)
{
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    int i, id = (int) (long) arg;
    char msg[32];
    CHECK (push);
    CHECK (zmq_connect (push, endpoint) == 0);
    for (i = 0; i < PER_THREAD; i++) {
        snprintf (msg, sizeof msg, "%d:%d", id, i);
        CHECK (zmq_send (push, msg, strlen (msg), 0) == (int) strlen (msg));
    }
    CHECK (zmq_close (push) == 0);
    return NULL;
}

static void zmq_pusher (void *arg)
{
    pusher (arg);
}

static void *blocked (void *arg)
{
    char buf[16];
    (void) arg;
    void *pair = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (zmq_connect (pair, "inproc://blocked") == 0);
    CHECK (zmq_recv (pair, buf, sizeof buf, 0) == 4); /* waits for main */
    CHECK (memcmp (buf, "done", 4) == 0);
    CHECK (zmq_close (pair) == 0);
    return NULL;
}

static void *pingpong (void *arg)
{
    char ep[64], buf[16];
    int i, id = (int) (long) arg;
    void *rep = zmq_socket (ctx, ZMQ_REP), *req = zmq_socket (ctx, ZMQ_REQ);
    snprintf (ep, sizeof ep, "inproc://pingpong-%d", id);
    CHECK (zmq_bind (rep, ep) == 0);
    CHECK (zmq_connect (req, ep) == 0);
    for (i = 0; i < 200; i++) {
        CHECK (zmq_send (req, &i, sizeof i, 0) == sizeof i);
        CHECK (zmq_recv (rep, buf, sizeof buf, 0) == sizeof i);
        CHECK (zmq_send (rep, buf, sizeof i, 0) == sizeof i);
        CHECK (zmq_recv (req, buf, sizeof buf, 0) == sizeof i);
        CHECK (memcmp (buf, &i, sizeof i) == 0);
    }
    CHECK (zmq_close (req) == 0 && zmq_close (rep) == 0);
    return NULL;
}

int main (int argc, char **argv)
{
    pthread_t t1, t2, tb, pp[8];
    void *t3;
    void *pull, *main_pair;
    int counts[3] = {0, 0, 0}, last[3] = {-1, -1, -1};
    int i, id, seq, n;
    char buf[32];

    setup_test (60);
    transport = argc > 1 ? argv[1] : "inproc";
    ctx = zmq_ctx_new ();
    pull = zmq_socket (ctx, ZMQ_PULL);
    bind_any (pull, transport, endpoint, sizeof endpoint);
    main_pair = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (zmq_bind (main_pair, "inproc://blocked") == 0);

    CHECK (pthread_create (&tb, NULL, blocked, NULL) == 0);
    CHECK (pthread_create (&t1, NULL, pusher, (void *) 0L) == 0);
    CHECK (pthread_create (&t2, NULL, pusher, (void *) 1L) == 0);
    t3 = zmq_threadstart (zmq_pusher, (void *) 2L);
    CHECK (t3);
    for (i = 0; i < 3 * PER_THREAD; i++) {
        n = zmq_recv (pull, buf, sizeof buf - 1, 0);
        CHECK (n > 0);
        buf[n] = 0;
        CHECK (sscanf (buf, "%d:%d", &id, &seq) == 2);
        CHECK (id >= 0 && id < 3);
        CHECK (seq == last[id] + 1); /* per-sender order is kept */
        last[id] = seq;
        counts[id]++;
    }
    CHECK (counts[0] == PER_THREAD && counts[1] == PER_THREAD
           && counts[2] == PER_THREAD);
    CHECK (pthread_join (t1, NULL) == 0 && pthread_join (t2, NULL) == 0);
    zmq_threadclose (t3);
    s_send (main_pair, "done", 0);
    CHECK (pthread_join (tb, NULL) == 0);

    for (i = 0; i < 8; i++)
        CHECK (pthread_create (&pp[i], NULL, pingpong, (void *) (long) i) == 0);
    for (i = 0; i < 8; i++)
        CHECK (pthread_join (pp[i], NULL) == 0);

    CHECK (zmq_close (main_pair) == 0);
    CHECK (zmq_close (pull) == 0);
    CHECK (zmq_ctx_term (ctx) == 0);
    puts ("ok");
    return 0;
}
