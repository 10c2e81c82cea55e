# cython: annotation_typing=False
"""The part of a socket every send and recv reads: ``SocketCore``, SocketBase's base class.

Owns four fields: ``closed``, ``ctx_terminated``, ``rcvmore`` and ``mailbox``, and
``post``, the pipe-sink wake-up every message that finds the socket asleep takes.
Compiled (``sockcore.pxd``) the fields are C fields of an extension type, so the compiled
fast path (``zmq4.core.fastpath``) reads and writes them without a dictionary lookup, and
calls the typed mailbox in C; ``post`` reaches the mailbox with no interpreted frame.
Python code sees ordinary attributes either way. Everything else of a socket (SocketBase
and the twelve socket types) lives in subclasses.

Rules: no other behaviour here; SocketBase sets all four fields in its constructor. Leaf
module: imports nothing but the mailbox type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .mailbox import Mailbox


class SocketCore:
    """Hot fields of a socket (see the module docstring) and ``post``. Subclasses
    defined in Python get an instance ``__dict__`` and weak references as usual."""

    closed: bool
    ctx_terminated: bool
    rcvmore: bool
    mailbox: Mailbox

    def post(self, command: Any) -> None:
        """Any thread: queue a command for this socket and wake it (the pipe sink
        interface: every message that finds the socket asleep comes through here).

        A closed socket's mailbox refuses it; a "bind" (a session's or inproc peer's pipe
        that arrived too late) then ends that pipe here, as ``SocketBase.close`` does with
        the ones still queued: nobody will ever own it, and its peer would wait for it
        forever (ctx_term would hang)."""
        if not self.mailbox.post(command) and command[0] == "bind":
            command[1].terminate(False)
