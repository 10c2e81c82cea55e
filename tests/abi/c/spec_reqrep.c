/* RFC 28 (REQ-REP) in C, after libzmq 4.0's test_spec_req/rep/dealer/router,
 * over the transport in argv[1]. Each check quotes the MUST it enforces. */
#include "testutil.h"

#define SERVICES 5
static void *ctx;
static const char *transport;

/* inproc peers are attached at connect; tcp ones need a moment (libzmq's
 * SETTLE_TIME) */
static void settle (void)
{
    if (strcmp (transport, "tcp") == 0)
        usleep (300000);
}

static void *bound (int type, char *endpoint)
{
    void *s = zmq_socket (ctx, type);
    CHECK (s);
    bind_any (s, transport, endpoint, 256);
    return s;
}

static void *connected (int type, const char *endpoint)
{
    void *s = zmq_socket (ctx, type);
    CHECK (s);
    CHECK (zmq_connect (s, endpoint) == 0);
    return s;
}

/* "REQ: SHALL route outgoing messages to connected peers using a
 * round-robin strategy"; "SHALL prefix the outgoing message with an empty
 * delimiter frame" (seen by a ROUTER); "SHALL accept an incoming message
 * only after the delimiter" (REQ gets just the body). */
static void test_req (void)
{
    char endpoint[256], buf[64];
    void *req = bound (ZMQ_REQ, endpoint), *rep[SERVICES], *router;
    int i, n, seen[SERVICES] = {0};
    set_int (req, ZMQ_RCVTIMEO, 5000);
    for (i = 0; i < SERVICES; i++)
        rep[i] = connected (ZMQ_REP, endpoint);
    /* wait until every REP is attached: one round trip per peer may go to
     * any of them, so collect until all have answered */
    for (i = 0; i < 5 * SERVICES * 10; i++) {
        int k;
        zmq_pollitem_t items[SERVICES];
        s_send (req, "ABC", 0);
        for (k = 0; k < SERVICES; k++) {
            items[k].socket = rep[k];
            items[k].events = ZMQ_POLLIN;
        }
        CHECK (zmq_poll (items, SERVICES, 5000) == 1);
        for (k = 0; k < SERVICES; k++)
            if (items[k].revents) {
                s_expect (rep[k], "ABC", 0);
                s_send (rep[k], "DEF", 0);
                seen[k]++;
            }
        s_expect (req, "DEF", 0);
        for (k = 0; k < SERVICES && seen[k]; k++)
            ;
        if (k == SERVICES)
            break;
    }
    /* now strictly round-robin: the next SERVICES requests hit each peer once */
    {
        int hits[SERVICES] = {0}, k;
        for (n = 0; n < SERVICES; n++) {
            zmq_pollitem_t items[SERVICES];
            s_send (req, "RR", 0);
            for (k = 0; k < SERVICES; k++) {
                items[k].socket = rep[k];
                items[k].events = ZMQ_POLLIN;
            }
            CHECK (zmq_poll (items, SERVICES, 5000) == 1);
            for (k = 0; k < SERVICES; k++)
                if (items[k].revents) {
                    s_expect (rep[k], "RR", 0);
                    s_send (rep[k], "OK", 0);
                    hits[k]++;
                }
            s_expect (req, "OK", 0);
        }
        for (k = 0; k < SERVICES; k++)
            CHECK (hits[k] == 1);
    }
    for (i = 0; i < SERVICES; i++)
        close_zero_linger (rep[i]);
    close_zero_linger (req);

    /* the envelope, seen from a ROUTER */
    router = bound (ZMQ_ROUTER, endpoint);
    req = connected (ZMQ_REQ, endpoint);
    s_send (req, "ABC", ZMQ_SNDMORE);
    s_send (req, "DEF", 0);
    {
        char id[256];
        int idlen = zmq_recv (router, id, sizeof id, 0);
        CHECK (idlen > 0 && get_int (router, ZMQ_RCVMORE) == 1);
        s_expect (router, "", 1);
        s_expect (router, "ABC", 1);
        s_expect (router, "DEF", 0);
        CHECK (zmq_send (router, id, (size_t) idlen, ZMQ_SNDMORE) == idlen);
        s_send (router, "", ZMQ_SNDMORE);
        s_send (router, "GHI", 0);
        s_expect (req, "GHI", 0);
    }
    close_zero_linger (req);
    close_zero_linger (router);

    /* "If no peers: SHALL block on sending" -> EAGAIN with DONTWAIT */
    req = zmq_socket (ctx, ZMQ_REQ);
    CHECK_FAILS (zmq_send (req, "x", 1, ZMQ_DONTWAIT), EAGAIN);
    close_zero_linger (req);
    (void) buf;
}

/* "REP: SHALL receive incoming messages from its peers using a fair-queuing
 * strategy"; "SHALL remove and keep the envelope ... SHALL prefix the
 * outgoing reply with it" (checked with a DEALER speaking REQ's envelope). */
static void test_rep (void)
{
    char endpoint[256];
    void *rep = bound (ZMQ_REP, endpoint), *dealer = connected (ZMQ_DEALER, endpoint);
    void *req;
    int i;
    /* envelope [""]["A"] */
    s_send (dealer, "", ZMQ_SNDMORE);
    s_send (dealer, "A", 0);
    s_expect (rep, "A", 0);
    s_send (rep, "B", 0);
    s_expect (dealer, "", 1);
    s_expect (dealer, "B", 0);
    /* a longer envelope [X][Y][""]["A"] comes back whole */
    s_send (dealer, "X", ZMQ_SNDMORE);
    s_send (dealer, "Y", ZMQ_SNDMORE);
    s_send (dealer, "", ZMQ_SNDMORE);
    s_send (dealer, "A", 0);
    s_expect (rep, "A", 0);
    s_send (rep, "B", 0);
    s_expect (dealer, "X", 1);
    s_expect (dealer, "Y", 1);
    s_expect (dealer, "", 1);
    s_expect (dealer, "B", 0);
    close_zero_linger (dealer);
    /* serial requests from one REQ */
    req = connected (ZMQ_REQ, endpoint);
    for (i = 0; i < 10; i++)
        bounce (rep, req);
    close_zero_linger (req);
    close_zero_linger (rep);
}

/* "DEALER: SHALL route outgoing messages to available peers using a
 * round-robin strategy"; "If no peers: SHALL block on sending" (EAGAIN with
 * DONTWAIT and after SNDTIMEO); "SHALL receive ... fair-queuing". */
static void test_dealer (void)
{
    char endpoint[256], buf[64];
    void *dealer = bound (ZMQ_DEALER, endpoint), *rep[SERVICES];
    int i, n;
    for (i = 0; i < SERVICES; i++)
        rep[i] = connected (ZMQ_REP, endpoint);
    settle ();
    for (i = 0; i < SERVICES; i++) {
        s_send (dealer, "", ZMQ_SNDMORE);
        snprintf (buf, sizeof buf, "%d", i);
        s_send (dealer, buf, 0);
    }
    /* each REP got exactly one */
    for (i = 0; i < SERVICES; i++) {
        CHECK (wait_in (rep[i], 5000) == 1);
        n = zmq_recv (rep[i], buf, sizeof buf, 0);
        CHECK (n == 1);
        CHECK (wait_in (rep[i], 0) == 0);
        s_send (rep[i], "r", 0);
    }
    for (i = 0; i < SERVICES; i++) {
        s_expect (dealer, "", 1);
        s_expect (dealer, "r", 0);
    }
    for (i = 0; i < SERVICES; i++)
        close_zero_linger (rep[i]);
    close_zero_linger (dealer);

    dealer = zmq_socket (ctx, ZMQ_DEALER);
    CHECK_FAILS (zmq_send (dealer, "x", 1, ZMQ_DONTWAIT), EAGAIN);
    set_int (dealer, ZMQ_SNDTIMEO, 250);
    CHECK_FAILS (zmq_send (dealer, "x", 1, 0), EAGAIN);
    close_zero_linger (dealer);
}

/* "ROUTER: SHALL receive incoming messages from its peers using a
 * fair-queuing strategy"; "SHALL prefix ... with the identity of the peer". */
static void test_router (void)
{
    char endpoint[256], buf[64], ident[3];
    void *router = bound (ZMQ_ROUTER, endpoint), *dealer[SERVICES];
    int i, round, n;
    for (i = 0; i < SERVICES; i++) {
        dealer[i] = zmq_socket (ctx, ZMQ_DEALER);
        snprintf (ident, sizeof ident, "%c%c", 'A' + i, 'A' + i);
        CHECK (zmq_setsockopt (dealer[i], ZMQ_IDENTITY, ident, 2) == 0);
        CHECK (zmq_connect (dealer[i], endpoint) == 0);
    }
    settle ();
    for (round = 0; round < 2; round++)
        for (i = 0; i < SERVICES; i++)
            s_send (dealer[i], round ? "second" : "first", 0);
    settle (); /* tcp: let every connection's frames reach the ROUTER */
    /* fair queuing: one "first" from each before any "second" */
    for (round = 0; round < 2; round++) {
        int from[SERVICES] = {0};
        for (i = 0; i < SERVICES; i++) {
            n = zmq_recv (router, buf, sizeof buf, 0);
            CHECK (n == 2 && buf[0] == buf[1] && buf[0] >= 'A'
                   && buf[0] < 'A' + SERVICES);
            from[buf[0] - 'A']++;
            s_expect (router, round ? "second" : "first", 0);
        }
        for (i = 0; i < SERVICES; i++)
            CHECK (from[i] == 1);
    }
    for (i = 0; i < SERVICES; i++)
        close_zero_linger (dealer[i]);
    close_zero_linger (router);
}

int main (int argc, char **argv)
{
    setup_test (120);
    transport = argc > 1 ? argv[1] : "inproc";
    ctx = zmq_ctx_new ();
    test_req ();
    test_rep ();
    test_dealer ();
    test_router ();
    CHECK (zmq_ctx_term (ctx) == 0);
    puts ("ok");
    return 0;
}
