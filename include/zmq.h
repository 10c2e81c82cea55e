/*
 * zmq.h -- C API of zmq4, a Python/Cython reimplementation of ZeroMQ 4.0.
 *
 * Declares the libzmq 4.0.10 interface: the same function names, signatures,
 * types and constant values, so that programs written for libzmq 4.0 compile
 * unchanged against this header and link against the zmq4 shim library
 * (csrc/), which forwards every call into the Python package zmq4.
 *
 * Every number below is kept in step with zmq4/constants.py by
 * tests/unit/test_header_parity.py.
 *
 * Licence: MPL-2.0 (see the zmq4 project).
 */

#ifndef __ZMQ_H_INCLUDED__
#define __ZMQ_H_INCLUDED__

/* ------------------------------------------------------------------------ */
/* Version (compile-time API detection)                                      */
/* ------------------------------------------------------------------------ */

#define ZMQ_VERSION_MAJOR 4
#define ZMQ_VERSION_MINOR 0
#define ZMQ_VERSION_PATCH 10

#define ZMQ_MAKE_VERSION(major, minor, patch) \
    ((major) * 10000 + (minor) * 100 + (patch))
#define ZMQ_VERSION \
    ZMQ_MAKE_VERSION (ZMQ_VERSION_MAJOR, ZMQ_VERSION_MINOR, ZMQ_VERSION_PATCH)

/* ------------------------------------------------------------------------ */
/* System headers                                                            */
/* ------------------------------------------------------------------------ */

#if !defined _WIN32_WCE
#include <errno.h>
#endif
#include <stddef.h>
/* libzmq 4.0's zmq.h pulls in <stdio.h>, and programs written for it rely on
 * that (printf, FILE with only zmq.h included): so does this one. */
#include <stdio.h>

#if defined _WIN32
/* zmq_pollitem_t carries a SOCKET on Windows. */
#include <winsock2.h>
#endif

#if defined _MSC_VER && _MSC_VER < 1600
/* Old Microsoft compilers ship no <stdint.h>. */
#ifndef ZMQ_DEFINED_STDINT
#define ZMQ_DEFINED_STDINT 1
typedef unsigned __int8 uint8_t;
typedef unsigned __int16 uint16_t;
typedef __int32 int32_t;
typedef unsigned __int32 uint32_t;
#endif
#elif defined ZMQ_HAVE_SOLARIS || defined ZMQ_HAVE_OPENVMS
#include <inttypes.h>
#else
#include <stdint.h>
#endif

/* ------------------------------------------------------------------------ */
/* Symbol visibility                                                         */
/* ------------------------------------------------------------------------ */

#ifndef ZMQ_EXPORT
#if defined _WIN32
#if defined ZMQ_STATIC
#define ZMQ_EXPORT
#elif defined DLL_EXPORT
#define ZMQ_EXPORT __declspec(dllexport)
#else
#define ZMQ_EXPORT __declspec(dllimport)
#endif
#elif defined __SUNPRO_C || defined __SUNPRO_CC
#define ZMQ_EXPORT __global
#elif (defined __GNUC__ && __GNUC__ >= 4) || defined __clang__ \
    || defined __INTEL_COMPILER
#define ZMQ_EXPORT __attribute__ ((visibility ("default")))
#else
#define ZMQ_EXPORT
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

/* Base of the error numbers that 0MQ defines itself.  Chosen high enough   */
/* not to collide with any platform's errno values.                         */
#define ZMQ_HAUSNUMERO 156384712

/* Stand-ins for POSIX codes, used only where <errno.h> lacks them          */
/* (Windows).  On POSIX systems the platform's own values are used.         */
#ifndef ENOTSUP
#define ENOTSUP (ZMQ_HAUSNUMERO + 1)
#endif
#ifndef EPROTONOSUPPORT
#define EPROTONOSUPPORT (ZMQ_HAUSNUMERO + 2)
#endif
#ifndef ENOBUFS
#define ENOBUFS (ZMQ_HAUSNUMERO + 3)
#endif
#ifndef ENETDOWN
#define ENETDOWN (ZMQ_HAUSNUMERO + 4)
#endif
#ifndef EADDRINUSE
#define EADDRINUSE (ZMQ_HAUSNUMERO + 5)
#endif
#ifndef EADDRNOTAVAIL
#define EADDRNOTAVAIL (ZMQ_HAUSNUMERO + 6)
#endif
#ifndef ECONNREFUSED
#define ECONNREFUSED (ZMQ_HAUSNUMERO + 7)
#endif
#ifndef EINPROGRESS
#define EINPROGRESS (ZMQ_HAUSNUMERO + 8)
#endif
#ifndef ENOTSOCK
#define ENOTSOCK (ZMQ_HAUSNUMERO + 9)
#endif
#ifndef EMSGSIZE
#define EMSGSIZE (ZMQ_HAUSNUMERO + 10)
#endif
#ifndef EAFNOSUPPORT
#define EAFNOSUPPORT (ZMQ_HAUSNUMERO + 11)
#endif
#ifndef ENETUNREACH
#define ENETUNREACH (ZMQ_HAUSNUMERO + 12)
#endif
#ifndef ECONNABORTED
#define ECONNABORTED (ZMQ_HAUSNUMERO + 13)
#endif
#ifndef ECONNRESET
#define ECONNRESET (ZMQ_HAUSNUMERO + 14)
#endif
#ifndef ENOTCONN
#define ENOTCONN (ZMQ_HAUSNUMERO + 15)
#endif
#ifndef ETIMEDOUT
#define ETIMEDOUT (ZMQ_HAUSNUMERO + 16)
#endif
#ifndef EHOSTUNREACH
#define EHOSTUNREACH (ZMQ_HAUSNUMERO + 17)
#endif
#ifndef ENETRESET
#define ENETRESET (ZMQ_HAUSNUMERO + 18)
#endif

/* Error numbers that exist only in 0MQ; defined on every platform.         */
#define EFSM (ZMQ_HAUSNUMERO + 51)
#define ENOCOMPATPROTO (ZMQ_HAUSNUMERO + 52)
#define ETERM (ZMQ_HAUSNUMERO + 53)
#define EMTHREAD (ZMQ_HAUSNUMERO + 54)

/* errno as the library sees it for the calling thread.  Lets a program    */
/* built against a different C runtime (Windows) read the real value.      */
ZMQ_EXPORT int zmq_errno (void);

/* Text describing an error number, including the 0MQ-specific ones.       */
ZMQ_EXPORT const char *zmq_strerror (int errnum);

/* Run-time version of the library.                                         */
ZMQ_EXPORT void zmq_version (int *major, int *minor, int *patch);

/* ------------------------------------------------------------------------ */
/* Contexts                                                                  */
/* ------------------------------------------------------------------------ */

/* Options of zmq_ctx_set / zmq_ctx_get.                                    */
#define ZMQ_IO_THREADS 1
#define ZMQ_MAX_SOCKETS 2

/* Their defaults.                                                          */
#define ZMQ_IO_THREADS_DFLT 1
#define ZMQ_MAX_SOCKETS_DFLT 1023

ZMQ_EXPORT void *zmq_ctx_new (void);
ZMQ_EXPORT int zmq_ctx_term (void *context);
ZMQ_EXPORT int zmq_ctx_shutdown (void *ctx_);
ZMQ_EXPORT int zmq_ctx_set (void *context, int option, int optval);
ZMQ_EXPORT int zmq_ctx_get (void *context, int option);

/* Older names for the same operations.                                     */
ZMQ_EXPORT void *zmq_init (int io_threads);
ZMQ_EXPORT int zmq_term (void *context);
ZMQ_EXPORT int zmq_ctx_destroy (void *context);

/* ------------------------------------------------------------------------ */
/* Messages                                                                  */
/* ------------------------------------------------------------------------ */

/* Opaque message handle.  Its size (32 bytes) is part of the 4.0 ABI;     */
/* the contents belong to the library.                                      */
typedef struct zmq_msg_t
{
    unsigned char _[32];
} zmq_msg_t;

/* Called to release the buffer given to zmq_msg_init_data once the last  */
/* reference to it is gone (possibly from another thread).                  */
typedef void (zmq_free_fn) (void *data, void *hint);

ZMQ_EXPORT int zmq_msg_init (zmq_msg_t *msg);
ZMQ_EXPORT int zmq_msg_init_size (zmq_msg_t *msg, size_t size);
ZMQ_EXPORT int zmq_msg_init_data (
    zmq_msg_t *msg, void *data, size_t size, zmq_free_fn *ffn, void *hint);
ZMQ_EXPORT int zmq_msg_send (zmq_msg_t *msg, void *s, int flags);
ZMQ_EXPORT int zmq_msg_recv (zmq_msg_t *msg, void *s, int flags);
ZMQ_EXPORT int zmq_msg_close (zmq_msg_t *msg);
ZMQ_EXPORT int zmq_msg_move (zmq_msg_t *dest, zmq_msg_t *src);
ZMQ_EXPORT int zmq_msg_copy (zmq_msg_t *dest, zmq_msg_t *src);
ZMQ_EXPORT void *zmq_msg_data (zmq_msg_t *msg);
ZMQ_EXPORT size_t zmq_msg_size (zmq_msg_t *msg);
ZMQ_EXPORT int zmq_msg_more (zmq_msg_t *msg);
ZMQ_EXPORT int zmq_msg_get (zmq_msg_t *msg, int option);
ZMQ_EXPORT int zmq_msg_set (zmq_msg_t *msg, int option, int optval);

/* ------------------------------------------------------------------------ */
/* Sockets                                                                   */
/* ------------------------------------------------------------------------ */

/* Socket types.                                                            */
#define ZMQ_PAIR 0
#define ZMQ_PUB 1
#define ZMQ_SUB 2
#define ZMQ_REQ 3
#define ZMQ_REP 4
#define ZMQ_DEALER 5
#define ZMQ_ROUTER 6
#define ZMQ_PULL 7
#define ZMQ_PUSH 8
#define ZMQ_XPUB 9
#define ZMQ_XSUB 10
#define ZMQ_STREAM 11

/* Deprecated names of socket types.                                        */
#define ZMQ_XREQ ZMQ_DEALER
#define ZMQ_XREP ZMQ_ROUTER

/* Socket options (zmq_setsockopt / zmq_getsockopt).                        */
#define ZMQ_AFFINITY 4
#define ZMQ_IDENTITY 5
#define ZMQ_SUBSCRIBE 6
#define ZMQ_UNSUBSCRIBE 7
#define ZMQ_RATE 8
#define ZMQ_RECOVERY_IVL 9
#define ZMQ_SNDBUF 11
#define ZMQ_RCVBUF 12
#define ZMQ_RCVMORE 13
#define ZMQ_FD 14
#define ZMQ_EVENTS 15
#define ZMQ_TYPE 16
#define ZMQ_LINGER 17
#define ZMQ_RECONNECT_IVL 18
#define ZMQ_BACKLOG 19
#define ZMQ_RECONNECT_IVL_MAX 21
#define ZMQ_MAXMSGSIZE 22
#define ZMQ_SNDHWM 23
#define ZMQ_RCVHWM 24
#define ZMQ_MULTICAST_HOPS 25
#define ZMQ_RCVTIMEO 27
#define ZMQ_SNDTIMEO 28
#define ZMQ_LAST_ENDPOINT 32
#define ZMQ_ROUTER_MANDATORY 33
#define ZMQ_TCP_KEEPALIVE 34
#define ZMQ_TCP_KEEPALIVE_CNT 35
#define ZMQ_TCP_KEEPALIVE_IDLE 36
#define ZMQ_TCP_KEEPALIVE_INTVL 37
#define ZMQ_TCP_ACCEPT_FILTER 38
#define ZMQ_IMMEDIATE 39
#define ZMQ_XPUB_VERBOSE 40
#define ZMQ_ROUTER_RAW 41
#define ZMQ_IPV6 42
#define ZMQ_MECHANISM 43
#define ZMQ_PLAIN_SERVER 44
#define ZMQ_PLAIN_USERNAME 45
#define ZMQ_PLAIN_PASSWORD 46
#define ZMQ_CURVE_SERVER 47
#define ZMQ_CURVE_PUBLICKEY 48
#define ZMQ_CURVE_SECRETKEY 49
#define ZMQ_CURVE_SERVERKEY 50
#define ZMQ_PROBE_ROUTER 51
#define ZMQ_REQ_CORRELATE 52
#define ZMQ_REQ_RELAXED 53
#define ZMQ_CONFLATE 54
#define ZMQ_ZAP_DOMAIN 55
/*  zmq4 extension, libzmq 4.1's number and meaning: a ROUTER hands an identity   */
/*  already in use over to the newest connection announcing it (default 0)        */
#define ZMQ_ROUTER_HANDOVER 56
/*  zmq4 extension, libzmq 4.1's number and meaning: handshake deadline (ms)    */
#define ZMQ_HANDSHAKE_IVL 66
/*  zmq4 extension, libzmq 4.2's number and meaning: STREAM connect/disconnect   */
/*  notifications (default 1; 0 restores libzmq 4.0's silent STREAM)             */
#define ZMQ_STREAM_NOTIFY 73

/* Message property (zmq_msg_get).                                          */
#define ZMQ_MORE 1

/* Flags of the send and receive calls.                                     */
#define ZMQ_DONTWAIT 1
#define ZMQ_SNDMORE 2

/* Security mechanisms (values of ZMQ_MECHANISM).                           */
#define ZMQ_NULL 0
#define ZMQ_PLAIN 1
#define ZMQ_CURVE 2

/* Deprecated names, kept so that 3.x-era programs still build.            */
#define ZMQ_IPV4ONLY 31
#define ZMQ_DELAY_ATTACH_ON_CONNECT ZMQ_IMMEDIATE
#define ZMQ_NOBLOCK ZMQ_DONTWAIT
#define ZMQ_FAIL_UNROUTABLE ZMQ_ROUTER_MANDATORY
#define ZMQ_ROUTER_BEHAVIOR ZMQ_ROUTER_MANDATORY

/* ------------------------------------------------------------------------ */
/* Socket monitoring                                                         */
/* ------------------------------------------------------------------------ */

/* Event bits for zmq_socket_monitor.                                       */
#define ZMQ_EVENT_CONNECTED 1
#define ZMQ_EVENT_CONNECT_DELAYED 2
#define ZMQ_EVENT_CONNECT_RETRIED 4
#define ZMQ_EVENT_LISTENING 8
#define ZMQ_EVENT_BIND_FAILED 16
#define ZMQ_EVENT_ACCEPTED 32
#define ZMQ_EVENT_ACCEPT_FAILED 64
#define ZMQ_EVENT_CLOSED 128
#define ZMQ_EVENT_CLOSE_FAILED 256
#define ZMQ_EVENT_DISCONNECTED 512
#define ZMQ_EVENT_MONITOR_STOPPED 1024

#define ZMQ_EVENT_ALL \
    (ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CONNECT_DELAYED \
     | ZMQ_EVENT_CONNECT_RETRIED | ZMQ_EVENT_LISTENING \
     | ZMQ_EVENT_BIND_FAILED | ZMQ_EVENT_ACCEPTED \
     | ZMQ_EVENT_ACCEPT_FAILED | ZMQ_EVENT_CLOSED \
     | ZMQ_EVENT_CLOSE_FAILED | ZMQ_EVENT_DISCONNECTED \
     | ZMQ_EVENT_MONITOR_STOPPED)

/* Layout of a monitor event.  Note: the monitor socket actually delivers  */
/* a first frame of 6 packed bytes (16-bit event, then 32-bit value, both  */
/* in host byte order) followed by a frame holding the endpoint string.    */
typedef struct
{
    uint16_t event; /* one ZMQ_EVENT_* bit */
    int32_t value;  /* fd, errno or reconnect interval, by event */
} zmq_event_t;

ZMQ_EXPORT void *zmq_socket (void *, int type);
ZMQ_EXPORT int zmq_close (void *s);
ZMQ_EXPORT int zmq_setsockopt (
    void *s, int option, const void *optval, size_t optvallen);
ZMQ_EXPORT int zmq_getsockopt (
    void *s, int option, void *optval, size_t *optvallen);
ZMQ_EXPORT int zmq_bind (void *s, const char *addr);
ZMQ_EXPORT int zmq_connect (void *s, const char *addr);
ZMQ_EXPORT int zmq_unbind (void *s, const char *addr);
ZMQ_EXPORT int zmq_disconnect (void *s, const char *addr);
ZMQ_EXPORT int zmq_send (void *s, const void *buf, size_t len, int flags);
ZMQ_EXPORT int zmq_send_const (
    void *s, const void *buf, size_t len, int flags);
ZMQ_EXPORT int zmq_recv (void *s, void *buf, size_t len, int flags);
ZMQ_EXPORT int zmq_socket_monitor (void *s, const char *addr, int events);

/* Deprecated spellings of zmq_msg_send / zmq_msg_recv (arguments swapped). */
ZMQ_EXPORT int zmq_sendmsg (void *s, zmq_msg_t *msg, int flags);
ZMQ_EXPORT int zmq_recvmsg (void *s, zmq_msg_t *msg, int flags);

/* Experimental scatter/gather calls: one frame per iovec.                  */
struct iovec;

ZMQ_EXPORT int zmq_sendiov (
    void *s, struct iovec *iov, size_t count, int flags);
ZMQ_EXPORT int zmq_recviov (
    void *s, struct iovec *iov, size_t *count, int flags);

/* ------------------------------------------------------------------------ */
/* I/O multiplexing                                                          */
/* ------------------------------------------------------------------------ */

#define ZMQ_POLLIN 1
#define ZMQ_POLLOUT 2
#define ZMQ_POLLERR 4

/* One entry of a zmq_poll set: either a 0MQ socket (socket != NULL) or a  */
/* native file descriptor.                                                  */
typedef struct
{
    void *socket;
#if defined _WIN32
    SOCKET fd;
#else
    int fd;
#endif
    short events;
    short revents;
} zmq_pollitem_t;

#define ZMQ_POLLITEMS_DFLT 16

ZMQ_EXPORT int zmq_poll (zmq_pollitem_t *items, int nitems, long timeout);

/* ------------------------------------------------------------------------ */
/* Proxies and (deprecated) devices                                          */
/* ------------------------------------------------------------------------ */

ZMQ_EXPORT int zmq_proxy (void *frontend, void *backend, void *capture);
ZMQ_EXPORT int zmq_proxy_steerable (
    void *frontend, void *backend, void *capture, void *control);

/* zmq_device types; the type argument is ignored.                          */
#define ZMQ_STREAMER 1
#define ZMQ_FORWARDER 2
#define ZMQ_QUEUE 3

ZMQ_EXPORT int zmq_device (int type, void *frontend, void *backend);

/* ------------------------------------------------------------------------ */
/* Z85 (RFC 32) text encoding of binary keys                                 */
/* ------------------------------------------------------------------------ */

/* Writes size * 5 / 4 characters plus a NUL into dest; size must be a     */
/* multiple of 4.  Returns dest, or NULL (errno EINVAL).                    */
ZMQ_EXPORT char *zmq_z85_encode (char *dest, uint8_t *data, size_t size);

/* Writes strlen (string) * 4 / 5 bytes into dest; the length must be a    */
/* multiple of 5.  Returns dest, or NULL (errno EINVAL).                    */
ZMQ_EXPORT uint8_t *zmq_z85_decode (uint8_t *dest, char *string);

#ifdef __cplusplus
}
#endif

#endif /* __ZMQ_H_INCLUDED__ */
