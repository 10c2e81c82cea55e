/* #20: runs of zmq_send / zmq_recv / zmq_msg_send / zmq_msg_recv that the
 * shim batches (csrc/zmq4_fast.h) behave exactly as call-by-call ones, over
 * the transport in argv[1]: every frame arrives whole and in order (sizes in
 * and out of a ring slot, multipart, sent from buffers, from zmq_msg_init_size
 * and from zmq_msg_init_data messages, whose free function runs exactly once),
 * a thread sees its own queued sends (inproc HWM counts, send then recv
 * DONTWAIT), frames fetched ahead count for ZMQ_EVENTS, zmq_poll, RCVMORE,
 * zmq_msg_recv and zmq_recviov, close delivers what was queued, a context
 * shutdown stops a sending thread with ETERM, one thread's sends on two
 * sockets reach their pipes in order, and a forked child does not hang on
 * state another thread held. */
#include "testutil.h"

#include <stdint.h>
#include <sys/uio.h>
#include <sys/wait.h>

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

static long given, freed; /* zmq_msg_init_data buffers handed over, given back */

static void free_counted (void *data, void *hint)
{
    (void) hint;
    free (data);
    __atomic_add_fetch (&freed, 1, __ATOMIC_SEQ_CST);
}

/* message i goes out through zmq_send, a zmq_msg_init_size message (every 5th),
 * or a zmq_msg_init_data one (every 50th, counted in `freed`) */
static void send_all (void *arg)
{
    struct sender *p = (struct sender *) arg;
    unsigned char buf[300];
    long i;
    int k;
    for (i = 0; i < p->count; i++)
        for (k = 0; k < frames_of (i); k++) {
            size_t n = frame_size (i, k);
            int flags = k + 1 < frames_of (i) ? ZMQ_SNDMORE : 0;
            zmq_msg_t msg;
            fill (buf, i, k, n);
            if (i % 50 == 0) {
                void *data = malloc (n ? n : 1);
                CHECK (data != NULL);
                memcpy (data, buf, n);
                CHECK (zmq_msg_init_data (&msg, data, n, free_counted, NULL) == 0);
                __atomic_add_fetch (&given, 1, __ATOMIC_SEQ_CST);
            } else if (i % 5 == 0) {
                CHECK (zmq_msg_init_size (&msg, n) == 0);
                memcpy (zmq_msg_data (&msg), buf, n);
            } else {
                CHECK (zmq_send (p->push, buf, n, flags) == (int) n);
                continue;
            }
            CHECK (zmq_msg_send (&msg, p->push, flags) == (int) n);
            CHECK (zmq_msg_size (&msg) == 0); /* sent: empty, as libzmq leaves it */
            CHECK (zmq_msg_close (&msg) == 0);
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
    /* every zmq_msg_init_data buffer came back once: each was received, so it
     * was sent and dropped (the last ones may wait for the garbage of the
     * frames that carried them, which the receive already copied out) */
    for (i = 0; i < 500 && __atomic_load_n (&freed, __ATOMIC_SEQ_CST) < given; i++)
        usleep (10000);
    CHECK (given > COUNT / 50 && freed == given);
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

struct two { void *a, *b; };

static void run_then_tell (void *arg)
{
    struct two *t = (struct two *) arg;
    int i;
    for (i = 0; i < 300; i++)
        s_send (t->a, "a", 0);
    s_send (t->b, "done", 0); /* a message on another socket: a's are in their pipe */
}

/* what one thread queued on socket a is in a's pipe before its next message
 * on socket b is in b's (inproc: the receiver looks at once, without waiting) */
static void test_order_across_sockets (void)
{
    void *a = zmq_socket (ctx, ZMQ_PUSH), *a_in = zmq_socket (ctx, ZMQ_PULL);
    void *b = zmq_socket (ctx, ZMQ_PUSH), *b_in = zmq_socket (ctx, ZMQ_PULL);
    struct two t;
    void *thread;
    int i;
    CHECK (zmq_bind (a_in, "inproc://batching-order-a") == 0);
    CHECK (zmq_bind (b_in, "inproc://batching-order-b") == 0);
    CHECK (zmq_connect (a, "inproc://batching-order-a") == 0);
    CHECK (zmq_connect (b, "inproc://batching-order-b") == 0);
    t.a = a;
    t.b = b;
    thread = zmq_threadstart (run_then_tell, &t);
    s_expect (b_in, "done", 0);
    for (i = 0; i < 300; i++) {
        char buf[4];
        CHECK (zmq_recv (a_in, buf, sizeof buf, ZMQ_DONTWAIT) == 1);
    }
    zmq_threadclose (thread);
    close_zero_linger (a);
    close_zero_linger (a_in);
    close_zero_linger (b);
    close_zero_linger (b_in);
}

static void block_in_recv (void *arg)
{
    char buf[8];
    (void) zmq_recv (arg, buf, sizeof buf, 0); /* until the parent sends "bye" */
}

/* fork while another thread is inside a call on a batching socket and this
 * one has sends queued: the child's calls must not wait for either */
static void test_fork (void)
{
    void *pull = zmq_socket (ctx, ZMQ_PULL), *push = zmq_socket (ctx, ZMQ_PUSH);
    void *waiter = zmq_socket (ctx, ZMQ_PULL), *poke = zmq_socket (ctx, ZMQ_PUSH);
    void *thread;
    int i, status, events;
    size_t len = sizeof events;
    pid_t pid;
    CHECK (zmq_bind (pull, "inproc://batching-fork") == 0);
    CHECK (zmq_connect (push, "inproc://batching-fork") == 0);
    CHECK (zmq_bind (waiter, "inproc://batching-fork-wait") == 0);
    CHECK (zmq_connect (poke, "inproc://batching-fork-wait") == 0);
    thread = zmq_threadstart (block_in_recv, waiter);
    usleep (100000); /* the thread is in its recv */
    for (i = 0; i < 100; i++)
        s_send (push, "x", 0);
    pid = fork ();
    CHECK (pid >= 0);
    if (pid == 0) {
        void *own;
        alarm (20);
        (void) zmq_getsockopt (waiter, ZMQ_EVENTS, &events, &len);
        own = zmq_ctx_new ();
        if (own == NULL)
            _exit (3);
        _exit (0);
    }
    CHECK (waitpid (pid, &status, 0) == pid);
    CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);
    s_send (poke, "bye", 0);
    zmq_threadclose (thread);
    for (i = 0; i < 100; i++)
        s_expect (pull, "x", 0);
    close_zero_linger (pull);
    close_zero_linger (push);
    close_zero_linger (waiter);
    close_zero_linger (poke);
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
    test_order_across_sockets ();
    if (strcmp (transport, "inproc") == 0)
        test_fork ();
    CHECK (zmq_ctx_term (ctx) == 0);
    printf ("ok\n");
    return 0;
}
