"""The messaging core: every socket semantic of libzmq 4.0, independent of transports.

Owns contexts (``ctx``), sockets (``socket_base`` + one module per socket type in
``sockets/``), pipes and their HWM accounting (``pipe``), routing helpers (``lb``, ``fq``,
``dist``, ``trie``, ``mtrie``), the option table (``options``), mailboxes (``mailbox``),
``poll``, ``proxy`` and ``monitor``. Raises ``zmq4.errors.ZMQError``; never returns errno.
Imports point down: core may import zmq4.io (transports), zmq4.zmtp and the leaves; never
the faces (capi, the object API, _cabi).
"""
