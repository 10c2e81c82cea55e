"""I/O: reactor threads, tcp/ipc listeners and connecters, sessions and engines.

Owns everything that touches OS sockets for tcp:// and ipc://. Sits below the core and
above the sans-IO protocol (``zmq4.zmtp``): it imports zmtp and the leaves, never
zmq4.core — the socket hands it pipes and mechanisms through methods
(``make_session_pipes``, ``make_zap_pipes``, ``make_mechanism``).
"""
