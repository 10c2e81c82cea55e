/* Clean exit while other C threads are still calling into the library:
 * main prints, returns from main; the process must exit 0 with all output
 * and without a crash.  argv[1] = number of threads. */
#include "testutil.h"
#include <pthread.h>

static void *ctx;

static void *spin (void *arg)
{
    char ep[64], buf[8];
    int id = (int) (long) arg;
    void *a = zmq_socket (ctx, ZMQ_PAIR), *b = zmq_socket (ctx, ZMQ_PAIR);
    snprintf (ep, sizeof ep, "inproc://spin-%d", id);
    CHECK (zmq_bind (a, ep) == 0);
    CHECK (zmq_connect (b, ep) == 0);
    for (;;) {
        if (zmq_send (a, "spin", 4, 0) != 4)
            break;
        if (zmq_recv (b, buf, sizeof buf, 0) != 4)
            break;
    }
    return NULL;
}

int main (int argc, char **argv)
{
    int n = argc > 1 ? atoi (argv[1]) : 2, i;
    pthread_t t;
    setup_test (60);
    ctx = zmq_ctx_new ();
    for (i = 0; i < n; i++)
        CHECK (pthread_create (&t, NULL, spin, (void *) (long) i) == 0);
    usleep (100000);
    printf ("ok\n");
    return 0;
}
