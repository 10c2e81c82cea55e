"""SSH tunnels for zmq4 connections (pyzmq's ``zmq.ssh``): see :mod:`zmq4.ssh.tunnel`."""

from __future__ import annotations

from .tunnel import *  # noqa: F403
from .tunnel import __all__  # noqa: F401
