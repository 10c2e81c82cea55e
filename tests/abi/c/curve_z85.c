/* zmq_curve_keypair + Z85 (RFC 32): key pairs, the RFC test vector, round
 * trips, EINVAL on bad sizes, and CURVE key options in both forms. */
#include "testutil.h"

int main (void)
{
    char public_key[41], secret_key[41], text[64];
    uint8_t raw[32], raw2[32], back[32];
    static uint8_t vector[8] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
    size_t size;
    void *ctx, *s;
    int i;

    setup_test (60);
    memset (public_key, 'x', sizeof public_key);
    memset (secret_key, 'x', sizeof secret_key);
    CHECK (zmq_curve_keypair (public_key, secret_key) == 0);
    CHECK (strlen (public_key) == 40 && strlen (secret_key) == 40);
    CHECK (strcmp (public_key, secret_key) != 0);

    /* RFC 32 test vector */
    CHECK (zmq_z85_encode (text, vector, 8) == text);
    CHECK (strcmp (text, "HelloWorld") == 0);
    CHECK (zmq_z85_decode (raw, "HelloWorld") == raw);
    CHECK (memcmp (raw, vector, 8) == 0);

    /* round trip of a generated key */
    CHECK (zmq_z85_decode (raw, public_key) == raw);
    CHECK (zmq_z85_encode (text, raw, 32) == text);
    CHECK (strcmp (text, public_key) == 0);

    /* two key pairs differ */
    {
        char p2[41], s2[41];
        CHECK (zmq_curve_keypair (p2, s2) == 0);
        CHECK (strcmp (p2, public_key) != 0);
    }

    /* sizes: encode needs a multiple of 4 bytes, decode of 5 characters */
    CHECK_NULL (zmq_z85_encode (text, raw, 31), EINVAL);
    CHECK (zmq_z85_decode (raw, "Hello") == raw);
    CHECK (memcmp (raw, vector, 4) == 0);
    CHECK_NULL (zmq_z85_decode (raw, "HelloWorl"), EINVAL);

    /* key options: Z85 (40 chars + NUL) in, raw (32) and Z85 (41) out */
    ctx = zmq_ctx_new ();
    s = zmq_socket (ctx, ZMQ_DEALER);
    CHECK (zmq_setsockopt (s, ZMQ_CURVE_PUBLICKEY, public_key, 40) == 0);
    CHECK (zmq_setsockopt (s, ZMQ_CURVE_SECRETKEY, secret_key, 41) == 0);
    CHECK (get_int (s, ZMQ_MECHANISM) == ZMQ_CURVE);
    size = 32;
    CHECK (zmq_getsockopt (s, ZMQ_CURVE_PUBLICKEY, raw2, &size) == 0);
    CHECK (size == 32);
    CHECK (zmq_z85_decode (back, public_key) == back);
    CHECK (memcmp (raw2, back, 32) == 0);
    size = 41;
    memset (text, 'x', sizeof text);
    CHECK (zmq_getsockopt (s, ZMQ_CURVE_SECRETKEY, text, &size) == 0);
    CHECK (strcmp (text, secret_key) == 0);
    /* raw 32-byte key in */
    for (i = 0; i < 32; i++)
        raw[i] = (uint8_t) i;
    CHECK (zmq_setsockopt (s, ZMQ_CURVE_SERVERKEY, raw, 32) == 0);
    size = 32;
    CHECK (zmq_getsockopt (s, ZMQ_CURVE_SERVERKEY, raw2, &size) == 0);
    CHECK (memcmp (raw, raw2, 32) == 0);
    /* libzmq test_security_curve: a 123-byte key is EINVAL */
    {
        char long_key[123];
        memset (long_key, 'a', sizeof long_key);
        CHECK_FAILS (zmq_setsockopt (s, ZMQ_CURVE_SERVERKEY, long_key, 123),
                     EINVAL);
    }
    /* a 40-character key with a character outside the alphabet */
    CHECK_FAILS (zmq_setsockopt (s, ZMQ_CURVE_PUBLICKEY,
                                 "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~", 40),
                 EINVAL);
    /* CURVE_SERVER makes it a server */
    set_int (s, ZMQ_CURVE_SERVER, 1);
    CHECK (get_int (s, ZMQ_CURVE_SERVER) == 1);
    CHECK (zmq_close (s) == 0);
    CHECK (zmq_ctx_term (ctx) == 0);
    puts ("ok");
    return 0;
}
