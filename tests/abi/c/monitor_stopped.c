/* MONITOR_STOPPED (libzmq 4.0 test_monitor): the last event of a monitor,
 * delivered when the monitored socket closes, and when the monitor is
 * removed with a NULL address; its endpoint frame is empty. */
#include "testutil.h"
#include <stdint.h>

static int next_event (void *mon, char *endpoint, size_t size)
{
    uint8_t frame[16];
    uint16_t event;
    int n;
    if (wait_in (mon, 5000) == 0)
        return 0;
    CHECK (zmq_recv (mon, frame, sizeof frame, 0) == 6);
    memcpy (&event, frame, 2);
    n = zmq_recv (mon, endpoint, size - 1, 0);
    CHECK (n >= 0);
    endpoint[n] = 0;
    return event;
}

int main (void)
{
    char ep[256];
    void *ctx, *rep, *mon;

    setup_test (60);
    ctx = zmq_ctx_new ();
    rep = zmq_socket (ctx, ZMQ_REP);
    CHECK (zmq_socket_monitor (rep, "inproc://stopped-0", ZMQ_EVENT_ALL) == 0);
    mon = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (zmq_connect (mon, "inproc://stopped-0") == 0);
    CHECK (zmq_socket_monitor (rep, NULL, 0) == 0);
    CHECK (next_event (mon, ep, sizeof ep) == ZMQ_EVENT_MONITOR_STOPPED);
    CHECK (ep[0] == 0);
    close_zero_linger (mon);

    CHECK (zmq_socket_monitor (rep, "inproc://stopped-1", ZMQ_EVENT_ALL) == 0);
    mon = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (zmq_connect (mon, "inproc://stopped-1") == 0);
    close_zero_linger (rep);
    CHECK (next_event (mon, ep, sizeof ep) == ZMQ_EVENT_MONITOR_STOPPED);
    close_zero_linger (mon);
    CHECK (zmq_ctx_term (ctx) == 0);
    puts ("ok");
    return 0;
}
