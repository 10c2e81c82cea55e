/* zmq_utils.h helpers, which work without starting Python: stopwatch,
 * zmq_sleep, zmq_threadstart/zmq_threadclose; zmq_version too. */
#include "testutil.h"

static int ran;
static void *seen_arg;

static void body (void *arg)
{
    seen_arg = arg;
    usleep (20000);
    ran = 1;
}

int main (void)
{
    void *watch, *thread;
    unsigned long us;
    int major, minor, patch;

    setup_test (30);
    zmq_version (&major, &minor, &patch);
    CHECK (major == 4 && minor == 0 && patch == 10);
    watch = zmq_stopwatch_start ();
    CHECK (watch);
    usleep (30000);
    us = zmq_stopwatch_stop (watch);
    CHECK (us >= 30000 && us < 10000000);

    watch = zmq_stopwatch_start ();
    zmq_sleep (1);
    us = zmq_stopwatch_stop (watch);
    CHECK (us >= 1000000);

    thread = zmq_threadstart (body, (void *) 0x42);
    CHECK (thread);
    zmq_threadclose (thread);
    CHECK (ran == 1 && seen_arg == (void *) 0x42);
    puts ("ok");
    return 0;
}
