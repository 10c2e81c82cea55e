/* Bad input never crashes and sets errno as libzmq does: NULL, stale,
 * foreign and wrong-kind handles (ENOTSOCK for sockets, EFAULT for
 * contexts), zero-length and huge buffers, wrong option sizes through
 * zmq_setsockopt(void *, size_t), zmq_msg_* on uninitialised, zeroed,
 * forged and closed messages (EFAULT). */
#include "testutil.h"
#include <stdint.h>
#include <sys/uio.h>

static int freed;
static void free_fn (void *data, void *hint)
{
    (void) data;
    (void) hint;
    freed++;
}

static void bad_socket (void *bad)
{
    char buf[8];
    int value = 0;
    size_t size = sizeof value;
    zmq_msg_t msg;
    struct iovec iov = {buf, 1};
    size_t count = 1;
    CHECK_FAILS (zmq_send (bad, "x", 1, 0), ENOTSOCK);
    CHECK_FAILS (zmq_send_const (bad, "x", 1, 0), ENOTSOCK);
    CHECK_FAILS (zmq_recv (bad, buf, sizeof buf, ZMQ_DONTWAIT), ENOTSOCK);
    CHECK_FAILS (zmq_bind (bad, "inproc://bad"), ENOTSOCK);
    CHECK_FAILS (zmq_connect (bad, "inproc://bad"), ENOTSOCK);
    CHECK_FAILS (zmq_unbind (bad, "inproc://bad"), ENOTSOCK);
    CHECK_FAILS (zmq_disconnect (bad, "inproc://bad"), ENOTSOCK);
    CHECK_FAILS (zmq_setsockopt (bad, ZMQ_LINGER, &value, sizeof value), ENOTSOCK);
    CHECK_FAILS (zmq_getsockopt (bad, ZMQ_LINGER, &value, &size), ENOTSOCK);
    CHECK_FAILS (zmq_socket_monitor (bad, "inproc://mon", ZMQ_EVENT_ALL), ENOTSOCK);
    CHECK_FAILS (zmq_sendiov (bad, &iov, 1, 0), ENOTSOCK);
    CHECK_FAILS (zmq_recviov (bad, &iov, &count, 0), ENOTSOCK);
    CHECK (zmq_msg_init (&msg) == 0);
    CHECK_FAILS (zmq_msg_send (&msg, bad, 0), ENOTSOCK);
    CHECK_FAILS (zmq_msg_recv (&msg, bad, ZMQ_DONTWAIT), ENOTSOCK);
    CHECK_FAILS (zmq_sendmsg (bad, &msg, 0), ENOTSOCK);
    CHECK_FAILS (zmq_recvmsg (bad, &msg, ZMQ_DONTWAIT), ENOTSOCK);
    CHECK (zmq_msg_close (&msg) == 0);
    CHECK_FAILS (zmq_close (bad), ENOTSOCK);
    {
        zmq_pollitem_t item = {bad, 0, ZMQ_POLLIN, 0};
        if (bad != NULL) /* a NULL socket means "use the fd" */
            CHECK_FAILS (zmq_poll (&item, 1, 0), ENOTSOCK);
    }
}

static void bad_context (void *bad)
{
    CHECK_FAILS (zmq_ctx_term (bad), EFAULT);
    CHECK_FAILS (zmq_term (bad), EFAULT);
    CHECK_FAILS (zmq_ctx_destroy (bad), EFAULT);
    CHECK_FAILS (zmq_ctx_shutdown (bad), EFAULT);
    CHECK_FAILS (zmq_ctx_set (bad, ZMQ_IO_THREADS, 1), EFAULT);
    CHECK_FAILS (zmq_ctx_get (bad, ZMQ_IO_THREADS), EFAULT);
    CHECK_NULL (zmq_socket (bad, ZMQ_PAIR), EFAULT);
}

static void bad_message (zmq_msg_t *bad)
{
    zmq_msg_t good;
    CHECK (zmq_msg_init (&good) == 0);
    CHECK_FAILS (zmq_msg_close (bad), EFAULT);
    CHECK_FAILS (zmq_msg_move (&good, bad), EFAULT);
    CHECK_FAILS (zmq_msg_move (bad, &good), EFAULT);
    CHECK_FAILS (zmq_msg_copy (&good, bad), EFAULT);
    CHECK_FAILS (zmq_msg_copy (bad, &good), EFAULT);
    CHECK_NULL (zmq_msg_data (bad), EFAULT);
    errno = 0;
    CHECK (zmq_msg_size (bad) == 0 && zmq_errno () == EFAULT);
    CHECK (zmq_msg_close (&good) == 0);
}

int main (void)
{
    void *ctx, *ctx2, *s, *peer, *closed;
    int stack_var = 0, value, i;
    char buf[64], canary[16];
    size_t size;
    zmq_msg_t msg, copy;
    uint64_t u64 = 0;

    setup_test (60);
    ctx = zmq_ctx_new ();
    s = zmq_socket (ctx, ZMQ_PAIR);
    peer = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (zmq_bind (s, "inproc://bad-input") == 0);
    CHECK (zmq_connect (peer, "inproc://bad-input") == 0);

    /* handles: NULL, a readable non-handle, unmapped addresses, wrong kinds */
    bad_socket (NULL);
    bad_socket (&stack_var);
    bad_socket ((void *) 0x1234);
    bad_socket ((void *) ~(uintptr_t) 0);
    bad_socket (ctx);
    bad_context (NULL);
    bad_context (&stack_var);
    bad_context ((void *) 0x1234);
    bad_context (s);

    /* a closed socket, even after its slot is reused */
    closed = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (zmq_close (closed) == 0);
    bad_socket (closed);
    {
        void *again = zmq_socket (ctx, ZMQ_PUSH);
        CHECK (again && again != closed);
        bad_socket (closed);
        CHECK (zmq_close (again) == 0);
    }

    /* a socket of another context is still a socket */
    ctx2 = zmq_ctx_new ();
    {
        void *other = zmq_socket (ctx2, ZMQ_PAIR);
        zmq_pollitem_t items[2] = {{s, 0, ZMQ_POLLIN, 0}, {other, 0, ZMQ_POLLIN, 0}};
        CHECK (zmq_poll (items, 2, 0) == 0);
        CHECK (zmq_close (other) == 0);
    }
    CHECK (zmq_ctx_term (ctx2) == 0);
    bad_context (ctx2); /* terminated */

    /* contexts and socket types */
    CHECK_NULL (zmq_socket (ctx, 12), EINVAL);
    CHECK_NULL (zmq_socket (ctx, -1), EINVAL);
    CHECK_FAILS (zmq_ctx_set (ctx, 999, 1), EINVAL);
    CHECK_FAILS (zmq_ctx_set (ctx, ZMQ_IO_THREADS, -1), EINVAL);
    CHECK_FAILS (zmq_ctx_get (ctx, 999), EINVAL);
    CHECK_NULL (zmq_init (-1), EINVAL);

    /* endpoints */
    CHECK_FAILS (zmq_bind (s, NULL), EINVAL);
    CHECK_FAILS (zmq_connect (s, NULL), EINVAL);
    CHECK_FAILS (zmq_bind (s, "nonsense"), EINVAL);
    CHECK_FAILS (zmq_bind (s, "bogus://x"), EPROTONOSUPPORT);
    CHECK_FAILS (zmq_unbind (s, "inproc://never-bound"), ENOENT);

    /* zero-length and NULL buffers */
    CHECK (zmq_send (peer, NULL, 0, 0) == 0);
    CHECK (zmq_recv (s, NULL, 0, 0) == 0);
    s_send (peer, "truncated", 0);
    CHECK (zmq_recv (s, NULL, 0, 0) == 9); /* size reported, nothing written */
    CHECK_FAILS (zmq_send (peer, NULL, 5, 0), EFAULT);
    CHECK_FAILS (zmq_recv (s, NULL, 5, ZMQ_DONTWAIT), EFAULT);
    CHECK_FAILS (zmq_send_const (peer, NULL, 5, 0), EFAULT);

    /* huge lengths: refused or harmless, never read */
    CHECK_FAILS (zmq_send (peer, buf, SIZE_MAX, 0), ENOMEM);
    CHECK_FAILS (zmq_send_const (peer, buf, SIZE_MAX, 0), ENOMEM);
    CHECK_FAILS (zmq_recv (s, buf, SIZE_MAX, ZMQ_DONTWAIT), EAGAIN);
    CHECK_FAILS (zmq_msg_init_size (&msg, SIZE_MAX), ENOMEM);
    CHECK_FAILS (zmq_msg_init_size (&msg, (size_t) 1 << 62), ENOMEM);

    /* option sizes */
    value = 0;
    CHECK_FAILS (zmq_setsockopt (s, ZMQ_LINGER, &value, 0), EINVAL);
    CHECK_FAILS (zmq_setsockopt (s, ZMQ_LINGER, &value, 2), EINVAL);
    CHECK_FAILS (zmq_setsockopt (s, ZMQ_LINGER, &value, 8), EINVAL);
    CHECK_FAILS (zmq_setsockopt (s, ZMQ_LINGER, &value, SIZE_MAX), EINVAL);
    CHECK_FAILS (zmq_setsockopt (s, ZMQ_LINGER, NULL, sizeof value), EINVAL);
    CHECK_FAILS (zmq_setsockopt (s, ZMQ_AFFINITY, &value, sizeof value), EINVAL);
    CHECK (zmq_setsockopt (s, ZMQ_AFFINITY, &u64, sizeof u64) == 0);
    CHECK_FAILS (zmq_setsockopt (s, 9999, &value, sizeof value), EINVAL);
    CHECK_FAILS (zmq_setsockopt (s, -1, &value, sizeof value), EINVAL);
    CHECK_FAILS (zmq_setsockopt (s, 9999, buf, SIZE_MAX), EINVAL);
    memset (buf, 'i', sizeof buf);
    {
        char identity[300];
        memset (identity, 'i', sizeof identity);
        CHECK_FAILS (zmq_setsockopt (s, ZMQ_IDENTITY, identity, 256), EINVAL);
        CHECK_FAILS (zmq_setsockopt (s, ZMQ_IDENTITY, NULL, 5), EINVAL);
    }
    CHECK_FAILS (zmq_setsockopt (s, ZMQ_RCVMORE, &value, sizeof value), EINVAL);

    size = sizeof value;
    CHECK_FAILS (zmq_getsockopt (s, ZMQ_LINGER, &value, NULL), EFAULT);
    CHECK_FAILS (zmq_getsockopt (s, ZMQ_LINGER, NULL, &size), EFAULT);
    size = 2;
    CHECK_FAILS (zmq_getsockopt (s, ZMQ_LINGER, &value, &size), EINVAL);
    size = 4;
    CHECK_FAILS (zmq_getsockopt (s, ZMQ_AFFINITY, &u64, &size), EINVAL);
    size = sizeof value;
    CHECK_FAILS (zmq_getsockopt (s, 9999, &value, &size), EINVAL);
    CHECK_FAILS (zmq_getsockopt (s, ZMQ_SUBSCRIBE, &value, &size), EINVAL);
    /* a string option with too small a buffer writes nothing */
    memset (canary, 'c', sizeof canary);
    size = 4;
    CHECK_FAILS (zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, canary, &size), EINVAL);
    for (i = 0; i < (int) sizeof canary; i++)
        CHECK (canary[i] == 'c');
    /* LINGER's -1 is a value, not an error */
    value = -1;
    CHECK (zmq_setsockopt (s, ZMQ_LINGER, &value, sizeof value) == 0);
    value = 0;
    CHECK (get_int (s, ZMQ_LINGER) == -1);
    size = sizeof buf;
    CHECK (zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, buf, &size) == 0);
    CHECK (size == strlen ("inproc://bad-input") + 1);
    CHECK (strcmp (buf, "inproc://bad-input") == 0);

    /* messages: uninitialised, zeroed, NULL, forged, closed */
    memset (&msg, 0xAB, sizeof msg);
    bad_message (&msg);
    memset (&msg, 0, sizeof msg);
    bad_message (&msg);
    bad_message (NULL);
    CHECK_FAILS (zmq_msg_init (NULL), EFAULT);
    CHECK_FAILS (zmq_msg_init_size (NULL, 4), EFAULT);
    CHECK_FAILS (zmq_msg_init_data (NULL, buf, 4, free_fn, NULL), EFAULT);
    CHECK_FAILS (zmq_msg_init_data (&msg, NULL, 4, free_fn, NULL), EFAULT);
    CHECK (freed == 0);
    CHECK (zmq_msg_init_size (&msg, 10) == 0);
    memcpy (&copy, &msg, sizeof msg);
    /* a forged slot number in otherwise valid-looking bytes */
    ((uint32_t *) &copy)[2] = 0xFFFFFF;
    bad_message (&copy);
    memcpy (&copy, &msg, sizeof msg);
    CHECK (zmq_msg_close (&msg) == 0);
    bad_message (&msg);  /* closed */
    bad_message (&copy); /* a byte copy of a message closed since */
    CHECK_FAILS (zmq_msg_send (&msg, s, 0), EFAULT);
    CHECK_FAILS (zmq_msg_recv (&msg, s, ZMQ_DONTWAIT), EFAULT);
    CHECK (zmq_msg_more (&msg) == 0);
    CHECK_FAILS (zmq_msg_set (&msg, ZMQ_MORE, 1), EINVAL);

    /* poll, proxy, z85, keys, iov */
    CHECK_FAILS (zmq_poll (NULL, 1, 0), EFAULT);
    {
        zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
        CHECK_FAILS (zmq_poll (&item, -1, 0), EINVAL);
    }
    CHECK_FAILS (zmq_proxy (NULL, s, NULL), EFAULT);
    CHECK_FAILS (zmq_proxy (s, (void *) 0x1234, NULL), ENOTSOCK);
    CHECK_FAILS (zmq_device (ZMQ_QUEUE, &stack_var, s), ENOTSOCK);
    CHECK_NULL (zmq_z85_encode (NULL, (uint8_t *) buf, 4), EFAULT);
    CHECK_NULL (zmq_z85_encode (buf, NULL, 4), EFAULT);
    CHECK_NULL (zmq_z85_decode (NULL, "HelloWorld"), EFAULT);
    CHECK_NULL (zmq_z85_decode ((uint8_t *) buf, NULL), EFAULT);
    CHECK_FAILS (zmq_curve_keypair (NULL, buf), EFAULT);
    CHECK_FAILS (zmq_recviov (s, NULL, NULL, 0), EFAULT);
    CHECK_FAILS (zmq_sendiov (s, NULL, 3, 0), EFAULT);
    zmq_version (NULL, NULL, NULL);
    CHECK (zmq_strerror (123456) != NULL);
    CHECK (zmq_stopwatch_stop (NULL) == 0);

    CHECK (zmq_close (s) == 0);
    CHECK (zmq_close (peer) == 0);
    CHECK (zmq_ctx_term (ctx) == 0);
    bad_socket (s); /* closed, context gone */
    bad_context (ctx);
    CHECK (freed == 0);
    puts ("ok");
    return 0;
}
