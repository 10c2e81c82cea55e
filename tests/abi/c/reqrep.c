/* REQ/REP over the transport in argv[1] (inproc | tcp): a multipart bounce,
 * RCVMORE, the REQ state machine (EFSM), errno/strerror, LAST_ENDPOINT. */
#include "testutil.h"

int main (int argc, char **argv)
{
    const char *transport = argc > 1 ? argv[1] : "inproc";
    char endpoint[256];
    int major = 0, minor = 0, patch = 0, i;
    void *ctx, *rep, *req;
    char buf[32];

    setup_test (60);
    zmq_version (&major, &minor, &patch);
    CHECK (major == 4 && minor == 0 && patch == 10);
    CHECK (strcmp (zmq_strerror (ETERM), "Context was terminated") == 0);
    CHECK (strcmp (zmq_strerror (EFSM),
                   "Operation cannot be accomplished in current state")
           == 0);

    ctx = zmq_ctx_new ();
    CHECK (ctx);
    rep = zmq_socket (ctx, ZMQ_REP);
    req = zmq_socket (ctx, ZMQ_REQ);
    CHECK (rep && req);
    CHECK (get_int (rep, ZMQ_TYPE) == ZMQ_REP);
    bind_any (rep, transport, endpoint, sizeof endpoint);
    CHECK (strncmp (endpoint, transport, strlen (transport)) == 0);
    CHECK (zmq_connect (req, endpoint) == 0);

    for (i = 0; i < 100; i++)
        bounce (rep, req);

    /* successful calls leave errno alone */
    errno = 4242;
    s_send (req, "e", 0);
    s_expect (rep, "e", 0);
    s_send (rep, "e", 0);
    s_expect (req, "e", 0);
    CHECK (errno == 4242);

    /* REQ must receive before sending again; REP must receive before sending */
    s_send (req, "one", 0);
    CHECK_FAILS (zmq_send (req, "two", 3, 0), EFSM);
    CHECK_FAILS (zmq_send (rep, "x", 1, 0), EFSM);
    s_expect (rep, "one", 0);
    s_send (rep, "reply", 0);
    /* truncation: zmq_recv returns the full size */
    CHECK (zmq_recv (req, buf, 2, 0) == 5);
    CHECK (memcmp (buf, "re", 2) == 0);
    CHECK (get_int (req, ZMQ_RCVMORE) == 0);
    /* nothing queued: DONTWAIT gives EAGAIN */
    CHECK_FAILS (zmq_recv (rep, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);

    CHECK (zmq_close (req) == 0);
    CHECK (zmq_close (rep) == 0);
    CHECK (zmq_ctx_term (ctx) == 0);
    puts ("ok");
    return 0;
}
