/* EVENT_CLOSED reaches a monitor (issue #19, item 4).  A listener closed by
 * zmq_close reports CLOSED (value: its fd, endpoint: the bound address)
 * before the monitor's last event, MONITOR_STOPPED; a connecter reports
 * CLOSED for each socket of a failed connect attempt, both after its peer
 * went away (REQ: CONNECTED, DISCONNECTED, then CLOSED on the first retry)
 * and when nobody ever listened.  Over tcp or ipc (argv[1]). */
#include "testutil.h"
#include <stdint.h>

static int read_event (void *mon, int *value, char *endpoint, size_t size,
                       long timeout_ms)
{
    uint8_t frame[16];
    uint16_t event;
    uint32_t v;
    int n;
    if (wait_in (mon, timeout_ms) == 0)
        return 0;
    CHECK (zmq_recv (mon, frame, sizeof frame, 0) == 6);
    CHECK (get_int (mon, ZMQ_RCVMORE) == 1);
    memcpy (&event, frame, 2);
    memcpy (&v, frame + 2, 4);
    n = zmq_recv (mon, endpoint, size - 1, 0);
    CHECK (n >= 0);
    endpoint[n] = 0;
    if (value)
        *value = (int) v;
    return event;
}

/* Read events until `wanted`; each one's endpoint is `endpoint`, but for
 * MONITOR_STOPPED's, which is empty.  Fail on a quiet 10 s or on
 * MONITOR_STOPPED when something else is wanted.  Returns the value. */
static int expect_event (void *mon, int wanted, const char *endpoint)
{
    char ep[256];
    int event, value = 0;
    for (;;) {
        event = read_event (mon, &value, ep, sizeof ep, 10000);
        if (event == 0) {
            fprintf (stderr, "no event %d within 10 s\n", wanted);
            exit (1);
        }
        if (strcmp (ep, event == ZMQ_EVENT_MONITOR_STOPPED ? "" : endpoint) != 0) {
            fprintf (stderr, "event %d for \"%s\", expected \"%s\"\n", event, ep,
                     endpoint);
            exit (1);
        }
        if (event == wanted)
            return value;
        if (event == ZMQ_EVENT_MONITOR_STOPPED) {
            fprintf (stderr, "MONITOR_STOPPED before event %d\n", wanted);
            exit (1);
        }
    }
}

static void *monitor (void *ctx, void *s, const char *name, int events)
{
    void *mon = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (mon);
    CHECK (zmq_socket_monitor (s, name, events) == 0);
    CHECK (zmq_connect (mon, name) == 0);
    return mon;
}

int main (int argc, char **argv)
{
    const char *transport = argc > 1 ? argv[1] : "tcp";
    char endpoint[256], any[128];
    size_t size = sizeof endpoint;
    void *ctx, *rep, *req, *lone, *mon_rep, *mon_req, *mon_lone;
    int fd;

    setup_test (120);
    ctx = zmq_ctx_new ();
    CHECK (ctx);
    rep = zmq_socket (ctx, ZMQ_REP);
    req = zmq_socket (ctx, ZMQ_REQ);
    CHECK (rep && req);
    mon_rep = monitor (ctx, rep, "inproc://closed-rep", ZMQ_EVENT_ALL);
    mon_req = monitor (ctx, req, "inproc://closed-req", ZMQ_EVENT_ALL);
    set_int (req, ZMQ_RECONNECT_IVL, 50);

    if (strcmp (transport, "tcp") == 0)
        snprintf (any, sizeof any, "tcp://127.0.0.1:*");
    else
        snprintf (any, sizeof any, "ipc:///tmp/zmq4-closed-%d.ipc", (int) getpid ());
    CHECK (zmq_bind (rep, any) == 0);
    CHECK (zmq_getsockopt (rep, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
    CHECK (zmq_connect (req, endpoint) == 0);
    bounce (rep, req);

    fd = expect_event (mon_rep, ZMQ_EVENT_LISTENING, endpoint);
    CHECK (fd > 0);
    CHECK (expect_event (mon_rep, ZMQ_EVENT_ACCEPTED, endpoint) > 0);
    CHECK (expect_event (mon_req, ZMQ_EVENT_CONNECTED, endpoint) > 0);

    /* the listener's CLOSED, with the listening fd, before MONITOR_STOPPED */
    CHECK (zmq_close (rep) == 0);
    CHECK (expect_event (mon_rep, ZMQ_EVENT_CLOSED, endpoint) == fd);
    expect_event (mon_rep, ZMQ_EVENT_MONITOR_STOPPED, endpoint);
    close_zero_linger (mon_rep);

    /* the connecter: its peer went, the next attempt fails and is closed */
    CHECK (expect_event (mon_req, ZMQ_EVENT_DISCONNECTED, endpoint) != 0);
    CHECK (expect_event (mon_req, ZMQ_EVENT_CLOSED, endpoint) > 0);
    close_zero_linger (req);
    expect_event (mon_req, ZMQ_EVENT_MONITOR_STOPPED, endpoint);
    close_zero_linger (mon_req);

    /* a connecter whose peer never existed */
    lone = zmq_socket (ctx, ZMQ_DEALER);
    CHECK (lone);
    set_int (lone, ZMQ_RECONNECT_IVL, 50);
    mon_lone = monitor (ctx, lone, "inproc://closed-lone", ZMQ_EVENT_CLOSED);
    CHECK (zmq_connect (lone, endpoint) == 0);
    CHECK (expect_event (mon_lone, ZMQ_EVENT_CLOSED, endpoint) > 0);
    CHECK (expect_event (mon_lone, ZMQ_EVENT_CLOSED, endpoint) > 0); /* a retry */
    close_zero_linger (lone);
    close_zero_linger (mon_lone);

    CHECK (zmq_ctx_term (ctx) == 0);
    puts ("ok");
    return 0;
}
