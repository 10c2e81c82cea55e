/* zmq_socket_monitor (libzmq test_monitor): a non-inproc monitor endpoint is
 * EPROTONOSUPPORT; a NULL address removes the monitor; events arrive as
 * [uint16 event + uint32 value][endpoint] on a PAIR.  Over tcp (argv[1]):
 * LISTENING and ACCEPTED on the server, CONNECTED (value: the fd) on the
 * client.  (MONITOR_STOPPED: monitor_stopped.c.) */
#include "testutil.h"
#include <stdint.h>

/* Read one event; returns its id, or 0 after timeout_ms without one. */
static int read_event (void *mon, int *value, char *endpoint, size_t size,
                       long timeout_ms)
{
    uint8_t frame[16];
    uint16_t event;
    uint32_t v;
    int n;
    if (wait_in (mon, timeout_ms) == 0)
        return 0;
    n = zmq_recv (mon, frame, sizeof frame, 0);
    CHECK (n == 6);
    CHECK (get_int (mon, ZMQ_RCVMORE) == 1);
    memcpy (&event, frame, 2);
    memcpy (&v, frame + 2, 4);
    n = zmq_recv (mon, endpoint, size - 1, 0);
    CHECK (n >= 0);
    endpoint[n] = 0;
    CHECK (get_int (mon, ZMQ_RCVMORE) == 0);
    if (value)
        *value = (int) v;
    return event;
}

/* all events until MONITOR_STOPPED or a quiet second, OR'ed together */
static int drain_events (void *mon, int *connected_value)
{
    char endpoint[256];
    int event, value, all = 0;
    while ((event = read_event (mon, &value, endpoint, sizeof endpoint, 1000))) {
        all |= event;
        if (event == ZMQ_EVENT_CONNECTED && connected_value)
            *connected_value = value;
        if (event == ZMQ_EVENT_MONITOR_STOPPED)
            break;
    }
    return all;
}

int main (int argc, char **argv)
{
    const char *transport = argc > 1 ? argv[1] : "inproc";
    char endpoint[256], ep[256];
    void *ctx, *rep, *req, *mon_rep, *mon_req;
    int value = -1, events;

    setup_test (60);
    ctx = zmq_ctx_new ();
    rep = zmq_socket (ctx, ZMQ_REP);
    CHECK_FAILS (zmq_socket_monitor (rep, "tcp://127.0.0.1:5560", ZMQ_EVENT_ALL),
                 EPROTONOSUPPORT);

    /* a monitor can be removed, and its endpoint is then free again */
    CHECK (zmq_socket_monitor (rep, "inproc://monitor-rep", ZMQ_EVENT_ALL) == 0);
    CHECK (zmq_socket_monitor (rep, NULL, 0) == 0);

    /* a monitored pair of sockets */
    CHECK (zmq_socket_monitor (rep, "inproc://monitor-rep", ZMQ_EVENT_ALL) == 0);
    mon_rep = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (zmq_connect (mon_rep, "inproc://monitor-rep") == 0);
    req = zmq_socket (ctx, ZMQ_REQ);
    CHECK (zmq_socket_monitor (req, "inproc://monitor-req", ZMQ_EVENT_ALL) == 0);
    mon_req = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (zmq_connect (mon_req, "inproc://monitor-req") == 0);

    bind_any (rep, transport, endpoint, sizeof endpoint);
    CHECK (zmq_connect (req, endpoint) == 0);
    bounce (rep, req);
    if (strcmp (transport, "tcp") == 0) {
        CHECK (read_event (mon_rep, NULL, ep, sizeof ep, 5000)
               == ZMQ_EVENT_LISTENING);
        CHECK (strcmp (ep, endpoint) == 0);
    }
    if (strcmp (transport, "tcp") == 0) {
        events = drain_events (mon_req, &value);
        CHECK (events & ZMQ_EVENT_CONNECTED);
        CHECK (value > 0);
        events = drain_events (mon_rep, NULL);
        CHECK (events & ZMQ_EVENT_ACCEPTED);
    }
    close_zero_linger (req);
    close_zero_linger (rep);
    close_zero_linger (mon_rep);
    close_zero_linger (mon_req);
    CHECK (zmq_ctx_term (ctx) == 0);
    puts ("ok");
    return 0;
}
