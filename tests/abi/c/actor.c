/* A CZMQ-style actor (issue #19): the parent binds an inproc PAIR, hands the
 * connected other end to a thread, and waits for the thread's messages the
 * way CZMQ's poller and zsock_wait do it with an fd-based event loop: poll(2)
 * on ZMQ_FD, then ZMQ_EVENTS, recv while POLLIN.  The thread signals it is
 * up, serves a request, and on "$TERM" signals again and closes its end with
 * LINGER 0 at once (how every CZMQ actor says goodbye): that last signal must
 * arrive, and the parent must see the actor's pipe end. */
#include "testutil.h"
#include <poll.h>
#include <stdint.h>

#define ACTORS 20
#define SIGNAL_SIZE 8

static void send_signal (void *s, uint8_t status)
{
    /* CZMQ's signal: one 8-byte frame, a fixed pattern plus a status byte */
    uint8_t frame[SIGNAL_SIZE] = {0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0};
    frame[7] = status;
    CHECK (zmq_send (s, frame, sizeof frame, 0) == SIGNAL_SIZE);
}

static void actor (void *pipe)
{
    char buf[64];
    int n;
    send_signal (pipe, 0); /* "I am up" */
    for (;;) {
        n = zmq_recv (pipe, buf, sizeof buf - 1, 0);
        CHECK (n >= 0);
        buf[n] = 0;
        if (strcmp (buf, "$TERM") == 0)
            break;
        s_send (pipe, "echo:", ZMQ_SNDMORE);
        s_send (pipe, buf, 0);
    }
    send_signal (pipe, 0); /* "I am done" */
    close_zero_linger (pipe);
}

/* Wait until the socket is readable: ZMQ_EVENTS first (ZMQ_FD is
 * edge-triggered: it only tells that something happened since the last
 * look), then poll ZMQ_FD and look again. */
static void wait_readable (void *s)
{
    int fd = -1;
    size_t size = sizeof fd;
    struct pollfd pfd;
    int rounds = 0;
    CHECK (zmq_getsockopt (s, ZMQ_FD, &fd, &size) == 0 && fd >= 0);
    while (!(get_int (s, ZMQ_EVENTS) & ZMQ_POLLIN)) {
        pfd.fd = fd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        CHECK (poll (&pfd, 1, 10000) == 1); /* a wake-up must come */
        CHECK (++rounds < 10000);
    }
}

static void expect_signal (void *s)
{
    uint8_t frame[SIGNAL_SIZE + 1];
    wait_readable (s);
    CHECK (zmq_recv (s, frame, sizeof frame, ZMQ_DONTWAIT) == SIGNAL_SIZE);
    CHECK (frame[0] == 0x77 && frame[6] == 0x11 && frame[7] == 0);
}

int main (void)
{
    void *ctx, *pipe, *child, *thread;
    char endpoint[64], buf[32];
    int i;

    setup_test (120);
    ctx = zmq_ctx_new ();
    CHECK (ctx);
    for (i = 0; i < ACTORS; i++) {
        pipe = zmq_socket (ctx, ZMQ_PAIR);
        CHECK (pipe);
        snprintf (endpoint, sizeof endpoint, "inproc://actor-%p-%d", pipe, i);
        CHECK (zmq_bind (pipe, endpoint) == 0);
        child = zmq_socket (ctx, ZMQ_PAIR);
        CHECK (child);
        CHECK (zmq_connect (child, endpoint) == 0);
        thread = zmq_threadstart (actor, child);

        expect_signal (pipe);
        s_send (pipe, "hello", 0);
        wait_readable (pipe);
        s_expect (pipe, "echo:", 1);
        s_expect (pipe, "hello", 0);

        s_send (pipe, "$TERM", 0);
        expect_signal (pipe); /* sent right before a LINGER 0 close */
        zmq_threadclose (thread);
        CHECK_FAILS (zmq_recv (pipe, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);
        CHECK ((get_int (pipe, ZMQ_EVENTS) & ZMQ_POLLIN) == 0);
        close_zero_linger (pipe);
    }
    CHECK (zmq_ctx_term (ctx) == 0);
    puts ("ok");
    return 0;
}
