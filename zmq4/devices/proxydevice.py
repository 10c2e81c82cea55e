"""Proxy devices: a device plus a monitor socket that receives a copy of every message
(pyzmq's ``Proxy``/``ThreadProxy``/``ProcessProxy``; the steerable variants are in
:mod:`zmq4.devices.proxysteerabledevice`).

Rules: as :mod:`zmq4.devices.basedevice`; the monitor (``mon``) socket is configured with
``bind_mon``/``connect_mon``/``setsockopt_mon``, and forwarding is the core proxy.
Imports: the object face and the backend's proxy.
"""

from __future__ import annotations

from typing import Any

from .. import zmq_h as C
from ..backend.devices import proxy
from ..sugar.socket import Socket
from .basedevice import Device, ProcessDevice, ThreadDevice


class ProxyBase(Device):
    """A device with a third, monitor socket (``mon_type``, PUB by default)."""

    def __init__(self, in_type: int, out_type: int, mon_type: int = C.PUB) -> None:
        Device.__init__(self, C.QUEUE, in_type, out_type)
        self.mon_type = mon_type
        self._mon_binds: list[str] = []
        self._mon_connects: list[str] = []
        self._mon_sockopts: list[tuple[Any, Any]] = []

    def bind_mon(self, addr: str) -> None:
        """Bind the monitor socket to ``addr`` when the device starts."""
        self._mon_binds.append(addr)

    def connect_mon(self, addr: str) -> None:
        """Connect the monitor socket to ``addr`` when the device starts."""
        self._mon_connects.append(addr)

    def setsockopt_mon(self, opt: Any, value: Any) -> None:
        """Set an option on the monitor socket when the device starts."""
        self._mon_sockopts.append((opt, value))

    def bind_mon_to_random_port(self, addr: str, *args: int, **kwargs: int) -> int:
        """Reserve a random tcp port on ``addr`` for the monitor socket; returns it."""
        port = self._reserve_random_port(addr, *args, **kwargs)
        self.bind_mon(f"{addr}:{port}")
        return port

    def _setup_sockets(self) -> tuple[Socket, Socket, Socket]:  # type: ignore[override]
        ins, outs = Device._setup_sockets(self)
        assert self._context is not None
        mons = self._context.socket(self.mon_type)
        self._sockets.append(mons)
        self._configure(mons, self._mon_sockopts, self._mon_binds, self._mon_connects)
        return ins, outs, mons

    def run_device(self) -> None:
        ins, outs, mons = self._setup_sockets()
        proxy(ins, outs, mons)


class Proxy(ProxyBase):
    """A proxy device run in the caller's thread (see :class:`ThreadProxy`)."""


class ThreadProxy(ProxyBase, ThreadDevice):
    """A proxy device in a daemon thread."""


class ProcessProxy(ProxyBase, ProcessDevice):
    """A proxy device in a child process."""


__all__ = ["ProcessProxy", "Proxy", "ProxyBase", "ThreadProxy"]
