/* Embedded mode never finalises Python, but its atexit hooks still run and
 * its buffered stdout is flushed when the C program exits.  The test puts a
 * sitecustomize.py on PYTHONPATH that writes to sys.stdout (block-buffered,
 * stdout is a pipe) and registers an atexit hook. */
#include "testutil.h"

int main (void)
{
    void *ctx;
    setup_test (30);
    ctx = zmq_ctx_new (); /* starts Python: sitecustomize runs */
    CHECK (ctx);
    CHECK (zmq_ctx_term (ctx) == 0);
    printf ("ok\n");
    return 0;
}
