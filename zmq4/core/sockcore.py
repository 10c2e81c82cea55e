# cython: annotation_typing=False
"""The part of a socket every send and recv reads: ``SocketCore``, SocketBase's base class.

Owns four fields: ``closed``, ``ctx_terminated``, ``rcvmore`` and ``mailbox``, and
``post``, the pipe-sink wake-up every message that finds the socket asleep takes. Also
the per-message data path's two entry points, ``xsend_fn`` and ``xrecv_fn``: the compiled
callables a socket type routes its ``xsend``/``xrecv`` to (``bind_fast``: its LB's
``send``, its FQ's ``recv``, a compiled path object's methods), which the fast path
calls from these fields rather than by looking the name up on every message; None: the
fast path calls the ``xsend``/``xrecv`` methods.
Compiled (``sockcore.pxd``) the fields are C fields of an extension type, so the compiled
fast path (``zmq4.core.fastpath``) reads and writes them without a dictionary lookup, and
calls the typed mailbox in C; ``post`` reaches the mailbox with no interpreted frame.
Python code sees ordinary attributes either way. Everything else of a socket (SocketBase
and the twelve socket types) lives in subclasses.

Rules: no other behaviour here; SocketBase sets the four fields in its constructor.
``bind_fast`` sets an entry point and the instance attribute of the same name together
(other callers of ``xsend``/``xrecv`` by name get the same callable), so the two never
disagree; a socket type that overrides the method in a subclass does not bind it. Leaf
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
    xsend_fn: Any
    xrecv_fn: Any

    def post(self, command: Any) -> None:
        """Any thread: queue a command for this socket and wake it (the pipe sink
        interface: every message that finds the socket asleep comes through here).

        A closed socket's mailbox refuses it; a "bind" (a session's or inproc peer's pipe
        that arrived too late) then ends that pipe here, as ``SocketBase.close`` does with
        the ones still queued: nobody will ever own it, and its peer would wait for it
        forever (ctx_term would hang)."""
        if not self.mailbox.post(command) and command[0] == "bind":
            command[1].terminate(False)

    def bind_fast(self, xsend: Any = None, xrecv: Any = None) -> None:
        """Route the per-message ``xsend`` / ``xrecv`` (those given; None leaves one as
        it is) to compiled callables that do what the socket type's methods do."""
        if xsend is not None:
            self.xsend_fn = xsend
            # the subclass's instance attribute (the extension type has no such field):
            # shadows the method for callers by name
            setattr(self, "xsend", xsend)  # noqa: B010
        if xrecv is not None:
            self.xrecv_fn = xrecv
            setattr(self, "xrecv", xrecv)  # noqa: B010

    def unbind_fast(self) -> None:
        """Return ``xsend`` and ``xrecv`` to the socket type's methods."""
        for name in ("xsend", "xrecv"):
            if name in self.__dict__:
                delattr(self, name)
        self.xsend_fn = None
        self.xrecv_fn = None
