# cython: annotation_typing=False
"""The part of a socket every send and recv reads: ``SocketCore``, SocketBase's base class.

Owns four fields: ``closed``, ``ctx_terminated``, ``rcvmore`` and ``mailbox``. Compiled
(``sockcore.pxd``) they are C fields of an extension type, so the compiled fast path
(``zmq4.core.fastpath``) reads and writes them without a dictionary lookup, and calls the
typed mailbox in C. Python code sees ordinary attributes either way. Everything else of a
socket (SocketBase and the twelve socket types) stays interpreted in subclasses.

Rules: no behaviour here, only storage; SocketBase sets all four in its constructor. Leaf
module: imports nothing but the mailbox type.
"""

from __future__ import annotations


class SocketCore:
    """Hot fields of a socket (see the module docstring); no methods. Subclasses defined
    in Python get an instance ``__dict__`` and weak references as usual."""
