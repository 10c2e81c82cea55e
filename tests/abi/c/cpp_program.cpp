// A C++ program including zmq.h and zmq_utils.h: compiles warning-free as
// C++ and runs a REQ/REP exchange, Z85 and a key pair through the shim.
#include <zmq.h>
#include <zmq_utils.h>

#include <cstdio>
#include <cstring>
#include <string>

#define CHECK(expr)                                                          \
    do {                                                                     \
        if (!(expr)) {                                                       \
            std::fprintf (stderr, "%s:%d: %s (errno %d: %s)\n", __FILE__,   \
                          __LINE__, #expr, zmq_errno (),                     \
                          zmq_strerror (zmq_errno ()));                      \
            return 1;                                                        \
        }                                                                    \
    } while (0)

namespace
{
struct context
{
    void *handle;
    context () : handle (zmq_ctx_new ()) {}
    ~context () { zmq_ctx_term (handle); }
};
}

int main ()
{
    context ctx;
    CHECK (ctx.handle != nullptr);
    void *rep = zmq_socket (ctx.handle, ZMQ_REP);
    void *req = zmq_socket (ctx.handle, ZMQ_REQ);
    CHECK (zmq_bind (rep, "inproc://cpp") == 0);
    CHECK (zmq_connect (req, "inproc://cpp") == 0);
    const std::string hello = "hello from C++";
    CHECK (zmq_send (req, hello.data (), hello.size (), 0)
           == static_cast<int> (hello.size ()));
    zmq_msg_t msg;
    CHECK (zmq_msg_init (&msg) == 0);
    CHECK (zmq_msg_recv (&msg, rep, 0) == static_cast<int> (hello.size ()));
    std::string got (static_cast<char *> (zmq_msg_data (&msg)), zmq_msg_size (&msg));
    CHECK (got == hello);
    CHECK (zmq_msg_send (&msg, rep, 0) == static_cast<int> (hello.size ()));
    CHECK (zmq_msg_close (&msg) == 0);
    char buf[64];
    CHECK (zmq_recv (req, buf, sizeof buf, 0) == static_cast<int> (hello.size ()));
    char pub[41], sec[41];
    CHECK (zmq_curve_keypair (pub, sec) == 0);
    uint8_t raw[32];
    CHECK (zmq_z85_decode (raw, pub) == raw);
    zmq_pollitem_t items[] = {{rep, 0, ZMQ_POLLIN, 0}};
    CHECK (zmq_poll (items, 1, 0) == 0);
    void *watch = zmq_stopwatch_start ();
    CHECK (zmq_stopwatch_stop (watch) < 10000000UL);
    CHECK (zmq_close (req) == 0);
    CHECK (zmq_close (rep) == 0);
    std::puts ("ok");
    return 0;
}
