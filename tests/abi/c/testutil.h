/*
 * testutil.h -- helpers for the C programs of tests/abi (libzmq's testutil.hpp, in C).
 *
 * Each program prints "ok" and exits 0 on success; CHECK prints the failing
 * expression with errno and exits 1.  alarm() turns a hang into a failure.
 */
#ifndef ZMQ4_TESTUTIL_H
#define ZMQ4_TESTUTIL_H

#include <zmq.h>
#include <zmq_utils.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK(expr)                                                          \
    do {                                                                     \
        if (!(expr)) {                                                       \
            int e_ = zmq_errno ();                                           \
            fprintf (stderr, "%s:%d: CHECK failed: %s (errno %d: %s)\n",    \
                     __FILE__, __LINE__, #expr, e_, zmq_strerror (e_));      \
            fflush (stdout);                                                 \
            exit (1);                                                        \
        }                                                                    \
    } while (0)


#define CHECK_FAILS(expr, code)                                              \
    do {                                                                     \
        errno = 0;                                                           \
        long rc_ = (long) (expr);                                            \
        int e_ = zmq_errno ();                                               \
        if (rc_ != -1 || e_ != (code)) {                                     \
            fprintf (stderr, "%s:%d: %s gave %ld / errno %d (%s), "          \
                     "expected -1 / %s\n", __FILE__, __LINE__, #expr, rc_,  \
                     e_, zmq_strerror (e_), #code);                          \
            exit (1);                                                        \
        }                                                                    \
    } while (0)

#define CHECK_NULL(expr, code)                                               \
    do {                                                                     \
        errno = 0;                                                           \
        void *p_ = (void *) (expr);                                          \
        int e_ = zmq_errno ();                                               \
        if (p_ != NULL || e_ != (code)) {                                    \
            fprintf (stderr, "%s:%d: %s gave %p / errno %d (%s), "           \
                     "expected NULL / %s\n", __FILE__, __LINE__, #expr, p_, \
                     e_, zmq_strerror (e_), #code);                          \
            exit (1);                                                        \
        }                                                                    \
    } while (0)

static inline void setup_test (int seconds)
{
    alarm ((unsigned) seconds); /* SIGALRM kills a hung test */
    setvbuf (stdout, NULL, _IOLBF, 0);
}

/* send a string frame */
static inline void s_send (void *s, const char *text, int flags)
{
    int n = (int) strlen (text);
    CHECK (zmq_send (s, text, (size_t) n, flags) == n);
}

/* receive a frame and compare it with text; check RCVMORE == more */
static inline void s_expect (void *s, const char *text, int more)
{
    char buf[256];
    int n = zmq_recv (s, buf, sizeof buf - 1, 0);
    int rcvmore = -1;
    size_t sz = sizeof rcvmore;
    CHECK (n >= 0);
    buf[n < (int) sizeof buf - 1 ? n : (int) sizeof buf - 1] = 0;
    if (strcmp (buf, text) != 0) {
        fprintf (stderr, "expected \"%s\", received \"%s\"\n", text, buf);
        exit (1);
    }
    CHECK (zmq_getsockopt (s, ZMQ_RCVMORE, &rcvmore, &sz) == 0);
    CHECK (sz == sizeof (int));
    if (rcvmore != more) {
        fprintf (stderr, "after \"%s\": RCVMORE %d, expected %d\n", text, rcvmore,
                 more);
        exit (1);
    }
}

/* REQ/REP style bounce: client sends 2 parts, server echoes them */
static inline void bounce (void *server, void *client)
{
    s_send (client, "ABC", ZMQ_SNDMORE);
    s_send (client, "DEFGH", 0);
    s_expect (server, "ABC", 1);
    s_expect (server, "DEFGH", 0);
    s_send (server, "ABC", ZMQ_SNDMORE);
    s_send (server, "DEFGH", 0);
    s_expect (client, "ABC", 1);
    s_expect (client, "DEFGH", 0);
}

static inline void set_int (void *s, int option, int value)
{
    CHECK (zmq_setsockopt (s, option, &value, sizeof value) == 0);
}

static inline int get_int (void *s, int option)
{
    int value = -12345;
    size_t sz = sizeof value;
    CHECK (zmq_getsockopt (s, option, &value, &sz) == 0);
    CHECK (sz == sizeof value);
    return value;
}

/* bind to a fresh endpoint of `transport` and copy the connect address */
static inline void bind_any (void *s, const char *transport, char *endpoint,
                             size_t size)
{
    static int counter;
    if (strcmp (transport, "tcp") == 0) {
        CHECK (zmq_bind (s, "tcp://127.0.0.1:*") == 0);
        CHECK (zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
    } else {
        snprintf (endpoint, size, "inproc://ep-%d-%d", (int) getpid (),
                  counter++);
        CHECK (zmq_bind (s, endpoint) == 0);
    }
}

static inline void close_zero_linger (void *s)
{
    set_int (s, ZMQ_LINGER, 0);
    CHECK (zmq_close (s) == 0);
}

/* wait up to timeout_ms for POLLIN on s */
static inline int wait_in (void *s, long timeout_ms)
{
    zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    int rc = zmq_poll (&item, 1, timeout_ms);
    CHECK (rc >= 0);
    return rc;
}

#endif
