/* RFC 30 (PIPELINE) in C, after libzmq 4.0's test_spec_pushpull, over the
 * transport in argv[1]. */
#include "testutil.h"

#define SERVICES 5
static void *ctx;
static const char *transport;

static void settle (void)
{
    if (strcmp (transport, "tcp") == 0)
        usleep (300000);
}

/* "PUSH: SHALL route outgoing messages to connected peers using a
 * round-robin strategy" */
static void test_push_round_robin (void)
{
    char endpoint[256], buf[16];
    void *push = zmq_socket (ctx, ZMQ_PUSH), *pull[SERVICES];
    int i, round;
    bind_any (push, transport, endpoint, sizeof endpoint);
    for (i = 0; i < SERVICES; i++) {
        pull[i] = zmq_socket (ctx, ZMQ_PULL);
        CHECK (zmq_connect (pull[i], endpoint) == 0);
    }
    settle ();
    for (round = 0; round < 3; round++)
        for (i = 0; i < SERVICES; i++) {
            snprintf (buf, sizeof buf, "%d", round);
            s_send (push, buf, 0);
        }
    /* every PULL got one message of each round, in order */
    for (i = 0; i < SERVICES; i++)
        for (round = 0; round < 3; round++) {
            snprintf (buf, sizeof buf, "%d", round);
            s_expect (pull[i], buf, 0);
        }
    for (i = 0; i < SERVICES; i++)
        close_zero_linger (pull[i]);
    close_zero_linger (push);
}

/* "PULL: SHALL receive incoming messages from its peers using a fair-queuing
 * strategy" */
static void test_pull_fair_queue (void)
{
    char endpoint[256], buf[16];
    void *pull = zmq_socket (ctx, ZMQ_PULL), *push[SERVICES];
    int i, n, round;
    bind_any (pull, transport, endpoint, sizeof endpoint);
    for (i = 0; i < SERVICES; i++) {
        push[i] = zmq_socket (ctx, ZMQ_PUSH);
        CHECK (zmq_connect (push[i], endpoint) == 0);
    }
    settle ();
    for (i = 0; i < SERVICES; i++) {
        snprintf (buf, sizeof buf, "%c1", 'A' + i);
        s_send (push[i], buf, 0);
        snprintf (buf, sizeof buf, "%c2", 'A' + i);
        s_send (push[i], buf, 0);
    }
    settle ();
    /* one message from each sender before any second one */
    for (round = 1; round <= 2; round++) {
        int seen[SERVICES] = {0};
        for (i = 0; i < SERVICES; i++) {
            CHECK (wait_in (pull, 5000) == 1);
            n = zmq_recv (pull, buf, sizeof buf, 0);
            CHECK (n == 2 && buf[1] == '0' + round);
            seen[buf[0] - 'A']++;
        }
        for (i = 0; i < SERVICES; i++)
            CHECK (seen[i] == 1);
    }
    for (i = 0; i < SERVICES; i++)
        close_zero_linger (push[i]);
    close_zero_linger (pull);
}

/* "PUSH: If no peers: SHALL block on sending" (EAGAIN with DONTWAIT, and
 * after SNDTIMEO); "PULL: SHALL NOT send" (ENOTSUP); "PUSH: SHALL NOT
 * receive" (ENOTSUP). */
static void test_no_peers (void)
{
    char buf[4];
    void *push = zmq_socket (ctx, ZMQ_PUSH), *pull = zmq_socket (ctx, ZMQ_PULL);
    CHECK_FAILS (zmq_send (push, "x", 1, ZMQ_DONTWAIT), EAGAIN);
    set_int (push, ZMQ_SNDTIMEO, 250);
    CHECK_FAILS (zmq_send (push, "x", 1, 0), EAGAIN);
    CHECK_FAILS (zmq_recv (push, buf, sizeof buf, ZMQ_DONTWAIT), ENOTSUP);
    CHECK_FAILS (zmq_send (pull, "x", 1, ZMQ_DONTWAIT), ENOTSUP);
    set_int (pull, ZMQ_RCVTIMEO, 100);
    CHECK_FAILS (zmq_recv (pull, buf, sizeof buf, 0), EAGAIN);
    close_zero_linger (push);
    close_zero_linger (pull);
}

int main (int argc, char **argv)
{
    setup_test (120);
    transport = argc > 1 ? argv[1] : "inproc";
    ctx = zmq_ctx_new ();
    test_push_round_robin ();
    test_pull_fair_queue ();
    test_no_peers ();
    CHECK (zmq_ctx_term (ctx) == 0);
    puts ("ok");
    return 0;
}
