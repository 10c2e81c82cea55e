/* Written as programs for libzmq 4.0 are (issue #19, item 5): no header but
 * zmq.h and zmq_utils.h, and yet printf, memcmp, strlen, memset, malloc and
 * free, which 4.0's headers brought in (<stdio.h> from zmq.h; <stdio.h>,
 * <string.h>, <stdlib.h> from zmq_utils.h).  Compiled with -Wall -Werror,
 * where an implicit declaration is an error. */
#include <zmq.h>
#include <zmq_utils.h>

int main (void)
{
    const char *text = "hello, 4.0";
    size_t len = strlen (text);
    char *buf = (char *) malloc (64);
    void *ctx = zmq_ctx_new ();
    void *a = zmq_socket (ctx, ZMQ_PAIR);
    void *b = zmq_socket (ctx, ZMQ_PAIR);
    int rc, linger = 0;
    FILE *out = stdout;

    if (!buf || !ctx || !a || !b)
        return 1;
    memset (buf, 0, 64);
    if (zmq_bind (a, "inproc://headers40") != 0
        || zmq_connect (b, "inproc://headers40") != 0)
        return 1;
    if (zmq_send (b, text, len, 0) != (int) len)
        return 1;
    rc = zmq_recv (a, buf, 64, 0);
    if (rc != (int) len || memcmp (buf, text, len) != 0)
        return 1;
    free (buf);
    zmq_setsockopt (a, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (b, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close (a);
    zmq_close (b);
    zmq_ctx_term (ctx);
    fprintf (out, "ok\n");
    return 0;
}
