/* libzmq's perf tools in one C program, written against the 4.0 zmq.h and built twice by
   bench/c_perf.py: once linked to zmq4's shim, once to real libzmq (pyzmq's copy).

     c_perf local_thr  <bind>    <size> <count>   PULL: prints "endpoint" then msg/s
     c_perf remote_thr <connect> <size> <count>   PUSH
     c_perf local_lat  <bind>    <size> <count>   REP: prints "endpoint", echoes
     c_perf remote_lat <connect> <size> <count>   REQ: prints one-way latency in us

   Only zmq_send/zmq_recv with caller buffers: no zmq_msg_t, whose size differs between
   libzmq 4.0 (32 bytes, our header) and the 4.3 that pyzmq bundles (64 bytes). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "c_perf: %s: %s\n", what, zmq_strerror(zmq_errno()));
    exit(1);
}

static void *bound(void *ctx, int type, const char *endpoint) {
    void *s = zmq_socket(ctx, type);
    char last[256];
    size_t len = sizeof last;
    int hwm = 0;
    if (!s) die("zmq_socket");
    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (zmq_bind(s, endpoint) != 0) die("zmq_bind");
    if (zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, last, &len) != 0) die("LAST_ENDPOINT");
    printf("%s\n", last);
    fflush(stdout);
    return s;
}

static void *connected(void *ctx, int type, const char *endpoint) {
    void *s = zmq_socket(ctx, type);
    int hwm = 0;
    if (!s) die("zmq_socket");
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (zmq_connect(s, endpoint) != 0) die("zmq_connect");
    return s;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: c_perf local_thr|remote_thr|local_lat|remote_lat "
                        "<endpoint> <size> <count>\n");
        return 2;
    }
    const char *mode = argv[1], *endpoint = argv[2];
    size_t size = (size_t) atol(argv[3]);
    long count = atol(argv[4]);
    char *buf = calloc(size ? size : 1, 1);
    void *ctx = zmq_ctx_new();
    void *s;
    long i;
    if (!buf || !ctx) die("setup");

    if (strcmp(mode, "local_thr") == 0) {
        s = bound(ctx, ZMQ_PULL, endpoint);
        if (zmq_recv(s, buf, size, 0) < 0) die("zmq_recv");
        double start = now();
        for (i = 1; i < count; i++)
            if (zmq_recv(s, buf, size, 0) < 0) die("zmq_recv");
        double elapsed = now() - start;
        printf("%.0f\n", (count - 1) / elapsed);
    } else if (strcmp(mode, "remote_thr") == 0) {
        s = connected(ctx, ZMQ_PUSH, endpoint);
        for (i = 0; i < count; i++)
            if (zmq_send(s, buf, size, 0) < 0) die("zmq_send");
    } else if (strcmp(mode, "local_lat") == 0) {
        s = bound(ctx, ZMQ_REP, endpoint);
        for (i = 0; i < count; i++) {
            int n = zmq_recv(s, buf, size, 0);
            if (n < 0) die("zmq_recv");
            if (zmq_send(s, buf, size, 0) < 0) die("zmq_send");
        }
    } else if (strcmp(mode, "remote_lat") == 0) {
        s = connected(ctx, ZMQ_REQ, endpoint);
        if (zmq_send(s, buf, size, 0) < 0 || zmq_recv(s, buf, size, 0) < 0) die("warm-up");
        double start = now();
        for (i = 1; i < count; i++) {
            if (zmq_send(s, buf, size, 0) < 0) die("zmq_send");
            if (zmq_recv(s, buf, size, 0) < 0) die("zmq_recv");
        }
        double elapsed = now() - start;
        printf("%.1f\n", elapsed / (count - 1) / 2 * 1e6);
    } else {
        fprintf(stderr, "c_perf: unknown mode %s\n", mode);
        return 2;
    }
    int linger = -1;  /* PUSH: every message reaches the peer before term returns */
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(s);
    zmq_ctx_term(ctx);
    free(buf);
    return 0;
}
