/* PUB/SUB and XPUB/XSUB over the transport in argv[1]: prefix filtering,
 * unsubscribe, multipart publications, XPUB's subscription messages. */
#include "testutil.h"

static void recv_until (void *s, const char *text)
{
    /* a late subscription may miss early publications: wait for this one */
    char buf[64];
    int n;
    for (;;) {
        CHECK (wait_in (s, 5000) == 1);
        n = zmq_recv (s, buf, sizeof buf - 1, 0);
        CHECK (n >= 0);
        buf[n] = 0;
        if (strcmp (buf, text) == 0)
            return;
    }
}

int main (int argc, char **argv)
{
    const char *transport = argc > 1 ? argv[1] : "inproc";
    char endpoint[256], buf[64];
    void *ctx, *pub, *sub, *xpub, *sub2;
    int i, n;

    setup_test (60);
    ctx = zmq_ctx_new ();
    pub = zmq_socket (ctx, ZMQ_PUB);
    sub = zmq_socket (ctx, ZMQ_SUB);
    bind_any (pub, transport, endpoint, sizeof endpoint);
    CHECK (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "A", 1) == 0);
    CHECK (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "BC", 2) == 0);
    CHECK (zmq_connect (sub, endpoint) == 0);

    /* until the subscription has travelled, publications may be dropped */
    for (i = 0; i < 500; i++) {
        s_send (pub, "A-sync", 0);
        if (wait_in (sub, 10) == 1)
            break;
    }
    CHECK (i < 500);
    while (zmq_recv (sub, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
        ;
    s_send (pub, "Bxx", 0);      /* no match */
    s_send (pub, "BCD", 0);      /* matches BC */
    s_send (pub, "nothing", 0);  /* no match */
    s_send (pub, "A", ZMQ_SNDMORE); /* multipart: filtered on the first frame */
    s_send (pub, "body", 0);
    s_expect (sub, "BCD", 0);
    s_expect (sub, "A", 1);
    s_expect (sub, "body", 0);
    CHECK (wait_in (sub, 100) == 0);

    /* unsubscribe: "A" no longer matches */
    CHECK (zmq_setsockopt (sub, ZMQ_UNSUBSCRIBE, "A", 1) == 0);
    for (i = 0; i < 500; i++) {
        s_send (pub, "A-probe", 0);
        s_send (pub, "BC-probe", 0);
        CHECK (wait_in (sub, 1000) == 1);
        n = zmq_recv (sub, buf, sizeof buf - 1, 0);
        buf[n] = 0;
        if (strcmp (buf, "BC-probe") == 0)
            break; /* A-probe was filtered out */
        CHECK (strcmp (buf, "A-probe") == 0);
        s_expect (sub, "BC-probe", 0);
    }
    CHECK (i < 500);

    /* XPUB sees subscriptions as \x01topic / \x00topic */
    xpub = zmq_socket (ctx, ZMQ_XPUB);
    sub2 = zmq_socket (ctx, ZMQ_SUB);
    bind_any (xpub, transport, endpoint, sizeof endpoint);
    CHECK (zmq_setsockopt (sub2, ZMQ_SUBSCRIBE, "foo", 3) == 0);
    CHECK (zmq_connect (sub2, endpoint) == 0);
    CHECK (wait_in (xpub, 5000) == 1);
    CHECK (zmq_recv (xpub, buf, sizeof buf, 0) == 4);
    CHECK (memcmp (buf, "\1foo", 4) == 0);
    s_send (xpub, "foo-news", 0);
    recv_until (sub2, "foo-news");
    CHECK (zmq_setsockopt (sub2, ZMQ_UNSUBSCRIBE, "foo", 3) == 0);
    CHECK (wait_in (xpub, 5000) == 1);
    CHECK (zmq_recv (xpub, buf, sizeof buf, 0) == 4);
    CHECK (memcmp (buf, "\0foo", 4) == 0);

    close_zero_linger (sub2);
    close_zero_linger (xpub);
    close_zero_linger (sub);
    close_zero_linger (pub);
    CHECK (zmq_ctx_term (ctx) == 0);
    puts ("ok");
    return 0;
}
