/* #20: runs of zmq_send / zmq_recv that the shim batches (csrc/zmq4_fast.h)
 * behave exactly as call-by-call ones, over the transport in argv[1]:
 * every frame arrives whole and in order (sizes in and out of a ring slot,
 * multipart), a thread sees its own queued sends (inproc HWM counts, send then
 * recv DONTWAIT), frames fetched ahead count for ZMQ_EVENTS, zmq_poll,
 * RCVMORE, zmq_msg_recv and zmq_recviov, close delivers what was queued, and
 * a context shutdown stops a sending thread with ETERM. */
#include "testutil.h"

#include <stdint.h>
#include <sys/uio.h>

static void *ctx;
static const char *transport;

static void settle (void)
{
    if (strcmp (transport, "tcp") == 0)
        usleep (300000);
}

/* frame k of message i: its size and its bytes */
static size_t frame_size (long i, int k)
{
    return (size_t) ((i * 7 + k * 13) % 300);
}

static void fill (unsigned char *buf, long i, int k, size_t n)
{
    size_t j;
    for (j = 0; j < n; j++)
        buf[j] = (unsigned char) (i * 31 + k * 7 + (long) j);
}

static int frames_of (long i)
{
    return i % 9 == 0 ? 3 : 1;
}

#define COUNT 60000

struct sender { void *push; long count; };

static void send_all (void *arg)
{
    struct sender *p = (struct sender *) arg;
    unsigned char buf[300];
    long i;
    int k;
    for (i = 0; i < p->count; i++)
        for (k = 0; k < frames_of (i); k++) {
            size_t n = frame_size (i, k);
            fill (buf, i, k, n);
            CHECK (zmq_send (p->push, buf, n, k + 1 < frames_of (i) ? ZMQ_SNDMORE : 0)
                   == (int) n);
        }
}

/* a sending thread, a receiving one: every frame whole, in order, with its
 * RCVMORE; some received with zmq_msg_recv in the middle of runs */
static void test_integrity (void)
{
    char endpoint[256];
    unsigned char buf[300], want[300];
    void *pull = zmq_socket (ctx, ZMQ_PULL), *push = zmq_socket (ctx, ZMQ_PUSH);
    struct sender s;
    void *thread;
    long i;
    int k, more;
    size_t len = sizeof more;
    bind_any (pull, transport, endpoint, sizeof endpoint);
    CHECK (zmq_connect (push, endpoint) == 0);
    s.push = push;
    s.count = COUNT;
    thread = zmq_threadstart (send_all, &s);
    for (i = 0; i < COUNT; i++)
        for (k = 0; k < frames_of (i); k++) {
            size_t n = frame_size (i, k);
            int got;
            fill (want, i, k, n);
            if (i % 1000 == 999) {
                zmq_msg_t msg;
                CHECK (zmq_msg_init (&msg) == 0);
                got = zmq_msg_recv (&msg, pull, 0);
                CHECK (got == (int) n);
                CHECK (n == 0 || memcmp (zmq_msg_data (&msg), want, n) == 0);
                CHECK (zmq_msg_more (&msg) == (k + 1 < frames_of (i)));
                CHECK (zmq_msg_close (&msg) == 0);
            } else {
                got = zmq_recv (pull, buf, sizeof buf, 0);
                if (got != (int) n)
                    fprintf (stderr, "message %ld frame %d: %d bytes, expected %zu\n", i, k,
                             got, n);
                CHECK (got == (int) n);
                CHECK (memcmp (buf, want, n) == 0);
            }
            CHECK (zmq_getsockopt (pull, ZMQ_RCVMORE, &more, &len) == 0);
            CHECK (more == (k + 1 < frames_of (i)));
        }
    zmq_threadclose (thread);
    CHECK (zmq_recv (pull, buf, sizeof buf, ZMQ_DONTWAIT) == -1 && zmq_errno () == EAGAIN);
    close_zero_linger (push);
    close_zero_linger (pull);
}

/* frames a run of receives fetched ahead are still unread for every other
 * way of asking */
static void test_fetched_ahead (void)
{
    char endpoint[256], buf[16];
    void *pull = zmq_socket (ctx, ZMQ_PULL), *push = zmq_socket (ctx, ZMQ_PUSH);
    int i, events, more;
    size_t len = sizeof events;
    zmq_pollitem_t item;
    zmq_msg_t msg;
    struct iovec iov[4];
    size_t count = 4;
    bind_any (pull, transport, endpoint, sizeof endpoint);
    CHECK (zmq_connect (push, endpoint) == 0);
    settle ();
    for (i = 0; i < 8; i++) {
        snprintf (buf, sizeof buf, "m%d", i);
        s_send (push, buf, 0);
    }
    s_send (push, "a", ZMQ_SNDMORE);
    s_send (push, "b", 0);
    settle ();
    s_expect (pull, "m0", 0);
    s_expect (pull, "m1", 0); /* the second in a row: the rest comes ahead */
    CHECK (zmq_getsockopt (pull, ZMQ_EVENTS, &events, &len) == 0);
    CHECK (events & ZMQ_POLLIN);
    item.socket = pull;
    item.fd = 0;
    item.events = ZMQ_POLLIN;
    item.revents = 0;
    CHECK (zmq_poll (&item, 1, -1) == 1);
    CHECK (item.revents == ZMQ_POLLIN);
    CHECK (zmq_msg_init (&msg) == 0);
    CHECK (zmq_msg_recv (&msg, pull, 0) == 2);
    CHECK (memcmp (zmq_msg_data (&msg), "m2", 2) == 0);
    CHECK (zmq_msg_close (&msg) == 0);
    CHECK (zmq_recviov (pull, iov, &count, 0) == 1 && count == 1);
    CHECK (iov[0].iov_len == 2 && memcmp (iov[0].iov_base, "m3", 2) == 0);
    free (iov[0].iov_base);
    for (i = 4; i < 8; i++) {
        snprintf (buf, sizeof buf, "m%d", i);
        s_expect (pull, buf, 0);
    }
    s_expect (pull, "a", 1);
    len = sizeof more;
    CHECK (zmq_getsockopt (pull, ZMQ_RCVMORE, &more, &len) == 0 && more == 1);
    s_expect (pull, "b", 0);
    CHECK (zmq_getsockopt (pull, ZMQ_RCVMORE, &more, &len) == 0 && more == 0);
    len = sizeof events;
    CHECK (zmq_getsockopt (pull, ZMQ_EVENTS, &events, &len) == 0);
    CHECK (!(events & ZMQ_POLLIN));
    CHECK (zmq_recv (pull, buf, sizeof buf, ZMQ_DONTWAIT) == -1 && zmq_errno () == EAGAIN);
    close_zero_linger (push);
    close_zero_linger (pull);
}

/* inproc: what a thread sent is in the pipe when its next call starts, so
 * HWM counts and a send-then-recv in one thread are as in libzmq */
static void test_own_sends_visible (void)
{
    void *pull = zmq_socket (ctx, ZMQ_PULL), *push = zmq_socket (ctx, ZMQ_PUSH);
    int hwm = 10, sent = 0, got = 0;
    CHECK (zmq_setsockopt (push, ZMQ_SNDHWM, &hwm, sizeof hwm) == 0);
    CHECK (zmq_setsockopt (pull, ZMQ_RCVHWM, &hwm, sizeof hwm) == 0);
    CHECK (zmq_bind (pull, "inproc://batching-visible") == 0);
    CHECK (zmq_connect (push, "inproc://batching-visible") == 0);
    while (sent < 1000 && zmq_send (push, "x", 1, ZMQ_DONTWAIT) == 1)
        sent++;
    CHECK (zmq_errno () == EAGAIN);
    CHECK (sent == 20); /* SNDHWM + RCVHWM, as libzmq 4.0's test_hwm */
    while (zmq_recv (pull, NULL, 0, ZMQ_DONTWAIT) == 1)
        got++;
    CHECK (got == sent);
    for (sent = 0; sent < 5; sent++)
        s_send (push, "y", 0);
    for (got = 0; got < 5; got++)
        CHECK (zmq_recv (pull, NULL, 0, ZMQ_DONTWAIT) == 1);
    close_zero_linger (push);
    close_zero_linger (pull);
}

/* queued sends go out on close (LINGER -1) */
static void test_close_delivers (void)
{
    char endpoint[256], buf[16];
    void *pull = zmq_socket (ctx, ZMQ_PULL), *push = zmq_socket (ctx, ZMQ_PUSH);
    int i;
    bind_any (pull, transport, endpoint, sizeof endpoint);
    CHECK (zmq_connect (push, endpoint) == 0);
    for (i = 0; i < 500; i++) {
        snprintf (buf, sizeof buf, "%d", i);
        s_send (push, buf, 0);
    }
    CHECK (zmq_close (push) == 0);
    for (i = 0; i < 500; i++) {
        snprintf (buf, sizeof buf, "%d", i);
        s_expect (pull, buf, 0);
    }
    close_zero_linger (pull);
}

struct pusher { void *push; int err; long sent; };

static void push_until_error (void *arg)
{
    struct pusher *p = (struct pusher *) arg;
    while (zmq_send (p->push, "z", 1, 0) == 1)
        p->sent++;
    p->err = zmq_errno ();
    CHECK (zmq_close (p->push) == 0); /* (setsockopt would say ETERM now) */
}

/* zmq_ctx_shutdown stops a thread in a run of sends: ETERM */
static void test_shutdown_stops_run (void)
{
    void *own = zmq_ctx_new ();
    char endpoint[256];
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    struct pusher p;
    void *thread;
    int hwm = 0;
    CHECK (zmq_setsockopt (pull, ZMQ_RCVHWM, &hwm, sizeof hwm) == 0);
    bind_any (pull, strcmp (transport, "inproc") == 0 ? "tcp" : transport, endpoint,
              sizeof endpoint);
    p.push = zmq_socket (own, ZMQ_PUSH);
    p.err = 0;
    p.sent = 0;
    CHECK (zmq_connect (p.push, endpoint) == 0);
    thread = zmq_threadstart (push_until_error, &p);
    while (__atomic_load_n (&p.sent, __ATOMIC_RELAXED) < 10000)
        CHECK (zmq_recv (pull, NULL, 0, 0) == 1);
    CHECK (zmq_ctx_shutdown (own) == 0);
    zmq_threadclose (thread);
    CHECK (p.err == ETERM);
    CHECK (zmq_ctx_term (own) == 0);
    close_zero_linger (pull);
}

int main (int argc, char **argv)
{
    setup_test (120);
    CHECK (argc == 2);
    transport = argv[1];
    ctx = zmq_ctx_new ();
    CHECK (ctx);
    test_integrity ();
    test_fetched_ahead ();
    test_own_sends_visible ();
    test_close_delivers ();
    test_shutdown_stops_run ();
    CHECK (zmq_ctx_term (ctx) == 0);
    printf ("ok\n");
    return 0;
}
