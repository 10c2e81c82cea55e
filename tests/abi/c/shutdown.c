/* Blocking calls in other threads are interrupted by zmq_ctx_shutdown and
 * zmq_ctx_term with ETERM (libzmq test_ctx_destroy); after shutdown every
 * call but zmq_close fails with ETERM, zmq_socket too. */
#include "testutil.h"
#include <pthread.h>

static void *ctx;

static void *recv_blocked (void *arg)
{
    void *s = arg;
    char buf[8];
    CHECK_FAILS (zmq_recv (s, buf, sizeof buf, 0), ETERM);
    CHECK (zmq_close (s) == 0);
    return NULL;
}

static void *poll_blocked (void *arg)
{
    zmq_pollitem_t item = {arg, 0, ZMQ_POLLIN, 0};
    CHECK_FAILS (zmq_poll (&item, 1, -1), ETERM);
    CHECK (zmq_close (arg) == 0);
    return NULL;
}

int main (void)
{
    pthread_t t1, t2;
    void *a, *b;

    setup_test (60);
    /* 1. zmq_ctx_shutdown wakes a blocked recv */
    ctx = zmq_ctx_new ();
    a = zmq_socket (ctx, ZMQ_PULL);
    b = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (zmq_bind (a, "inproc://shutdown") == 0);
    CHECK (zmq_bind (b, "inproc://poll") == 0);
    CHECK (pthread_create (&t1, NULL, recv_blocked, a) == 0);
    CHECK (pthread_create (&t2, NULL, poll_blocked, b) == 0);
    usleep (200000); /* let both block */
    CHECK (zmq_ctx_shutdown (ctx) == 0);
    CHECK (pthread_join (t1, NULL) == 0);
    CHECK (pthread_join (t2, NULL) == 0);
    CHECK_NULL (zmq_socket (ctx, ZMQ_PAIR), ETERM);
    CHECK (zmq_ctx_term (ctx) == 0);

    /* 2. zmq_ctx_term from the main thread: ETERM in the thread, which
     *    closes its socket, which lets term return */
    ctx = zmq_ctx_new ();
    a = zmq_socket (ctx, ZMQ_REP);
    CHECK (zmq_bind (a, "inproc://term") == 0);
    CHECK (pthread_create (&t1, NULL, recv_blocked, a) == 0);
    usleep (100000);
    CHECK (zmq_ctx_term (ctx) == 0);
    CHECK (pthread_join (t1, NULL) == 0);

    /* 3. a socket used after shutdown: ETERM for everything but close */
    ctx = zmq_ctx_new ();
    a = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (zmq_ctx_shutdown (ctx) == 0);
    CHECK_FAILS (zmq_send (a, "x", 1, 0), ETERM);
    CHECK_FAILS (zmq_bind (a, "inproc://late"), ETERM);
    CHECK_FAILS (zmq_setsockopt (a, ZMQ_LINGER, &(int){0}, sizeof (int)), ETERM);
    CHECK (zmq_close (a) == 0);
    CHECK (zmq_ctx_term (ctx) == 0);
    /* a terminated context is gone */
    CHECK_FAILS (zmq_ctx_term (ctx), EFAULT);
    CHECK_NULL (zmq_socket (ctx, ZMQ_PUSH), EFAULT);
    puts ("ok");
    return 0;
}
