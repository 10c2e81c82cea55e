/* libzmq's perf tools in one C program, written against the 4.0 zmq.h and built twice by
   bench/c_perf.py: once linked to zmq4's shim, once to real libzmq (pyzmq's copy).

     c_perf local_thr  <bind>    <size> <count>   PULL: prints "endpoint" then msg/s
     c_perf remote_thr <connect> <size> <count>   PUSH
     c_perf local_lat  <bind>    <size> <count>   REP: prints "endpoint", echoes
     c_perf remote_lat <connect> <size> <count>   REQ: prints one-way latency in us
                                                  (mean p50 p99 of the round trips / 2)
     c_perf inproc_thr -         <size> <count>   PUSH thread -> PULL: prints msg/s
     c_perf inproc_lat -         <size> <count>   REQ thread <-> REP: as remote_lat

   A fifth argument "msg" sends and receives through zmq_msg_t, as libzmq's own perf tools
   do (zmq_msg_init_size + zmq_msg_send + zmq_msg_close per message sent; zmq_msg_recv +
   zmq_msg_size into one zmq_msg_t per message received); the default is zmq_send/zmq_recv
   with caller buffers. A zmq_msg_t is 32 bytes in libzmq 4.0 (our header) and 64 in the 4.3
   that pyzmq bundles, so each one here sits in 64 bytes. */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static int use_msg; /* argv[5] == "msg" */

typedef union { zmq_msg_t m; unsigned char room[64]; } msg64;

/* One message out: zmq_send, or libzmq perf tools' zmq_msg_* sequence. */
static int xsend(void *s, const char *buf, size_t size, int flags) {
    msg64 msg;
    int rc;
    if (!use_msg)
        return zmq_send(s, buf, size, flags);
    if (zmq_msg_init_size(&msg.m, size) != 0)
        return -1;
    if (size)
        memcpy(zmq_msg_data(&msg.m), buf, size);
    rc = zmq_msg_send(&msg.m, s, flags);
    zmq_msg_close(&msg.m);
    return rc;
}

/* One message in: zmq_recv into buf, or zmq_msg_recv into a kept zmq_msg_t. */
static int xrecv(void *s, char *buf, size_t size, int flags) {
    static __thread msg64 msg;
    static __thread int ready;
    int rc;
    if (!use_msg)
        return zmq_recv(s, buf, size, flags);
    if (!ready && zmq_msg_init(&msg.m) == 0)
        ready = 1;
    rc = zmq_msg_recv(&msg.m, s, flags);
    if (rc >= 0 && zmq_msg_size(&msg.m) != (size_t) rc)
        return -1;
    return rc;
}

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

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

/* REQ round trips on s: prints the one-way latency (mean, p50, p99) in us. */
static void req_loop(void *s, char *buf, size_t size, long count) {
    double *rtt = malloc(sizeof(double) * (size_t) (count > 1 ? count : 1));
    long i;
    if (!rtt) die("malloc");
    if (xsend(s, buf, size, 0) < 0 || xrecv(s, buf, size, 0) < 0) die("warm-up");
    double start = now();
    for (i = 1; i < count; i++) {
        double t0 = now();
        if (xsend(s, buf, size, 0) < 0) die("zmq_send");
        if (xrecv(s, buf, size, 0) < 0) die("zmq_recv");
        rtt[i - 1] = now() - t0;
    }
    double elapsed = now() - start;
    long n = count - 1;
    qsort(rtt, (size_t) n, sizeof(double), cmp_double);
    printf("%.2f %.2f %.2f\n", elapsed / n / 2 * 1e6, rtt[n / 2] / 2 * 1e6,
           rtt[(long) (n * 0.99)] / 2 * 1e6);
    free(rtt);
}

struct peer { void *ctx; size_t size; long count; int type; };

/* The other thread of inproc_thr (PUSH: count messages) and inproc_lat (REQ loop). */
static void *inproc_peer(void *arg) {
    struct peer *p = arg;
    char *buf = calloc(p->size ? p->size : 1, 1);
    void *s = connected(p->ctx, p->type, "inproc://c_perf");
    long i;
    if (!buf) die("calloc");
    if (p->type == ZMQ_PUSH) {
        for (i = 0; i < p->count; i++)
            if (xsend(s, buf, p->size, 0) < 0) die("zmq_send");
    } else {
        req_loop(s, buf, p->size, p->count);
    }
    zmq_close(s);
    free(buf);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 5 && !(argc == 6 && strcmp(argv[5], "msg") == 0)) {
        fprintf(stderr, "usage: c_perf local_thr|remote_thr|local_lat|remote_lat|"
                        "inproc_thr|inproc_lat <endpoint> <size> <count> [msg]\n");
        return 2;
    }
    const char *mode = argv[1], *endpoint = argv[2];
    use_msg = argc == 6;
    size_t size = (size_t) atol(argv[3]);
    long count = atol(argv[4]);
    char *buf = calloc(size ? size : 1, 1);
    void *ctx = zmq_ctx_new();
    void *s;
    long i;
    if (!buf || !ctx) die("setup");

    if (strcmp(mode, "local_thr") == 0) {
        s = bound(ctx, ZMQ_PULL, endpoint);
        if (xrecv(s, buf, size, 0) < 0) die("zmq_recv");
        double start = now();
        for (i = 1; i < count; i++)
            if (xrecv(s, buf, size, 0) < 0) die("zmq_recv");
        double elapsed = now() - start;
        printf("%.0f\n", (count - 1) / elapsed);
    } else if (strcmp(mode, "remote_thr") == 0) {
        s = connected(ctx, ZMQ_PUSH, endpoint);
        for (i = 0; i < count; i++)
            if (xsend(s, buf, size, 0) < 0) die("zmq_send");
    } else if (strcmp(mode, "local_lat") == 0) {
        s = bound(ctx, ZMQ_REP, endpoint);
        for (i = 0; i < count; i++) {
            int n = xrecv(s, buf, size, 0);
            if (n < 0) die("zmq_recv");
            if (xsend(s, buf, size, 0) < 0) die("zmq_send");
        }
    } else if (strcmp(mode, "remote_lat") == 0) {
        s = connected(ctx, ZMQ_REQ, endpoint);
        req_loop(s, buf, size, count);
    } else if (strcmp(mode, "inproc_thr") == 0 || strcmp(mode, "inproc_lat") == 0) {
        int thr = strcmp(mode, "inproc_thr") == 0;
        struct peer p = {ctx, size, count, thr ? ZMQ_PUSH : ZMQ_REQ};
        pthread_t t;
        int hwm = 0;
        s = zmq_socket(ctx, thr ? ZMQ_PULL : ZMQ_REP);
        if (!s) die("zmq_socket");
        zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
        if (zmq_bind(s, "inproc://c_perf") != 0) die("zmq_bind");
        if (pthread_create(&t, NULL, inproc_peer, &p) != 0) die("pthread_create");
        if (thr) {
            if (xrecv(s, buf, size, 0) < 0) die("zmq_recv");
            double start = now();
            for (i = 1; i < count; i++)
                if (xrecv(s, buf, size, 0) < 0) die("zmq_recv");
            double elapsed = now() - start;
            printf("%.0f\n", (count - 1) / elapsed);
        } else {
            for (i = 0; i < count; i++) {
                if (xrecv(s, buf, size, 0) < 0) die("zmq_recv");
                if (xsend(s, buf, size, 0) < 0) die("zmq_send");
            }
        }
        pthread_join(t, NULL);
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
