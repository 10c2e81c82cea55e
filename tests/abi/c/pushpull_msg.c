/* PUSH/PULL multipart through zmq_msg_*: init_size + data, SNDMORE, more/get,
 * copy, move, close; init_data's free function called exactly once; data
 * pointers stable until close; zmq_msg_more after close; sendmsg/recvmsg;
 * zmq_send_const; sendiov/recviov (libzmq test_iov). */
#include "testutil.h"
#include <sys/uio.h>

static int freed;
static void *freed_data;
static void *freed_hint;

static void free_fn (void *data, void *hint)
{
    freed++;
    freed_data = data;
    freed_hint = hint;
    free (data);
}

static void send_part (void *s, const char *text, int flags)
{
    zmq_msg_t msg;
    size_t n = strlen (text);
    CHECK (zmq_msg_init_size (&msg, n) == 0);
    CHECK (zmq_msg_size (&msg) == n);
    memcpy (zmq_msg_data (&msg), text, n);
    CHECK (zmq_msg_send (&msg, s, flags) == (int) n);
    /* after a successful send the message is empty and need not be closed,
       but closing it is allowed */
    CHECK (zmq_msg_size (&msg) == 0);
    CHECK (zmq_msg_close (&msg) == 0);
}

static void recv_part (void *s, const char *text, int more)
{
    zmq_msg_t msg;
    size_t n = strlen (text);
    void *data;
    CHECK (zmq_msg_init (&msg) == 0);
    CHECK (zmq_msg_recv (&msg, s, 0) == (int) n);
    CHECK (zmq_msg_size (&msg) == n);
    data = zmq_msg_data (&msg);
    CHECK (data != NULL);
    CHECK (memcmp (data, text, n) == 0);
    CHECK (zmq_msg_data (&msg) == data); /* stable */
    CHECK (zmq_msg_more (&msg) == more);
    CHECK (zmq_msg_get (&msg, ZMQ_MORE) == more);
    CHECK (zmq_msg_close (&msg) == 0);
    CHECK (zmq_msg_more (&msg) == more); /* usable after close (4.0) */
}

int main (int argc, char **argv)
{
    const char *transport = argc > 1 ? argv[1] : "inproc";
    char endpoint[256], buf[64];
    void *ctx, *push, *pull;
    zmq_msg_t a, b, c;
    char *heap;
    static const char constant[] = "constant";
    struct iovec iov[10];
    size_t count;
    int i;

    setup_test (60);
    ctx = zmq_ctx_new ();
    push = zmq_socket (ctx, ZMQ_PUSH);
    pull = zmq_socket (ctx, ZMQ_PULL);
    bind_any (pull, transport, endpoint, sizeof endpoint);
    CHECK (zmq_connect (push, endpoint) == 0);

    /* a 3-part message */
    send_part (push, "first", ZMQ_SNDMORE);
    send_part (push, "second", ZMQ_SNDMORE);
    send_part (push, "third and last", 0);
    recv_part (pull, "first", 1);
    recv_part (pull, "second", 1);
    recv_part (pull, "third and last", 0);

    /* empty message */
    CHECK (zmq_msg_init (&a) == 0);
    CHECK (zmq_msg_size (&a) == 0);
    CHECK (zmq_msg_send (&a, push, 0) == 0);
    CHECK (zmq_msg_close (&a) == 0);
    recv_part (pull, "", 0);

    /* zero-copy: the free function runs exactly once, after the last copy */
    heap = malloc (100);
    CHECK (heap);
    memset (heap, 'z', 100);
    CHECK (zmq_msg_init_data (&a, heap, 100, free_fn, (void *) 0x1234) == 0);
    CHECK (zmq_msg_data (&a) == heap); /* no copy */
    CHECK (zmq_msg_init (&b) == 0);
    CHECK (zmq_msg_copy (&b, &a) == 0);
    CHECK (zmq_msg_size (&b) == 100);
    CHECK (zmq_msg_init (&c) == 0);
    CHECK (zmq_msg_move (&c, &a) == 0);
    CHECK (zmq_msg_size (&a) == 0);
    CHECK (zmq_msg_size (&c) == 100);
    CHECK (zmq_msg_close (&a) == 0);
    CHECK (zmq_msg_send (&c, push, 0) == 100);
    CHECK (zmq_msg_close (&c) == 0);
    CHECK (freed == 0); /* b still refers to it, and the pipe does */
    CHECK (zmq_msg_close (&b) == 0);
    CHECK (zmq_recv (pull, buf, sizeof buf, 0) == 100);
    CHECK (buf[0] == 'z' && buf[63] == 'z');
    for (i = 0; i < 100 && freed == 0; i++)
        usleep (10000); /* received and dropped: released from any thread */
    CHECK (freed == 1);
    CHECK (freed_data == heap && freed_hint == (void *) 0x1234);

    /* a failed send leaves the message with the caller */
    heap = malloc (8);
    memcpy (heap, "retained", 8);
    CHECK (zmq_msg_init_data (&a, heap, 8, free_fn, NULL) == 0);
    CHECK_FAILS (zmq_msg_send (&a, pull, 0), ENOTSUP); /* PULL cannot send */
    CHECK (zmq_msg_size (&a) == 8);
    CHECK (memcmp (zmq_msg_data (&a), "retained", 8) == 0);
    CHECK (zmq_msg_close (&a) == 0);
    CHECK (freed == 2);

    /* init_data without a free function: constant data */
    CHECK (zmq_msg_init_data (&a, (void *) constant, 8, NULL, NULL) == 0);
    CHECK (zmq_msg_send (&a, push, 0) == 8);
    CHECK (zmq_msg_close (&a) == 0);
    recv_part (pull, "constant", 0);

    /* zmq_send_const */
    CHECK (zmq_send_const (push, constant, 3, ZMQ_SNDMORE) == 3);
    CHECK (zmq_send_const (push, constant, 8, 0) == 8);
    recv_part (pull, "con", 1);
    recv_part (pull, "constant", 0);

    /* a received message's data is writable and can be sent on */
    s_send (push, "mutable", 0);
    CHECK (zmq_msg_init (&a) == 0);
    CHECK (zmq_recvmsg (pull, &a, 0) == 7);
    ((char *) zmq_msg_data (&a))[0] = 'M';
    CHECK (zmq_sendmsg (push, &a, 0) == 7);
    CHECK (zmq_msg_close (&a) == 0);
    recv_part (pull, "Mutable", 0);
    /* one-byte frames too (CPython shares one-byte bytes objects) */
    s_send (push, "x", 0);
    CHECK (zmq_msg_init (&a) == 0);
    CHECK (zmq_msg_recv (&a, pull, 0) == 1);
    ((char *) zmq_msg_data (&a))[0] = 'y';
    CHECK (zmq_msg_close (&a) == 0);
    s_send (push, "x", 0);
    recv_part (pull, "x", 0);

    /* zmq_msg_set: nothing is settable in 4.0 */
    CHECK (zmq_msg_init (&a) == 0);
    CHECK_FAILS (zmq_msg_set (&a, ZMQ_MORE, 1), EINVAL);
    CHECK_FAILS (zmq_msg_get (&a, 42), EINVAL);
    CHECK (zmq_msg_close (&a) == 0);

    /* sendiov needs ZMQ_SNDMORE to make one message (4.0 quirk) */
    for (i = 0; i < 10; i++) {
        iov[i].iov_base = i % 2 ? "0123456789" : "abcdefghijklmnopqrstuvwxyz";
        iov[i].iov_len = i % 2 ? 10 : 26;
    }
    CHECK (zmq_sendiov (push, iov, 10, ZMQ_SNDMORE) == 10);
    memset (iov, 0, sizeof iov);
    count = 10;
    CHECK (zmq_recviov (pull, iov, &count, 0) == 10);
    CHECK (count == 10);
    for (i = 0; i < 10; i++) {
        CHECK (iov[i].iov_len == (i % 2 ? 10u : 26u));
        CHECK (memcmp (iov[i].iov_base,
                       i % 2 ? "0123456789" : "abcdefghijklmnopqrstuvwxyz",
                       iov[i].iov_len)
               == 0);
        free (iov[i].iov_base);
    }
    /* recviov stops after the last frame of a message */
    s_send (push, "p1", ZMQ_SNDMORE);
    s_send (push, "p2", 0);
    count = 5;
    CHECK (zmq_recviov (pull, iov, &count, 0) == 2);
    CHECK (count == 2 && iov[1].iov_len == 2);
    free (iov[0].iov_base);
    free (iov[1].iov_base);

    CHECK (zmq_close (push) == 0);
    CHECK (zmq_close (pull) == 0);
    CHECK (zmq_ctx_term (ctx) == 0);
    puts ("ok");
    return 0;
}
