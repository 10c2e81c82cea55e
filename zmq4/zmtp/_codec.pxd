# Declarations of zmq4.zmtp._codec for cimport by other Cython modules (zmq4.io's
# engine may call scan_frames with the GIL released to count messages for RCVHWM).

from cpython.ref cimport PyObject
from libc.stdint cimport uint64_t


cdef struct ScanState:
    int version
    int hlen
    unsigned char hdr[10]
    int in_payload
    uint64_t remaining
    unsigned char flags
    int error
    long long max_size


cdef void scan_init(ScanState* st, int version, long long max_size) noexcept nogil
cdef Py_ssize_t scan_frames(ScanState* st, const unsigned char* p, Py_ssize_t n,
                            Py_ssize_t max_messages, Py_ssize_t* messages) noexcept nogil


cdef PyObject* new_body(Py_ssize_t size) except NULL
cdef int interleave(bytearray out, list cuts, list chunks) except -1


cdef class Decoder:
    cdef readonly int version
    cdef Py_ssize_t _max
    cdef unsigned char _hdr[10]
    cdef Py_ssize_t _hlen
    cdef PyObject* _pay
    cdef Py_ssize_t _psize
    cdef Py_ssize_t _pfill
    cdef Py_ssize_t _pcap
    cdef unsigned char _pflags
    cdef bint _pkeep  # the pending body grows: remember it in the recycled set once done
    cdef list _parts
    cdef bytearray _left
    cdef object _error
    cdef readonly Py_ssize_t commands

    cdef int _decode(self, object data, list out, bint frames, Py_ssize_t limit) except -1
    cdef int _feed(self, object data, list out, bint frames, Py_ssize_t limit) except -1
    cdef int _fail(self, str reason) except -1
    cdef Py_ssize_t _run(self, const unsigned char* p, Py_ssize_t n, list out,
                         bint frames, Py_ssize_t limit) except -1


cdef class FrameScanner:
    cdef ScanState _st
