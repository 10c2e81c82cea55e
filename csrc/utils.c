/*
 * utils.c -- the zmq_* functions of libzmq.so.5 that need no Python.
 *
 * zmq_version, zmq_errno and zmq_strerror behave exactly as libzmq 4.0's
 * (zmq_errno is the calling thread's C errno, which every forwarded call in
 * shim.c sets on failure; the 0MQ-specific texts equal zmq4.errors').
 * zmq_stopwatch_*, zmq_sleep and zmq_threadstart/close are libzmq's
 * zmq_utils.h helpers: a monotonic microsecond stopwatch, sleep(3), and a
 * pthread whose signals are all blocked (as libzmq's thread_t does).
 * None of these start or touch the Python interpreter.
 */

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../include/zmq.h"
#include "../include/zmq_utils.h"

void zmq_version (int *major, int *minor, int *patch)
{
    if (major)
        *major = ZMQ_VERSION_MAJOR;
    if (minor)
        *minor = ZMQ_VERSION_MINOR;
    if (patch)
        *patch = ZMQ_VERSION_PATCH;
}

int zmq_errno (void)
{
    return errno;
}

const char *zmq_strerror (int errnum)
{
    switch (errnum) {
        case EFSM:
            return "Operation cannot be accomplished in current state";
        case ENOCOMPATPROTO:
            return "The protocol is not compatible with the socket type";
        case ETERM:
            return "Context was terminated";
        case EMTHREAD:
            return "No thread available";
        default:
            return strerror (errnum);
    }
}

/* ------------------------------------------------------------------------ */
/* Stopwatch                                                                 */
/* ------------------------------------------------------------------------ */

static uint64_t now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

void *zmq_stopwatch_start (void)
{
    uint64_t *watch = (uint64_t *) malloc (sizeof (uint64_t));
    if (!watch) {
        errno = ENOMEM;
        return NULL;
    }
    *watch = now_us ();
    return watch;
}

unsigned long zmq_stopwatch_stop (void *watch_)
{
    uint64_t end = now_us (), start;
    if (!watch_) {
        errno = EFAULT;
        return 0;
    }
    start = *(uint64_t *) watch_;
    free (watch_);
    return (unsigned long) (end - start);
}

void zmq_sleep (int seconds_)
{
    if (seconds_ > 0)
        sleep ((unsigned int) seconds_);
}

/* ------------------------------------------------------------------------ */
/* Threads                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct
{
    pthread_t thread;
    zmq_thread_fn *fn;
    void *arg;
} zmq4_thread_t;

static void *thread_routine (void *arg_)
{
    zmq4_thread_t *self = (zmq4_thread_t *) arg_;
    sigset_t all;
    /* as libzmq: signals are for the application's own threads */
    sigfillset (&all);
    pthread_sigmask (SIG_BLOCK, &all, NULL);
    self->fn (self->arg);
    return NULL;
}

void *zmq_threadstart (zmq_thread_fn *func, void *arg)
{
    zmq4_thread_t *t;
    int rc;
    if (!func) {
        errno = EINVAL;
        return NULL;
    }
    t = (zmq4_thread_t *) malloc (sizeof *t);
    if (!t) {
        errno = ENOMEM;
        return NULL;
    }
    t->fn = func;
    t->arg = arg;
    rc = pthread_create (&t->thread, NULL, thread_routine, t);
    if (rc != 0) {
        free (t);
        errno = rc;
        return NULL;
    }
    return t;
}

void zmq_threadclose (void *thread)
{
    zmq4_thread_t *t = (zmq4_thread_t *) thread;
    if (!t) {
        errno = EFAULT;
        return;
    }
    pthread_join (t->thread, NULL);
    free (t);
}
