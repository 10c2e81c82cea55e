/* A C library loaded with ctypes into a running Python (host mode) that runs
 * C threads calling the shim: foreign threads with no Python thread state. */
#include "testutil.h"
#include <pthread.h>

static void *spin_ctx;

struct job
{
    void *ctx;
    int id, iterations, done;
};

static void *roundtrips (void *arg)
{
    struct job *job = (struct job *) arg;
    char ep[64], buf[16];
    int i;
    void *a = zmq_socket (job->ctx, ZMQ_PAIR), *b = zmq_socket (job->ctx, ZMQ_PAIR);
    snprintf (ep, sizeof ep, "inproc://host-thread-%d", job->id);
    if (!a || !b || zmq_bind (a, ep) != 0 || zmq_connect (b, ep) != 0)
        return NULL;
    for (i = 0; i < job->iterations; i++) {
        if (zmq_send (a, &i, sizeof i, 0) != sizeof i)
            break;
        if (zmq_recv (b, buf, sizeof buf, 0) != sizeof i || memcmp (buf, &i, sizeof i))
            break;
        job->done++;
    }
    zmq_close (a);
    zmq_close (b);
    return NULL;
}

/* Run `threads` C threads, each doing `iterations` round trips on its own
 * PAIR pair in ctx; returns the total of round trips completed. */
int run_threads (void *ctx, int threads, int iterations)
{
    pthread_t t[64];
    struct job jobs[64];
    int i, total = 0;
    if (threads > 64)
        threads = 64;
    for (i = 0; i < threads; i++) {
        jobs[i].ctx = ctx;
        jobs[i].id = i;
        jobs[i].iterations = iterations;
        jobs[i].done = 0;
        if (pthread_create (&t[i], NULL, roundtrips, &jobs[i]) != 0)
            return -1;
    }
    for (i = 0; i < threads; i++) {
        pthread_join (t[i], NULL);
        total += jobs[i].done;
    }
    return total;
}

static void *spin (void *arg)
{
    char ep[64], buf[8];
    void *a = zmq_socket (spin_ctx, ZMQ_PAIR), *b = zmq_socket (spin_ctx, ZMQ_PAIR);
    snprintf (ep, sizeof ep, "inproc://spin-%ld", (long) arg);
    zmq_bind (a, ep);
    zmq_connect (b, ep);
    for (;;)
        if (zmq_send (a, "spin", 4, 0) != 4 || zmq_recv (b, buf, sizeof buf, 0) != 4)
            break;
    return NULL; /* ETERM once the host interpreter exits */
}

/* Start `threads` detached threads calling the shim until the process ends. */
int start_spinners (int threads)
{
    pthread_t t;
    int i;
    spin_ctx = zmq_ctx_new ();
    if (!spin_ctx)
        return -1;
    for (i = 0; i < threads; i++) {
        if (pthread_create (&t, NULL, spin, (void *) (long) i) != 0)
            return -1;
        pthread_detach (t);
    }
    return 0;
}
