/* fork() in embedded mode (libzmq test_fork): while another thread keeps
 * calling into the library, the parent forks repeatedly; each child closes
 * the inherited socket, terminates the inherited context without hanging,
 * creates a new context and runs an exchange of its own.  With argv[1] ==
 * "tcp", children also PUSH 5 messages to the parent's PULL. */
#include "testutil.h"
#include <pthread.h>
#include <sys/wait.h>

#define FORKS 20
static void *ctx;
static volatile int stop;

static void *busy (void *arg)
{
    void *a = zmq_socket (ctx, ZMQ_PAIR), *b = zmq_socket (ctx, ZMQ_PAIR);
    char buf[8];
    (void) arg;
    CHECK (zmq_bind (a, "inproc://busy") == 0);
    CHECK (zmq_connect (b, "inproc://busy") == 0);
    while (!stop) {
        CHECK (zmq_send (a, "ping", 4, 0) == 4);
        CHECK (zmq_recv (b, buf, sizeof buf, 0) == 4);
    }
    CHECK (zmq_close (a) == 0 && zmq_close (b) == 0);
    return NULL;
}

static void child (void *inherited, const char *transport, const char *endpoint)
{
    void *c2, *rep, *req, *push;
    char buf[8];
    int i;
    alarm (30);
    /* the inherited socket and context must not be used, only released */
    CHECK (zmq_close (inherited) == 0);
    CHECK (zmq_ctx_term (ctx) == 0);
    c2 = zmq_ctx_new ();
    CHECK (c2);
    rep = zmq_socket (c2, ZMQ_REP);
    req = zmq_socket (c2, ZMQ_REQ);
    CHECK (zmq_bind (rep, "inproc://child") == 0);
    CHECK (zmq_connect (req, "inproc://child") == 0);
    bounce (rep, req);
    CHECK (zmq_close (rep) == 0 && zmq_close (req) == 0);
    if (strcmp (transport, "tcp") == 0) {
        push = zmq_socket (c2, ZMQ_PUSH);
        CHECK (zmq_connect (push, endpoint) == 0);
        for (i = 0; i < 5; i++)
            CHECK (zmq_send (push, "child", 5, 0) == 5);
        CHECK (zmq_close (push) == 0); /* default linger: delivered */
    }
    CHECK (zmq_ctx_term (c2) == 0);
    (void) buf;
    exit (0);
}

int main (int argc, char **argv)
{
    const char *transport = argc > 1 ? argv[1] : "inproc";
    char endpoint[256], buf[8];
    pthread_t t;
    void *pull;
    int i, j, status;
    pid_t pid;

    setup_test (90);
    ctx = zmq_ctx_new ();
    pull = zmq_socket (ctx, ZMQ_PULL);
    bind_any (pull, transport, endpoint, sizeof endpoint);
    CHECK (pthread_create (&t, NULL, busy, NULL) == 0);
    usleep (50000);

    for (i = 0; i < FORKS; i++) {
        fflush (stdout);
        pid = fork ();
        CHECK (pid >= 0);
        if (pid == 0)
            child (pull, transport, endpoint);
        CHECK (waitpid (pid, &status, 0) == pid);
        if (!WIFEXITED (status) || WEXITSTATUS (status) != 0) {
            fprintf (stderr, "child %d: status %d\n", i, status);
            return 1;
        }
        if (strcmp (transport, "tcp") == 0)
            for (j = 0; j < 5; j++) {
                CHECK (zmq_recv (pull, buf, sizeof buf, 0) == 5);
                CHECK (memcmp (buf, "child", 5) == 0);
            }
    }
    /* the parent's context still works */
    stop = 1;
    CHECK (pthread_join (t, NULL) == 0);
    CHECK (zmq_close (pull) == 0);
    CHECK (zmq_ctx_term (ctx) == 0);
    puts ("ok");
    return 0;
}
