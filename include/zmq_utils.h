/*
 * zmq_utils.h -- helper API of zmq4, as shipped with libzmq 4.0.10.
 *
 * Small portability helpers used by the libzmq perf tools and test
 * programs (stopwatch, sleep, threads), plus the CURVE key-pair generator
 * and the Z85 codec (also declared, identically, in zmq.h).  Self-contained:
 * it may be included with or without zmq.h, in either order.
 *
 * Licence: MPL-2.0 (see the zmq4 project).
 */

#ifndef __ZMQ_UTILS_H_INCLUDED__
#define __ZMQ_UTILS_H_INCLUDED__

/* As libzmq 4.0's zmq_utils.h: programs written for it use memcmp, strlen,
 * printf, malloc/free with only the zmq headers included. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined _MSC_VER && _MSC_VER < 1600
/* Old Microsoft compilers ship no <stdint.h>; shares zmq.h's guard. */
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

/* Same visibility rules as zmq.h (whichever header comes first wins).      */
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

/* Z85 codec (RFC 32); see zmq.h.                                           */
ZMQ_EXPORT char *zmq_z85_encode (char *dest, uint8_t *data, size_t size);
ZMQ_EXPORT uint8_t *zmq_z85_decode (uint8_t *dest, char *string);

/* Makes a new CURVE key pair and writes both keys as 40 Z85 characters    */
/* plus a NUL (each buffer needs 41 bytes).  Returns 0, or -1 with errno   */
/* ENOTSUP when no CURVE support is available.                             */
ZMQ_EXPORT int zmq_curve_keypair (char *z85_public_key, char *z85_secret_key);

/* Body of a thread started by zmq_threadstart.                             */
typedef void (zmq_thread_fn) (void *);

/* Starts a stopwatch; the result must be passed to zmq_stopwatch_stop.     */
ZMQ_EXPORT void *zmq_stopwatch_start (void);

/* Microseconds elapsed since zmq_stopwatch_start; releases the stopwatch. */
ZMQ_EXPORT unsigned long zmq_stopwatch_stop (void *watch_);

/* Suspends the calling thread for the given number of seconds.            */
ZMQ_EXPORT void zmq_sleep (int seconds_);

/* Runs func (arg) in a new OS thread; returns a handle for zmq_threadclose. */
ZMQ_EXPORT void *zmq_threadstart (zmq_thread_fn *func, void *arg);

/* Waits for the thread to finish and releases its handle.                  */
ZMQ_EXPORT void zmq_threadclose (void *thread);

#ifdef __cplusplus
}
#endif

#endif /* __ZMQ_UTILS_H_INCLUDED__ */
