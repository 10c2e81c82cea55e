"""Helpers around the object API, under pyzmq's ``zmq.utils`` names:
:mod:`zmq4.utils.monitor` (monitor events), :mod:`zmq4.utils.z85` (Z85, RFC 32),
:mod:`zmq4.utils.jsonapi` (JSON as UTF-8 bytes), :mod:`zmq4.utils.interop` (int
addresses), :mod:`zmq4.utils.win32` (``allow_interrupt``, a no-op on POSIX), and for old
imports :mod:`zmq4.utils.strtypes` and :mod:`zmq4.utils.garbage`."""
