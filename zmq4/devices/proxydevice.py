"""Proxy devices: a device plus a monitor socket that receives a copy of every message
(pyzmq's ``Proxy``/``ThreadProxy``/``ProcessProxy``), and the steerable variants with a
control socket (``ProxySteerable``...: PAIR-style PAUSE/RESUME/TERMINATE commands).

Rules: as :mod:`zmq4.devices.basedevice`; the monitor (``mon``) and control (``ctrl``)
sockets are configured with ``bind_mon``/``connect_mon``/``setsockopt_mon`` and the
``_ctrl`` equivalents, and forwarding is the core proxy. Imports: the object face.
"""

from __future__ import annotations

from typing import Any

from .. import constants as C
from ..socket import Socket
from .basedevice import Device, ProcessDevice, ThreadDevice
from .functions import proxy, proxy_steerable


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


class ProxySteerableBase(ProxyBase):
    """A proxy device with a control socket (``ctrl_type``, PAIR by default) taking
    PAUSE, RESUME and TERMINATE."""

    def __init__(self, in_type: int, out_type: int, mon_type: int = C.PUB,
                 ctrl_type: int | None = None) -> None:
        ProxyBase.__init__(self, in_type, out_type, mon_type)
        self.ctrl_type = C.PAIR if ctrl_type is None else ctrl_type
        self._ctrl_binds: list[str] = []
        self._ctrl_connects: list[str] = []
        self._ctrl_sockopts: list[tuple[Any, Any]] = []

    def bind_ctrl(self, addr: str) -> None:
        """Bind the control socket to ``addr`` when the device starts."""
        self._ctrl_binds.append(addr)

    def connect_ctrl(self, addr: str) -> None:
        """Connect the control socket to ``addr`` when the device starts."""
        self._ctrl_connects.append(addr)

    def setsockopt_ctrl(self, opt: Any, value: Any) -> None:
        """Set an option on the control socket when the device starts."""
        self._ctrl_sockopts.append((opt, value))

    def bind_ctrl_to_random_port(self, addr: str, *args: int, **kwargs: int) -> int:
        """Reserve a random tcp port on ``addr`` for the control socket; returns it."""
        port = self._reserve_random_port(addr, *args, **kwargs)
        self.bind_ctrl(f"{addr}:{port}")
        return port

    def _setup_sockets(self) -> tuple[Socket, Socket, Socket, Socket]:  # type: ignore[override]
        ins, outs, mons = ProxyBase._setup_sockets(self)
        assert self._context is not None
        ctrl = self._context.socket(self.ctrl_type)
        self._sockets.append(ctrl)
        self._configure(ctrl, self._ctrl_sockopts, self._ctrl_binds, self._ctrl_connects)
        return ins, outs, mons, ctrl

    def run_device(self) -> None:
        ins, outs, mons, ctrl = self._setup_sockets()
        proxy_steerable(ins, outs, mons, ctrl)


class ProxySteerable(ProxySteerableBase):
    """A steerable proxy run in the caller's thread."""


class ThreadProxySteerable(ProxySteerableBase, ThreadDevice):
    """A steerable proxy in a daemon thread."""


class ProcessProxySteerable(ProxySteerableBase, ProcessDevice):
    """A steerable proxy in a child process."""


__all__ = ["ProcessProxy", "ProcessProxySteerable", "Proxy", "ProxyBase", "ProxySteerable",
           "ProxySteerableBase", "ThreadProxy", "ThreadProxySteerable"]
