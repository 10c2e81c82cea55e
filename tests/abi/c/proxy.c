/* zmq_proxy_steerable (and zmq_proxy through it): a ROUTER/DEALER queue run
 * by zmq_threadstart between REQ clients and a REP worker, with a capture
 * socket; "TERMINATE" on the control socket makes it return 0. */
#include "testutil.h"

static void *ctx;
static volatile int proxy_done;

static void run_proxy (void *arg)
{
    void *frontend = zmq_socket (ctx, ZMQ_ROUTER);
    void *backend = zmq_socket (ctx, ZMQ_DEALER);
    void *capture = zmq_socket (ctx, ZMQ_PUSH);
    void *control = zmq_socket (ctx, ZMQ_SUB);
    (void) arg;
    CHECK (zmq_bind (frontend, "inproc://frontend") == 0);
    CHECK (zmq_bind (backend, "inproc://backend") == 0);
    CHECK (zmq_connect (capture, "inproc://capture") == 0);
    CHECK (zmq_setsockopt (control, ZMQ_SUBSCRIBE, "", 0) == 0);
    CHECK (zmq_connect (control, "inproc://control") == 0);
    CHECK (zmq_proxy_steerable (frontend, backend, capture, control) == 0);
    proxy_done = 1;
    close_zero_linger (frontend);
    close_zero_linger (backend);
    close_zero_linger (capture);
    close_zero_linger (control);
}

int main (void)
{
    void *thread, *client, *worker, *captured, *control;
    char buf[64];
    int i, n, frames = 0;

    setup_test (60);
    ctx = zmq_ctx_new ();
    captured = zmq_socket (ctx, ZMQ_PULL);
    CHECK (zmq_bind (captured, "inproc://capture") == 0);
    control = zmq_socket (ctx, ZMQ_PUB);
    CHECK (zmq_bind (control, "inproc://control") == 0);
    thread = zmq_threadstart (run_proxy, NULL);

    client = zmq_socket (ctx, ZMQ_REQ);
    worker = zmq_socket (ctx, ZMQ_REP);
    /* connect before the proxy binds is fine on inproc (4.0) */
    CHECK (zmq_connect (client, "inproc://frontend") == 0);
    CHECK (zmq_connect (worker, "inproc://backend") == 0);
    for (i = 0; i < 5; i++) {
        s_send (client, "request", 0);
        s_expect (worker, "request", 0);
        s_send (worker, "reply", 0);
        s_expect (client, "reply", 0);
    }
    /* the capture saw every frame in both directions */
    while (wait_in (captured, 500) == 1) {
        n = zmq_recv (captured, buf, sizeof buf, 0);
        CHECK (n >= 0);
        frames++;
    }
    CHECK (frames >= 5 * 2 * 2);

    /* stop the proxy (until the SUB's subscription arrived, PUB drops) */
    for (i = 0; i < 250 && !proxy_done; i++) {
        s_send (control, "TERMINATE", 0);
        usleep (20000);
    }
    CHECK (proxy_done);
    zmq_threadclose (thread);
    close_zero_linger (client);
    close_zero_linger (worker);
    close_zero_linger (captured);
    close_zero_linger (control);
    CHECK (zmq_ctx_term (ctx) == 0);
    puts ("ok");
    return 0;
}
