/* shim_loop.c -- the C side of bench/shim.py: a tight C loop through the shim.
 *
 *   shim_loop sendrecv N SIZE   zmq_send + zmq_recv on inproc PUSH/PULL, N times
 *   shim_loop msg N SIZE        zmq_msg_init_size/send + zmq_msg_recv/data/close
 *   shim_loop ctx_get N         zmq_ctx_get: the bare cost of one forwarded call
 *
 * Prints nanoseconds per iteration (best of 3 runs) on stdout. */
#include <zmq.h>
#include <zmq_utils.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main (int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "sendrecv";
    long n = argc > 2 ? atol (argv[2]) : 100000, i;
    size_t size = argc > 3 ? (size_t) atol (argv[3]) : 10;
    void *ctx = zmq_ctx_new (), *push, *pull;
    char *buf = calloc (1, size + 1);
    double best = 1e30, t0, dt;
    int run;
    zmq_msg_t msg;

    push = zmq_socket (ctx, ZMQ_PUSH);
    pull = zmq_socket (ctx, ZMQ_PULL);
    int hwm = 0;
    zmq_setsockopt (push, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt (pull, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (zmq_bind (pull, "inproc://bench") || zmq_connect (push, "inproc://bench")) {
        fprintf (stderr, "setup failed: %s\n", zmq_strerror (zmq_errno ()));
        return 1;
    }
    for (run = 0; run < 3; run++) {
        t0 = now_ns ();
        if (strcmp (mode, "sendrecv") == 0) {
            for (i = 0; i < n; i++) {
                if (zmq_send (push, buf, size, 0) != (int) size
                    || zmq_recv (pull, buf, size, 0) != (int) size)
                    return 2;
            }
        } else if (strcmp (mode, "msg") == 0) {
            for (i = 0; i < n; i++) {
                zmq_msg_init_size (&msg, size);
                memcpy (zmq_msg_data (&msg), buf, size);
                if (zmq_msg_send (&msg, push, 0) != (int) size)
                    return 2;
                zmq_msg_init (&msg);
                if (zmq_msg_recv (&msg, pull, 0) != (int) size)
                    return 2;
                memcpy (buf, zmq_msg_data (&msg), zmq_msg_size (&msg));
                zmq_msg_close (&msg);
            }
        } else {
            for (i = 0; i < n; i++)
                if (zmq_ctx_get (ctx, ZMQ_IO_THREADS) != 1)
                    return 2;
        }
        dt = (now_ns () - t0) / (double) n;
        if (dt < best)
            best = dt;
    }
    printf ("%.1f\n", best);
    zmq_close (push);
    zmq_close (pull);
    zmq_ctx_term (ctx);
    free (buf);
    return 0;
}
