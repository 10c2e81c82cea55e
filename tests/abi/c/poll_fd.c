/* zmq_poll over a zmq socket and a pipe fd together (libzmq 4.0 zmq_poll):
 * level-triggered, first pass non-blocking, POLLERR for a closed fd's HUP,
 * nitems == 0 as a sleep, ZMQ_FD and ZMQ_EVENTS. */
#include "testutil.h"
#include <fcntl.h>
#include <time.h>

static long ms_since (struct timespec *t0)
{
    struct timespec t1;
    clock_gettime (CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

int main (int argc, char **argv)
{
    const char *transport = argc > 1 ? argv[1] : "inproc";
    char endpoint[256], buf[16];
    void *ctx, *push, *pull;
    int fds[2], fd = -1;
    size_t fdsize = sizeof fd;
    zmq_pollitem_t items[3];
    struct timespec t0;
    int rc;

    setup_test (60);
    CHECK (pipe (fds) == 0);
    ctx = zmq_ctx_new ();
    push = zmq_socket (ctx, ZMQ_PUSH);
    pull = zmq_socket (ctx, ZMQ_PULL);
    bind_any (pull, transport, endpoint, sizeof endpoint);
    CHECK (zmq_connect (push, endpoint) == 0);

    memset (items, 0, sizeof items);
    items[0].socket = pull;
    items[0].events = ZMQ_POLLIN;
    items[1].socket = NULL;
    items[1].fd = fds[0];
    items[1].events = ZMQ_POLLIN;
    items[2].socket = push;
    items[2].fd = 12345; /* ignored when socket is set */
    items[2].events = ZMQ_POLLOUT;

    /* only PUSH can send: 1 ready, immediately */
    rc = zmq_poll (items, 3, 0);
    CHECK (rc == 1);
    CHECK (items[0].revents == 0 && items[1].revents == 0);
    CHECK (items[2].revents == ZMQ_POLLOUT);

    /* nothing readable: the timeout is honoured */
    clock_gettime (CLOCK_MONOTONIC, &t0);
    CHECK (zmq_poll (items, 2, 100) == 0);
    CHECK (ms_since (&t0) >= 90);

    /* the pipe becomes readable */
    CHECK (write (fds[1], "x", 1) == 1);
    CHECK (zmq_poll (items, 2, 1000) == 1);
    CHECK (items[0].revents == 0 && items[1].revents == ZMQ_POLLIN);

    /* and the socket too: level-triggered, both reported */
    s_send (push, "msg", 0);
    /* the message may still be on its way (a tcp handshake first): wait on the socket
     * alone, since with the pipe already readable a poll of both returns at once */
    CHECK (zmq_poll (items, 1, 10000) == 1);
    CHECK (zmq_poll (items, 2, 0) == 2);
    CHECK (items[0].revents == ZMQ_POLLIN && items[1].revents == ZMQ_POLLIN);
    /* still ready on a second call (level-triggered) */
    CHECK (zmq_poll (items, 2, 0) == 2);
    CHECK (read (fds[0], buf, 1) == 1);
    CHECK (zmq_recv (pull, buf, sizeof buf, 0) == 3);
    CHECK (zmq_poll (items, 2, 0) == 0);

    /* a blocked poll wakes for a message sent later */
    s_send (push, "late", 0);
    CHECK (zmq_poll (items, 1, -1) == 1);
    CHECK (zmq_recv (pull, buf, sizeof buf, 0) == 4);

    /* ZMQ_FD is a pollable fd; ZMQ_EVENTS tells what is ready */
    CHECK (zmq_getsockopt (pull, ZMQ_FD, &fd, &fdsize) == 0);
    CHECK (fdsize == sizeof (int) && fd >= 0);
    CHECK (get_int (pull, ZMQ_EVENTS) == 0);
    CHECK ((get_int (push, ZMQ_EVENTS) & ZMQ_POLLOUT) != 0);

    /* a closed write end: HUP is reported as POLLERR */
    close (fds[1]);
    items[1].events = ZMQ_POLLIN;
    CHECK (zmq_poll (&items[1], 1, 1000) == 1);
    CHECK (items[1].revents & ZMQ_POLLERR);

    /* no items: a portable sleep */
    clock_gettime (CLOCK_MONOTONIC, &t0);
    CHECK (zmq_poll (NULL, 0, 50) == 0);
    CHECK (ms_since (&t0) >= 40);

    close (fds[0]);
    close_zero_linger (push);
    close_zero_linger (pull);
    CHECK (zmq_ctx_term (ctx) == 0);
    puts ("ok");
    return 0;
}
