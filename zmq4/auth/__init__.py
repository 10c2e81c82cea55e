"""Authentication for zmq4 servers: a ZAP handler (RFC 27) with the policies pyzmq users know.

``zmq4.auth`` is a face over the core's ZAP client: the core asks whatever handler is
bound at ``inproc://zeromq.zap.01`` in the socket's context, and these classes are such a
handler. Policies: allow or deny peers by IP address, PLAIN user/password tables per ZAP
domain, CURVE with any client key or only keys found in a directory of certificate files
(the pyzmq format, so existing cert directories work), or a callback deciding per key.
Every decision is logged on the ``zmq4.auth`` logger (INFO: one line per accept or deny,
with the reason).

- :class:`ThreadAuthenticator` runs the handler in a background thread (the usual choice).
- :class:`AsyncioAuthenticator` runs it as a task on an asyncio loop.
- :class:`Authenticator` is the policy engine itself, for callers that run their own loop.

Start the authenticator before binding the sockets it protects: a connection whose
handshake completes while no handler is bound follows 4.0's rules (PLAIN and NULL accept,
CURVE accepts any client that knows the server key). For that reason a running handler
never lets go of its endpoint on a failure: any failure inside the authenticator (a
callback that raises or answers a non-bool, the handler's loop itself) denies, and only
``stop()`` or the context's termination unbinds it.
"""

from __future__ import annotations

from ..certs import create_certificates, load_certificate, load_certificates
from . import certs  # noqa: F401 - zmq4.auth.certs as an attribute (pyzmq's layout)
from .asyncio import AsyncioAuthenticator
from .base import CURVE_ALLOW_ANY, Authenticator
from .thread import ThreadAuthenticator

__all__ = [
    "CURVE_ALLOW_ANY",
    "AsyncioAuthenticator",
    "Authenticator",
    "ThreadAuthenticator",
    "create_certificates",
    "load_certificate",
    "load_certificates",
]
