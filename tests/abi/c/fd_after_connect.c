/* ZMQ_FD after connection set-up (issue #19, item 3): a socket that starts a
 * tcp/ipc endpoint gets a command in its mailbox (libzmq's "own"), so its
 * ZMQ_FD is readable right after zmq_connect / zmq_bind, before anything was
 * ever read, even when ZMQ_EVENTS then says 0; from then on every message that
 * finds its pipe empty signals it again.  A program that polls ZMQ_FD first
 * and reads ZMQ_EVENTS after each wake-up gets every message.  Both ways
 * round: the PULL connects, and the PULL binds. */
#include "testutil.h"
#include <poll.h>

static int fd_of (void *s)
{
    int fd = -1;
    size_t size = sizeof fd;
    CHECK (zmq_getsockopt (s, ZMQ_FD, &fd, &size) == 0 && fd >= 0);
    return fd;
}

static int fd_readable (int fd, int timeout_ms)
{
    struct pollfd pfd = {fd, POLLIN, 0};
    int rc = poll (&pfd, 1, timeout_ms);
    CHECK (rc >= 0);
    return rc == 1;
}

/* poll ZMQ_FD, then ZMQ_EVENTS, until POLLIN; fail if a wake-up never comes */
static void fd_loop_until_pollin (void *s)
{
    int fd = fd_of (s), rounds = 0;
    for (;;) {
        CHECK (fd_readable (fd, 10000));
        if (get_int (s, ZMQ_EVENTS) & ZMQ_POLLIN)
            return;
        CHECK (++rounds < 10000);
    }
}

static void run (void *ctx, const char *transport, int pull_connects)
{
    char endpoint[256], any[64];
    size_t size = sizeof endpoint;
    void *push = zmq_socket (ctx, ZMQ_PUSH), *pull = zmq_socket (ctx, ZMQ_PULL);
    void *binder = pull_connects ? push : pull;
    void *connecter = pull_connects ? pull : push;
    int i;
    CHECK (push && pull);
    if (strcmp (transport, "tcp") == 0)
        snprintf (any, sizeof any, "tcp://127.0.0.1:*");
    else
        snprintf (any, sizeof any, "ipc:///tmp/zmq4-fd-%d-%d.ipc",
                  (int) getpid (), pull_connects);
    CHECK (zmq_bind (binder, any) == 0);
    CHECK (zmq_getsockopt (binder, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
    CHECK (zmq_connect (connecter, endpoint) == 0);

    /* nothing read yet: the set-up alone made the PULL's fd readable */
    CHECK (fd_readable (fd_of (pull), 10000));
    s_send (push, "first", 0);
    fd_loop_until_pollin (pull);
    s_expect (pull, "first", 0);

    /* afterwards: a wake-up for each message that finds the socket idle */
    for (i = 0; i < 5; i++) {
        CHECK ((get_int (pull, ZMQ_EVENTS) & ZMQ_POLLIN) == 0);
        s_send (push, "next", 0);
        fd_loop_until_pollin (pull);
        s_expect (pull, "next", 0);
    }
    close_zero_linger (push);
    close_zero_linger (pull);
}

int main (int argc, char **argv)
{
    const char *transport = argc > 1 ? argv[1] : "tcp";
    void *ctx;
    setup_test (120);
    ctx = zmq_ctx_new ();
    CHECK (ctx);
    run (ctx, transport, 1);
    run (ctx, transport, 0);
    CHECK (zmq_ctx_term (ctx) == 0);
    puts ("ok");
    return 0;
}
